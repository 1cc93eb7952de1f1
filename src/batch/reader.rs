//! Bounded line reading: lines of at most `max` bytes, read into chunks; a longer line is
//! consumed without being stored.

use std::io::{self, BufRead};

/// Where a line of a chunk is: its bytes, or skipped for being too long.
#[derive(Clone)]
pub(crate) enum Slot {
    Line(std::ops::Range<usize>),
    TooLong,
}

/// Appends one line of at most `max` bytes to `buf` (line end removed). `None` at the end of
/// input. A longer line is consumed without being stored. A last line without a line end
/// counts. The flag is true when the line ended exactly where the input's buffer did: the
/// next read may wait for more input.
fn append_line(
    input: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Option<(Slot, bool)>> {
    let start = buf.len();
    let mut too_long = false;
    let mut any = false;
    let mut drained = false;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let (chunk, done) = match memchr(available) {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if !too_long {
            // One byte of slack for a `\r` before the `\n`, which is not part of the line.
            if buf.len() - start + chunk.len() > max.saturating_add(1) {
                too_long = true;
                buf.truncate(start);
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let used = done.unwrap_or(available.len());
        drained = used == available.len();
        input.consume(used);
        if done.is_some() {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if !too_long && buf.len() > start && buf.last() == Some(&b'\r') {
        buf.pop();
    }
    if too_long || buf.len() - start > max {
        buf.truncate(start);
        return Ok(Some((Slot::TooLong, drained)));
    }
    Ok(Some((Slot::Line(start..buf.len()), drained)))
}

fn memchr(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', bytes)
}

/// Lines of one chunk, read in order.
pub(crate) struct Chunk {
    pub(crate) seq: u64,
    pub(crate) first_line: u64,
    pub(crate) data: Vec<u8>,
    pub(crate) slots: Vec<Slot>,
}

const CHUNK_BYTES: usize = 256 * 1024;
const CHUNK_LINES: usize = 2048;

/// Reads the next chunk; `None` at the end of input. A chunk ends at [`CHUNK_BYTES`] or
/// [`CHUNK_LINES`], or early when the input has nothing more buffered: a slow writer
/// (`tail -f log | paynorm batch`) gets each line's result as soon as it is read, not when
/// a chunk fills up.
pub(crate) fn read_chunk(
    input: &mut impl BufRead,
    seq: u64,
    first_line: u64,
    max: usize,
) -> io::Result<Option<Chunk>> {
    let mut chunk = Chunk {
        seq,
        first_line,
        data: Vec::with_capacity(CHUNK_BYTES + 4096),
        slots: Vec::with_capacity(CHUNK_LINES),
    };
    while chunk.data.len() < CHUNK_BYTES && chunk.slots.len() < CHUNK_LINES {
        match append_line(input, &mut chunk.data, max)? {
            Some((slot, drained)) => {
                chunk.slots.push(slot);
                if drained {
                    break;
                }
            }
            None => break,
        }
    }
    Ok((!chunk.slots.is_empty()).then_some(chunk))
}
