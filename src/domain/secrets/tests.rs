//! The detector's unit tests: every rule compiles, and the shapes and texts it must and
//! must not find.

use super::*;

#[test]
fn all_rules_compile() {
    let standalone = [
        PASSWORD_WORDS,
        PASSWORD_ASSIGNMENT_TAIL,
        PASSWORD_SENTENCE_TAIL,
        PASSWORD_BARE_TAIL,
        PASSWORD_BEFORE,
        LOGIN_WORDS,
        CREDENTIAL_PAIR_TAIL,
    ];
    let patterns = VENDOR_RULES
        .iter()
        .chain(CONTEXT_RULES)
        .chain(GENERIC_RULES)
        .map(|rule| (rule.kind.rule(), rule.pattern))
        .chain(standalone.iter().map(|p| ("standalone", *p)));
    for (name, pattern) in patterns {
        let built = RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build();
        assert!(built.is_ok(), "{name}: {:?}", built.err());
    }
    // Forces the lazily built sets and keyword filters.
    assert_eq!(VENDOR.rules.len(), VENDOR.set.len());
    assert_eq!(CONTEXT.rules.len(), CONTEXT.set.len());
    assert_eq!(GENERIC.rules.len(), GENERIC.set.len());
    assert!(CONTEXT_KEYWORDS.is_match("password"));
    assert!(PASSWORD_WORD.is_match("Passwort") && LOGIN_WORD.is_match("login"));
}

#[test]
fn rule_names_are_unique_kebab_case_and_described() {
    let mut seen = HashSet::new();
    for kind in SecretKind::ALL {
        let name = kind.rule();
        assert!(seen.insert(name), "duplicate rule name {name}");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{name} is not kebab-case"
        );
        assert!(!name.starts_with('-') && !name.ends_with('-'));
        assert!(!kind.describe().is_empty());
    }
    assert_eq!(SecretKind::AwsAccessKey.rule(), "aws-access-key");
    assert_eq!(SecretKind::AwsAccessKey.describe(), "an AWS access key id");
}

#[test]
fn every_rule_names_a_listed_kind() {
    for rule in VENDOR_RULES
        .iter()
        .chain(CONTEXT_RULES)
        .chain(GENERIC_RULES)
    {
        assert!(SecretKind::ALL.contains(&rule.kind));
    }
}

fn kind(text: &str) -> Option<&'static str> {
    find_secret(text).map(SecretKind::rule)
}

#[test]
fn password_assignments() {
    for text in [
        "password=Tr0ub4dor&3",
        "password: hunter2",
        "pwd: Winter2024",
        "passwd=letmein99",
        "pass=Sunshine!7",
        "pw: qwerty12",
        "DB_PASSWORD=s3cr3tValue",
        "PGPASSWORD=Xk9mP2vL",
        "{\"password\": \"Xk9mP2vL7\"}",
        "password (temporary): Welcome1!",
        "Passwort: Geheim123!",
        "Kennwort = Herbst#2023",
        "mot de passe : Soleil2024",
        "contraseña: Verano2024",
        "Senha provisória: Mudar@123",
        "clave: Gato$Negro9",
        "wachtwoord: Zomer2024!",
        "hasło: Lato2024!",
        "lösenord: Sommar2024!",
        "parola d'ordine: Estate2024",
        "пароль: Лето2024!",
        "パスワード：Natsu2024!",
        "WPA key: SunFlower#77",
        "VPN PSK: Xk9mP2vL7qR4",
    ] {
        assert_eq!(kind(text), Some("password-assignment"), "{text}");
    }
}

#[test]
fn password_sentences() {
    for text in [
        "the password is hunter2!",
        "pw is Xy7...",
        "Das Passwort ist Sommer2024!",
        "Das Kennwort lautet Sommer#2024",
        "le mot de passe est Soleil#2024",
        "la contraseña es Verano2024$",
        "het wachtwoord is Zomer2024!",
        "a senha é Verao@2024",
        "lösenordet är Sommar2024!",
        "the password for the staging db is Qwerty!234",
        "La password dell'account è Estate2024!",
        "reset the password to Welcome1!",
        "password set to Winter2024!",
        "The new password will be Winter2024! from Monday",
        // Bare: no separator, so only unmistakable values.
        "temporary admin, password Welcome2024! - change it",
        "login admin pw admin123",
    ] {
        assert_eq!(kind(text), Some("password-sentence"), "{text}");
    }
    assert_eq!(kind("my password: Fluffy2019"), Some("password-assignment"));
}

