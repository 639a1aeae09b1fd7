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
//! * [`fold`] is the comparison form of a text: NFKC, invisible characters
//!   removed, look-alike letters of other scripts folded to the Latin letter
//!   they imitate. The credential detector scans it, and names can be compared
//!   in it, so "pаssword" with a Cyrillic а or "Fr\u{200B}ank" cannot slip past
//!   a rule that reads the plain text.
//!
//! Invisible and format characters (zero-width space, word joiner, soft
//! hyphen, tag characters, Hangul fillers, line and paragraph separators) are
//! refused: they hide inside a word without changing how it looks, which is
//! how a credential or a name is disguised. The zero-width joiner and
//! non-joiner are the exception where writing needs them: between letters of
//! a script that joins (Persian "می‌خواهم", Indic conjuncts) and inside emoji
//! sequences (👩‍💻).
//!
//! Placeholders used by [`sanitize`]: C0 controls (U+0000–U+001F) become the
//! matching Unicode "Control Pictures" character (U+2400 + code, so ESC shows
//! as `␛`, LF as `␊`, TAB as `␉`), DEL becomes `␡` (U+2421). These keep the
//! text readable and show what was there. C1 controls and bidi controls have
//! no control picture and become U+FFFD `�`, and so do invisible characters.

use std::borrow::Cow;
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// Why [`check_text`] refused a value. Indexes are 0-based `char` positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    ControlCharacter {
        index: usize,
        codepoint: u32,
    },
    BidiControl {
        index: usize,
        codepoint: u32,
    },
    /// A zero-width, filler or other format character that shows nothing.
    InvisibleCharacter {
        index: usize,
        codepoint: u32,
    },
    TooLong {
        max: usize,
        len: usize,
    },
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
            TextProblem::InvisibleCharacter { index, codepoint } => {
                write!(f, "contains invisible character U+{codepoint:04X}")?;
                if let Some(name) = invisible_name(codepoint) {
                    write!(f, " ({name})")?;
                }
                write!(f, " at position {index}")?;
                if matches!(codepoint, 0x200C | 0x200D) {
                    // The joiners are legitimate elsewhere; say where.
                    write!(
                        f,
                        "; it belongs only inside emoji or between letters of a joining script, \
                         remove it"
                    )
                } else {
                    write!(f, "; it hides inside text without showing, remove it")
                }
            }
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

/// Names of the invisible characters, for messages.
fn invisible_name(codepoint: u32) -> Option<&'static str> {
    Some(match codepoint {
        0x00AD => "soft hyphen",
        0x034F => "combining grapheme joiner",
        0x115F => "Hangul choseong filler",
        0x1160 => "Hangul jungseong filler",
        0x180E => "Mongolian vowel separator",
        0x200B => "zero width space",
        0x200C => "zero width non-joiner",
        0x200D => "zero width joiner",
        0x2028 => "line separator",
        0x2029 => "paragraph separator",
        0x2060 => "word joiner",
        0x2061 => "function application",
        0x2062 => "invisible times",
        0x2063 => "invisible separator",
        0x2064 => "invisible plus",
        0x3164 => "Hangul filler",
        0xFEFF => "zero width no-break space",
        0xFFA0 => "halfwidth Hangul filler",
        0xE0000..=0xE007F => "tag character",
        _ => return None,
    })
}

/// Characters that show nothing and have no place in typed text: they can
/// split a word ("pass\u{200B}word") or pad a name without being seen. The
/// joiners U+200C/U+200D are judged by their neighbours instead, see
/// [`joiner_allowed`].
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2060}'..='\u{2065}'
            | '\u{206A}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
}

/// Letters of the scripts whose shaping the joiners steer: Arabic, Syriac,
/// Thaana, N'Ko, the Indic scripts and Sinhala, Tibetan, Myanmar, Khmer,
/// Mongolian and Phags-pa, and the Arabic presentation forms.
fn is_joining_script(c: char) -> bool {
    matches!(
        c,
        '\u{0600}'..='\u{07FF}'
            | '\u{0860}'..='\u{08FF}'
            | '\u{0900}'..='\u{0DFF}'
            | '\u{0F00}'..='\u{109F}'
            | '\u{1780}'..='\u{18AF}'
            | '\u{A840}'..='\u{A87F}'
            | '\u{A8E0}'..='\u{A8FF}'
            | '\u{FB50}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFC}'
    ) && !matches!(c, '\u{061C}' | '\u{180E}' | '\u{17B4}' | '\u{17B5}')
}

