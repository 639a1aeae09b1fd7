//! The command line as people read it: the clap command with an example under every
//! command, used to parse, for `--help`, the completion scripts and the manual page,
//! so all four say the same. The examples live here, one table, rather than beside
//! each argument struct.

use super::args::Cli;
use clap::{Command, CommandFactory};

/// Every command with the examples its `--help` ends with: `command | example`, one
/// a line, in the order shown.
pub const EXAMPLES: &str = r#"
demo | accessdesk demo
demo | accessdesk demo --db /tmp/try.db --no-tui
init | accessdesk init --db /srv/accessdesk/team.db --group accessdesk
people add | accessdesk people add dana --role security,approver --name "Dana Scully"
people list | accessdesk people list --json
people deactivate | accessdesk people deactivate frank
project add | accessdesk project add ACME --name "Acme onboarding" --client "Acme Retail" --start 2026-12-01
project list | accessdesk project list
project check | accessdesk project check ACME
project close | accessdesk project close ACME
project reopen | accessdesk project reopen ACME
project edit | accessdesk project edit ACME --start 2027-01-11
item add | accessdesk item add --project ACME --system "Google Analytics 4" --purpose "Install tracking tags" --role Editor --credential-owner "Ana (Acme marketing)" --approver frank --method delegated-account
item edit | accessdesk item edit ACME-3 --version 2 --role Viewer
item list | accessdesk item list --project ACME --state requested
item list | accessdesk item list --blocked --json
item show | accessdesk item show ACME-3 --json
item nudge | accessdesk item nudge ACME-3
item submit | accessdesk item submit ACME-3
item cancel | accessdesk item cancel ACME-3 --note "no longer needed"
item reopen | accessdesk item reopen ACME-3
item approve | accessdesk item approve ACME-3 --mfa --expires-by 2027-03-31
item deny | accessdesk item deny ACME-3 --reason "Viewer is enough"
item return | accessdesk item return ACME-3 --reason "name the account that will hold it"
item grant | accessdesk item grant ACME-3 --method delegated-account
item verify | accessdesk item verify ACME-3 --note "scope checked in the admin console with Ana"
item revoke | accessdesk item revoke ACME-3 --note "user removed; Ana confirmed by phone"
item block | accessdesk item block ACME-3 --reason "waiting for the client's IT"
item unblock | accessdesk item unblock ACME-3
item break-glass | accessdesk item break-glass ACME-3 --reason "production outage"
item extend | accessdesk item extend ACME-3 --expires 2027-06-30 --reason "pilot extended"
item close-retro | accessdesk item close-retro ACME-3 --outcome accepted --note "use was logged and justified"
item rotated | accessdesk item rotated ACME-3 --note "Ana reset it; old one fails"
item note | accessdesk item note ACME-3 --note "Ana is away until Monday"
item delegate | accessdesk item delegate ACME-3 --to dana --reason "frank is on leave"
item unsafe-attempt | accessdesk item unsafe-attempt ACME-3 --channel email --note "password sent by mail"
task add | accessdesk task add --project ACME --title "Tag rollout" --needs ACME-1,ACME-2
task list | accessdesk task list --project ACME --json
task show | accessdesk task show ACME-T1
task edit | accessdesk task edit ACME-T1 --start 2026-04-01 --add-needs ACME-3
task start | accessdesk task start ACME-T1 --on 2026-04-02
task done | accessdesk task done ACME-T1
import | accessdesk import access.csv --project ACME --dry-run
export | accessdesk export --project ACME --format json > acme.json
report | accessdesk report --project ACME
report | accessdesk report --json
report | accessdesk report --since 2026-03-01 --until 2026-04-14
evidence | accessdesk evidence ./evidence-2026-04 --project ACME --since 2026-03-01 --until 2026-04-14
review start | accessdesk review start --project ACME --due 2027-01-31
review list | accessdesk review list --project ACME
review show | accessdesk review show 1
review certify | accessdesk review certify ACME-3
review certify | accessdesk review certify --all-standard --campaign 1
review revoke | accessdesk review revoke ACME-3 --note "no longer needed"
system add | accessdesk system add "Google Analytics 4" --category analytics --roles "Viewer<Analyst<Editor<Administrator" --privileged-roles Administrator
system list | accessdesk system list --json
system show | accessdesk system show "Google Analytics 4"
template import | accessdesk template import web-shop.toml
template export | accessdesk template export web-shop > web-shop.toml
template list | accessdesk template list
template show | accessdesk template show web-shop
template apply | accessdesk template apply web-shop --project ACME
audit verify | accessdesk audit verify --anchor /safe/place/anchor.json
audit anchor | accessdesk audit anchor /safe/place/anchor.json
host check | accessdesk host check
settings show | accessdesk settings show --json
settings set | accessdesk settings set stale-after-days 5
settings set | accessdesk settings set readiness-target 95
config show | accessdesk config show --json
config init | accessdesk config init
completions | accessdesk completions bash > ~/.local/share/bash-completion/completions/accessdesk
man | accessdesk man > ~/.local/share/man/man1/accessdesk.1
"#;

