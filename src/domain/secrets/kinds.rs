//! The families of credential the detector names, each with its stable rule name
//! (recorded in the audit log, never renamed) and a short description for messages.

macro_rules! secret_kinds {
    ($($variant:ident => $rule:literal, $describe:literal;)*) => {
        /// The family of credential that [`find_secret`](super::find_secret) found.
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
    AccessCode => "access-code", "an access code or PIN written out in a sentence";
    TotpSeed => "totp-seed", "a two-factor (TOTP) seed or otpauth:// link";
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
