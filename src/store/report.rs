//! The measures of section 4, per project and overall: readiness, blockers and their
//! ages, security reviews, unsafe credential attempts, deprovisioning, delay caused by
//! access gaps, exceptions, readiness frozen at the planned start. Counters come from
//! the event log; current state from the items (which the log produced).

use super::error::Result;
use super::handle::Store;
use super::lean::{LEAN_SQL, Lean, parse_at, with_text};
pub use super::measures::{Deprovisioning, end_of_access};
use super::schema::MEASURED_KINDS;
use crate::domain::blockers::{self, Readiness};
use crate::domain::{Person, Project, State};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rusqlite::types::ValueRef;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Measures of one project or of all of them.
#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct Measures {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_to_start: Option<i64>,
    pub closed: bool,
    pub items: usize,
    pub required: usize,
    pub ready: usize,
    pub readiness_ratio: f64,
    pub readiness_target: f64,
    pub open_blockers: usize,
    pub blocker_age_hours_median: f64,
    pub blocker_age_hours_max: f64,
    /// Open blockers by age: under 1 day, 1-3 days, 3-7 days, over 7 days.
    pub blocker_age_histogram: BTreeMap<&'static str, usize>,
    pub blockers_by_reason: BTreeMap<&'static str, usize>,
    pub privileged_reviews: usize,
    pub security_reviews: usize,
    pub unsafe_credential_attempts: usize,
    /// Of those, the ones recorded from outside (a credential offered by email, chat...).
    pub unsafe_attempts_reported: usize,
    /// Of those, credentials typed into a field or an import cell and refused.
    pub unsafe_attempts_typed: usize,
    /// Required items that reached `verified` at some point / required items.
    pub access_completion_rate: f64,
    pub deprovisioning_due: usize,
    pub deprovisioning_done: usize,
    /// done / due; 1.0 when nothing was due.
    pub deprovisioning_completion: f64,
    /// Days tasks waited past their planned start for access.
    pub implementation_delay_days: i64,
    pub tasks: usize,
    pub blocked_tasks: usize,
    pub security_exceptions: usize,
    pub emergency_grants: usize,
    pub open_retrospectives: usize,
    /// Break-glass retrospectives past their due time.
    pub overdue_retrospectives: usize,
    /// Items whose credential waits for rotation (blocker `rotation-due`).
    pub rotations_pending: usize,
    /// Pending decisions handed to someone else (`delegate` events).
    pub delegations: usize,
    /// Readiness at the planned start (null until the start date).
    pub ready_before_start: Option<f64>,
    /// Access review campaigns: open, overdue, completed, and their decisions.
    pub review_campaigns: crate::domain::review::Measures,
    /// Items requesting more than the standard role (not cancelled).
    pub above_standard_requests: usize,
    /// Of those, the ones approved (approved, granted, verified or since revoked).
    pub above_standard_approved: usize,
    #[serde(flatten)]
    pub outlook: forecast::Outlook,
}

/// `report --json`: `{"overall": {...}, "projects": [...]}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub generated_at: DateTime<Utc>,
    pub overall: Measures,
    pub projects: Vec<Measures>,
}

mod figures;
pub mod forecast;
pub(crate) mod stages;
mod trend;
use figures::{bucket, median, number_in, round2};

/// Counts for one project, from its events and (when each item was added) its items.
#[derive(Default)]
struct Counters {
    privileged_reviews: usize,
    security_reviews: usize,
    unsafe_attempts: usize,
    /// Unsafe attempts recorded from outside (the rest were typed and refused).
    unsafe_reported: usize,
    /// Per item (by its number in the project): when it was added (from its row),
    /// first verified, revoked, cancelled (from its events).
    life: HashMap<i64, Life>,
    /// The same for events naming an item in any other way (none are written so, but
    /// a log is read as it is).
    odd: HashMap<String, Life>,
}

#[derive(Default, Clone, Copy)]
struct Life {
    added: Option<DateTime<Utc>>,
    verified: Option<DateTime<Utc>>,
    revoked: Option<DateTime<Utc>>,
    cancelled: Option<DateTime<Utc>>,
}

impl Counters {
    fn verified_at(&self, key: &str, item: &str) -> Option<DateTime<Utc>> {
        match number_in(key, item) {
            Some(n) => self.life.get(&n),
            None => self.odd.get(item),
        }
        .and_then(|l| l.verified)
    }

    fn verified_at_number(&self, n: i64) -> bool {
        self.life.get(&n).is_some_and(|l| l.verified.is_some())
    }

