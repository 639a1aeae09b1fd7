//! The sample data behind `accessdesk demo`: a scenario (`assets/demo.json`) of people,
//! projects, access items with their histories, and tasks, replayed into a fresh file.
//!
//! The replay goes through the same [`Store`] API and rules as real use — every sample
//! person acts through their own handle, with the clock set to the moment of the step —
//! so the demo's event log verifies, its history is real, and a scenario step that the
//! rules would refuse fails the build instead of producing data real use never could.
//! Times and dates in the scenario are day offsets from `now`, so the demo always looks
//! current. The OS account running the demo (`$ME` in the scenario) is registered as
//! coordinator, security and approver, and the scenario leaves decisions waiting on it.

use crate::domain::machine::{self, ActionKind};
use crate::domain::{Exception, ItemFields, ItemPatch, Role, State};
use crate::identity::Identity;
use crate::store::{self, ItemFilter, NewProject, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The built-in scenario, embedded so `demo` needs no files next to the binary.
pub const SCENARIO: &str = include_str!("../../assets/demo.json");

/// The templates shipped in `assets/templates/`, loaded by `demo` (and by tests).
pub const TEMPLATES: [(&str, &str); 3] = [
    (
        "analytics-setup",
        include_str!("../../assets/templates/analytics-setup.toml"),
    ),
    (
        "website-relaunch",
        include_str!("../../assets/templates/website-relaunch.toml"),
    ),
    (
        "billing-integration",
        include_str!("../../assets/templates/billing-integration.toml"),
    ),
];

/// The scenario's name for the OS account running the demo.
pub const ME: &str = "$ME";

/// Sample people get uids from here on: far above the usual range of real accounts, so
/// the event log never attributes sample history to a real uid on the host.
const FIRST_SAMPLE_UID: u32 = 60000;

/// What the demo wrote, for the line the CLI prints before opening the TUI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub path: PathBuf,
    /// The login the running account was registered under, and its roles.
    pub login: String,
    pub roles: Vec<Role>,
    pub people: usize,
    pub projects: usize,
    pub items: usize,
    pub tasks: usize,
    pub events: usize,
    /// Items in `requested` that the running account may approve now.
    pub my_queue: usize,
    pub items_by_state: BTreeMap<State, usize>,
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Demo data written to {}: {} people, {} projects, {} access items, {} tasks, {} audit events.",
            self.path.display(),
            self.people,
            self.projects,
            self.items,
            self.tasks,
            self.events
        )?;
        let roles: Vec<&str> = self.roles.iter().map(|r| r.as_str()).collect();
        let states: Vec<String> = self
            .items_by_state
            .iter()
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        writeln!(f, "Items: {}.", states.join(", "))?;
        write!(
            f,
            "You ({}) are registered as {}; {} item{} wait{} on your decision.",
            self.login,
            roles.join(", "),
            self.my_queue,
            if self.my_queue == 1 { "" } else { "s" },
            if self.my_queue == 1 { "s" } else { "" }
        )
    }
}

/// Why the demo could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The demo only ever writes a fresh file, so it never mixes sample data into real data.
    #[error("{} already exists; the demo writes only a fresh file: choose a new path, or remove the old file first", .0.display())]
    Exists(PathBuf),
    #[error("cannot create {}: {source}", path.display())]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The embedded scenario is inconsistent (a bug in `assets/demo.json`).
    #[error("the built-in demo scenario is invalid: {0}")]
    Scenario(String),
    /// A scenario step was refused or failed in the store.
    #[error("demo step failed ({step}): {source}")]
    Step {
        step: String,
        #[source]
        source: store::Error,
    },
    /// The written file does not pass its own audit.
    #[error("the demo's event log does not verify: {0}")]
    Audit(String),
}

mod scenario;

use scenario::*;

// ---- the replay ------------------------------------------------------------------

