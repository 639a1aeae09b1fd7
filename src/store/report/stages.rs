//! Where the time goes: when each item first entered each state on its way to ready
//! (see `domain::forecast`), kept on its row as the events are written (schema 16). The
//! report gathers its lines as its one pass over the items goes by; a report of one
//! project reads the slim lines of every item here (the forecast's history is all of
//! them). Systems and approval owners are kept once each, items as a few numbers.

use super::super::error::Result;
use super::window::Spans;
use crate::domain::State;
use crate::domain::forecast::{Durations, NO_SAMPLE, Timeline};
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::collections::HashMap;

/// One item as the forecast and the stage durations see it.
pub(crate) struct Line {
    pub project: u32,
    pub system: u32,
    pub approver: u32,
    pub state: State,
    pub manually_blocked: bool,
    /// Seconds of each stage the item passed (within the period), `u32::MAX` for none.
    secs: [u32; 4],
}

impl Line {
    /// Its stage durations as [`Durations::kept`] keeps them.
    pub fn kept(&self) -> [u32; 4] {
        self.secs
    }

    /// Whether it has a sample of some stage.
    pub fn has_samples(&self) -> bool {
        self.secs.iter().any(|&s| s != NO_SAMPLE)
    }
}

/// Every item's line, and the names they refer to by number.
#[derive(Default)]
pub(crate) struct Lines {
    /// The lines in parts, one after the other: each range of rows the report's pass
    /// read is kept as its thread made it (see [`Lines::append`]).
    parts: Vec<Vec<Line>>,
    pub projects: Vec<String>,
    pub names: Vec<String>,
    interned: HashMap<String, u32, foldhash::fast::RandomState>,
}

impl Lines {
    /// No lines yet (room for `items`), of the projects `keys` (numbered in that order).
    pub fn of_projects(keys: Vec<String>, items: usize) -> Lines {
        Lines {
            parts: vec![Vec::with_capacity(items)],
            projects: keys,
            ..Default::default()
        }
    }

    /// Every line, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Line> + Clone {
        self.parts.iter().flatten()
    }

    /// The lines in the opposite order (those of a range read down, put in row order).
    pub fn reverse(&mut self) {
        self.parts.reverse();
        self.parts.iter_mut().for_each(|p| p.reverse());
    }

    pub fn name(&self, n: u32) -> &str {
        self.names.get(n as usize).map_or("", String::as_str)
    }

    /// The number of a system's or approval owner's name (copied the first time only).
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&n) = self.interned.get(s) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(s.to_string());
        self.interned.insert(s.to_string(), n);
        n
    }

    /// Appends the lines of `o`, of the same projects, read after these: its names
    /// numbered as if its lines had been pushed here, each line renamed where it
    /// lies, its parts kept as they are (copied into one, a million items' lines took
    /// 20-30 ms, most of it memory touched for the first time).
    pub fn append(&mut self, o: Lines) {
        let names: Vec<u32> = o.names.iter().map(|n| self.intern(n)).collect();
        let same = names.iter().enumerate().all(|(i, &n)| n as usize == i);
        let renamed = |n: u32| names.get(n as usize).copied().unwrap_or(n);
        for mut part in o.parts {
            if !same {
                for l in &mut part {
                    l.system = renamed(l.system);
                    l.approver = renamed(l.approver);
                }
            }
            self.parts.push(part);
        }
    }

    /// Adds an item of project number `project`; its stage samples count when their end
    /// `counts` (see `Timeline::seconds_ending`).
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        project: u32,
        (system, approver): (u32, u32),
        state: State,
        manually_blocked: bool,
        timeline: &Timeline,
        counts: impl Fn(DateTime<Utc>) -> bool,
    ) {
        let secs = Durations::kept(timeline.seconds_ending(counts));
        let line = Line {
            project,
            system,
            approver,
            state,
            manually_blocked,
            secs,
        };
        match self.parts.last_mut() {
            Some(part) => part.push(line),
            None => self.parts.push(vec![line]),
        }
    }
}

/// The columns of an item's timeline in `items` (schema 16), from `created_at` on.
pub(crate) const TIMELINE_COLUMNS: &str =
    "created_at, submitted_at, approved_at, granted_at, verified_at";

/// The timeline stored in five columns from `first` on ([`TIMELINE_COLUMNS`]).
pub(crate) fn timeline_at(r: &rusqlite::Row<'_>, first: usize) -> Timeline {
    let at = |i: usize| super::super::rows::time(r, first + i);
    Timeline {
        added: at(0),
        submitted: at(1),
        approved: at(2),
        granted: at(3),
        verified: at(4),
    }
}

/// Reads every item's line, each sample counted when it ended within its project's
/// span (`spans`: every project's; `None`: all history).
pub(crate) fn read(conn: &Connection, spans: Option<&Spans>) -> Result<Lines> {
    let mut out = Lines::default();
    let mut projects: HashMap<String, u32> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT project, system, approver, state, manual_block IS NOT NULL, {TIMELINE_COLUMNS} FROM items"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let p: String = r.get(0)?;
        let state: String = r.get(3)?;
        let Ok(state) = state.parse::<State>() else {
            continue;
        };
        let system = out.intern(&r.get::<_, String>(1)?);
        let approver = out.intern(&r.get::<_, String>(2)?);
        let span = spans.and_then(|s| s.get(&p).copied());
        let next = out.projects.len() as u32;
        let pn = *projects.entry(p.clone()).or_insert_with(|| {
            out.projects.push(p);
            next
        });
        let timeline = timeline_at(r, 5);
        out.push(pn, (system, approver), state, r.get(4)?, &timeline, |end| {
            spans.is_none() || span.is_some_and(|s| s.holds(end))
        });
    }
    Ok(out)
}

impl super::super::handle::Store {
    /// When the item first entered each state on its way to ready (its stage
    /// durations, see `domain::forecast`).
    /// Read from the item's row, where the store keeps them as it writes the events
    /// (`store::life`), as the report reads them.
    pub fn item_timeline(&self, id: &str) -> Result<Timeline> {
        let it = super::super::records::load_item(&self.conn, id)?;
        Ok(self.conn.query_row(
            &format!("SELECT {TIMELINE_COLUMNS} FROM items WHERE id = ?1"),
            [it.rowid],
            |r| Ok(timeline_at(r, 0)),
        )?)
    }
}
