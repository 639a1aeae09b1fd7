//! The report's forecast and stage durations: one block of fields in every measures
//! object (flattened into its JSON), filled by one call once the other measures are
//! known, from the lines the report's pass gathered. The history the forecast draws on
//! is always every item of the file, whatever project the report is about (the
//! fallback to "all history" means all of it); over a period, only the stages that
//! ended in it count, for the durations and for the forecast alike.

use super::Measures;
use super::stages::Lines;
use crate::domain::blockers;
use crate::domain::forecast::{
    self, Durations, History, Outlook as Forecast, Remaining, Spread, Stage,
};
use crate::domain::{Project, State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Median and p90 of each stage over a group of items.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StageSpreads {
    pub added_to_submitted: Spread,
    pub submitted_to_approved: Spread,
    pub approved_to_granted: Spread,
    pub granted_to_verified: Spread,
}

impl StageSpreads {
    fn of(d: Durations) -> StageSpreads {
        let [a, b, c, e] = d.spreads();
        StageSpreads {
            added_to_submitted: a,
            submitted_to_approved: b,
            approved_to_granted: c,
            granted_to_verified: e,
        }
    }

    pub fn get(&self, s: Stage) -> &Spread {
        match s {
            Stage::Submit => &self.added_to_submitted,
            Stage::Approve => &self.submitted_to_approved,
            Stage::Grant => &self.approved_to_granted,
            Stage::Verify => &self.granted_to_verified,
        }
    }
}

/// The forecast and where the time goes, of a project or of all of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outlook {
    /// "ready", "ready by DATE (on time)", "ready by DATE, Nd after start",
    /// "too little history", "no forecast: N denied/blocked", "closed".
    pub forecast: String,
    /// The day every required item is expected to be verified (null without one).
    pub forecast_ready_on: Option<NaiveDate>,
    /// Days that day falls after the planned start (0 on time; null without one).
    pub forecast_misses_start_by_days: Option<i64>,
    pub stage_durations: StageSpreads,
    /// Overall only: per system and per approval owner.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub stage_durations_by_system: BTreeMap<String, StageSpreads>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub stage_durations_by_approver: BTreeMap<String, StageSpreads>,
}

