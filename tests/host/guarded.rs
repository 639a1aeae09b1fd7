//! A guarded installation, end to end, as root: the real binary installed setgid to
//! a fresh service group nobody is in, under a root-owned prefix (not under /tmp,
//! whose sticky, world-writable folder a guarded installation refuses), with its
//! configuration; two OS accounts outside the group work through it and cannot
//! reach the file any other way.

use crate::common::{Account, Out, accounts, capture, is_root, skip, strings};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A guarded installation under a temporary prefix in /var/lib, removed afterwards
/// with its service group.
struct Install {
    prefix: tempfile::TempDir,
    group: String,
    gid: u32,
}

impl Install {
    /// Installs the binary; `None` (with a notice) only when not running as root.
    fn new(tag: &str) -> Option<Install> {
        if !is_root() {
            skip(
                "a guarded installation needs root (a service group, a setgid binary, other accounts); CI runs the tests as root",
            );
            return None;
        }
        let prefix = tempfile::Builder::new()
            .prefix("accessdesk-test-")
            .tempdir_in("/var/lib")
            .expect("create a prefix in /var/lib");
        let root = prefix.path().to_path_buf();
        let root = root.as_path();
        fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
        // Fails, saying why, where the kernel would ignore the setgid bit.
        let nosuid = accessdesk::host::privilege::nosuid_mount(root);
        assert!(
            !nosuid,
            "{} is on a filesystem mounted nosuid: the kernel ignores the setgid bit there, so a guarded installation cannot work on it",
            root.display()
        );
        assert!(
            !accessdesk::host::privilege::no_new_privs(),
            "the tests run with no_new_privs, which makes the kernel ignore the setgid bit: a guarded installation cannot be tested here"
        );
        let group = format!("adsvc{}{}", tag, std::process::id() % 100_000);
        group_tool("groupadd", &[&group]);
        let gid = accessdesk::identity::gid_of(&group).expect("the service group exists");
        let install = Install { prefix, group, gid };
        for d in ["bin", "etc", "etc/accessdesk"] {
            fs::create_dir(root.join(d)).unwrap();
            fs::set_permissions(root.join(d), fs::Permissions::from_mode(0o755)).unwrap();
        }
        let bin = install.bin();
        // Copied by another process: a copy written here would leave its write handle
        // in every process another test thread forks meanwhile, and starting the
        // binary would fail with "text file busy" until they exec.
        let copied = std::process::Command::new("cp")
            .arg(env!("CARGO_BIN_EXE_accessdesk"))
            .arg(&bin)
            .status()
            .expect("run cp");
        assert!(copied.success(), "cp of the binary failed: {copied}");
        std::os::unix::fs::chown(&bin, Some(0), Some(gid)).unwrap();
        // After the chown, which clears the setgid bit.
        fs::set_permissions(&bin, fs::Permissions::from_mode(0o2755)).unwrap();
        let data = root.join("data");
        fs::create_dir(&data).unwrap();
        std::os::unix::fs::chown(&data, Some(0), Some(gid)).unwrap();
        fs::set_permissions(&data, fs::Permissions::from_mode(0o2770)).unwrap();
        let conf = root.join("etc/accessdesk/accessdesk.toml");
        fs::write(
            &conf,
            format!(
                "# the team file\ndatabase = \"{}\"\n",
                install.db().display()
            ),
        )
        .unwrap();
        fs::set_permissions(&conf, fs::Permissions::from_mode(0o644)).unwrap();
        Some(install)
    }

    fn bin(&self) -> PathBuf {
        self.prefix.path().join("bin/accessdesk")
    }

    fn db(&self) -> PathBuf {
        self.prefix.path().join("data/team.db")
    }

    fn key(&self) -> PathBuf {
        self.prefix.path().join("data/team.db.key")
    }

