//! Where the time goes and when a project will be ready. An item passes four stages on
//! its way to ready: added → submitted, submitted → approved, approved → granted,
//! granted → verified. Each stage's duration is measured from the first time the item
//! entered the state that opens it to the first time it entered the state that closes
//! it (so a return and a new submission count as time the approval took). The
//! forecast of an unready item is the sum of the median durations of the stages it
//! has still to pass (the one it is in counted whole), taken from the history of the
//! same approval owner and system, else of the system, else of all items, each only
//! with at least [`MIN_SAMPLES`] samples; a project is expected to be ready on today
//! plus the largest remaining time, rounded up to a whole day.
//!
//! Pure: the clock and the history are passed in.

use super::State;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// Fewer samples than this and a median says too little.
pub const MIN_SAMPLES: usize = 5;

/// The four stages, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Submit,
    Approve,
    Grant,
    Verify,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Submit, Stage::Approve, Stage::Grant, Stage::Verify];

    /// The JSON name: the two states it lies between.
    pub fn key(self) -> &'static str {
        match self {
            Stage::Submit => "added_to_submitted",
            Stage::Approve => "submitted_to_approved",
            Stage::Grant => "approved_to_granted",
            Stage::Verify => "granted_to_verified",
        }
    }

    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Submit => "added → submitted",
            Stage::Approve => "submitted → approved",
            Stage::Grant => "approved → granted",
            Stage::Verify => "granted → verified",
        }
    }

    /// A short label for narrow screens.
    pub fn short(self) -> &'static str {
        match self {
            Stage::Submit => "submit",
            Stage::Approve => "approve",
            Stage::Grant => "grant",
            Stage::Verify => "verify",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// The stages an item in `state` has still to pass before it is ready, or `None`
    /// when it cannot get there without a person stepping in (denied). Revoked and
    /// cancelled items have nothing left to pass.
    pub fn remaining(state: State) -> Option<&'static [Stage]> {
        const NEEDED: &[Stage] = &Stage::ALL;
        const REQUESTED: &[Stage] = &[Stage::Approve, Stage::Grant, Stage::Verify];
        const APPROVED: &[Stage] = &[Stage::Grant, Stage::Verify];
        const GRANTED: &[Stage] = &[Stage::Verify];
        Some(match state {
            State::Needed => NEEDED,
            State::Requested => REQUESTED,
            State::Approved => APPROVED,
            State::Granted => GRANTED,
            State::Verified | State::Revoked | State::Cancelled => &[],
            State::Denied => return None,
        })
    }
}

/// When an item first entered each state on its way to ready.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timeline {
    pub added: Option<DateTime<Utc>>,
    pub submitted: Option<DateTime<Utc>>,
    pub approved: Option<DateTime<Utc>>,
    pub granted: Option<DateTime<Utc>>,
    pub verified: Option<DateTime<Utc>>,
}

impl Timeline {
    /// Records that the item entered `to` at `at`; only the first entry (the
    /// earliest) counts, whatever order the entries come in.
    pub fn entered(&mut self, to: State, at: DateTime<Utc>) {
        let slot = match to {
            State::Requested => &mut self.submitted,
            State::Approved => &mut self.approved,
            State::Granted => &mut self.granted,
            State::Verified => &mut self.verified,
            _ => return,
        };
        *slot = Some(slot.map_or(at, |s| s.min(at)));
    }

    /// The hours `stage` took, when the item passed it (never negative).
    pub fn hours(&self, stage: Stage) -> Option<f64> {
        let (from, to) = match stage {
            Stage::Submit => (self.added, self.submitted),
            Stage::Approve => (self.submitted, self.approved),
            Stage::Grant => (self.approved, self.granted),
            Stage::Verify => (self.granted, self.verified),
        };
        let d = to? - from?;
        Some((d.num_seconds().max(0) as f64) / 3600.0)
    }

    /// When `stage` ended (the item entered the state that closes it), if it did.
    pub fn ended(&self, stage: Stage) -> Option<DateTime<Utc>> {
        match stage {
            Stage::Submit => self.submitted,
            Stage::Approve => self.approved,
            Stage::Grant => self.granted,
            Stage::Verify => self.verified,
        }
    }

