//! A database file in its own temporary folder, the usual data in it, and reading the
//! file with a connection of the test's own to prove what changed and what did not.

use super::accounts::{APPROVER, APPROVER_NAME, Account, DUAL, GROUP, SECURITY, shared_accounts};
use super::bin::{Out, capture, command, ok, strings};
use rusqlite::{Connection, OpenFlags, types::ValueRef};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A seeded credential: the placeholder detector and the real one both refuse it.
pub const SECRET: &str = "password=Hunter2-Example-991";
/// The part of [`SECRET`] that must never reach the disk or an output.
pub const SECRET_VALUE: &str = "Hunter2-Example-991";

/// A planned project start far enough ahead that nothing is overdue.
pub const START: &str = "2030-01-15";
/// An expiry date in the future for temporary access and exceptions.
pub const LATER: &str = "2030-06-30";

/// A database file in its own temporary folder. As root, the folder is 2770 group
/// [`GROUP`] and the file is created with `init --group`, so the test accounts share it.
pub struct Db {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    /// What `init` printed.
    pub init: Out,
}

impl Db {
    /// A fresh file, initialised by the account running the tests (admin and
    /// coordinator). Shared with the test group when running as root.
    pub fn new() -> Db {
        let dir = tempfile::Builder::new()
            .prefix("accessdesk-itest-")
            .tempdir()
            .expect("create a temporary folder");
        let shared = shared_accounts();
        if let Some(acc) = shared {
            std::os::unix::fs::chown(dir.path(), None, Some(acc.gid)).expect("chown test folder");
            fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o2770))
                .expect("chmod test folder");
        }
        let path = dir.path().join("team.db");
        let mut db = Db {
            dir,
            path,
            init: Out::default(),
        };
        db.init = if shared.is_some() {
            db.run(&["init", "--group", GROUP]).ok()
        } else {
            db.run(&["init"]).ok()
        };
        db
    }

    /// A private file (mode 0600, no group) initialised by the account running the
    /// tests, as one person's own `accessdesk init` makes it.
    pub fn private() -> Db {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        let path = dir.path().join("t.db");
        let mut db = Db {
            dir,
            path,
            init: Out::default(),
        };
        db.init = db.run(&["init"]).ok();
        db
    }

    /// An empty folder with the file's path in it, for data built through the library.
    pub fn unopened(file_name: &str) -> Db {
        let dir = tempfile::tempdir().expect("create a temporary folder");
        let path = dir.path().join(file_name);
        Db {
            dir,
            path,
            init: Out::default(),
        }
    }

    pub fn home(&self) -> &Path {
        self.dir.path()
    }

    /// The login of the account running the tests (root in CI).
    pub fn me(&self) -> String {
        // SAFETY: getuid has no preconditions.
        let uid = unsafe { libc::getuid() };
        accessdesk::identity::login_of(uid).unwrap_or_else(|| format!("uid-{uid}"))
    }

    /// Runs `accessdesk --db FILE ARGS` as the account running the tests.
    pub fn run<S: AsRef<str>>(&self, args: &[S]) -> Out {
        self.run_with(None, &[], args)
    }

    /// Runs `accessdesk --db FILE ARGS` as another OS account.
    pub fn run_as<S: AsRef<str>>(&self, who: &Account, args: &[S]) -> Out {
        self.run_with(Some(who), &[], args)
    }

    /// Runs with extra environment variables, as `who` (or the current account).
    pub fn run_with<S: AsRef<str>>(
        &self,
        who: Option<&Account>,
        env: &[(&str, &str)],
        args: &[S],
    ) -> Out {
        let mut c = command(self.home(), who);
        for (k, v) in env {
            c.env(k, v);
        }
        let mut full = strings(&["--db", self.path.to_str().expect("utf-8 path")]);
        full.extend(args.iter().map(|a| a.as_ref().to_string()));
        capture(c, &full)
    }

    /// Registers the test accounts and adds project ACME (as the admin running the tests).
    pub fn team(&self) {
        self.run(&[
            "people",
            "add",
            APPROVER,
            "--role",
            "approver",
            "--name",
            APPROVER_NAME,
        ])
        .ok();
        self.run(&[
            "people",
            "add",
            SECURITY,
            "--role",
            "security",
            "--name",
            "Sam Security",
        ])
        .ok();
        self.run(&[
            "people",
            "add",
            DUAL,
            "--role",
            "approver,security",
            "--name",
            "Dana Dual",
        ])
        .ok();
        self.project("ACME");
    }

    /// Adds a project with a future start date.
    pub fn project(&self, key: &str) {
        self.run(&[
            "project",
            "add",
            key,
            "--name",
            "Acme rollout",
            "--client",
            "Acme Inc",
            "--start",
            START,
            "--tz",
            "UTC",
        ])
        .ok();
    }

    /// Runs `item add` for `spec` in ACME.
    pub fn try_add(&self, spec: &NewItem) -> Out {
        self.run(&spec.args("ACME"))
    }

    /// Adds an item and returns its id.
    #[track_caller]
    pub fn add(&self, spec: &NewItem) -> String {
        let mut args = spec.args("ACME");
        args.push("--json".into());
        let out = self.run(&args).ok();
        out.json()["id"]
            .as_str()
            .expect("item add --json has an id")
            .to_string()
    }

    /// `item show ID --json`.
    #[track_caller]
    /// Adds a complete item for `spec` and submits it: waiting for its approval owner.
    pub fn requested(&self, spec: &NewItem) -> String {
        let id = self.add(spec);
        self.run(&["item", "submit", &id]).ok();
        id
    }

    pub fn show(&self, id: &str) -> Value {
        self.run(&["item", "show", id, "--json"]).ok().json()
    }

    /// The item's state from `item show --json`.
    #[track_caller]
    pub fn state(&self, id: &str) -> String {
        self.show(id)["state"]
            .as_str()
            .expect("state is a string")
            .to_string()
    }

    /// A read-only connection of the test's own, to look at the file.
    pub fn ro(&self) -> Connection {
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .expect("open the database read-only");
        c.busy_timeout(Duration::from_secs(10))
            .expect("busy timeout");
        c
    }

    /// Everything in the file, for before/after comparisons.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::of(&self.ro())
    }

    /// Approvals in force (the item's current round) for an item id.
    pub fn approvals_in_force(&self, id: &str) -> Vec<(String, String)> {
        let (key, n) = id.rsplit_once('-').expect("item id");
        let c = self.ro();
        let mut st = c
            .prepare(
                "SELECT a.login, a.capacity FROM approvals a JOIN items i ON i.id = a.item_id AND a.round = i.round \
                 WHERE i.project = ?1 AND i.number = ?2 ORDER BY a.id",
            )
            .expect("prepare");
        st.query_map(
            rusqlite::params![key, n.parse::<i64>().expect("number")],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
    }
}

