//! The measures of section 4, per project and overall: readiness, blockers and their
//! ages, security reviews, unsafe credential attempts, deprovisioning, delay caused by
//! access gaps, exceptions, readiness frozen at the planned start. Counters come from
//! the event log; current state from the items (which the log produced).

use super::error::Result;
use super::handle::Store;
use super::lean::{LEAN_SQL, Lean, with_text};
pub use super::measures::{Deprovisioning, Window, end_of_access};
use crate::domain::blockers::{self, Readiness};
use crate::domain::{Person, Project, State};
use chrono::{DateTime, Duration, NaiveDate, Utc};
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
pub(in crate::store) mod counters;
mod figures;
pub mod forecast;
pub mod spells;
pub(crate) mod stages;
mod trend;
pub(in crate::store) mod window;
use combine::combine;
use figures::{bucket, median, number_in, p90, round2, round4};
use window::{Period, Span, Spans, day_start};

/// Counts for one project of what is not kept on its items: security decisions and
/// unsafe credential attempts.
#[derive(Default)]
struct Counters {
    privileged_reviews: usize,
    security_reviews: usize,
    unsafe_attempts: usize,
    /// Unsafe attempts recorded from outside (the rest were typed and refused).
    unsafe_reported: usize,
}

/// When an item was added, first verified, first revoked and first cancelled: kept on
/// its row (schema 16), so readiness at any instant needs no replay of the log.
#[derive(Default, Clone, Copy)]
struct Life {
    added: Option<DateTime<Utc>>,
    verified: Option<DateTime<Utc>>,
    revoked: Option<DateTime<Utc>>,
    cancelled: Option<DateTime<Utc>>,
}

impl Life {
    fn of(lean: &Lean) -> Life {
        Life {
            added: lean.timeline.added,
            verified: lean.timeline.verified,
            revoked: lean.revoked,
            cancelled: lean.cancelled,
        }
    }

    /// Counts the item into readiness at instant `t`. `verified` is left only by
    /// `revoke` and `cancelled` is final, so these four times decide it.
    fn count_at(&self, t: DateTime<Utc>, r: &mut Readiness) {
        let before = |x: Option<DateTime<Utc>>| x.is_some_and(|x| x < t);
        if before(self.added) && !before(self.cancelled) {
            r.required += 1;
            if before(self.verified) && !before(self.revoked) {
                r.ready += 1;
            }
        }
    }
}

/// What the report knows of an item some task needs: whether it is unready or unsafe
/// now, and when it was first verified.
#[derive(Clone, Copy)]
struct Need {
    unready: bool,
    verified: Option<DateTime<Utc>>,
}

impl Default for Need {
    /// An item that is not there counts as unready and never verified.
    fn default() -> Need {
        Need {
            unready: true,
            verified: None,
        }
    }
}

impl Store {
    /// Computes the report at the store's `now`, for one project or all.
    ///
    /// Items are streamed once, reading only what the measures, the blocker rules, the
    /// stage durations and the forecast need (see [`Lean`]); what each item's life
    /// holds is kept on its row as events are written, so no event is read per item,
    /// and nothing is kept per item but a few numbers.
    pub fn report(&self, project: Option<&str>) -> Result<Report> {
        self.report_in(project, Window::default())
    }