    /// The seconds each stage took (by [`Stage::index`]), counting only the stages
    /// whose end `counts` (a period takes the samples that ended in it).
    pub fn seconds_ending(&self, counts: impl Fn(DateTime<Utc>) -> bool) -> [Option<i64>; 4] {
        Stage::ALL.map(|s| {
            let end = self.ended(s)?;
            let start = match s {
                Stage::Submit => self.added,
                Stage::Approve => self.submitted,
                Stage::Grant => self.approved,
                Stage::Verify => self.granted,
            }?;
            counts(end).then(|| super::seconds::whole_seconds(end, start).max(0))
        })
    }
}

/// Hours from whole seconds, as [`Timeline::hours`] gives them.
pub fn hours_of(seconds: i64) -> f64 {
    (seconds.max(0) as f64) / 3600.0
}

/// The median of sorted values (the mean of the two middle ones for an even count).
pub fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The 90th percentile of sorted values, by nearest rank: the value at rank
/// ⌈0.9 × n⌉.
pub fn p90(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (n * 9).div_ceil(10).max(1);
    Some(sorted[rank - 1])
}

/// Hours as people read a duration: "40m", "5h", "2d 3h".
pub fn hours_text(h: f64) -> String {
    let minutes = (h * 60.0).round().max(0.0) as i64;
    match minutes {
        m if m < 60 => format!("{m}m"),
        m if m < 24 * 60 => format!("{}h", m / 60),
        m => format!("{}d {}h", m / (24 * 60), m % (24 * 60) / 60),
    }
}

/// Median and p90 of one stage over a group of items (its fields in the order of
/// their names, the order a report writes them in).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Spread {
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
    pub samples: usize,
}

impl Spread {
    /// The spread of stage durations given in seconds (reordered here).
    pub fn of_seconds(values: &mut [u32]) -> Spread {
        Spread::of_ranks(values.len(), median_and_p90(values))
    }

    /// The spread of `samples` durations whose median and 90th percentile, in hours,
    /// are given.
    fn of_ranks(samples: usize, (median, p90): (Option<f64>, Option<f64>)) -> Spread {
        let r2 = |x: f64| (x * 100.0).round() / 100.0;
        Spread {
            samples,
            median_hours: median.map(r2),
            p90_hours: p90.map(r2),
        }
    }
}

/// A group's four stages with each one's values selected once: its spreads (rounded,
/// for the figures) and its medians as the history takes them (unrounded, only with
/// [`MIN_SAMPLES`] samples or more).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    pub spreads: [Spread; 4],
    medians: [Option<f64>; 4],
}

/// [`median`] alone, in hours, of durations in seconds, as [`median_and_p90`] finds
/// it: one selection (and, for an even count, the largest below it) instead of two.
fn median_of(values: &mut [u32]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (below, upper, _) = values.select_nth_unstable(n / 2);
    let upper = *upper;
    let lower = match n % 2 {
        1 => upper,
        _ => below.iter().copied().max().unwrap_or(upper),
    };
    Some(middle_hours(lower, upper))
}

/// The median in hours of the lower and the upper middle durations in seconds (one
/// value when they are the same, as with an odd count).
fn middle_hours(lower: u32, upper: u32) -> f64 {
    let hours = |s: u32| hours_of(i64::from(s));
    if lower == upper {
        hours(upper)
    } else {
        (hours(lower) + hours(upper)) / 2.0
    }
}

/// [`median`] and [`p90`], in hours, of durations in seconds sorted, found by
/// selection instead of a sort (a group holds up to one sample per item of the file);
/// `values` is reordered. Hours grow with seconds, so the ranks are the same.
fn median_and_p90(values: &mut [u32]) -> (Option<f64>, Option<f64>) {
    let hours = |s: u32| hours_of(i64::from(s));
    match ranks(values, u32::cmp) {
        None => (None, None),
        Some((lower, upper, p90)) => (Some(middle_hours(lower, upper)), Some(hours(p90))),
    }
}

