//! A generator of large, realistic data sets for benchmarks: N access items over N/100
//! projects, with a mix of states, flags and tasks and a full event history (about six
//! events per item), all made through the store's bulk path so every move passes the
//! domain rules and the audit chain verifies. Deterministic for a given seed.

use crate::domain::machine::Action;
use crate::domain::{ItemFields, Method, Role};
use crate::store::{BulkPeople, Result, Store};
use chrono::{DateTime, Duration, Utc};
use std::path::Path;

/// SplitMix64: small, fast, and good enough to spread test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

const SYSTEMS: [(&str, &[&str]); 16] = [
    (
        "Google Analytics 4",
        &["Viewer", "Analyst", "Editor", "Administrator"],
    ),
    (
        "Google Tag Manager",
        &["Read", "Edit", "Approve", "Publish"],
    ),
    ("WordPress", &["Author", "Editor", "Site Administrator"]),
    (
        "Shopify",
        &["Staff (orders)", "Staff (products)", "Store owner"],
    ),
    (
        "Stripe",
        &["View only", "Analyst", "Developer", "Administrator"],
    ),
    (
        "QuickBooks Online",
        &["Reports only", "Standard user", "Company admin"],
    ),
    (
        "Microsoft 365",
        &["Reader", "Helpdesk", "Global Administrator"],
    ),
    (
        "AWS",
        &["ReadOnlyAccess", "PowerUserAccess", "Root account"],
    ),
    ("Cloudflare", &["Analytics", "DNS", "Super Administrator"]),
    ("HubSpot", &["Marketing", "Sales", "Super Admin"]),
    (
        "Salesforce",
        &["Read Only", "Standard User", "System Administrator"],
    ),
    ("Jira", &["Browse", "Developer", "Project admin"]),
    ("GitHub", &["Read", "Write", "Maintain", "Owner"]),
    ("Zendesk", &["Light agent", "Agent", "Admin"]),
    ("Okta", &["Read-only admin", "App admin", "Super admin"]),
    ("Epic EHR", &["Report viewer", "Analyst", "Security admin"]),
];

const PURPOSES: [&str; 8] = [
    "install tracking tags",
    "migrate product catalogue",
    "configure billing exports",
    "set up single sign-on",
    "build reporting dashboards",
    "move DNS and certificates",
    "connect the helpdesk",
    "audit user permissions",
];

const METHODS: [Method; 5] = [
    Method::DelegatedAccount,
    Method::TemporaryLink,
    Method::AdminApprovedFlow,
    Method::Vault,
    Method::SsoInvite,
];

/// What was generated.
#[derive(Debug, Clone, Copy, Default)]
pub struct Generated {
    pub projects: usize,
    pub items: usize,
    pub tasks: usize,
}

const COORDINATORS: [&str; 4] = ["coord1", "coord2", "coord3", "coord4"];
const APPROVERS: [&str; 6] = ["appr1", "appr2", "appr3", "appr4", "appr5", "appr6"];
const SECURITY: [&str; 3] = ["sec1", "sec2", "sec3"];
const SUPPORT: [&str; 3] = ["supp1", "supp2", "supp3"];

/// Generates `n` items into the (new or empty) database at `path`, as of `now`.
/// `me`, when given, is registered as coordinator, security and approver.
pub fn generate(
    path: &Path,
    n: usize,
    seed: u64,
    now: DateTime<Utc>,
    me: Option<&crate::identity::Identity>,
) -> Result<Generated> {
    generate_with_live(path, n, seed, now, me, 0)
}

