//! Printing: plain tables sized to their content, JSON, and durations. Every text that
//! came from a person or a file is neutralised before it reaches the terminal.
//!
//! Every write here is fallible: `println!` panics when standard output is gone, and a
//! script piping a long list into `head` closes it on purpose. A closed pipe ends the
//! command quietly ([`Failure::Closed`], exit 0); any other failed write (a full disk,
//! `>/dev/full`) is exit 1 with a message.

use super::{CmdResult, Failure, safe_json};
use crate::domain::text::sanitize;
use crate::present;
use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// What a failed write to standard output means for the command.
pub fn stdout_failed(e: io::Error) -> Failure {
    if closed_pipe(&e) {
        Failure::Closed
    } else {
        Failure::Error(format!("cannot write to standard output: {e}"))
    }
}

/// Whether `e` is, or wraps (as the CSV writer's errors do), a write into a closed pipe.
fn closed_pipe(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return true;
    }
    // `io::Error::source` skips the error it wraps, so the wrapped one is looked at here.
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<csv::Error>())
    {
        Some(c) => {
            matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::BrokenPipe)
        }
        None => false,
    }
}

/// Writes `text` and a line break to standard output, and flushes: a failure shows here,
/// not in the silent flush at exit.
pub fn line(text: &str) -> CmdResult {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(stdout_failed)
}

/// Writes `text` as it is to standard output, and flushes.
pub fn text(text: &str) -> CmdResult {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_failed)
}

/// Set once a write to standard error failed: the command then cannot have said what it
/// had to say, and ends with exit 1 even when its work succeeded.
static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// Writes `text` and a line break to standard error, remembering a failure.
pub fn to_stderr(text: &str) {
    let mut err = io::stderr().lock();
    if let Err(e) = writeln!(err, "{text}").and_then(|()| err.flush())
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        STDERR_FAILED.store(true, Ordering::SeqCst);
    }
}

/// A notice or warning on standard error, prefixed with the program's name.
pub fn notice(text: &str) {
    to_stderr(&format!("accessdesk: {text}"));
}

/// Whether a write to standard error failed (other than into a closed pipe).
pub fn stderr_failed() -> bool {
    STDERR_FAILED.load(Ordering::SeqCst)
}

/// Writes rows as left-aligned columns separated by two spaces; the last column is
/// not padded. Cells are sanitised; on a terminal they are cut to `max` cells, while
/// a pipe or a file gets them whole (a script must not receive `…` for data).
pub fn table(header: &[&str], rows: &[Vec<String>], max: usize) -> CmdResult {
    write_table(header, rows, max).map_err(stdout_failed)
}

fn write_table(header: &[&str], rows: &[Vec<String>], max: usize) -> io::Result<()> {
    let cut_to = io::stdout().is_terminal().then_some(max);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| cell(c, cut_to)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| present::width(h)).collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(present::width(c));
            }
        }
    }
    let out = io::stdout();
    let mut out = io::BufWriter::new(out.lock());
    let line = |out: &mut dyn Write, r: &[String]| -> io::Result<()> {
        let last = r.len().saturating_sub(1);
        for (i, c) in r.iter().enumerate() {
            if i == last {
                write!(out, "{c}")?;
            } else {
                let pad = widths[i].saturating_sub(present::width(c));
                write!(out, "{c}{:pad$}  ", "")?;
            }
        }
        writeln!(out)
    };
    line(
        &mut out,
        &header.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    )?;
    for r in &cells {
        line(&mut out, r)?;
    }
    out.flush()
}

/// A table cell: sanitised, and cut to `max` cells when given.
fn cell(s: &str, max: Option<usize>) -> String {
    let clean = sanitize(s);
    match max {
        Some(max) => present::cut(&clean, max),
        None => clean.into_owned(),
    }
}

/// Cuts a text to `max` cells on a terminal; whole when written to a pipe or file.
pub fn fit(s: &str, max: usize) -> String {
    cell(s, io::stdout().is_terminal().then_some(max))
}

/// Prints a JSON value, pretty, with the characters that would act on a terminal
/// escaped (see [`safe_json`]).
pub fn json(v: &serde_json::Value) -> CmdResult {
    let mut out = io::BufWriter::new(io::stdout().lock());
    safe_json::to_writer_pretty(&mut out, v)
        .map_err(io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush())
        .map_err(stdout_failed)
}

/// [`json`] of the object `head` with `items` as its field `key`, the entries laid
/// out on several threads when they are many (see `safe_json::pretty_with_array`).
pub fn json_with_array<T: Sync>(
    head: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    items: &[T],
    render: impl Fn(&T, &mut Vec<u8>) -> serde_json::Result<()> + Sync,
) -> CmdResult {
    let mut out = io::BufWriter::new(io::stdout().lock());
    safe_json::pretty_with_array(&mut out, head, key, items, render)
        .map_err(io::Error::from)
        .and_then(|()| writeln!(out))
        .and_then(|()| out.flush())
        .map_err(stdout_failed)
}

/// A list: as JSON when `json` is set, else as a table with one row per entry.
pub fn list<T: serde::Serialize>(
    json: bool,
    entries: &[T],
    header: &[&str],
    max: usize,
    row: impl Fn(&T) -> Vec<String>,
) -> CmdResult {
    if json {
        return self::json(&serde_json::json!(entries));
    }
    let rows: Vec<Vec<String>> = entries.iter().map(row).collect();
    table(header, &rows, max)
}

/// "3d 4h", "5h 10m", "12m".
pub fn age(d: chrono::Duration) -> String {
    present::age(d)
}

/// A UTC time in the host's local time, to the minute.
pub fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    present::local_time(t, &chrono::Local)
}
