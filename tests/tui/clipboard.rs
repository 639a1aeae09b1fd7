//! The clipboard in a real terminal: the built binary runs `accessdesk demo` in a
//! detached 80x24 tmux session with `set-clipboard on`; `y` on a queue item sends the
//! nudge as OSC 52, tmux takes it into its paste buffer, and `tmux show-buffer` must
//! hold exactly what `accessdesk item nudge ID` prints. `Y` then copies the id.

use crate::common::tmux::{Tmux, sh_quote};
use crate::common::{BIN, ok};
use std::time::Duration;

/// The id on the selected row (the one with the `>` marker).
fn selected_row_id(screen: &str) -> Option<String> {
    screen
        .lines()
        .find_map(|l| l.strip_prefix("│> "))
        .and_then(|rest| rest.split_whitespace().next())
        .map(str::to_string)
}

fn buffer(tmux: &Tmux) -> String {
    String::from_utf8_lossy(&tmux.run(&["show-buffer"]).stdout).into_owned()
}

#[test]
fn y_copies_the_nudge_into_tmux_with_set_clipboard_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("demo.db");
    let Some(tmux) = Tmux::new("clip") else {
        return;
    };
    let command = format!(
        "env -u ACCESSDESK_DB {} demo --db {}; echo EXITED; sleep 600",
        sh_quote(BIN),
        sh_quote(&db.to_string_lossy())
    );
    tmux.start(&format!("sh -c {}", sh_quote(&command)));
    let set = tmux.run(&["set", "-g", "set-clipboard", "on"]);
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    tmux.wait_for("the header", Duration::from_secs(10), |s| {
        (s.contains("2 Approval queue") || s.contains("2 Queue")) && s.contains("Ready")
    });

    tmux.keys(&["2"]);
    let (queue, _) = tmux.wait_for("the approval queue", Duration::from_secs(5), |s| {
        selected_row_id(s).is_some() && s.contains("waiting on")
    });
    let id = selected_row_id(&queue).expect("a selected queue row");
    tmux.keys(&["y"]);
    tmux.wait_for("the copy to be reported", Duration::from_secs(5), |s| {
        s.contains(&format!("Copied the nudge for {id}"))
    });
    let wanted = ok(&db, &["item", "nudge", &id]);
    let mut copied = String::new();
    for _ in 0..100 {
        copied = buffer(&tmux);
        if !copied.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        copied.trim_end(),
        wanted.trim_end(),
        "tmux buffer vs item nudge"
    );
    assert!(copied.starts_with("To: "), "{copied}");

    tmux.keys(&["Y"]);
    tmux.wait_for("the id copy to be reported", Duration::from_secs(5), |s| {
        s.contains(&format!("Copied {id} to the clipboard"))
    });
    let mut last = String::new();
    for _ in 0..100 {
        last = buffer(&tmux);
        if last == id {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(last, id);

    tmux.keys(&["q"]);
    tmux.wait_for("the app to exit", Duration::from_secs(5), |s| {
        s.contains("EXITED")
    });
}
