//! The report's closed blocking spells: how long blockers lasted, from the spells kept
//! when they ended (`blocker_spells`). One block of fields in every measures object
//! (flattened into its JSON), filled by one call once the other measures are known.
//! A spell counts in the period its end falls in, in its project's calendar; with no
//! period, every spell ended by the report's moment counts.

use super::super::error::Result;
use super::super::events::ts;
use super::super::rows::parse_at;
use super::figures::{bucket, largest, median_and_p90, round2};
use super::window::Span;
use super::{Measures, Window};
use crate::domain::Project;
use crate::domain::spells::hours;
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The blocking spells that ended, of a project or of all of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClosedSpells {
    /// Spells that ended (in the period).
    pub closed_spells: usize,
    /// Their length in hours: median, 90th percentile (nearest rank), maximum.
    pub closed_spell_hours_median: f64,
    pub closed_spell_hours_p90: f64,
    pub closed_spell_hours_max: f64,
    /// By length, in the open blockers' buckets (under 1 day, 1-3 days, 3-7 days,
    /// over 7 days); buckets with none are left out.
    pub closed_spell_histogram: BTreeMap<&'static str, usize>,
}

impl ClosedSpells {
    fn of(mut hours: Vec<f64>) -> ClosedSpells {
        let mut histogram = BTreeMap::new();
        for h in &hours {
            *histogram.entry(bucket(*h)).or_default() += 1;
        }
        let (median, p90) = median_and_p90(&mut hours);
        ClosedSpells {
            closed_spells: hours.len(),
            closed_spell_hours_median: round2(median),
            closed_spell_hours_p90: round2(p90),
            closed_spell_hours_max: round2(largest(&hours)),
            closed_spell_histogram: histogram,
        }
    }
}

/// The spells that ended by `?1` (stored time), of one project (`?2`) or of all (`?2`
/// null), each with its project: through the index on their ends and the items' keys.
pub(crate) const SPELLS_SQL: &str = "SELECT i.project, s.since, s.until FROM blocker_spells s \
     JOIN items i ON i.id = s.item_id WHERE s.until <= ?1 AND (?2 IS NULL OR i.project = ?2)";

/// The closed spells of each project (as `per`, in the order of `projects`) and
/// overall, over the period `w`, as of `now`.
pub(crate) fn fill(
    conn: &Connection,
    now: DateTime<Utc>,
    projects: &[Project],
    w: Window,
    per: &mut [Measures],
    overall: &mut Measures,
) -> Result<()> {
    let spans: Vec<Span> = projects.iter().map(|p| Span::of(p, w)).collect();
    let index: HashMap<&str, usize> = projects
        .iter()
        .enumerate()
        .map(|(i, p)| (p.key.as_str(), i))
        .collect();
    let one = match projects {
        [p] => Some(p.key.as_str()),
        _ => None,
    };
    let mut hours_of: Vec<Vec<f64>> = vec![Vec::new(); projects.len()];
    let mut stmt = conn.prepare_cached(SPELLS_SQL)?;
    let mut rows = stmt.query(rusqlite::params![ts(now), one])?;
    while let Some(r) = rows.next()? {
        let Some(pi) = r.get_ref(0)?.as_str().ok().and_then(|k| index.get(k)) else {
            continue;
        };
        let time = |i: usize| r.get_ref(i).ok()?.as_str().ok().and_then(parse_at);
        let (Some(since), Some(until)) = (time(1), time(2)) else {
            continue;
        };
        if spans[*pi].holds(until) {
            hours_of[*pi].push(hours(since, until));
        }
    }
    let mut all = Vec::new();
    for (m, h) in per.iter_mut().zip(hours_of) {
        all.extend_from_slice(&h);
        m.spells = ClosedSpells::of(h);
    }
    overall.spells = ClosedSpells::of(all);
    Ok(())
}