#[test]
fn credential_pairs() {
    for text in [
        "login with admin / S3cret!",
        "Credentials: ops@example.com / Pa$$w0rd2024",
        "wifi: AcmeGuest / Welcome2024!",
        "Router admin: admin / Adm1n!2024",
    ] {
        assert_eq!(kind(text), Some("credential-pair"), "{text}");
    }
    // Either rule may claim it; what matters is that it is refused.
    assert!(kind("user/pass: root/Toor123!").is_some());
}

#[test]
fn placeholders_pointers_and_prose_pass() {
    for text in [
        "token=<redacted>",
        "password=",
        "key=value",
        "password: see vault",
        "password: ********",
        "password: xxxx-xxxx",
        "password: ${DB_PASSWORD}",
        "password: $DB_PASSWORD",
        "password: %DB_PASSWORD%",
        "password: PROD_DB_PASSWORD (env var)",
        "password: /run/secrets/db_password",
        "password: vault:secret/data/acme/db",
        "Password: in 1Password",
        "password: Okta",
        "1Password: Ops shared vault",
        "password: ask Maria for it",
        "password: share-via-calendar-invite",
        "the password is expired",
        "password is required",
        "password expires in 90d",
        "reset the password via the admin console",
        "password policy requires MFA",
        "password reset-2024 ticket",
        "token expires after 24h",
        "ask the client to share the API key through the vault",
        "the key=value format",
        "secret_name=prod/acme/db-credentials",
        "api_key: my_service_api_key_name",
        "bypass: enabled for the migration window",
        "compass: north",
        "LastPass: shared folder Acme",
        "Pass-through authentication enabled",
        "postgres://app:${DB_PASS}@db.internal/app",
        "https://user@host.example.com/path",
        "login via SSO: https://acme.okta.com/app",
        "log in to grafana.acme.io/d/abc123",
        "login at 10:30 tomorrow",
        "account 123456789012 / role ReadOnly",
        "Backup codes: ask the account owner",
    ] {
        assert_eq!(kind(text), None, "{text}");
    }
}

#[test]
fn vendor_tokens() {
    let cases = [
        ("AKIAEXAMPLE7Q2ZK3LMN", "aws-access-key"),
        ("ghp_EXAMPLEexampleEXAMPLEexample1234abcd", "github-token"),
        ("glpat-EXAMPLEexample1234ab", "gitlab-token"),
        (
            "xoxb-1234567890-1234567890123-EXAMPLEexampleEXAMPLE",
            "slack-token",
        ),
        ("sk_live_EXAMPLE1234567890abcdef", "stripe-key"),
        ("AIzaSyEXAMPLE-example_EXAMPLEexample1234", "gcp-api-key"),
        (
            "sk-ant-api03-EXAMPLEexampleEXAMPLEexampleEXAMPLEexample12",
            "anthropic-api-key",
        ),
        ("sk-proj-EXAMPLEexampleEXAMPLEexample1234", "openai-api-key"),
        ("hvs.CAESIEXAMPLEexampleEXAMPLEexample12", "vault-token"),
        ("npm_EXAMPLEexampleEXAMPLEexample12345678", "npm-token"),
    ];
    for (text, rule) in cases {
        assert_eq!(kind(text), Some(rule), "{text}");
    }
    // A prefix without its body is documentation, not a token.
    assert_eq!(kind("token format: ghp_ followed by 36 characters"), None);
}

