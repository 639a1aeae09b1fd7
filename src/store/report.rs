//! The measures of section 4, per project and overall: readiness, blockers and their
//! ages, security reviews, unsafe credential attempts, deprovisioning, delay caused by
//! access gaps, exceptions, readiness frozen at the planned start. Counters come from
//! the event log; current state from the items (which the log produced).

use super::error::Result;
use super::handle::Store;
use super::lean::Lean;
pub use super::measures::{Deprovisioning, Window, end_of_access};
use super::parallel::Snapshot;
use crate::domain::Project;
use crate::domain::blockers::{self, Readiness};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Measures of one project or of all of them. Written as one JSON object with the
/// outlook's and the closed spells' fields among its own (see `json`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measures {
    pub key: Option<String>,
    pub name: Option<String>,
    pub start: Option<NaiveDate>,
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
    /// The forecast and stage durations (their fields written among these).
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
    /// is a ratio of totals (not written out).
    pub completion_terms: (usize, usize),
    /// Blocking spells that ended in the period: count, length in hours, histogram
    /// (their fields written among these).
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
mod json;
#[cfg(test)]
pub(crate) use json::populated;
pub(in crate::store) mod pass;
pub mod spells;
pub(crate) mod stages;
mod trend;
pub(in crate::store) mod window;
use combine::combine;
use pass::Moment;
use window::{Span, Spans, day_start};

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

impl Store {
    /// Computes the report at the store's `now`, for one project or all.
    ///
    /// Items are streamed once, reading only what the measures, the blocker rules, the
    /// stage durations and the forecast need (see `store::lean::Lean`); what each item's life
    /// holds is kept on its row as events are written, so no event is read per item,
    /// and nothing is kept per item but a few numbers. A report of every project of a
    /// large file reads the items on several threads (see `store::parallel`).
    pub fn report(&self, project: Option<&str>) -> Result<Report> {
        self.report_in(project, Window::default())
    }

    /// The report over the period `w` (see [`Window`]): counts of what happened in it,
    /// ready-before-start of the projects whose start falls in it; open blockers are
    /// those of now whose spell began in it; stage durations and the forecast from the
    /// stages that ended in it.
    pub fn report_in(&self, project: Option<&str>, w: Window) -> Result<Report> {
        let readers = match project {
            Some(_) => 0,
            None => {
                // The spread of row ids, from the table's key alone: about its rows.
                // Subtracted here: in SQL the ends of the id space overflow to a real.
                let (low, high) = super::parallel::id_bounds(&self.conn, "items")?;
                let spread = match (low, high) {
                    (Some(l), Some(h)) => i128::from(h) - i128::from(l) + 1,
                    _ => 0,
                };
                super::parallel::readers_for(i64::try_from(spread).unwrap_or(i64::MAX))
            }
        };
        self.report_read_by(project, w, readers)
    }

