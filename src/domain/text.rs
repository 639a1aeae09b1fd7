//! Terminal safety and hygiene for free-text fields.
//!
//! Text typed by a person or read from a CSV file ends up in a terminal (the
//! TUI, CLI tables), in CSV and JSON exports and in the audit log. A value
//! carrying control characters could move the cursor, rewrite the window
//! title, plant an OSC 8 hyperlink or clear the screen when displayed
//! (terminal injection); a bidirectional override can make text read
//! differently from what it is ("Trojan Source").
//!
//! This module owns both sides of that:
//!
//! * [`check_text`] is the gate on input: it refuses such values with a
//!   [`TextProblem`] that tells the person what to fix.
//! * [`sanitize`] is the guard on output: whatever slipped in earlier (older
//!   rows, data from other tools) is neutralised before display or export.
//!   It never allocates when the text is already clean. It flattens line
//!   breaks too (for table cells and one-line messages);
//!   [`sanitize_multiline`] keeps `\n` and `\t` for printing notes or other
//!   multi-line blocks.
//!
//! Placeholders used by [`sanitize`]: C0 controls (U+0000–U+001F) become the
//! matching Unicode "Control Pictures" character (U+2400 + code, so ESC shows
//! as `␛`, LF as `␊`, TAB as `␉`), DEL becomes `␡` (U+2421). These keep the
//! text readable and show what was there. C1 controls and bidi controls have
//! no control picture and become U+FFFD `�`.

use std::borrow::Cow;
use std::fmt;

/// Why [`check_text`] refused a value. Indexes are 0-based `char` positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    ControlCharacter { index: usize, codepoint: u32 },
    BidiControl { index: usize, codepoint: u32 },
    TooLong { max: usize, len: usize },
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            TextProblem::ControlCharacter { index, codepoint } => {
                write!(f, "contains control character U+{codepoint:04X}")?;
                if let Some(name) = control_name(codepoint) {
                    write!(f, " ({name})")?;
                }
                write!(f, " at position {index}; remove it")
            }
            TextProblem::BidiControl { index, codepoint } => write!(
                f,
                "contains invisible text-direction character U+{codepoint:04X} at position {index}; \
                 it can make text display differently from what it says, remove it"
            ),
            TextProblem::TooLong { max, len } => write!(
                f,
                "is {len} characters long; shorten it to at most {max} characters"
            ),
        }
    }
}

impl std::error::Error for TextProblem {}

/// Names of the controls people are most likely to meet, for messages.
fn control_name(codepoint: u32) -> Option<&'static str> {
    Some(match codepoint {
        0x00 => "NUL",
        0x07 => "BEL",
        0x08 => "backspace",
        0x09 => "tab",
        0x0A => "line feed",
        0x0D => "carriage return",
        0x1B => "ESC",
        0x7F => "DEL",
        0x9B => "CSI",
        0x9D => "OSC",
        _ => return None,
    })
}

/// Bidirectional formatting characters: LRM, RLM, the embeddings and
/// overrides (LRE, RLE, PDF, LRO, RLO), the isolates (LRI, RLI, FSI, PDI)
/// and the Arabic letter mark.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}'
    )
}

/// C0 controls, DEL and C1 controls.
fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}')
}

/// Checks a free-text value entered by a person or read from a file.
///
/// `multiline` allows `'\n'` and `'\t'` (notes); single-line fields allow no
/// C0 control at all. `'\r'` is refused in both: it lets later text overwrite
/// earlier text on a terminal line, so callers that read files should turn
/// CRLF into LF before checking.
///
/// Refuses all C0 controls (U+0000–U+001F) except as allowed, DEL (U+007F),
/// C1 controls (U+0080–U+009F), bidi controls (U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069, U+061C), and more than `max_len` chars.
/// A bad character is reported before an excessive length, since it is the
/// more specific problem.
pub fn check_text(text: &str, multiline: bool, max_len: usize) -> Result<(), TextProblem> {
    let mut len = 0;
    for (index, c) in text.chars().enumerate() {
        len = index + 1;
        let codepoint = u32::from(c);
        if is_control(c) {
            if multiline && matches!(c, '\n' | '\t') {
                continue;
            }
            return Err(TextProblem::ControlCharacter { index, codepoint });
        }
        if is_bidi_control(c) {
            return Err(TextProblem::BidiControl { index, codepoint });
        }
    }
    if len > max_len {
        return Err(TextProblem::TooLong { max: max_len, len });
    }
    Ok(())
}

