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

macro_rules! secret_kinds {
    ($($variant:ident => $rule:literal, $describe:literal;)*) => {
        /// The family of credential that [`find_secret`] found.
        ///
        /// Each family has a stable kebab-case [`rule`](SecretKind::rule) name
        /// for the audit log and a short human [`describe`](SecretKind::describe)
        /// text for error messages.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum SecretKind {
            $($variant,)*
        }

        impl SecretKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [SecretKind] = &[$(SecretKind::$variant,)*];

            /// Stable kebab-case rule name, e.g. "aws-access-key"; recorded in
            /// the audit log, so never rename one.
            pub fn rule(self) -> &'static str {
                match self {
                    $(SecretKind::$variant => $rule,)*
                }
            }

            /// Short human description, e.g. "an AWS access key id".
            pub fn describe(self) -> &'static str {
                match self {
                    $(SecretKind::$variant => $describe,)*
                }
            }
        }
    };
}

secret_kinds! {
    // Generic and context families.
    PasswordAssignment => "password-assignment", "a password written as an assignment (password=..., pwd: ...)";
    PasswordSentence => "password-sentence", "a password written out in a sentence";
    CredentialPair => "credential-pair", "a user name and password pair";
    CommandLinePassword => "command-line-password", "a password on a command line (curl -u, mysql -p, sshpass)";
    HttpAuthorization => "http-authorization", "HTTP Authorization credentials (Basic or Bearer)";
    UrlCredentials => "url-credentials", "a URL with an embedded user name and password";
    ConnectionString => "connection-string", "a database connection string with a password";
    PrivateKey => "private-key", "a private key block";
    Jwt => "jwt", "a JSON Web Token";
    GenericKeyAssignment => "generic-key-assignment", "a random-looking value assigned to a key, token or secret field";
    HighEntropyToken => "high-entropy-token", "a long random-looking token";
    PasswordHash => "password-hash", "a password hash (crypt, bcrypt, argon2)";
    RecoveryCodes => "recovery-codes", "MFA recovery or backup codes";
    // Cloud providers.
    AwsAccessKey => "aws-access-key", "an AWS access key id";
    AwsSecretKey => "aws-secret-key", "an AWS secret access key";
    GcpKey => "gcp-api-key", "a Google API key";
    AzureKey => "azure-key", "an Azure storage key, SAS signature or client secret";
    AlibabaKey => "alibaba-access-key", "an Alibaba Cloud access key id";
    DigitalOceanToken => "digitalocean-token", "a DigitalOcean token";
    HerokuKey => "heroku-api-key", "a Heroku API key";
    CloudflareKey => "cloudflare-key", "a Cloudflare origin CA key";
    YandexKey => "yandex-key", "a Yandex Cloud key or token";
    FlyioToken => "flyio-token", "a Fly.io token";
    // Source hosting, CI and package registries.
    GithubToken => "github-token", "a GitHub token";
    GitlabToken => "gitlab-token", "a GitLab token";
    BitbucketToken => "bitbucket-app-password", "a Bitbucket app password";
    AtlassianToken => "atlassian-api-token", "an Atlassian API token";
    CircleciToken => "circleci-token", "a CircleCI personal API token";
    BuildkiteToken => "buildkite-token", "a Buildkite API token";
    SourcegraphToken => "sourcegraph-token", "a Sourcegraph access token";
    SonarToken => "sonarqube-token", "a SonarQube token";
    DockerHubToken => "dockerhub-token", "a Docker Hub personal access token";
    NpmToken => "npm-token", "an npm access token";
    PypiToken => "pypi-token", "a PyPI upload token";
    RubygemsToken => "rubygems-token", "a RubyGems API token";
    NugetKey => "nuget-api-key", "a NuGet API key";
    ClojarsToken => "clojars-token", "a Clojars deploy token";
    ArtifactoryToken => "artifactory-token", "a JFrog Artifactory token";
    TerraformToken => "terraform-cloud-token", "a Terraform Cloud API token";
    PulumiToken => "pulumi-token", "a Pulumi access token";
    HarnessKey => "harness-api-key", "a Harness API key";
    PrefectToken => "prefect-token", "a Prefect API key";
    // Secret stores and key material.
    VaultToken => "vault-token", "a HashiCorp Vault token";
    DopplerToken => "doppler-token", "a Doppler token";
    OnePasswordSecret => "1password-secret", "a 1Password secret key or service account token";
    AgeSecretKey => "age-secret-key", "an age encryption secret key";
    // Messaging and e-mail.
    SlackToken => "slack-token", "a Slack token or webhook URL";
    TeamsWebhook => "teams-webhook", "a Microsoft Teams webhook URL";
    DiscordToken => "discord-token", "a Discord bot token";
    TelegramBotToken => "telegram-bot-token", "a Telegram bot token";
    TwilioKey => "twilio-api-key", "a Twilio API key";
    SendgridKey => "sendgrid-api-key", "a SendGrid API key";
    SendinblueKey => "brevo-api-key", "a Brevo (Sendinblue) API key";
    MailgunKey => "mailgun-key", "a Mailgun API or signing key";
    MailchimpKey => "mailchimp-api-key", "a Mailchimp API key";
    // Payments and commerce.
    StripeKey => "stripe-key", "a Stripe secret or restricted key";
    SquareToken => "square-token", "a Square access token or secret";
    ShopifyToken => "shopify-token", "a Shopify access token or shared secret";
    FlutterwaveKey => "flutterwave-key", "a Flutterwave key";
    EasypostKey => "easypost-api-key", "an EasyPost API key";
    ShippoToken => "shippo-token", "a Shippo API token";
    DuffelToken => "duffel-token", "a Duffel API token";
    LobKey => "lob-api-key", "a Lob API key";
    // AI providers.
    OpenAiKey => "openai-api-key", "an OpenAI API key";
    AnthropicKey => "anthropic-api-key", "an Anthropic API key";
    HuggingFaceToken => "huggingface-token", "a Hugging Face access token";
    GroqKey => "groq-api-key", "a Groq API key";
    PerplexityKey => "perplexity-api-key", "a Perplexity API key";
    XaiKey => "xai-api-key", "an xAI API key";
    ReplicateToken => "replicate-token", "a Replicate API token";
    PineconeKey => "pinecone-api-key", "a Pinecone API key";
    // Observability.
    DatadogKey => "datadog-key", "a Datadog API or application key";
    NewRelicKey => "new-relic-key", "a New Relic key";
    SentryToken => "sentry-token", "a Sentry auth token";
    GrafanaToken => "grafana-token", "a Grafana API key or token";
    DynatraceToken => "dynatrace-token", "a Dynatrace API token";
    // Other SaaS.
    LinearKey => "linear-api-key", "a Linear API key";
    PostmanKey => "postman-api-key", "a Postman API key";
    DatabricksToken => "databricks-token", "a Databricks access token";
    NotionToken => "notion-token", "a Notion integration token";
    AirtableToken => "airtable-token", "an Airtable personal access token";
    AsanaToken => "asana-token", "an Asana personal access token";
    LaunchdarklyKey => "launchdarkly-key", "a LaunchDarkly key";
    ContentfulToken => "contentful-token", "a Contentful personal access token";
    TypeformToken => "typeform-token", "a Typeform personal token";
    ReadmeToken => "readme-api-key", "a ReadMe API key";
    FacebookToken => "facebook-token", "a Facebook access token";
    TwitterToken => "twitter-bearer-token", "a Twitter/X bearer token";
    DropboxToken => "dropbox-token", "a Dropbox access token";
    MapboxToken => "mapbox-token", "a Mapbox access token";
    PlanetscaleToken => "planetscale-token", "a PlanetScale password or token";
    SupabaseToken => "supabase-token", "a Supabase access token or secret key";
    TailscaleKey => "tailscale-key", "a Tailscale key";
    NetlifyToken => "netlify-token", "a Netlify access token";
    RenderKey => "render-api-key", "a Render API key";
    OctopusKey => "octopus-deploy-key", "an Octopus Deploy API key";
    MaxmindKey => "maxmind-license-key", "a MaxMind license key";
    ClickhouseKey => "clickhouse-cloud-key", "a ClickHouse Cloud key";
    InfracostToken => "infracost-token", "an Infracost API token";
    FrameioToken => "frameio-token", "a Frame.io API token";
    ScalingoToken => "scalingo-token", "a Scalingo API token";
    DefinedNetworkingToken => "defined-networking-token", "a Defined Networking API token";
    AdobeSecret => "adobe-client-secret", "an Adobe client secret";
    AuthressKey => "authress-key", "an Authress service client key";
    OpenshiftToken => "openshift-token", "an OpenShift user token";
    SettlemintToken => "settlemint-token", "a SettleMint token";
    Intra42Secret => "intra42-client-secret", "a 42 intra client secret";
    SidekiqSecret => "sidekiq-secret", "a Sidekiq Enterprise/Pro credential";
}

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
static VENDOR_RULES: &[Rule] = &[
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
static CONTEXT_RULES: &[Rule] = &[
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
static GENERIC_RULES: &[Rule] = &[
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
const PASSWORD_WORDS: &str = concat!(
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

/// `password: value`, `pwd=value`, `"password" => "value"`.
const PASSWORD_ASSIGNMENT_TAIL: &str = concat!(
    r"(?i)^",
    password_qualifiers!(),
    r#"["'`]?[ \t]*(?::=|=>|->|[:=：])[ \t]*["'`]?([^\s"'`;,]+)"#
);

/// "the password is value", "das Passwort lautet value", "密码是value".
const PASSWORD_SENTENCE_TAIL: &str = concat!(
    r"(?i)^",
    password_qualifiers!(),
    // Multi-word verbs first: the first alternative that fits wins.
    r"(?:[ \t]+(?:is[ \t]+now|has[ \t]+been|will[ \t]+be|(?:set|changed|reset|updated)[ \t]+to",
    r"|is|was|now|ist|lautet|war|est|était|etait|es|era|è|é|jest|to|är|var|er|on|oli|je|wordt|werd)",
    r"(?:[ \t]*:)?[ \t]+|[ \t]*(?:是|为|為|は|는|은)[ \t]*)",
    r#"["'`]?([^\s"'`]+)"#
);

/// "password Welcome2024!": the word, a space, the value.
const PASSWORD_BARE_TAIL: &str = concat!(
    r"(?i)^",
    password_qualifiers!(),
    r#"[ \t]+["'`]?([^\s"'`]+)"#
);

/// Words that introduce a user/password pair.
const LOGIN_WORDS: &str = concat!(
    r"(?i)(?-u:\b)(?:login|log[ -]?in|logon|sign[ -]?in|user(?:name)?|account|acct|creds?|credentials|admin",
    r"|wifi|wi-fi|wlan|ssid",
    r"|benutzer(?:name)?|zugangsdaten|anmeldedaten|utilisateur|identifiants?|usuario|usuário|utente",
    r"|credenziali|inloggen|gebruiker(?:snaam)?|inloggegevens|användare|inloggning|użytkownik|uzytkownik)"
);

/// "... admin / S3cret!", "...: root/Toor123!", "... svc_ci | Xk9!...": a few
/// words, then user, separator, password.
const CREDENTIAL_PAIR_TAIL: &str =
    r"^[^\n]{0,40}?[\s:=]([^\s/:|]{2,64})[ \t]*([/:|])[ \t]*([^\s]{3,64})";

static PASSWORD_WORD: LazyLock<Regex> = LazyLock::new(|| build_regex(PASSWORD_WORDS));
static PASSWORD_ASSIGNMENT: LazyLock<Regex> =
    LazyLock::new(|| build_regex(PASSWORD_ASSIGNMENT_TAIL));
static PASSWORD_SENTENCE: LazyLock<Regex> = LazyLock::new(|| build_regex(PASSWORD_SENTENCE_TAIL));
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
        r"|://|-----begin|putty|authorization|mysql|sshpass|(?:^|\s)-u\s|[^\s:]:[^\s:@/]+@"
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
pub fn find_secret(text: &str) -> Option<SecretKind> {
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
            && let Some(m) = PASSWORD_BARE.find(tail)
            && bare_password(final_run(m.as_str()))
        {
            return Some(SecretKind::PasswordSentence);
        }
    }
    None
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

/// Drops surrounding quotes and one sentence-ending punctuation run.
fn strip_quotes_and_full_stop(value: &str) -> &str {
    value
        .trim_matches(['"', '\'', '`'])
        .trim_end_matches(['.', ',', ';'])
}

/// Drops quotes, brackets and trailing punctuation, for classifying words.
fn clean_value(value: &str) -> &str {
    value
        .trim_matches(['"', '\'', '`'])
        .trim_start_matches(['(', '['])
        .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}', '>', '"', '\''])
}

/// Words that show a value is not the password itself: pointers to where it
/// lives ("see vault", "in 1Password"), statements about it ("expired",
/// "reset", "required") and placeholders ("n/a", "redacted"). Several
/// languages, since the password words are multilingual too.
const NOT_A_SECRET: &[&str] = &[
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

static NOT_A_SECRET_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| NOT_A_SECRET.iter().copied().collect());

/// Prefixes of references to where a secret is kept.
const POINTER_PREFIXES: &[&str] = &[
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

/// Placeholders and pointers: `<redacted>`, `[REDACTED]`, `{{ secret }}`,
/// `${DB_PASSWORD}`, `$DB_PASS`, `%PASSWORD%`, `********`, `xxxx`,
/// `/run/secrets/db`, `see`, `vault:db/prod`, ...
fn is_placeholder(raw: &str) -> bool {
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
fn is_constant_name(value: &str) -> bool {
    value.contains('_')
        && value.starts_with(|c: char| c.is_ascii_uppercase())
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
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

/// Does a value written in a sentence look like a password (rather than an
/// ordinary word, a number or a duration)?
fn looks_like_password(raw: &str) -> bool {
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
fn is_quantity(value: &str) -> bool {
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
fn shannon_entropy(value: &str) -> f64 {
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
fn is_high_entropy_value(raw: &str) -> bool {
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
fn is_random_token(raw: &str) -> bool {
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
fn word_fraction(value: &str) -> f64 {
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
enum Class {
    Lower,
    Upper,
    Digit,
    Other,
}

fn class_of(c: char) -> Class {
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

fn class_switch_ratio(value: &str) -> f64 {
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
fn is_path_like(value: &str) -> bool {
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
fn is_mostly_path(value: &str) -> bool {
    let segments: Vec<&str> = value.split('/').filter(|s| !s.is_empty()).collect();
    segments.len() >= 3 && segments.iter().filter(|s| is_wordish(s)).count() * 2 >= segments.len()
}

/// "Users", "v1", "index2", "UserProfile", "2024": runs of lowercase letters
/// are at least two long and there are few digit runs. Random text almost
/// always has a lone lowercase letter between capitals or digits.
fn is_wordish(segment: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_rules_compile() {
        let standalone = [
            PASSWORD_WORDS,
            PASSWORD_ASSIGNMENT_TAIL,
            PASSWORD_SENTENCE_TAIL,
            PASSWORD_BARE_TAIL,
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
        assert!(
            is_placeholder("<redacted>") && is_placeholder("see") && !is_placeholder("hunter2")
        );
        assert!(looks_like_password("hunter2!") && !looks_like_password("expired."));
        assert!(is_quantity("24h") && !is_quantity("2fa4u"));
        assert!(!has_long_run("short words only here", MIN_TOKEN_RUN));
        assert!(has_long_run("x aaaaaaaaaaaaaaaa", MIN_TOKEN_RUN));
    }
}
