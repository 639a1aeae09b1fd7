//! Helpers shared by the reliability, load and fault tests: run the real binary on a
//! real file, and create OS accounts (as root) for tests where identity matters.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

pub const BIN: &str = env!("CARGO_BIN_EXE_accessdesk");

pub fn cmd(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db")
        .arg(db)
        .args(args)
        .env_remove("ACCESSDESK_DB")
        .env("ACCESSDESK_LOCK_WAIT", "30")
        .stdin(Stdio::null());
    c
}

pub fn run(db: &Path, args: &[&str]) -> Output {
    cmd(db, args).output().expect("run accessdesk")
}

pub fn ok(db: &Path, args: &[&str]) -> String {
    let o = run(db, args);
    assert!(
        o.status.success(),
        "accessdesk {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A database with one project and one registered approver (`bob`, not an OS account).
pub fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["init"]);
    ok(&db, &["people", "add", "bob", "--role", "approver"]);
    ok(
        &db,
        &[
            "project",
            "add",
            "ACME",
            "--name",
            "Acme",
            "--client",
            "Acme Retail",
            "--start",
            "2030-01-15",
            "--tz",
            "UTC",
        ],
    );
    (dir, db)
}

pub fn add_item(db: &Path, system: &str) -> String {
    let out = ok(
        db,
        &[
            "item",
            "add",
            "--project",
            "ACME",
            "--system",
            system,
            "--purpose",
            "tags",
            "--role",
            "Editor",
            "--credential-owner",
            "Ana",
            "--approver",
            "bob",
            "--method",
            "vault",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["id"].as_str().unwrap().to_string()
}

pub fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

pub fn file_bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_default()
}

/// Creates OS accounts and a group once per test binary (useradd locks /etc/passwd).
pub fn accounts() -> Option<(u32, u32, u32)> {
    static DONE: Mutex<Option<(u32, u32, u32)>> = Mutex::new(None);
    if !is_root() {
        eprintln!("skipped: creating OS accounts needs root");
        return None;
    }
    let mut done = DONE.lock().unwrap();
    if let Some(v) = *done {
        return Some(v);
    }
    let sh = |s: &str| {
        for _ in 0..20 {
            let o = Command::new("sh").arg("-c").arg(s).output().unwrap();
            if o.status.success() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("`{s}` kept failing");
    };
    sh("getent group adrel >/dev/null || groupadd adrel");
    sh(
        "id adrel_member >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin -G adrel adrel_member",
    );
    sh(
        "id adrel_outsider >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin adrel_outsider",
    );
    let id = |what: &str| -> u32 {
        let o = Command::new("sh").arg("-c").arg(what).output().unwrap();
        String::from_utf8_lossy(&o.stdout).trim().parse().unwrap()
    };
    let v = (
        id("getent group adrel | cut -d: -f3"),
        id("id -u adrel_member"),
        id("id -u adrel_outsider"),
    );
    *done = Some(v);
    Some(v)
}

/// A team database in a setgid folder shared with group `adrel`, created by root
/// (admin+coordinator) with `adrel_member` registered with `member_roles`.
/// Returns the temp dir (keep it alive), the file, the group id and the member's uid.
pub fn team_db(member_roles: &str) -> Option<(tempfile::TempDir, PathBuf, u32, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let (gid, member, _) = accounts()?;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let shared = dir.path().join("team");
    std::fs::create_dir(&shared).unwrap();
    std::os::unix::fs::chown(&shared, None, Some(gid)).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o2770)).unwrap();
    let db = shared.join("team.db");
    ok(&db, &["init", "--group", "adrel"]);
    ok(
        &db,
        &["people", "add", "adrel_member", "--role", member_roles],
    );
    ok(
        &db,
        &[
            "project",
            "add",
            "ACME",
            "--name",
            "Acme",
            "--client",
            "Acme Retail",
            "--start",
            "2030-01-15",
            "--tz",
            "UTC",
        ],
    );
    Some((dir, db, gid, member))
}

/// The command run as `uid` with the group as primary group.
pub fn as_user(mut c: Command, uid: u32, gid: u32, home: &Path) -> Command {
    use std::os::unix::process::CommandExt;
    c.uid(uid).gid(gid).env("HOME", home);
    c
}