/// Neutralises text for display in the terminal, CLI tables, CSV and JSON
/// exports: every char that [`check_text`] would refuse for a single-line
/// field is replaced by a visible placeholder (see the module docs), so a
/// newline in a table cell shows as `␊` instead of breaking the row.
///
/// Returns `Cow::Borrowed` when nothing changes, which is the common case:
/// no allocation on the hot path. Length is not limited here. For a block
/// that should keep its line breaks, use [`sanitize_multiline`].
pub fn sanitize(text: &str) -> Cow<'_, str> {
    neutralise(text, false)
}

/// Like [`sanitize`], but keeps `'\n'` and `'\t'`, exactly the characters
/// that [`check_text`] allows in multi-line fields: for printing notes or a
/// multi-line block as it was written. Everything else that could drive the
/// terminal (ESC, CR, C1, bidi controls) is still replaced.
pub fn sanitize_multiline(text: &str) -> Cow<'_, str> {
    neutralise(text, true)
}

fn neutralise(text: &str, multiline: bool) -> Cow<'_, str> {
    let refused = |c: char| refused_on_one_line(c) && !(multiline && matches!(c, '\n' | '\t'));
    // Every refused char is either an ASCII byte below 0x20 or 0x7F, or a
    // multi-byte char whose UTF-8 starts with 0xC2 (C1), 0xD8 (U+061C) or
    // 0xE2 (U+200E..U+2069). Bytes are cheaper to test than chars.
    let needs_work = text
        .bytes()
        .any(|b| b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xD8 || b == 0xE2);
    if !needs_work || !text.chars().any(refused) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if refused(c) { placeholder_for(c) } else { c })
            .collect(),
    )
}

fn refused_on_one_line(c: char) -> bool {
    is_control(c) || is_bidi_control(c)
}