    /// Readiness at an instant. `verified` is left only by `revoke` and `cancelled` is
    /// final, so when the item was added and three kinds of event decide it — no
    /// replay of every transition.
    fn readiness_at(&self, t: DateTime<Utc>) -> f64 {
        let before = |x: Option<DateTime<Utc>>| x.is_some_and(|x| x < t);
        let mut r = Readiness::default();
        for l in self.life.values().chain(self.odd.values()) {
            if before(l.added) && !before(l.cancelled) {
                r.required += 1;
                if before(l.verified) && !before(l.revoked) {
                    r.ready += 1;
                }
            }
        }
        r.finish().ratio
    }
}

impl Store {
    /// Computes the report at the store's `now`, for one project or all.
    ///
    /// Items are streamed once, reading only what the measures and the blocker rules
    /// need (see [`Lean`]); nothing is kept per item but a few numbers, so the report
    /// of a hundred thousand items costs one pass and little memory.
    pub fn report(&self, project: Option<&str>) -> Result<Report> {
        let now = self.now();
        let settings = self.settings();
        let projects: Vec<Project> = match project {
            Some(k) => vec![self.project(k)?],
            None => self.projects()?,
        };
        let mut counters = self.counters(project)?;
        for p in &projects {
            counters.entry(p.key.clone()).or_default();
        }
        let tasks = self.tasks(project)?;
        let at = Moment {
            now,
            settings,
            people: self
                .people()?
                .into_iter()
                .map(|p| (p.login.clone(), p))
                .collect(),
        };
        let index: HashMap<&str, usize> = projects
            .iter()
            .enumerate()
            .map(|(i, p)| (p.key.as_str(), i))
            .collect();
        // Items some task needs: whether each is unready or unsafe, filled in below.
        let mut needed: Vec<HashMap<i64, bool>> = vec![HashMap::new(); projects.len()];
        for t in &tasks {
            let Some(&pi) = index.get(t.project.as_str()) else {
                continue;
            };
            for id in &t.needs {
                if let Some(n) = number_in(&t.project, id) {
                    needed[pi].insert(n, true);
                }
            }
        }
        let mut acc: Vec<Acc> = projects.iter().map(|_| Acc::default()).collect();
        let in_force = super::decisions::requested_approvals(&self.conn, project)?;
        let empty = Counters::default();
        let mut lean = Lean::new();
        let mut stmt = self.conn.prepare_cached(LEAN_SQL)?;
        let mut rows = stmt.query([project.map(str::to_ascii_uppercase)])?;
        while let Some(r) = rows.next()? {
            let Some(pi) = with_text(r, 0, |k| k.and_then(|k| index.get(k).copied())) else {
                continue;
            };
            lean.read(r);
            let p = &projects[pi];
            lean.item.approvals.clear();
            if lean.item.state == crate::domain::State::Requested
                && let Some(given) = in_force.get(&(p.key.clone(), lean.item.number))
            {
                lean.item.approvals.extend(given.iter().cloned());
            }
            // When the item was added is on its row (the index of the measured events
            // leaves the `item-add` events out, see schema 5).
            let Some(c) = counters.get_mut(&p.key) else {
                continue;
            };
            c.life.entry(lean.item.number).or_default().added = Some(lean.item.created_at);
            acc[pi].add(&lean, p, c, &at, &mut needed[pi]);
        }
        let frozen = super::lifecycle::frozen_starts(&self.conn)?;
        let mut all_ages = Vec::new();
        let mut per = Vec::new();
        for (pi, p) in projects.iter().enumerate() {
            let c = counters.get(&p.key).unwrap_or(&empty);
            // A start moved after it was reached keeps readiness frozen at that start.
            let mut frozen_at = p.clone();
            frozen_at.start = frozen.get(&p.key).copied().unwrap_or(p.start);
            let ready_before = (blockers::today(p, now) >= frozen_at.start)
                .then(|| round2(c.readiness_at(start_instant(&frozen_at)) * 100.0) / 100.0);
            let a = std::mem::take(&mut acc[pi]);
            let (m, ages) = a.finish(p, c, &tasks, &needed[pi], &at, ready_before);
            all_ages.extend(ages);
            per.push(m);
        }
        let handed = super::decisions::delegations(&self.conn, project)?;
        for m in &mut per {
            m.delegations = m
                .key
                .as_ref()
                .and_then(|k| handed.get(k))
                .copied()
                .unwrap_or(0);
        }
        let mut overall = combine(&per, &mut all_ages, settings.readiness_target());
        overall.delegations = per.iter().map(|m| m.delegations).sum();
        let mut reviews = self.review_measures(project)?;
        for m in per.iter_mut() {
            let key = m.key.as_deref().unwrap_or_default();
            m.review_campaigns = reviews.remove(key).unwrap_or_default();
        }
        overall.review_campaigns = reviews.remove("").unwrap_or_default();
        forecast::fill(&self.conn, now, &projects, &mut per, &mut overall)?;
        Ok(Report {
            generated_at: now,
            overall,
            projects: per,
        })
    }

