//! The report's one pass over the items: the rows are read in ranges of row ids, each
//! on its own thread when the file is large (`store::parallel`), into a [`Part`] per
//! range holding each project's accumulator, the needed items met and the stage
//! lines; the parts are merged in the order of their ranges, so the report is the one
//! a single pass in row order makes.

use super::super::error::Error;
use super::super::error::Result;
use super::super::facts::{self, FACTS_SQL};
use super::super::lean::{LEAN_SQL, Lean, with_text};
use super::super::parallel::{Fold, Share, Way};
use super::super::tasks::Planned;
use super::figures::{BUCKETS, bucket_of, by_name, largest, median_and_p90, round2, round4};
use super::stages::Lines;
use super::window::{self, Period, Span};
use super::{Counters, Deprovisioning, Life, Measures, Window};
use crate::domain::blockers::{self, Readiness, Reason};
use crate::domain::seconds;
use crate::domain::{Approval, Person, Project, State};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Row;
use rusqlite::types::ValueRef;
use std::collections::{HashMap, HashSet};

/// The SQL of the pass: with each item's packed facts (`store::facts`) when every row
/// has them, else every column the facts pack (see [`LEAN_SQL`]).
pub(super) fn sql(packed: bool) -> &'static str {
    if packed { FACTS_SQL } else { LEAN_SQL }
}

