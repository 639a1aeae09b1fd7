//! JSON for terminals and scripts alike: serde_json escapes only the C0 controls, so a
//! C1 control, DEL or a bidi/format character from a person's text would reach a
//! terminal that `jq` or `cat` shows it on, raw. This formatter writes those as
//! `\uXXXX` escapes; a JSON reader gets the same string back.

use serde_json::ser::{Formatter, PrettyFormatter};
use std::io::{self, Write};

pub use crate::domain::text::hidden;

/// Wraps a formatter (pretty or compact) and escapes [`hidden`] characters in strings.
pub struct Escaping<F>(pub F);

/// Writes `s` with every [`hidden`] character as `\uXXXX` (a surrogate pair above the
/// Basic Multilingual Plane, as JSON requires).
fn write_escaped<W: ?Sized + Write>(w: &mut W, s: &str) -> io::Result<()> {
    // Every hidden character is outside ASCII: most fragments need no look at chars.
    if s.is_ascii() && !s.bytes().any(|b| b == 0x7F) {
        return w.write_all(s.as_bytes());
    }
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if hidden(c) {
            w.write_all(&s.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
    }
    w.write_all(&s.as_bytes()[start..])
}

macro_rules! delegate {
    ($($name:ident),* $(,)?) => {$(
        fn $name<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
            self.0.$name(w)
        }
    )*};
}

impl<F: Formatter> Formatter for Escaping<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        write_escaped(w, fragment)
    }

    delegate!(
        begin_array,
        end_array,
        begin_object,
        end_object,
        end_array_value,
        end_object_value
    );

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
}

/// Writes `value` as indented JSON with hidden characters escaped.
pub fn to_writer_pretty<W: Write, T: serde::Serialize + ?Sized>(
    w: W,
    value: &T,
) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Escaping(PrettyFormatter::new()));
    value.serialize(&mut ser)
}

/// Writes into `w` what [`to_writer_pretty`] writes of the object `head` with `items`
/// as one more of its fields, `key` (an array; `head` has no such field): the entries
/// are turned into JSON and laid out on several threads when they are many (a report
/// of ten thousand projects, 27 MB, took 155 ms on one thread and takes 65 ms on two).
/// Each entry is written as it serializes itself, with no `Value` made of it: for the
/// bytes of the whole object, an entry writes the keys of its objects in the order a
/// JSON map keeps them (by their bytes), as a `Value` does.
/// Each entry is written by `render` as [`to_writer_pretty`] would write it there, two
/// levels in (the report's projects write themselves: see `store::report::json`).
pub fn pretty_with_array<W: Write, T: Sync>(
    mut w: W,
    head: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    items: &[T],
    render: impl Fn(&T, &mut Vec<u8>) -> serde_json::Result<()> + Sync,
) -> serde_json::Result<()> {
    let threads = match items.len() {
        0..1000 => 1,
        _ => std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(4),
    };
    let chunk = items.len().div_ceil(threads).max(1);
    // Each entry as its own JSON value (fields by key, as in the whole), at the depth
    // it has in the whole: two levels in.
    let lay_out = |part: &[T]| -> serde_json::Result<Vec<u8>> {
        let mut out = Vec::new();
        for item in part {
            out.extend_from_slice(if out.is_empty() { b"\n" } else { b",\n" });
            out.extend_from_slice(b"    ");
            render(item, &mut out)?;
        }
        Ok(out)
    };
    let parts: Vec<Vec<u8>> = std::thread::scope(|s| {
        let running: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || lay_out(part)))
            .collect();
        running
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<serde_json::Result<_>>()
    })?;
    // The fields in the order the whole object's would be written in: by key.
    let mut fields: Vec<(&str, Option<&serde_json::Value>)> =
        head.iter().map(|(k, v)| (k.as_str(), Some(v))).collect();
    fields.insert(fields.partition_point(|(k, _)| *k < key), (key, None));
    let io = serde_json::Error::io;
    w.write_all(b"{").map_err(io)?;
    for (i, (k, v)) in fields.into_iter().enumerate() {
        w.write_all(if i == 0 { b"\n  " } else { b",\n  " })
            .map_err(io)?;
        write_at(&mut w, k, 1)?;
        w.write_all(b": ").map_err(io)?;
        match v {
            Some(v) => write_at(&mut w, v, 1)?,
            None if items.is_empty() => w.write_all(b"[]").map_err(io)?,
            None => {
                w.write_all(b"[").map_err(io)?;
                for (i, part) in parts.iter().enumerate() {
                    // Each part starts its first entry on a line of its own.
                    w.write_all(part).map_err(io)?;
                    if i + 1 < parts.len() {
                        w.write_all(b",").map_err(io)?;
                    }
                }
                w.write_all(b"\n  ]").map_err(io)?;
            }
        }
    }
    w.write_all(b"\n}").map_err(io)
}