/// Descriptions of the arguments whose struct gives none, as `command | argument |
/// text`, one a line; command `*` is any command. The first that fits wins.
pub const DESCRIPTIONS: &str = r#"
task show | id | The task's id (see task list)
review show | id | The review's number (see review list)
* | id | The access item's id, e.g. ACME-3
* | item | The access item's id, e.g. ACME-3
* | note | A note for the history (never a credential)
* | project | The project's key, e.g. ACME
* | key | The project's key, e.g. ACME
project add | name | The project's name
project add | client | The client the project is for
system add | name | The system's name, e.g. "Google Analytics 4"
system show | name | The system's name (any case)
* | name | The template's name
* | reason | Why (kept in the item's history; never a credential)
import | file | The CSV file to import (columns as `export` writes them)
template import | file | The template's TOML file
audit anchor | file | Where to write the anchor (JSON); keep a copy off the host
* | login | The person's OS login
* | title | What the task is
* | state | Only items in this state: needed, requested, approved, granted, verified, denied, revoked or cancelled
* | privileged | true flags the access as privileged, false clears the flag
* | shared_credential | true: the credential is shared between people; false clears it
* | client_owned | true: the system is owned and run by the client; false clears it
item grant | method | The safe collection method actually used [default: the approved one]
* | format | csv or json
* | channel | How the credential was sent: email, chat, form or other
"#;

/// The rows of a `a | b | c` table, split and trimmed.
fn rows(table: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    table
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(" | ").map(str::trim).collect())
}

/// The examples by command, in the table's order.
pub fn examples() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
    for r in rows(EXAMPLES) {
        match out.iter_mut().find(|(p, _)| *p == r[0]) {
            Some((_, lines)) => lines.push(r[1]),
            None => out.push((r[0], vec![r[1]])),
        }
    }
    out
}

/// The command line with its examples: what parses the arguments and what `--help`,
/// `completions` and `man` show.
pub fn command() -> Command {
    let mut cmd = described(Cli::command(), "");
    for (path, lines) in examples() {
        let names: Vec<&str> = path.split(' ').collect();
        cmd = with_example(cmd, &names, &lines);
    }
    cmd
}

/// `cmd` (at `path`) and its subcommands with a description for each argument that
/// lacks one, from [`DESCRIPTIONS`].
fn described(mut cmd: Command, path: &str) -> Command {
    let ids: Vec<String> = cmd
        .get_arguments()
        .filter(|a| a.get_help().is_none())
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        let found = rows(DESCRIPTIONS).find(|r| r[1] == id && (r[0] == path || r[0] == "*"));
        if let Some(r) = found {
            let text = r[2].to_string();
            cmd = cmd.mut_arg(id, |a| a.help(text));
        }
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for name in subs {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(name, |c| described(c, &sub_path));
    }
    cmd
}

fn with_example(cmd: Command, path: &[&str], lines: &[&str]) -> Command {
    match path.split_first() {
        None => {
            let text = format!(
                "Example{}:\n  {}",
                if lines.len() > 1 { "s" } else { "" },
                lines.join("\n  ")
            );
            cmd.after_help(text)
        }
        Some((first, rest)) => {
            // A name the table has and the command line lacks is caught by the test
            // below, not by a panic at every start.
            if cmd.find_subcommand(first).is_none() {
                return cmd;
            }
            cmd.mut_subcommand(*first, |c| with_example(c, rest, lines))
        }
    }
}

/// The commands that run something, by their path of names (`item add`): those
/// without subcommands of their own.
pub fn leaves(cmd: &Command) -> Vec<(String, &Command)> {
    let mut out = Vec::new();
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        if sub.has_subcommands() {
            for (p, c) in leaves(sub) {
                out.push((format!("{} {p}", sub.get_name()), c));
            }
        } else {
            out.push((sub.get_name().to_string(), sub));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_an_example_and_every_argument_a_description() {
        let cmd = command();
        cmd.clone().debug_assert();
        for (path, _) in examples() {
            let found = path.split(' ').try_fold(&cmd, |c, n| c.find_subcommand(n));
            assert!(
                found.is_some(),
                "the examples name '{path}', which is no command"
            );
        }
        let mut missing = Vec::new();
        for (path, c) in leaves(&cmd) {
            if !c
                .get_after_help()
                .is_some_and(|h| h.to_string().starts_with("Example"))
            {
                missing.push(format!("{path}: no example"));
            }
            for a in c.get_arguments() {
                let id = a.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if a.get_help().is_none() && a.get_long_help().is_none() {
                    missing.push(format!("{path}: {id} has no description"));
                }
            }
        }
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            if id != "help" && id != "version" && a.get_help().is_none() {
                missing.push(format!("accessdesk: {id} has no description"));
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }
}