/// The values [`median`] and [`p90`] read of `values` sorted by `cmp` — the lower and
/// the upper middle (one value, twice, when there are an odd number) and the value at
/// the 90th percentile's rank — found by selection instead of a sort: `values` is
/// reordered. `None` when empty.
pub fn ranks<T: Copy>(
    values: &mut [T],
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering + Copy,
) -> Option<(T, T, T)> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let at_p90 = (n * 9).div_ceil(10).max(1) - 1;
    let (below, p90, _) = values.select_nth_unstable_by(at_p90, cmp);
    let p90 = *p90;
    // The middle rank is at or below the 90th percentile's for every n.
    let mid = n / 2;
    let upper = if mid < at_p90 {
        *below.select_nth_unstable_by(mid, cmp).1
    } else {
        p90
    };
    if n % 2 == 1 {
        return Some((upper, upper, p90));
    }
    let lower = values[..mid].iter().copied().max_by(cmp).unwrap_or(upper);
    Some((lower, upper, p90))
}

/// A stage without a sample, in [`Durations::kept`].
pub const NO_SAMPLE: u32 = u32::MAX;

/// The durations of the four stages over a group of items, by [`Stage::index`].
#[derive(Debug, Clone, Default, PartialEq)]
/// Each duration is kept in whole seconds, none below zero (as [`hours_of`] counts
/// them) and none above `u32::MAX - 1` (136 years): half the room of hours, and
/// compared as integers.
pub struct Durations(pub [Vec<u32>; 4]);

impl Durations {
    pub fn add(&mut self, t: &Timeline) {
        self.add_seconds(t.seconds_ending(|_| true));
    }

    /// Adds a sample's stage durations in seconds ([`Timeline::seconds_ending`]).
    pub fn add_seconds(&mut self, secs: [Option<i64>; 4]) {
        self.add_kept(Durations::kept(secs));
    }

    /// A sample's stage durations in seconds as they are kept: each clamped to
    /// `0..=u32::MAX - 1`, [`NO_SAMPLE`] for a stage without one.
    pub fn kept(secs: [Option<i64>; 4]) -> [u32; 4] {
        secs.map(|s| s.map_or(NO_SAMPLE, |s| s.clamp(0, i64::from(u32::MAX - 1)) as u32))
    }

    /// Adds a sample's durations as [`Durations::kept`] gives them (a group of many
    /// takes each line's as kept, converted once).
    pub fn add_kept(&mut self, secs: [u32; 4]) {
        for (v, s) in self.0.iter_mut().zip(secs) {
            if s != NO_SAMPLE {
                v.push(s);
            }
        }
    }

    pub fn spreads(mut self) -> [Spread; 4] {
        Stage::ALL.map(|s| Spread::of_seconds(&mut self.0[s.index()]))
    }

    /// The spreads and the history's medians of each stage (see [`Summary`]).
    pub fn summary(mut self) -> Summary {
        let mut medians = [None; 4];
        let spreads = Stage::ALL.map(|s| {
            let v = &mut self.0[s.index()];
            let ranks = median_and_p90(v);
            if v.len() >= MIN_SAMPLES {
                medians[s.index()] = ranks.0;
            }
            Spread::of_ranks(v.len(), ranks)
        });
        Summary { spreads, medians }
    }
}

/// The medians the forecast draws on: per (approval owner, system), per system, and
/// over all history, each per stage, only where there are enough samples.
#[derive(Debug, Default)]
pub struct History {
    /// By approval owner, then system (looked up without building a key).
    pair: Names<Names<[Option<f64>; 4]>>,
    system: Names<[Option<f64>; 4]>,
    all: [Option<f64>; 4],
}

/// A map by name: the report asks it once for each unready item of every project.
type Names<V> = HashMap<String, V, foldhash::fast::RandomState>;

/// One finished or unfinished item of the history: its system, approval owner and
/// timeline.
pub struct Sample<'a> {
    pub system: &'a str,
    pub approver: &'a str,
    pub timeline: &'a Timeline,
}

fn medians(d: &mut Durations) -> [Option<f64>; 4] {
    Stage::ALL.map(|s| {
        let v = &mut d.0[s.index()];
        if v.len() < MIN_SAMPLES {
            return None;
        }
        median_of(v)
    })
}