    /// [`Store::report_in`] with the items read by `readers` more connections, each
    /// over its own range of rows (none: this handle's reads them all).
    pub(crate) fn report_read_by(
        &self,
        project: Option<&str>,
        w: Window,
        readers: usize,
    ) -> Result<Report> {
        // Every read below, on every thread, sees one snapshot of the file.
        let mut snapshot = Snapshot::begin(&self.conn, &self.path, self.file, readers)?;
        let now = self.now();
        let settings = self.settings();
        // The approvals of requested items on the other connections, each over its own
        // range of items, while this one reads the projects, the tasks, the people and
        // what the log and the other tables count (at a million items the approvals on
        // one connection took longer than the rest): all before the items are read, so
        // that their readers have the machine's cores to themselves.
        let security = project.is_none() && w.is_all();
        let (
            in_force,
            (projects, spans, tasks, people, frozen, (mut counters, handed, mut reviews)),
        ) = snapshot.beside_split(
            "items",
            |c, ids| super::decisions::requested_approvals(c, project, ids),
            || {
                let projects: Vec<Project> = match project {
                    Some(k) => vec![self.project(k)?],
                    None => self.projects()?,
                };
                let spans: Vec<Span> = projects.iter().map(|p| Span::of(p, w)).collect();
                let tasks = super::tasks::planned(&self.conn, project, &projects)?;
                let frozen = super::lifecycle::frozen_starts(&self.conn)?;
                let people = self.people()?;
                let counted = (
                    self.counters(project, &projects, &spans, (w, security))?,
                    super::decisions::delegations(&self.conn, project)?,
                    self.review_measures(project)?,
                );
                Ok((projects, spans, tasks, people, frozen, counted))
            },
        )?;
        // Item row ids are in one range only: no two maps hold the same.
        let in_force: HashMap<i64, Vec<(i64, crate::domain::Approval)>> =
            in_force.into_iter().flatten().collect();
        let at = Moment {
            now,
            settings,
            people: people.into_iter().map(|p| (p.login.clone(), p)).collect(),
        };
        let index: HashMap<&str, usize> = projects
            .iter()
            .enumerate()
            .map(|(i, p)| (p.key.as_str(), i))
            .collect();
        // The items some task needs, by row id: the pass tells what each is.
        let wanted: HashSet<i64, foldhash::fast::RandomState> = tasks
            .iter()
            .flatten()
            .flat_map(|t| t.needs.iter().copied())
            .collect();
        // The instant each project's readiness before start is read at: its start (kept
        // frozen when moved after it was reached), once come and within the period.
        let today: Vec<NaiveDate> = projects.iter().map(|p| blockers::today(p, now)).collect();
        let start_at: Vec<Option<DateTime<Utc>>> = projects
            .iter()
            .zip(&today)
            .map(|(p, &today)| {
                let start = frozen.get(&p.key).copied().unwrap_or(p.start);
                (today >= start && w.holds(start)).then(|| day_start(p, start))
            })
            .collect();
        // Every row has its facts (`store::facts`) unless one was written outside
        // accessdesk: then every row's columns are read instead. A report of every
        // project reads them a page at a time while no page is marked stale.
        let unpacked: bool = super::indexed::prepare(&self.conn, super::facts::FACTS_MISSING)?
            .query_row([], |r| r.get(0))?;
        let source = if unpacked {
            pass::Source::Columns
        } else if project.is_none() && super::facts::pages::usable(&self.conn)? {
            pass::Source::Pages
        } else {
            pass::Source::Facts
        };
        let pass = pass::Pass {
            projects: &projects,
            today: &today,
            index: &index,
            spans: &spans,
            start_at: &start_at,
            at: &at,
            needed: &wanted,
            in_force: &in_force,
            w,
            // The stage durations and the forecast's history, gathered as the items go
            // by when every item does (a report of one project reads every item's line
            // apart).
            lines: project.is_none(),
            security,
            source,
        };
        let key = [Value::from(project.map(str::to_ascii_uppercase))];
        let (table, sql) = source.read();
        // Pages are of every project: no key to match.
        let args = if source == pass::Source::Pages {
            &[][..]
        } else {
            &key[..]
        };
        let read = (table, sql, args);
        // The rows not counted: room for the lines comes from the spread of their row
        // ids (a count reads a whole index: at 100,000 items some 200 pages, on a
        // fresh connection).
        let (parts, ()) = snapshot.fold_on(read, usize::MAX, &pass, || Ok(()))?;
        let (mut acc, lines, met, unknown) = pass::merge(parts);
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
        // The forecast and each project's stage durations read only the lines: worked
        // out on threads of their own while this one makes the other measures; a
        // failure here waits for them before it returns.
        let (projects, lines) = (&projects, &lines);
        let (mut per, mut overall, (each, all), durations) =
            std::thread::scope(|s| -> Result<_> {
                let forecast = s.spawn(move || forecast::outlooks(lines, now, projects));
                let durations = s.spawn(move || forecast::durations_by_project(lines, projects));
                // Each project's tasks, each need as the row id the file holds: what the pass
                // met of it is looked up by that id (see `pass::Acc::finish`).
                let mut tasks = tasks;
                if project.is_none() {
                    // A row the pass over every item neither met nor saw is not there: no
                    // need, as in the task list (see `load_tasks_needing_rows`). A report
                    // of one project keeps the rows of the others, which count as items
                    // that are not there.
                    for t in tasks.iter_mut().flatten() {
                        t.needs
                            .retain(|r| met.contains_key(r) || unknown.contains(r));
                    }
                }
                let mut all_ages = Vec::new();
                let mut per = Vec::new();
                for (pi, p) in projects.iter().enumerate() {
                    let c = counters.remove(&p.key).unwrap_or_default();
                    let a = acc.get_mut(pi).map(std::mem::take).unwrap_or_default();
                    let (m, ages) = a.finish(
                        (p, pi),
                        &c,
                        &tasks[pi],
                        &met,
                        now,
                        (start_at[pi].is_some(), settings.readiness_target(), w),
                    );
                    all_ages.extend(ages);
                    per.push(m);
                }
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
                for m in per.iter_mut() {
                    let key = m.key.as_deref().unwrap_or_default();
                    m.review_campaigns = reviews.remove(key).unwrap_or_default();
                }
                overall.review_campaigns = reviews.remove("").unwrap_or_default();
                spells::fill(&self.conn, now, projects, w, &mut per, &mut overall)?;
                let outlooks = forecast
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p));
                let durations = durations
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p));
                Ok((per, overall, outlooks, durations))
            })?;
        for ((m, o), d) in per.iter_mut().zip(each).zip(durations) {
            m.outlook = forecast::Outlook {
                stage_durations: d,
                ..o
            };
        }
        overall.outlook = all;
        drop(snapshot);
        Ok(Report {
            generated_at: now,
            window: w,
            overall,
            projects: per,
        })
    }
}