#[test]
fn structural_secrets() {
    let cases = [
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n-----END OPENSSH PRIVATE KEY-----",
            "private-key",
        ),
        (
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJFWEFNUExFIn0.c2lnbmF0dXJlRVhBTVBMRQ",
            "jwt",
        ),
        (
            "postgres://app:Xk9mP2vL7@db.internal:5432/app",
            "connection-string",
        ),
        (
            "https://deploy:Tr0ub4dor@git.example.com/repo.git",
            "url-credentials",
        ),
        (
            "Server=tcp:sql.example.net,1433;User ID=app;Password=Xk9mP2vL!;",
            "connection-string",
        ),
        (
            "jdbc:mysql://db:3306/shop?user=shop&password=Sh0pP4ss!",
            "connection-string",
        ),
        (
            "curl -u admin:Xk9mP2vL7 https://api.example.com",
            "command-line-password",
        ),
        (
            "mysql -h db01 -u root -pRootP4ss! shop",
            "command-line-password",
        ),
        (
            "docker login -u acme -p Xk9mP2vL7 registry.example.com",
            "command-line-password",
        ),
        (
            r"net use \\fs01\share /user:ACME\jdoe Winter2024!",
            "command-line-password",
        ),
        (
            "Authorization: Basic YWRtaW46U2VjcmV0MTIz",
            "http-authorization",
        ),
        (
            "Authorization: Bearer EXAMPLEgx3dCiBC6u0Ta8jV4wsmZwvGw",
            "http-authorization",
        ),
        (
            "htpasswd: admin:$apr1$EXAMPLE$Zk1mP2vL7qR4tY8wZ3nB6.",
            "password-hash",
        ),
        (
            "Recovery codes: 8f3k-2m9x 7p4q-1z8w 5t6y-0u2i",
            "recovery-codes",
        ),
        (
            "api_key: 9f8e7d6c5b4a39281716a5b4c3d2e1f0",
            "generic-key-assignment",
        ),
        (
            "SECRET_KEY='django-insecure-EXAMPLE)EhY+SAkg&EOV^VL=7C*Q@kc$4'",
            "generic-key-assignment",
        ),
        (
            r#"<add key="ApiKey" value="Xk9mP2vL7qR4tY8wZ3nB6cD1"/>"#,
            "generic-key-assignment",
        ),
        (
            "service token Xk9mP2vL7qR4tY8wZ3nB6cD1eF5gH0jK2",
            "high-entropy-token",
        ),
    ];
    for (text, rule) in cases {
        assert_eq!(kind(text), Some(rule), "{text}");
    }
}

#[test]
fn ordinary_values_pass() {
    for text in [
        "db01.prod.example.com",
        "550e8400-e29b-41d4-a716-446655440000",
        "3f786850e387550fdab836ed7e6dc881de23001b",
        "JIRA-1234",
        "Google Analytics Administrator",
        "jane.doe@example.com",
        "Zoë Ørsted",
        "https://docs.google.com/document/d/1aBcD3fGh1JkLmN0pQrStUvWxYz2AbCdEfGhIjKlMn/edit",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEXAMPLEexampleEXAMPLEexample12345 ops@acme",
        "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "/subscriptions/3f2504e0-4f89-11d3-9a0c-0305e82c3301/resourceGroups/rg-acme/providers/Microsoft.Web",
        "/home/deploy/releases/2024-06-01/current",
        "ThisIsAVeryLongCamelCaseIdentifierForTheReport2024",
        "",
    ] {
        assert_eq!(kind(text), None, "{text}");
    }
}

#[test]
fn helpers() {
    assert!(shannon_entropy("aaaa") < 0.01);
    assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
    assert!(is_path_like("projects/acme/secrets/db/versions/3"));
    assert!(is_path_like("my_super_secret_password_123"));
    assert!(!is_path_like("Xk9mP2vL7qR4/tY8wZ3nB6"));
    assert!(is_random_token("Xk9mP2vL7qR4tY8wZ3nB6cD1eF5gH0jK"));
    assert!(!is_random_token("ThisIsAVeryLongCamelCaseIdentifier2024"));
    assert_eq!(identifier_before("x DB_PASSWORD", 5), "DB_");
    assert_eq!(identifier_before("password", 0), "");
    assert_eq!(final_run("is \"Xk9!"), "Xk9!");
    assert!(is_placeholder("<redacted>") && is_placeholder("see") && !is_placeholder("hunter2"));
    assert!(looks_like_password("hunter2!") && !looks_like_password("expired."));
    assert!(is_quantity("24h") && !is_quantity("2fa4u"));
    assert!(!has_long_run("short words only here", MIN_TOKEN_RUN));
    assert!(has_long_run("x aaaaaaaaaaaaaaaa", MIN_TOKEN_RUN));
}