/// The usual arguments of `item add`, with every required field filled, changeable
/// per test.
#[derive(Debug, Clone)]
pub struct NewItem {
    args: Vec<(String, Option<String>)>,
}

impl Default for NewItem {
    fn default() -> Self {
        let d = [
            ("--system", "Google Analytics 4"),
            ("--purpose", "Set up conversion tracking"),
            ("--role", "Viewer"),
            ("--credential-owner", "Carol Client"),
            ("--approver", APPROVER),
            ("--method", "delegated-account"),
        ];
        NewItem {
            args: d
                .iter()
                .map(|(k, v)| (k.to_string(), Some(v.to_string())))
                .collect(),
        }
    }
}

impl NewItem {
    pub fn new() -> NewItem {
        NewItem::default()
    }

    /// Sets (or replaces) `--flag value`.
    pub fn set(mut self, flag: &str, value: &str) -> NewItem {
        match self.args.iter_mut().find(|(k, _)| k == flag) {
            Some(slot) => slot.1 = Some(value.to_string()),
            None => self.args.push((flag.to_string(), Some(value.to_string()))),
        }
        self
    }

    /// Adds a switch such as `--privileged`.
    pub fn switch(mut self, flag: &str) -> NewItem {
        self.args.push((flag.to_string(), None));
        self
    }

    /// Leaves a default flag out.
    pub fn without(mut self, flag: &str) -> NewItem {
        self.args.retain(|(k, _)| k != flag);
        self
    }

    pub fn args(&self, project: &str) -> Vec<String> {
        let mut out = strings(&["item", "add", "--project", project]);
        for (k, v) in &self.args {
            out.push(k.clone());
            if let Some(v) = v {
                out.push(v.clone());
            }
        }
        out
    }
}

