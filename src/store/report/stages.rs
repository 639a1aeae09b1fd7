//! Where the time goes, read from the log: when each item first entered each state on
//! its way to ready (see `domain::forecast`). One pass over the items (what the
//! forecast needs of each) and one over the events that move an item forward; systems
//! and approval owners are kept once each, items as a few numbers.

use super::super::error::Result;
use super::super::lean::parse_at;
use super::figures::number_in;
use crate::domain::State;
use crate::domain::forecast::{Sample, Timeline};
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
    pub timeline: Timeline,
}

/// Every item's line, and the names they refer to by number.
#[derive(Default)]
pub(crate) struct Lines {
    pub lines: Vec<Line>,
    pub projects: Vec<String>,
    pub names: Vec<String>,
}

impl Lines {
    pub fn name(&self, n: u32) -> &str {
        self.names.get(n as usize).map_or("", String::as_str)
    }

    pub fn samples(&self) -> impl Iterator<Item = Sample<'_>> {
        self.lines.iter().map(|l| Sample {
            system: self.name(l.system),
            approver: self.name(l.approver),
            timeline: &l.timeline,
        })
    }
}

/// The states an event moves an item into, spelled as the log spells them.
fn state_named(s: &str) -> Option<State> {
    Some(match s {
        "requested" => State::Requested,
        "approved" => State::Approved,
        "granted" => State::Granted,
        "verified" => State::Verified,
        _ => return None,
    })
}

/// The first four columns of an event row as text: `None` when one is null.
pub(super) fn four_texts(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<[String; 4]>> {
    let get = |i| r.get::<_, Option<String>>(i);
    Ok(match (get(0)?, get(1)?, get(2)?, get(3)?) {
        (Some(a), Some(b), Some(c), Some(d)) => Some([a, b, c, d]),
        _ => None,
    })
}

/// The events that move an item forward (the rest never enter a stage's end), read
/// from the partial index `events_forward` alone (its condition and expression
/// repeated word for word). In no particular order: a timeline keeps the earliest.
pub(crate) fn forward_sql() -> String {
    format!(
        "SELECT project, item, at, CASE WHEN json_valid(payload) THEN payload ->> '$.to' END \
         FROM events WHERE ({}) AND (?1 IS NULL OR project = ?1)",
        super::super::schema::FORWARD_KINDS
    )
}

/// Reads every item's line (of one project, or of all with `None`).
pub(crate) fn read(conn: &Connection, project: Option<&str>) -> Result<Lines> {
    let key = project.map(str::to_ascii_uppercase);
    let mut out = Lines::default();
    let mut interned: HashMap<String, u32> = HashMap::new();
    let mut intern = |names: &mut Vec<String>, s: String| -> u32 {
        *interned.entry(s).or_insert_with_key(|s| {
            names.push(s.clone());
            (names.len() - 1) as u32
        })
    };
    let mut projects: HashMap<String, (u32, HashMap<i64, usize>)> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT project, number, system, approver, state, created_at, manual_block IS NOT NULL \
         FROM items WHERE (?1 IS NULL OR project = ?1)",
    )?;
    let mut rows = stmt.query([&key])?;
    while let Some(r) = rows.next()? {
        let p: String = r.get(0)?;
        let number: i64 = r.get(1)?;
        let state: String = r.get(4)?;
        let Ok(state) = state.parse::<State>() else {
            continue;
        };
        let system = intern(&mut out.names, r.get(2)?);
        let approver = intern(&mut out.names, r.get(3)?);
        let added = r.get::<_, String>(5).ok().as_deref().and_then(parse_at);
        let next = out.projects.len() as u32;
        let (pn, numbers) = projects.entry(p.clone()).or_insert_with(|| {
            out.projects.push(p);
            (next, HashMap::new())
        });
        numbers.insert(number, out.lines.len());
        out.lines.push(Line {
            project: *pn,
            system,
            approver,
            state,
            manually_blocked: r.get(6)?,
            timeline: Timeline {
                added,
                ..Default::default()
            },
        });
    }
    let mut stmt = conn.prepare_cached(&forward_sql())?;
    let mut rows = stmt.query([&key])?;
    while let Some(r) = rows.next()? {
        let Some([p, item, at, to]) = four_texts(r)? else {
            continue;
        };
        let (Some(to), Some(at)) = (state_named(&to), parse_at(&at)) else {
            continue;
        };
        let Some(ix) = projects
            .get(&p)
            .and_then(|(_, numbers)| numbers.get(&number_in(&p, &item)?))
        else {
            continue;
        };
        out.lines[*ix].timeline.entered(to, at);
    }
    Ok(out)
}

/// The timeline of one item (`KEY-N`), for its detail.
pub(crate) fn timeline_of(
    conn: &Connection,
    key: &str,
    number: i64,
    added: DateTime<Utc>,
) -> Result<Timeline> {
    let mut t = Timeline {
        added: Some(added),
        ..Default::default()
    };
    let mut stmt = conn.prepare_cached(
        "SELECT at, CASE WHEN json_valid(payload) THEN payload ->> '$.to' END FROM events \
         WHERE item = ?1 ORDER BY seq",
    )?;
    let mut rows = stmt.query([format!("{key}-{number}")])?;
    while let Some(r) = rows.next()? {
        let (Some(at), Some(to)) = (
            r.get::<_, Option<String>>(0)?,
            r.get::<_, Option<String>>(1)?,
        ) else {
            continue;
        };
        if let (Some(to), Some(at)) = (state_named(&to), parse_at(&at)) {
            t.entered(to, at);
        }
    }
    Ok(t)
}

impl super::super::handle::Store {
    /// When the item first entered each state on its way to ready (its stage
    /// durations, see `domain::forecast`).
    pub fn item_timeline(&self, id: &str) -> Result<Timeline> {
        let it = super::super::records::load_item(&self.conn, id)?;
        timeline_of(&self.conn, &it.project, it.number, it.created_at)
    }
}
