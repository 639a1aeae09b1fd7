//! The command line: parses arguments, opens the store, calls it, prints. It decides
//! nothing itself — every rule is the domain's — and maps outcomes to exit codes:
//! 0 done, 1 error, 2 usage, 3 refused by a rule, 4 conflict with a concurrent change.

/// `println!` that hands a failed write back instead of panicking (see [`output`]).
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::output::line(&format!($($arg)*))
    };
}

pub mod args;
mod catalogue;
mod completions;
mod decide;
mod evidence;
mod expiring;
pub mod help;
mod host;
mod items;
mod logging;
mod nudge;
mod outlook;
mod output;
mod personal;
mod project;
mod read_only;
mod report;
mod review;
mod safe_json;
mod settings;
mod setup;
mod tasks;
mod template;
pub mod words;

use crate::store::{self, Store};
use args::{Cli, Command};
use std::path::PathBuf;
use std::process::ExitCode;

/// What a command ended with, mapped to an exit code.
#[derive(Debug)]
pub enum Failure {
    /// Exit 1 with a message.
    Error(String),
    /// Exit 2: the arguments were wrong.
    Usage(String),
    /// Exit 3: a rule refused (a text already worded, e.g. an import report).
    Refused(String),
    /// Exit 3: a rule refused, as data; worded by [`words::refusal`].
    Rule(Box<crate::domain::Refusal>),
    /// Exit 4: a concurrent change.
    Conflict(String),
    /// Exit 0, nothing said: whoever read standard output closed it (`| head`), so
    /// there is nobody to tell.
    Closed,
}

impl Failure {
    pub fn code(&self) -> u8 {
        match self {
            Failure::Error(_) => 1,
            Failure::Usage(_) => 2,
            Failure::Refused(_) | Failure::Rule(_) => 3,
            Failure::Conflict(_) => 4,
            Failure::Closed => 0,
        }
    }
    fn message(&self) -> String {
        match self {
            Failure::Error(m) | Failure::Usage(m) | Failure::Refused(m) | Failure::Conflict(m) => {
                m.clone()
            }
            Failure::Rule(r) => words::refusal(r),
            Failure::Closed => String::new(),
        }
    }
    fn refusal(&self) -> Option<&crate::domain::Refusal> {
        match self {
            Failure::Rule(r) => Some(r),
            _ => None,
        }
    }
}

impl From<store::Error> for Failure {
    fn from(e: store::Error) -> Self {
        match e {
            store::Error::Refused(r) => Failure::Rule(Box::new(r)),
            store::Error::Conflict(m) => Failure::Conflict(format!("conflict: {m}")),
            store::Error::Missing {
                path,
                missing_folder,
            } => Failure::Error(format!(
                "{} (create it with `accessdesk init --db {}`, or name another with --db or ACCESSDESK_DB)",
                store::Error::Missing {
                    path: path.clone(),
                    missing_folder,
                },
                path.display()
            )),
            other => Failure::Error(other.to_string()),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure::Closed;
        }
        Failure::Error(e.to_string())
    }
}

pub type CmdResult = Result<(), Failure>;

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let json = cli.json;
    let code = match dispatch(cli) {
        Ok(()) | Err(Failure::Closed) => {
            tracing::info!(exit = 0, "done");
            0
        }
        Err(f) => {
            // The rule's name only: the message may quote what was typed.
            match f.refusal() {
                Some(r) => tracing::warn!(exit = f.code(), rule = r.rule.name(), "refused"),
                None => tracing::warn!(exit = f.code(), "failed"),
            }
            let msg = f.message();
            output::notice(&crate::domain::text::sanitize_multiline(msg.trim_end()));
            if json {
                output::to_stderr(&words::json_error(&msg, f.refusal(), f.code()));
            }
            f.code()
        }
    };
    // A command whose notice or error could not be written did not tell what it had to.
    if code == 0 && output::stderr_failed() {
        return ExitCode::from(1);
    }
    ExitCode::from(code)
}

impl From<crate::domain::Refusal> for Failure {
    fn from(r: crate::domain::Refusal) -> Self {
        Failure::Rule(Box::new(r))
    }
}

