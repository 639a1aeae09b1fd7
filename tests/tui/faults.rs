//! The full-screen app when things go wrong, in a real terminal (tmux): the terminal
//! disappears (SSH drops), the app panics, another process holds the write lock. The
//! process must end promptly without spinning, give the terminal back, and leave the
//! file immediately usable by others.

use crate::common::tmux::{Tmux, sh_quote};
use crate::common::*;
use std::time::{Duration, Instant};

fn header_shown(s: &str) -> bool {
    s.contains("Ready") && s.contains('%')
}

/// A demo database written by the CLI.
fn demo_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(&db, &["demo", "--no-tui"]);
    (dir, db)
}

fn app_command(db: &std::path::Path, env: &str) -> String {
    format!(
        "{env} ACCESSDESK_DB={} {}",
        sh_quote(&db.display().to_string()),
        sh_quote(BIN)
    )
}

#[test]
fn losing_the_terminal_ends_the_app_within_two_seconds() {
    let Some(tmux) = Tmux::new("loss") else {
        return;
    };
    let (_dir, db) = demo_db();
    tmux.start(&app_command(&db, ""));
    tmux.wait_for("the header", Duration::from_secs(10), header_shown);
    let needle = db.display().to_string();
    // The app runs with ACCESSDESK_DB, so find it by its environment-free command line.
    let pids: Vec<u32> = pids_with("")
        .into_iter()
        .filter(|p| {
            std::fs::read(format!("/proc/{p}/environ"))
                .is_ok_and(|e| String::from_utf8_lossy(&e).contains(&needle))
        })
        .collect();
    assert_eq!(pids.len(), 1, "one app process: {pids:?}");
    let pid = pids[0];
    // The terminal goes away: tmux closes the pty, as a dropped SSH session would.
    tmux.kill();
    let gone = Instant::now();
    while std::path::Path::new(&format!("/proc/{pid}")).exists()
        && gone.elapsed() < Duration::from_secs(2)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the app is still running 2 s after its terminal went away"
    );
    eprintln!("exited {:?} after the terminal closed", gone.elapsed());
    // Another process can write at once: no lock, no transaction left behind.
    let o = cmd(
        &db,
        &["item", "note", "ACME-1", "--note", "written right after"],
    )
    .env("ACCESSDESK_LOCK_WAIT", "0")
    .output()
    .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_panic_restores_the_terminal_and_leaves_the_file_usable() {
    let Some(tmux) = Tmux::new("panic") else {
        return;
    };
    let (_dir, db) = demo_db();
    // After the app ends, the shell prints its exit code and the terminal modes.
    let script = format!(
        "{}; echo EXIT=$?; stty -a | tr '\\n' ' '; echo; sleep 60",
        app_command(&db, "ACCESSDESK_CRASH_TEST_KEY=Z RUST_BACKTRACE=0")
    );
    tmux.start(&format!("sh -c {}", sh_quote(&script)));
    tmux.wait_for("the header", Duration::from_secs(10), header_shown);
    tmux.keys(&["Z"]);
    let (s, _) = tmux.wait_for("the shell after the panic", Duration::from_secs(10), |s| {
        s.contains("EXIT=") && s.contains("speed")
    });
    assert!(s.contains("EXIT=101"), "a panic ends with exit 101:\n{s}");
    assert!(!header_shown(&s), "the alternate screen was left:\n{s}");
    let modes: String = s
        .lines()
        .skip_while(|l| !l.contains("EXIT="))
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<&str> = modes.split_whitespace().collect();
    assert!(
        words.contains(&"icanon") && words.contains(&"echo"),
        "canonical mode and echo are back:\n{modes}"
    );
    let o = cmd(
        &db,
        &["item", "note", "ACME-1", "--note", "after the crash"],
    )
    .env("ACCESSDESK_LOCK_WAIT", "0")
    .output()
    .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    ok(&db, &["audit", "verify"]);
}

#[test]
fn a_held_lock_is_announced_and_the_write_completes_afterwards() {
    let Some(tmux) = Tmux::new("lock") else {
        return;
    };
    let (_dir, db) = demo_db();
    tmux.start(&app_command(&db, "ACCESSDESK_LOCK_WAIT=20"));
    tmux.wait_for("the header", Duration::from_secs(10), header_shown);
    // Hold the write lock from the sqlite3 shell for three seconds.
    let mut holder = std::process::Command::new("sqlite3")
        .arg(&db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sqlite3 shell (installed by .ci/run)");
    {
        use std::io::{BufRead, Write};
        let mut stdin = holder.stdin.take().unwrap();
        writeln!(stdin, ".timeout 5000\nBEGIN IMMEDIATE;\nSELECT 'locked';").unwrap();
        let mut line = String::new();
        std::io::BufReader::new(holder.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "locked");
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(3));
            let _ = writeln!(stdin, "ROLLBACK;");
        });
    }
    // Block ACME-1 from the tracker (the first row): b, a reason, Enter.
    tmux.keys(&["b"]);
    tmux.wait_for("the blocker form", Duration::from_secs(5), |s| {
        s.contains("Flag a blocker")
    });
    tmux.keys(&["-l", "waiting for the client"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the waiting notice", Duration::from_secs(5), |s| {
        s.contains("waiting for another accessdesk process")
    });
    holder.wait().unwrap();
    let show = || ok(&db, &["item", "show", "ACME-1", "--json"]);
    let start = Instant::now();
    while !show().contains("waiting for the client") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the write completes once the lock is free"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.keys(&["q"]);
}
