//! `completions bash|zsh|fish` and `man`: generated from the same command line that
//! parses the arguments ([`super::help::command`]), printed to standard output. `man`
//! prints roff and never runs a pager or `man` itself.

use super::{CmdResult, help, output};
use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for: bash, zsh or fish
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Prints the completion script for `a.shell`.
pub fn completions(a: &CompletionsArgs) -> CmdResult {
    let shell = match a.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut cmd = help::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "accessdesk", &mut buf);
    output::text(&String::from_utf8_lossy(&buf))
}

/// Prints the manual page: the top-level page clap_mangen makes, then a COMMANDS
/// section with every command's synopsis, description and options, and the examples.
pub fn man() -> CmdResult {
    let cmd = help::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut buf)
        .map_err(|e| super::Failure::Error(format!("cannot write the manual page: {e}")))?;
    let mut page = String::from_utf8_lossy(&buf).into_owned();
    page.push_str(".SH COMMANDS\n");
    for (path, c) in help::leaves(&cmd) {
        page.push_str(&format!(
            ".SS \"{}\"\n",
            roff(&format!("accessdesk {path}"))
        ));
        if let Some(about) = c.get_about() {
            page.push_str(&format!("{}\n", roff(&about.to_string())));
        }
        let options: Vec<String> = c
            .get_arguments()
            .filter(|a| !matches!(a.get_id().as_str(), "help" | "version") && !a.is_global_set())
            .map(|a| {
                let name = match a.get_long() {
                    Some(l) => format!("--{l}"),
                    None => a
                        .get_value_names()
                        .and_then(|v| v.first().map(|n| n.to_string()))
                        .unwrap_or_else(|| a.get_id().as_str().to_uppercase()),
                };
                let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
                format!(".TP\n\\fB{}\\fR\n{}\n", roff(&name), roff(&help))
            })
            .collect();
        if !options.is_empty() {
            page.push_str(".RS\n");
            page.extend(options);
            page.push_str(".RE\n");
        }
        if let Some(ex) = c.get_after_help() {
            page.push_str(".PP\n.nf\n");
            for line in ex.to_string().lines() {
                page.push_str(&roff(line));
                page.push('\n');
            }
            page.push_str(".fi\n");
        }
    }
    output::text(&page)
}

/// Text as roff reads it literally: backslashes and dashes escaped, and a line that
/// would start with a control character made plain.
fn roff(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}