/// Every row of every table (and the schema), rendered as text, plus the event chain
/// head. Comparing two snapshots proves a refused command changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub tables: BTreeMap<String, Vec<String>>,
    pub head: (i64, String),
}

fn render(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) => format!("{:?}", String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => format!("blob{b:?}"),
    }
}

impl Snapshot {
    pub fn of(c: &Connection) -> Snapshot {
        let names: Vec<String> = c
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("table names");
        let mut tables = BTreeMap::new();
        // The schema itself (tables, indexes, triggers) must not change either.
        let mut schema: Vec<String> = c
            .prepare("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("schema");
        schema.sort();
        tables.insert("(schema)".to_string(), schema);
        for t in names {
            let mut st = c
                .prepare(&format!("SELECT * FROM \"{t}\""))
                .expect("prepare");
            let n = st.column_count();
            let mut rows: Vec<String> = st
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| r.get_ref(i).map(render))
                        .collect::<Result<Vec<_>, _>>()?
                        .join("|"))
                })
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows");
            // WITHOUT ROWID tables have no natural order; sorting makes rows comparable.
            rows.sort();
            tables.insert(t, rows);
        }
        let head = c
            .query_row(
                "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap_or((0, String::new()));
        Snapshot { tables, head }
    }

    pub fn counts(&self) -> BTreeMap<&str, usize> {
        self.tables
            .iter()
            .map(|(k, v)| (k.as_str(), v.len()))
            .collect()
    }

    /// Asserts that nothing at all changed: row counts, rows, schema, chain head.
    #[track_caller]
    pub fn assert_same(&self, after: &Snapshot, what: &str) {
        assert_eq!(
            self.counts(),
            after.counts(),
            "{what}: row counts changed although the command was refused"
        );
        assert_eq!(
            self.head, after.head,
            "{what}: the event chain head moved although the command was refused"
        );
        for (t, rows) in &self.tables {
            assert_eq!(
                Some(rows),
                after.tables.get(t),
                "{what}: table {t} changed although the command was refused"
            );
        }
    }

    /// Asserts that every table but `events` is unchanged and that the events only
    /// grew (old rows untouched). Returns how many events were appended.
    #[track_caller]
    pub fn assert_only_new_events(&self, after: &Snapshot, what: &str) -> usize {
        for (t, rows) in &self.tables {
            if t != "events" {
                assert_eq!(
                    Some(rows),
                    after.tables.get(t),
                    "{what}: table {t} changed although the command was refused"
                );
            }
        }
        let before = &self.tables["events"];
        let now = &after.tables["events"];
        // The log is append-only: every old row must still be there unchanged.
        for r in before {
            assert!(now.contains(r), "{what}: an existing event changed: {r}");
        }
        now.len() - before.len()
    }
}

impl Db {
    /// Asserts that a refused credential left exactly one trace: a new `unsafe-attempt`
    /// event naming the field and the detector, never the value. Returns its payload.
    #[track_caller]
    pub fn assert_only_unsafe_attempt(
        &self,
        before: &Snapshot,
        after: &Snapshot,
        field: &str,
        what: &str,
    ) -> Value {
        let added = before.assert_only_new_events(after, what);
        assert_eq!(
            added, 1,
            "{what}: expected exactly one new event (the unsafe attempt)"
        );
        assert_eq!(after.head.0, before.head.0 + 1, "{what}: chain head");
        let (kind, _, _, payload) = event(self, after.head.0);
        assert_eq!(kind, "unsafe-attempt", "{what}: kind of the new event");
        assert_eq!(payload["field"], field, "{what}: payload {payload}");
        assert!(
            payload["detector"].as_str().is_some_and(|d| !d.is_empty()),
            "{what}: the payload names no detector: {payload}"
        );
        assert!(
            !payload.to_string().contains(SECRET_VALUE),
            "{what}: the unsafe-attempt event holds the secret: {payload}"
        );
        payload
    }
}

