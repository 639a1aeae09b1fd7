//! The command line, as clap types. Names here are the CLI contract: scripts depend on
//! them, so flags are added, never renamed.

use crate::domain::lifecycle::RetroOutcome;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Track the access a project needs before work can start.
///
/// Without a command, opens the full-screen tracker on the database. The acting person
/// is always the OS account running the command.
#[derive(Debug, Parser)]
#[command(name = "accessdesk", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    /// Database file shared by the team [default: the per-user data folder]
    #[arg(long, global = true, env = "ACCESSDESK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,
    /// Personal configuration file (TOML: theme, keys, date format, mouse, saved views) [default: ACCESSDESK_CONFIG, else config.toml in the per-user config folder]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Open the database for reading only: nothing is migrated, created or changed; commands that write exit 3 (rule read-only)
    #[arg(long, global = true)]
    pub read_only: bool,
    /// How much to log to the log file: off, error, warn, info, debug or trace [default: RUST_LOG, else info]
    #[arg(long, global = true, value_name = "LEVEL", value_parser = ["off", "error", "warn", "info", "debug", "trace"])]
    pub log_level: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

const EXIT_CODES: &str = "Exit codes: 0 done; 1 error (I/O, corrupt input, not found); 2 usage; \
3 refused by a rule (the message names it); 4 conflict with a concurrent change.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write sample data into a fresh file and open the tracker on it
    Demo(DemoArgs),
    /// Create the database (if needed) and register yourself as admin and coordinator
    Init(InitArgs),
    /// Register people and their roles
    #[command(subcommand)]
    People(PeopleCmd),
    /// Add, list, close and reopen client projects, and move their start
    #[command(subcommand)]
    Project(ProjectCmd),
    /// Access items: add, edit, move through the workflow, list, show
    #[command(subcommand)]
    Item(ItemCmd),
    /// Implementation tasks and the access they wait for
    #[command(subcommand)]
    Task(TaskCmd),
    /// Import access items from CSV (every row becomes a new item in `needed`)
    Import(ImportArgs),
    /// Export access items as CSV or JSON to standard output
    Export(ExportArgs),
    /// Readiness, blockers and the other measures, per project and overall
    Report(super::report::ReportArgs),
    /// Write the audit evidence (items, decisions, reviews, summary, manifest) into a new or empty folder
    Evidence(super::evidence::EvidenceArgs),
    /// Access reviews: certify or revoke every live access of a project
    #[command(subcommand)]
    Review(ReviewCmd),
    /// The system catalogue: each system's roles from least to most privilege
    #[command(subcommand)]
    System(SystemCmd),
    /// Templates: the access items one kind of implementation always needs (TOML files)
    #[command(subcommand)]
    Template(TemplateCmd),
    /// Check the hash-chained event log
    #[command(subcommand)]
    Audit(AuditCmd),
    /// This host's installation: is it guarded?
    #[command(subcommand)]
    Host(HostCmd),
    /// Your personal configuration (presentation only): show what is in effect, write the default
    #[command(subcommand)]
    Config(super::personal::ConfigCmd),
    /// Team settings (stale days, readiness target, pilot window): show, or set (admins)
    #[command(subcommand)]
    Settings(super::settings::SettingsCmd),
    /// Print a shell completion script (bash, zsh or fish) to standard output
    Completions(super::completions::CompletionsArgs),
    /// Print the manual page (roff) to standard output
    Man,
}

#[derive(Debug, Subcommand)]
pub enum HostCmd {
    /// Exit 0 when the installation is guarded, 1 otherwise, listing each problem with its fix
    Check,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Print a summary instead of opening the tracker
    #[arg(long)]
    pub no_tui: bool,
    /// Generate N synthetic items (N/100 projects, full histories) instead of the sample data
    #[arg(long, value_name = "N")]
    pub scale: Option<usize>,
    /// Seed of the --scale generator
    #[arg(long, default_value_t = 1, requires = "scale")]
    pub seed: u64,
    /// Of the --scale items, put N in one more project (LIVE) with all access live (review benchmarks)
    #[arg(long, value_name = "N", requires = "scale")]
    pub live_project: Option<usize>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Share the file with this OS group (mode 0660) instead of keeping it private (0600)
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PeopleCmd {
    /// Register an OS login with roles, or change its roles (admins only)
    Add {
        login: String,
        /// admin, coordinator, security, approver, support (comma-separated)
        #[arg(
            long,
            value_delimiter = ',',
            required = true,
            value_name = "ROLE[,ROLE...]"
        )]
        role: Vec<String>,
        /// Display name
        #[arg(long)]
        name: Option<String>,
    },
    /// List registered people
    List,
    /// Deactivate a person who left (admins only); `people add` makes them active again
    Deactivate { login: String },
}