/// One thing that happens in the scenario, at its moment.
enum Op<'a> {
    AddProject(&'a SampleProject),
    AddItem(&'a SampleProject, &'a SampleItem),
    Step(&'a SampleProject, &'a SampleItem, &'a Step),
    AddTask(&'a SampleProject, &'a SampleTask),
    Close(&'a SampleProject),
}

struct Timed<'a> {
    day: f64,
    by: &'a str,
    op: Op<'a>,
}

/// Every event of the scenario in time order. Ties keep file order, so an item listed
/// before a task added on the same day exists when the task needs it.
fn timeline(s: &Scenario) -> Vec<Timed<'_>> {
    let mut out = Vec::new();
    for p in &s.projects {
        out.push(Timed {
            day: p.created.day,
            by: &p.created.by,
            op: Op::AddProject(p),
        });
        for it in &p.items {
            out.push(Timed {
                day: it.day,
                by: &it.by,
                op: Op::AddItem(p, it),
            });
            for st in &it.history {
                out.push(Timed {
                    day: st.day,
                    by: &st.by,
                    op: Op::Step(p, it, st),
                });
            }
        }
        for t in &p.tasks {
            out.push(Timed {
                day: t.day,
                by: &t.by,
                op: Op::AddTask(p, t),
            });
        }
        if let Some(c) = &p.closed {
            out.push(Timed {
                day: c.day,
                by: &c.by,
                op: Op::Close(p),
            });
        }
    }
    out.sort_by(|a, b| a.day.total_cmp(&b.day));
    out
}

/// The OS identity each scenario login acts as. A sample login equal to the running
/// account's login is renamed, so the sample person and the real one stay two people.
fn identities(s: &Scenario, me: &Identity) -> HashMap<String, Identity> {
    let taken = |l: &str, map: &HashMap<String, Identity>| {
        l == me.login || map.values().any(|i| i.login == l)
    };
    let mut out = HashMap::new();
    let mut uid = FIRST_SAMPLE_UID;
    for p in &s.people {
        if p.login == ME {
            out.insert(ME.to_string(), me.clone());
            continue;
        }
        let mut login = p.login.clone();
        let mut n = 1;
        while taken(&login, &out)
            || s.people
                .iter()
                .any(|q| q.login == login && q.login != p.login)
        {
            login = if n == 1 {
                format!("{}.sample", p.login)
            } else {
                format!("{}.sample{n}", p.login)
            };
            n += 1;
        }
        out.insert(p.login.clone(), Identity { uid, login });
        uid += 1;
    }
    out
}

struct Replay<'a> {
    path: &'a Path,
    now: DateTime<Utc>,
    who: HashMap<String, Identity>,
    /// One handle per acting login, reused: opening a connection per step would be slow.
    stores: HashMap<String, Store>,
    /// (project key, item ref) → `KEY-N`.
    ids: HashMap<(String, String), String>,
}