    /// A home folder of `who`'s own, where the files they name are written.
    fn home(&self, who: Option<&Account>) -> PathBuf {
        let name = who.map_or("root", |a| a.login);
        let home = self.prefix.path().join(format!("home-{name}"));
        if !home.exists() {
            fs::create_dir(&home).unwrap();
            if let Some(a) = who {
                std::os::unix::fs::chown(&home, Some(a.uid), Some(a.own_gid)).unwrap();
            }
            fs::set_permissions(&home, fs::Permissions::from_mode(0o700)).unwrap();
        }
        home
    }

    /// Runs the installed binary as `who` (root when `None`), without `--db`.
    fn run(&self, who: Option<&Account>, args: &[&str]) -> Out {
        self.run_env(who, &[], args)
    }

    fn run_env(&self, who: Option<&Account>, env: &[(&str, &str)], args: &[&str]) -> Out {
        let home = self.home(who);
        let mut c = Command::new(self.bin());
        c.env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", &home)
            .env("NO_COLOR", "1")
            .current_dir(&home)
            .stdin(Stdio::null());
        for (k, v) in env {
            c.env(k, v);
        }
        // Each account as itself, with its own group only: outside the service
        // group, and outside the group of the plain test files too.
        if let Some(a) = who {
            c.uid(a.uid).gid(a.own_gid);
        }
        capture(c, &strings(args))
    }

    /// Runs another program as `who`.
    fn other(&self, who: &Account, program: &str, args: &[&str]) -> std::process::Output {
        Command::new(program)
            .args(args)
            .uid(who.uid)
            .gid(who.own_gid)
            .current_dir(self.home(Some(who)))
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
    }

