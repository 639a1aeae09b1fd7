//! Running the binary under test as a separate process, and what a run ended with.
//!
//! Two ways in: [`command`]/[`capture`] give a clean environment and an [`Out`] with
//! assertions (used with [`Db`](super::Db)); [`cmd`]/[`run`]/[`ok`] run on a file path
//! with the inherited environment, for tests that spawn, time and kill processes.

use super::accounts::Account;
use serde_json::Value;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_accessdesk");

/// What one run of the binary ended with.
#[derive(Debug, Default)]
pub struct Out {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    fn describe(&self) -> String {
        format!(
            "accessdesk {:?}\n  exit: {}\n  stdout: {}\n  stderr: {}",
            self.args, self.code, self.stdout, self.stderr
        )
    }

    /// Asserts the exit code, printing the whole run when it differs.
    #[track_caller]
    pub fn code(self, want: i32) -> Out {
        assert_eq!(self.code, want, "unexpected exit code\n{}", self.describe());
        self
    }

    #[track_caller]
    pub fn ok(self) -> Out {
        self.code(0)
    }

    /// Asserts a rule refusal: exit 3 and the rule's name in the message.
    #[track_caller]
    pub fn refused(self, rule: &str) -> Out {
        let out = self.code(3);
        assert!(
            out.stderr.contains(rule),
            "the refusal does not name the rule {rule}\n{}",
            out.describe()
        );
        out
    }

    /// Standard output parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("stdout is not JSON ({e})\n{}", self.describe());
        })
    }
}

/// A base command for the binary: a clean environment (so nothing of the developer's
/// leaks in, such as ACCESSDESK_DB), HOME in the test folder, running as `who`.
pub fn command(home: &Path, who: Option<&Account>) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .current_dir(home)
        .stdin(Stdio::null());
    if let Some(a) = who {
        // The primary gid is the shared group: that is all the access the file needs,
        // and `groups()` for supplementary groups is not stable.
        c.uid(a.uid).gid(a.gid);
    }
    c
}

/// Runs a prepared command and captures everything.
pub fn capture(mut c: Command, args: &[String]) -> Out {
    c.args(args);
    let out = c
        .output()
        .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", c.get_program()));
    Out {
        args: args.to_vec(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// `accessdesk --db FILE ARGS` with the inherited environment minus ACCESSDESK_DB, and
/// a 30 s lock wait so that heavy concurrency never gives up early.
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

/// Runs and asserts success; returns standard output.
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

/// The command run as another OS account, with the shared group as primary group.
pub fn as_user(mut c: Command, who: &Account, home: &Path) -> Command {
    c.uid(who.uid).gid(who.gid).env("HOME", home);
    c
}

/// Pids of processes of the binary whose command line contains `needle`.
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