/// Where the database is: --db, then ACCESSDESK_DB (clap reads both), then the
/// personal configuration, then the default.
fn db_path(cli: &Cli, config: &crate::config::Config) -> Result<PathBuf, Failure> {
    match (&cli.db, &config.database) {
        (Some(p), _) => Ok(p.clone()),
        (None, Some(d)) => Ok(d.value.clone()),
        (None, None) => store::default_path().ok_or_else(|| {
            Failure::Error(
                "cannot find a home folder for the default database; pass --db PATH".into(),
            )
        }),
    }
}

/// Opens the store, telling the user on standard error while another process holds
/// the write lock. A missing file is an error: only `init` and `demo` make one.
pub fn open_store(path: &std::path::Path) -> Result<Store, Failure> {
    if let Some(s) = host::take_opened(path) {
        return Ok(s);
    }
    if read_only::on() {
        return with_notices(Store::open_read_only(path)?);
    }
    with_notices(Store::open(path)?)
}

/// Opens the store, making the file when missing (`init`).
pub fn create_store(path: &std::path::Path) -> Result<Store, Failure> {
    with_notices(Store::create(path)?)
}

fn with_notices(mut s: Store) -> Result<Store, Failure> {
    s.on_wait(Box::new(|waited| {
        output::notice(&format!(
            "waiting for another accessdesk process to finish writing ({}s)...",
            waited.as_secs()
        ));
    }));
    if let Some(w) = s.permission_warning() {
        output::notice(&w);
    }
    Ok(s)
}

fn dispatch(cli: Cli) -> CmdResult {
    let json = cli.json;
    // Neither reads the database: they work for anyone, before the installation's checks.
    match &cli.command {
        Some(Command::Completions(a)) => return completions::completions(a),
        Some(Command::Man) => return completions::man(),
        _ => {}
    }
    read_only::set(cli.read_only);
    let start = host::start(&cli)?;
    // After a guarded installation gave its group up: the log is the person's.
    logging::start(cli.log_level.as_deref());
    tracing::info!(command = %logging::command_name(), read_only = cli.read_only, "start");
    if cli.read_only {
        read_only::refuse_writes(&cli)?;
    }
    // Read now, after a guarded installation gave its group up: as the person.
    let config = crate::config::load(cli.config.as_deref());
    personal::keep(&config);
    let guarded = matches!(start, host::Start::Guarded { .. });
    let config_cmd = matches!(cli.command, Some(Command::Config(_)));
    if guarded
        && !config_cmd
        && let Some(f) = personal::guarded_database(&config)
    {
        return Err(f);
    }
    let path = match &start {
        host::Start::Guarded { path, init } => {
            if let Some(done) = init {
                return host::report_init(path, done);
            }
            path.clone()
        }
        host::Start::Check(_) => PathBuf::new(),
        host::Start::Plain if config_cmd => db_path(&cli, &config).unwrap_or_default(),
        host::Start::Plain => db_path(&cli, &config)?,
    };
    let db_source = match (&cli.db, &config.database) {
        _ if guarded => crate::config::Source::Default,
        (Some(_), _) => personal::db_source(),
        (None, Some(d)) => d.source.clone(),
        (None, None) => crate::config::Source::Default,
    };
    match cli.command {
        Some(Command::Host(c)) => host::command(c, start, json),
        None => setup::open_tui(&path),
        Some(Command::Demo(a)) => setup::demo(cli.db.as_deref(), &a),
        Some(Command::Init(a)) => setup::init(&path, a.group.as_deref()),
        Some(Command::People(c)) => setup::people(&path, c, json),
        Some(Command::Project(c)) => setup::project(&path, c, json),
        Some(Command::Item(c)) => items::item(&path, c, json),
        Some(Command::Task(c)) => tasks::task(&path, c, json),
        Some(Command::Import(a)) => items::import(&path, a, json),
        Some(Command::Export(a)) => items::export(&path, a),
        Some(Command::Report(a)) => report::report(&path, a, json),
        Some(Command::Evidence(a)) => evidence::evidence(&path, a, json),
        Some(Command::Review(c)) => review::command(&path, c, json),
        Some(Command::System(c)) => catalogue::command(&path, c, json),
        Some(Command::Template(c)) => template::command(&path, c, json),
        Some(Command::Audit(c)) => setup::audit(&path, c, json),
        Some(Command::Config(c)) => {
            let db = (!path.as_os_str().is_empty()).then(|| (path.clone(), db_source));
            personal::command(c, &config, db, guarded, json)
        }
        Some(Command::Settings(c)) => settings::command(&path, c, json),
        Some(Command::Completions(_) | Command::Man) => Ok(()),
    }
}
