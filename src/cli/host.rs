//! The command line in a guarded installation: decides the mode before any command
//! runs, opens the team file and its key with the service group, gives the group up
//! before anything else happens, and runs `host check` and a guarded `init`.
//!
//! The store opened here is handed to the command by [`take_opened`]: the command
//! never opens the team file itself, because by then the process can no longer reach
//! it.

use super::args::{AuditCmd, Cli, Command, HostCmd};
use super::{CmdResult, Failure, output};
use crate::domain::{Refusal, Rule};
use crate::host::config::ConfigError;
use crate::host::keyfile::{self, KeyError};
use crate::host::{Guarded, Mode, check, privilege};
use crate::identity::Identity;
use crate::store::{self, Store, events::KeyedHead};
use serde_json::json;
use std::cell::RefCell;
use std::fs;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

thread_local! {
    /// The team file, opened before the group was given up.
    static OPENED: RefCell<Option<Store>> = const { RefCell::new(None) };
}

/// The store opened at start for `path`, if there is one (once).
pub(super) fn take_opened(path: &Path) -> Option<Store> {
    OPENED.with(|o| {
        let mut o = o.borrow_mut();
        if o.as_ref().is_some_and(|s| s.path() == path) {
            o.take()
        } else {
            None
        }
    })
}

/// How the run goes on after the start.
pub(super) enum Start {
    /// No system configuration, or `demo` (which gave the group up): as always.
    Plain,
    /// `host check`: the facts as found at start, group still held.
    Check(Box<Result<Mode, ConfigError>>),
    /// The team file is open (see [`take_opened`]) and the group given up.
    Guarded {
        path: PathBuf,
        init: Option<Initialised>,
    },
}

/// What a guarded `init` did.
pub(super) struct Initialised {
    created_file: bool,
    created_key: bool,
    keyed_from: Option<i64>,
    registered: bool,
    login: String,
    group: String,
    key_path: PathBuf,
    key_id: String,
}

/// Finds the mode and, in a guarded installation, opens the team file and gives the
/// service group up. Runs first, before any other thread exists.
pub(super) fn start(cli: &Cli) -> Result<Start, Failure> {
    let mode = Mode::detect();
    if matches!(cli.command, Some(Command::Host(_))) {
        return Ok(Start::Check(Box::new(mode)));
    }
    let mode = mode.map_err(|e| {
        let _ = privilege::drop_all();
        Failure::Error(format!(
            "the system configuration cannot be used, so accessdesk does not start: {e}"
        ))
    })?;
    let Mode::Guarded(g) = mode else {
        return Ok(Start::Plain);
    };
    if matches!(cli.command, Some(Command::Demo(_))) {
        // The demo writes a personal file: it has no use for the group at all.
        privilege::drop_all()
            .map_err(|e| Failure::Error(format!("cannot give up the service group: {e}")))?;
        return Ok(Start::Plain);
    }
    let opened = open_guarded(cli, &g);
    // Given up whatever happened, before the command (or the error message) runs.
    let dropped = privilege::drop_effective();
    let start = opened?;
    dropped.map_err(|e| Failure::Error(format!("cannot give up the service group: {e}")))?;
    Ok(start)
}