impl History {
    pub fn of<'a>(samples: impl IntoIterator<Item = Sample<'a>>) -> History {
        History::of_seconds(
            samples
                .into_iter()
                .map(|s| (s.system, s.approver, s.timeline.seconds_ending(|_| true))),
        )
    }

    /// The history of samples given as (system, approval owner, the seconds of each
    /// stage they count for: [`Timeline::seconds_ending`]).
    pub fn of_seconds<'a>(
        samples: impl IntoIterator<Item = (&'a str, &'a str, [Option<i64>; 4])>,
    ) -> History {
        let mut pair: HashMap<(&str, &str), Durations> = HashMap::new();
        let mut system: HashMap<&str, Durations> = HashMap::new();
        let mut all = Durations::default();
        for (s, a, secs) in samples {
            pair.entry((a, s)).or_default().add_seconds(secs);
            system.entry(s).or_default().add_seconds(secs);
            all.add_seconds(secs);
        }
        History::of_groups(
            pair.iter_mut().map(|(&(a, s), d)| ((s, a), d)),
            system.iter_mut().map(|(&s, d)| (s, d)),
            &mut all,
        )
    }

    /// The history of samples already grouped by (system, approval owner), by system
    /// and all together (their durations are sorted here, in place).
    pub fn of_groups<'a>(
        pairs: impl IntoIterator<Item = ((&'a str, &'a str), &'a mut Durations)>,
        systems: impl IntoIterator<Item = (&'a str, &'a mut Durations)>,
        all: &mut Durations,
    ) -> History {
        History::of_pairs(pairs).with_systems(systems, all)
    }

    /// The pairs' part of [`History::of_groups`] (the systems' and everyone's to come,
    /// from [`History::with_systems`]): the two can be worked out apart.
    pub fn of_pairs<'a>(
        pairs: impl IntoIterator<Item = ((&'a str, &'a str), &'a mut Durations)>,
    ) -> History {
        let mut pair: Names<Names<[Option<f64>; 4]>> = Names::default();
        for ((s, a), d) in pairs {
            let m = medians(d);
            if m.iter().any(Option::is_some) {
                pair.entry(a.to_string())
                    .or_default()
                    .insert(s.to_string(), m);
            }
        }
        History {
            pair,
            ..History::default()
        }
    }

    /// This history with the pairs' medians of `pairs` (see [`History::of_pairs`]).
    pub fn with_pairs_of(self, pairs: History) -> History {
        History {
            pair: pairs.pair,
            ..self
        }
    }

    /// This history with the medians per system and over all history taken from
    /// their groups' summaries (see [`Durations::summary`]).
    pub fn with_summaries<'a>(
        self,
        systems: impl IntoIterator<Item = (&'a str, &'a Summary)>,
        all: &Summary,
    ) -> History {
        History {
            system: systems
                .into_iter()
                .map(|(s, d)| (s.to_string(), d.medians))
                .collect(),
            all: all.medians,
            ..self
        }
    }

    /// This history with the medians per system and over all history.
    pub fn with_systems<'a>(
        self,
        systems: impl IntoIterator<Item = (&'a str, &'a mut Durations)>,
        all: &mut Durations,
    ) -> History {
        History {
            system: systems
                .into_iter()
                .map(|(s, d)| (s.to_string(), medians(d)))
                .collect(),
            all: medians(all),
            ..self
        }
    }

    /// The median hours of `stage` for an item of `system` decided by `approver`:
    /// the pair's, else the system's, else everyone's; `None` with too little history.
    pub fn median(&self, stage: Stage, system: &str, approver: &str) -> Option<f64> {
        self.medians(system, approver)(stage)
    }

    /// [`History::median`] of each stage for one (system, approval owner): each map
    /// asked once, whatever the stages asked.
    fn medians(&self, system: &str, approver: &str) -> impl Fn(Stage) -> Option<f64> {
        let pair = self.pair.get(approver).and_then(|m| m.get(system)).copied();
        let of_system = self.system.get(system).copied();
        let all = self.all;
        move |stage| {
            let i = stage.index();
            pair.and_then(|m| m[i])
                .or_else(|| of_system.and_then(|m| m[i]))
                .or(all[i])
        }
    }

    /// The hours an item still needs: the sum of its remaining stages' medians.
    /// `None` when it cannot get there (denied); `Err` with too little history for
    /// one of its stages.
    pub fn remaining(
        &self,
        state: State,
        system: &str,
        approver: &str,
    ) -> Option<Result<f64, TooLittle>> {
        let stages = Stage::remaining(state)?;
        let median = self.medians(system, approver);
        let mut sum = 0.0;
        for &s in stages {
            match median(s) {
                Some(h) => sum += h,
                None => return Some(Err(TooLittle)),
            }
        }
        Some(Ok(sum))
    }
}