    /// One pass over the events that the measures need, by kind (indexed), and the
    /// security decisions. Only deny/return payloads are read as JSON: they are few.
    fn counters(&self, project: Option<&str>) -> Result<HashMap<String, Counters>> {
        let key = project.map(str::to_ascii_uppercase);
        let mut out: HashMap<String, Counters> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(&counters_sql())?;
        let mut rows = stmt.query([&key])?;
        while let Some(r) = rows.next()? {
            // Text columns are read borrowed; anything else takes the checked (and
            // allocating) path, which fails on a tampered value exactly as before.
            let owned;
            let p = match r.get_ref(0)? {
                ValueRef::Null => continue,
                ValueRef::Text(t) if std::str::from_utf8(t).is_ok() => {
                    std::str::from_utf8(t).unwrap_or_default()
                }
                _ => match r.get::<_, Option<String>>(0)? {
                    Some(p) => {
                        owned = p;
                        owned.as_str()
                    }
                    None => continue,
                },
            };
            if !out.contains_key(p) {
                out.insert(p.to_string(), Counters::default());
            }
            let Some(c) = out.get_mut(p) else { continue };
            let kind = r.get_ref(2)?.as_str().unwrap_or_default();
            if kind == "unsafe-attempt" {
                c.unsafe_attempts += 1;
                continue;
            }
            let item_owned;
            let item = match r.get_ref(1)? {
                ValueRef::Null => None,
                ValueRef::Text(t) if std::str::from_utf8(t).is_ok() => {
                    Some(std::str::from_utf8(t).unwrap_or_default())
                }
                _ => {
                    item_owned = r.get::<_, Option<String>>(1)?;
                    item_owned.as_deref()
                }
            };
            let (Some(item), Some(at)) = (item, r.get_ref(3)?.as_str().ok().and_then(parse_at))
            else {
                continue;
            };
            let l = match number_in(p, item) {
                Some(n) => c.life.entry(n).or_default(),
                None => c.odd.entry(item.to_string()).or_default(),
            };
            let slot = match kind {
                "verify" => &mut l.verified,
                "revoke" => &mut l.revoked,
                _ => &mut l.cancelled,
            };
            // The first time counts: a task could start on the first verification.
            slot.get_or_insert(at);
        }
        // Security reviews, per project: approvals given as security, then denials and
        // returns decided as security. Each query yields (project, reviews, privileged).
        for sql in [
            "SELECT i.project, count(*), sum(i.privileged) FROM approvals a JOIN items i ON i.id = a.item_id \
             WHERE a.capacity = 'security' AND (?1 IS NULL OR i.project = ?1) GROUP BY i.project",
            "SELECT project, count(*), sum(coalesce(json_extract(payload, '$.privileged'), 0)) FROM events \
             WHERE kind IN ('deny', 'return') AND json_valid(payload) AND json_extract(payload, '$.capacity') = 'security' \
             AND (?1 IS NULL OR project = ?1) GROUP BY project",
        ] {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let mut rows = stmt.query([&key])?;
            while let Some(r) = rows.next()? {
                let c = out.entry(r.get(0)?).or_default();
                c.security_reviews += r.get::<_, i64>(1)? as usize;
                c.privileged_reviews += r.get::<_, i64>(2)? as usize;
            }
        }
        // Unsafe attempts recorded from outside say by which channel (few: read as JSON).
        let mut stmt = self.conn.prepare_cached(
            "SELECT project, count(*) FROM events WHERE kind = 'unsafe-attempt' AND project IS NOT NULL \
             AND json_valid(payload) AND json_extract(payload, '$.field') = 'channel' \
             AND (?1 IS NULL OR project = ?1) GROUP BY project",
        )?;
        let mut rows = stmt.query([&key])?;
        while let Some(r) = rows.next()? {
            out.entry(r.get(0)?).or_default().unsafe_reported += r.get::<_, i64>(1)? as usize;
        }
        Ok(out)
    }
}

