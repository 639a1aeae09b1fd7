//! The detector's data: the credential shapes it knows, grouped as vendor, context
//! and generic rules, the words that label a password or a login in the languages
//! accessdesk's users write, and the words and prefixes that show a value is not a
//! secret. A table only; how the rules are compiled and applied is in the parent
//! module.

use super::*;

/// Prefixes a pattern with an ASCII word boundary (see the module docs for
/// why it is not a Unicode one).
macro_rules! wb {
    ($p:literal) => {
        concat!(r"(?-u:\b)", $p)
    };
}

/// An assignment separator with optional quotes around it: `key = "v"`,
/// `"key": "v"`, `key := v`, `key => v`, `key is v`.
macro_rules! assign {
    () => {
        r#"["'`]?[ \t]*(?::=|=>|->|[:=]|(?-u:\b)is(?-u:\b))[ \t]*["'`]?"#
    };
}

/// A lowercase UUID, the shape of several vendors' API keys.
macro_rules! uuid {
    () => {
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    };
}

use SecretKind as K;

/// Fixed vendor token shapes. Most have a distinctive prefix, so a match is
/// a credential by itself. Order matters: the first matching rule names the
/// kind, so narrower shapes come before broader ones (Anthropic's `sk-ant-`
/// before OpenAI's `sk-`, Square's `EAAA` before Facebook's `EAA`, Grafana's
/// `eyJrIjoi` before plain JWTs).
pub(super) static VENDOR_RULES: &[Rule] = &[
    rule(
        K::GithubToken,
        wb!(r"(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})"),
    ),
    rule(
        K::GitlabToken,
        wb!(
            r"(?:(?:glpat|glptt|gldt|glrt|glcbt|glft|glimt|glagent|gloas|glsoat|glffct)-[A-Za-z0-9_-]{20,}|GR1348941[A-Za-z0-9_-]{20,})"
        ),
    ),
    rule(
        K::SlackToken,
        wb!(r"xox[abposr]-[0-9]{6,}-[A-Za-z0-9-]{8,}"),
    ),
    rule(
        K::SlackToken,
        wb!(r"xoxe(?:\.xox[bp])?-[0-9]-[A-Za-z0-9]{60,}"),
    ),
    rule(
        K::SlackToken,
        wb!(r"xapp-[0-9]-[A-Z0-9]{6,}-[0-9]{6,}-[A-Za-z0-9]{20,}"),
    ),
    rule(
        K::SlackToken,
        r"(?i)hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}",
    ),
    rule(
        K::StripeKey,
        wb!(r"(?:(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{24,})"),
    ),
    rule(K::GcpKey, wb!(r"AIza[0-9A-Za-z_-]{35}")),
    rule(
        K::AwsAccessKey,
        wb!(r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?-u:\b)"),
    ),
    checked(
        K::AwsSecretKey,
        concat!(
            r"(?i)(?:aws[A-Za-z0-9_. -]{0,25}?(?:secret|sk)|secret[_ .-]?access[_ .-]?key)[A-Za-z0-9_.-]{0,25}",
            assign!(),
            r"([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"
        ),
        check_value_group1,
    ),
    rule(K::TwilioKey, wb!(r"SK[0-9a-fA-F]{32}(?-u:\b)")),
    rule(
        K::SendgridKey,
        wb!(r"SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}"),
    ),
    rule(K::NpmToken, wb!(r"npm_[A-Za-z0-9]{36}(?-u:\b)")),
    rule(K::PypiToken, wb!(r"pypi-AgE[IN][A-Za-z0-9_-]{50,}")),
    rule(K::ShopifyToken, wb!(r"shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}")),
    rule(
        K::AnthropicKey,
        wb!(r"sk-ant-[a-z]{2,8}[0-9]{0,2}-[A-Za-z0-9_-]{32,}"),
    ),
    rule(
        K::OpenAiKey,
        wb!(
            r"(?:sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|sk-[A-Za-z0-9]{32,64}(?-u:\b))"
        ),
    ),
    rule(K::DigitalOceanToken, wb!(r"do[opr]_v1_[a-f0-9]{64}")),
    rule(K::HerokuKey, wb!(r"HRKU-[A-Za-z0-9_-]{40,}")),
    rule(
        K::HerokuKey,
        concat!(r"(?i)heroku[A-Za-z0-9_. -]{0,30}?", assign!(), uuid!()),
    ),
    rule(K::MailgunKey, wb!(r"(?:pub)?key-[a-f0-9]{32}(?-u:\b)")),
    rule(
        K::MailgunKey,
        concat!(
            r"(?i)mailgun[^\n]{0,40}?",
            wb!(r"[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}(?-u:\b)")
        ),
    ),
    rule(K::MailchimpKey, wb!(r"[a-f0-9]{32}-us[0-9]{1,2}(?-u:\b)")),
    rule(K::AtlassianToken, wb!(r"AT[AC]TT3[A-Za-z0-9_=-]{60,}")),
    checked(
        K::AtlassianToken,
        concat!(
            r"(?i)(?:atlassian|confluence|jira)[A-Za-z0-9_. -]{0,25}?(?:token|key|secret|pat)[A-Za-z0-9_.-]{0,10}",
            assign!(),
            r"([A-Za-z0-9]{24})(?-u:\b)"
        ),
        check_value_group1,
    ),
    rule(
        K::DopplerToken,
        wb!(r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,}"),
    ),
    rule(K::VaultToken, wb!(r"hv[sbr]\.[A-Za-z0-9_-]{24,}")),
    // Legacy Vault tokens are just `s.` and 24 characters; only a mixed-case,
    // digit-bearing value is taken, so sentences like "s.abc..." pass.
    span_checked(
        K::VaultToken,
        wb!(r"s\.[A-Za-z0-9]{24}(?-u:\b)"),
        check_mixed_span,
    ),
    rule(
        K::DatabricksToken,
        wb!(r"dapi[a-f0-9]{32}(?:-[0-9])?(?-u:\b)"),
    ),
    rule(
        K::DatadogKey,
        concat!(
            r"(?i)(?:datadog|dd)[_ .-]?(?:api|app|application)[_ .-]?key[A-Za-z0-9_.-]{0,10}",
            assign!(),
            r"[a-f0-9]{32,40}(?-u:\b)"
        ),
    ),
    rule(
        K::NewRelicKey,
        wb!(
            r"(?:NRAK-[A-Z0-9]{27}|NRJS-[a-f0-9]{19}|NRII-[A-Za-z0-9_-]{32}|NRAA-[a-f0-9]{27}|[a-f0-9]{36}NRAL)(?-u:\b)"
        ),
    ),
    rule(
        K::LinearKey,
        wb!(r"(?:lin_api_[A-Za-z0-9]{40}|lin_oauth_[a-f0-9]{64})(?-u:\b)"),
    ),
    rule(
        K::PostmanKey,
        wb!(r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}(?-u:\b)"),
    ),
    rule(
        K::AzureKey,
        r"(?i)(?:AccountKey|SharedAccessKey|PrimaryKey|SecondaryKey)[ \t]*=[ \t]*[A-Za-z0-9+/]{30,}",
    ),
    rule(K::AzureKey, r"(?i)[?&]sig=[A-Za-z0-9%+/]{30,}"),
    rule(
        K::AzureKey,
        wb!(r"[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}"),
    ),
    rule(
        K::HuggingFaceToken,
        wb!(r"(?:hf_|api_org_)[A-Za-z0-9]{30,}(?-u:\b)"),
    ),
    rule(
        K::AgeSecretKey,
        r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
    ),
    rule(K::AlibabaKey, wb!(r"LTAI[A-Za-z0-9]{12,20}(?-u:\b)")),
    rule(K::CloudflareKey, wb!(r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}")),
    rule(
        K::DiscordToken,
        wb!(r"[MNO][A-Za-z0-9]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}"),
    ),
    rule(K::DropboxToken, wb!(r"sl\.(?:u\.)?[A-Za-z0-9_=-]{100,}")),
    rule(
        K::DynatraceToken,
        wb!(r"dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}"),
    ),
    rule(K::EasypostKey, wb!(r"EZ[AT]K[A-Za-z0-9]{54}")),
    rule(
        K::SquareToken,
        wb!(r"(?:sq0atp-[A-Za-z0-9_-]{22,60}|sq0csp-[A-Za-z0-9_-]{43}|EAAA[A-Za-z0-9_-]{60})"),
    ),
    rule(K::FacebookToken, wb!(r"EAA[A-Z][A-Za-z0-9]{80,}")),
    rule(
        K::FlutterwaveKey,
        wb!(r"FLW(?:PUBK|SECK)_(?:TEST|LIVE)-[A-Za-z0-9]{12,}"),
    ),
    rule(
        K::GrafanaToken,
        wb!(
            r"(?:eyJrIjoi[A-Za-z0-9]{60,}|glc_[A-Za-z0-9+/]{32,}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})"
        ),
    ),
    rule(
        K::TerraformToken,
        wb!(r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}"),
    ),
    rule(
        K::HarnessKey,
        wb!(r"(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}"),
    ),
    rule(
        K::OnePasswordSecret,
        wb!(
            r"(?:A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}|ops_eyJ[A-Za-z0-9+/]{100,})"
        ),
    ),
    rule(
        K::PlanetscaleToken,
        wb!(r"pscale_(?:pw|tkn|oauth)_[A-Za-z0-9_.=-]{32,}"),
    ),
    rule(K::PrefectToken, wb!(r"pnu_[A-Za-z0-9]{36}")),
    rule(K::PulumiToken, wb!(r"pul-[a-f0-9]{40}")),
    rule(K::ReadmeToken, wb!(r"rdme_[a-z0-9]{70}")),
    rule(K::RubygemsToken, wb!(r"rubygems_[a-f0-9]{48}")),
    rule(
        K::SendinblueKey,
        wb!(r"(?:xkeysib|xsmtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}"),
    ),
    rule(
        K::SentryToken,
        wb!(r"(?:sntrys_eyJ[A-Za-z0-9+/=_]{40,}|sntryu_[a-f0-9]{64})"),
    ),
    rule(K::ShippoToken, wb!(r"shippo_(?:live|test)_[a-f0-9]{40}")),
    rule(K::TelegramBotToken, wb!(r"[0-9]{8,10}:AA[A-Za-z0-9_-]{33}")),
    rule(K::TwitterToken, wb!(r"A{22}[A-Za-z0-9%]{60,}")),
    rule(K::TypeformToken, wb!(r"tfp_[A-Za-z0-9_.=-]{59}")),
    rule(
        K::YandexKey,
        wb!(r"(?:AQVN[A-Za-z0-9_-]{35,38}|t1\.[A-Za-z0-9_-]+=*\.[A-Za-z0-9_-]{86})"),
    ),
    rule(K::ClojarsToken, wb!(r"CLOJARS_[A-Za-z0-9]{60}")),
    rule(K::FrameioToken, wb!(r"fio-u-[A-Za-z0-9_=-]{64}")),
    rule(K::InfracostToken, wb!(r"ico-[A-Za-z0-9]{32}")),
    rule(K::Intra42Secret, wb!(r"s-s4t2(?:ud|af)-[a-f0-9]{64}")),
    rule(
        K::LobKey,
        wb!(r"(?:live|test)_(?:pub_)?[a-f0-9]{31,35}(?-u:\b)"),
    ),
    rule(
        K::MapboxToken,
        wb!(r"(?:pk|sk|tk)\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}"),
    ),
    rule(
        K::TeamsWebhook,
        r"(?i)https://[a-z0-9-]+\.webhook\.office\.com/webhookb2/[A-Za-z0-9@-]{20,}",
    ),
    rule(K::ScalingoToken, wb!(r"tk-us-[A-Za-z0-9_-]{48}")),
    rule(
        K::DuffelToken,
        wb!(r"duffel_(?:test|live)_[A-Za-z0-9_=-]{43}"),
    ),
    rule(
        K::DefinedNetworkingToken,
        wb!(r"dnkey-[A-Za-z0-9=_-]{26}-[A-Za-z0-9=_-]{52}"),
    ),
    rule(K::AdobeSecret, wb!(r"p8e-[A-Za-z0-9]{32}(?-u:\b)")),
    rule(K::AirtableToken, wb!(r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}")),
    rule(
        K::AuthressKey,
        wb!(
            r"(?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}\.[A-Za-z0-9+/_=-]{30,}"
        ),
    ),
    rule(K::OpenshiftToken, wb!(r"sha256~[A-Za-z0-9_-]{43}")),
    rule(K::PerplexityKey, wb!(r"pplx-[A-Za-z0-9]{48}")),
    rule(
        K::SettlemintToken,
        wb!(r"sm_(?:pat|aat|sat)_[A-Za-z0-9]{16}(?-u:\b)"),
    ),
    rule(
        K::NotionToken,
        wb!(r"(?:ntn_[0-9]{11}[A-Za-z0-9]{32,}|secret_[A-Za-z0-9]{43})(?-u:\b)"),
    ),
    rule(K::OctopusKey, wb!(r"API-[A-Z0-9]{26}(?-u:\b)")),
    rule(
        K::MaxmindKey,
        wb!(r"[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk(?-u:\b)"),
    ),
    rule(
        K::ArtifactoryToken,
        wb!(r"(?:AKCp[A-Za-z0-9]{69}|cmVmd[A-Za-z0-9]{59})(?-u:\b)"),
    ),
    rule(K::ClickhouseKey, wb!(r"4b1d[A-Za-z0-9]{38}(?-u:\b)")),
    rule(
        K::TailscaleKey,
        wb!(r"tskey-(?:auth|api|client|scim|webhook)-[A-Za-z0-9]{6,}-[A-Za-z0-9]{16,}"),
    ),
    rule(K::GroqKey, wb!(r"gsk_[A-Za-z0-9]{48,}")),
    rule(K::XaiKey, wb!(r"xai-[A-Za-z0-9]{70,}")),
    rule(K::ReplicateToken, wb!(r"r8_[A-Za-z0-9]{37}(?-u:\b)")),
    rule(K::BuildkiteToken, wb!(r"bkua_[a-f0-9]{40}")),
    rule(K::DockerHubToken, wb!(r"dckr_pat_[A-Za-z0-9_-]{27,}")),
    rule(K::ContentfulToken, wb!(r"CFPAT-[A-Za-z0-9_-]{43}")),
    rule(
        K::SourcegraphToken,
        wb!(r"sgp_(?:[a-f0-9]{16}_|local_)?[a-f0-9]{40}"),
    ),
    rule(
        K::SupabaseToken,
        wb!(r"(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{30,})"),
    ),
    rule(K::SonarToken, wb!(r"sq[pua]_[a-f0-9]{40}")),
    rule(
        K::FlyioToken,
        wb!(r"(?:fm[12][ar]?_[A-Za-z0-9+/=_-]{100,}|fo1_[A-Za-z0-9_-]{43})"),
    ),
    rule(K::NugetKey, wb!(r"oy2[a-z0-9]{43}(?-u:\b)")),
    rule(K::PineconeKey, wb!(r"pcsk_[A-Za-z0-9_]{40,}")),
    rule(
        K::AsanaToken,
        wb!(r"[0-9]/[0-9]{10,16}(?:/[0-9]{10,16})?:[a-f0-9]{32}(?-u:\b)"),
    ),
    rule(
        K::LaunchdarklyKey,
        concat!(wb!(r"(?:api|sdk|mob)-"), uuid!(), r"(?-u:\b)"),
    ),
    rule(K::BitbucketToken, wb!(r"ATBB[A-Za-z0-9_=.-]{28,}")),
    rule(
        K::CircleciToken,
        wb!(r"CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}"),
    ),
    rule(K::NetlifyToken, wb!(r"nfp_[A-Za-z0-9]{36}")),
    rule(K::RenderKey, wb!(r"rnd_[A-Za-z0-9]{32}")),
    rule(
        K::SidekiqSecret,
        r#"(?i)BUNDLE_(?:ENTERPRISE|GEMS)__CONTRIBSYS__COM[ \t]*[:=][ \t]*["']?[a-f0-9]{8}:[a-f0-9]{8}"#,
    ),
    // crypt(3) family: `$apr1$`, `$1$`, `$5$`, `$6$`, bcrypt `$2b$12$`,
    // yescrypt `$y$`, argon2 `$argon2id$v=19$...`. A hash can be cracked
    // offline, so it is treated like the password.
    rule(
        K::PasswordHash,
        r"\$(?:apr1|1|2[abxy]?|5|6|7|y|gy|argon2(?:id|i|d)|pbkdf2(?:-sha(?:1|256|512))?|scrypt)\$[A-Za-z0-9./$=,+]{16,}",
    ),
    rule(
        K::Jwt,
        wb!(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*"),
    ),
];

/// Context rules with a fixed structure (URLs, connection strings, command
/// lines, key blocks). They only run when [`CONTEXT_KEYWORDS`] finds one of
/// their keywords, because values such as `hunter2` are far shorter than
/// [`MIN_TOKEN_RUN`]. Password words and user/password pairs are handled by
/// [`scan_password_words`] and [`scan_credential_pairs`].
/// A base32 two-factor seed as apps show it: one run of 16 or more, or
/// groups of four separated by blanks or hyphens ("JBSW Y3DP EHPK 3PXP").
macro_rules! base32_seed {
    () => {
        r"(?-u:\b)((?:[A-Za-z2-7]{4}(?:[ \t-][A-Za-z2-7]{4}){3,}|[A-Za-z2-7]{16,})=*)(?-u:\b)"
    };
}

/// Words that make a base32 run next to them a two-factor seed.
macro_rules! seed_words {
    () => {
        r"(?:secret|seed|2fa|mfa|totp|otp|authenticator|two[ -]factor)"
    };
}

/// Places a code or PIN opens: "the door code", "the Wi-Fi PIN".
macro_rules! code_owner {
    () => {
        r"(?:access|door|entry|gate|alarm|safe|lock|unlock|keypad|wifi|wi-fi|security|verification|sms|2fa|mfa|otp|login|one-time|sign-in)"
    };
}

pub(super) static CONTEXT_RULES: &[Rule] = &[
    // An otpauth:// link carries the seed of a second factor in its query.
    rule(K::TotpSeed, r"(?i)otpauth(?:-migration)?://[^\s]{4,}"),
    // A base32 run is only a seed when a word says so, before or after it:
    // a bare run is as likely a project key or an id.
    checked(
        K::TotpSeed,
        concat!(r"(?i)", seed_words!(), r"[^\n]{0,24}?", base32_seed!()),
        check_seed_group1,
    ),
    checked(
        K::TotpSeed,
        concat!(r"(?i)", base32_seed!(), r"[^\n]{0,24}?", seed_words!()),
        check_seed_group1,
    ),
    // "the code is 4821", "the door code: 7Xq-29!", "the PIN was 0451".
    checked(
        K::AccessCode,
        concat!(
            r"(?i)(?-u:\b)(?:the|my|our|your|",
            code_owner!(),
            r")[ \t]+(?:code|pin)(?:[ \t]+(?:is|was|is[ \t]+now|lautet|est|es|è|é)[ \t]+|[ \t]*[:=][ \t]*)",
            r#"["'`]?([^\s"'`]+)"#
        ),
        check_access_code_group1,
    ),
    // "4821 is the door code", "7Xq-29! was our PIN." The clause must end
    // after the word: "ACME is the code name" names a project.
    checked(
        K::AccessCode,
        concat!(
            r#"(?i)(?:^|\s)["'`]?([^\s"'`]{4,64})["'`]?[ \t]+(?:is|was)[ \t]+(?:the|my|our|your)[ \t]+(?:"#,
            code_owner!(),
            r"[ \t]+)?(?:code|pin)(?-u:\b)(?:[ \t]*$|[ \t]*[.,;:!?)]|[ \t]+(?:for|to|of|on|at)(?-u:\b))"
        ),
        check_access_code_group1,
    ),
    rule(
        K::PrivateKey,
        r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----",
    ),
    rule(K::PrivateKey, r"PuTTY-User-Key-File-[0-9]+:"),
    // Database schemes first so that they are reported as connection strings.
    checked(
        K::ConnectionString,
        r"(?i)(?-u:\b)(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|mssql|sqlserver|oracle|cockroachdb|clickhouse|couchdb|neo4j(?:\+s)?|cassandra|snowflake|db2)://([^\s/:@]*):([^\s/@?#]+)@[^\s/@]",
        check_url_password,
    ),
    checked(
        K::UrlCredentials,
        r"(?i)(?-u:\b)[a-z][a-z0-9+.-]{1,20}://([^\s/:@]*):([^\s/@?#]+)@[^\s/@]",
        check_url_password,
    ),
    // `admin:S3cret!@203.0.113.10`: user and password before a host, without
    // a scheme. Only a password-looking value counts (`mailto:ann@x.org`).
    checked(
        K::UrlCredentials,
        r"(?-u:\b)[A-Za-z0-9._-]{2,32}:([^\s:@/]{4,64})@(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)",
        check_userinfo_password,
    ),
    // ADO.NET / ODBC: `Server=...;User Id=...;Password=...;`
    checked(
        K::ConnectionString,
        r"(?i)(?:server|data source|host|address|addr|network address|hostname)[ \t]*=[^;\n]*;[^\n]*?(?:password|pwd)[ \t]*=[ \t]*([^;\n]+)",
        check_plain_group1,
    ),
    checked(
        K::ConnectionString,
        r"(?i)jdbc:[a-z0-9]+:[^\s]*?[?;&:]password=([^&;\s]+)",
        check_plain_group1,
    ),
    checked(
        K::ConnectionString,
        r"(?i)jdbc:oracle:[a-z]+:[A-Za-z0-9_$#]+/([^\s@/]+)@",
        check_plain_group1,
    ),
    checked(
        K::CommandLinePassword,
        r#"(?:^|\s)(?:-u|--user)[ \t]+["']?[^\s:"']+:([^\s"']+)"#,
        check_plain_group1,
    ),
    // `-p` is case-sensitive: mysql's `-P` is the port.
    checked(
        K::CommandLinePassword,
        r"(?i)(?-u:\b)mysql(?:dump|admin|sh)?(?-u:\b)[^\n]*?[ \t](?-i:-p)([^\s-][^\s]*)",
        check_plain_group1,
    ),
    checked(
        K::CommandLinePassword,
        r#"(?i)(?-u:\b)(?:docker|podman|helm|oc|buildah|skopeo|nerdctl)(?:[ \t]+registry)?[ \t]+login(?-u:\b)[^\n]*?[ \t](?-i:-p|--password)[ \t=]+["']?([^\s"']+)"#,
        check_plain_group1,
    ),
    // Windows: `net use \\server\share /user:DOMAIN\name password`.
    checked(
        K::CommandLinePassword,
        r"(?i)(?-u:\b)net[ \t]+use[^\n]*?/user:[^\s]+[ \t]+([^\s/]+)",
        check_plain_group1,
    ),
    // .NET appSettings: `<add key="ApiKey" value="..."/>`.
    checked(
        K::GenericKeyAssignment,
        r#"(?i)key[ \t]*=[ \t]*["']([^"']*)["'][ \t]+value[ \t]*=[ \t]*["']([^"']+)["']"#,
        check_app_setting,
    ),
    checked(
        K::CommandLinePassword,
        r#"(?i)(?-u:\b)sshpass[ \t]+-p[ \t]*["']?([^\s"']+)"#,
        check_plain_group1,
    ),
    rule(
        K::HttpAuthorization,
        r#"(?i)authorization[ \t]*[:=][ \t]*["']?basic[ \t]+[A-Za-z0-9+/]{8,}={0,2}"#,
    ),
    checked(
        K::RecoveryCodes,
        r"(?i)(?:recovery|backup|mfa|2fa|otp|one-time|scratch)[ -]?codes?[ \t]*[:=][ \t]*([A-Za-z0-9]{3,}(?:-[A-Za-z0-9]{3,})?)",
        check_code_group1,
    ),
];

/// Generic rules: judged on the randomness of the value, so they come last.
pub(super) static GENERIC_RULES: &[Rule] = &[
    checked(
        K::HttpAuthorization,
        r"(?i)(?-u:\b)bearer[ \t]+([A-Za-z0-9_~+/.=-]{16,})",
        check_value_group1,
    ),
    // A quoted value may contain any punctuation (Django's SECRET_KEY does);
    // an unquoted one ends at the first character outside base64/base64url.
    checked(
        K::GenericKeyAssignment,
        concat!(
            r"(?i)(?:key|token|secret|passw(?:or)?d|passphrase|pwd|credentials?|creds|signature|cookie|session[_-]?id|seed|pat(?-u:\b))[A-Za-z0-9_.-]{0,20}",
            // "api key for the staging env: ...".
            r"(?:[ \t]+(?:for|of|on|to|in)(?:[ \t]+[A-Za-z0-9_.-]+){1,3})?",
            r#"["'`]?[ \t]*(?::=|=>|->|[:=]|(?-u:\b)is(?-u:\b))[ \t]*"#,
            r#"(?:"([^"\s]{16,})"|'([^'\s]{16,})'|`([^`\s]{16,})`|([A-Za-z0-9_+/=.~-]{16,}))"#
        ),
        check_any_group_value,
    ),
    // "encryption key 0x5f3a...", "signing key AbC9...": a key word followed
    // directly by a long value.
    checked(
        K::GenericKeyAssignment,
        r"(?i)(?:encryption|signing|secret|private|master|api|access|aes|hmac|session|shared)[ _-]?key[ \t]+(?:0x)?([A-Za-z0-9+/=_-]{32,})",
        check_value_group1,
    ),
    span_checked(
        K::HighEntropyToken,
        r"[A-Za-z0-9+/_=-]{32,}",
        check_bare_token,
    ),
];

/// Words that label a password, in the languages accessdesk's users write
/// notes in. Longer spellings come before their prefixes (`password` before
/// `pass`) because the first alternative that matches wins. The short ones
/// (`pass`, `pw`, ...) may not be glued to other letters, see
/// [`keyword_prefix_ok`]; the long ones may carry an identifier prefix
/// (`DB_PASSWORD`, `PGPASSWORD`, `adminPwd`).
pub(super) const PASSWORD_WORDS: &str = concat!(
    r"(?i)passwor[dt]|passwd|passphrase|passcode|pwd|kennwort|wachtwoord|l[öo]senord(?:et)?|salasana",
    r"|adgangskode[n]?|passord(?:et)?|contrase[ñn]a|contrasenya|mot[ -]de[ -]passe|parola d'ordine",
    r"|parola chiave|senha|has[łl](?:o|a|em)|heslo|jelsz[óo]|[şs]ifre|пароль|密码|密碼|パスワード|비밀번호",
    r"|(?:wlan|wifi|wi-fi|wpa[23]?|netzwerk)[ -]?(?:schlüssel|key)|pre-?shared[ -]key",
    r"|pass|pw|psw|psk|mdp|clave|parola"
);

/// What may stand between a password word and its separator, matched at the
/// start of the text after the word.
macro_rules! password_qualifiers {
    () => {
        concat!(
            // "password (temporary)", "Wachtwoord (tijdelijk)".
            r"(?:[ \t]*\([^)\n]{1,30}\))?",
            // Adjectives that follow the noun in Romance and other languages:
            // "senha provisória", "contraseña temporal", "mot de passe initial".
            r"(?:[ \t]+(?:provis[óo]ri[ao]|provisoire|provvisori[ao]|tempor[aá]ri[ao]|temporal|temporaire",
            r"|temporane[ao]|inicial|initiale?|iniziale|tijdelijk|tymczasowe|tillfälligt|nuev[ao]|nouveau",
            r"|nuov[ao]|nov[ao]|nowe|nieuw|neues|actual|actuel|attuale|atual))?",
            // A short qualifier: "password for the prod db: ...".
            r"(?:[ \t]+(?:for|of|to|on|für|fürs|von|vom|zum|zur|der|des|pour|du|de|des|au|para|del|da|do|dos|das|no|na|ao",
            r"|per|di|della|dello|dei|degli|voor|van|bij|för|till|på|dla|do|na|til|az)",
            r"(?:[ \t]+[^\s:=：]+){1,3}",
            // Elided Italian/French articles: "password dell'account è ...".
            r"|[ \t]+(?:dell|dall|nell|sull|all|d)['’][^\s:=：]+(?:[ \t]+[^\s:=：]+){0,2})?"
        )
    };
}

/// "Welcome2024! is the password": the value before the word, matched
/// against the text up to the word. What follows the word is checked apart
/// ([`super::ends_clause`]), so "Okta is the password manager" passes.
pub(super) const PASSWORD_BEFORE: &str = concat!(
    r#"(?i)(?:^|[\s(])["'`]?([^\s"'`]+)["'`]?[ \t]+"#,
    r"(?:is|was|=|will[ \t]+be|is[ \t]+now|becomes)[ \t]+",
    r"(?:(?:the|my|our|your|his|her|their|a|an)[ \t]+)?(?:[A-Za-z0-9-]+[ \t]+){0,2}$"
);

/// `password: value`, `pwd=value`, `"password" => "value"`.
pub(super) const PASSWORD_ASSIGNMENT_TAIL: &str = concat!(
    r"(?i)^",
    password_qualifiers!(),
    r#"["'`]?[ \t]*(?::=|=>|->|[:=：])[ \t]*["'`]?([^\s"'`;,]+)"#
);

/// "the password is value", "das Passwort lautet value", "密码是value".
pub(super) const PASSWORD_SENTENCE_TAIL: &str = concat!(
    r"(?i)^",
    password_qualifiers!(),
    // Multi-word verbs first: the first alternative that fits wins.
    r"(?:[ \t]+(?:is[ \t]+now|has[ \t]+been|will[ \t]+be|(?:set|changed|reset|updated)[ \t]+to",
    r"|is|was|now|ist|lautet|war|est|était|etait|es|era|è|é|jest|to|är|var|er|on|oli|je|wordt|werd)",
    r"(?:[ \t]*:)?[ \t]+|[ \t]*(?:是|为|為|は|는|은)[ \t]*)",
    r#"["'`]?([^\s"'`]+)"#
);

/// "password Welcome2024!": the word, a space, the value.
pub(super) const PASSWORD_BARE_TAIL: &str = concat!(
    r"(?i)^",
    password_qualifiers!(),
    r#"[ \t]+["'`]?([^\s"'`]+)"#
);

/// Words that introduce a user/password pair.
pub(super) const LOGIN_WORDS: &str = concat!(
    r"(?i)(?-u:\b)(?:login|log[ -]?in|logon|sign[ -]?in|user(?:name)?|account|acct|creds?|credentials|admin",
    r"|wifi|wi-fi|wlan|ssid",
    r"|benutzer(?:name)?|zugangsdaten|anmeldedaten|utilisateur|identifiants?|usuario|usuário|utente",
    r"|credenziali|inloggen|gebruiker(?:snaam)?|inloggegevens|användare|inloggning|użytkownik|uzytkownik)"
);

/// "... admin / S3cret!", "...: root/Toor123!", "... svc_ci | Xk9!...": a few
/// words, then user, separator, password.
pub(super) const CREDENTIAL_PAIR_TAIL: &str =
    r"^[^\n]{0,40}?[\s:=]([^\s/:|]{2,64})[ \t]*([/:|])[ \t]*([^\s]{3,64})";

/// Words that show a value is not the password itself: pointers to where it
/// lives ("see vault", "in 1Password"), statements about it ("expired",
/// "reset", "required") and placeholders ("n/a", "redacted"). Several
/// languages, since the password words are multilingual too.
pub(super) const NOT_A_SECRET: &[&str] = &[
    // English function words and pointers.
    "a",
    "an",
    "the",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "see",
    "in",
    "on",
    "at",
    "by",
    "for",
    "from",
    "to",
    "of",
    "via",
    "with",
    "without",
    "and",
    "or",
    "not",
    "no",
    "none",
    "nil",
    "null",
    "n/a",
    "na",
    "n.a",
    "empty",
    "blank",
    "unset",
    "unknown",
    "tbd",
    "tba",
    "tbc",
    "todo",
    "pending",
    "required",
    "optional",
    "needed",
    "missing",
    "same",
    "as",
    "per",
    "ask",
    "check",
    "request",
    "requested",
    "contact",
    "stored",
    "saved",
    "kept",
    "held",
    "managed",
    "shared",
    "sent",
    "provided",
    "given",
    "supplied",
    "available",
    "attached",
    "below",
    "above",
    "here",
    "there",
    "inside",
    "handed",
    "delivered",
    "emailed",
    "texted",
    "verbal",
    "verbally",
    "separately",
    "separate",
    "link",
    "form",
    "portal",
    "file",
    "envelope",
    "only",
    "also",
    "still",
    "already",
    "again",
    "always",
    "never",
    "currently",
    "your",
    "my",
    "our",
    "their",
    "his",
    "her",
    "its",
    "this",
    "that",
    "these",
    "those",
    "it",
    "we",
    "you",
    "they",
    "if",
    "when",
    "please",
    "use",
    "using",
    "used",
    "enter",
    "entered",
    "typed",
    "must",
    "should",
    "will",
    "can",
    "cannot",
    "may",
    "might",
    "has",
    "have",
    "had",
    "does",
    "do",
    "did",
    // Password managers and secret stores.
    "vault",
    "vaults",
    "keeper",
    "keepass",
    "keepassxc",
    "lastpass",
    "bitwarden",
    "1password",
    "onepassword",
    "dashlane",
    "passbolt",
    "cyberark",
    "thycotic",
    "doppler",
    "infisical",
    "manager",
    "secretsmanager",
    "keyvault",
    // Identity providers: "password: Okta" means the IdP holds it.
    "okta",
    "entra",
    "azuread",
    "google",
    "microsoft",
    "onelogin",
    "jumpcloud",
    "auth0",
    "keycloak",
    "duo",
    "ping",
    "pingid",
    // States and properties.
    "redacted",
    "hidden",
    "removed",
    "masked",
    "omitted",
    "withheld",
    "censored",
    "obfuscated",
    "encrypted",
    "protected",
    "reset",
    "expired",
    "expires",
    "expiring",
    "rotated",
    "rotate",
    "rotation",
    "changed",
    "change",
    "updated",
    "update",
    "set",
    "configured",
    "generated",
    "random",
    "auto",
    "automatic",
    "default",
    "temporary",
    "temp",
    "initial",
    "new",
    "old",
    "current",
    "previous",
    "policy",
    "policies",
    "rules",
    "requirements",
    "length",
    "complexity",
    "strength",
    "minimum",
    "min",
    "max",
    "maximum",
    "characters",
    "chars",
    "forgotten",
    "forgot",
    "lost",
    "locked",
    "unlocked",
    "disabled",
    "enabled",
    "valid",
    "invalid",
    "wrong",
    "incorrect",
    "correct",
    "weak",
    "strong",
    "good",
    "bad",
    "ok",
    "okay",
    "yes",
    "true",
    "false",
    "off",
    "unchanged",
    "sso",
    "saml",
    "oauth",
    "oidc",
    "mfa",
    "2fa",
    "otp",
    "totp",
    "ldap",
    "kerberos",
    "ssh",
    "key",
    "keys",
    "token",
    "tokens",
    "certificate",
    "cert",
    // Self-referential placeholders.
    "secret",
    "password",
    "passwd",
    "pass",
    "pwd",
    "value",
    "string",
    "text",
    "placeholder",
    "example",
    "sample",
    "dummy",
    "xxx",
    // German, French, Spanish, Italian, Dutch, Portuguese, Polish, Swedish.
    "siehe",
    "im",
    "wird",
    "ist",
    "nicht",
    "kein",
    "keine",
    "unverändert",
    "voir",
    "dans",
    "est",
    "aucun",
    "aucune",
    "non",
    "identique",
    "ver",
    "en",
    "ninguno",
    "ninguna",
    "igual",
    "vedi",
    "nel",
    "nessuno",
    "nessuna",
    "zie",
    "geen",
    "nenhum",
    "nenhuma",
    "zobacz",
    "brak",
    "se",
    "ingen",
    "inget",
];

/// Prefixes of references to where a secret is kept.
pub(super) const POINTER_PREFIXES: &[&str] = &[
    "vault:",
    "vault/",
    "vault://",
    "op://",
    "secret/",
    "secrets/",
    "secret://",
    "kv/",
    "ssm:",
    "arn:aws:secretsmanager",
    "arn:aws:ssm",
    "env:",
    "file:",
    "@microsoft.keyvault",
    "keyvault:",
    "akv:",
    "projects/",
    "your",
    "redacted",
];
