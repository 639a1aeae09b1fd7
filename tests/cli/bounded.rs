//! Work bounded by what the input deserves, and counts that only the team can move: a
//! file that never ends stops with a clear error in bounded memory, a dry run writes
//! nothing at all, and a refused credential counts against a project only when the
//! project exists.

use crate::common::*;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Peak memory allowed to a command reading an endless input.
const PEAK_LIMIT_KIB: i64 = 100 * 1024;

/// Runs accessdesk on the file and returns (exit code, stderr, peak RSS in KiB). The
/// peak is the child's own, from wait4. A run that goes past 400 MB or 120 s is killed
/// (and reported as such), so an unbounded read fails the test instead of the host.
// The child is reaped by wait4, which also gives its own peak memory.
#[allow(clippy::zombie_processes)]
fn peak_run(db: &Db, args: &[&str]) -> (i32, String, i64) {
    let mut c = command(db.home(), None);
    c.arg("--db").arg(&db.path).args(args);
    let child = c
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start accessdesk");
    let pid = child.id() as libc::pid_t;
    let watchdog = std::thread::spawn(move || {
        let started = Instant::now();
        loop {
            let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
                return false;
            };
            if status.contains("State:\tZ") {
                return false;
            }
            let rss_kib: i64 = status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
                .unwrap_or(0);
            if rss_kib > 400 * 1024 || started.elapsed() > Duration::from_secs(120) {
                // SAFETY: kill on the pid of our own child, not yet reaped.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let mut stderr = child.stderr.expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for this child alone.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid, "wait4: {}", std::io::Error::last_os_error());
    let killed = watchdog.join().expect("watchdog");
    let err = reader.join().expect("stderr reader");
    assert!(
        !killed,
        "accessdesk {args:?} grew past 400 MB or ran past 120 s and was killed: it reads without bound"
    );
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, err, usage.ru_maxrss)
}

#[test]
fn importing_an_endless_line_stops_with_a_clear_error_in_bounded_memory() {
    let db = Db::new();
    db.team();
    let before = db.snapshot();
    let (code, stderr, peak) = peak_run(&db, &["import", "--project", "ACME", "/dev/zero"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("without ending"), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");
    assert!(peak < PEAK_LIMIT_KIB, "peak RSS {peak} KiB");
    before.assert_same(&db.snapshot(), "an endless import");

    // The same after a good header and row: a row that never ends.
    let file = db.home().join("long.csv");
    let mut csv = accessdesk::exchange::FIELD_COLUMNS.join(",");
    csv.push('\n');
    csv.push_str(&"x".repeat(3 << 20));
    std::fs::write(&file, csv).expect("write");
    let out = db.run(&["import", "--project", "ACME", file.to_str().expect("utf-8")]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("line 2") && out.stderr.contains("without ending"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_anchor_that_never_ends_is_refused_in_bounded_memory() {
    let db = Db::new();
    let (code, stderr, peak) = peak_run(&db, &["audit", "verify", "--anchor", "/dev/zero"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("is not an anchor"), "{stderr}");
    assert!(peak < PEAK_LIMIT_KIB, "peak RSS {peak} KiB");
}

/// An import file whose one row offers a credential in its notes.
fn file_with_credential(db: &Db) -> std::path::PathBuf {
    let mut csv = accessdesk::exchange::FIELD_COLUMNS.join(",");
    csv.push('\n');
    let row: Vec<String> = accessdesk::exchange::FIELD_COLUMNS
        .iter()
        .map(|col| match *col {
            "system" => "Analytics".into(),
            "purpose" => "Reporting".into(),
            "role" => "Viewer".into(),
            "credential-owner" => "Carol Client".into(),
            "approver" => APPROVER.into(),
            "method" => "vault".into(),
            "notes" => SECRET.into(),
            _ => String::new(),
        })
        .collect();
    csv.push_str(&row.join(","));
    csv.push('\n');
    let file = db.home().join("with-credential.csv");
    std::fs::write(&file, csv).expect("write the import file");
    file
}

fn unsafe_count(db: &Db, key: &str) -> serde_json::Value {
    let r = db.run(&["report", "--json"]).ok().json();
    r["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .find(|p| p["key"] == key)
        .map(|p| p["unsafe_credential_attempts"].clone())
        .unwrap_or_else(|| panic!("no project {key} in {r}"))
}

#[test]
fn a_dry_run_writes_and_counts_nothing() {
    let db = Db::new();
    db.team();
    let file = file_with_credential(&db);
    let before = db.snapshot();
    let out = db.run(&[
        "import",
        "--project",
        "ACME",
        "--dry-run",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.code, 3, "{out:?}");
    assert!(!out.stderr.contains(SECRET_VALUE));
    before.assert_same(&db.snapshot(), "a dry run with a credential");
    assert_eq!(unsafe_count(&db, "ACME"), 0);

    // The real import counts it.
    db.run(&["import", "--project", "ACME", file.to_str().expect("utf-8")])
        .code(3);
    assert_eq!(unsafe_count(&db, "ACME"), 1);
}

#[test]
fn a_credential_for_a_project_that_does_not_exist_is_not_counted_when_it_appears() {
    let db = Db::new();
    db.team();
    let file = file_with_credential(&db);
    for _ in 0..3 {
        db.run(&[
            "import",
            "--project",
            "LATER",
            file.to_str().expect("utf-8"),
        ]);
    }
    db.project("LATER");
    assert_eq!(unsafe_count(&db, "LATER"), 0);
}