/// Pictographs that emoji ZWJ sequences are built from, and the modifiers
/// and presentation selector that may sit between a pictograph and a joiner
/// (👩🏽‍💻, ❤️‍🔥).
fn is_emoji_part(c: char) -> bool {
    matches!(
        c,
        '\u{00A9}'
            | '\u{00AE}'
            | '\u{203C}'
            | '\u{2049}'
            | '\u{2122}'
            | '\u{2139}'
            | '\u{2194}'..='\u{21AA}'
            | '\u{231A}'..='\u{23FF}'
            | '\u{24C2}'
            | '\u{25AA}'..='\u{27BF}'
            | '\u{2934}'..='\u{2935}'
            | '\u{2B05}'..='\u{2B55}'
            | '\u{3030}'
            | '\u{303D}'
            | '\u{3297}'
            | '\u{3299}'
            | '\u{FE0F}'
            | '\u{1F000}'..='\u{1FAFF}'
    )
}

/// A joiner is writing, not disguise, when it sits inside an emoji sequence
/// or after a letter of a joining script (Malayalam chillu forms end a word
/// with one, so what follows may be a space).
fn joiner_allowed(previous: Option<char>, next: Option<char>) -> bool {
    match (previous, next) {
        (Some(p), Some(n)) if is_emoji_part(p) && is_emoji_part(n) => true,
        (Some(p), next) if is_joining_script(p) => {
            next.is_none_or(|n| is_joining_script(n) || !n.is_alphanumeric())
        }
        _ => false,
    }
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
/// Invisible and format characters (see the module docs) are refused too,
/// and the joiners U+200C/U+200D outside emoji and joining scripts.
/// A bad character is reported before an excessive length, since it is the
/// more specific problem.
pub fn check_text(text: &str, multiline: bool, max_len: usize) -> Result<(), TextProblem> {
    let mut len = 0;
    let mut previous = None;
    let mut chars = text.chars().enumerate().peekable();
    while let Some((index, c)) = chars.next() {
        len = index + 1;
        let codepoint = u32::from(c);
        if is_control(c) {
            if !(multiline && matches!(c, '\n' | '\t')) {
                return Err(TextProblem::ControlCharacter { index, codepoint });
            }
        } else if is_bidi_control(c) {
            return Err(TextProblem::BidiControl { index, codepoint });
        } else if is_invisible(c)
            || is_joiner(c) && !joiner_allowed(previous, chars.peek().map(|&(_, n)| n))
        {
            return Err(TextProblem::InvisibleCharacter { index, codepoint });
        }
        previous = Some(c);
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
    // Every refused char is either an ASCII byte below 0x20 or 0x7F, or a
    // multi-byte char whose UTF-8 starts with 0xC2 (C1, soft hyphen), 0xCD
    // (U+034F), 0xD8 (U+061C), 0xE1 (Hangul fillers, U+180E, U+17B4),
    // 0xE2 (U+200B..U+206F), 0xE3 (U+3164), 0xEF (U+FEFF, U+FFA0, U+FFF9)
    // or 0xF0/0xF3 (musical format chars, tags). Bytes are cheaper to test
    // than chars.
    let needs_work = text.bytes().any(|b| {
        b < 0x20
            || b == 0x7F
            || matches!(
                b,
                0xC2 | 0xCD | 0xD8 | 0xE1 | 0xE2 | 0xE3 | 0xEF | 0xF0 | 0xF3
            )
    });
    if !needs_work {
        return Cow::Borrowed(text);
    }
    let mut out: Option<String> = None;
    let mut previous = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let refused = if is_joiner(c) {
            !joiner_allowed(previous, chars.peek().map(|&(_, n)| n))
        } else {
            refused_on_one_line(c) && !(multiline && matches!(c, '\n' | '\t'))
        };
        previous = Some(c);
        match (&mut out, refused) {
            (Some(out), true) => out.push(placeholder_for(c)),
            (Some(out), false) => out.push(c),
            (None, true) => {
                let mut owned = String::with_capacity(text.len() + 2);
                owned.push_str(&text[..at]);
                owned.push(placeholder_for(c));
                out = Some(owned);
            }
            (None, false) => {}
        }
    }
    out.map_or(Cow::Borrowed(text), Cow::Owned)
}

fn refused_on_one_line(c: char) -> bool {
    is_control(c) || is_bidi_control(c) || is_invisible(c)
}

/// The form in which rules compare and scan text: Unicode NFKC (fullwidth
/// and other compatibility forms become plain letters), invisible and format
/// characters removed (the joiners too, since they change no letter), and
/// words written with letters of other scripts that look like Latin ones
/// folded to them ("pаssword" with a Cyrillic а reads "password"), by the
/// Unicode confusables table. A word with a letter that imitates nothing
/// (most Russian or Greek words) stays as it is: only disguise is undone, not
/// ordinary writing. Case is kept: callers that need it fold case themselves.
///
/// Borrows plain ASCII text, which is the common case: nothing in it can
/// need folding.
pub fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let visible = text
        .chars()
        .filter(|&c| !(is_invisible(c) || is_joiner(c) || is_ignorable(c)));
    let normal: String = if unicode_normalization::is_nfkc_quick(visible.clone())
        == unicode_normalization::IsNormalized::Yes
    {
        visible.collect()
    } else {
        // NFKC can itself produce a filler (U+FFA0 becomes U+1160), so the
        // invisible characters are dropped on both sides of it.
        visible
            .nfkc()
            .filter(|&c| !(is_ignorable(c) || is_invisible(c)))
            .collect()
    };
    if normal.is_ascii() {
        return Cow::Owned(normal);
    }
    let mut out = String::with_capacity(normal.len());
    let mut word = String::new();
    for piece in normal.split_inclusive(char::is_whitespace) {
        word.clear();
        let folded = piece.chars().all(|c| {
            if c.is_ascii() || c.is_whitespace() {
                word.push(c);
                true
            } else if push_latin_lookalike(&mut word, c) {
                true
            } else {
                // Accented Latin letters stay in a folded word: "contraseña"
                // with a Cyrillic о is still a Latin word in disguise.
                word.push(c);
                is_latin_letter(c)
            }
        });
        out.push_str(if folded { &word } else { piece });
    }
    Cow::Owned(out)
}

