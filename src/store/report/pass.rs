//! The report's one pass over the items: the rows are read in ranges of row ids, each
//! on its own thread when the file is large (`store::parallel`), into a [`Part`] per
//! range holding each project's accumulator, the needed items met and the stage
//! lines; the parts are merged in the order of their ranges, so the report is the one
//! a single pass in row order makes.

use super::super::error::Error;
use super::super::error::Result;
use super::super::facts::pages::{self, PAGES_SQL, PER_PAGE};
use super::super::facts::{self, FACTS_SQL};
use super::super::lean::{LEAN_SQL, Lean};
use super::super::parallel::{CLAIM_IDS, Fold, Share, Way};
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

/// What the pass reads each item from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Source {
    /// Every column the facts pack (see [`LEAN_SQL`]): some row has no facts.
    Columns,
    /// Each item's packed facts (`store::facts`, [`FACTS_SQL`]).
    Facts,
    /// The same facts a page of items at a time (`facts::pages`, [`PAGES_SQL`]): a
    /// report of every project, no page marked stale.
    Pages,
}

impl Source {
    /// The table the pass's row ids are of, and its SQL.
    pub(super) fn read(self) -> (&'static str, &'static str) {
        match self {
            Source::Columns => ("items", LEAN_SQL),
            Source::Facts => ("items", FACTS_SQL),
            Source::Pages => ("fact_pages", PAGES_SQL),
        }
    }
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
    /// What the rows are.
    pub source: Source,
}

/// The row ids of the items of rows `first..=last` with an approval given as security,
/// once per such approval, ascending: through the index on approvals' items, read for
/// each range of rows a part claims before its rows.
pub(in crate::store) const SECURITY_SQL: &str = "SELECT item_id FROM approvals \
     WHERE item_id BETWEEN ?1 AND ?2 AND capacity = 'security' ORDER BY item_id";

/// Most lines a part makes room for before it meets them: its rows are reckoned from
/// the spread of their row ids, which leave gaps where rows were removed.
const ROOM: usize = 1 << 21;

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

    /// The row id of a row of the [`Source`]'s SQL (a page's own, of pages).
    fn row_id(&self, r: &Row<'_>) -> i64 {
        let at = match self.source {
            Source::Columns => 39,
            Source::Facts => 2,
            Source::Pages => 0,
        };
        super::super::rows::int(r, at)
    }

    /// Of pages, as many items as of rows.
    fn claim_ids(&self) -> i64 {
        match self.source {
            Source::Pages => CLAIM_IDS / PER_PAGE as i64,
            _ => CLAIM_IDS,
        }
    }

    /// An empty part, with room for the lines of its range (at most [`ROOM`]).
    fn part(&self, _: &rusqlite::Connection, share: Share, _: (i64, i64)) -> Result<Part> {
        let room = match self.source {
            Source::Pages => share.rows.saturating_mul(PER_PAGE),
            _ => share.rows,
        }
        .min(ROOM);
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
        // The items of the pages claimed.
        let (first, last) = match self.source {
            Source::Pages => pages::ids_of(first, last),
            _ => (first, last),
        };
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
    /// Adds one row of the [`Source`]'s SQL (whose row id is `id` when read already)
    /// to `part`.
    fn add_row(&self, part: &mut Part, r: &Row<'_>, id: Option<i64>) -> Result<()> {
        let row = id.unwrap_or_else(|| self.row_id(r));
        if self.source == Source::Pages {
            return self.add_page(part, r, row);
        }
        let key = match r.get_ref(0) {
            Ok(ValueRef::Text(t)) => Some(t),
            _ => None,
        };
        let Some(pi) = self.project_of(part, key, row) else {
            return Ok(());
        };
        let lean = &mut part.lean;
        if self.source == Source::Columns {
            lean.read(r);
        } else if facts::read(r, lean, row).is_none() {
            return Err(unreadable(row));
        }
        self.add_item(part, pi)
    }

    /// Adds each item of page `page` (a row of [`PAGES_SQL`]) to `part`, in the order
    /// its rows come.
    fn add_page(&self, part: &mut Part, r: &Row<'_>, page: i64) -> Result<()> {
        let damaged = || {
            Error::Invalid(format!(
                "page {page} of the packed facts (fact_pages) does not read: the file was changed outside accessdesk or is damaged"
            ))
        };
        let Ok(ValueRef::Blob(b)) = r.get_ref(1) else {
            return Err(damaged());
        };
        let mut entries = Vec::with_capacity(PER_PAGE);
        pages::entries(page, b, &mut entries).ok_or_else(damaged)?;
        if part.way == Way::Down {
            entries.reverse();
        }
        for e in &entries {
            let Some(pi) = self.project_of(part, Some(e.project), e.id) else {
                continue;
            };
            let lean = &mut part.lean;
            if e.facts.and_then(|f| facts::unpack(f, lean)).is_none() {
                return Err(unreadable(e.id));
            }
            lean.id = e.id;
            lean.round = e.round;
            self.add_item(part, pi)?;
        }
        Ok(())
    }

    /// The place of the project of key `key` among the report's: none for a project
    /// the report does not know (then a row some task needs is kept as unknown).
    fn project_of(&self, part: &mut Part, key: Option<&[u8]>, row: i64) -> Option<usize> {
        let pi = match (&part.last, key) {
            // Rows come project after project.
            (Some((last, pi)), Some(k)) if last.as_slice() == k => Some(*pi),
            _ => {
                let text = key.and_then(|k| std::str::from_utf8(k).ok());
                let pi = text.and_then(|k| self.index.get(k).copied());
                part.last = key.zip(pi).map(|(k, pi)| (k.to_vec(), pi));
                pi
            }
        };
        if pi.is_none() && self.needed.contains(&row) {
            part.unknown.push(row);
        }
        pi
    }

    /// Adds the item `part.lean` holds, of project `pi`, to `part`.
    fn add_item(&self, part: &mut Part, pi: usize) -> Result<()> {
        let lean = &mut part.lean;
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

/// The error of a row whose packed facts do not read.
fn unreadable(row: i64) -> Error {
    Error::Invalid(format!(
        "the packed facts of row {row} of the items do not read: the file was changed outside accessdesk or is damaged"
    ))
}

/// The needed items the pass met, by row id: project index, what it knows.
pub(super) type Met = HashMap<i64, (usize, Need), foldhash::fast::RandomState>;

mod merge;
pub(super) use merge::merge;

#[cfg(test)]
mod tests;