#[derive(Debug, Subcommand)]
pub enum ProjectCmd {
    /// Add a client project
    Add {
        /// Short upper-case key used in item ids, e.g. ACME
        key: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        client: String,
        /// Planned start of implementation
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        start: NaiveDate,
        /// IANA time zone of the project's dates [default: the host's]
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        /// Coordinator login [default: you]
        #[arg(long)]
        coordinator: Option<String>,
        /// Create the template's items too (in `needed`, dates from the start)
        #[arg(long, value_name = "NAME")]
        template: Option<String>,
    },
    /// List projects
    List,
    /// The template items the project lacks, cancelled without a replacement, or asks
    /// for at another role
    Check { key: String },
    /// Close a project: no new work; prints the checklist it leaves (live access to
    /// revoke, shared credentials to rotate), each blocking until done
    Close { key: String },
    /// Reopen a project closed by mistake
    Reopen { key: String },
    /// Move a project's planned start (needed-by dates left to the start move with it)
    Edit {
        key: String,
        /// New planned start; once the old start was reached, ready-before-start stays frozen at it
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        start: NaiveDate,
    },
}

/// Fields of an access item as flags (shared by `item add` and `item edit`).
#[derive(Debug, Args, Default)]
pub struct FieldArgs {
    /// System the access is for, e.g. "Google Analytics 4"
    #[arg(long)]
    pub system: Option<String>,
    /// The task or purpose it serves
    #[arg(long)]
    pub purpose: Option<String>,
    /// Requested role or permission scope (least privilege)
    #[arg(long)]
    pub role: Option<String>,
    /// Who or which account receives the access
    #[arg(long)]
    pub holder: Option<String>,
    /// Client-side owner of the account/credential
    #[arg(long)]
    pub credential_owner: Option<String>,
    /// Registered login who decides on the request
    #[arg(long, value_name = "LOGIN")]
    pub approver: Option<String>,
    /// delegated-account, temporary-link, admin-approved-flow, vault, sso-invite
    #[arg(long, value_name = "M")]
    pub method: Option<String>,
    /// Expiry of temporary access
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub expires: Option<NaiveDate>,
    /// How temporary access ends: on-date or at-project-end
    #[arg(long, value_name = "RULE")]
    pub deprovision: Option<String>,
    /// Security exception: why the policy is bent
    #[arg(long, value_name = "REASON")]
    pub exception: Option<String>,
    /// Who owns the exception (registered login)
    #[arg(long, value_name = "LOGIN")]
    pub exception_owner: Option<String>,
    /// When the exception ends
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub exception_expires: Option<NaiveDate>,
    /// When the access is needed [default: the project's start]
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub needed_by: Option<NaiveDate>,
    /// Free-text notes (never credentials)
    #[arg(long)]
    pub notes: Option<String>,
    /// Why a role above the system's standard (least) role is needed; required before submit
    #[arg(long, value_name = "TEXT")]
    pub justification: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddFlags {
    /// Temporary access (needs --expires)
    #[arg(long)]
    pub temporary: bool,
    /// Privileged access (roles with admin/owner/root/superuser are flagged anyway)
    #[arg(long)]
    pub privileged: bool,
    /// The credential is shared between people
    #[arg(long)]
    pub shared_credential: bool,
    /// The system is owned and run by the client
    #[arg(long)]
    pub client_owned: bool,
}

#[derive(Debug, Args)]
pub struct EditFlags {
    /// true for temporary access, false for permanent
    #[arg(long, value_name = "BOOL")]
    pub temporary: Option<bool>,
    #[arg(long, value_name = "BOOL")]
    pub privileged: Option<bool>,
    #[arg(long, value_name = "BOOL")]
    pub shared_credential: Option<bool>,
    #[arg(long, value_name = "BOOL")]
    pub client_owned: Option<bool>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum ItemCmd {
    /// Add an access item (in `needed`); missing fields are named at submit
    Add {
        #[arg(long, value_name = "KEY")]
        project: String,
        #[command(flatten)]
        fields: FieldArgs,
        #[command(flatten)]
        flags: AddFlags,
    },
    /// Change fields; --version must be the item's current version. Pass "" to clear a field
    Edit {
        id: String,
        /// The version your change is based on (see `item show`)
        #[arg(long)]
        version: i64,
        #[command(flatten)]
        fields: FieldArgs,
        #[command(flatten)]
        flags: EditFlags,
    },
    /// List items
    List {
        #[arg(long, value_name = "KEY")]
        project: Option<String>,
        #[arg(long)]
        state: Option<String>,
        /// Only blocking items, with reasons and blocker age
        #[arg(long)]
        blocked: bool,
        /// The expiry radar: temporary access and security exceptions ending within DAYS
        /// (or past), soonest first, with when each ends and the action it needs
        #[arg(long, value_name = "DAYS")]
        expiring: Option<i64>,
        /// Write CSV (the import/export columns)
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
    /// Show one item: fields, approvals, blockers, history and the collection instruction
    Show { id: String },
    /// A copy-ready message for whoever the item waits on: who, what, since when, what to do
    Nudge { id: String },
    /// needed → requested (names every missing field at once)
    Submit {
        id: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Cancel an item that is not live
    Cancel {
        id: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// denied/requested → needed (approvals lapse)
    Reopen {
        id: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Approve as approval owner, or as security for flagged items (on live access: its waiting extension)
    Approve {
        id: String,
        /// Conditions of the approval (shorter expiry, extra control)
        #[arg(long)]
        conditions: Option<String>,
        /// Condition: the access ends by this date (the earliest end wins; permanent access becomes temporary)
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        expires_by: Option<NaiveDate>,
        /// Condition: multi-factor authentication is required
        #[arg(long)]
        mfa: bool,
        /// Condition: read-only access first
        #[arg(long)]
        read_only_first: bool,
        /// Condition: when the access may be used (e.g. "weekdays 08:00-18:00 CET")
        #[arg(long, value_name = "TEXT")]
        hours: Option<String>,
        /// The version you decided on (from `item show`); a newer one is refused (exit 4)
        #[arg(long, value_name = "N")]
        version: Option<i64>,
    },
    /// Deny a request (reason required; on live access: its waiting extension, access unchanged)
    Deny {
        id: String,
        /// Why it is denied
        #[arg(long)]
        reason: String,
        /// The version you decided on (from `item show`); a newer one is refused (exit 4)
        #[arg(long, value_name = "N")]
        version: Option<i64>,
    },
    /// Return a request for changes (reason required)
    Return {
        id: String,
        /// What to change
        #[arg(long)]
        reason: String,
        /// The version you decided on (from `item show`); a newer one is refused (exit 4)
        #[arg(long, value_name = "N")]
        version: Option<i64>,
    },
    /// approved → granted, recording the safe method actually used
    Grant {
        id: String,
        #[arg(long, value_name = "M")]
        method: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// granted → verified: how scope and credential owner were checked (not by whoever granted it)
    Verify {
        id: String,
        #[arg(long)]
        note: String,
        /// Where the check is recorded: a ticket or a vault path (never a secret)
        #[arg(long, value_name = "REF")]
        reference: Option<String>,
    },
    /// granted/verified → revoked: how removal was confirmed
    Revoke {
        id: String,
        #[arg(long)]
        note: String,
    },
    /// Flag the item as blocking, with a reason
    Block {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Clear a manual blocker flag
    Unblock { id: String },
    /// Emergency grant: needs a reason; a different security person must review it
    /// within 72 hours. Refused while a retrospective of yours is overdue
    BreakGlass {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Ask to extend live temporary access to a later end; it stays live with its old
    /// expiry until the extension has every approval the item needs
    Extend {
        id: String,
        /// The new end date asked for
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        expires: NaiveDate,
        /// Why the access is needed for longer
        #[arg(long)]
        reason: Option<String>,
        /// The version you based the request on (from `item show`); a newer one is refused (exit 4)
        #[arg(long, value_name = "N")]
        version: Option<i64>,
    },
    /// Close the break-glass retrospective (a security person other than who broke the
    /// glass); `--outcome revoke` also revokes the access
    CloseRetro {
        id: String,
        /// What the retrospective concluded: keep the access, or revoke it
        #[arg(long, value_parser = parse_outcome, value_name = "accepted|revoke")]
        outcome: RetroOutcome,
        #[arg(long)]
        note: String,
    },
    /// Record that the exposed (or shared) credential was rotated: who did it and how
    /// that was confirmed
    Rotated {
        id: String,
        #[arg(long)]
        note: String,
    },
    /// Add a note to the item's history
    Note {
        id: String,
        #[arg(long)]
        note: String,
    },
    /// Hand one pending decision to another registered person who may take it
    Delegate {
        id: String,
        /// Who takes the decision (a security decision goes only to security)
        #[arg(long, value_name = "LOGIN")]
        to: String,
        #[arg(long)]
        reason: String,
    },
    /// Record that someone tried to hand over a credential by an unsafe channel; the
    /// item then blocks (rotation-due) until `item rotated`
    UnsafeAttempt {
        id: String,
        #[arg(long, value_name = "email|chat|form|other")]
        channel: String,
        #[arg(long)]
        note: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TaskCmd {
    /// Add an implementation task that waits for access items
    Add {
        #[arg(long, value_name = "KEY")]
        project: String,
        #[arg(long)]
        title: String,
        /// Items it depends on
        #[arg(long, value_delimiter = ',', value_name = "ID[,ID...]")]
        needs: Vec<String>,
        /// Planned start [default: the project's start]
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        start: Option<NaiveDate>,
    },
    /// List tasks and whether they are blocked
    List {
        #[arg(long, value_name = "KEY")]
        project: Option<String>,
    },
    /// Show a task and the state of the access it needs
    Show { id: String },
    /// Change a task's title, planned start or the items it needs
    Edit(super::tasks::TaskEditArgs),
    /// Record the day work on a task started (today by default)
    Start(super::tasks::TaskDayArgs),
    /// Record the day a task was done (today by default)
    Done(super::tasks::TaskDayArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    #[arg(long, value_name = "KEY")]
    pub project: String,
    /// Check every row, write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_name = "KEY")]
    pub project: Option<String>,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ListFormat,
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Walk the event chain; exit 1 naming the first bad seq
    Verify {
        /// Also check that the chain still reaches the head recorded in this anchor file
        #[arg(long, value_name = "FILE")]
        anchor: Option<PathBuf>,
    },
    /// Write the current head (seq and hash) to FILE, to keep somewhere else
    Anchor { file: PathBuf },
}

#[derive(Debug, Args)]
pub struct SystemAddArgs {
    pub name: String,
    /// What kind of system (analytics, website, billing, ...)
    #[arg(long, value_name = "C")]
    pub category: String,
    /// The roles from least to most privilege, separated by <: "Viewer<Editor<Administrator"
    #[arg(long, value_name = "A<B<C")]
    pub roles: String,
    /// Roles that are privileged, separated by ; (a role may hold a comma)
    #[arg(long, value_name = "X;Y")]
    pub privileged_roles: Option<String>,
    /// Roles whose name reads as privileged but are not here (security only), separated by ;
    #[arg(long, value_name = "X;Y")]
    pub not_privileged_roles: Option<String>,
    /// The collection method usually used for this system
    #[arg(long, value_name = "M")]
    pub default_method: Option<String>,
    /// The system is owned and run by the client
    #[arg(long)]
    pub client_owned: bool,
}

#[derive(Debug, Subcommand)]
pub enum SystemCmd {
    /// Catalogue a system (or replace its entry); admin or security
    Add(SystemAddArgs),
    /// List the catalogue
    List,
    /// Show one system: its roles, the privileged ones, the standard role
    Show { name: String },
}

#[derive(Debug, Subcommand)]
pub enum TemplateCmd {
    /// Import a template from a TOML file (a new one, or a new version; admins and coordinators)
    Import { file: std::path::PathBuf },
    /// Write a template as TOML to standard output (it imports back unchanged)
    Export { name: String },
    /// List templates
    List,
    /// Show a template's items
    Show { name: String },
    /// Add a template's items to a project, skipping systems it asks for already
    Apply {
        name: String,
        #[arg(long)]
        project: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCmd {
    /// Open a review (certification campaign) over every live access of a project
    Start {
        #[arg(long, value_name = "KEY")]
        project: String,
        /// When every decision is due; undecided access then blocks (review-overdue)
        #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
        due: Option<NaiveDate>,
    },
    /// List reviews with their progress
    List {
        #[arg(long, value_name = "KEY")]
        project: Option<String>,
    },
    /// One review: every access it covers and its decision
    Show { id: i64 },
    /// Keep an access (or, with --all-standard, every undecided access without a review flag)
    Certify {
        #[arg(required_unless_present = "all_standard", value_name = "ITEM")]
        item: Option<String>,
        /// The review [default: the open review that waits for the item]
        #[arg(long, value_name = "ID")]
        campaign: Option<i64>,
        #[arg(long)]
        note: Option<String>,
        /// Certify every undecided standard access of --campaign; flagged access is left
        #[arg(long, requires = "campaign", conflicts_with = "item")]
        all_standard: bool,
    },
    /// Decide that an access goes: it blocks (revocation-due) until `item revoke`
    Revoke {
        item: String,
        /// The review [default: the open review that waits for the item]
        #[arg(long, value_name = "ID")]
        campaign: Option<i64>,
        #[arg(long)]
        note: Option<String>,
    },
}

/// Parses a strict YYYY-MM-DD date (as import and the forms do): impossible dates such
/// as 2026-02-30, other shapes and years outside 2000-2199 are refused.
fn parse_outcome(s: &str) -> Result<RetroOutcome, String> {
    s.parse()
}

pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    crate::domain::dates::parse(s).map_err(|r| r.message())
}