/// The outlook of each project (as `per`, in the order of `projects`) and overall, from
/// every item's line (the history is all of them; a project's figures are its own).
pub(crate) fn fill(
    lines: &Lines,
    now: DateTime<Utc>,
    projects: &[Project],
    per: &mut [Measures],
    overall: &mut Measures,
) {
    let index: HashMap<&str, usize> = projects
        .iter()
        .enumerate()
        .map(|(i, p)| (p.key.as_str(), i))
        .collect();
    let shown: Vec<Option<usize>> = lines
        .projects
        .iter()
        .map(|k| index.get(k.as_str()).copied())
        .collect();
    // Grouped by the numbers of the names, not the names: a hundred thousand lines
    // hash no text.
    let names = lines.names.len();
    let mut each: Vec<Durations> = vec![Durations::default(); projects.len()];
    let mut all = Durations::default();
    let mut by_system: Vec<Durations> = vec![Durations::default(); names];
    let mut by_approver: Vec<Durations> = vec![Durations::default(); names];
    let mut pairs: HashMap<(u32, u32), Durations> = HashMap::new();
    // The history is every line's; when the report shows every project it is the
    // same lines as the overall figures', so those groups serve both.
    let whole = shown.iter().all(Option::is_some);
    let mut history_system: Vec<Durations> = Vec::new();
    let mut history_all = Durations::default();
    if !whole {
        history_system = vec![Durations::default(); names];
    }
    let mut remaining: Vec<Vec<usize>> = vec![Vec::new(); projects.len()];
    // The names the shown lines use as a system and as an approval owner: each gets
    // its group in the overall figures, with samples or without.
    let (mut systems_seen, mut approvers_seen) = (vec![false; names], vec![false; names]);
    for (i, l) in lines.lines.iter().enumerate() {
        let secs = l.seconds();
        if secs.iter().any(Option::is_some) {
            pairs
                .entry((l.system, l.approver))
                .or_default()
                .add_seconds(secs);
            if !whole {
                history_system[l.system as usize].add_seconds(secs);
                history_all.add_seconds(secs);
            }
        }
        let Some(pi) = shown.get(l.project as usize).copied().flatten() else {
            continue;
        };
        each[pi].add_seconds(secs);
        all.add_seconds(secs);
        by_system[l.system as usize].add_seconds(secs);
        by_approver[l.approver as usize].add_seconds(secs);
        systems_seen[l.system as usize] = true;
        approvers_seen[l.approver as usize] = true;
        if !matches!(l.state, State::Verified | State::Cancelled) {
            remaining[pi].push(i);
        }
    }
    let pairs = pairs
        .iter_mut()
        .map(|(&(s, a), d)| ((lines.name(s), lines.name(a)), d));
    let history = if whole {
        let systems = by_system
            .iter_mut()
            .enumerate()
            .map(|(s, d)| (lines.name(s as u32), d));
        History::of_groups(pairs, systems, &mut all)
    } else {
        let systems = history_system
            .iter_mut()
            .enumerate()
            .map(|(s, d)| (lines.name(s as u32), d));
        History::of_groups(pairs, systems, &mut history_all)
    };
    let named = |seen: Vec<bool>, groups: Vec<Durations>| -> BTreeMap<&str, Durations> {
        seen.into_iter()
            .zip(groups)
            .enumerate()
            .filter(|(_, (seen, _))| *seen)
            .map(|(n, (_, d))| (lines.name(n as u32), d))
            .collect()
    };
    let by_system = named(systems_seen, by_system);
    let by_approver = named(approvers_seen, by_approver);
    let mut outlooks = Vec::new();
    for (pi, (p, d)) in projects.iter().zip(each).enumerate() {
        let o = project_outlook(p, now, lines, &remaining[pi], &history);
        let closed = p.closed_at.is_some();
        if let Some(m) = per.get_mut(pi) {
            m.outlook = Outlook {
                forecast: if closed {
                    "closed".to_string()
                } else {
                    o.words()
                },
                forecast_ready_on: o.ready_on(),
                forecast_misses_start_by_days: o.misses_by().filter(|_| !closed),
                stage_durations: StageSpreads::of(d),
                ..Default::default()
            };
        }
        if !closed {
            outlooks.push(o);
        }
    }
    overall.outlook = Outlook {
        stage_durations: StageSpreads::of(all),
        stage_durations_by_system: by_system
            .into_iter()
            .map(|(k, d)| (k.to_string(), StageSpreads::of(d)))
            .collect(),
        stage_durations_by_approver: by_approver
            .into_iter()
            .map(|(k, d)| (k.to_string(), StageSpreads::of(d)))
            .collect(),
        ..overall_forecast(&outlooks)
    };
}

/// A project's forecast from its unready items (`remaining`, indexes into `lines`).
fn project_outlook(
    p: &Project,
    now: DateTime<Utc>,
    lines: &Lines,
    remaining: &[usize],
    history: &History,
) -> Forecast {
    if p.closed_at.is_some() {
        return Forecast::Ready;
    }
    let items = remaining
        .iter()
        .filter_map(|&i| lines.lines.get(i))
        .map(|l| Remaining {
            state: l.state,
            system: lines.name(l.system),
            approver: lines.name(l.approver),
            manually_blocked: l.manually_blocked,
        });
    forecast::forecast(items, history, blockers::today(p, now), p.start)
}

/// Over the open projects: the latest day one is expected ready and the most days one
/// misses its start by, when each of them has a forecast (or is ready).
fn overall_forecast(each: &[Forecast]) -> Outlook {
    let without = each
        .iter()
        .filter(|o| matches!(o, Forecast::Stuck(_) | Forecast::TooLittleHistory))
        .count();
    if without > 0 {
        return Outlook {
            forecast: format!("no forecast for {without} of {} open projects", each.len()),
            ..Default::default()
        };
    }
    let on = each.iter().filter_map(Forecast::ready_on).max();
    let misses = each.iter().filter_map(Forecast::misses_by).max();
    Outlook {
        forecast: match on {
            Some(on) => format!("all ready by {on}"),
            None => "ready".to_string(),
        },
        forecast_ready_on: on,
        forecast_misses_start_by_days: misses.or(Some(0)),
        ..Default::default()
    }
}