/// The visible stand-in for a refused char (see the module docs).
fn placeholder_for(c: char) -> char {
    match c {
        // Control Pictures: U+2400 + the C0 code ('\u{1b}' -> '␛').
        '\u{0}'..='\u{1F}' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{FFFD}'),
        '\u{7F}' => '\u{2421}',
        _ => '\u{FFFD}',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_passes() {
        assert_eq!(
            check_text("Grant Editor on GA4 for Q3 report", false, 200),
            Ok(())
        );
        assert_eq!(check_text("Zoë Ørsted – 日本語 ✓", false, 200), Ok(()));
        assert_eq!(check_text("", false, 0), Ok(()));
    }

    #[test]
    fn csi_escape_is_refused() {
        assert_eq!(
            check_text("red \x1b[31mtext", false, 100),
            Err(TextProblem::ControlCharacter {
                index: 4,
                codepoint: 0x1B
            })
        );
    }

    #[test]
    fn osc_title_and_bel_are_refused() {
        // ESC ] 0 ; title BEL: sets the terminal window title.
        assert_eq!(
            check_text("ok\x1b]0;pwned\x07", true, 100),
            Err(TextProblem::ControlCharacter {
                index: 2,
                codepoint: 0x1B
            })
        );
        assert_eq!(
            check_text("ding\x07", true, 100),
            Err(TextProblem::ControlCharacter {
                index: 4,
                codepoint: 0x07
            })
        );
    }

    #[test]
    fn osc8_hyperlink_is_refused() {
        let link = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\";
        assert!(matches!(
            check_text(link, true, 200),
            Err(TextProblem::ControlCharacter {
                index: 0,
                codepoint: 0x1B
            })
        ));
        assert!(!sanitize(link).contains('\x1b'));
    }

    #[test]
    fn carriage_return_nul_and_del_are_refused_even_in_notes() {
        for (text, index, codepoint) in [
            ("line\rover", 4, 0x0D),
            ("a\0b", 1, 0x00),
            ("x\x7f", 1, 0x7F),
        ] {
            assert_eq!(
                check_text(text, true, 100),
                Err(TextProblem::ControlCharacter { index, codepoint }),
                "{text:?}"
            );
        }
    }

    #[test]
    fn c1_csi_char_is_refused() {
        // U+009B is a one-character CSI on terminals that honour C1 controls.
        assert_eq!(
            check_text("é\u{9b}31m", false, 100),
            Err(TextProblem::ControlCharacter {
                index: 1,
                codepoint: 0x9B
            })
        );
    }

    #[test]
    fn bidi_controls_are_refused() {
        for c in [
            '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}',
            '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{061C}',
        ] {
            let text = format!("ab{c}cd");
            assert_eq!(
                check_text(&text, true, 100),
                Err(TextProblem::BidiControl {
                    index: 2,
                    codepoint: u32::from(c)
                })
            );
        }
        // Neighbours of the ranges are ordinary text.
        assert_eq!(check_text("a\u{2029}\u{2070}\u{2010}", false, 10), Ok(()));
    }

    #[test]
    fn multiline_rules() {
        let notes = "first line\n\tindented second line";
        assert_eq!(check_text(notes, true, 100), Ok(()));
        assert_eq!(
            check_text(notes, false, 100),
            Err(TextProblem::ControlCharacter {
                index: 10,
                codepoint: 0x0A
            })
        );
        assert_eq!(
            check_text("a\tb", false, 100),
            Err(TextProblem::ControlCharacter {
                index: 1,
                codepoint: 0x09
            })
        );
    }

    #[test]
    fn length_limit_counts_chars() {
        assert_eq!(check_text("ééééé", false, 5), Ok(()));
        assert_eq!(
            check_text("éééééé", false, 5),
            Err(TextProblem::TooLong { max: 5, len: 6 })
        );
        // A bad character is the more specific problem.
        assert!(matches!(
            check_text("\x1b too long", false, 3),
            Err(TextProblem::ControlCharacter { .. })
        ));
    }

    #[test]
    fn display_messages() {
        assert_eq!(
            TextProblem::ControlCharacter {
                index: 5,
                codepoint: 0x1B
            }
            .to_string(),
            "contains control character U+001B (ESC) at position 5; remove it"
        );
        assert!(
            TextProblem::BidiControl {
                index: 0,
                codepoint: 0x202E
            }
            .to_string()
            .contains("U+202E")
        );
        assert_eq!(
            TextProblem::TooLong { max: 80, len: 81 }.to_string(),
            "is 81 characters long; shorten it to at most 80 characters"
        );
    }

    #[test]
    fn sanitize_borrows_clean_text() {
        for text in [
            "plain ascii",
            "Zoë – 日本語 “quoted” ✓",
            "",
            "em—dash ‘x’ €",
        ] {
            assert!(matches!(sanitize(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn sanitize_multiline_keeps_line_breaks_only() {
        assert!(matches!(
            sanitize_multiline("line one\n\tline two\n"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            sanitize_multiline("a\nb\x1b[2Jc\rd\u{202E}e"),
            "a\nb␛[2Jc␍d\u{FFFD}e"
        );
        let dirty = "x\n\u{1b}]8;;https://x\u{7}y\u{9b}";
        assert_eq!(check_text(&sanitize_multiline(dirty), true, 100), Ok(()));
    }

    #[test]
    fn sanitize_replaces_every_refused_char() {
        assert_eq!(sanitize("a\x1b[31mb"), "a␛[31mb");
        assert_eq!(sanitize("t\x1b]0;x\x07"), "t␛]0;x␇");
        assert_eq!(sanitize("a\nb\tc\rd\0"), "a␊b␉c␍d␀");
        assert_eq!(sanitize("del\x7f"), "del␡");
        assert_eq!(sanitize("c1\u{9b}31m"), "c1\u{FFFD}31m");
        assert_eq!(sanitize("abc\u{202E}fed"), "abc\u{FFFD}fed");
        let dirty = "x\u{1b}\u{85}\u{200F}\u{2066}\u{61C}";
        let clean = sanitize(dirty);
        assert!(matches!(clean, Cow::Owned(_)));
        assert_eq!(check_text(&clean, false, 100), Ok(()));
    }
}
