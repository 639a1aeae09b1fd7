//! JSON for terminals and scripts alike: serde_json escapes only the C0 controls, so a
//! C1 control, DEL or a bidi/format character from a person's text would reach a
//! terminal that `jq` or `cat` shows it on, raw. This formatter writes those as
//! `\uXXXX` escapes; a JSON reader gets the same string back.

use serde_json::ser::{Formatter, PrettyFormatter};
use std::io::{self, Write};

/// Characters that act on a terminal or hide/reorder text when shown: DEL and the C1
/// controls, the bidi controls, the line and paragraph separators, and the invisible
/// format characters (Unicode category Cf, plus the Hangul fillers that render as
/// nothing).
pub fn hidden(c: char) -> bool {
    matches!(u32::from(c),
        0x7F..=0x9F
        | 0xAD
        | 0x0600..=0x0605
        | 0x061C
        | 0x06DD
        | 0x070F
        | 0x0890..=0x0891
        | 0x08E2
        | 0x115F..=0x1160
        | 0x180E
        | 0x200B..=0x200F
        | 0x2028..=0x202E
        | 0x2060..=0x2064
        | 0x2066..=0x206F
        | 0x3164
        | 0xFEFF
        | 0xFFA0
        | 0xFFF9..=0xFFFB
        | 0x110BD
        | 0x110CD
        | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A
        | 0xE0001
        | 0xE0020..=0xE007F)
}

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
}
