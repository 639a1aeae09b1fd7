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
/// The project every fixture works in.
pub fn add_acme(db: &Path) {
    ok(
        db,
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
}

pub fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["init"]);
    ok(&db, &["people", "add", "bob", "--role", "approver"]);
    add_acme(&db);
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
    add_acme(&db);
    Some((dir, db, gid, member))
}

/// The command run as `uid` with the group as primary group.
pub fn as_user(mut c: Command, uid: u32, gid: u32, home: &Path) -> Command {
    use std::os::unix::process::CommandExt;
    c.uid(uid).gid(gid).env("HOME", home);
    c
}

/// A private tmux server (own socket) running one 80x24 session named `main`.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// None (with a notice) when tmux is not installed; CI installs it.
    pub fn new(tag: &str) -> Option<Tmux> {
        let have = Command::new("tmux")
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !have {
            eprintln!("skipped: tmux is not installed");
            return None;
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Some(Tmux {
            socket: format!("accessdesk-{tag}-{}-{nanos}", std::process::id()),
        })
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run tmux")
    }

    /// Starts `shell_command` in an 80x24 session.
    pub fn start(&self, shell_command: &str) {
        let o = self.run(&[
            "new-session",
            "-d",
            "-x",
            "80",
            "-y",
            "24",
            "-s",
            "main",
            shell_command,
        ]);
        assert!(
            o.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "main"]).stdout)
            .into_owned()
    }

    /// The screen with its escape sequences (colours, attributes).
    pub fn screen_with_escapes(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-e", "-p", "-t", "main"]).stdout)
            .into_owned()
    }

    /// Polls the screen every 50 ms until `ok` holds, failing after `limit`; returns
    /// the screen and how long it took.
    pub fn wait_for(
        &self,
        what: &str,
        limit: std::time::Duration,
        ok: impl Fn(&str) -> bool,
    ) -> (String, std::time::Duration) {
        let start = std::time::Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return (s, start.elapsed());
            }
            assert!(
                start.elapsed() < limit,
                "waited {limit:?} for {what}; the screen shows:\n{s}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    pub fn kill(&self) {
        let _ = self.run(&["kill-server"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Single-quotes a string for sh.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Pids of processes whose command line contains `needle`.
pub fn pids_with(needle: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(needle) && cmdline.contains(BIN) {
            out.push(pid);
        }
    }
    out
}