/// A stage without enough history to forecast it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLittle;

/// An unready item of a project, as the forecast sees it.
pub struct Remaining<'a> {
    pub state: State,
    pub system: &'a str,
    pub approver: &'a str,
    /// Flagged as blocked by someone (a manual blocker).
    pub manually_blocked: bool,
}

/// What the forecast says about a project.
#[derive(Debug, Clone, PartialEq)]
pub enum Outlook {
    /// Nothing required is left to do.
    Ready,
    /// Expected ready on this date; `misses_by` days after the planned start (0 when
    /// on time).
    ReadyOn { on: NaiveDate, misses_by: i64 },
    /// Some remaining stage has too little history.
    TooLittleHistory,
    /// Items that cannot move without a person stepping in (denied, or blocked by
    /// hand).
    Stuck(usize),
}

impl Outlook {
    /// The words `report`, the dashboard and the header use.
    pub fn words(&self) -> String {
        match self {
            Outlook::Ready => "ready".to_string(),
            Outlook::ReadyOn { on, misses_by: 0 } => format!("ready by {on} (on time)"),
            Outlook::ReadyOn { on, misses_by } => {
                format!("ready by {on}, {misses_by}d after start")
            }
            Outlook::TooLittleHistory => "too little history".to_string(),
            Outlook::Stuck(n) => format!("no forecast: {n} denied/blocked"),
        }
    }

    pub fn ready_on(&self) -> Option<NaiveDate> {
        match self {
            Outlook::ReadyOn { on, .. } => Some(*on),
            _ => None,
        }
    }

    pub fn misses_by(&self) -> Option<i64> {
        match self {
            Outlook::ReadyOn { misses_by, .. } => Some(*misses_by),
            Outlook::Ready => Some(0),
            _ => None,
        }
    }
}

/// The forecast of a project whose unready required items are `items`, `today` in its
/// zone, planned to start on `start`. Denied or manually blocked items come first (no
/// forecast), then too little history.
pub fn forecast<'a>(
    items: impl IntoIterator<Item = Remaining<'a>>,
    history: &History,
    today: NaiveDate,
    start: NaiveDate,
) -> Outlook {
    forecast_of(items.into_iter().map(|it| left(&it, history)), today, start)
}

/// What one unready item tells of its project's forecast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Left {
    /// Denied or manually blocked: no forecast.
    Stuck,
    /// No stage left to pass (verified, revoked or cancelled).
    Nothing,
    /// Too little history for one of its stages.
    Unknown,
    /// The hours its remaining stages take, by their medians.
    Hours(f64),
}

/// What `it` tells of its project's forecast, with `history`: a function of its
/// state, whether it is manually blocked, its system and approval owner alone (a
/// caller may keep it for each of those it met).
pub fn left(it: &Remaining<'_>, history: &History) -> Left {
    if it.manually_blocked || it.state == State::Denied {
        return Left::Stuck;
    }
    if Stage::remaining(it.state).is_some_and(|s| s.is_empty()) {
        return Left::Nothing;
    }
    match history.remaining(it.state, it.system, it.approver) {
        Some(Ok(h)) => Left::Hours(h),
        Some(Err(TooLittle)) => Left::Unknown,
        None => Left::Stuck,
    }
}