/// [`generate`], with `live` of the `n` items in one more project, `LIVE`, whose
/// access is all granted and verified (what an access review covers).
pub fn generate_with_live(
    path: &Path,
    n: usize,
    seed: u64,
    now: DateTime<Utc>,
    me: Option<&crate::identity::Identity>,
    live: usize,
) -> Result<Generated> {
    let live = live.min(n);
    let n = n - live;
    let mut store = Store::create(path)?;
    let mut rng = Rng(seed);
    let mut people = BulkPeople::default();
    let epoch = now - Duration::days(800);
    store.bulk(&mut people, |b| {
        let mut uid = 70_000;
        let mut add =
            |b: &mut crate::store::Bulk<'_>, logins: &[&str], roles: &[Role]| -> Result<()> {
                for l in logins {
                    uid += 1;
                    b.add_person(uid, l, &l.to_uppercase(), roles, epoch)?;
                }
                Ok(())
            };
        add(b, &COORDINATORS, &[Role::Admin, Role::Coordinator])?;
        add(b, &APPROVERS, &[Role::Approver])?;
        add(b, &SECURITY, &[Role::Security])?;
        add(b, &SUPPORT, &[Role::Support])?;
        if let Some(me) = me.filter(|m| !b.knows(&m.login)) {
            b.add_person(
                me.uid,
                &me.login,
                &me.login,
                &[Role::Coordinator, Role::Security, Role::Approver],
                epoch,
            )?;
        }
        Ok(())
    })?;
    // With every item in the live project there is no other project.
    let projects = if n == 0 && live > 0 {
        0
    } else {
        (n / 100).max(1)
    };
    let mut out = Generated {
        projects,
        ..Default::default()
    };
    for pi in 0..projects {
        let count = if pi + 1 == projects {
            n - 100 * (projects - 1).min(n / 100)
        } else {
            100
        };
        let count = count.min(n.saturating_sub(out.items));
        let key = project_key(pi);
        let created = now - Duration::days(20 + rng.below(700) as i64);
        let start = (created + Duration::days(20 + rng.below(70) as i64)).date_naive();
        let coordinator = *rng.pick(&COORDINATORS);
        let (items, tasks) = store.bulk(&mut people, |b| {
            b.add_project(
                coordinator,
                created,
                &key,
                &format!("Onboarding {key}"),
                &format!("Client {pi}"),
                start,
            )?;
            let mut made = Vec::with_capacity(count);
            for i in 0..count {
                let at = created + Duration::minutes(i as i64 * 7);
                let mut item = b.add_item(coordinator, at, &key, fields(&mut rng, at))?;
                walk(b, &mut rng, &mut item, coordinator, at, now)?;
                made.push((item.rowid, item.id()));
            }
            let tasks = (count / 30).clamp(1, 3);
            for t in 0..tasks {
                let needs: Vec<(i64, String)> = (0..3)
                    .map(|_| made[rng.below(made.len() as u64) as usize].clone())
                    .collect();
                b.add_task(
                    coordinator,
                    created,
                    &key,
                    &format!("Implementation step {}", t + 1),
                    &needs,
                    Some(start + Duration::days(t as i64 * 7)),
                )?;
            }
            Ok((made.len(), tasks))
        })?;
        out.items += items;
        out.tasks += tasks;
    }
    if live > 0 {
        out.items += live_project(&mut store, &mut people, &mut rng, live, now)?;
        out.projects += 1;
    }
    Ok(out)
}

/// The project `LIVE`: `n` items, each submitted, approved, granted and verified.
fn live_project(
    store: &mut Store,
    people: &mut BulkPeople,
    rng: &mut Rng,
    n: usize,
    now: DateTime<Utc>,
) -> Result<usize> {
    let created = now - Duration::days(60);
    let coordinator = COORDINATORS[0];
    store.bulk(people, |b| {
        b.add_project(
            coordinator,
            created,
            "LIVE",
            "Live access under review",
            "Client live",
            (created + Duration::days(7)).date_naive(),
        )?;
        for i in 0..n {
            let mut at = created + Duration::seconds(i as i64 * 20);
            let mut item = b.add_item(coordinator, at, "LIVE", fields(rng, at))?;
            let mut next = || {
                at += Duration::hours(1);
                at
            };
            b.act(
                coordinator,
                next(),
                &mut item,
                &Action::Submit { note: None },
            )?;
            let owner = item.fields.approver.clone();
            b.act(
                &owner,
                next(),
                &mut item,
                &Action::Approve { conditions: None },
            )?;
            // One security approval per review flag's need, from different people.
            for k in 0..item.required_approvals().len() - 1 {
                let sec = SECURITY[(i + k) % SECURITY.len()];
                b.act(
                    sec,
                    next(),
                    &mut item,
                    &Action::Approve { conditions: None },
                )?;
            }
            // Whoever grants does not verify: the next support person does.
            let grant = Action::Grant {
                method: None,
                note: None,
            };
            b.act(SUPPORT[i % SUPPORT.len()], next(), &mut item, &grant)?;
            let verify = Action::Verify {
                note: "scope and owner confirmed with the client".into(),
                reference: None,
            };
            b.act(SUPPORT[(i + 1) % SUPPORT.len()], next(), &mut item, &verify)?;
        }
        Ok(n)
    })
}

fn project_key(i: usize) -> String {
    // P0001, P0002, ...: valid keys that sort in creation order.
    format!("P{:04}", i + 1)
}

fn fields(rng: &mut Rng, at: DateTime<Utc>) -> ItemFields {
    let (system, roles) = rng.pick(&SYSTEMS);
    let role = rng.pick(roles).to_string();
    let temporary = rng.chance(20);
    ItemFields {
        system: system.to_string(),
        purpose: rng.pick(&PURPOSES).to_string(),
        role,
        holder: Some(format!("delegate-{}", rng.below(40))),
        credential_owner: format!("Client IT {}", rng.below(30)),
        approver: rng.pick(&APPROVERS).to_string(),
        method: Some(*rng.pick(&METHODS)),
        temporary,
        expires: temporary.then(|| (at + Duration::days(30 + rng.below(200) as i64)).date_naive()),
        deprovision: None,
        privileged: rng.chance(5),
        shared_credential: rng.chance(3),
        client_owned: rng.chance(15),
        exception: None,
        needed_by: None,
        notes: if rng.chance(30) {
            "client prefers invitations on weekdays".into()
        } else {
            String::new()
        },
        above_standard: false,
        justification: None,
    }
}

