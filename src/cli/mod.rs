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
mod decide;
mod expiring;
mod host;
mod items;
mod nudge;
mod output;
mod project;
mod report;
mod review;
mod safe_json;
mod setup;
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
        Ok(()) | Err(Failure::Closed) => 0,
        Err(f) => {
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

/// Where the database is: --db, then ACCESSDESK_DB (clap reads both), then the default.
fn db_path(cli: &Cli) -> Result<PathBuf, Failure> {
    match &cli.db {
        Some(p) => Ok(p.clone()),
        None => store::default_path().ok_or_else(|| {
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
    let start = host::start(&cli)?;
    let path = match &start {
        host::Start::Guarded { path, init } => {
            if let Some(done) = init {
                return host::report_init(path, done);
            }
            path.clone()
        }
        host::Start::Check(_) => PathBuf::new(),
        host::Start::Plain => db_path(&cli)?,
    };
    match cli.command {
        Some(Command::Host(c)) => host::command(c, start, json),
        None => setup::open_tui(&path),
        Some(Command::Demo(a)) => setup::demo(cli.db.as_deref(), &a),
        Some(Command::Init(a)) => setup::init(&path, a.group.as_deref()),
        Some(Command::People(c)) => setup::people(&path, c, json),
        Some(Command::Project(c)) => setup::project(&path, c, json),
        Some(Command::Item(c)) => items::item(&path, c, json),
        Some(Command::Task(c)) => items::task(&path, c, json),
        Some(Command::Import(a)) => items::import(&path, a, json),
        Some(Command::Export(a)) => items::export(&path, a),
        Some(Command::Report(a)) => report::report(&path, a, json),
        Some(Command::Review(c)) => review::command(&path, c, json),
        Some(Command::System(c)) => catalogue::command(&path, c, json),
        Some(Command::Template(c)) => template::command(&path, c, json),
        Some(Command::Audit(c)) => setup::audit(&path, c, json),
    }
}
