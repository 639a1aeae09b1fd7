//! The disguised forms of a text that the detector scans besides the text
//! itself.
//!
//! A credential typed to get past a filter rarely looks like one: the label
//! is split by a line break or a zero-width space, written with a Cyrillic
//! а or fullwidth letters, spaced out ("P a s s w o r d"), the whole thing
//! base64- or URL-encoded, or a token broken in two by a space. Each helper
//! here undoes one family of those tricks and hands back a copy to scan; the
//! rules themselves stay in one place and never learn about disguises.
//!
//! Cost matters: every free-text field passes through here. Each helper
//! first looks at the bytes for a sign that it has anything to undo (a
//! non-ASCII byte, a line break, two single letters in a row, `%XX`, a long
//! base64 run, a long token next to another) and returns `None` without
//! allocating when there is none, which is the case for almost all values.

use crate::domain::text;

/// The text as it reads: [`text::fold`] (NFKC, invisible characters removed,
/// look-alike letters folded), line breaks and other blank runs joined into
/// one space, and letters spaced out one by one rejoined ("P a s s w o r d:"
/// reads "Password:"). `None` when that changes nothing.
pub(super) fn unmask(text: &str) -> Option<String> {
    let ascii = text.is_ascii();
    let breaks = text
        .bytes()
        .any(|b| matches!(b, b'\n' | b'\r' | b'\t' | 0x0B | 0x0C));
    if ascii && !breaks && !has_spaced_letters(text) {
        return None;
    }
    let folded = text::fold(text);
    let mut joined = String::with_capacity(folded.len());
    for word in folded.split_whitespace() {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(word);
    }
    let out = if has_spaced_letters(&joined) {
        rejoin_spaced_letters(&joined)
    } else {
        joined
    };
    (out != text).then_some(out)
}

/// A word of one letter or digit, possibly followed by punctuation ("d:" at
/// the end of "P a s s w o r d:"), or one lone punctuation mark ("!").
fn is_single(word: &str) -> bool {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) if first.is_alphanumeric() => chars.all(|c| c.is_ascii_punctuation()),
        Some(first) => chars.next().is_none() && first.is_ascii_punctuation(),
        None => false,
    }
}

fn is_single_alphanumeric(word: &str) -> bool {
    is_single(word) && word.starts_with(char::is_alphanumeric)
}

/// Two single letters or digits in a row, separated by blanks.
fn has_spaced_letters(text: &str) -> bool {
    let mut previous_single = false;
    for word in text.split_whitespace() {
        let single = is_single_alphanumeric(word);
        if single && previous_single {
            return true;
        }
        previous_single = single;
    }
    false
}

/// Joins each run of two or more single characters ("W e l c o m e 2 0 2 4 !")
/// into one word. A run must hold a letter or digit, so "- call first"
/// stays as it is.
fn rejoin_spaced_letters(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < words.len() {
        let run = words[i..].iter().take_while(|w| is_single(w)).count();
        let spaced = run >= 2
            && words[i..i + run]
                .iter()
                .filter(|w| is_single_alphanumeric(w))
                .count()
                >= 2;
        if !out.is_empty() {
            out.push(' ');
        }
        if spaced {
            words[i..i + run].iter().for_each(|w| out.push_str(w));
            i += run;
        } else {
            out.push_str(words[i]);
            i += 1;
        }
    }
    out
}

/// A vendor token broken in two by a space ("ghp_EXAMPLEtQvl2 ucn6G3..."):
/// every pair of neighbouring words of which one is long and token-like
/// (either half: the other may be a plain prefix such as `glimt-example`),
/// glued together, one pair per line. The vendor rules are scanned over
/// this; a pair of ordinary words does not make a vendor token shape.
pub(super) fn split_token_pairs(text: &str) -> Option<String> {
    let mut out: Option<String> = None;
    let mut words = text.split(' ').filter(|w| !w.is_empty()).peekable();
    while let Some(left) = words.next() {
        let Some(&right) = words.peek() else { break };
        let half = |w: &str| w.len() >= 8 && is_token_like(w);
        if left.len() + right.len() < super::MIN_TOKEN_RUN || !(half(left) || half(right)) {
            continue;
        }
        let out = out.get_or_insert_with(String::new);
        out.push_str(left);
        out.push_str(right);
        out.push('\n');
    }
    out
}

/// Digits, an underscore or a capital after the first letter: what token
/// halves have and ordinary words ("Reporting", "quarterly") lack.
fn is_token_like(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_digit() || b == b'_')
        || word.chars().skip(1).any(char::is_uppercase)
}