impl Replay<'_> {
    fn login(&self, scenario_login: &str) -> Result<String, DemoError> {
        self.who
            .get(scenario_login)
            .map(|i| i.login.clone())
            .ok_or_else(|| {
                DemoError::Scenario(format!("'{scenario_login}' is not a declared person"))
            })
    }

    fn at(&self, day: f64) -> Result<DateTime<Utc>, DemoError> {
        if !day.is_finite() {
            return Err(DemoError::Scenario(format!(
                "day {day} is not a number of days"
            )));
        }
        Ok(self.now + Duration::milliseconds((day * 86_400_000.0).round() as i64))
    }

    /// Today's date in the project's zone plus `offset` days: the scenario's dates are
    /// relative to the day the demo is built, as its users see it.
    fn date(&self, p: &SampleProject, offset: i64) -> Result<NaiveDate, DemoError> {
        let tz: Tz = p
            .tz
            .parse()
            .map_err(|_| DemoError::Scenario(format!("{}: unknown time zone '{}'", p.key, p.tz)))?;
        let today = self.now.with_timezone(&tz).date_naive();
        today
            .checked_add_signed(Duration::days(offset))
            .ok_or_else(|| {
                DemoError::Scenario(format!("{}: day offset {offset} is out of range", p.key))
            })
    }

    /// The handle of `scenario_login` with its clock set to `day`.
    fn store(&mut self, scenario_login: &str, day: f64) -> Result<&mut Store, DemoError> {
        let at = self.at(day)?;
        let id = self.who.get(scenario_login).cloned().ok_or_else(|| {
            DemoError::Scenario(format!("'{scenario_login}' is not a declared person"))
        })?;
        if !self.stores.contains_key(scenario_login) {
            let s = Store::create_as(self.path, id).map_err(|source| DemoError::Step {
                step: format!("open the file as {scenario_login}"),
                source,
            })?;
            self.stores.insert(scenario_login.to_string(), s);
        }
        let s = self
            .stores
            .get_mut(scenario_login)
            .ok_or_else(|| DemoError::Scenario(format!("no handle for '{scenario_login}'")))?;
        s.set_now(at);
        Ok(s)
    }

    fn item_id(&self, p: &SampleProject, name: &str) -> Result<String, DemoError> {
        self.ids
            .get(&(p.key.clone(), name.to_string()))
            .cloned()
            .ok_or_else(|| DemoError::Scenario(format!("{}: no item '{name}' (yet)", p.key)))
    }

    fn fields(&self, p: &SampleProject, it: &SampleItem) -> Result<ItemFields, DemoError> {
        let opt_date = |d: Option<i64>| d.map(|d| self.date(p, d)).transpose();
        let exception = match &it.exception {
            Some(e) => Some(Box::new(Exception {
                reason: e.reason.clone(),
                owner: Some(self.login(&e.owner)?),
                expires: Some(self.date(p, e.expires)?),
            })),
            None => None,
        };
        Ok(ItemFields {
            system: it.system.clone(),
            purpose: it.purpose.clone(),
            role: it.role.clone(),
            holder: it.holder.clone(),
            credential_owner: it.credential_owner.clone(),
            approver: if it.approver.is_empty() {
                String::new()
            } else {
                self.login(&it.approver)?
            },
            method: it.method,
            temporary: it.temporary,
            expires: opt_date(it.expires)?,
            deprovision: it.deprovision,
            privileged: it.privileged,
            shared_credential: it.shared_credential,
            client_owned: it.client_owned,
            exception,
            needed_by: opt_date(it.needed_by)?,
            notes: it.notes.clone(),
            above_standard: false,
            justification: it.justification.clone().map(Into::into),
        })
    }

    fn patch(&self, p: &SampleProject, s: &SamplePatch) -> Result<ItemPatch, DemoError> {
        Ok(ItemPatch {
            system: s.system.clone(),
            purpose: s.purpose.clone(),
            role: s.role.clone(),
            holder: s.holder.clone().map(Some),
            credential_owner: s.credential_owner.clone(),
            approver: s.approver.as_deref().map(|a| self.login(a)).transpose()?,
            method: s.method.map(Some),
            expires: s.expires.map(|d| self.date(p, d).map(Some)).transpose()?,
            needed_by: s.needed_by.map(|d| self.date(p, d).map(Some)).transpose()?,
            notes: s.notes.clone(),
            ..Default::default()
        })
    }

    fn run(&mut self, s: &Scenario) -> Result<(), DemoError> {
        // The admin registers first (init), then everyone; the admin's own entry comes
        // last so its display name is set without ever leaving the file without an admin.
        let admin = s.setup.admin.as_str();
        let st = self.store(admin, s.setup.day)?;
        let first = st.init(None).map_err(|source| DemoError::Step {
            step: format!("init as {admin}"),
            source,
        })?;
        if !first {
            return Err(DemoError::Scenario(
                "the file already had registered people".into(),
            ));
        }
        let mut people: Vec<&SamplePerson> = s.people.iter().filter(|p| p.login != admin).collect();
        people.extend(s.people.iter().filter(|p| p.login == admin));
        for p in people {
            let login = self.login(&p.login)?;
            let st = self.store(admin, s.setup.day)?;
            st.add_person(&login, p.name.as_deref(), &p.roles)
                .map_err(|source| DemoError::Step {
                    step: format!("add person {login}"),
                    source,
                })?;
        }
        for sys in &s.systems {
            let st = self.store(admin, s.setup.day)?;
            let entry = crate::domain::catalogue::System {
                name: sys.name.clone(),
                category: sys.category.clone(),
                default_method: sys.default_method,
                client_owned: sys.client_owned,
                ..Default::default()
            };
            let new = crate::domain::catalogue::NewSystem {
                entry,
                roles: sys.roles.clone(),
                privileged_roles: sys.privileged_roles.clone(),
                not_privileged_roles: None,
            };
            st.add_system(&new).map_err(|source| DemoError::Step {
                step: format!("catalogue {}", sys.name),
                source,
            })?;
        }
        let st = self.store(admin, s.setup.day)?;
        for (name, text) in TEMPLATES {
            let t = crate::exchange::parse_template(text)
                .map_err(|e| DemoError::Scenario(format!("template {name}: {e}")))?;
            st.import_template(t).map_err(|source| DemoError::Step {
                step: format!("import template {name}"),
                source,
            })?;
        }
        for t in timeline(s) {
            self.apply(&t)?;
        }
        Ok(())
    }

    fn apply(&mut self, t: &Timed<'_>) -> Result<(), DemoError> {
        let step_name = |what: String| format!("day {:+} {} by {}", t.day, what, t.by);
        match t.op {
            Op::AddProject(p) => {
                let new = NewProject {
                    key: p.key.clone(),
                    name: p.name.clone(),
                    client: p.client.clone(),
                    start: Some(self.date(p, p.start)?),
                    tz: Some(p.tz.clone()),
                    coordinator: Some(self.login(&p.coordinator)?),
                };
                let st = self.store(t.by, t.day)?;
                st.add_project(new).map_err(|source| DemoError::Step {
                    step: step_name(format!("add project {}", p.key)),
                    source,
                })?;
            }
            Op::AddItem(p, it) => {
                let fields = self.fields(p, it)?;
                let st = self.store(t.by, t.day)?;
                let item = st
                    .add_item(&p.key, fields)
                    .map_err(|source| DemoError::Step {
                        step: step_name(format!("add {} item '{}'", p.key, it.name)),
                        source,
                    })?;
                if self
                    .ids
                    .insert((p.key.clone(), it.name.clone()), item.id())
                    .is_some()
                {
                    return Err(DemoError::Scenario(format!(
                        "{}: item ref '{}' is used twice",
                        p.key, it.name
                    )));
                }
            }
            Op::Step(p, it, step) => {
                let id = self.item_id(p, &it.name)?;
                let what = step_name(format!("{} {id} ({})", step.action, it.name));
                let kind = step
                    .action()
                    .map_err(|m| DemoError::Scenario(format!("{what}: {m}")))?;
                let patch = match (&kind, &step.set) {
                    (StepKind::Edit, Some(set)) => Some(self.patch(p, set)?),
                    _ => None,
                };
                let st = self.store(t.by, t.day)?;
                let res = match (&kind, patch) {
                    (StepKind::Move(action), _) => st.act(&id, action, None),
                    (StepKind::Edit, Some(patch)) => st
                        .item(&id)
                        .and_then(|item| st.edit_item(&id, item.version, &patch)),
                    (StepKind::Edit, None) => {
                        return Err(DemoError::Scenario(format!("{what}: 'edit' needs 'set'")));
                    }
                };
                res.map_err(|source| DemoError::Step { step: what, source })?;
            }
            Op::AddTask(p, task) => {
                let needs = task
                    .needs
                    .iter()
                    .map(|n| self.item_id(p, n))
                    .collect::<Result<Vec<_>, _>>()?;
                let start = task.start.map(|d| self.date(p, d)).transpose()?;
                let st = self.store(t.by, t.day)?;
                st.add_task(&p.key, &task.title, &needs, start)
                    .map_err(|source| DemoError::Step {
                        step: step_name(format!("add {} task '{}'", p.key, task.title)),
                        source,
                    })?;
            }
            Op::Close(p) => {
                let st = self.store(t.by, t.day)?;
                st.close_project(&p.key).map_err(|source| DemoError::Step {
                    step: step_name(format!("close project {}", p.key)),
                    source,
                })?;
            }
        }
        Ok(())
    }
}