fn open_guarded(cli: &Cli, g: &Guarded) -> Result<Start, Failure> {
    let db = &g.config.database;
    if !g.gained() {
        return Err(Failure::Error(format!(
            "this installation is guarded ({}), but this process did not gain the service group {}, so it cannot reach the team file {}; it uses no other file instead. Run `accessdesk host check` to see why",
            g.config_path.display(),
            g.service_group(),
            db.display()
        )));
    }
    if let Ok(tz) = std::env::var("TZ")
        && !privilege::is_zone_name(&tz)
    {
        return Err(Failure::Usage(format!(
            "TZ={tz:?} is not a time zone name such as Europe/Berlin or UTC: a guarded installation accepts zone names only, never a file or a rule"
        )));
    }
    if let Some(named) = &cli.db {
        same_file(named, db, &g.config_path)?;
    }
    store::keep_temporary_data_in_memory();
    if let Some(Command::Init(a)) = &cli.command {
        if cli.read_only {
            return Err(super::read_only::refusal("init"));
        }
        if a.group.is_some() {
            return Err(Failure::Usage(format!(
                "--group: a guarded installation shares the team file with its service group {} only",
                g.service_group()
            )));
        }
        return init(g);
    }
    let key = read_key(g)?;
    let mut store = super::open_store(db)?;
    store.first_read()?;
    let verifying = matches!(cli.command, Some(Command::Audit(AuditCmd::Verify { .. })));
    match store.use_chain_key(key)? {
        // A baseline the open could not write before it had the key is written now,
        // its links keyed like every other.
        KeyedHead::Keyed if !store.is_read_only() => {
            store.write_baseline()?;
        }
        KeyedHead::Keyed => {}
        // `audit verify` opens it anyway, to say what is wrong.
        _ if verifying => {}
        KeyedHead::NeverKeyed => {
            return Err(Failure::Error(format!(
                "the log of {} was never keyed under this installation's key, so nothing in it can be trusted here. Check it with `accessdesk audit verify`; root or the configured admin then keys it with `accessdesk init`",
                db.display()
            )));
        }
        KeyedHead::Foreign { seq, .. } => {
            return Err(Failure::Error(format!(
                "the last event of the log of {} (seq {seq}) is not linked under this installation's key: another program wrote it. Nothing was changed; see `accessdesk audit verify`, and restore the file from a backup",
                db.display()
            )));
        }
    }
    if store.my_person()?.is_none() {
        return Err(unregistered(&store.me().login));
    }
    OPENED.with(|o| *o.borrow_mut() = Some(store));
    Ok(Start::Guarded {
        path: db.clone(),
        init: None,
    })
}

fn unregistered(login: &str) -> Failure {
    Refusal::new(
        Rule::Registered,
        format!(
            "{login} is not registered in the team file, and in a guarded installation only registered people may use it"
        ),
    )
    .fix(format!(
        "ask an admin to run `accessdesk people add {login} --role ROLE`; `accessdesk host check` works for everyone"
    ))
    .into()
}

/// Accepts `--db`/`ACCESSDESK_DB` only when it names the configured file.
fn same_file(named: &Path, configured: &Path, config: &Path) -> Result<(), Failure> {
    if canonical(named) == canonical(configured) {
        return Ok(());
    }
    Err(Failure::Error(format!(
        "--db or ACCESSDESK_DB names {}, but this guarded installation opens only its team file {} (set in {}): leave --db and ACCESSDESK_DB out, or name that file",
        named.display(),
        configured.display(),
        config.display()
    )))
}

/// A path with its links and `..` resolved, as far as it exists.
fn canonical(p: &Path) -> PathBuf {
    if let Ok(c) = fs::canonicalize(p) {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(dir), Some(name)) if !dir.as_os_str().is_empty() => canonical(dir).join(name),
        _ => p.to_path_buf(),
    }
}

fn read_key(g: &Guarded) -> Result<store::chain_key::ChainKey, Failure> {
    keyfile::read(&g.config.key_path(), g.service_gid).map_err(|e| match e {
        KeyError::Missing(p) => Failure::Error(format!(
            "no key at {p}: this guarded installation is not initialised; root or the configured admin runs `accessdesk init`"
        )),
        other => Failure::Error(other.to_string()),
    })
}

