//! The report's forecast and stage durations: one block of fields in every measures
//! object (flattened into its JSON), filled by one call once the other measures are
//! known, from the lines the report's pass gathered. The history the forecast draws on
//! is always every item of the file, whatever project the report is about (the
//! fallback to "all history" means all of it); over a period, only the stages that
//! ended in it count, for the durations and for the forecast alike.

use super::stages::{Line, Lines};
use crate::domain::blockers;
use crate::domain::forecast::{
    self, Durations, History, Left, NO_SAMPLE, Outlook as Forecast, Remaining, Spread, Stage,
    Summary,
};
use crate::domain::{Project, State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Median and p90 of each stage over a group of items (its fields in the order of
/// their names, the order they are written in: see `report::json`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StageSpreads {
    pub added_to_submitted: Spread,
    pub approved_to_granted: Spread,
    pub granted_to_verified: Spread,
    pub submitted_to_approved: Spread,
}

impl StageSpreads {
    fn of(d: Durations) -> StageSpreads {
        StageSpreads::of_spreads(d.spreads())
    }

    fn of_spreads([a, b, c, e]: [Spread; 4]) -> StageSpreads {
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

/// Where each project of `lines` is in `projects` (`None`: a project not shown).
fn shown(lines: &Lines, projects: &[Project]) -> Vec<Option<usize>> {
    let index: HashMap<&str, usize> = projects
        .iter()
        .enumerate()
        .map(|(i, p)| (p.key.as_str(), i))
        .collect();
    lines
        .projects
        .iter()
        .map(|k| index.get(k.as_str()).copied())
        .collect()
}

/// The stage durations of each project (in the order of `projects`), from its own
/// items' lines: apart from [`outlooks`], so that they may be worked out on another
/// thread. Each project's group is made at its size ([`sized`]), so that ten thousand
/// projects grow no vector sample by sample.
pub(crate) fn durations_by_project(lines: &Lines, projects: &[Project]) -> Vec<StageSpreads> {
    let shown = shown(lines, projects);
    let of = |_: usize, l: &Line| shown.get(l.project as usize).copied().flatten();
    let mut each = sized(lines, projects.len(), of);
    // Each line through the parts' own loops (`for_each`), not one at a time.
    lines.iter().enumerate().for_each(|(i, l)| {
        if let Some(pi) = of(i, l) {
            each[pi].add_kept(l.kept());
        }
    });
    each.into_iter().map(StageSpreads::of).collect()
}

/// Empty groups of the lines, `n` of them, each with room for the samples of each
/// stage that `group` (a line's place and the line: its group's number, or none)
/// gives it: counted over the lines first, so that no group's vectors grow sample by
/// sample (a million lines' samples were copied each time a vector doubled, and up to
/// twice their memory touched).
fn sized(lines: &Lines, n: usize, group: impl Fn(usize, &Line) -> Option<usize>) -> Vec<Durations> {
    let mut counts = vec![[0usize; 4]; n];
    lines.iter().enumerate().for_each(|(i, l)| {
        if let Some(g) = group(i, l) {
            for (c, s) in counts[g].iter_mut().zip(l.kept()) {
                *c += usize::from(s != NO_SAMPLE);
            }
        }
    });
    counts
        .into_iter()
        .map(|c| Durations(c.map(Vec::with_capacity)))
        .collect()
}

/// The outlook of each project (in the order of `projects`; its stage durations are
/// left to [`durations_by_project`]) and overall, from every item's line (the history
/// is all of them; a project's figures are its own). The groups by (system, approval
/// owner) and by approval owner are gathered and worked out on a thread of their own
/// while this one does the others: each goes over every line. It reads no other
/// measure, so it may run beside the rest of the report.
pub(crate) fn outlooks(
    lines: &Lines,
    now: DateTime<Utc>,
    projects: &[Project],
) -> (Vec<Outlook>, Outlook) {
    let shown = shown(lines, projects);
    let shown_of = |l: &Line| shown.get(l.project as usize).copied().flatten();
    // Grouped by the numbers of the names, not the names: a hundred thousand lines
    // hash no text.
    let names = lines.names.len();
    // The history is every line's; when the report shows every project it is the
    // same lines as the overall figures', so those groups serve both.
    let whole = shown.iter().all(Option::is_some);
    let ((pairs, by_approver), (all, by_system, remaining, history)) = std::thread::scope(|s| {
        let owners = s.spawn(|| {
            // Each pair of (system, approval owner) with samples numbered as met, its
            // number kept by line, so that its group is made at its size.
            let mut numbers: HashMap<(u32, u32), usize, foldhash::fast::RandomState> =
                HashMap::default();
            let pair_of: Vec<Option<usize>> = lines
                .iter()
                .map(|l| {
                    let next = numbers.len();
                    l.has_samples()
                        .then(|| *numbers.entry((l.system, l.approver)).or_insert(next))
                })
                .collect();
            let mut keys = vec![(0, 0); numbers.len()];
            for (&key, &n) in &numbers {
                keys[n] = key;
            }
            let mut pairs = sized(lines, keys.len(), |i, _| pair_of[i]);
            // A group for every approval owner the shown lines name, with samples or
            // without.
            let approver_of = |l: &Line| shown_of(l).map(|_| l.approver as usize);
            let mut by_approver = sized(lines, names, |_, l| approver_of(l));
            let mut named = vec![false; names];
            lines.iter().enumerate().for_each(|(i, l)| {
                let secs = l.kept();
                if let Some(p) = pair_of[i] {
                    pairs[p].add_kept(secs);
                }
                if let Some(a) = approver_of(l) {
                    by_approver[a].add_kept(secs);
                    named[a] = true;
                }
            });
            let pairs = History::of_pairs(
                pairs
                    .iter_mut()
                    .zip(&keys)
                    .map(|(d, &(s, a))| ((lines.name(s), lines.name(a)), d)),
            );
            let by_approver = by_approver
                .into_iter()
                .zip(named)
                .map(|(d, named)| named.then(|| d.spreads()));
            (pairs, spreads_by_name(lines, by_approver))
        });
        let system_of = |l: &Line| shown_of(l).map(|_| l.system as usize);
        let mut all = sized(lines, 1, |_, l| system_of(l).map(|_| 0))
            .pop()
            .unwrap_or_default();
        let mut by_system = sized(lines, names, |_, l| system_of(l));
        let mut named = vec![false; names];
        let mut history_system: Vec<Durations> = Vec::new();
        let mut history_all = Durations::default();
        if !whole {
            history_system = vec![Durations::default(); names];
        }
        // Each project's unready lines, made at their number.
        let mut unready = vec![0usize; projects.len()];
        let unready_of = |l: &Line| {
            shown_of(l).filter(|_| !matches!(l.state, State::Verified | State::Cancelled))
        };
        lines
            .iter()
            .filter_map(unready_of)
            .for_each(|pi| unready[pi] += 1);
        let mut remaining: Vec<Vec<&Line>> = unready.into_iter().map(Vec::with_capacity).collect();
        lines.iter().for_each(|l| {
            let secs = l.kept();
            if !whole && l.has_samples() {
                history_system[l.system as usize].add_kept(secs);
                history_all.add_kept(secs);
            }
            let Some(n) = system_of(l) else {
                return;
            };
            all.add_kept(secs);
            by_system[n].add_kept(secs);
            named[n] = true;
            if let Some(pi) = unready_of(l) {
                remaining[pi].push(l);
            }
        });
        let by_system = by_system
            .into_iter()
            .zip(named)
            .map(|(d, named)| named.then_some(d));
        // Each group's values selected once, for its spreads and for the history.
        let by_system: Vec<Option<Summary>> =
            by_system.map(|d| d.map(Durations::summary)).collect();
        let all = all.summary();
        // The systems' medians and everyone's, from the history's groups.
        let history = if whole {
            // A system no line names has no group: the forecast falls back to
            // everyone's for it, as it would from a group without samples.
            let systems = by_system
                .iter()
                .enumerate()
                .filter_map(|(n, d)| Some((lines.name(n as u32), d.as_ref()?)));
            History::default().with_summaries(systems, &all)
        } else {
            let systems = history_system
                .iter_mut()
                .enumerate()
                .map(|(n, d)| (lines.name(n as u32), d));
            History::default().with_systems(systems, &mut history_all)
        };
        let owners = owners
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (owners, (all, by_system, remaining, history))
    });
    let history = history.with_pairs_of(pairs);
    let by_system = spreads_by_name(lines, by_system.into_iter().map(|d| d.map(|s| s.spreads)));
    let mut outlooks = Vec::new();
    let mut per = Vec::with_capacity(projects.len());
    let mut lefts = Lefts::default();
    for (pi, p) in projects.iter().enumerate() {
        let o = project_outlook(p, now, lines, &remaining[pi], (&history, &mut lefts));
        let closed = p.closed_at.is_some();
        per.push(Outlook {
            forecast: if closed {
                "closed".to_string()
            } else {
                o.words()
            },
            forecast_ready_on: o.ready_on(),
            forecast_misses_start_by_days: o.misses_by().filter(|_| !closed),
            ..Default::default()
        });
        if !closed {
            outlooks.push(o);
        }
    }
    let overall = Outlook {
        stage_durations: StageSpreads::of_spreads(all.spreads),
        stage_durations_by_system: by_system,
        stage_durations_by_approver: by_approver,
        ..overall_forecast(&outlooks)
    };
    (per, overall)
}

/// The spreads of the groups of the names some shown line uses (numbered as in
/// `lines`), by name.
fn spreads_by_name(
    lines: &Lines,
    groups: impl IntoIterator<Item = Option<[Spread; 4]>>,
) -> BTreeMap<String, StageSpreads> {
    groups
        .into_iter()
        .enumerate()
        .filter_map(|(n, d)| {
            let spreads = StageSpreads::of_spreads(d?);
            Some((lines.name(n as u32).to_string(), spreads))
        })
        .collect()
}

/// What each (system, approval owner, state, manually blocked) tells of a forecast
/// ([`forecast::left`]), kept as met: half a million unready items at a million items
/// share a few thousand of them, each looked up in the history once.
type Lefts = HashMap<(u32, u32, State, bool), Left, foldhash::fast::RandomState>;

/// A project's forecast from its unready items' lines (`remaining`).
fn project_outlook(
    p: &Project,
    now: DateTime<Utc>,
    lines: &Lines,
    remaining: &[&Line],
    (history, lefts): (&History, &mut Lefts),
) -> Forecast {
    if p.closed_at.is_some() {
        return Forecast::Ready;
    }
    let items = remaining.iter().map(|l| {
        let key = (l.system, l.approver, l.state, l.manually_blocked);
        *lefts.entry(key).or_insert_with(|| {
            let it = Remaining {
                state: l.state,
                system: lines.name(l.system),
                approver: lines.name(l.approver),
                manually_blocked: l.manually_blocked,
            };
            forecast::left(&it, history)
        })
    });
    forecast::forecast_of(items, blockers::today(p, now), p.start)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::forecast::Timeline;
    use proptest::prelude::*;

    proptest! {
        /// Each project's stage durations, its group made at its size, are those of its
        /// own lines grouped apart; a line of a project not shown counts for none.
        #[test]
        fn each_projects_durations_are_those_of_its_own_lines(
            lines in proptest::collection::vec(
                (0u32..5, proptest::array::uniform4(proptest::option::of(0i64..200_000))),
                0..120,
            ),
        ) {
            let at = |s: i64| DateTime::from_timestamp(1_790_000_000 + s, 0);
            let shown: Vec<Project> = ["A", "B", "C"]
                .iter()
                .map(|k| Project {
                    key: k.to_string(),
                    ..crate::domain::fixtures::project("Acme", "2026-12-01", "UTC")
                })
                .collect();
            // Projects numbered 0 to 4 in the lines, of which A, B and C are shown (in
            // another order than the lines number them).
            let keys = ["C", "X", "A", "B", "Y"].map(String::from).to_vec();
            let mut l = Lines::of_projects(keys, lines.len());
            let mut apart = vec![Durations::default(); shown.len()];
            for (project, [a, b, c, d]) in &lines {
                // Each stage starts where the last ended; a stage left out ends the run.
                let mut t = Timeline { added: at(0), ..Default::default() };
                let mut end = 0;
                for (slot, step) in [&mut t.submitted, &mut t.approved, &mut t.granted, &mut t.verified]
                    .into_iter()
                    .zip([a, b, c, d])
                {
                    let Some(step) = step else { break };
                    end += step;
                    *slot = at(end);
                }
                l.push(*project, (0, 0), State::Needed, false, &t, |_| true);
                let of = ["C", "X", "A", "B", "Y"][*project as usize];
                if let Some(pi) = shown.iter().position(|p| p.key == of) {
                    apart[pi].add(&t);
                }
            }
            let want: Vec<StageSpreads> = apart
                .into_iter()
                .map(|d| StageSpreads::of_spreads(d.spreads()))
                .collect();
            prop_assert_eq!(durations_by_project(&l, &shown), want);
        }
    }
}