/// What the report knows of an item some task needs: whether it is unready or unsafe
/// now, and when it was first verified.
#[derive(Clone, Copy)]
pub(super) struct Need {
    pub(super) unready: bool,
    pub(super) verified: Option<DateTime<Utc>>,
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

/// What every item of a report is assessed against: the moment, the settings, and
/// the registered people (to tell whether an approval owner may decide).
pub(super) struct Moment {
    pub(super) now: DateTime<Utc>,
    pub(super) settings: blockers::Settings,
    /// Keyed by login with a fast hash: the rules look someone up for most items.
    pub(super) people: HashMap<String, Person, foldhash::fast::RandomState>,
}

/// What [`Acc::add`] counts of a project's items, taken into its measures by
/// [`Acc::finish`] (the measures themselves are some 800 bytes, and a thread keeps an
/// accumulator for every project: ten thousand at a million items).
#[derive(Default, Clone, Copy)]
struct Counts {
    items: usize,
    open_blockers: usize,
    security_exceptions: usize,
    emergency_grants: usize,
    above_standard_requests: usize,
    above_standard_approved: usize,
    open_retrospectives: usize,
    overdue_retrospectives: usize,
    rotations_pending: usize,
    /// Approvals given as security on the project's items met in the pass, and of
    /// those the ones on privileged items.
    security_reviews: usize,
    privileged_reviews: usize,
}

/// The measures of one project as its items stream past.
#[derive(Default)]
pub(super) struct Acc {
    m: Counts,
    readiness: Readiness,
    /// Readiness at the instant of the planned start (when it is read).
    at_start: Readiness,
    deprovisioning: Deprovisioning,
    ages: Vec<f64>,
    /// The open blockers by age bucket and by reason, counted by place (see
    /// [`Acc::finish`]).
    by_age: [usize; BUCKETS.len()],
    by_reason: [usize; Reason::CODES.len()],
    completed: usize,
    period: Period,
}

impl Acc {
    fn add(
        &mut self,
        (lean, life): (&Lean, Life),
        (p, today): (&Project, NaiveDate),
        at: &Moment,
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
        let (reasons, since) = blockers::blocking(it, p, now, settings, &at.people);
        // Over a period, the open blockers whose spell began in it.
        let in_period = w.is_all() || since.is_none_or(|t| span.holds(t));
        if !reasons.is_empty() && in_period {
            m.open_blockers += 1;
            let h = since
                .map(|s| (seconds::whole_seconds(now, s).max(0) / 60) as f64 / 60.0)
                .unwrap_or(0.0);
            self.ages.push(h);
            self.by_age[bucket_of(h)] += 1;
            for r in &reasons {
                self.by_reason[r.kind()] += 1;
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
        if reasons
            .iter()
            .any(|r| matches!(r, Reason::RotationDue { .. }))
        {
            m.rotations_pending += 1;
        }
        self.deprovisioning.add(it, p.closed_at.is_some(), today);
        if it.is_required() && life.verified.is_some() {
            self.completed += 1;
        }
        self.period.add(it, &life, p, w, span, today);
    }

    /// Adds what `o`, the same project's accumulator over the rows that follow this
    /// one's, counted: every field [`Acc::add`] touches.
    fn merge(&mut self, o: Acc) {
        let (m, n) = (&mut self.m, o.m);
        for (mine, theirs) in self.by_age.iter_mut().zip(o.by_age) {
            *mine += theirs;
        }
        for (mine, theirs) in self.by_reason.iter_mut().zip(o.by_reason) {
            *mine += theirs;
        }
        let counts = [
            (&mut m.items, n.items),
            (&mut m.open_blockers, n.open_blockers),
            (&mut m.security_exceptions, n.security_exceptions),
            (&mut m.emergency_grants, n.emergency_grants),
            (&mut m.above_standard_requests, n.above_standard_requests),
            (&mut m.above_standard_approved, n.above_standard_approved),
            (&mut m.security_reviews, n.security_reviews),
            (&mut m.privileged_reviews, n.privileged_reviews),
        ];
        let retrospectives = [
            (&mut m.open_retrospectives, n.open_retrospectives),
            (&mut m.overdue_retrospectives, n.overdue_retrospectives),
            (&mut m.rotations_pending, n.rotations_pending),
            (&mut self.completed, o.completed),
        ];
        for (mine, theirs) in counts.into_iter().chain(retrospectives) {
            *mine += theirs;
        }
        for (r, s) in [
            (&mut self.readiness, o.readiness),
            (&mut self.at_start, o.at_start),
        ] {
            r.required += s.required;
            r.ready += s.ready;
        }
        self.deprovisioning.due += o.deprovisioning.due;
        self.deprovisioning.done += o.deprovisioning.done;
        self.ages.extend(o.ages);
        self.period.merge(o.period);
    }

    /// The measures of project `p` (index `pi`), whose `tasks` need items by row id:
    /// what the pass `met` of one of its own items tells whether it is unready and
    /// when it was verified; any other row counts as an item that is not there.
    pub(super) fn finish(
        self,
        (p, pi): (&Project, usize),
        c: &Counters,
        tasks: &[Planned],
        met: &Met,
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
            // Approvals given as security met in the pass (of every project), plus
            // what the log counts.
            privileged_reviews: c.privileged_reviews + self.m.privileged_reviews,
            security_reviews: c.security_reviews + self.m.security_reviews,
            unsafe_credential_attempts: c.unsafe_attempts,
            unsafe_attempts_reported: c.unsafe_reported.min(c.unsafe_attempts),
            unsafe_attempts_typed: c.unsafe_attempts - c.unsafe_reported.min(c.unsafe_attempts),
            ready_before_start: at_start.map(|r| round4(r.ratio)),
            ready_at_start: at_start.map(|r| r.ready),
            required_at_start: at_start.map(|r| r.required),
            pilot_target_met: at_start.map(|r| r.ratio >= at_target),
            projects_started: usize::from(at_start.is_some()),
            projects_meeting_target: usize::from(at_start.is_some_and(|r| r.ratio >= at_target)),
            blocker_age_histogram: by_name(&BUCKETS, &self.by_age),
            blockers_by_reason: by_name(&Reason::CODES, &self.by_reason),
            items: self.m.items,
            open_blockers: self.m.open_blockers,
            security_exceptions: self.m.security_exceptions,
            emergency_grants: self.m.emergency_grants,
            above_standard_requests: self.m.above_standard_requests,
            above_standard_approved: self.m.above_standard_approved,
            open_retrospectives: self.m.open_retrospectives,
            overdue_retrospectives: self.m.overdue_retrospectives,
            rotations_pending: self.m.rotations_pending,
            ..Measures::default()
        };
        m.completion_terms = (self.completed, m.required);
        m.access_completion_rate = window::ratio(self.completed, m.required);
        let d = self.deprovisioning;
        (m.deprovisioning_due, m.deprovisioning_done) = (d.due, d.done);
        m.deprovisioning_completion = d.completion();
        let need = |row: &i64| {
            met.get(row)
                .filter(|&&(of, _)| of == pi)
                .map(|&(_, need)| need)
                .unwrap_or_default()
        };
        for t in tasks {
            m.tasks += 1;
            // An item that is not there (or not of this project) counts as unready.
            if t.needs.iter().any(|row| need(row).unready) {
                m.blocked_tasks += 1;
            }
        }
        (m.implementation_delay_days, m.delayed_tasks) =
            window::delay(p, |row| need(row).verified, tasks, w, today);
        self.period.finish(&mut m, w);
        let mut ages = ages;
        let (median, p90) = median_and_p90(&mut ages);
        m.blocker_age_hours_median = round2(median);
        m.blocker_age_hours_max = round2(largest(&ages));
        m.blocker_age_hours_p90 = round2(p90);
        (m, ages)
    }
}

/// What every part of the pass reads and none changes.
pub(super) struct Pass<'a> {
    pub projects: &'a [Project],
    /// Each project's date at the report's moment, in its zone.
    pub today: &'a [NaiveDate],
    pub index: &'a HashMap<&'a str, usize>,
    pub spans: &'a [Span],
    pub start_at: &'a [Option<DateTime<Utc>>],
    pub at: &'a Moment,
    /// The items some task needs, by row id.
    pub needed: &'a HashSet<i64, foldhash::fast::RandomState>,
    /// Approvals given on requested items, by item row id, with their round.
    pub in_force: &'a HashMap<i64, Vec<(i64, Approval)>>,
    pub w: Window,
    /// Whether the parts gather the stage lines (a report of every project).
    pub lines: bool,
    /// Whether each part counts the approvals given as security on its items (a
    /// report of every project over all history; else `Store::counters` does).
    pub security: bool,
    /// Whether the rows are those of [`FACTS_SQL`] (see [`sql`]).
    pub packed: bool,
}

/// The row ids of the items of rows `first..=last` with an approval given as security,
/// once per such approval, ascending: through the index on approvals' items, read for
/// each range of rows a part claims before its rows.
pub(in crate::store) const SECURITY_SQL: &str = "SELECT item_id FROM approvals \
     WHERE item_id BETWEEN ?1 AND ?2 AND capacity = 'security' ORDER BY item_id";

/// What one range of rows adds up to.
pub(super) struct Part {
    acc: Vec<Acc>,
    /// The needed items met: row id, project index, what the report knows.
    seen: Vec<(i64, usize, Need)>,
    /// The needed rows of a project the report does not know (a file edited outside
    /// accessdesk): there, but not met.
    unknown: Vec<i64>,
    lines: Option<Lines>,
    lean: Lean,
    /// The project key of the last row and its index: rows come project after project.
    last: Option<(Vec<u8>, usize)>,
    /// See [`SECURITY_SQL`], in the order the part's rows come (see [`Share::way`]);
    /// `next` is the first not yet met.
    security: Vec<i64>,
    next: usize,
    way: Way,
}

impl Fold for Pass<'_> {
    type Part = Part;
    /// A part read down reverses its lines and each project's ages (see
    /// [`Fold::done`]); every other thing it gathers is counted or looked up by id.
    const BOTH_ENDS: bool = true;

