//! Printing: plain tables sized to their content, JSON, and durations. Every text that
//! came from a person or a file is neutralised before it reaches the terminal.

use crate::domain::text::sanitize;
use std::io::{self, Write};

/// Writes rows as left-aligned columns separated by two spaces; the last column is
/// not padded. Cells are sanitised and cut to `max` characters.
pub fn table(header: &[&str], rows: &[Vec<String>], max: usize) -> io::Result<()> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| cut(&sanitize(c), max)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &cells {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
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
                write!(out, "{c:<w$}  ", w = widths[i])?;
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

/// Cuts text to `max` characters with an ellipsis.
pub fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// Prints a JSON value, pretty.
pub fn json(v: &serde_json::Value) -> io::Result<()> {
    let out = io::stdout();
    let mut out = out.lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)
}

/// "3d 4h", "5h 10m", "12m".
pub fn age(d: chrono::Duration) -> String {
    let m = d.num_minutes().max(0);
    let (days, hours, mins) = (m / 1440, (m % 1440) / 60, m % 60);
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {mins}m")
    } else {
        format!("{mins}m")
    }
}

/// A UTC time in the host's local time, to the minute.
pub fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}
