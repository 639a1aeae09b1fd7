//! The `accessdesk` binary: set up error reporting, parse the command line, dispatch.
#![deny(clippy::unwrap_used)]

use clap::Parser;
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
    let cli = match accessdesk::cli::args::Cli::try_parse() {
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
