//! The report over a period (`Window`): which instants a project's days cover, the
//! measures an item adds in that period, the decisions and attempts made in it, and
//! the implementation delay of the tasks planned in it. With no period every figure
//! is the all-history one, as the report gave before it had periods.

use super::super::error::Result;
use super::super::measures::Window;
use super::super::rows::parse_at;
use super::super::schema::SECURITY_DECISIONS;
use super::super::tasks::Planned;
use super::{Life, Measures};
use crate::domain::blockers;
use crate::domain::tasks::delay_days;
use crate::domain::{Item, Project, State};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::Connection;
use std::collections::HashMap;

/// The first instant of day `d` in the project's time zone.
pub(super) fn day_start(p: &Project, d: NaiveDate) -> DateTime<Utc> {
    let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    blockers::project_tz(p)
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// The instants a window covers for one project: `[from, to)`, either end open.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

impl Span {
    pub(super) fn of(p: &Project, w: Window) -> Span {
        Span {
            from: w.since.map(|d| day_start(p, d)),
            to: w.until.and_then(|d| d.succ_opt()).map(|d| day_start(p, d)),
        }
    }

    pub(crate) fn holds(self, at: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| at >= f) && self.to.is_none_or(|t| at < t)
    }

    fn before_end(self, at: DateTime<Utc>) -> bool {
        self.to.is_none_or(|t| at < t)
    }

    fn before_start(self, at: DateTime<Utc>) -> bool {
        self.from.is_some_and(|f| at < f)
    }
}

/// The spans of every project the report covers, by key (a window is read in each
/// project's own calendar).
pub(crate) type Spans = HashMap<String, Span>;

/// What each item adds to the figures of a period, counted as the items stream past.
#[derive(Default)]
pub(super) struct Period {
    /// Required at the period's end and not verified before it began.
    open: usize,
    /// Of those, first verified within the period.
    completed: usize,
    deprovisioning_due: usize,
    deprovisioning_done: usize,
    exceptions_open: usize,
    exceptions_expired: usize,
}

impl Period {
    /// Counts `it` (with its `life`, kept on its row) of project `p`, on `today`.
    pub(super) fn add(
        &mut self,
        it: &Item,
        life: &Life,
        p: &Project,
        w: Window,
        span: Span,
        today: NaiveDate,
    ) {
        let last = w.last_day(today);
        if let Some(e) = it.fields.exception.as_ref().filter(|_| it.is_required()) {
            match e.expires {
                Some(x) if x <= last => {
                    self.exceptions_expired += usize::from(w.since.is_none_or(|s| x >= s));
                }
                _ => self.exceptions_open += usize::from(it.state != State::Revoked),
            }
        }
        if w.is_all() {
            return;
        }
        let l = *life;
        let added = l.added.is_some_and(|a| span.before_end(a));
        let cancelled = l.cancelled.is_some_and(|c| span.before_end(c));
        if added && !cancelled && !l.verified.is_some_and(|v| span.before_start(v)) {
            self.open += 1;
            self.completed += usize::from(l.verified.is_some_and(|v| span.holds(v)));
        }
        let day = |t: DateTime<Utc>| t.with_timezone(&blockers::project_tz(p)).date_naive();
        let ever_granted = matches!(it.state, State::Granted | State::Verified | State::Revoked);
        let expiry = it.fields.expires.filter(|_| it.fields.temporary);
        let end = match (expiry, p.closed_at.map(day)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if end.is_some_and(|e| ever_granted && w.holds(e) && e <= today) {
            self.deprovisioning_due += 1;
            let removed = l.revoked.map(day).is_some_and(|r| r <= last);
            self.deprovisioning_done += usize::from(removed);
        }
    }

    /// Adds what `o` counted over other items of the same project.
    pub(super) fn merge(&mut self, o: Period) {
        let Period {
            open,
            completed,
            deprovisioning_due,
            deprovisioning_done,
            exceptions_open,
            exceptions_expired,
        } = o;
        self.open += open;
        self.completed += completed;
        self.deprovisioning_due += deprovisioning_due;
        self.deprovisioning_done += deprovisioning_done;
        self.exceptions_open += exceptions_open;
        self.exceptions_expired += exceptions_expired;
    }

    /// Writes the period's figures into `m`; with no period the all-history ones stay.
    pub(super) fn finish(self, m: &mut Measures, w: Window) {
        m.security_exceptions_open = self.exceptions_open;
        m.security_exceptions_expired = self.exceptions_expired;
        if w.is_all() {
            return;
        }
        m.completion_terms = (self.completed, self.open);
        m.access_completion_rate = ratio(self.completed, self.open);
        m.deprovisioning_due = self.deprovisioning_due;
        m.deprovisioning_done = self.deprovisioning_done;
        m.deprovisioning_completion = ratio(self.deprovisioning_done, self.deprovisioning_due);
    }
}

/// `n / d`, 1.0 when there is nothing to count.
pub(super) fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 { 1.0 } else { n as f64 / d as f64 }
}

