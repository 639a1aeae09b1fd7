//! The `accessdesk` binary: set up error reporting, parse the command line, dispatch.
#![deny(clippy::unwrap_used)]

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    if let Err(e) = color_eyre::install() {
        eprintln!("accessdesk: cannot set up error reporting: {e}");
    }
    let cli = match accessdesk::cli::args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    accessdesk::cli::run(cli)
}
