//! `serve --watch`: reload when the mapping directory changes.
//!
//! The directory itself is watched (recursively), not the files in it, so a Kubernetes
//! ConfigMap update is seen: there each file is a symlink through `..data`, and an update
//! writes a new timestamped directory and renames a new `..data` symlink over the old one,
//! which changes no watched file but is an event in the directory. Events are debounced
//! (nothing more for [`QUIET`]), then the set is re-read from the paths, after the swap. The
//! reload is the SIGHUP one: a failed reload keeps the old set and is shown in /v1/status.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};

/// How long the directory must stay quiet before a reload.
pub const QUIET: Duration = Duration::from_millis(400);

/// Watches `dir` on a thread of its own, calling `reload` after each burst of changes. The
/// watcher lives as long as the process.
pub fn spawn(dir: &Path, reload: impl Fn() + Send + 'static) -> notify::Result<()> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let relevant = match &event {
            // Reading the files (our own reload among them) is no change.
            Ok(e) => !matches!(e.kind, EventKind::Access(_)),
            Err(_) => true,
        };
        if relevant {
            let _ = tx.send(());
        }
    })?;
    watcher.watch(dir, RecursiveMode::Recursive)?;
    std::thread::Builder::new()
        .name("mapping-watch".into())
        .spawn(move || {
            let _watcher = watcher;
            while rx.recv().is_ok() {
                // Debounce: wait until the directory has been quiet for QUIET.
                loop {
                    match rx.recv_timeout(QUIET) {
                        Ok(()) => {}
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                reload();
            }
        })
        .map_err(notify::Error::io)?;
    Ok(())
}
