//! Commands around the file and the team: open the tracker, the demo, init, people,
//! projects, the report and the audit log.

use super::args::{AuditCmd, PeopleCmd, ProjectCmd};
use super::{CmdResult, Failure, create_store, open_store, output};
use crate::domain::Role;
use crate::identity::Identity;
use crate::store::{NewProject, Store};
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub fn open_tui(path: &Path) -> CmdResult {
    // Only a file known to be missing is reported so: one behind a folder this
    // account may not enter is left to the store, which says why it cannot be used.
    if matches!(path.try_exists(), Ok(false)) {
        return Err(Failure::Error(format!(
            "no database at {} (create it with `accessdesk init --db {}`, or try `accessdesk demo`)",
            path.display(),
            path.display()
        )));
    }
    let store = open_store(path)?;
    run_tui(store)
}

fn run_tui(store: Store) -> CmdResult {
    let config = super::personal::loaded();
    crate::tui::run_with(store, crate::tui::Options::default(), config.as_ref())
        .map_err(|e| Failure::Error(format!("{e:#}")))
}

pub fn demo(db: Option<&Path>, a: &super::args::DemoArgs) -> CmdResult {
    // Without --db the demo has its own file, rebuilt each time, so it never touches
    // the real database; with --db it insists on a fresh file.
    let path: PathBuf = match db {
        Some(p) => p.to_path_buf(),
        None => {
            let name = if a.scale.is_some() {
                "demo-scale.db"
            } else {
                "demo.db"
            };
            let p = crate::store::default_path()
                .and_then(|p| p.parent().map(|d| d.join(name)))
                .ok_or_else(|| {
                    Failure::Error("cannot find a home folder for the demo; pass --db PATH".into())
                })?;
            for ext in ["", "-wal", "-shm"] {
                let mut f = p.as_os_str().to_owned();
                f.push(ext);
                let _ = std::fs::remove_file(PathBuf::from(f));
            }
            p
        }
    };
    let me = Identity::current();
    let summary = match a.scale {
        Some(n) => {
            if path.exists() {
                return Err(Failure::Error(format!(
                    "{} exists; --scale writes a fresh file: remove it or choose another --db",
                    path.display()
                )));
            }
            let started = std::time::Instant::now();
            let live = a.live_project.unwrap_or(0);
            let now = chrono::Utc::now();
            let g = crate::scale::generate_with_live(&path, n, a.seed, now, Some(&me), live)?;
            format!(
                "generated {} items in {} projects with {} tasks in {:.1}s",
                g.items,
                g.projects,
                g.tasks,
                started.elapsed().as_secs_f64()
            )
        }
        None => crate::demo::build(&path, &me, chrono::Utc::now())
            .map_err(|e| Failure::Error(e.to_string()))?
            .to_string(),
    };
    if a.no_tui || !std::io::stdout().is_terminal() {
        say!("{summary}")?;
        say!("database: {}", path.display())?;
        return Ok(());
    }
    run_tui(open_store(&path)?)
}

pub fn init(path: &Path, group: Option<&str>) -> CmdResult {
    crate::store::must_be_mine(path)?;
    let existed = path.exists();
    let mut store = create_store(path)?;
    let registered = store.init(group)?;
    let me = &store.me().login;
    say!(
        "{} {}",
        if existed { "using" } else { "created" },
        path.display()
    )?;
    if let Some(g) = group {
        say!("shared with group {g} (mode 0660)")?;
        if let Some(w) = store.shared_folder_warning() {
            output::notice(&w);
        }
    }
    if registered {
        say!("registered {me} as admin and coordinator")?;
    } else {
        say!(
            "people were registered already; ask an admin to add you: accessdesk people add {me} --role ROLE"
        )?;
    }
    Ok(())
}