/// The first instant of the project's start date, in its time zone.
fn start_instant(p: &Project) -> DateTime<Utc> {
    let midnight = p.start.and_hms_opt(0, 0, 0).unwrap_or_default();
    blockers::project_tz(p)
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// The events the measures count, of one project (`?1`) or of all (`?1` null), read
/// from the partial index `events_kind`.
pub(super) fn counters_sql() -> String {
    format!(
        "SELECT project, item, kind, at FROM events \
         WHERE ({MEASURED_KINDS}) AND (?1 IS NULL OR project = ?1)"
    )
}

/// What every item of a report is assessed against: the moment, the settings, and
/// the registered people (to tell whether an approval owner may decide).
struct Moment {
    now: DateTime<Utc>,
    settings: blockers::Settings,
    people: HashMap<String, Person>,
}

/// The measures of one project as its items stream past.
#[derive(Default)]
struct Acc {
    m: Measures,
    readiness: Readiness,
    deprovisioning: Deprovisioning,
    ages: Vec<f64>,
    completed: usize,
}

impl Acc {
    fn add(
        &mut self,
        lean: &Lean,
        p: &Project,
        c: &Counters,
        at: &Moment,
        needed: &mut HashMap<i64, bool>,
    ) {
        let (now, settings) = (at.now, at.settings);
        let it = &lean.item;
        let m = &mut self.m;
        m.items += 1;
        self.readiness.add(it.state);
        // Assessed as the item list assesses it, so the report counts the blockers
        // the tracker shows, an approval owner who may not decide included.
        let a = blockers::assess(it, p, now, settings, &at.people);
        let reasons = a.reasons;
        if !reasons.is_empty() {
            m.open_blockers += 1;
            let h = a
                .since
                .map(|s| (now - s).max(Duration::zero()).num_minutes() as f64 / 60.0)
                .unwrap_or(0.0);
            self.ages.push(h);
            *m.blocker_age_histogram.entry(bucket(h)).or_default() += 1;
            for r in &reasons {
                *m.blockers_by_reason.entry(r.code()).or_default() += 1;
            }
        }
        if it.fields.exception.is_some() && it.is_required() {
            m.security_exceptions += 1;
        }
        if it.emergency {
            m.emergency_grants += 1;
        }
        if it.fields.above_standard && it.is_required() {
            m.above_standard_requests += 1;
            m.above_standard_approved += usize::from(matches!(
                it.state,
                State::Approved | State::Granted | State::Verified | State::Revoked
            ));
        }
        if let Some(due) = it.retro_due {
            m.open_retrospectives += 1;
            m.overdue_retrospectives += usize::from(due < now);
        }
        if reasons.iter().any(|r| r.code() == "rotation-due") {
            m.rotations_pending += 1;
        }
        self.deprovisioning
            .add(it, p.closed_at.is_some(), blockers::today(p, now));
        if it.is_required() && c.verified_at_number(it.number) {
            self.completed += 1;
        }
        if let Some(unready) = needed.get_mut(&it.number) {
            *unready =
                !it.is_ready() || !crate::domain::rules::policy_problems(&it.fields).is_empty();
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        self,
        p: &Project,
        c: &Counters,
        tasks: &[crate::domain::Task],
        unready: &HashMap<i64, bool>,
        at: &Moment,
        ready_before_start: Option<f64>,
    ) -> (Measures, Vec<f64>) {
        let (now, at_target) = (at.now, at.settings.readiness_target());
        let readiness = self.readiness.finish();
        let today = blockers::today(p, now);
        let ages = self.ages;
        let mut m = Measures {
            key: Some(p.key.clone()),
            name: Some(p.name.clone()),
            start: Some(p.start),
            days_to_start: Some(blockers::days_to_start(p, now)),
            closed: p.closed_at.is_some(),
            required: readiness.required,
            ready: readiness.ready,
            readiness_ratio: readiness.ratio,
            readiness_target: at_target,
            privileged_reviews: c.privileged_reviews,
            security_reviews: c.security_reviews,
            unsafe_credential_attempts: c.unsafe_attempts,
            unsafe_attempts_reported: c.unsafe_reported.min(c.unsafe_attempts),
            unsafe_attempts_typed: c.unsafe_attempts - c.unsafe_reported.min(c.unsafe_attempts),
            ready_before_start,
            ..self.m
        };
        m.access_completion_rate = if m.required == 0 {
            1.0
        } else {
            self.completed as f64 / m.required as f64
        };
        let d = self.deprovisioning;
        (m.deprovisioning_due, m.deprovisioning_done) = (d.due, d.done);
        m.deprovisioning_completion = d.completion();
        for t in tasks.iter().filter(|t| t.project == p.key) {
            m.tasks += 1;
            // An item that is not there (or not of this project) counts as unready.
            let blocked = t.needs.iter().any(|id| {
                number_in(&p.key, id)
                    .and_then(|n| unready.get(&n))
                    .is_none_or(|u| *u)
            });
            if blocked {
                m.blocked_tasks += 1;
            }
            let start = t.start.unwrap_or(p.start);
            if start >= today {
                continue;
            }
            // A task waited until every item it needs had first been verified: access
            // removed later (deprovisioned when the work was done) did not delay it. Work
            // still waiting counts until today, or until the project was closed.
            let tz = blockers::project_tz(p);
            let first_ready: Option<Vec<NaiveDate>> = t
                .needs
                .iter()
                .map(|id| {
                    c.verified_at(&p.key, id)
                        .map(|at| at.with_timezone(&tz).date_naive())
                })
                .collect();
            let ready_on = match first_ready {
                Some(days) => days.into_iter().max().unwrap_or(start),
                None => p
                    .closed_at
                    .map_or(today, |at| at.with_timezone(&tz).date_naive().min(today)),
            };
            m.implementation_delay_days += (ready_on - start).num_days().max(0);
        }
        let mut sorted = ages.clone();
        m.blocker_age_hours_median = round2(median(&mut sorted));
        m.blocker_age_hours_max = round2(sorted.last().copied().unwrap_or(0.0));
        (m, ages)
    }
}

/// Adds the counts of how access ends (see `domain::lifecycle`) of `m` to `o`.
fn add_end_of_access(o: &mut Measures, m: &Measures) {
    o.unsafe_attempts_reported += m.unsafe_attempts_reported;
    o.unsafe_attempts_typed += m.unsafe_attempts_typed;
    o.overdue_retrospectives += m.overdue_retrospectives;
    o.rotations_pending += m.rotations_pending;
}

fn combine(per: &[Measures], ages: &mut [f64], target: f64) -> Measures {
    let mut o = Measures {
        readiness_target: target,
        ..Default::default()
    };
    let mut completed = 0.0;
    let mut deprovisioning = Deprovisioning::default();
    let mut rbs = Vec::new();
    for m in per {
        o.items += m.items;
        o.required += m.required;
        o.ready += m.ready;
        o.open_blockers += m.open_blockers;
        for (k, v) in &m.blocker_age_histogram {
            *o.blocker_age_histogram.entry(k).or_default() += v;
        }
        for (k, v) in &m.blockers_by_reason {
            *o.blockers_by_reason.entry(k).or_default() += v;
        }
        o.privileged_reviews += m.privileged_reviews;
        o.security_reviews += m.security_reviews;
        o.unsafe_credential_attempts += m.unsafe_credential_attempts;
        add_end_of_access(&mut o, m);
        completed += m.access_completion_rate * m.required as f64;
        deprovisioning.due += m.deprovisioning_due;
        deprovisioning.done += m.deprovisioning_done;
        o.implementation_delay_days += m.implementation_delay_days;
        o.tasks += m.tasks;
        o.blocked_tasks += m.blocked_tasks;
        o.security_exceptions += m.security_exceptions;
        o.emergency_grants += m.emergency_grants;
        o.above_standard_requests += m.above_standard_requests;
        o.above_standard_approved += m.above_standard_approved;
        o.open_retrospectives += m.open_retrospectives;
        if let Some(r) = m.ready_before_start {
            rbs.push(r);
        }
    }
    o.readiness_ratio = if o.required == 0 {
        1.0
    } else {
        o.ready as f64 / o.required as f64
    };
    o.access_completion_rate = if o.required == 0 {
        1.0
    } else {
        (completed / o.required as f64).clamp(0.0, 1.0)
    };
    (o.deprovisioning_due, o.deprovisioning_done) = (deprovisioning.due, deprovisioning.done);
    o.deprovisioning_completion = deprovisioning.completion();
    o.ready_before_start = (!rbs.is_empty()).then(|| rbs.iter().sum::<f64>() / rbs.len() as f64);
    o.blocker_age_hours_median = round2(median(ages));
    o.blocker_age_hours_max = round2(ages.iter().copied().fold(0.0, f64::max));
    o
}
