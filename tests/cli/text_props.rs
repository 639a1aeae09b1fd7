//! Property tests over the free-text functions every value passes through: whatever
//! the input, nothing panics, sanitised text carries no character that could steer a
//! terminal, and what `check_text` accepts, `sanitize` leaves untouched.
//! `PROPTEST_CASES=100000` runs them long; the default keeps CI fast.

use accessdesk::domain::rules;
use accessdesk::domain::secrets::find_secret;
use accessdesk::domain::text::{check_text, sanitize, sanitize_multiline};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

fn moves_the_terminal(c: char) -> bool {
    (c as u32) < 0x20
        || c == '\u{7f}'
        || ('\u{80}'..='\u{9f}').contains(&c)
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{61c}')
}

/// Text biased towards the interesting characters: controls, escapes, bidi, quotes,
/// credential-like words, plus anything else Unicode.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\u{1b}[".to_string()),
        Just("\u{1b}]8;;".to_string()),
        Just("\u{9b}".to_string()),
        Just("\u{202e}".to_string()),
        Just("\r\n".to_string()),
        Just("password=".to_string()),
        Just("AKIA".to_string()),
        Just("ghp_".to_string()),
        Just("-----BEGIN ".to_string()),
        "[a-zA-Z0-9_=:/+.-]{1,40}",
        any::<char>().prop_map(String::from),
        "\\PC{0,20}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn sanitised_text_cannot_steer_a_terminal(s in hostile()) {
        let one = sanitize(&s);
        prop_assert!(!one.chars().any(moves_the_terminal), "{:?}", one);
        let block = sanitize_multiline(&s);
        prop_assert!(!block.chars().any(|c| moves_the_terminal(c) && c != '\n' && c != '\t'), "{:?}", block);
    }

    #[test]
    fn accepted_text_is_shown_unchanged(s in hostile()) {
        if check_text(&s, false, 10_000).is_ok() {
            let shown = sanitize(&s);
            prop_assert_eq!(shown.as_ref(), s.as_str());
        }
    }

    #[test]
    fn field_checks_never_panic_and_refusals_never_echo(s in hostile()) {
        let _ = find_secret(&s);
        if let Err(r) = rules::check_text("notes", &s, true)
            && r.unsafe_attempt.is_some()
            && s.len() > 12
        {
            prop_assert!(!r.message().contains(s.as_str()));
        }
    }
}