/// Creates `path` as a new, private (0600) file, failing if anything is there already.
/// Creating it exclusively (rather than checking first) means two demos started at
/// once cannot both write into the same file.
fn create_fresh(path: &Path) -> Result<(), DemoError> {
    let sidecars = [sidecar(path, "-wal"), sidecar(path, "-shm")];
    for p in std::iter::once(path).chain(sidecars.iter().map(PathBuf::as_path)) {
        // A leftover -wal would be replayed into the new file by SQLite: refuse it too.
        if p.symlink_metadata().is_ok() {
            return Err(DemoError::Exists(p.to_path_buf()));
        }
    }
    let create_err = |source| DemoError::Create {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(create_err)?;
    }
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(DemoError::Exists(path.to_path_buf()))
        }
        Err(e) => Err(create_err(e)),
    }
}

fn sidecar(path: &Path, ext: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(ext);
    PathBuf::from(p)
}

/// Items in `requested` that `login` may approve now: the approval queue's content.
fn queue_size(store: &Store, login: &str) -> Result<usize, store::Error> {
    let Some(person) = store.person(login)? else {
        return Ok(0);
    };
    let projects: HashMap<String, _> = store
        .projects()?
        .into_iter()
        .map(|p| (p.key.clone(), p))
        .collect();
    let items = store.list_items(&ItemFilter {
        state: Some(State::Requested),
        ..Default::default()
    })?;
    Ok(items
        .iter()
        .filter(|v| {
            projects.get(&v.item.project).is_some_and(|p| {
                machine::guard(&v.item, p, ActionKind::Approve, Some(&person), login).is_ok()
            })
        })
        .count())
}