/// The event with sequence number `seq`: (kind, login, uid, payload).
pub fn event(db: &Db, seq: i64) -> (String, String, i64, Value) {
    let c = db.ro();
    let (kind, login, uid, payload): (String, String, i64, String) = c
        .query_row(
            "SELECT kind, login, uid, payload FROM events WHERE seq = ?1",
            [seq],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap_or_else(|e| panic!("event {seq}: {e}"));
    let payload = serde_json::from_str(&payload).unwrap_or(Value::String(payload));
    (kind, login, uid, payload)
}

/// True when `text` mentions `seq N` with N not followed by another digit.
pub fn names_seq(text: &str, n: i64) -> bool {
    let needle = format!("seq {n}");
    text.match_indices(&needle).any(|(i, _)| {
        !text[i + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

// ---- the private fixture of the process-level tests ----------------------------------

/// Adds project ACME (client "Acme Retail", a future start), the project every fixture
/// works in.
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
            START,
            "--tz",
            "UTC",
        ],
    );
}

/// A private file with project ACME and one registered approver (`bob`, not an OS
/// account).
pub fn fixture() -> Db {
    let db = Db::private();
    ok(&db.path, &["people", "add", "bob", "--role", "approver"]);
    add_acme(&db.path);
    db
}

/// Adds a complete item to ACME with `bob` as approval owner; returns its id.
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
    let v: Value = serde_json::from_str(&out).expect("item add --json");
    v["id"].as_str().expect("an id").to_string()
}

pub fn file_bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_default()
}

/// A file shared with [`GROUP`] in which the approver's OS account takes part.
pub struct TeamDb {
    pub db: Db,
    /// [`APPROVER`], registered with the roles given to [`team_db`].
    pub member: &'static Account,
}

/// A file shared with the test group, created by the account running the tests (admin
/// and coordinator), with [`APPROVER`] registered with `member_roles` and project ACME.
/// `None` (after a [`skip`](super::skip) notice) when not running as root.
#[track_caller]
pub fn team_db(member_roles: &str) -> Option<TeamDb> {
    let acc = super::accounts::accounts()?;
    let db = Db::new();
    ok(
        &db.path,
        &["people", "add", APPROVER, "--role", member_roles],
    );
    add_acme(&db.path);
    Some(TeamDb {
        db,
        member: &acc.approver,
    })
}

/// Rewrites the event log of the file at `path` with the `sqlite3` shell, as someone
/// who can write the file but holds no key would: `change` may give an event a new
/// payload (by its position in the log, its kind and its payload), and every link is
/// recomputed as SHA-256 from `relink_from` on (0 for the whole log) — the links
/// before it stay as they were. The append-only trigger is dropped for the rewrite
/// and put back exactly as it was.
pub fn rewrite_log(
    path: &Path,
    relink_from: usize,
    mut change: impl FnMut(usize, &str, &str) -> Option<String>,
) {
    type Row = (
        i64,
        String,
        i64,
        String,
        Option<String>,
        Option<String>,
        String,
        String,
        String,
    );
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open the file to read its log");
    let rows: Vec<Row> = c
        .prepare(
            "SELECT seq, at, uid, login, project, item, kind, payload, hash FROM events ORDER BY seq",
        )
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            })?
            .collect()
        })
        .expect("read the log");
    let trigger: String = c
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'events_no_update'",
            [],
            |r| r.get(0),
        )
        .expect("the append-only trigger");
    drop(c);
    let mut sql = String::from("DROP TRIGGER events_no_update;\nBEGIN;\n");
    let mut prev = "0".repeat(64);
    for (i, (seq, at, uid, login, project, item, kind, payload, stored)) in
        rows.into_iter().enumerate()
    {
        let payload = change(i, &kind, &payload).unwrap_or(payload);
        if i < relink_from {
            prev = stored;
            continue;
        }
        let bytes = serde_json::to_vec(&(
            seq, &at, uid, &login, &project, &item, &kind, &payload, &prev,
        ))
        .expect("an event as JSON");
        use sha2::Digest;
        let hash: String = sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        sql.push_str(&format!(
            "UPDATE events SET payload = '{}', prev_hash = '{prev}', hash = '{hash}' WHERE seq = {seq};\n",
            payload.replace('\'', "''")
        ));
        prev = hash;
    }
    sql.push_str(&format!("COMMIT;\n{trigger};\n"));
    let out = std::process::Command::new("sqlite3")
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(sql.as_bytes())?;
            child.wait_with_output()
        })
        .expect("the sqlite3 shell is installed (CI installs it)");
    assert!(
        out.status.success(),
        "sqlite3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
