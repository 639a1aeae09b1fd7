//! The measures of section 4, per project and overall: readiness, blockers and their
//! ages, security reviews, unsafe credential attempts, deprovisioning, delay caused by
//! access gaps, exceptions, readiness frozen at the planned start. Counters come from
//! the event log; current state from the items (which the log produced).

use super::error::Result;
use super::handle::Store;
use super::lean::{LEAN_SQL, Lean, parse_at, with_text};
pub use super::measures::{Deprovisioning, Window, end_of_access};
use super::schema::MEASURED_KINDS;
use crate::domain::blockers::{self, Readiness};
use crate::domain::{Person, Project, State};
use chrono::{DateTime, Duration, NaiveDate, Utc};
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
    // Added with the report's period (`Window`); see the README for each formula.
    /// Open blockers' age at the 90th percentile (nearest rank), in hours.
    pub blocker_age_hours_p90: f64,
    /// Items ready (verified) at the planned start, and required then: the terms of
    /// `ready_before_start` (null until the start, or when it falls outside the period).
    pub ready_at_start: Option<usize>,
    pub required_at_start: Option<usize>,
    /// `ready_before_start` >= `readiness_target` (overall: Σ ready / Σ required at start
    /// over the projects whose start falls in the period); null when none started.
    pub pilot_target_met: Option<bool>,
    /// Projects whose start falls in the period (and has come), and of them how many
    /// met the target.
    pub projects_started: usize,
    pub projects_meeting_target: usize,
    /// Tasks the delay counts (planned start in the period and past) that waited.
    pub delayed_tasks: usize,
    /// Security exceptions in force at the period's last day, and those that expired in it.
    pub security_exceptions_open: usize,
    pub security_exceptions_expired: usize,
    /// The terms of `access_completion_rate` (completed, counted), so the overall rate
    /// is a ratio of totals.
    #[serde(skip)]
    pub completion_terms: (usize, usize),
    /// Blocking spells that ended in the period: count, length in hours, histogram.
    #[serde(flatten)]
    pub spells: spells::ClosedSpells,
}

/// `report --json`: `{"overall": {...}, "projects": [...]}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    pub generated_at: DateTime<Utc>,
    /// The period covered (`since`, `until`: dates, null for an open end).
    pub window: Window,
    pub overall: Measures,
    pub projects: Vec<Measures>,
}

mod combine;
mod figures;
pub mod forecast;
pub mod spells;
pub(crate) mod stages;
mod trend;
mod window;
use combine::combine;
use figures::{bucket, median, number_in, p90, round2, round4};
use window::{Period, Span, Spans, day_start};

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
    fn readiness_at(&self, t: DateTime<Utc>) -> Readiness {
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
        r.finish()
    }
}

impl Store {
    /// Computes the report at the store's `now`, for one project or all.
    ///
    /// Items are streamed once, reading only what the measures and the blocker rules
    /// need (see [`Lean`]); nothing is kept per item but a few numbers, so the report
    /// of a hundred thousand items costs one pass and little memory.
    pub fn report(&self, project: Option<&str>) -> Result<Report> {
        self.report_in(project, Window::default())
    }

