//! The `accessdesk` binary: set up error reporting, parse the command line, dispatch.
#![deny(clippy::unwrap_used)]

use clap::FromArgMatches;
use std::process::ExitCode;

use std::io::Write;

fn main() -> ExitCode {
    if let Err(e) = color_eyre::install() {
        // Nowhere else to say it; the command runs on without the report.
        let _ = writeln!(
            std::io::stderr(),
            "accessdesk: cannot set up error reporting: {e}"
        );
    }
    // Parsed by the commands as declared; help, a version or a usage error comes from
    // the command that carries the descriptions and examples, so `--help` shows them
    // (built only then: it is most of the start of a command that reads little).
    let declared = <accessdesk::cli::args::Cli as clap::CommandFactory>::command();
    let parsed = declared
        .try_get_matches()
        .or_else(|_| accessdesk::cli::help::command().try_get_matches())
        .and_then(|m| accessdesk::cli::args::Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => return parse_failed(&e),
    };
    accessdesk::cli::run(cli)
}

/// Prints what clap has to say: help and version on standard output (exit 0), usage
/// errors on standard error (exit 2). A usage error quotes the argument it is about,
/// which may hold escape sequences; it is neutralised as every other text is.
fn parse_failed(e: &clap::Error) -> ExitCode {
    let text = e.render().to_string();
    let text = accessdesk::domain::text::sanitize_multiline(&text);
    if e.use_stderr() {
        // Errors start the same way everywhere: "accessdesk: " and what went wrong;
        // with --json the last line is the error as one JSON object.
        let text = accessdesk::cli::words::usage_error(&text);
        let mut err = std::io::stderr().lock();
        let mut written = err.write_all(text.as_bytes());
        if json_wanted() {
            let j = accessdesk::cli::words::usage_json(e);
            written = written.and_then(|()| writeln!(err, "{j}"));
        }
        return match written.and_then(|()| err.flush()) {
            Err(w) if w.kind() != std::io::ErrorKind::BrokenPipe => ExitCode::from(1),
            _ => ExitCode::from(2),
        };
    }
    let written = if e.use_stderr() {
        let mut err = std::io::stderr().lock();
        err.write_all(text.as_bytes()).and_then(|()| err.flush())
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).and_then(|()| out.flush())
    };
    match written {
        Err(w) if w.kind() != std::io::ErrorKind::BrokenPipe => ExitCode::from(1),
        _ => ExitCode::from(if e.use_stderr() { 2 } else { 0 }),
    }
}

/// Whether `--json` was among the arguments (before a `--`), when they did not parse.
fn json_wanted() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}
