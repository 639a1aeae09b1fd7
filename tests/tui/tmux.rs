//! End to end in a real terminal: the built binary runs `accessdesk demo` in a
//! detached 80x24 tmux session; the test reads the screen with `capture-pane`, sends
//! keys, checks the database with the CLI as a separate process, watches another
//! process's change appear without a key press, quits, and checks that the terminal
//! was restored. A second run under NO_COLOR checks that no colour reaches the
//! terminal. Skipped (with a notice) only where tmux is not installed.

use crate::common::BIN;
use crate::common::tmux::{Tmux, sh_quote};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn cli(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("ACCESSDESK_DB")
        .stdin(Stdio::null())
        .output()
        .expect("run accessdesk")
}

fn cli_ok(db: &Path, args: &[&str]) -> String {
    let o = cli(db, args);
    assert!(
        o.status.success(),
        "accessdesk {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The id on the selected row (the one with the `>` marker).
fn selected_id(screen: &str) -> Option<String> {
    screen
        .lines()
        .find_map(|l| l.strip_prefix("│> "))
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_string)
}

/// Ids listed in the pane (rows start with the border and the marker column).
fn listed_ids(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| l.strip_prefix("│> ").or_else(|| l.strip_prefix("│  ")))
        .filter_map(|rest| rest.split_whitespace().next())
        .filter(|w| w.contains('-') && w.chars().last().is_some_and(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

/// The header and the tab line (short titles at 80 columns, full ones when wider).
fn header_shown(s: &str) -> bool {
    // Full tab titles, or short ones where the full ones do not fit.
    (s.contains("1 Tracker") || s.contains("1 Items"))
        && (s.contains("2 Approval queue") || s.contains("2 Queue"))
        && (s.contains("3 Blockers") || s.contains("3 Block"))
        && s.contains("Ready")
}

#[test]
fn demo_in_tmux_approve_live_update_quit_restores_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("demo.db");
    let Some(tmux) = Tmux::new("e2e") else {
        return;
    };
    let command = format!(
        "env -u ACCESSDESK_DB -u NO_COLOR {} demo --db {}; echo EXITED; stty -a; echo STTY-DONE; sleep 600",
        sh_quote(BIN),
        sh_quote(&db.to_string_lossy())
    );
    tmux.start(&format!("sh -c {}", sh_quote(&command)));
    tmux.wait_for("the header", Duration::from_secs(10), header_shown);

    // Pane switching by number and Tab.
    tmux.keys(&["3"]);
    tmux.wait_for("the blockers pane", Duration::from_secs(5), |s| {
        s.contains("by reason:")
    });
    tmux.keys(&["Tab"]);
    tmux.wait_for("the dashboard", Duration::from_secs(5), |s| {
        s.contains("4 Dashboard · target")
    });
    tmux.keys(&["Tab"]);
    tmux.wait_for("the tasks pane", Duration::from_secs(5), |s| {
        s.contains("blocked first")
    });
    tmux.keys(&["Tab"]);
    tmux.wait_for("the expiry radar", Duration::from_secs(5), |s| {
        s.contains("soonest first")
    });
    tmux.keys(&["Tab"]);
    tmux.wait_for("the reviews pane", Duration::from_secs(5), |s| {
        s.contains("No access reviews yet")
    });
    tmux.keys(&["Tab"]);
    tmux.wait_for("the tracker (Tab wraps)", Duration::from_secs(5), |s| {
        s.contains("sort id")
    });
    tmux.keys(&["2"]);
    let (queue, _) = tmux.wait_for("the approval queue", Duration::from_secs(5), |s| {
        s.contains("waiting on")
    });
    let first = selected_id(&queue).expect("a selected queue row");
    let queued = listed_ids(&queue);
    assert!(
        queued.len() >= 2,
        "the demo leaves several decisions: {queue}"
    );

    // Approve with one key; the status line says so.
    tmux.keys(&["a"]);
    let (asked, _) = tmux.wait_for(
        "the approval or its question",
        Duration::from_secs(5),
        |s| s.contains(&format!("Approved {first}")) || s.contains("Approve privileged access"),
    );
    // Privileged access asks first.
    if asked.contains("Approve privileged access") {
        tmux.keys(&["y"]);
    }
    tmux.wait_for("the approval to be reported", Duration::from_secs(5), |s| {
        s.contains(&format!("Approved {first}"))
    });
    let shown: serde_json::Value =
        serde_json::from_str(&cli_ok(&db, &["item", "show", &first, "--json"])).expect("json");
    let me = accessdesk::identity::Identity::current().login;
    let history = shown["history"].as_array().expect("history");
    let last = history.last().expect("an event");
    assert_eq!(last["kind"], "approve", "{last}");
    assert_eq!(last["login"], me.as_str());

    // Another process denies a different item: the screen shows it without a key.
    let screen = tmux.screen();
    let other = listed_ids(&screen)
        .into_iter()
        .find(|id| *id != first)
        .expect("another queued item");
    let before = Instant::now();
    cli_ok(
        &db,
        &["item", "deny", &other, "--reason", "Decided elsewhere"],
    );
    let (_, took) = tmux.wait_for(
        "another process's change to appear",
        Duration::from_secs(2),
        |s| !listed_ids(s).contains(&other),
    );
    assert!(
        before.elapsed() <= Duration::from_millis(2500),
        "took {took:?}"
    );

    // Quit; the shell prints after the app and the terminal is back in cooked mode.
    tmux.keys(&["q"]);
    // Wait for the whole of stty's output (it spans several lines), not only for its
    // first line: the shell prints a marker after it.
    let (after, _) = tmux.wait_for("the app to exit", Duration::from_secs(5), |s| {
        s.contains("EXITED") && s.contains("STTY-DONE")
    });
    assert!(
        !after.contains("1 Tracker") && !after.contains("1 Items"),
        "the alternate screen was left:\n{after}"
    );
    let words: Vec<&str> = after.split_whitespace().collect();
    assert!(
        words.contains(&"icanon"),
        "canonical mode restored:\n{after}"
    );
    assert!(words.contains(&"echo"), "echo restored:\n{after}");
}

/// SGR parameters that set a colour: 30–37, 38, 40–47, 48, 90–97, 100–107. (39 and
/// 49 reset to the default colour, which tmux writes after every attribute change.)
fn colour_sgr(escapes: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = escapes;
    while let Some(at) = rest.find("\x1b[") {
        let tail = &rest[at + 2..];
        let end = tail
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(tail.len());
        if tail[end..].starts_with('m') {
            let params = &tail[..end];
            let colour = params
                .split(';')
                .filter_map(|p| p.parse::<u32>().ok())
                .any(|p| matches!(p, 30..=37 | 38 | 40..=47 | 48 | 90..=97 | 100..=107));
            if colour {
                found.push(format!("ESC[{params}m"));
            }
        }
        rest = &tail[end..];
    }
    found
}

#[test]
fn no_color_reaches_the_terminal_under_no_color() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("demo.db");
    // Build the data first (no terminal: the demo does not open the TUI), then open it.
    let o = cli(&db, &["demo"]);
    assert!(
        o.status.success(),
        "demo: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let Some(tmux) = Tmux::new("nocolor") else {
        return;
    };
    let command = format!(
        "env -u ACCESSDESK_DB NO_COLOR=1 {} --db {}; sleep 600",
        sh_quote(BIN),
        sh_quote(&db.to_string_lossy())
    );
    tmux.start(&format!("sh -c {}", sh_quote(&command)));
    tmux.wait_for("the header", Duration::from_secs(10), header_shown);
    for keys in [
        &["1"][..],
        &["2"],
        &["3"],
        &["Enter"],
        &["?"],
        &["Escape", "Escape", "n"],
    ] {
        tmux.keys(keys);
        std::thread::sleep(Duration::from_millis(300));
        let escapes = tmux.screen_with_escapes();
        let colours = colour_sgr(&escapes);
        assert!(
            colours.is_empty(),
            "after {keys:?}: colour sequences {colours:?} in\n{escapes}"
        );
    }
    // The same check finds colour where there is some, so it is not vacuous.
    assert!(!colour_sgr("\x1b[0;38;5;2mx\x1b[31my").is_empty());
    assert!(colour_sgr("\x1b[0m\x1b[39m\x1b[49m\x1b[1;7m").is_empty());
    tmux.keys(&["C-g", "q"]);
}
