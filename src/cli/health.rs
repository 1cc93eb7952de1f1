//! `paynorm health --url URL`: a container health check with no HTTP client library, one
//! HTTP/1.1 GET over a plain TCP connection. `http://` only: https is not supported (probe
//! the loopback or pod address, where the service speaks plain HTTP).

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use super::Outcome;

/// GETs `url` within `timeout` seconds: exit 0 on 2xx, 1 with a one-line reason otherwise.
pub fn check(url: &str, timeout: f64) -> Outcome {
    let limit = Duration::try_from_secs_f64(timeout)
        .ok()
        .filter(|d| !d.is_zero())
        .unwrap_or(Duration::from_secs(2));
    match get(url, limit) {
        Ok(status) if (200..300).contains(&status) => Ok(ExitCode::SUCCESS),
        Ok(status) => {
            super::say(&format!("unhealthy: {url} answered {status}\n"));
            Ok(super::input_failed())
        }
        Err(e) => {
            super::say(&format!("unhealthy: {url}: {e}\n"));
            Ok(super::input_failed())
        }
    }
}

/// `http://host[:port][/path]` → (host, port, path).
fn split(url: &str) -> io::Result<(&str, u16, &str)> {
    let invalid = |m: &str| io::Error::new(io::ErrorKind::InvalidInput, m.to_string());
    let Some(rest) = url.strip_prefix("http://") else {
        if url.starts_with("https://") {
            return Err(invalid("https is not supported (use http://)"));
        }
        return Err(invalid("the URL must start with http://"));
    };
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && !p.contains(']') => (
            h,
            p.parse().map_err(|_| invalid("the port is not a number"))?,
        ),
        _ => (authority, 80),
    };
    if host.is_empty() {
        return Err(invalid("the URL has no host"));
    }
    Ok((host, port, path))
}

/// The status code of `GET url`.
fn get(url: &str, limit: Duration) -> io::Result<u16> {
    let deadline = Instant::now() + limit;
    let left = || {
        deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| io::Error::new(io::ErrorKind::TimedOut, "timed out"))
    };
    let (host, port, path) = split(url)?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the host has no address");
    let mut stream = None;
    for addr in (bare, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, left()?) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = e,
        }
    }
    let mut stream = stream.ok_or(last)?;
    stream.set_write_timeout(Some(left()?))?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\nUser-Agent: paynorm-health\r\n\r\n"
    );
    stream.write_all(request.as_bytes())?;
    // The status line is all we need: read until its end (or 1 KiB).
    let mut head = Vec::with_capacity(256);
    let mut buf = [0u8; 256];
    while !head.contains(&b'\n') && head.len() < 1024 {
        stream.set_read_timeout(Some(left()?))?;
        let n = match stream.read(&mut buf) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "timed out waiting for the answer",
                ));
            }
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head);
    let line = line.lines().next().unwrap_or("");
    let mut parts = line.split_whitespace();
    match (
        parts.next(),
        parts.next().and_then(|c| c.parse::<u16>().ok()),
    ) {
        (Some(v), Some(code)) if v.starts_with("HTTP/") => Ok(code),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "not an HTTP answer: {:?}",
                line.chars().take(60).collect::<String>()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn urls() {
        assert_eq!(
            split("http://127.0.0.1:8080/health/ready").unwrap(),
            ("127.0.0.1", 8080, "/health/ready")
        );
        assert_eq!(split("http://localhost").unwrap(), ("localhost", 80, "/"));
        assert_eq!(split("http://[::1]:9/x").unwrap(), ("[::1]", 9, "/x"));
        assert!(
            split("https://x/")
                .unwrap_err()
                .to_string()
                .contains("https is not supported")
        );
        assert!(split("ftp://x/").is_err());
    }
}
