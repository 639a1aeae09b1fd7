//! What the `csv` crate does not tell an importer: on which physical line a record
//! starts, whether a double quote was left open, and that a byte order mark is not part
//! of the first column's name.

use std::collections::VecDeque;
use std::io::{self, Read};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The most bytes one record may take. A row of the longest cells allowed is far
/// below it; without a limit, a line that never ends (`/dev/zero`, a file with no line
/// break) or a quote never closed would be held in memory whole.
pub const MAX_RECORD_BYTES: u64 = 1 << 20;

/// Watches the bytes the `csv` reader consumes, for what it does not tell: on which
/// physical line a record starts (its positions point to where reading began, before
/// the blank lines and the LF of a CRLF it skips), and whether a double quote was left
/// open (it then reads the rest of the file into one cell without complaint).
pub(super) struct Tracker<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// Double quotes seen: an odd count at the end means one was never closed.
    pub(super) quotes: u64,
    /// CR and LF bytes not yet passed by a record start: (offset, is a line break).
    /// A CR is a line break unless an LF follows it.
    marks: VecDeque<(u64, bool)>,
    /// Line breaks before the front of `marks`.
    breaks: usize,
    /// Whether a lone CR ends a line, decided by the file's first line break: in a
    /// CR-only file (old Mac spreadsheets) it does; in an LF or CRLF file a stray CR
    /// inside a quoted cell is not a line an editor would count.
    lone_cr_breaks: Option<bool>,
    /// Bytes since the last line break outside quotes: the size of the record being read.
    record: u64,
}

impl<R> Tracker<R> {
    pub(super) fn new(inner: R) -> Self {
        Tracker {
            inner,
            offset: 0,
            quotes: 0,
            marks: VecDeque::new(),
            breaks: 0,
            lone_cr_breaks: None,
            record: 0,
        }
    }

    /// The 1-based line of the first byte of a record whose reading began at `start`.
    /// Records come in order, so the marks before them are consumed once.
    pub(super) fn line_at(&mut self, start: u64) -> usize {
        let mut cursor = start;
        while let Some(&(at, is_break)) = self.marks.front() {
            // Marks before `start`, then the run of CR/LF bytes csv skips from `start`.
            if at > cursor {
                break;
            }
            if at == cursor {
                cursor += 1;
            }
            self.breaks += usize::from(is_break);
            self.marks.pop_front();
        }
        self.breaks + 1
    }
}

impl<R> Tracker<R> {
    /// A CR just before `at` is a line break of its own unless `next` (the byte at
    /// `at`, `None` at the end) is an LF.
    fn decide_cr(&mut self, at: u64, next: Option<u8>) {
        let Some(last) = self.marks.back_mut() else {
            return;
        };
        // Only the newest mark can be an undecided CR, and only right behind `at`.
        if last.0 + 1 != at || last.1 {
            return;
        }
        last.1 = match next {
            Some(b'\n') => false,
            _ => *self.lone_cr_breaks.get_or_insert(true),
        };
    }
}

impl<R: Read> Read for Tracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = &buf[..n];
        // A CR at the end of the previous read is decided by this read's first byte
        // (or, at the end of the input, by there being none).
        self.decide_cr(self.offset, read.first().copied());
        for (i, &b) in read.iter().enumerate() {
            let at = self.offset + i as u64;
            // A doubled quote inside a quoted cell counts twice, so an even count means
            // outside quotes, where a line break ends the record.
            if matches!(b, b'\n' | b'\r') && self.quotes.is_multiple_of(2) {
                self.record = 0;
            } else {
                self.record += 1;
            }
            if self.record > MAX_RECORD_BYTES {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "a row goes on for more than {} MiB without ending (a line with no line break, or a \
                         double quote never closed); reading stopped there",
                        MAX_RECORD_BYTES >> 20
                    ),
                ));
            }
            match b {
                b'"' => self.quotes += 1,
                b'\n' => {
                    self.lone_cr_breaks.get_or_insert(false);
                    self.marks.push_back((at, true));
                }
                b'\r' => {
                    self.marks.push_back((at, false));
                    if let Some(&next) = read.get(i + 1) {
                        self.decide_cr(at + 1, Some(next));
                    }
                }
                _ => {}
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

/// Drops a leading UTF-8 byte order mark: the `csv` crate would keep it as part of
/// the first header name (or, before a quote, break the quoting of that cell).
pub(super) fn skip_bom<R: Read>(mut input: R) -> io::Result<io::Chain<io::Cursor<Vec<u8>>, R>> {
    let mut head = [0u8; 3];
    let mut n = 0;
    while n < head.len() {
        match input.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let keep = if &head[..n] == BOM {
        Vec::new()
    } else {
        head[..n].to_vec()
    };
    Ok(io::Cursor::new(keep).chain(input))
}

/// Where the reader began reading `rec` (see [`Tracker::line_at`]).
pub(super) fn start_of(rec: &csv::ByteRecord) -> u64 {
    rec.position().map_or(0, csv::Position::byte)
}