fn summarise(path: &Path, me: &Identity, now: DateTime<Utc>) -> Result<DemoSummary, DemoError> {
    let read = |source| DemoError::Step {
        step: "read the summary".into(),
        source,
    };
    let mut store = Store::open_as(path, me.clone()).map_err(read)?;
    store.set_now(now);
    let audit = store.verify_chain().map_err(read)?;
    if let Some((seq, problem)) = audit.first_bad {
        return Err(DemoError::Audit(format!("event {seq}: {problem}")));
    }
    let items = store.list_items(&ItemFilter::default()).map_err(read)?;
    let mut items_by_state = BTreeMap::new();
    for v in &items {
        *items_by_state.entry(v.item.state).or_default() += 1;
    }
    Ok(DemoSummary {
        path: path.to_path_buf(),
        login: me.login.clone(),
        roles: store
            .person(&me.login)
            .map_err(read)?
            .map(|p| p.roles)
            .unwrap_or_default(),
        people: store.people().map_err(read)?.len(),
        projects: store.projects().map_err(read)?.len(),
        items: items.len(),
        tasks: store.tasks(None).map_err(read)?.len(),
        events: usize::try_from(audit.events).unwrap_or_default(),
        my_queue: queue_size(&store, &me.login).map_err(read)?,
        items_by_state,
    })
}