pub fn people(path: &Path, cmd: PeopleCmd, json: bool) -> CmdResult {
    let mut store = open_store(path)?;
    match cmd {
        PeopleCmd::Add { login, role, name } => {
            let roles = role
                .iter()
                .map(|r| {
                    r.parse::<Role>()
                        .map_err(|e| Failure::Usage(format!("--role: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let p = store.add_person(&login, name.as_deref(), &roles)?;
            if json {
                output::json(&json!(p))?;
            } else {
                say!("{} ({}) has roles {}", p.login, p.name, role.join(","))?;
            }
        }
        PeopleCmd::List => {
            output::list(
                json,
                &store.people()?,
                &["LOGIN", "NAME", "ROLES", "STATUS"],
                40,
                |p| {
                    let roles: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
                    let status = if p.active { "active" } else { "inactive" };
                    vec![
                        p.login.clone(),
                        p.name.clone(),
                        roles.join(","),
                        status.into(),
                    ]
                },
            )?;
        }
        PeopleCmd::Deactivate { login } => super::decide::deactivate(&mut store, &login, json)?,
    }
    Ok(())
}

/// What `project add` says of a new project.
pub(super) fn say_added(p: &crate::domain::Project) -> CmdResult {
    say!(
        "added project {} ({}, {}), start {} ({})",
        p.key,
        p.name,
        p.client,
        p.start,
        p.tz
    )
}

pub fn project(path: &Path, cmd: ProjectCmd, json: bool) -> CmdResult {
    let mut store = open_store(path)?;
    match cmd {
        ProjectCmd::Add {
            key,
            name,
            client,
            start,
            tz,
            coordinator,
            template,
        } => {
            let new = NewProject {
                key,
                name,
                client,
                start: Some(start),
                tz,
                coordinator,
            };
            if let Some(t) = template {
                return super::template::project_from(&mut store, new, &t, json);
            }
            let p = store.add_project(new)?;
            if json {
                output::json(&json!(p))?;
            } else {
                say_added(&p)?;
            }
        }
        ProjectCmd::Check { key } => super::template::check(&store, &key, json)?,
        ProjectCmd::List => {
            output::list(
                json,
                &store.projects()?,
                &["KEY", "NAME", "CLIENT", "START", "COORDINATOR", "STATUS"],
                40,
                |p| {
                    vec![
                        p.key.clone(),
                        p.name.clone(),
                        p.client.clone(),
                        p.start.to_string(),
                        p.coordinator.clone(),
                        if p.closed_at.is_some() {
                            "closed".into()
                        } else {
                            "open".into()
                        },
                    ]
                },
            )?;
        }
        ProjectCmd::Close { key } => super::project::close(&mut store, &key, json)?,
        ProjectCmd::Reopen { key } => super::project::reopen(&mut store, &key, json)?,
        ProjectCmd::Edit { key, start } => super::project::edit(&mut store, &key, start, json)?,
    }
    Ok(())
}

pub fn audit(path: &Path, cmd: AuditCmd, json: bool) -> CmdResult {
    let store = open_store(path)?;
    match cmd {
        AuditCmd::Verify { anchor } => {
            // Every row is read once, in order: a large page cache would only add to
            // the memory of a run over 100,000 items.
            store.set_cache(crate::store::CachePolicy::AtMost { kib: 4096 })?;
            let v = store.verify_chain()?;
            // The chain says the log is whole; the replay says the tables are what the
            // log made them. Either failing fails the verification.
            let replay = store.replay_check()?;
            let mut replay_problems = replay.problems();
            // The schema as the migrations made it: a planted trigger, view, table or
            // index would run, or hide, behind the tables' backs.
            replay_problems.extend(
                store
                    .schema_differences()?
                    .into_iter()
                    .map(|d| format!("schema: {d}")),
            );
            let mut anchor_problem = None;
            if let Some(file) = &anchor {
                let (seq, hash) = read_anchor(file)?;
                if v.first_bad.is_none() && !store.chain_reaches(seq, &hash)? {
                    anchor_problem = Some(format!(
                        "the chain no longer reaches the anchored head seq {seq} ({}): events were deleted or rewritten",
                        file.display()
                    ));
                }
            }
            if json {
                output::json(
                    &json!({"ok": v.first_bad.is_none() && anchor_problem.is_none() && replay.ok(), "events": v.events, "head_seq": v.head_seq,
                    "head_hash": v.head_hash, "first_bad_seq": v.first_bad.as_ref().map(|b| b.0), "problem": v.first_bad.as_ref().map(|b| b.1.clone()).or(anchor_problem.clone()),
                    "replay": {"from_seq": replay.from_seq, "events": replay.events, "ok": replay.ok(), "problems": replay_problems, "divergences": replay.divergences}}),
                )?;
            }
            if let Some((seq, why)) = v.first_bad {
                return Err(Failure::Error(format!(
                    "audit chain broken at seq {seq}: {why}"
                )));
            }
            if let Some(p) = anchor_problem {
                return Err(Failure::Error(p));
            }
            if !replay_problems.is_empty() {
                if !json {
                    for p in &replay_problems {
                        output::to_stderr(p);
                    }
                }
                let what = if replay.problems().is_empty() {
                    "the schema differs from what accessdesk's migrations make"
                } else {
                    "the tables differ from the event log"
                };
                return Err(Failure::Error(format!(
                    "{what} in {} ({}): a change was made behind accessdesk's back",
                    crate::present::plural(replay_problems.len(), "place"),
                    replay.start()
                )));
            }
            if !json {
                say!(
                    "ok: {} events, head seq {} hash {}; {}: the tables match the log",
                    v.events,
                    v.head_seq,
                    v.head_hash,
                    replay.start()
                )?;
            }
        }
        AuditCmd::Anchor { file } => {
            let v = store.verify_chain()?;
            if let Some((seq, why)) = v.first_bad {
                return Err(Failure::Error(format!(
                    "refusing to anchor a broken chain: seq {seq}: {why}"
                )));
            }
            let body = json!({"seq": v.head_seq, "hash": v.head_hash, "at": chrono::Utc::now(), "database": store.path()});
            write_anchor(&file, format!("{body:#}\n").as_bytes())
                .map_err(|e| Failure::Error(format!("cannot write {}: {e}", file.display())))?;
            say!("anchored head seq {} in {}", v.head_seq, file.display())?;
        }
    }
    Ok(())
}

/// Writes an anchor private to its owner (0600, whatever the umask or the mode of a
/// file it replaces): it names the database and the head of its log, which is for the
/// person keeping the anchor, not for every account on the host. A link in its place is
/// not followed, so an anchor cannot be aimed at another file.
fn write_anchor(file: &Path, body: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(file)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    f.write_all(body)?;
    f.sync_all()
}

/// An anchor is a few hundred bytes; more than this is not one.
const MAX_ANCHOR_BYTES: u64 = 64 * 1024;

/// Reads at most `max` + 1 bytes of `file`: a file that never ends (a device, a
/// pipe) must not be held in memory whole. More than `max` means it was too large.
pub(super) fn read_at_most(file: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(file)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn read_anchor(file: &Path) -> Result<(i64, String), Failure> {
    let cannot =
        |e: std::io::Error| Failure::Error(format!("cannot read anchor {}: {e}", file.display()));
    let bytes = read_at_most(file, MAX_ANCHOR_BYTES).map_err(cannot)?;
    if bytes.len() as u64 > MAX_ANCHOR_BYTES {
        return Err(Failure::Error(format!(
            "anchor {} is larger than {} KiB, so it is not an anchor (write one with `accessdesk audit anchor FILE`)",
            file.display(),
            MAX_ANCHOR_BYTES / 1024
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::Error(format!("anchor {} is not UTF-8 text", file.display())))?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::Error(format!("anchor {} is not JSON: {e}", file.display())))?;
    match (v["seq"].as_i64(), v["hash"].as_str()) {
        (Some(seq), Some(hash)) => Ok((seq, hash.to_string())),
        _ => Err(Failure::Error(format!(
            "anchor {} needs \"seq\" and \"hash\" (write one with `accessdesk audit anchor FILE`)",
            file.display()
        ))),
    }
}