    /// The report over the period `w` (see [`Window`]): counts of what happened in it,
    /// ready-before-start of the projects whose start falls in it; open blockers are
    /// those of now whose spell began in it.
    pub fn report_in(&self, project: Option<&str>, w: Window) -> Result<Report> {
        let now = self.now();
        let settings = self.settings();
        let projects: Vec<Project> = match project {
            Some(k) => vec![self.project(k)?],
            None => self.projects()?,
        };
        let spans: Spans = projects
            .iter()
            .map(|p| (p.key.clone(), Span::of(p, w)))
            .collect();
        let mut counters = self.counters(project, (!w.is_all()).then_some(&spans))?;
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
        // The tasks of each project, so that no project reads every task of the others.
        let mut needed: Vec<HashMap<i64, bool>> = vec![HashMap::new(); projects.len()];
        let mut tasks_of: Vec<Vec<crate::domain::Task>> = vec![Vec::new(); projects.len()];
        for t in tasks {
            let Some(&pi) = index.get(t.project.as_str()) else {
                continue;
            };
            for id in &t.needs {
                if let Some(n) = number_in(&t.project, id) {
                    needed[pi].insert(n, true);
                }
            }
            tasks_of[pi].push(t);
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
            let span = spans.get(&p.key).copied().unwrap_or(Span::of(p, w));
            acc[pi].add(&lean, p, c, &at, &mut needed[pi], (w, span));
        }
        let frozen = super::lifecycle::frozen_starts(&self.conn)?;
        let mut all_ages = Vec::new();
        let mut per = Vec::new();
        for (pi, p) in projects.iter().enumerate() {
            let c = counters.get(&p.key).unwrap_or(&empty);
            // A start moved after it was reached keeps readiness frozen at that start.
            let mut frozen_at = p.clone();
            frozen_at.start = frozen.get(&p.key).copied().unwrap_or(p.start);
            let at_start = (blockers::today(p, now) >= frozen_at.start && w.holds(frozen_at.start))
                .then(|| c.readiness_at(day_start(&frozen_at, frozen_at.start)));
            let a = std::mem::take(&mut acc[pi]);
            let (m, ages) = a.finish(
                p,
                c,
                &tasks_of[pi],
                &needed[pi],
                now,
                (at_start, settings.readiness_target(), w),
            );
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
        // The forecast and the stage durations fill their own block of fields of `per`
        // and of the overall measures with one call, next to this one.
        let mut overall = combine(&per, &mut all_ages, settings.readiness_target());
        overall.delegations = per.iter().map(|m| m.delegations).sum();
        let mut reviews = self.review_measures(project)?;
        for m in per.iter_mut() {
            let key = m.key.as_deref().unwrap_or_default();
            m.review_campaigns = reviews.remove(key).unwrap_or_default();
        }
        overall.review_campaigns = reviews.remove("").unwrap_or_default();
        forecast::fill(&self.conn, now, &projects, &mut per, &mut overall)?;
        spells::fill(&self.conn, now, &projects, w, &mut per, &mut overall)?;
        Ok(Report {
            generated_at: now,
            window: w,
            overall,
            projects: per,
        })
    }

    /// One pass over the events that the measures need, by kind (indexed), and the
    /// security decisions. Only deny/return payloads are read as JSON: they are few.
    ///
    /// Over a period (`spans`), decisions and attempts count only when made in it; the
    /// life of each item is read whole, as the period's figures compare with it.
    fn counters(
        &self,
        project: Option<&str>,
        spans: Option<&Spans>,
    ) -> Result<HashMap<String, Counters>> {
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
                let at = || r.get_ref(3).ok()?.as_str().ok().and_then(parse_at);
                let span = spans.map(|s| s.get(p).copied());
                c.unsafe_attempts += usize::from(match span {
                    None => true,
                    Some(span) => span.zip(at()).is_some_and(|(s, t)| s.holds(t)),
                });
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
        if let Some(spans) = spans {
            for (p, (reviews, privileged, reported)) in
                window::decisions_in(&self.conn, key.as_deref(), spans)?
            {
                let c = out.entry(p).or_default();
                (c.security_reviews, c.privileged_reviews, c.unsafe_reported) =
                    (reviews, privileged, reported);
            }
            return Ok(out);
        }
        // Security reviews, per project: approvals given as security, then denials and
        // returns decided as security. Each query yields (project, reviews, privileged).
        for sql in [
            "SELECT i.project, count(*), sum(i.privileged) FROM approvals a JOIN items i ON i.id = a.item_id \
             WHERE a.capacity = 'security' AND (?1 IS NULL OR i.project = ?1) GROUP BY i.project",
            "SELECT project, count(*), sum(coalesce(json_extract(payload, '$.privileged'), 0)) FROM events \
             WHERE kind IN ('deny', 'return') AND json_valid(payload) AND json_extract(payload, '$.capacity') = 'security' \
             AND (?1 IS NULL OR project = ?1) AND seq NOT IN (SELECT json_extract(payload, '$.undoes') FROM events WHERE kind = 'undo' AND json_valid(payload)) GROUP BY project",
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
    period: Period,
}

impl Acc {
    fn add(
        &mut self,
        lean: &Lean,
        p: &Project,
        c: &Counters,
        at: &Moment,
        needed: &mut HashMap<i64, bool>,
        (w, span): (Window, Span),
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
        // Over a period, the open blockers whose spell began in it.
        let in_period = w.is_all() || a.since.is_none_or(|t| span.holds(t));
        if !reasons.is_empty() && in_period {
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
        let today = blockers::today(p, now);
        self.deprovisioning.add(it, p.closed_at.is_some(), today);
        if it.is_required() && c.verified_at_number(it.number) {
            self.completed += 1;
        }
        // The all-history figures need no item's life here (nor a second date).
        let life = (!w.is_all()).then(|| c.life.get(&it.number)).flatten();
        self.period.add(it, life, p, w, span, today);
        if let Some(unready) = needed.get_mut(&it.number) {
            *unready =
                !it.is_ready() || !crate::domain::rules::policy_problems(&it.fields).is_empty();
        }
    }

    fn finish(
        self,
        p: &Project,
        c: &Counters,
        tasks: &[crate::domain::Task],
        unready: &HashMap<i64, bool>,
        now: DateTime<Utc>,
        (at_start, at_target, w): (Option<Readiness>, f64, Window),
    ) -> (Measures, Vec<f64>) {
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
            ready_before_start: at_start.map(|r| round4(r.ratio)),
            ready_at_start: at_start.map(|r| r.ready),
            required_at_start: at_start.map(|r| r.required),
            pilot_target_met: at_start.map(|r| r.ratio >= at_target),
            projects_started: usize::from(at_start.is_some()),
            projects_meeting_target: usize::from(at_start.is_some_and(|r| r.ratio >= at_target)),
            ..self.m
        };
        m.completion_terms = (self.completed, m.required);
        m.access_completion_rate = window::ratio(self.completed, m.required);
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
        }
        (m.implementation_delay_days, m.delayed_tasks) = window::delay(p, c, tasks, w, today);
        self.period.finish(&mut m, w);
        let mut sorted = ages.clone();
        m.blocker_age_hours_median = round2(median(&mut sorted));
        m.blocker_age_hours_max = round2(sorted.last().copied().unwrap_or(0.0));
        m.blocker_age_hours_p90 = round2(p90(&sorted));
        (m, ages)
    }
}