    /// The report over the period `w` (see [`Window`]): counts of what happened in it,
    /// ready-before-start of the projects whose start falls in it; open blockers are
    /// those of now whose spell began in it; stage durations and the forecast from the
    /// stages that ended in it.
    pub fn report_in(&self, project: Option<&str>, w: Window) -> Result<Report> {
        let now = self.now();
        let settings = self.settings();
        let projects: Vec<Project> = match project {
            Some(k) => vec![self.project(k)?],
            None => self.projects()?,
        };
        let spans: Vec<Span> = projects.iter().map(|p| Span::of(p, w)).collect();
        let mut counters = self.counters(project, &projects, &spans, w)?;
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
        // Items some task needs, filled in below; the tasks of each project, so that no
        // project reads every task of the others.
        let mut needed: Vec<HashMap<i64, Need>> = vec![HashMap::new(); projects.len()];
        let mut tasks_of: Vec<Vec<crate::domain::Task>> = vec![Vec::new(); projects.len()];
        for t in tasks {
            let Some(&pi) = index.get(t.project.as_str()) else {
                continue;
            };
            for id in &t.needs {
                if let Some(n) = number_in(&t.project, id) {
                    needed[pi].insert(n, Need::default());
                }
            }
            tasks_of[pi].push(t);
        }
        // The instant each project's readiness before start is read at: its start (kept
        // frozen when moved after it was reached), once come and within the period.
        let frozen = super::lifecycle::frozen_starts(&self.conn)?;
        let start_at: Vec<Option<DateTime<Utc>>> = projects
            .iter()
            .map(|p| {
                let start = frozen.get(&p.key).copied().unwrap_or(p.start);
                (blockers::today(p, now) >= start && w.holds(start)).then(|| day_start(p, start))
            })
            .collect();
        // The stage durations and the forecast's history, gathered as the items go by
        // when every item does (a report of one project reads every item's line apart).
        let mut lines = match project {
            // Room for every item at once (growing by doubling copies them over and over).
            None => {
                let rows: i64 = self
                    .conn
                    .query_row("SELECT count(*) FROM items", [], |r| r.get(0))?;
                let keys = projects.iter().map(|p| p.key.clone()).collect();
                Some(stages::Lines::of_projects(keys, rows.max(0) as usize))
            }
            Some(_) => None,
        };
        let mut acc: Vec<Acc> = projects.iter().map(|_| Acc::default()).collect();
        let in_force = super::decisions::requested_approvals(&self.conn, project)?;
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
            let span = spans[pi];
            if let Some(lines) = lines.as_mut() {
                let system = with_text(r, 3, |s| lines.intern(s.unwrap_or_default()));
                let approver = lines.intern(&lean.item.fields.approver);
                lines.push(
                    pi as u32,
                    (system, approver),
                    lean.item.state,
                    lean.item.manual_block.is_some(),
                    &lean.timeline,
                    |end| w.is_all() || span.holds(end),
                );
            }
            let item = (&lean, Life::of(&lean));
            acc[pi].add(item, p, &at, &mut needed[pi], (w, span, start_at[pi]));
        }
        let mut all_ages = Vec::new();
        let mut per = Vec::new();
        for (pi, p) in projects.iter().enumerate() {
            let c = counters.remove(&p.key).unwrap_or_default();
            let a = std::mem::take(&mut acc[pi]);
            let (m, ages) = a.finish(
                p,
                &c,
                &tasks_of[pi],
                &needed[pi],
                now,
                (start_at[pi].is_some(), settings.readiness_target(), w),
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
        let lines = match lines {
            Some(lines) => lines,
            None if w.is_all() => stages::read(&self.conn, None)?,
            None => {
                let every: Spans = self
                    .projects()?
                    .iter()
                    .map(|p| (p.key.clone(), Span::of(p, w)))
                    .collect();
                stages::read(&self.conn, Some(&every))?
            }
        };
        forecast::fill(&lines, now, &projects, &mut per, &mut overall);
        spells::fill(&self.conn, now, &projects, w, &mut per, &mut overall)?;
        Ok(Report {
            generated_at: now,
            window: w,
            overall,
            projects: per,
        })
    }
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
    /// Readiness at the instant of the planned start (when it is read).
    at_start: Readiness,
    deprovisioning: Deprovisioning,
    ages: Vec<f64>,
    completed: usize,
    period: Period,
}

impl Acc {
    fn add(
        &mut self,
        (lean, life): (&Lean, Life),
        p: &Project,
        at: &Moment,
        needed: &mut HashMap<i64, Need>,
        (w, span, start_at): (Window, Span, Option<DateTime<Utc>>),
    ) {
        let (now, settings) = (at.now, at.settings);
        let it = &lean.item;
        let m = &mut self.m;
        m.items += 1;
        self.readiness.add(it.state);
        if let Some(t) = start_at {
            life.count_at(t, &mut self.at_start);
        }
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
        if it.is_required() && life.verified.is_some() {
            self.completed += 1;
        }
        self.period.add(it, &life, p, w, span, today);
        if let Some(need) = needed.get_mut(&it.number) {
            need.unready =
                !it.is_ready() || !crate::domain::rules::policy_problems(&it.fields).is_empty();
            need.verified = life.verified;
        }
    }

    fn finish(
        self,
        p: &Project,
        c: &Counters,
        tasks: &[crate::domain::Task],
        needed: &HashMap<i64, Need>,
        now: DateTime<Utc>,
        (started, at_target, w): (bool, f64, Window),
    ) -> (Measures, Vec<f64>) {
        let readiness = self.readiness.finish();
        let at_start = started.then(|| self.at_start.finish());
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
        let need = |id: &str| {
            number_in(&p.key, id)
                .and_then(|n| needed.get(&n))
                .copied()
                .unwrap_or_default()
        };
        for t in tasks.iter().filter(|t| t.project == p.key) {
            m.tasks += 1;
            // An item that is not there (or not of this project) counts as unready.
            if t.needs.iter().any(|id| need(id).unready) {
                m.blocked_tasks += 1;
            }
        }
        (m.implementation_delay_days, m.delayed_tasks) =
            window::delay(p, |id| need(id).verified, tasks, w, today);
        self.period.finish(&mut m, w);
        let mut sorted = ages.clone();
        m.blocker_age_hours_median = round2(median(&mut sorted));
        m.blocker_age_hours_max = round2(sorted.last().copied().unwrap_or(0.0));
        m.blocker_age_hours_p90 = round2(p90(&sorted));
        (m, ages)
    }
}