/// Implementation delay of the project's tasks whose planned start falls in the period
/// and has passed: (total days, tasks delayed). A task waited until every item it
/// needs had first been verified (access removed later, when the work was done, did
/// not delay it) or until it actually started; work still waiting counts until the
/// period's last day, or until the project was closed.
pub(super) fn delay(
    p: &Project,
    verified_at: impl Fn(&i64) -> Option<DateTime<Utc>>,
    tasks: &[Planned],
    w: Window,
    today: NaiveDate,
) -> (i64, usize) {
    let tz = blockers::project_tz(p);
    let day = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
    let last = p.closed_at.map_or(today, |at| day(at).min(today));
    let last = w.last_day(last);
    let (mut days, mut delayed) = (0, 0);
    for t in tasks {
        let planned = t.start.unwrap_or(p.start);
        if planned >= today || !w.holds(planned) {
            continue;
        }
        let verified: Option<Vec<NaiveDate>> =
            t.needs.iter().map(|id| verified_at(id).map(day)).collect();
        let last_verified = verified.map(|v| v.into_iter().max().unwrap_or(planned));
        // Verified after the period's end is not yet verified as the period sees it.
        let last_verified = last_verified.filter(|d| *d <= last);
        let d = delay_days(planned, last_verified, t.started_on, last);
        days += d;
        delayed += usize::from(d > 0);
    }
    (days, delayed)
}

/// Security decisions and reported unsafe attempts made within each project's span:
/// (security reviews, privileged reviews, attempts reported from outside) by project.
pub(super) fn decisions_in(
    conn: &Connection,
    key: Option<&str>,
    spans: &Spans,
) -> Result<HashMap<String, (usize, usize, usize)>> {
    let mut out: HashMap<String, (usize, usize, usize)> = HashMap::new();
    for (slot, sql) in [
        (
            0,
            "SELECT i.project, i.privileged, a.at FROM approvals a JOIN items i ON i.id = a.item_id \
             WHERE a.capacity = 'security' AND (?1 IS NULL OR i.project = ?1)"
                .to_string(),
        ),
        (
            0,
            format!("SELECT project, coalesce(json_extract(payload, '$.privileged'), 0), at FROM events \
             INDEXED BY events_security WHERE {SECURITY_DECISIONS} AND (?1 IS NULL OR project = ?1) \
             AND seq NOT IN ({UNDONE})"),
        ),
        (
            2,
            "SELECT project, 0, at FROM events WHERE kind = 'unsafe-attempt' AND project IS NOT NULL \
             AND json_valid(payload) AND json_extract(payload, '$.field') = 'channel' \
             AND (?1 IS NULL OR project = ?1)"
                .to_string(),
        ),
    ] {
        let mut stmt = super::super::indexed::prepare(conn, &sql)?;
        let mut rows = stmt.query([key])?;
        while let Some(r) = rows.next()? {
            let p: Option<String> = r.get(0)?;
            let at: Option<String> = r.get(2)?;
            let (Some(p), Some(at)) = (p, at.as_deref().and_then(parse_at)) else {
                continue;
            };
            if !spans.get(&p).is_some_and(|s| s.holds(at)) {
                continue;
            }
            let e = out.entry(p).or_default();
            if slot == 0 {
                e.0 += 1;
                e.1 += usize::from(r.get::<_, i64>(1).unwrap_or(0) != 0);
            } else {
                e.2 += 1;
            }
        }
    }
    Ok(out)
}

/// The seqs of the events undone, from the index `events_decided`.
pub(in crate::store) const UNDONE: &str = "SELECT json_extract(payload, '$.undoes') FROM events \
     WHERE (kind = 'deny' OR kind = 'return' OR kind = 'undo') AND kind = 'undo' AND json_valid(payload)";
