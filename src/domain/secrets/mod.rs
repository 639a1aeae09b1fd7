//! Credential detection for free text.
//!
//! accessdesk must never store a credential: every free-text field (purpose,
//! notes, reasons, conditions, names, ...) is passed through [`find_secret`]
//! and refused when it contains one. This module owns that single question,
//! "does this text contain something that looks like a credential?", and
//! answers it with a [`SecretKind`] only. The secret itself is never returned,
//! copied or logged, so callers can refuse the value and write
//! [`SecretKind::rule`] to the audit log without the secret leaving the input
//! buffer.
//!
//! How it works, and why:
//!
//! * Rules are split into three groups, tried from most to least specific:
//!   vendor token shapes (fixed prefixes such as `ghp_` or `AKIA`), context
//!   rules (a keyword such as "password", "login" or `://` next to a value)
//!   and generic rules (a high-entropy value after `key=`/`token:`, or a long
//!   random-looking bare token).
//! * Each group is compiled once into a [`RegexSet`], so a field is scanned
//!   once per group instead of once per rule. Rules whose regex alone cannot
//!   decide (is `password: see vault` a password?) carry a check function that
//!   judges the captured value: placeholders, pointers to a vault, prose and
//!   low-entropy values are let through.
//! * A cheap pre-filter skips a group when it cannot match: vendor and generic
//!   rules need a run of at least 16 non-blank characters, and context rules
//!   need one of a few keywords. Most fields of a CSV import (names, dates,
//!   role names) never reach a regex set at all.
//! * Password words ("password", "Kennwort", "senha", ...) and login words
//!   are found first and only the text right after them is parsed, with
//!   small anchored regexes: resolving capture groups of one big regex costs
//!   microseconds, this costs a few hundred nanoseconds.
//! * The check functions only look at the candidate value (character
//!   classes, entropy, placeholder words); nothing is logged or kept.
//! * Word boundaries are written `(?-u:\b)` (ASCII) on purpose: a Unicode
//!   `\b` makes the regex crate's lazy DFA give up on non-ASCII input and fall
//!   back to a much slower engine, and names with accents are common here.
//!
//! Measured on the corpus in `tests/data/` (release build): about 0.2–0.9 µs
//! for an ordinary 50-character field, a few µs for long URLs, and ~50 ms
//! once per process to compile the rule sets (individual rule regexes are
//! compiled only when their set first reports them).