/// Each disguise of a credential from the "Credentials in disguise" list,
/// with the kind the detector must report for it.
const DISGUISED: &[(&str, &str)] = &[
    ("password:\nWelcome2024!", "password-assignment"),
    ("password:\r\n  Welcome2024!", "password-assignment"),
    ("pass\u{200B}word: Welcome2024!", "password-assignment"),
    ("pass\u{2060}word: Welcome2024!", "password-assignment"),
    ("pass\u{00AD}word: Welcome2024!", "password-assignment"),
    ("pass\u{200D}word: Welcome2024!", "password-assignment"),
    ("p\u{0430}ssword: Welcome2024!", "password-assignment"),
    (
        "\u{0420}\u{0430}\u{0455}\u{0455}word: Welcome2024!",
        "password-assignment",
    ),
    (
        "ｐａｓｓｗｏｒｄ：　Ｗｅｌｃｏｍｅ２０２４！",
        "password-assignment",
    ),
    ("P a s s w o r d: Welcome2024!", "password-assignment"),
    ("p w d : W e l c o m e 2 0 2 4 !", "password-assignment"),
    ("Welcome2024! is the password", "password-sentence"),
    (
        "Welcome2024! is the new VPN password for Maria.",
        "password-sentence",
    ),
    ("the code is 4821", "access-code"),
    ("The door code is 7Xq29!", "access-code"),
    ("4821 is the alarm code.", "access-code"),
    // base64 of "password: Welcome2024!" and of "the password is hunter2!".
    ("cGFzc3dvcmQ6IFdlbGNvbWUyMDI0IQ==", "password-assignment"),
    (
        "note: dGhlIHBhc3N3b3JkIGlzIGh1bnRlcjIh",
        "password-sentence",
    ),
    ("password%3A%20Welcome2024%21", "password-assignment"),
    ("password%3A+Welcome2024%21", "password-assignment"),
    (
        "token ghp_EXAMPLEtQvl2ucn6 G3KJTCIYn7W1RS1apFsM",
        "github-token",
    ),
    ("AKIAEXAMP LEBOZ933BYQ", "aws-access-key"),
    (
        "otpauth://totp/ACME:ann@acme.example?secret=JBSWY3DPEHPK3PXP&issuer=ACME",
        "totp-seed",
    ),
    ("2FA secret JBSWY3DPEHPK3PXP", "totp-seed"),
    ("seed: jbsw y3dp ehpk 3pxp", "totp-seed"),
    ("JBSW-Y3DP-EHPK-3PXP is the 2FA seed", "totp-seed"),
];

#[test]
fn disguised_credentials_are_found() {
    for (text, want) in DISGUISED {
        assert_eq!(kind(text), Some(*want), "{text:?}");
    }
}

#[test]
fn context_decides_for_base32_and_base64_runs() {
    for text in [
        // Bare base32 runs: a project key, an id.
        "JBSWY3DPEHPK3PXP",
        "Project key KRUGS4ZANFZSAYLO",
        // Base64 of ordinary text is ordinary.
        "QUNNRSBxdWFydGVybHkgcmVwb3J0",
        // Words of four letters after "secret" are not a seed.
        "secret santa: this will work fine with some more",
        "2FA enforced for every account since 2024",
        "MFA reset requested by Maria (OPS-2211)",
        "the code is in the repository",
        "the code is OPS-2211",
        "ACME is the code name of the pilot",
        "Okta is the password manager",
        "1Password is the password vault we use",
        "Step 3 is the password reset",
        "100% of the rollout is done",
    ] {
        assert_eq!(kind(text), None, "{text:?}");
    }
}

#[test]
fn ordinary_text_of_many_scripts_passes() {
    for text in [
        "José Müller-Lüdenscheidt",
        "山田 太郎",
        "김민준 (Seoul office)",
        "Ελένη Παπαδοπούλου",
        "Алексей Смирнов, отдел закупок",
        "Доступ к отчётам для бухгалтерии",
        "محمد رضایی",
        "می\u{200C}خواهم دسترسی به گزارش\u{200C}ها",
        "देवनागरी नाम",
        "👩\u{200D}💻 on call this week",
        "+44 20 7946 0000",
        "- call first",
        "A B testing for the landing page",
        "Plan B: 2 people on site",
        "Q3 2024 budget",
        "ＡＣＭＥ Corporation",
    ] {
        assert_eq!(kind(text), None, "{text:?}");
    }
}

#[test]
fn text_over_any_length_limit_is_scanned_to_its_end() {
    let filler = "ordinary words about the quarterly report ".repeat(5_000);
    let text = format!("{filler}pass\u{200B}word: Welcome2024!");
    assert!(text.len() > 200_000);
    assert_eq!(kind(&text), Some("password-assignment"));
    assert_eq!(kind(&filler), None);
    // A secret on a window boundary is still seen whole.
    for at in [
        LONG_TEXT - 10,
        LONG_TEXT + 3,
        2 * LONG_TEXT - WINDOW_OVERLAP - 5,
    ] {
        let mut text = "x".repeat(at);
        text.push_str(" password: Welcome2024! ");
        text.push_str(&"y ".repeat(LONG_TEXT));
        assert_eq!(kind(&text), Some("password-assignment"), "at {at}");
    }
}

#[test]
fn a_link_with_escapes_in_its_path_passes() {
    let link = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjM2ZjY4YzEtNDk0Mi00ZjY0LWI4NjMtZGY2ZTQ4YjNiYTA0%40thread.v2/0";
    assert_eq!(kind(link), None);
    assert_eq!(
        kind("https://x.example/form?note=password%3A%20Welcome2024%21"),
        Some("password-assignment")
    );
}
