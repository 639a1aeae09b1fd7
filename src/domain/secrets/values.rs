//! What a value looks like, for the detector's rules: a placeholder or a constant's
//! name, a quantity, a path, words or random characters (by character classes and
//! entropy). Each answer is one heuristic the rules combine; none decides alone.

use super::*;

/// Drops surrounding quotes and one sentence-ending punctuation run.
pub(super) fn strip_quotes_and_full_stop(value: &str) -> &str {
    value
        .trim_matches(['"', '\'', '`'])
        .trim_end_matches(['.', ',', ';'])
}

/// Drops quotes, brackets and trailing punctuation, for classifying words.
pub(super) fn clean_value(value: &str) -> &str {
    value
        .trim_matches(['"', '\'', '`'])
        .trim_start_matches(['(', '['])
        .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '>', '"', '\''])
}

pub(super) static NOT_A_SECRET_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| NOT_A_SECRET.iter().copied().collect());

/// Placeholders and pointers: `<redacted>`, `[REDACTED]`, `{{ secret }}`,
/// `${DB_PASSWORD}`, `$DB_PASS`, `%PASSWORD%`, `********`, `xxxx`,
/// `/run/secrets/db`, `see`, `vault:db/prod`, ...
pub(super) fn is_placeholder(raw: &str) -> bool {
    let raw = raw.trim_matches(['"', '\'', '`']);
    let mut chars = raw.chars();
    let Some(first) = chars.next() else {
        return true;
    };
    if matches!(first, '<' | '[' | '{') {
        return true;
    }
    if first == '$'
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_uppercase() || matches!(c, '_' | '{' | '('))
    {
        return true;
    }
    if first == '%' && raw.len() > 2 && raw.ends_with('%') {
        return true;
    }
    // A file path ("pwd: /var/www/html", "key: ~/.ssh/id_ed25519") says
    // where something is, not what it is.
    if first == '/' || raw.starts_with("~/") || raw.starts_with("./") {
        return true;
    }
    let value = clean_value(raw);
    if value.is_empty()
        || value
            .chars()
            .all(|c| "*x•●#?._-".contains(c.to_ascii_lowercase()))
    {
        return true;
    }
    if is_constant_name(value) {
        return true;
    }
    let lower = value.to_lowercase();
    NOT_A_SECRET_SET.contains(lower.as_str())
        || POINTER_PREFIXES.iter().any(|p| lower.starts_with(p))
        || lower.contains("placeholder")
        || lower.contains("redacted")
}

/// `PROD_DB_PASSWORD`, `UNICODE_STRING`: an environment variable or
/// constant named in place of the value.
pub(super) fn is_constant_name(value: &str) -> bool {
    value.contains('_')
        && value.starts_with(|c: char| c.is_ascii_uppercase())
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Does a value written in a sentence look like a password (rather than an
/// ordinary word, a number or a duration)?
pub(super) fn looks_like_password(raw: &str) -> bool {
    let value = clean_value(raw);
    let len = value.chars().count();
    let classes = CharClasses::of(value);
    if len < 3 || (len < 6 && classes.count() < 3) || is_quantity(value) {
        return false;
    }
    if classes.letter() && (classes.digit || classes.symbol) {
        return true;
    }
    // "hUnTeR": an uppercase letter after the first character.
    if classes.lower && value.chars().skip(1).any(char::is_uppercase) {
        return true;
    }
    classes.digit && !classes.letter() && !classes.symbol && len >= 6
}

/// "24h", "90d", "12chars", "3rd": numbers with a unit are not passwords.
pub(super) fn is_quantity(value: &str) -> bool {
    let digits = value.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let unit = value[digits..].to_ascii_lowercase();
    [
        "", "h", "d", "m", "s", "y", "w", "x", "k", "min", "mins", "hrs", "days", "chars", "st",
        "nd", "rd", "th", "mb", "gb",
    ]
    .contains(&unit.as_str())
}

/// Shannon entropy in bits per byte.
pub(super) fn shannon_entropy(value: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut total = 0u32;
    for byte in value.bytes() {
        counts[usize::from(byte)] += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    let total = f64::from(total);
    counts
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = f64::from(n) / total;
            -p * p.log2()
        })
        .sum()
}

/// A value after `key=`/`token:`/`Bearer`: long enough, mixed, and not a
/// path, a dotted name or a snake_case identifier (those name where a secret
/// lives rather than being one).
pub(super) fn is_high_entropy_value(raw: &str) -> bool {
    let value = raw.trim_end_matches(['.', ',']);
    let len = value.chars().count();
    // "//host/path" is the rest of a URL after "https:".
    if len < MIN_TOKEN_RUN || value.starts_with("//") || is_path_like(value) {
        return false;
    }
    let c = CharClasses::of(value);
    let mixed = (c.letter() && c.digit) || (c.lower && c.upper && len >= 24);
    mixed && shannon_entropy(value) >= 3.0
}

/// A bare token: stricter than [`is_high_entropy_value`], since there is no
/// keyword to say it is a secret. Random base62/base64 changes character
/// class at about 60 % of positions, prose-like identifiers far less often.
pub(super) fn is_random_token(raw: &str) -> bool {
    let value = raw.trim_end_matches('=');
    if value.len() < 32 || is_path_like(value) || is_mostly_path(value) {
        return false;
    }
    let c = CharClasses::of(value);
    c.lower
        && c.upper
        && c.digit
        && class_switch_ratio(value) >= 0.4
        && word_fraction(value) < 0.55
        && shannon_entropy(value) >= 4.0
}

/// Share of characters in runs of three or more lowercase letters. CamelCase
/// identifiers are mostly such runs (0.6 and up); in random base62/base64 of
/// 32+ characters they stay below 0.55 in all but about 1 in 1000 tokens.
pub(super) fn word_fraction(value: &str) -> f64 {
    let mut in_words = 0usize;
    let mut run = 0usize;
    for c in value.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_lowercase() {
            run += 1;
        } else {
            if run >= 3 {
                in_words += run;
            }
            run = 0;
        }
    }
    // Lengths are far below 2^52, so the conversions are exact.
    in_words as f64 / value.chars().count().max(1) as f64
}