    /// The row id of a row of [`sql`]: where [`FACTS_SQL`] or [`LEAN_SQL`] has it.
    fn row_id(&self, r: &Row<'_>) -> i64 {
        super::super::rows::int(r, if self.packed { 2 } else { 39 })
    }

    /// An empty part, with room for the lines of its range.
    fn part(&self, _: &rusqlite::Connection, share: Share, _: (i64, i64)) -> Result<Part> {
        let room = share.rows;
        Ok(Part {
            acc: self.projects.iter().map(|_| Acc::default()).collect(),
            seen: Vec::new(),
            unknown: Vec::new(),
            lines: self.lines.then(|| {
                let keys = self.projects.iter().map(|p| p.key.clone()).collect();
                Lines::of_projects(keys, room)
            }),
            lean: Lean::new(),
            last: None,
            security: Vec::new(),
            next: 0,
            way: share.way,
        })
    }

    /// The approvals given as security on the items of the rows claimed.
    fn claimed(
        &self,
        part: &mut Part,
        c: &rusqlite::Connection,
        (first, last): (i64, i64),
    ) -> Result<()> {
        if !self.security {
            return Ok(());
        }
        part.security.clear();
        part.next = 0;
        let mut stmt = c.prepare_cached(SECURITY_SQL)?;
        let mut rows = stmt.query([first, last])?;
        while let Some(r) = rows.next()? {
            part.security.push(r.get(0)?);
        }
        if part.way == Way::Down {
            part.security.reverse();
        }
        Ok(())
    }

    fn add(
        &self,
        part: &mut Part,
        _: &rusqlite::Connection,
        r: &Row<'_>,
        id: Option<i64>,
    ) -> Result<()> {
        self.add_row(part, r, id)
    }