/// The text with `%XX` escapes decoded ("password%3A%20X", and `+` as a
/// blank as in a query string), when it has any and decodes to UTF-8.
///
/// In a URL only the query values are decoded: a path decoded whole turns
/// "meetup-join/19%3ameeting_...%40thread.v2" into what reads like a user
/// and password before a host, while a secret pasted into a link goes in the
/// query.
pub(super) fn percent_decoded(text: &str) -> Option<String> {
    if !has_escape(text) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split(' ') {
        if !out.is_empty() {
            out.push(' ');
        }
        if !has_escape(word) {
            out.push_str(word);
        } else if word.contains("://") {
            let query = word.split_once('?').map_or("", |(_, q)| q);
            for value in query.split('&').filter_map(|pair| pair.split_once('=')) {
                out.push_str(&decode_percent(value.1)?);
                out.push(' ');
            }
        } else {
            out.push_str(&decode_percent(word)?);
        }
    }
    (out != text).then_some(out)
}

fn has_escape(text: &str) -> bool {
    text.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}

fn decode_percent(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let hex = |at: usize| bytes.get(at).and_then(|&h| (h as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                // Two hex digits make one byte: high * 16 + low < 256.
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Shortest base64 run worth decoding: 12 characters carry 9 bytes, as in
/// "pw: Xy7#k".
const MIN_BASE64_RUN: usize = 12;

/// Each base64 or base64url run of the text that decodes to readable text,
/// joined by line breaks. A run that decodes to bytes (a hash, a random key,
/// a project key) is not text and is left to the other rules: what the run
/// says, not its shape, decides.
pub(super) fn base64_decoded(text: &str) -> Option<String> {
    let mut out: Option<String> = None;
    for run in text.split(|c: char| !is_base64_char(c)) {
        let run = run.trim_end_matches('=');
        if run.len() < MIN_BASE64_RUN || run.len() % 4 == 1 {
            continue;
        }
        if let Some(decoded) = decode_base64(run)
            && let Ok(decoded) = String::from_utf8(decoded)
            && is_readable(&decoded)
        {
            let out = out.get_or_insert_with(String::new);
            out.push_str(&decoded);
            out.push('\n');
        }
    }
    out
}

fn is_base64_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_' | '=')
}

fn base64_value(b: u8) -> Option<u32> {
    Some(u32::from(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    }))
}

/// Decodes unpadded base64 (standard or URL alphabet).
fn decode_base64(run: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(run.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for b in run.bytes() {
        acc = (acc << 6) | base64_value(b)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xFF) as u8);
        }
    }
    Some(out)
}

/// Text a person would write: no control characters but line breaks and
/// tabs, and some letters.
fn is_readable(decoded: &str) -> bool {
    decoded
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        && decoded.chars().filter(|c| c.is_alphabetic()).count() >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmask_leaves_plain_text_alone() {
        for text in [
            "Grant Editor on GA4 for Q3 report",
            "- call first",
            "+44 20 7946 0000",
            "",
        ] {
            assert_eq!(unmask(text), None, "{text}");
        }
    }

    #[test]
    fn unmask_undoes_layout_tricks() {
        for (text, plain) in [
            ("password:\nX9", "password: X9"),
            ("P a s s w o r d: Welcome2024!", "Password: Welcome2024!"),
            ("pw is W e l c o m e 2 0 2 4 !", "pw is Welcome2024!"),
            ("p\u{0430}ss\u{200B}word:\t X", "password: X"),
        ] {
            assert_eq!(unmask(text), Some(plain.into()), "{text:?}");
        }
    }

    #[test]
    fn decoders() {
        for (text, decoded) in [
            ("password%3A%20Xy7%23kq", Some("password: Xy7#kq")),
            ("100% sure", None),
            (
                "https://x.example/a%3Ab?note=password%3A%20Xy7%23kq&x=1",
                Some("password: Xy7#kq 1 "),
            ),
        ] {
            assert_eq!(percent_decoded(text), decoded.map(String::from), "{text}");
        }
        for (text, decoded) in [
            // "password: Welcome2024!"
            (
                "see cGFzc3dvcmQ6IFdlbGNvbWUyMDI0IQ== ok",
                Some("password: Welcome2024!\n"),
            ),
            // A hash decodes to bytes, not text.
            ("3f786850e387550fdab836ed7e6dc881de23001b", None),
        ] {
            assert_eq!(base64_decoded(text), decoded.map(String::from), "{text}");
        }
    }

    #[test]
    fn split_pairs_need_a_token_half() {
        assert_eq!(split_token_pairs("quarterly reporting dashboards"), None);
        assert_eq!(
            split_token_pairs("token ghp_EXAMPLEtQvl ucn6G3KJTC"),
            Some("tokenghp_EXAMPLEtQvl\nghp_EXAMPLEtQvlucn6G3KJTC\n".into())
        );
    }
}