fn is_latin_letter(c: char) -> bool {
    matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}') && c.is_alphabetic()
}

/// Variation selectors and other default-ignorable characters that carry no
/// letter but are allowed in text (emoji presentation, CJK variants).
fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{180B}'..='\u{180D}' | '\u{180F}'
    )
}

/// The blocks where the confusables table has Latin look-alikes worth a
/// lookup: Latin supplements and extensions, IPA, Greek, Cyrillic, Armenian,
/// Cherokee, general punctuation and letterlike symbols. Other scripts (CJK,
/// Hangul, Arabic, Indic) are never folded, which also keeps their text fast.
fn may_imitate_latin(c: char) -> bool {
    matches!(
        c,
        '\u{0080}'..='\u{058F}'
            | '\u{13A0}'..='\u{13FF}'
            | '\u{1D00}'..='\u{1DBF}'
            | '\u{1E00}'..='\u{1FFF}'
            | '\u{2000}'..='\u{2BFF}'
            | '\u{A640}'..='\u{A69F}'
            | '\u{A720}'..='\u{A7FF}'
            | '\u{AB30}'..='\u{AB6F}'
    )
}

/// Pushes the ASCII text `c` imitates when the Unicode confusables table
/// says it looks like one (Cyrillic а → a, Greek Ρ → P) and returns true;
/// returns false for anything else (é is not e, Д imitates nothing).
fn push_latin_lookalike(out: &mut String, c: char) -> bool {
    if !may_imitate_latin(c) {
        return false;
    }
    let mut buf = [0u8; 4];
    let start = out.len();
    for s in unicode_security::skeleton(c.encode_utf8(&mut buf)) {
        if !s.is_ascii_graphic() {
            out.truncate(start);
            return false;
        }
        out.push(s);
    }
    out.len() > start
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
        // Neighbours of the ranges are ordinary text (U+2029, the paragraph
        // separator, is refused as invisible since text hygiene knows it).
        assert_eq!(check_text("a\u{2070}\u{2010}", false, 10), Ok(()));
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

#[cfg(test)]
mod invisible_tests {
    use super::*;

    #[test]
    fn invisible_characters_are_refused_and_named() {
        for (c, name) in [
            ('\u{200B}', "zero width space"),
            ('\u{2060}', "word joiner"),
            ('\u{2061}', "function application"),
            ('\u{2062}', "invisible times"),
            ('\u{2063}', "invisible separator"),
            ('\u{2064}', "invisible plus"),
            ('\u{FEFF}', "zero width no-break space"),
            ('\u{00AD}', "soft hyphen"),
            ('\u{2028}', "line separator"),
            ('\u{2029}', "paragraph separator"),
            ('\u{E0041}', "tag character"),
            ('\u{E007F}', "tag character"),
            ('\u{115F}', "Hangul choseong filler"),
            ('\u{1160}', "Hangul jungseong filler"),
            ('\u{3164}', "Hangul filler"),
            ('\u{FFA0}', "halfwidth Hangul filler"),
        ] {
            let text = format!("Fr{c}ank");
            for multiline in [false, true] {
                let problem = check_text(&text, multiline, 100);
                assert_eq!(
                    problem,
                    Err(TextProblem::InvisibleCharacter {
                        index: 2,
                        codepoint: u32::from(c)
                    }),
                    "U+{:04X}",
                    u32::from(c)
                );
                let message = problem.err().map(|p| p.to_string()).unwrap_or_default();
                assert!(
                    message.contains(&format!("U+{:04X}", u32::from(c))) && message.contains(name),
                    "{message}"
                );
                assert!(
                    !message.contains("Fr"),
                    "the message echoes the value: {message}"
                );
            }
            assert!(
                !sanitize(&text).contains(c),
                "sanitize keeps U+{:04X}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn joiners_inside_emoji_and_joining_scripts_are_accepted() {
        for text in [
            "👩\u{200D}💻 on call",
            "👩🏽\u{200D}💻",
            "❤\u{FE0F}\u{200D}🔥",
            "🏳\u{FE0F}\u{200D}🌈 team",
            // Persian: the non-joiner inside a word ("I want").
            "می\u{200C}خواهم",
            "Mehdi می\u{200C}خواهم",
            // Devanagari and Sinhala conjuncts, a Malayalam chillu at a word end.
            "क्\u{200D}ष",
            "श्री\u{200C}मान",
            "ශ්\u{200D}රී ලංකා",
            "അവന്\u{200D} വന്നു",
        ] {
            assert_eq!(check_text(text, false, 100), Ok(()), "{text}");
            assert!(matches!(sanitize(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn joiners_elsewhere_are_refused() {
        for (text, index) in [
            ("pass\u{200D}word", 4),
            ("Fr\u{200C}ank", 2),
            ("\u{200D}👩", 0),
            ("👩\u{200D}", 1),
            ("a\u{200D}💻", 1),
        ] {
            let problem = check_text(text, true, 100);
            assert!(
                matches!(problem, Err(TextProblem::InvisibleCharacter { index: i, .. }) if i == index),
                "{text:?}: {problem:?}"
            );
            assert!(
                problem
                    .err()
                    .is_some_and(|p| p.to_string().contains("joining script")),
                "{text:?}"
            );
        }
    }

    #[test]
    fn ordinary_text_of_many_scripts_passes() {
        for text in [
            "José Müller-Lüdenscheidt",
            "Zoë Ørsted – 日本語 ✓",
            "山田 太郎",
            "김민준",
            "Ελένη Παπαδοπούλου",
            "Алексей Смирнов",
            "محمد رضایی",
            "देवनागरी नाम",
            "+44 20 7946 0000",
            "- call first",
            "café ☕\u{FE0F}",
            "👍",
        ] {
            assert_eq!(check_text(text, false, 200), Ok(()), "{text}");
        }
    }

    #[test]
    fn fold_makes_disguised_text_plain() {
        assert_eq!(fold("p\u{0430}ssword"), "password");
        assert_eq!(fold("ｐａｓｓｗｏｒｄ："), "password:");
        assert_eq!(fold("Fr\u{200B}ank"), "Frank");
        assert_eq!(fold("ｆｒａｎｋ"), "frank");
        assert_eq!(fold("\u{0410}dmin"), "Admin");
        assert_eq!(fold("pass\u{00AD}word\u{FEFF}"), "password");
        assert_eq!(fold("👩\u{200D}💻"), "👩💻");
        // Letters with diacritics and other scripts stay what they are, and
        // so do words of other scripts that imitate no Latin word.
        assert_eq!(fold("José Müller"), "José Müller");
        assert_eq!(fold("Алексей Смирнов"), "Алексей Смирнов");
        assert_eq!(fold("\u{0420}\u{0430}\u{0455}\u{0455}word"), "Password");
        assert_eq!(fold("山田 太郎"), "山田 太郎");
        assert!(matches!(fold("plain ascii"), Cow::Borrowed(_)));
    }
}

/// A value a person typed, as a refusal may quote it: at most its first three
/// characters, made safe for a terminal, then `…` — enough to recognise a typo, never
/// enough to repeat a credential pasted into the wrong place.
pub fn masked(value: &str) -> String {
    let shown: String = value.trim().chars().take(3).collect();
    let cut = value.trim().chars().count() > 3;
    format!("'{}{}'", sanitize(&shown), if cut { "…" } else { "" })
}

#[cfg(test)]
mod masked_tests {
    use super::masked;

    #[test]
    fn a_quoted_value_shows_a_short_safe_prefix() {
        assert_eq!(masked("Europe/Berln"), "'Eur…'");
        assert_eq!(masked("abc"), "'abc'");
        assert_eq!(masked("\u{1b}[2Jx"), "'\u{241b}[2…'");
        assert!(!masked("hunter2-very-secret").contains("secret"));
    }
}