/// Moves a fresh item along a realistic path, stopping where time runs out.
fn walk(
    b: &mut crate::store::Bulk<'_>,
    rng: &mut Rng,
    item: &mut crate::domain::Item,
    coordinator: &str,
    mut at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    // Target: 45 % verified, 10 % granted, 8 % approved, 15 % requested, 10 % needed,
    // 3 % denied, 5 % revoked, 4 % cancelled.
    let roll = rng.below(100);
    let mut step = |rng: &mut Rng| {
        at += Duration::hours(2 + rng.below(60) as i64);
        (at < now).then_some(at)
    };
    if roll < 10 {
        return Ok(());
    }
    if roll < 14 {
        if let Some(t) = step(rng) {
            b.act(
                coordinator,
                t,
                item,
                &Action::Cancel {
                    note: Some("no longer needed".into()),
                },
            )?;
        }
        return Ok(());
    }
    let Some(t) = step(rng) else { return Ok(()) };
    b.act(coordinator, t, item, &Action::Submit { note: None })?;
    if roll < 29 {
        return Ok(());
    }
    let owner = item.fields.approver.clone();
    let Some(t) = step(rng) else { return Ok(()) };
    if roll < 32 {
        return b.act(
            &owner,
            t,
            item,
            &Action::Deny {
                reason: "scope too broad for the task".into(),
            },
        );
    }
    b.act(&owner, t, item, &Action::Approve { conditions: None })?;
    // One security approval for a flagged item, two from different people for a
    // privileged one that is client-owned or a shared credential.
    let first = rng.below(SECURITY.len() as u64) as usize;
    let reviews = item.required_approvals().len() - 1;
    for k in 0..reviews {
        let Some(t) = step(rng) else { return Ok(()) };
        let sec = SECURITY[(first + k) % SECURITY.len()];
        b.act(
            sec,
            t,
            item,
            &Action::Approve {
                conditions: rng
                    .chance(30)
                    .then(|| "review again in 90 days".to_string()),
            },
        )?;
    }
    if roll < 40 {
        return Ok(());
    }
    // Support grants, verifies, then revokes; the roll says after which move the walk
    // stops (every roll is below 100, so the revocation is always the last).
    // Whoever grants does not verify: the next support person does.
    let granter = rng.below(SUPPORT.len() as u64) as usize;
    for (action, stop_below) in [
        (
            Action::Grant {
                method: None,
                note: None,
            },
            50,
        ),
        (
            Action::Verify {
                note: "scope and owner confirmed with the client".into(),
                reference: None,
            },
            95,
        ),
        (
            Action::Revoke {
                note: "removed; confirmed in the admin console".into(),
            },
            100,
        ),
    ] {
        let Some(t) = step(rng) else { return Ok(()) };
        let support = match action {
            Action::Grant { .. } => SUPPORT[granter],
            _ => SUPPORT[(granter + 1) % SUPPORT.len()],
        };
        b.act(support, t, item, &action)?;
        if roll < stop_below {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_a_verifiable_history_with_a_mix_of_states() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("scale.db");
        let now: DateTime<Utc> = "2026-11-20T12:00:00Z".parse().unwrap();
        let g = generate(&db, 250, 7, now, None).unwrap();
        assert_eq!((g.projects, g.items), (2, 250));
        let store = Store::open(&db).unwrap();
        assert!(store.verify_chain().unwrap().first_bad.is_none());
        let items = store.list_items(&Default::default()).unwrap();
        assert_eq!(items.len(), 250);
        let states: std::collections::HashSet<_> = items.iter().map(|v| v.item.state).collect();
        assert!(states.len() >= 6, "{states:?}");
        let events = store.verify_chain().unwrap().events as usize;
        assert!(events > 4 * 250, "about six events per item, got {events}");
        // The items' life columns, kept as the events were written, match the replay.
        let replay = store.replay_check().unwrap();
        assert!(replay.ok(), "{:?}", replay.problems());
    }

    #[test]
    fn a_live_project_holds_only_live_access_and_may_take_every_item() {
        let dir = tempfile::tempdir().unwrap();
        let now: DateTime<Utc> = "2026-11-20T12:00:00Z".parse().unwrap();
        let db = dir.path().join("live.db");
        let g = generate_with_live(&db, 250, 7, now, None, 100).unwrap();
        assert_eq!((g.projects, g.items), (2, 250));
        let store = Store::open(&db).unwrap();
        let filter = crate::store::ItemFilter {
            project: Some("LIVE".into()),
            ..Default::default()
        };
        let live = store.list_items(&filter).unwrap();
        assert_eq!(live.len(), 100);
        assert!(live.iter().all(|v| v.item.state.access_live()));
        let all = dir.path().join("all.db");
        let g = generate_with_live(&all, 50, 7, now, None, 50).unwrap();
        assert_eq!((g.projects, g.items), (1, 50));
    }
}