/// Writes the sample data into a new file at `path`, acting for the sample people and
/// for `me` (the OS account running the demo) with the clock at `now` plus each step's
/// offset. Refuses when `path` exists; on failure removes what it wrote, so a fixed
/// retry starts fresh.
pub fn build(path: &Path, me: &Identity, now: DateTime<Utc>) -> Result<DemoSummary, DemoError> {
    let scenario = parse_scenario(SCENARIO)?;
    create_fresh(path)?;
    let result = (|| {
        let mut replay = Replay {
            path,
            now,
            who: identities(&scenario, me),
            stores: HashMap::new(),
            ids: HashMap::new(),
        };
        replay.run(&scenario)?;
        // Close every sample handle before summarising: the last close checkpoints the
        // write-ahead log into the file.
        drop(replay);
        summarise(path, me, now)
    })();
    if result.is_err() {
        for p in [
            path.to_path_buf(),
            sidecar(path, "-wal"),
            sidecar(path, "-shm"),
        ] {
            let _ = std::fs::remove_file(p);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Method;
    use crate::domain::machine::Action;
    use std::collections::HashSet;

    fn scenario() -> Scenario {
        parse_scenario(SCENARIO).expect("the embedded scenario parses")
    }

    #[test]
    fn scenario_parses_and_every_actor_is_declared() {
        let s = scenario();
        let declared: HashSet<&str> = s.people.iter().map(|p| p.login.as_str()).collect();
        assert!(
            declared.contains(ME),
            "the running account must be in the scenario"
        );
        let admin = s.people.iter().find(|p| p.login == s.setup.admin);
        assert!(
            admin.is_some_and(|p| p.roles.contains(&Role::Admin)),
            "the setup admin must keep the admin role"
        );
        let known = |login: &str| declared.contains(login);
        let mut items = 0;
        for p in &s.projects {
            assert!(known(&p.created.by) && known(&p.coordinator), "{}", p.key);
            assert!(p.closed.as_ref().is_none_or(|c| known(&c.by)), "{}", p.key);
            let mut refs = HashSet::new();
            let mut created = f64::NEG_INFINITY;
            for it in &p.items {
                // Listed in the order they are added, so the n-th item of a project in
                // the file becomes KEY-n, which keeps the file readable against the TUI.
                assert!(
                    it.day >= created,
                    "{} {}: items listed in the order they are added",
                    p.key,
                    it.name
                );
                created = it.day;
                items += 1;
                assert!(
                    refs.insert(it.name.as_str()),
                    "{}: ref {} twice",
                    p.key,
                    it.name
                );
                assert!(known(&it.by), "{} {}: by {}", p.key, it.name, it.by);
                assert!(
                    it.approver.is_empty() || known(&it.approver),
                    "{} {}: approver {}",
                    p.key,
                    it.name,
                    it.approver
                );
                assert!(
                    it.exception.as_ref().is_none_or(|e| known(&e.owner)),
                    "{} {}",
                    p.key,
                    it.name
                );
                assert!(
                    it.day <= 0.0,
                    "{} {}: history lies in the past",
                    p.key,
                    it.name
                );
                let mut last = it.day;
                for st in &it.history {
                    assert!(known(&st.by), "{} {}: by {}", p.key, it.name, st.by);
                    assert!(
                        st.day >= last && st.day <= 0.0,
                        "{} {}: steps in time order, in the past",
                        p.key,
                        it.name
                    );
                    last = st.day;
                    assert!(
                        st.action().is_ok(),
                        "{} {}: {:?}",
                        p.key,
                        it.name,
                        st.action().err()
                    );
                }
            }
            for t in &p.tasks {
                assert!(known(&t.by), "{}: task by {}", p.key, t.by);
                for n in &t.needs {
                    assert!(
                        refs.contains(n.as_str()),
                        "{}: task '{}' needs unknown item {n}",
                        p.key,
                        t.title
                    );
                }
            }
        }
        assert!((30..=45).contains(&items), "{items} items");
    }

    #[test]
    fn colliding_sample_login_is_renamed() {
        let s = scenario();
        let me = Identity {
            uid: 1000,
            login: "carol".into(),
        };
        let who = identities(&s, &me);
        assert_eq!(who.get(ME).map(|i| i.login.as_str()), Some("carol"));
        assert_eq!(
            who.get("carol").map(|i| i.login.as_str()),
            Some("carol.sample")
        );
        let logins: HashSet<&str> = who.values().map(|i| i.login.as_str()).collect();
        assert_eq!(
            logins.len(),
            who.len(),
            "every person keeps a login of their own"
        );
    }

    #[test]
    fn steps_refuse_missing_and_unused_arguments() {
        let step = |json: &str| serde_json::from_str::<Step>(json).expect("a step parses");
        let unused = step(r#"{"day": -1, "by": "carol", "action": "approve", "reason": "x"}"#);
        assert!(unused.action().is_err(), "approve takes no reason");
        let missing = step(r#"{"day": -1, "by": "carol", "action": "deny"}"#);
        assert!(missing.action().is_err(), "deny needs a reason");
        let unknown = step(r#"{"day": -1, "by": "carol", "action": "approve-all"}"#);
        assert!(unknown.action().is_err());
        let ok = step(r#"{"day": -1, "by": "carol", "action": "grant", "method": "vault"}"#);
        assert!(matches!(
            ok.action(),
            Ok(StepKind::Move(Action::Grant {
                method: Some(Method::Vault),
                ..
            }))
        ));
    }
}