/// [`forecast`] of the items' [`left`]: the denied or manually blocked first (no
/// forecast), then too little history.
pub fn forecast_of(
    items: impl IntoIterator<Item = Left>,
    today: NaiveDate,
    start: NaiveDate,
) -> Outlook {
    let mut stuck = 0;
    let mut unknown = false;
    let mut largest: Option<f64> = None;
    for it in items {
        match it {
            Left::Stuck => stuck += 1,
            Left::Nothing => {}
            Left::Unknown => unknown = true,
            Left::Hours(h) => largest = Some(largest.map_or(h, |l: f64| l.max(h))),
        }
    }
    if stuck > 0 {
        return Outlook::Stuck(stuck);
    }
    if unknown {
        return Outlook::TooLittleHistory;
    }
    let Some(hours) = largest else {
        return Outlook::Ready;
    };
    let days = (hours / 24.0).ceil() as i64;
    let on = today + chrono::Duration::days(days);
    Outlook::ReadyOn {
        on,
        misses_by: (on - start).num_days().max(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selected_median_and_p90_are_those_of_the_sorted_values() {
        // A few hundred lists of every length up to 40, with repeats and both zeros.
        let mut x: u64 = 7;
        for n in 0..40usize {
            for _ in 0..8 {
                let mut v: Vec<u32> = (0..n)
                    .map(|_| {
                        x = x
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        match x >> 61 {
                            0 => 0,
                            1 => u32::MAX - 1,
                            _ => ((x >> 33) % 50) as u32 * 900,
                        }
                    })
                    .collect();
                let mut sorted: Vec<f64> = v.iter().map(|&s| hours_of(i64::from(s))).collect();
                sorted.sort_by(f64::total_cmp);
                let want = (median(&sorted), p90(&sorted));
                let alone = median_of(&mut v.clone());
                let got = median_and_p90(&mut v);
                assert_eq!(format!("{got:?}"), format!("{want:?}"), "{sorted:?}");
                // The median found alone is the same value.
                assert_eq!(format!("{alone:?}"), format!("{:?}", want.0), "{sorted:?}");
            }
        }
    }

    proptest::proptest! {
        /// A group's summary holds the spreads its durations give, and the medians the
        /// history takes of them: the same whether each stage is selected once for
        /// both or apart for each.
        #[test]
        fn a_summary_is_the_spreads_and_the_history_medians_of_its_group(
            stages in proptest::array::uniform4(proptest::collection::vec(
                proptest::prop_oneof![0u32..400_000, proptest::strategy::Just(0u32), proptest::strategy::Just(u32::MAX - 1)],
                0..12,
            )),
        ) {
            let d = Durations(stages);
            let summary = d.clone().summary();
            proptest::prop_assert_eq!(summary.spreads, d.clone().spreads());
            proptest::prop_assert_eq!(summary.medians, medians(&mut d.clone()));
            // What the history reads of it, as of the groups themselves.
            let by_summary = History::default().with_summaries([("crm", &summary)], &summary);
            let by_groups = History::default().with_systems([("crm", &mut d.clone())], &mut d.clone());
            for s in Stage::ALL {
                proptest::prop_assert_eq!(by_summary.median(s, "crm", "x"), by_groups.median(s, "crm", "x"));
                proptest::prop_assert_eq!(by_summary.median(s, "erp", "x"), by_groups.median(s, "erp", "x"));
            }
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(hours_text(0.5), "30m");
        assert_eq!(hours_text(5.2), "5h");
        assert_eq!(hours_text(51.0), "2d 3h");
    }

    #[test]
    fn percentiles_by_hand() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(median(&v), Some(5.5));
        assert_eq!(p90(&v), Some(9.0));
        assert_eq!(median(&v[..5]), Some(3.0));
        // ⌈0.9 × 5⌉ = 5: the largest.
        assert_eq!(p90(&v[..5]), Some(5.0));
        assert_eq!(p90(&v[..1]), Some(1.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn a_stage_counts_from_the_first_entry_and_never_below_zero() {
        let mut tl = Timeline {
            added: Some(t("2026-03-01T00:00:00Z")),
            ..Default::default()
        };
        tl.entered(State::Requested, t("2026-03-01T06:00:00Z"));
        tl.entered(State::Requested, t("2026-03-02T06:00:00Z"));
        tl.entered(State::Approved, t("2026-03-03T06:00:00Z"));
        assert_eq!(tl.hours(Stage::Submit), Some(6.0));
        assert_eq!(tl.hours(Stage::Approve), Some(48.0));
        assert_eq!(tl.hours(Stage::Grant), None);
        tl.granted = Some(t("2026-03-03T00:00:00Z"));
        assert_eq!(tl.hours(Stage::Grant), Some(0.0));
    }

    fn passed(hours: [f64; 4]) -> Timeline {
        let start = t("2026-01-01T00:00:00Z");
        let mut at = start;
        let mut tl = Timeline {
            added: Some(start),
            ..Default::default()
        };
        for (s, h) in [
            State::Requested,
            State::Approved,
            State::Granted,
            State::Verified,
        ]
        .into_iter()
        .zip(hours)
        {
            at += chrono::Duration::minutes((h * 60.0) as i64);
            tl.entered(s, at);
        }
        tl
    }

    #[test]
    fn the_median_falls_back_from_the_pair_to_the_system_to_everyone() {
        // Five Stripe items decided by frank (10 h to approve), five Stripe items by
        // others (30 h), five Jira items (50 h).
        let frank = passed([1.0, 10.0, 1.0, 1.0]);
        let other = passed([1.0, 30.0, 1.0, 1.0]);
        let jira = passed([1.0, 50.0, 1.0, 1.0]);
        let mut samples = Vec::new();
        for i in 0..5 {
            samples.push(("Stripe", "frank", &frank));
            samples.push(("Stripe", ["gia", "hal", "ivy", "jo", "kim"][i], &other));
            samples.push(("Jira", "frank", &jira));
        }
        let h = History::of(samples.iter().map(|(s, a, tl)| Sample {
            system: s,
            approver: a,
            timeline: tl,
        }));
        assert_eq!(h.median(Stage::Approve, "Stripe", "frank"), Some(10.0));
        // gia has one sample: the system's ten (five at 10 h, five at 30 h).
        assert_eq!(h.median(Stage::Approve, "Stripe", "gia"), Some(20.0));
        // An unknown system: all fifteen; the middle one is 30 h.
        assert_eq!(h.median(Stage::Approve, "Okta", "zed"), Some(30.0));
        assert_eq!(
            h.remaining(State::Requested, "Stripe", "frank"),
            Some(Ok(12.0))
        );
    }

    #[test]
    fn a_project_forecast_by_hand() {
        let tl = passed([2.0, 20.0, 5.0, 3.0]);
        let h = History::of((0..5).map(|_| Sample {
            system: "S",
            approver: "a",
            timeline: &tl,
        }));
        let item = |state| Remaining {
            state,
            system: "S",
            approver: "a",
            manually_blocked: false,
        };
        // needed: 2 + 20 + 5 + 3 = 30 h → 2 days; granted: 3 h → 1 day.
        let o = forecast(
            [item(State::Needed), item(State::Granted)],
            &h,
            d("2026-03-04"),
            d("2026-03-05"),
        );
        assert_eq!(
            o,
            Outlook::ReadyOn {
                on: d("2026-03-06"),
                misses_by: 1
            }
        );
        assert_eq!(o.words(), "ready by 2026-03-06, 1d after start");
        let blocked = Remaining {
            manually_blocked: true,
            ..item(State::Granted)
        };
        let o = forecast(
            [item(State::Needed), item(State::Denied), blocked],
            &h,
            d("2026-03-04"),
            d("2026-03-05"),
        );
        assert_eq!(o.words(), "no forecast: 2 denied/blocked");
        let thin = History::of((0..4).map(|_| Sample {
            system: "S",
            approver: "a",
            timeline: &tl,
        }));
        let o = forecast(
            [item(State::Granted)],
            &thin,
            d("2026-03-04"),
            d("2026-03-05"),
        );
        assert_eq!(o, Outlook::TooLittleHistory);
        let o = forecast(
            [item(State::Verified), item(State::Revoked)],
            &thin,
            d("2026-03-04"),
            d("2026-03-05"),
        );
        assert_eq!(o, Outlook::Ready);
    }
}
