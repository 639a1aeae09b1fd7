//! Property tests: random ordinary text of several scripts is accepted, and every
//! disguise of every credential shape in the corpus (`tests/data/secrets_*.txt`) and
//! of random passwords and two-factor seeds is refused.

use super::find_secret;

use proptest::prelude::*;
use proptest::sample::Index;

fn corpus(text: &'static str, vendor: bool) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let sample = if vendor {
                l.split_once('\t').map_or(l, |(_, s)| s)
            } else {
                l
            };
            sample.replace("\\n", "\n")
        })
        .collect()
}

fn secrets() -> Vec<String> {
    let mut all = corpus(
        include_str!("../../../tests/data/secrets_realistic.txt"),
        false,
    );
    all.extend(corpus(
        include_str!("../../../tests/data/secrets_vendor_shapes.txt"),
        true,
    ));
    all
}

fn vendor_tokens() -> Vec<String> {
    corpus(
        include_str!("../../../tests/data/secrets_vendor_shapes.txt"),
        true,
    )
    .into_iter()
    // Vendor shapes proper: a token the vendor rules know by itself (a
    // user:password URL is a context rule's business).
    .filter(|s| !s.contains(char::is_whitespace) && super::VENDOR.scan(s).is_some())
    .collect()
}

/// Latin letters and their Cyrillic look-alikes.
const LOOKALIKES: &[(char, char)] = &[
    ('a', 'а'),
    ('c', 'с'),
    ('e', 'е'),
    ('o', 'о'),
    ('p', 'р'),
    ('x', 'х'),
    ('y', 'у'),
    ('A', 'А'),
    ('B', 'В'),
    ('C', 'С'),
    ('E', 'Е'),
    ('H', 'Н'),
    ('K', 'К'),
    ('M', 'М'),
    ('O', 'О'),
    ('P', 'Р'),
    ('T', 'Т'),
    ('X', 'Х'),
];

const INVISIBLES: &[char] = &['\u{200B}', '\u{2060}', '\u{FEFF}', '\u{00AD}', '\u{200D}'];

fn with_invisible(text: &str, at: Index, which: Index) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = at.index(chars.len() + 1);
    let mut out: String = chars[..at].iter().collect();
    out.push(*which.get(INVISIBLES));
    out.extend(&chars[at..]);
    out
}

fn with_lookalikes(text: &str, mask: u64) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| match LOOKALIKES.iter().find(|(l, _)| *l == c) {
            Some((_, fake)) if mask >> (i % 64) & 1 == 1 => *fake,
            _ => c,
        })
        .collect()
}

fn fullwidth(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(u32::from(c) - 0x21 + 0xFF01).unwrap_or(c),
            ' ' => '\u{3000}',
            _ => c,
        })
        .collect()
}

fn with_line_break(text: &str, which: Index) -> String {
    let spaces: Vec<usize> = text.match_indices(' ').map(|(i, _)| i).collect();
    if spaces.is_empty() {
        return text.to_string();
    }
    let at = *which.get(&spaces);
    format!("{}\n{}", &text[..at], &text[at + 1..])
}

fn spaced(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn base64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

fn url_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'_' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn split_by_space(token: &str, at: Index) -> String {
    let at = 1 + at.index(token.len() - 1);
    format!("{} {}", &token[..at], &token[at..])
}

/// Words as people write them in names, systems, purposes and notes: letters of
/// one script, numbers, punctuation, emoji.
fn ordinary_word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{2,9}",
        "[A-Z][a-z]{1,9}",
        "[a-zàáâäçèéêëíîïñóôöúûüß]{2,9}",
        "[а-яё]{2,9}",
        "[А-Я][а-я]{1,8}",
        "[α-ω]{2,9}",
        "[\u{4E00}-\u{4FFF}]{1,4}",
        "[\u{3041}-\u{3093}]{2,5}",
        "[\u{AC00}-\u{AE00}]{1,4}",
        "[\u{0627}-\u{064A}]{2,7}",
        "[\u{0915}-\u{0939}]{2,6}",
        "[0-9]{1,4}",
        "[-,.:;!?()/&+]",
        "[😀-🙏👍👩💻☕🎉]",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn ordinary_text_is_accepted(words in prop::collection::vec(ordinary_word(), 1..30)) {
        let text = words.join(" ");
        prop_assert_eq!(find_secret(&text).map(|k| k.rule()), None, "{:?}", text);
    }

    #[test]
    fn random_passwords_in_disguise_are_refused(
        value in "[A-Z][a-z]{3,7}[0-9]{2,4}[!#$*?]",
        at in any::<Index>(),
        which in any::<Index>(),
        mask in 1u64..,
    ) {
        let plain = format!("password: {value}");
        for text in [
            format!("password:\n{value}"),
            with_invisible("password", at, which) + &format!(": {value}"),
            with_lookalikes("password", mask | 1) + &format!(": {value}"),
            fullwidth(&plain),
            format!("{}: {value}", spaced("Password")),
            format!("password: {}", spaced(&value)),
            format!("{value} is the password"),
            format!("the code is {value}"),
            base64(&plain),
            url_encoded(&plain),
        ] {
            prop_assert!(find_secret(&text).is_some(), "accepted: {:?}", text);
        }
    }

    #[test]
    fn two_factor_seeds_in_context_are_refused(
        seed in "[A-Z2-7]{12}[2-7][A-Z2-7]{3,19}",
        word in prop::sample::select(vec!["secret", "seed", "2FA", "2FA secret", "TOTP seed"]),
    ) {
        let groups: Vec<String> = seed
            .as_bytes()
            .chunks(4)
            .map(|g| String::from_utf8_lossy(g).to_lowercase())
            .collect();
        for text in [
            format!("otpauth://totp/ACME:ann?secret={seed}&issuer=ACME"),
            format!("{word}: {seed}"),
            format!("{word} {}", groups.join(" ")),
            format!("{seed} is the {word}"),
        ] {
            prop_assert!(find_secret(&text).is_some(), "accepted: {:?}", text);
        }
        // The run alone says nothing: a project key or an id looks the same.
        prop_assert_eq!(find_secret(&seed).map(|k| k.rule()), None, "{}", seed);
    }

    #[test]
    fn every_corpus_secret_in_disguise_is_refused(
        at in any::<Index>(),
        which in any::<Index>(),
        mask in any::<u64>(),
    ) {
        for secret in secrets() {
            for (how, text) in [
                ("invisible", with_invisible(&secret, at, which)),
                ("look-alikes", with_lookalikes(&secret, mask)),
                ("fullwidth", fullwidth(&secret)),
                ("line break", with_line_break(&secret, which)),
                ("base64", base64(&secret)),
                ("url-encoded", url_encoded(&secret)),
            ] {
                prop_assert!(find_secret(&text).is_some(), "{} accepted: {:?}", how, text);
            }
        }
        for token in vendor_tokens() {
            let text = split_by_space(&token, at);
            prop_assert!(find_secret(&text).is_some(), "split accepted: {:?}", text);
        }
    }
}
