//! Credentials in disguise, through the real binary: a password label split by a
//! line break or an invisible character, written with look-alike or fullwidth
//! letters or spaced out, the value before the word, a code in a sentence, base64 or
//! URL encoding, a vendor token split by a space, a two-factor seed. Each is refused
//! as a credential (exit 3, `no-credentials-in-text`), counted, and never echoed;
//! invisible characters are refused in every text field, naming the character;
//! ordinary text of many scripts stays accepted.

use crate::common::*;

/// The value every disguise below hides.
const VALUE: &str = "Welcome2024!";

/// Disguised credentials: (how, text). None contains VALUE as written except where
/// the disguise leaves it readable, so "never echoed" is checked on the text too.
fn disguises() -> Vec<(&'static str, String)> {
    vec![
        ("line break", format!("password:\n{VALUE}")),
        ("zero width space", format!("pass\u{200B}word: {VALUE}")),
        ("Cyrillic а", format!("p\u{0430}ssword: {VALUE}")),
        (
            "fullwidth",
            "ｐａｓｓｗｏｒｄ：Ｗｅｌｃｏｍｅ２０２４！".to_string(),
        ),
        ("spaced letters", format!("P a s s w o r d: {VALUE}")),
        ("value first", format!("{VALUE} is the password")),
        ("the code is", "the code is 48213377".to_string()),
        ("base64", "cGFzc3dvcmQ6IFdlbGNvbWUyMDI0IQ==".to_string()),
        ("URL-encoded", "password%3A%20Welcome2024%21".to_string()),
        (
            "split vendor token",
            "ghp_EXAMPLEtQvl2ucn6 G3KJTCIYn7W1RS1apFsM".to_string(),
        ),
        (
            "otpauth URI",
            "otpauth://totp/ACME:ann?secret=JBSWY3DPEHPK3PXP".to_string(),
        ),
        ("TOTP seed", "2FA seed JBSW Y3DP EHPK 3PXP".to_string()),
    ]
}

fn team() -> Db {
    let db = Db::new();
    db.team();
    db
}

/// A refusal that names the credential rule and the field, counts one attempt and
/// echoes nothing of the text.
#[track_caller]
fn refused_as_credential(db: &Db, how: &str, flag: &str, text: &str) {
    let before = db.snapshot();
    let out = db
        .try_add(&NewItem::new().set(flag, text))
        .refused("no-credentials-in-text");
    let shown = format!("{}{}", out.stdout, out.stderr);
    for echoed in [
        text,
        VALUE,
        "JBSWY3DPEHPK3PXP",
        "G3KJTCIYn7W1RS1apFsM",
        "48213377",
    ] {
        assert!(
            !shown.contains(echoed),
            "{how}: the refusal shows {echoed:?}: {shown}"
        );
    }
    let field = flag.trim_start_matches("--");
    let payload = db.assert_only_unsafe_attempt(&before, &db.snapshot(), field, how);
    assert!(!payload.to_string().contains(VALUE), "{how}: {payload}");
}

#[test]
fn disguised_credentials_are_refused_in_purpose() {
    let db = team();
    for (how, text) in disguises() {
        refused_as_credential(&db, how, "--purpose", &text);
    }
}

#[test]
fn disguised_credentials_are_refused_in_notes() {
    let db = team();
    for (how, text) in disguises() {
        refused_as_credential(&db, how, "--notes", &text);
    }
}

#[test]
fn a_value_over_the_length_limit_is_still_scanned_and_counted() {
    let db = team();
    let long = format!(
        "{} P a s s w o r d: {VALUE}",
        "quarterly report ".repeat(20)
    );
    assert!(long.chars().count() > 200);
    refused_as_credential(&db, "over the line limit", "--purpose", &long);
}

#[test]
fn a_value_far_over_the_length_limit_is_still_scanned_and_counted() {
    let db = team();
    let long = format!("{}password: {VALUE}", "quarterly report ".repeat(4_000));
    assert!(long.len() > 64_000);
    refused_as_credential(&db, "far over the note limit", "--notes", &long);
}

#[test]
fn invisible_characters_are_refused_naming_them() {
    let db = team();
    for (c, name) in [
        ('\u{200B}', "zero width space"),
        ('\u{2060}', "word joiner"),
        ('\u{2063}', "invisible separator"),
        ('\u{FEFF}', "zero width no-break space"),
        ('\u{00AD}', "soft hyphen"),
        ('\u{2028}', "line separator"),
        ('\u{E0041}', "tag character"),
        ('\u{3164}', "Hangul filler"),
        ('\u{200D}', "zero width joiner"),
    ] {
        for flag in ["--system", "--role", "--credential-owner", "--notes"] {
            let text = format!("Fin{c}ance");
            let before = db.snapshot();
            let out = db
                .try_add(&NewItem::new().set(flag, &text))
                .refused("plain-text");
            let code = format!("U+{:04X}", u32::from(c));
            assert!(
                out.stderr.contains(&code) && out.stderr.contains(name),
                "{flag} {code}: {}",
                out.stderr
            );
            before.assert_same(&db.snapshot(), &format!("{flag} {code}"));
        }
    }
}

#[test]
fn ordinary_text_of_many_scripts_is_accepted() {
    let db = team();
    for (flag, text) in [
        ("--credential-owner", "José Müller-Lüdenscheidt"),
        ("--credential-owner", "山田 太郎"),
        ("--credential-owner", "Ελένη Παπαδοπούλου"),
        ("--credential-owner", "محمد رضایی"),
        ("--purpose", "می\u{200C}خواهم گزارش\u{200C}ها را ببینم"),
        ("--purpose", "रिपोर्ट देखने के लिए क्\u{200D}षमता"),
        ("--purpose", "👩\u{200D}💻 on call this week"),
        ("--purpose", "Доступ к отчётам для бухгалтерии"),
        ("--notes", "+44 20 7946 0000"),
        ("--notes", "JBSWY3DPEHPK3PXP"),
        ("--notes", "A B testing of the landing page"),
    ] {
        db.try_add(&NewItem::new().set(flag, text)).ok();
    }
    // A value starting with "-" is given as --flag=value on the command line.
    let mut args = NewItem::new().args("ACME");
    args.push("--notes=- call first".into());
    db.run(&args).ok();
}