/// Writes `value` as [`to_writer_pretty`] does, as if `depth` levels in: serde_json's
/// pretty formatter, with `depth` arrays opened into nothing first, indents as it
/// would there.
fn write_at<W: Write, T: serde::Serialize + ?Sized>(
    w: W,
    value: &T,
    depth: usize,
) -> serde_json::Result<()> {
    let mut pretty = PrettyFormatter::new();
    for _ in 0..depth {
        pretty
            .begin_array(&mut io::sink())
            .map_err(serde_json::Error::io)?;
    }
    let mut ser = serde_json::Serializer::with_formatter(w, Escaping(pretty));
    value.serialize(&mut ser)
}

/// `value` as one line of JSON with hidden characters escaped.
pub fn to_string<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        Escaping(serde_json::ser::CompactFormatter),
    );
    // Serialising a JSON value into memory cannot fail, and the formatter writes UTF-8.
    let _ = value.serialize(&mut ser);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_array_laid_out_apart_gives_the_bytes_of_the_whole_object() {
        let entry = |i: usize| {
            serde_json::json!({
                "key": format!("P{i}"), "name": "caf\u{e9} \u{202e}x\ny", "n": i,
                "nested": {"list": [1, 2, {"deep": []}], "empty": {}},
            })
        };
        // Few entries (one thread), many (several), none; the array's key first,
        // between the others, last.
        for n in [0, 1, 3, 2500] {
            let items: Vec<serde_json::Value> = (0..n).map(entry).collect();
            for key in ["a", "m", "z"] {
                let head = serde_json::json!({"b": {"x": 1}, "n": [], "y": "t"});
                let head = head.as_object().unwrap();
                let mut whole = head.clone();
                whole.insert(key.into(), serde_json::Value::Array(items.clone()));
                let mut expected = Vec::new();
                to_writer_pretty(&mut expected, &whole).unwrap();
                let mut got = Vec::new();
                let serde = |v: &serde_json::Value, out: &mut Vec<u8>| write_at(out, v, 2);
                pretty_with_array(&mut got, head, key, &items, serde).unwrap();
                assert!(
                    got == expected,
                    "{n} entries under {key}:\n{}",
                    String::from_utf8_lossy(&got)
                );
            }
        }
    }

    #[test]
    fn hidden_characters_become_escapes_and_read_back_the_same() {
        let text = "a\u{7f}b\u{9b}c\u{202e}d\u{200b}e\u{e0041}f é 👩\u{200d}💻";
        let v = serde_json::json!({ "t": text });
        let out = to_string(&v);
        assert!(out.is_ascii() || !out.chars().any(hidden), "{out}");
        assert!(out.contains("\\u007f") && out.contains("\\u009b") && out.contains("\\u202e"));
        assert!(out.contains("\\udb40\\udc41"), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["t"], text);
        assert!(out.contains('é') && out.contains('💻'));
    }

    #[test]
    fn the_reports_measures_written_straight_are_the_bytes_serde_writes() {
        use crate::store::testing::me;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("json.db");
        let now: chrono::DateTime<chrono::Utc> = "2026-11-20T12:00:00Z".parse().unwrap();
        crate::scale::generate(&db, 400, 5, now, Some(&me())).unwrap();
        let mut s = crate::store::Store::open_as(&db, me()).unwrap();
        s.set_now(now);
        let r = s.report(None).unwrap();
        assert!(r.projects.len() > 3);
        let mut all = r.projects;
        all.extend([
            r.overall,
            crate::store::report::populated(),
            Default::default(),
        ]);
        for m in &all {
            for depth in 0..4 {
                let mut straight = Vec::new();
                m.write_pretty(&mut straight, depth);
                let mut serde = Vec::new();
                write_at(&mut serde, m, depth).unwrap();
                assert!(
                    straight == serde,
                    "at depth {depth}:\n{}\nserde:\n{}",
                    String::from_utf8_lossy(&straight),
                    String::from_utf8_lossy(&serde)
                );
            }
        }
    }
}
