//! Printing: plain tables sized to their content, JSON, and durations. Every text that
//! came from a person or a file is neutralised before it reaches the terminal.

use crate::domain::text::sanitize;
use crate::present;
use std::io::{self, IsTerminal, Write};

/// Writes rows as left-aligned columns separated by two spaces; the last column is
/// not padded. Cells are sanitised; on a terminal they are cut to `max` cells, while
/// a pipe or a file gets them whole (a script must not receive `…` for data).
pub fn table(header: &[&str], rows: &[Vec<String>], max: usize) -> io::Result<()> {
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

/// Prints a JSON value, pretty.
pub fn json(v: &serde_json::Value) -> io::Result<()> {
    let out = io::stdout();
    let mut out = out.lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)
}

/// A list: as JSON when `json` is set, else as a table with one row per entry.
pub fn list<T: serde::Serialize>(
    json: bool,
    entries: &[T],
    header: &[&str],
    max: usize,
    row: impl Fn(&T) -> Vec<String>,
) -> io::Result<()> {
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
