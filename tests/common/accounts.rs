//! The OS accounts the multi-account tests run the binary as, created with
//! groupadd/useradd once per host (this needs root; CI runs the tests as root). One
//! group shares the database folder and file; every account but the one running the
//! tests is a member of it.

use std::fs;
use std::os::unix::io::AsRawFd;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// OS group that shares the database folder and file between the test accounts.
pub const GROUP: &str = "adtest";

/// Approval owner of the standard test items (role approver).
pub const APPROVER: &str = "adtest_approver";
/// Display name of [`APPROVER`], to test that free text naming a person by name counts.
pub const APPROVER_NAME: &str = "Avery Approver";
/// A security person (role security).
pub const SECURITY: &str = "adtest_security";
/// A person who is both approver and security.
pub const DUAL: &str = "adtest_dual";
/// An OS account that is never registered in any test database.
pub const OUTSIDER: &str = "adtest_outsider";

/// An OS account the tests run the binary as.
#[derive(Debug, Clone)]
pub struct Account {
    pub login: &'static str,
    pub uid: u32,
    /// The shared group's gid, used as the process's primary gid.
    pub gid: u32,
    /// The account's own primary group from passwd: running with it (and without
    /// supplementary groups, as `Command::uid` does for root) leaves the shared group out.
    pub own_gid: u32,
}

/// The test accounts, created once per host.
#[derive(Debug)]
pub struct Accounts {
    /// The gid of [`GROUP`].
    pub gid: u32,
    pub approver: Account,
    pub security: Account,
    pub dual: Account,
    pub outsider: Account,
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The shared test accounts, creating them (and the group) if needed. `None` when the
/// tests do not run as root: the caller then skips what needs other accounts, and
/// [`skip`](super::skip) has said so (or failed the test where skips are forbidden).
#[track_caller]
pub fn accounts() -> Option<&'static Accounts> {
    let acc = shared_accounts();
    if acc.is_none() {
        super::skip(&format!(
            "running the binary as other OS accounts needs root, to create the accounts \
             ({APPROVER}, {SECURITY}, ...) and switch uid; CI runs the tests as root"
        ));
    }
    acc
}

/// The accounts when running as root, without a notice otherwise: for fixtures that
/// work either way (a file shared with the group, or a private one).
pub(super) fn shared_accounts() -> Option<&'static Accounts> {
    static ACCOUNTS: OnceLock<Option<Accounts>> = OnceLock::new();
    ACCOUNTS
        .get_or_init(|| is_root().then(create_accounts))
        .as_ref()
}

/// Holds an exclusive flock on a host-wide file while accounts are created: test
/// binaries may run at the same time, and useradd/groupadd lock /etc/passwd.
struct HostLock(fs::File);

impl HostLock {
    fn take() -> HostLock {
        let f = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open("/tmp/accessdesk-itest-accounts.lock")
            .expect("open the account lock file");
        // SAFETY: flock on a descriptor we own; blocks until the lock is ours.
        let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) };
        assert_eq!(rc, 0, "flock: {}", std::io::Error::last_os_error());
        HostLock(f)
    }
}

impl Drop for HostLock {
    fn drop(&mut self) {
        // SAFETY: as above; closing the file would release it too.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

/// Runs an account tool, retrying while another process holds the passwd/group locks.
/// Exit 9 ("name already in use") counts as done: the tools are used idempotently.
fn account_tool(program: &str, args: &[&str]) {
    for attempt in 0.. {
        let out = Command::new(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        let code = out.status.code().unwrap_or(-1);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if code == 0 || code == 9 {
            return;
        }
        let locked = code == 10 || code == 1 || stderr.contains("cannot lock");
        if !locked || attempt >= 100 {
            panic!("{program} {args:?} failed with exit {code}: {stderr}");
        }
        // Another process (outside our flock, e.g. a package install) holds the lock.
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `id FLAG login` as a number.
fn id_number(flag: &str, login: &str) -> Option<u32> {
    let out = Command::new("id").args([flag, login]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn in_group(login: &str) -> bool {
    Command::new("id")
        .args(["-nG", login])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .any(|g| g == GROUP)
        })
        .unwrap_or(false)
}

fn ensure_account(login: &'static str, gid: u32) -> Account {
    if id_number("-u", login).is_none() {
        account_tool(
            "useradd",
            &[
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                "-G",
                GROUP,
                login,
            ],
        );
    }
    if !in_group(login) {
        account_tool("usermod", &["-aG", GROUP, login]);
    }
    let uid = id_number("-u", login).unwrap_or_else(|| panic!("account {login} was not created"));
    let own_gid = id_number("-g", login).unwrap_or_else(|| panic!("no primary group for {login}"));
    assert_ne!(own_gid, gid, "{login}'s primary group is the shared group");
    Account {
        login,
        uid,
        gid,
        own_gid,
    }
}

fn create_accounts() -> Accounts {
    let _lock = HostLock::take();
    if accessdesk::identity::gid_of(GROUP).is_none() {
        account_tool("groupadd", &[GROUP]);
    }
    let gid = accessdesk::identity::gid_of(GROUP).expect("the test group exists");
    Accounts {
        gid,
        approver: ensure_account(APPROVER, gid),
        security: ensure_account(SECURITY, gid),
        dual: ensure_account(DUAL, gid),
        outsider: ensure_account(OUTSIDER, gid),
    }
}