use regex::{Captures, Match, Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use std::collections::HashSet;
use std::sync::{LazyLock, OnceLock};
use values::*;

mod disguise;
mod kinds;
mod patterns;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
mod values;

pub use kinds::SecretKind;
use patterns::*;

/// Vendor and generic rules only look at text with a run of at least this
/// many non-blank characters: no token shape they know is shorter, and
/// generic values shorter than this are not considered random enough.
const MIN_TOKEN_RUN: usize = 16;

/// Decides whether a regex match really is a credential. Both kinds get the
/// whole haystack, since some checks look at the surrounding word.
#[derive(Clone, Copy)]
enum Check {
    /// Judges the whole match. Preferred: finding a match is several times
    /// cheaper than resolving capture groups.
    Span(fn(&str, Match<'_>) -> bool),
    /// Judges capture groups.
    Captures(fn(&str, &Captures<'_>) -> bool),
}

struct Rule {
    kind: SecretKind,
    pattern: &'static str,
    check: Option<Check>,
}

/// A rule whose regex match is enough.
const fn rule(kind: SecretKind, pattern: &'static str) -> Rule {
    Rule {
        kind,
        pattern,
        check: None,
    }
}

/// A rule whose capture groups must pass `check`.
const fn checked(
    kind: SecretKind,
    pattern: &'static str,
    check: fn(&str, &Captures<'_>) -> bool,
) -> Rule {
    Rule {
        kind,
        pattern,
        check: Some(Check::Captures(check)),
    }
}

/// A rule whose whole match must pass `check`.
const fn span_checked(
    kind: SecretKind,
    pattern: &'static str,
    check: fn(&str, Match<'_>) -> bool,
) -> Rule {
    Rule {
        kind,
        pattern,
        check: Some(Check::Span(check)),
    }
}

static PASSWORD_WORD: LazyLock<Regex> = LazyLock::new(|| build_regex(PASSWORD_WORDS));
static PASSWORD_ASSIGNMENT: LazyLock<Regex> =
    LazyLock::new(|| build_regex(PASSWORD_ASSIGNMENT_TAIL));
static PASSWORD_SENTENCE: LazyLock<Regex> = LazyLock::new(|| build_regex(PASSWORD_SENTENCE_TAIL));
static PASSWORD_BEFORE_WORD: LazyLock<Regex> = LazyLock::new(|| build_regex(PASSWORD_BEFORE));
static PASSWORD_BARE: LazyLock<Regex> = LazyLock::new(|| build_regex(PASSWORD_BARE_TAIL));
static LOGIN_WORD: LazyLock<Regex> = LazyLock::new(|| build_regex(LOGIN_WORDS));
static CREDENTIAL_PAIR: LazyLock<Regex> = LazyLock::new(|| build_regex(CREDENTIAL_PAIR_TAIL));

/// Keywords that can introduce a context rule. Deliberately broad: a false
/// trigger only costs one regex-set scan, a missing one hides a rule.
static CONTEXT_KEYWORDS: LazyLock<Regex> = LazyLock::new(|| {
    build_regex(concat!(
        r"(?i)pass|pw|psw|kennwort|mdp|contrase|clave|parola|wachtwoord|senha|has[łl]|heslo|l[öo]senord|salasana",
        r"|adgangskode|jelsz|[şs]ifre|пароль|密码|密碼|パスワード|비밀번호",
        r"|log[ -]?in|logon|sign[ -]?in|user|account|acct|cred|benutzer|zugang|anmelde|utilisateur|identifiant",
        r"|usu[aá]rio|utente|inlog|gebruiker|anv[äa]ndare|u[żz]ytkownik",
        r"|wlan|wifi|wi-fi|wpa|schlüssel|code|psk|shared|admin|ssid|net use|value",
        r"|://|-----begin|putty|authorization|mysql|sshpass|(?:^|\s)-u\s|[^\s:]:[^\s:@/]+@",
        r"|secret|seed|2fa|mfa|otp|authenticator|two[ -]factor|(?-u:\b)pin(?-u:\b)"
    ))
});

struct RuleGroup {
    rules: &'static [Rule],
    set: RegexSet,
    /// Each rule's own regex, compiled the first time the set reports it:
    /// most rules never match, and compiling all of them up front would
    /// slow down the first call (a CLI run checks only a few fields).
    regexes: Vec<OnceLock<Regex>>,
}

/// Generous limits: the counted repetitions of some vendor shapes
/// (`{146}`, `{100,}`) make large automata, and the default limits would
/// reject them or make the lazy DFA thrash its cache.
const REGEX_SIZE_LIMIT: usize = 64 << 20;
const DFA_SIZE_LIMIT: usize = 32 << 20;

fn build_regex(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .build()
        // The patterns are compile-time constants; `tests::all_rules_compile`
        // makes sure each of them builds.
        .expect("built-in secret pattern must compile")
}

impl RuleGroup {
    fn new(rules: &'static [Rule]) -> Self {
        let set = RegexSetBuilder::new(rules.iter().map(|r| r.pattern))
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(DFA_SIZE_LIMIT)
            .build()
            .expect("built-in secret patterns must compile as a set");
        let regexes = rules.iter().map(|_| OnceLock::new()).collect();
        RuleGroup {
            rules,
            set,
            regexes,
        }
    }

    /// First rule (in table order) that matches and passes its check.
    fn scan(&self, text: &str) -> Option<SecretKind> {
        let matches = self.set.matches(text);
        if !matches.matched_any() {
            return None;
        }
        matches.iter().find_map(|index| {
            let rule = &self.rules[index];
            let regex = || self.regexes[index].get_or_init(|| build_regex(rule.pattern));
            let confirmed = match rule.check {
                None => true,
                Some(Check::Span(check)) => regex().find_iter(text).any(|m| check(text, m)),
                Some(Check::Captures(check)) => {
                    regex().captures_iter(text).any(|caps| check(text, &caps))
                }
            };
            confirmed.then_some(rule.kind)
        })
    }
}

static VENDOR: LazyLock<RuleGroup> = LazyLock::new(|| RuleGroup::new(VENDOR_RULES));
static CONTEXT: LazyLock<RuleGroup> = LazyLock::new(|| RuleGroup::new(CONTEXT_RULES));
static GENERIC: LazyLock<RuleGroup> = LazyLock::new(|| RuleGroup::new(GENERIC_RULES));

/// Returns the first credential-looking thing in `text`, or None. Never returns or logs the secret itself.
///
/// "First" means the most specific family found: vendor token shapes win over
/// context rules (keyword plus value), which win over generic randomness.
/// The text is scanned as written and then, when it has something to undo,
/// as it reads (see `disguise`): folded, joined, decoded.
///
/// The work is linear in the length of the text, however long: a value over
/// any length limit is still scanned, so a pasted secret is refused and
/// counted as one rather than as an overlong value.
pub fn find_secret(text: &str) -> Option<SecretKind> {
    if text.len() > LONG_TEXT {
        return find_in_windows(text);
    }
    detect(text, true)
}

/// Above this many bytes a text is scanned in overlapping windows, so each
/// regex search stays short whatever a caller passes in.
const LONG_TEXT: usize = 16 * 1024;
/// Window overlap: longer than any credential line the rules look at, so a
/// secret cut by one window boundary lies whole in the next window.
const WINDOW_OVERLAP: usize = 1024;

fn find_in_windows(text: &str) -> Option<SecretKind> {
    let mut start = 0;
    loop {
        let end = text.floor_char_boundary((start + LONG_TEXT).min(text.len()));
        if let Some(kind) = detect(&text[start..end], true) {
            return Some(kind);
        }
        if end == text.len() {
            return None;
        }
        let next = text.floor_char_boundary(end - WINDOW_OVERLAP);
        // A window always moves on, even over a run of wide characters.
        start = if next > start { next } else { end };
    }
}

/// The text as written, then its disguised readings. Decoded copies are not
/// decoded again: one layer of encoding is what a person types to get past
/// a check, and a bound keeps the cost linear.
fn detect(text: &str, decode: bool) -> Option<SecretKind> {
    if let Some(kind) = scan(text) {
        return Some(kind);
    }
    let unmasked = disguise::unmask(text);
    if let Some(plain) = &unmasked
        && let Some(kind) = scan(plain)
    {
        return Some(kind);
    }
    let plain = unmasked.as_deref().unwrap_or(text);
    if let Some(pairs) = disguise::split_token_pairs(plain)
        && let Some(kind) = VENDOR.scan(&pairs)
    {
        return Some(kind);
    }
    if decode {
        let decoded = [
            disguise::percent_decoded(plain),
            disguise::base64_decoded(plain),
        ];
        for copy in decoded.iter().flatten() {
            if let Some(kind) = detect(copy, false) {
                return Some(kind);
            }
        }
    }
    None
}

/// One scan of the text as it is, by every rule group.
fn scan(text: &str) -> Option<SecretKind> {
    let long_run = has_long_run(text, MIN_TOKEN_RUN);
    if long_run && let Some(kind) = VENDOR.scan(text) {
        return Some(kind);
    }
    if CONTEXT_KEYWORDS.is_match(text) {
        let found = CONTEXT
            .scan(text)
            .or_else(|| scan_password_words(text))
            .or_else(|| scan_credential_pairs(text));
        if found.is_some() {
            return found;
        }
    }
    if long_run {
        return GENERIC.scan(text);
    }
    None
}

/// True when `text` has at least `min` consecutive non-whitespace bytes.
fn has_long_run(text: &str, min: usize) -> bool {
    let mut run = 0;
    for byte in text.bytes() {
        if byte.is_ascii_whitespace() {
            run = 0;
        } else {
            run += 1;
            if run >= min {
                return true;
            }
        }
    }
    false
}

// ---------------------------------------------------------------------------
// Checks: each judges one match of its rule.

fn check_value_group1(_hay: &str, caps: &Captures<'_>) -> bool {
    caps.get(1)
        .is_some_and(|m| is_high_entropy_value(m.as_str()))
}

/// Whichever alternative of the generic assignment matched.
fn check_any_group_value(_hay: &str, caps: &Captures<'_>) -> bool {
    caps.iter()
        .skip(1)
        .flatten()
        .any(|m| is_high_entropy_value(m.as_str()))
}

/// Character classes present in a value.
#[derive(Debug, Default, Clone, Copy)]
struct CharClasses {
    lower: bool,
    upper: bool,
    digit: bool,
    /// Punctuation other than the joiners that occur in ordinary words
    /// (`-`, `'`, `.`).
    symbol: bool,
}

impl CharClasses {
    fn of(value: &str) -> Self {
        let mut c = CharClasses::default();
        for ch in value.chars() {
            if ch.is_lowercase() {
                c.lower = true;
            } else if ch.is_uppercase() {
                c.upper = true;
            } else if ch.is_ascii_digit() {
                c.digit = true;
            } else if !ch.is_alphanumeric() && !matches!(ch, '-' | '\'' | '’' | '.') {
                c.symbol = true;
            }
        }
        c
    }

    fn letter(self) -> bool {
        self.lower || self.upper
    }

    fn count(self) -> usize {
        [self.lower, self.upper, self.digit, self.symbol]
            .iter()
            .filter(|b| **b)
            .count()
    }
}

fn check_mixed_span(_hay: &str, m: Match<'_>) -> bool {
    let c = CharClasses::of(m.as_str());
    c.lower && c.upper && c.digit
}

/// `<add key="DbPassword" value="..."/>`: a password-named setting takes any
/// real value, a key/token/secret-named one a random-looking value.
fn check_app_setting(_hay: &str, caps: &Captures<'_>) -> bool {
    let (Some(name), Some(value)) = (caps.get(1), caps.get(2)) else {
        return false;
    };
    let name = name.as_str().to_ascii_lowercase();
    let value = value.as_str();
    if ["password", "passwd", "pwd"]
        .iter()
        .any(|p| name.contains(p))
    {
        return !is_placeholder(value);
    }
    ["key", "token", "secret"].iter().any(|p| name.contains(p)) && is_high_entropy_value(value)
}

/// Recovery codes contain digits and are at least six characters long
/// ("Backup codes: ask the owner" is not a code).
fn check_code_group1(_hay: &str, caps: &Captures<'_>) -> bool {
    caps.get(1).is_some_and(|m| {
        let value = m.as_str();
        let c = CharClasses::of(value);
        c.digit && value.len() >= 6
    })
}

/// For values that sit in an unambiguous slot (a connection string's
/// `Password=`, `curl -u user:pass`): anything but a placeholder counts.
fn check_plain_group1(_hay: &str, caps: &Captures<'_>) -> bool {
    caps.get(1)
        .is_some_and(|m| !is_placeholder(m.as_str().trim()))
}

fn check_userinfo_password(_hay: &str, caps: &Captures<'_>) -> bool {
    caps.get(1).is_some_and(|m| {
        let value = m.as_str();
        !is_placeholder(value) && looks_like_password(value) && CharClasses::of(value).count() >= 3
    })
}

fn check_url_password(_hay: &str, caps: &Captures<'_>) -> bool {
    caps.get(2).is_some_and(|m| !is_placeholder(m.as_str()))
}

/// Finds each password word and tries the three ways people write the
/// value after it: assignment, sentence, bare.
fn scan_password_words(text: &str) -> Option<SecretKind> {
    for word in PASSWORD_WORD.find_iter(text) {
        let prefix = identifier_before(text, word.start());
        if !keyword_prefix_ok(prefix, word.as_str()) {
            continue;
        }
        let tail = &text[word.end()..];
        if let Some(value) = tail_value(&PASSWORD_ASSIGNMENT, tail)
            && assigned_password(value.as_str(), &tail[value.end()..])
        {
            return Some(SecretKind::PasswordAssignment);
        }
        // In these two forms the value is the last run of the match, so a
        // plain `find` is enough (resolving captures costs several times more).
        if let Some(m) = PASSWORD_SENTENCE.find(tail) {
            let value =
                final_run(m.as_str()).trim_start_matches(['是', '为', '為', 'は', '는', '은']);
            if looks_like_password(value) && !is_placeholder(value) {
                return Some(SecretKind::PasswordSentence);
            }
        }
        if prefix.is_empty()
            && ends_clause(tail)
            && let Some(value) = tail_value(&PASSWORD_BEFORE_WORD, &text[..word.start()])
            && looks_like_password(value.as_str())
            && !is_placeholder(value.as_str())
        {
            return Some(SecretKind::PasswordSentence);
        }
        if prefix.is_empty()
            && let Some(m) = PASSWORD_BARE.find(tail)
            && bare_password(final_run(m.as_str()))
        {
            return Some(SecretKind::PasswordSentence);
        }
    }
    None
}

/// True when the text after a word ends its clause: nothing, punctuation, or
/// "for/to/of/on/at ..." ("X is the password for the VPN"), but not another
/// noun ("X is the password manager").
fn ends_clause(after: &str) -> bool {
    let rest = after.trim_start_matches([' ', '\t']);
    let Some(first) = rest.chars().next() else {
        return true;
    };
    if matches!(first, '.' | ',' | ';' | ':' | '!' | '?' | ')' | '\n') {
        return true;
    }
    let next_word: String = rest
        .chars()
        .take_while(|c| c.is_alphabetic())
        .take(4)
        .collect::<String>()
        .to_lowercase();
    rest.len() < after.len() && ["for", "to", "of", "on", "at"].contains(&next_word.as_str())
}

/// A base32 seed: 16 or more letters of one case and at least one of the
/// digits 2-7. English words and phrases in groups of four ("this will work
/// fine") have no digits. The match may start with a word of four letters
/// ("seed JBSW Y3DP ..."), so each tail of whole groups is tried.
fn check_seed_group1(_hay: &str, caps: &Captures<'_>) -> bool {
    let Some(seed) = caps.get(1) else {
        return false;
    };
    let groups: Vec<&str> = seed
        .as_str()
        .trim_end_matches('=')
        .split([' ', '\t', '-'])
        .collect();
    (0..groups.len()).any(|start| {
        let seed = groups[start..].concat();
        let c = CharClasses::of(&seed);
        seed.len() >= 16 && c.digit && c.letter() && !(c.lower && c.upper)
    })
}

/// A code: four to twelve digits (a PIN, a door code), or a value that looks
/// like a password and is not a ticket key ("OPS-2211", "Q3-2024").
fn check_access_code_group1(_hay: &str, caps: &Captures<'_>) -> bool {
    let Some(raw) = caps.get(1).map(|m| m.as_str()) else {
        return false;
    };
    let value = clean_value(raw);
    if is_placeholder(raw) {
        return false;
    }
    if value.chars().all(|c| c.is_ascii_digit()) {
        return (4..=12).contains(&value.len());
    }
    let classes = CharClasses::of(value);
    looks_like_password(value)
        && (classes.count() >= 3 || classes.letter() && classes.digit && !value.contains('-'))
}

/// The trailing run of `matched` that contains no blank and no quote: the
/// value at the end of a sentence or bare tail match.
fn final_run(matched: &str) -> &str {
    let start = matched
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace() || matches!(c, '"' | '\'' | '`'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &matched[start..]
}

/// Capture group 1 of an anchored tail regex.
fn tail_value<'t>(regex: &Regex, tail: &'t str) -> Option<Match<'t>> {
    regex.captures(tail).and_then(|caps| caps.get(1))
}

/// Letters, digits and `_` right before `at`: the `DB_` of `DB_PASSWORD`.
fn identifier_before(text: &str, at: usize) -> &str {
    let before = &text[..at];
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map_or(at, |(i, _)| i);
    &before[start..]
}

/// `password: <value>`: anything but a placeholder, a pointer or prose.
fn assigned_password(raw: &str, after: &str) -> bool {
    if is_placeholder(raw) || is_prose(raw, after) || is_slug(raw) {
        return false;
    }
    let bare = strip_quotes_and_full_stop(raw);
    bare.chars().count() >= 4 || CharClasses::of(bare).count() >= 3
}

/// "password Welcome2024!", "pw admin123": no separator, so the value must
/// be unmistakable: eight or more characters with three character classes,
/// or letters and digits without the hyphen of ordinary compounds
/// ("password reset-2024").
fn bare_password(raw: &str) -> bool {
    let cleaned = clean_value(raw);
    let classes = CharClasses::of(cleaned);
    let unmistakable = classes.count() >= 3
        || (classes.letter() && classes.digit && !cleaned.contains('-') && !is_quantity(cleaned));
    !is_placeholder(raw) && cleaned.chars().count() >= 8 && unmistakable
}

/// Finds each login word and looks for a `user / password` pair after it.
fn scan_credential_pairs(text: &str) -> Option<SecretKind> {
    LOGIN_WORD
        .find_iter(text)
        .any(|word| {
            CREDENTIAL_PAIR
                .captures(&text[word.end()..])
                .is_some_and(|caps| credential_pair(&caps))
        })
        .then_some(SecretKind::CredentialPair)
}

/// `user / password` pairs: the strictest check, since "host/path",
/// "team / project" and "10:30" share the shape.
fn credential_pair(caps: &Captures<'_>) -> bool {
    let (Some(user), Some(sep), Some(pass)) = (caps.get(1), caps.get(2), caps.get(3)) else {
        return false;
    };
    let (user, sep, pass) = (user.as_str(), sep.as_str(), pass.as_str());
    if !user.chars().any(char::is_alphabetic) || is_placeholder(user) {
        return false;
    }
    // URLs ("https://..."), paths ("host/a/b") and ports ("db01:5432/app").
    if pass.starts_with('/') || pass.contains("://") || pass.contains('/') && user.contains('.') {
        return false;
    }
    if sep == ":" && pass.starts_with(|c: char| c.is_ascii_digit()) {
        let rest = pass.trim_start_matches(|c: char| c.is_ascii_digit());
        if rest.is_empty() || rest.starts_with('/') {
            return false;
        }
    }
    let cleaned = clean_value(pass);
    !is_placeholder(pass) && cleaned.chars().count() >= 6 && CharClasses::of(cleaned).count() >= 3
}

/// A bare token with no keyword: must be long and look random, and must not
/// be part of a URL (document ids in links), a hash (`sha256:...`) or an SSH
/// public key, all of which are fine to store.
fn check_bare_token(hay: &str, m: Match<'_>) -> bool {
    let word_start = hay[..m.start()]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word_end = hay[m.end()..]
        .find(char::is_whitespace)
        .map_or(hay.len(), |i| m.end() + i);
    if hay[word_start..word_end].contains("://") {
        return false;
    }
    let lead = hay[word_start..m.start()].to_ascii_lowercase();
    if ["sha1:", "sha256:", "sha384:", "sha512:", "md5:"]
        .iter()
        .any(|p| lead.ends_with(p))
    {
        return false;
    }
    let previous_word = hay[..word_start]
        .split_whitespace()
        .next_back()
        .unwrap_or("");
    if ["ssh-", "ecdsa-", "sk-ssh-", "sk-ecdsa-"]
        .iter()
        .any(|p| previous_word.starts_with(p))
    {
        return false;
    }
    is_random_token(m.as_str())
}

// ---------------------------------------------------------------------------
// Value heuristics.

/// Short password words that must stand alone: "bypass", "compass",
/// "LastPass" and "KeePass" are not password labels.
fn keyword_prefix_ok(prefix: &str, keyword: &str) -> bool {
    if prefix.is_empty() {
        return true;
    }
    // "1Password: Ops vault" names the password manager.
    prefix != "1" && !is_short_keyword(keyword)
}

fn is_short_keyword(keyword: &str) -> bool {
    ["pass", "pw", "psw", "psk", "mdp", "clave", "parola"]
        .iter()
        .any(|s| keyword.eq_ignore_ascii_case(s))
}

/// Letter-only value followed by more words: "password: ask Maria",
/// "password: handed over in person". Real passwords rarely read as prose.
fn is_prose(raw: &str, after: &str) -> bool {
    raw.chars().all(char::is_alphabetic)
        && after
            .strip_prefix([' ', '\t'])
            .map(|rest| rest.trim_start_matches([' ', '\t']))
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_alphabetic() || c == '(')
}

/// "share-via-calendar-invite", "see_the_runbook": lowercase words joined by
/// hyphens or underscores read as a phrase, not a password. (A diceware
/// passphrase written this way is a known miss, like one written with
/// spaces.)
fn is_slug(raw: &str) -> bool {
    let value = clean_value(raw);
    value.chars().filter(|c| matches!(c, '-' | '_')).count() >= 2
        && value
            .chars()
            .all(|c| c.is_lowercase() || matches!(c, '-' | '_'))
}