#[derive(PartialEq, Eq, Clone, Copy)]
pub(super) enum Class {
    Lower,
    Upper,
    Digit,
    Other,
}

pub(super) fn class_of(c: char) -> Class {
    if c.is_ascii_lowercase() {
        Class::Lower
    } else if c.is_ascii_uppercase() {
        Class::Upper
    } else if c.is_ascii_digit() {
        Class::Digit
    } else {
        Class::Other
    }
}

pub(super) fn class_switch_ratio(value: &str) -> f64 {
    let classes: Vec<Class> = value.chars().map(class_of).collect();
    if classes.len() < 2 {
        return 0.0;
    }
    let switches = classes.windows(2).filter(|w| w[0] != w[1]).count();
    // Lengths are far below 2^52, so the conversion is exact.
    switches as f64 / (classes.len() - 1) as f64
}

/// `vault.example.com/v1/secret/app`, `my_db_password_prod`,
/// `projects/acme/secrets/db`: every segment between separators reads like
/// a word or a number.
pub(super) fn is_path_like(value: &str) -> bool {
    let separators = ['/', '.', '_', '-', '+', '~', '=', ':'];
    if !value.contains(separators) {
        return false;
    }
    value
        .split(separators)
        .filter(|s| !s.is_empty())
        .all(is_wordish)
}

/// `/subscriptions/<guid>/resourceGroups/rg-acme/providers/...`: a path
/// with ids in it. Random base64 has one `/` per 32 characters on average
/// and its segments are almost never words.
pub(super) fn is_mostly_path(value: &str) -> bool {
    let segments: Vec<&str> = value.split('/').filter(|s| !s.is_empty()).collect();
    segments.len() >= 3 && segments.iter().filter(|s| is_wordish(s)).count() * 2 >= segments.len()
}

/// "Users", "v1", "index2", "UserProfile", "2024": runs of lowercase letters
/// are at least two long and there are few digit runs. Random text almost
/// always has a lone lowercase letter between capitals or digits.
pub(super) fn is_wordish(segment: &str) -> bool {
    if segment.chars().count() <= 3 {
        return true;
    }
    let mut runs: Vec<(Class, usize)> = Vec::new();
    for class in segment.chars().map(class_of) {
        match runs.last_mut() {
            Some((last, n)) if *last == class => *n += 1,
            _ => runs.push((class, 1)),
        }
    }
    let lone_lower = runs
        .iter()
        .enumerate()
        .any(|(i, &(class, n))| class == Class::Lower && n == 1 && i > 0);
    let digit_runs = runs.iter().filter(|(c, _)| *c == Class::Digit).count();
    let other = runs.iter().any(|(c, _)| *c == Class::Other);
    !lone_lower && !other && digit_runs <= 2 && runs.len() <= segment.chars().count() / 2 + 1
}