    fn done(&self, part: &mut Part, share: Share) {
        if share.way == Way::Down {
            if let Some(lines) = part.lines.as_mut() {
                lines.reverse();
            }
            for acc in &mut part.acc {
                acc.ages.reverse();
            }
        }
    }
}

impl Pass<'_> {
    /// Adds one row of [`sql`] (whose row id is `id` when read already) to `part`.
    fn add_row(&self, part: &mut Part, r: &Row<'_>, id: Option<i64>) -> Result<()> {
        let row = id.unwrap_or_else(|| self.row_id(r));
        let key = match r.get_ref(0) {
            Ok(ValueRef::Text(t)) => Some(t),
            _ => None,
        };
        let Some(pi) = (match (&part.last, key) {
            (Some((last, pi)), Some(k)) if last.as_slice() == k => Some(*pi),
            _ => {
                let pi = with_text(r, 0, |k| k.and_then(|k| self.index.get(k).copied()));
                part.last = key.zip(pi).map(|(k, pi)| (k.to_vec(), pi));
                pi
            }
        }) else {
            if self.needed.contains(&row) {
                part.unknown.push(row);
            }
            return Ok(());
        };
        let lean = &mut part.lean;
        if !self.packed {
            lean.read(r);
        } else if facts::read(r, lean, row).is_none() {
            return Err(Error::Invalid(format!(
                "the packed facts of row {row} of the items do not read: the file was changed outside accessdesk or is damaged"
            )));
        }
        let p = &self.projects[pi];
        lean.item.approvals.clear();
        if lean.item.state == State::Requested
            && let Some(given) = self.in_force.get(&lean.id)
        {
            let round = lean.round;
            let of_round = given.iter().filter(|(r, _)| *r == round);
            lean.item.approvals.extend(of_round.map(|(_, a)| a.clone()));
        }
        let span = self.spans[pi];
        let w = self.w;
        if let Some(lines) = part.lines.as_mut() {
            let system = lines.intern(&lean.system);
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
        let life = Life::of(lean);
        let acc = &mut part.acc[pi];
        let on = (p, self.today[pi]);
        acc.add((lean, life), on, self.at, (w, span, self.start_at[pi]));
        // The item's approvals given as security: the ids come in the order of rows.
        let ids = &part.security;
        let before = |id: i64| match part.way {
            Way::Up => id < lean.id,
            Way::Down => id > lean.id,
        };
        while part.next < ids.len() && before(ids[part.next]) {
            part.next += 1;
        }
        let from = part.next;
        while part.next < ids.len() && ids[part.next] == lean.id {
            part.next += 1;
        }
        let given = part.next - from;
        acc.m.security_reviews += given;
        acc.m.privileged_reviews += given * usize::from(lean.item.fields.privileged);
        let it = &lean.item;
        if self.needed.contains(&lean.id) {
            let unready =
                !it.is_ready() || !crate::domain::rules::policy_problems(&it.fields).is_empty();
            let need = Need {
                unready,
                verified: life.verified,
            };
            part.seen.push((lean.id, pi, need));
        }
        Ok(())
    }
}

/// The needed items the pass met, by row id: project index, what it knows.
pub(super) type Met = HashMap<i64, (usize, Need), foldhash::fast::RandomState>;

/// The parts merged in order (the first range's first): each project's accumulator,
/// the stage lines when gathered, the needed items met, and the needed rows there but
/// of no project the report knows.
pub(super) fn merge(parts: Vec<Part>) -> (Vec<Acc>, Option<Lines>, Met, HashSet<i64>) {
    let mut acc: Vec<Acc> = Vec::new();
    let mut lines: Option<Lines> = None;
    let mut met = Met::default();
    let mut unknown = HashSet::new();
    for part in parts {
        unknown.extend(part.unknown);
        met.extend(
            part.seen
                .into_iter()
                .map(|(row, pi, need)| (row, (pi, need))),
        );
        if acc.is_empty() {
            acc = part.acc;
        } else {
            for (a, o) in acc.iter_mut().zip(part.acc) {
                a.merge(o);
            }
        }
        match (lines.as_mut(), part.lines) {
            (Some(l), Some(o)) => l.append(o),
            (None, o) => lines = o,
            (Some(_), None) => {}
        }
    }
    (acc, lines, met, unknown)
}

#[cfg(test)]
mod tests;