/// A guarded `init`: creates the team file (0660) and the key (0640), both of the
/// service group, keys the log, and registers the first person as admin.
fn init(g: &Guarded) -> Result<Start, Failure> {
    let me = Identity::current();
    if let Some(admin) = &g.config.admin
        && me.uid != 0
        && me.login != *admin
    {
        return Err(Refusal::new(
            Rule::RoleRequired,
            format!(
                "{} names {admin} as the admin of this installation; {} may not run init",
                g.config_path.display(),
                me.login
            ),
        )
        .fix(format!("ask {admin} or root to run it"))
        .into());
    }
    let db = &g.config.database;
    let created_file = create_team_file(db, g.service_gid)?;
    let mut store = super::create_store(db)?;
    store.first_read()?;
    let key_path = g.config.key_path();
    let (key, created_key) = match keyfile::read(&key_path, g.service_gid) {
        Ok(k) => (k, false),
        Err(KeyError::Missing(_)) => {
            if let Some(seq) = store.chain_keyed_from()? {
                return Err(Failure::Error(format!(
                    "the log of {} was keyed at seq {seq}, but its key {} is missing: restore the key from the backup taken with the file (a new key would not verify the log)",
                    db.display(),
                    key_path.display()
                )));
            }
            let k = keyfile::create(&key_path, g.service_gid)
                .map_err(|e| Failure::Error(e.to_string()))?;
            (k, true)
        }
        Err(e) => return Err(Failure::Error(e.to_string())),
    };
    let key_id = key.id().to_string();
    let keyed = (|| -> Result<Option<i64>, Failure> {
        match store.use_chain_key(key)? {
            KeyedHead::NeverKeyed => Ok(Some(store.key_chain(&key_id)?)),
            KeyedHead::Keyed => Ok(None),
            KeyedHead::Foreign { seq, .. } => Err(Failure::Error(format!(
                "the last event of the log of {} (seq {seq}) is not linked under the key {}: init does not key a log another program extended; see `accessdesk audit verify`",
                db.display(),
                key_path.display()
            ))),
        }
    })();
    let keyed_from = match keyed {
        Ok(k) => k,
        Err(e) => {
            if created_key {
                let _ = fs::remove_file(&key_path);
            }
            return Err(e);
        }
    };
    // Root and the configured admin may key a file they are not registered in (a
    // plain team's file moved in); anyone else must be registered in it already.
    let may_convert = me.uid == 0 || g.config.admin.as_deref() == Some(me.login.as_str());
    let anyone = !store.people()?.is_empty();
    if anyone && !may_convert && store.my_person()?.is_none() {
        return Err(unregistered(&me.login));
    }
    let registered = store.init(None)?;
    Ok(Start::Guarded {
        path: db.clone(),
        init: Some(Initialised {
            created_file,
            created_key,
            keyed_from,
            registered,
            login: me.login,
            group: g.service_group(),
            key_path,
            key_id,
        }),
    })
}

/// Creates the team file 0660, of the service group, unless it exists; gives an
/// existing one (a plain team's file moved in) that group and mode where it can.
fn create_team_file(db: &Path, gid: u32) -> Result<bool, Failure> {
    let made = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o660)
        .open(db);
    let (file, created) = match made {
        Ok(f) => (f, true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            (fs::File::open(db).map_err(|e| cannot(db, e))?, false)
        }
        Err(e) => return Err(cannot(db, e)),
    };
    let m = file.metadata().map_err(|e| cannot(db, e))?;
    if m.gid() != gid || m.mode() & 0o7777 != 0o660 {
        let aligned = std::os::unix::fs::fchown(&file, None, Some(gid))
            .and_then(|()| file.set_permissions(fs::Permissions::from_mode(0o660)));
        if let Err(e) = aligned
            && created
        {
            return Err(cannot(db, e));
        }
    }
    Ok(created)
}

fn cannot(path: &Path, e: std::io::Error) -> Failure {
    Failure::Error(format!("cannot create {}: {e}", path.display()))
}

/// Prints what a guarded `init` did.
pub(super) fn report_init(path: &Path, i: &Initialised) -> CmdResult {
    say!(
        "{} {} (group {}, mode 0660)",
        if i.created_file { "created" } else { "using" },
        path.display(),
        i.group
    )?;
    if i.created_key {
        say!(
            "created the key {} (group {}, mode 0640, fingerprint {}): back it up with the file",
            i.key_path.display(),
            i.group,
            i.key_id
        )?;
    }
    if let Some(seq) = i.keyed_from {
        say!("the log is keyed from seq {seq} on")?;
    }
    if i.registered {
        say!("registered {} as admin and coordinator", i.login)?;
    } else {
        say!("people were registered already")?;
    }
    Ok(())
}

/// `accessdesk host check`.
pub(super) fn command(cmd: HostCmd, start: Start, json: bool) -> CmdResult {
    let HostCmd::Check = cmd;
    let Start::Check(mode) = start else {
        return Err(Failure::Error("host check ran after the start".into()));
    };
    let mode = *mode;
    let problems = check::run(mode.as_ref());
    // Looked at with the group (the files in the data folder); nothing follows.
    let _ = privilege::drop_all();
    if json {
        output::json(&json!({"guarded": problems.is_empty(), "problems": problems}))?;
    } else if problems.is_empty() {
        if let Ok(Mode::Guarded(g)) = &mode {
            say!(
                "guarded: {} is root:{} 2755 and gains its group; the team file {} is reachable through accessdesk only",
                g.exe.display(),
                g.service_group(),
                g.config.database.display()
            )?;
        }
    } else {
        say!("not guarded: {} problem(s)", problems.len())?;
        for p in &problems {
            say!("- {}\n  fix: {}", p.problem, p.fix)?;
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::Error(format!(
            "this installation is not guarded ({} problem(s))",
            problems.len()
        )))
    }
}