    /// Runs `sql` on the team file with the sqlite3 shell, as root: what root (or
    /// anyone who could write the file) can do behind the program's back.
    fn sqlite(&self, sql: &str) {
        let out = Command::new("sqlite3")
            .arg(self.db())
            .arg(sql)
            .output()
            .expect("sqlite3 is installed (CI installs it)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// How many events the team file's log holds (read as root).
    fn events(&self) -> usize {
        let c = rusqlite::Connection::open_with_flags(
            self.db(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        c.query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))
            .unwrap() as usize
    }

    /// Initialises the file as root and registers the two accounts.
    fn team(&self, a: &Account, b: &Account) {
        let init = self.run(None, &["init"]).ok();
        assert!(init.stdout.contains("created the key"), "{}", init.stdout);
        assert!(
            !init.stdout.contains(&key_hex(&self.key())),
            "the key was printed"
        );
        for who in [a, b] {
            self.run(
                None,
                &[
                    "people",
                    "add",
                    who.login,
                    "--role",
                    "coordinator,approver,security",
                ],
            )
            .ok();
        }
        self.run(
            None,
            &[
                "project",
                "add",
                "ACME",
                "--name",
                "Acme",
                "--client",
                "Acme Inc",
                "--start",
                "2030-01-15",
                "--tz",
                "UTC",
            ],
        )
        .ok();
    }
}

impl Drop for Install {
    fn drop(&mut self) {
        group_tool("groupdel", &[&self.group]);
    }
}

/// Runs groupadd/groupdel, retrying while another process holds the group file's lock.
fn group_tool(program: &str, args: &[&str]) {
    for _ in 0..100 {
        let out = Command::new(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
        match out.status.code() {
            Some(0) => return,
            Some(10) | Some(1) => std::thread::sleep(Duration::from_millis(100)),
            _ => panic!(
                "{program} {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
    panic!("{program} {args:?}: the group file stayed locked");
}

fn key_hex(path: &Path) -> String {
    fs::read(path)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn two_accounts() -> Option<(Account, Account, Account)> {
    let acc = accounts()?;
    Some((
        acc.approver.clone(),
        acc.security.clone(),
        acc.outsider.clone(),
    ))
}

#[test]
fn two_accounts_work_through_a_guarded_installation_and_cannot_reach_the_file_otherwise() {
    let Some(inst) = Install::new("a") else {
        return;
    };
    let Some((ana, bo, outsider)) = two_accounts() else {
        return;
    };
    inst.team(&ana, &bo);

    // The files: the team file 0660 and the key 0640, both of the service group.
    let db = fs::metadata(inst.db()).unwrap();
    assert_eq!((db.gid(), db.mode() & 0o7777), (inst.gid, 0o660));
    let key = fs::metadata(inst.key()).unwrap();
    assert_eq!(
        (key.gid(), key.mode() & 0o7777, key.len()),
        (inst.gid, 0o640, 32)
    );

    // Both work through accessdesk: one adds and submits, the other approves.
    let item = [
        "item",
        "add",
        "--project",
        "ACME",
        "--system",
        "Analytics",
        "--purpose",
        "reporting",
        "--role",
        "Viewer",
        "--credential-owner",
        "Client IT",
        "--approver",
        bo.login,
        "--method",
        "vault",
    ];
    inst.run(Some(&ana), &item).ok();
    inst.run(Some(&ana), &["item", "submit", "ACME-1"]).ok();
    inst.run(Some(&bo), &["item", "approve", "ACME-1"]).ok();
    let shown = inst
        .run(Some(&ana), &["item", "show", "ACME-1", "--json"])
        .ok();
    assert_eq!(shown.json()["state"], "approved", "{}", shown.stdout);
    let verified = inst.run(Some(&bo), &["audit", "verify"]).ok();
    assert!(verified.stdout.starts_with("ok:"), "{}", verified.stdout);

    // The log is written as the person, after the service group was given up.
    let log = inst
        .home(Some(&ana))
        .join(".local/state/accessdesk/accessdesk.log");
    let meta = fs::metadata(&log).expect("ana's log");
    assert_eq!(
        (meta.uid(), meta.gid(), meta.mode() & 0o777),
        (ana.uid, ana.own_gid, 0o600)
    );
    // Read-only works guarded too: reads answer, writes are refused by rule.
    let bytes = fs::read(inst.db()).unwrap();
    inst.run(Some(&bo), &["--read-only", "item", "show", "ACME-1"])
        .ok();
    inst.run(
        Some(&bo),
        &["--read-only", "item", "note", "ACME-1", "--note", "x"],
    )
    .refused("read-only");
    assert_eq!(fs::read(inst.db()).unwrap(), bytes);

    // The personal configuration is the person's: a file only she can read is applied,
    // and a `database` key is an error here (the team file is the only one).
    let conf_dir = inst.home(Some(&ana)).join(".config/accessdesk");
    fs::create_dir_all(&conf_dir).unwrap();
    let conf = conf_dir.join("config.toml");
    fs::write(&conf, "theme = \"mono\"\n").unwrap();
    for path in [
        conf_dir.parent().unwrap(),
        conf_dir.as_path(),
        conf.as_path(),
    ] {
        std::os::unix::fs::chown(path, Some(ana.uid), Some(ana.own_gid)).unwrap();
    }
    fs::set_permissions(&conf, fs::Permissions::from_mode(0o600)).unwrap();
    let shown = inst.run(Some(&ana), &["config", "show"]).ok();
    assert!(
        shown
            .stdout
            .lines()
            .any(|l| l.contains("theme") && l.contains("mono")),
        "{}",
        shown.stdout
    );
    fs::write(
        &conf,
        "theme = \"mono\"\ndatabase = \"/tmp/elsewhere.db\"\n",
    )
    .unwrap();
    let refused = inst.run(Some(&ana), &["item", "list"]).code(2);
    assert!(
        refused.stderr.contains("line 2, key database"),
        "{}",
        refused.stderr
    );
    fs::remove_file(&conf).unwrap();

    // Neither can open the file, or read the key, with another program.
    for who in [&ana, &bo] {
        let out = inst.other(
            who,
            "sqlite3",
            &[inst.db().to_str().unwrap(), "SELECT count(*) FROM events"],
        );
        assert!(
            !out.status.success(),
            "{} opened the team file with sqlite3: {}",
            who.login,
            String::from_utf8_lossy(&out.stdout)
        );
        let out = inst.other(who, "cat", &[inst.key().to_str().unwrap()]);
        assert!(!out.status.success(), "{} read the key", who.login);
    }

    // --db or ACCESSDESK_DB naming another file is refused, saying why; the
    // configured file by another spelling is accepted.
    let other = inst.home(Some(&ana)).join("mine.db");
    let refused = inst
        .run(
            Some(&ana),
            &["--db", other.to_str().unwrap(), "item", "list"],
        )
        .code(1);
    assert!(
        refused.stderr.contains("opens only its team file"),
        "{}",
        refused.stderr
    );
    assert!(!other.exists());
    let refused = inst
        .run_env(
            Some(&ana),
            &[("ACCESSDESK_DB", other.to_str().unwrap())],
            &["item", "list"],
        )
        .code(1);
    assert!(refused.stderr.contains("opens only its team file"));
    let spelled = inst.prefix.path().join("data/../data/./team.db");
    inst.run(
        Some(&ana),
        &["--db", spelled.to_str().unwrap(), "item", "list"],
    )
    .ok();

    // A zone given as a file is refused; a zone name is fine.
    inst.run_env(Some(&ana), &[("TZ", "/etc/shadow")], &["item", "list"])
        .code(2);
    inst.run_env(Some(&ana), &[("TZ", "Europe/Berlin")], &["item", "list"])
        .ok();

    // An anchor written by one account belongs to that account and its group, not
    // to the service group.
    let anchor = inst.home(Some(&bo)).join("anchor.json");
    inst.run(Some(&bo), &["audit", "anchor", anchor.to_str().unwrap()])
        .ok();
    let m = fs::metadata(&anchor).unwrap();
    assert_eq!((m.uid(), m.gid()), (bo.uid, bo.own_gid));
    assert_ne!(m.gid(), inst.gid);
    // So does an evidence bundle: the folder and every file in it.
    let bundle = inst.home(Some(&bo)).join("evidence");
    inst.run(Some(&bo), &["evidence", bundle.to_str().unwrap()])
        .ok();
    for f in [
        "",
        "manifest.json",
        "items.csv",
        "decisions.jsonl",
        "summary.md",
    ] {
        let m = fs::metadata(bundle.join(f)).unwrap();
        assert_eq!((m.uid(), m.gid()), (bo.uid, bo.own_gid), "{f}");
    }
    inst.run(
        Some(&ana),
        &["audit", "verify", "--anchor", anchor.to_str().unwrap()],
    )
    .code(1); // ana cannot read bo's private home: the anchor is bo's file
    let copy = inst.home(Some(&ana)).join("anchor.json");
    fs::copy(&anchor, &copy).unwrap();
    std::os::unix::fs::chown(&copy, Some(ana.uid), Some(ana.own_gid)).unwrap();
    inst.run(
        Some(&ana),
        &["audit", "verify", "--anchor", copy.to_str().unwrap()],
    )
    .ok();

    // The demo gives the group up from the start: its file is the person's own.
    let demo = inst.home(Some(&ana)).join("demo.db");
    inst.run(
        Some(&ana),
        &["demo", "--no-tui", "--db", demo.to_str().unwrap()],
    )
    .ok();
    let m = fs::metadata(&demo).unwrap();
    assert_eq!((m.uid(), m.gid()), (ana.uid, ana.own_gid));

    // Reading needs a registered account; host check works for everyone.
    inst.run(Some(&outsider), &["item", "list"])
        .refused("registered-person");
    let check = inst.run(Some(&outsider), &["host", "check"]).ok();
    assert!(check.stdout.starts_with("guarded:"), "{}", check.stdout);
    inst.run(Some(&ana), &["host", "check"]).ok();

    // Without the setgid bit: host check names it and exits 1, and the team file is
    // not opened (nor any other file instead).
    fs::set_permissions(inst.bin(), fs::Permissions::from_mode(0o755)).unwrap();
    let check = inst.run(Some(&ana), &["host", "check"]).code(1);
    assert!(
        check.stdout.contains("lacks the setgid bit"),
        "{}",
        check.stdout
    );
    assert!(check.stdout.contains("did not gain the service group"));
    let refused = inst.run(Some(&ana), &["item", "list"]).code(1);
    assert!(
        refused.stderr.contains("did not gain the service group")
            && refused.stderr.contains("host check"),
        "{}",
        refused.stderr
    );
    // No personal database instead (the log in ~/.local/state is the only file of hers).
    assert!(!inst.home(Some(&ana)).join(".local/share").exists());
    fs::set_permissions(inst.bin(), fs::Permissions::from_mode(0o2755)).unwrap();
    inst.run(Some(&ana), &["host", "check"]).ok();

    // A trigger planted by root with sqlite3 is named, and no write happens while
    // it is there.
    let sqlite = |sql: &str| inst.sqlite(sql);
    sqlite(
        "CREATE TRIGGER approve_all AFTER UPDATE ON items BEGIN UPDATE items SET state = 'approved'; END;",
    );
    let refused = inst
        .run(Some(&ana), &["item", "note", "ACME-1", "--note", "checked"])
        .code(3);
    assert!(
        refused
            .stderr
            .contains("trigger approve_all (not made by accessdesk)"),
        "{}",
        refused.stderr
    );
    sqlite("DROP TRIGGER approve_all;");
    inst.run(Some(&ana), &["item", "note", "ACME-1", "--note", "checked"])
        .ok();
}

#[test]
fn a_log_rewritten_with_recomputed_sha256_links_fails_verification_when_guarded() {
    let Some(inst) = Install::new("b") else {
        return;
    };
    let Some((ana, bo, _)) = two_accounts() else {
        return;
    };
    // With admin = LOGIN, only that login (or root) may run init.
    let conf = inst.prefix.path().join("etc/accessdesk/accessdesk.toml");
    let text = fs::read_to_string(&conf).unwrap();
    fs::write(&conf, format!("{text}admin = \"{}\"\n", ana.login)).unwrap();
    inst.run(Some(&bo), &["init"]).refused("role-required");
    assert!(!inst.db().exists() && !inst.key().exists());
    inst.team(&ana, &bo);
    inst.run(Some(&ana), &["people", "list"]).ok();
    inst.run(None, &["people", "add", bo.login, "--role", "support"])
        .ok();
    let before = inst.run(Some(&bo), &["audit", "verify"]).ok();
    assert!(before.stdout.starts_with("ok:"));

    // As root, with sqlite3: give bo back every role in the last event, and rewrite
    // the links from the first event on as SHA-256, as anyone without the key would.
    let last = inst.events() - 1;
    crate::common::rewrite_log(&inst.db(), 0, |i, _, payload| {
        (i == last).then(|| payload.replace("support", "coordinator"))
    });

    // The SHA-256 links all hold, the keyed ones do not.
    let failed = inst.run(Some(&bo), &["audit", "verify"]).code(1);
    assert!(failed.stderr.contains("keyed link"), "{}", failed.stderr);
    // And nothing else is done on that file until it is restored.
    let refused = inst.run(Some(&ana), &["item", "list"]).code(1);
    assert!(
        refused
            .stderr
            .contains("not linked under this installation's key"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_plain_teams_file_moved_into_a_guarded_installation_is_keyed_and_verifies() {
    let Some(inst) = Install::new("c") else {
        return;
    };
    let Some((ana, bo, _)) = two_accounts() else {
        return;
    };
    // A plain team's file, written by the same build without a configuration; ana
    // made it, so she is its admin and root is not registered in it.
    let old = inst.home(Some(&ana)).join("old.db");
    let plain = |args: &[&str]| {
        let mut full = vec!["--db", old.to_str().unwrap()];
        full.extend_from_slice(args);
        let mut c = Command::new(env!("CARGO_BIN_EXE_accessdesk"));
        c.env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", inst.home(Some(&ana)))
            .uid(ana.uid)
            .gid(ana.own_gid)
            .stdin(Stdio::null());
        capture(c, &strings(&full)).ok()
    };
    plain(&["init"]);
    plain(&[
        "project",
        "add",
        "ACME",
        "--name",
        "Acme",
        "--client",
        "Acme Inc",
        "--start",
        "2030-01-15",
        "--tz",
        "UTC",
    ]);
    let before = plain(&["audit", "verify", "--json"]).json();
    let anchor = inst.home(Some(&ana)).join("before.json");
    plain(&["audit", "anchor", anchor.to_str().unwrap()]);

    // Moved in with SQLite's backup, as the README says; root keys it.
    let out = Command::new("sqlite3")
        .arg(&old)
        .arg(format!(".backup {}", inst.db().display()))
        .output()
        .expect("sqlite3 is installed (CI installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::os::unix::fs::chown(inst.db(), Some(0), Some(inst.gid)).unwrap();
    fs::set_permissions(inst.db(), fs::Permissions::from_mode(0o660)).unwrap();
    // Before init there is no key: nothing is opened.
    let refused = inst.run(Some(&ana), &["item", "list"]).code(1);
    assert!(refused.stderr.contains("no key at"), "{}", refused.stderr);
    let init = inst.run(None, &["init"]).ok();
    let keyed_from = before["head_seq"].as_i64().unwrap() + 1;
    assert!(
        init.stdout
            .contains(&format!("the log is keyed from seq {keyed_from} on")),
        "{}",
        init.stdout
    );
    // The SHA-256 part and the keyed part verify, and the old anchor is still reached.
    inst.run(
        Some(&ana),
        &["audit", "verify", "--anchor", anchor.to_str().unwrap()],
    )
    .ok();
    // Root keyed it without being registered in it; the team goes on through the
    // guarded installation under the file's rules: ana is its admin, root is nobody.
    inst.run(None, &["people", "add", bo.login, "--role", "security"])
        .refused("registered-person");
    inst.run(
        Some(&ana),
        &["people", "add", bo.login, "--role", "security"],
    )
    .ok();
    inst.run(Some(&bo), &["project", "list"]).ok();
    let v = inst
        .run(Some(&ana), &["audit", "verify", "--json"])
        .ok()
        .json();
    assert_eq!(v["head_seq"].as_i64().unwrap(), keyed_from + 1, "{v}");
}

#[test]
fn direct_edits_by_root_are_named_by_verify_in_a_guarded_installation() {
    let Some(inst) = Install::new("d") else {
        return;
    };
    let Some((ana, bo, _)) = two_accounts() else {
        return;
    };
    inst.team(&ana, &bo);
    let item = [
        "item",
        "add",
        "--project",
        "ACME",
        "--system",
        "Billing",
        "--purpose",
        "invoices",
        "--role",
        "Viewer",
        "--credential-owner",
        "Client IT",
        "--approver",
        bo.login,
        "--method",
        "vault",
    ];
    inst.run(Some(&ana), &item).ok();
    inst.run(Some(&ana), &["item", "submit", "ACME-1"]).ok();
    inst.run(Some(&bo), &["audit", "verify"]).ok();
    let sqlite = |sql: &str| inst.sqlite(sql);
    // Each edit, made as root behind the program's back, is named; undone, the file
    // verifies again.
    for (edit, undo, named) in [
        (
            format!(
                "UPDATE people SET roles = 'admin,coordinator' WHERE login = '{}'",
                bo.login
            ),
            format!(
                "UPDATE people SET roles = 'coordinator,approver,security' WHERE login = '{}'",
                bo.login
            ),
            "people",
        ),
        (
            format!(
                "INSERT INTO approvals (item_id, round, login, capacity, conditions, at) \
                 SELECT id, round, '{}', 'owner', NULL, updated_at FROM items WHERE number = 1",
                bo.login
            ),
            "DELETE FROM approvals".to_string(),
            "approvals",
        ),
        (
            "UPDATE items SET state = 'approved' WHERE number = 1".to_string(),
            "UPDATE items SET state = 'requested' WHERE number = 1".to_string(),
            "state",
        ),
    ] {
        sqlite(&edit);
        let out = inst.run(Some(&bo), &["audit", "verify"]).code(1);
        assert!(out.stderr.contains(named), "{edit}: {}", out.stderr);
        sqlite(&undo);
        inst.run(Some(&bo), &["audit", "verify"]).ok();
    }
}
