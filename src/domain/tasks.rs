//! Implementation tasks as a coordinator manages them: what holds a task up and why,
//! its status, the checks of an edit, a recorded start and a recorded end, how many
//! days a task was delayed by its access, and how much work each blocking item holds
//! up (the order of the blockers pane).
//!
//! A task is blocked while any item it needs is not verified or breaks a rule. Its
//! delay counts the days from its planned start to the day its last needed item was
//! verified, or to its actual start if that came first, or to today if neither.

use super::model::{Item, State, Task};
use super::refusal::{Field, Refusal, Rule};
use super::rules;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::cmp::Ordering;
use std::fmt;

/// Why a needed item holds a task up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hold {
    /// The task names an item that is not there.
    Missing,
    /// The item was denied.
    Denied,
    /// The item was cancelled: the task needs an item that will not come.
    Cancelled,
    /// The access was revoked.
    Revoked,
    /// The item breaks a rule (an unsafe method, an incomplete exception...).
    BreaksRule,
    /// The item is on its way but not verified yet.
    NotVerified,
}

impl Hold {
    /// Short stable name, for JSON and the screen.
    pub fn code(self) -> &'static str {
        match self {
            Hold::Missing => "missing",
            Hold::Denied => "denied",
            Hold::Cancelled => "cancelled",
            Hold::Revoked => "revoked",
            Hold::BreaksRule => "breaks-rule",
            Hold::NotVerified => "not-verified",
        }
    }
}

/// A needed item that holds a task up, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiting {
    /// The item's id (`ACME-3`).
    pub item: String,
    #[serde(rename = "reason")]
    pub hold: Hold,
    /// The item's state, when the item is there.
    pub state: Option<State>,
}

impl fmt::Display for Waiting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.hold, self.state) {
            (Hold::NotVerified, Some(s)) => write!(f, "{} {s}, not verified", self.item),
            (Hold::BreaksRule, _) => write!(f, "{} breaks a rule", self.item),
            (h, _) => write!(f, "{} {}", self.item, h.code()),
        }
    }
}

/// Why `item` holds a task up, or `None` when it is verified and breaks no rule.
pub fn hold(item: Option<&Item>) -> Option<Hold> {
    let Some(it) = item else {
        return Some(Hold::Missing);
    };
    match it.state {
        State::Denied => Some(Hold::Denied),
        State::Cancelled => Some(Hold::Cancelled),
        State::Revoked => Some(Hold::Revoked),
        _ if rules::breaks_policy(&it.fields) => Some(Hold::BreaksRule),
        _ if !it.is_ready() => Some(Hold::NotVerified),
        _ => None,
    }
}

/// The items of `needs` (ids) that hold a task up, each with why. `item` finds an
/// item by id.
pub fn waiting_for<'a>(needs: &[String], item: impl Fn(&str) -> Option<&'a Item>) -> Vec<Waiting> {
    waiting_for_known(needs, |id| item(id).map(|it| (hold(Some(it)), it.state)))
}

/// [`waiting_for`] with what is known of each needed item found by id: its [`hold`]
/// and its state (`None`: no such item).
pub fn waiting_for_known(
    needs: &[String],
    known: impl Fn(&str) -> Option<(Option<Hold>, State)>,
) -> Vec<Waiting> {
    needs
        .iter()
        .filter_map(|id| {
            let found = known(id);
            let why = match found {
                Some((h, _)) => h,
                None => hold(None),
            };
            why.map(|hold| Waiting {
                item: id.clone(),
                hold,
                state: found.map(|(_, s)| s),
            })
        })
        .collect()
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Some needed item is not verified or breaks a rule.
    Blocked,
    /// Everything it needs is verified; it has not started.
    Ready,
    /// Work started (whatever its access: the start is recorded as it happened).
    Started,
    /// Work is done; nothing holds it up any more.
    Done,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Blocked => "blocked",
            Status::Ready => "ready",
            Status::Started => "started",
            Status::Done => "done",
        }
    }
}

/// A task's status, given the items that hold it up.
pub fn status(task: &Task, waiting: &[Waiting]) -> Status {
    if task.done_on.is_some() {
        Status::Done
    } else if !waiting.is_empty() {
        Status::Blocked
    } else if task.started_on.is_some() {
        Status::Started
    } else {
        Status::Ready
    }
}

/// Does the task still wait for access (not done, and something holds it up)?
pub fn is_blocked(task: &Task, waiting: &[Waiting]) -> bool {
    task.done_on.is_none() && !waiting.is_empty()
}

/// The day the task is planned to start: its own, else the project's start.
pub fn planned_start(task: &Task, project_start: NaiveDate) -> NaiveDate {
    task.start.unwrap_or(project_start)
}

/// Days a task was delayed by its access: from its planned start to the day its last
/// needed item was verified (`last_needed_verified`, `None` while any is not), or to
/// its actual start if that came first, or to today if neither; never past `today` (a
/// period's last day, when the measure is taken over a period). Never negative: a task
/// whose access came before its planned start was not delayed.
pub fn delay_days(
    planned: NaiveDate,
    last_needed_verified: Option<NaiveDate>,
    actual_start: Option<NaiveDate>,
    today: NaiveDate,
) -> i64 {
    let end = match (last_needed_verified, actual_start) {
        (Some(v), Some(a)) => v.min(a),
        (Some(v), None) => v,
        (None, Some(a)) => a,
        (None, None) => today,
    };
    (end.min(today) - planned).num_days().max(0)
}

/// The day the last of `verified_on` (one per needed item, `None` for an item not
/// verified) was verified; `None` while any is not. A task that needs nothing waited
/// for nothing: its "last verification" is its planned start.
pub fn last_needed_verified(
    verified_on: &[Option<NaiveDate>],
    planned: NaiveDate,
) -> Option<NaiveDate> {
    if verified_on.is_empty() {
        return Some(planned);
    }
    verified_on
        .iter()
        .copied()
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .max()
}

/// What a coordinator changes on a task: items to add to what it needs, items it no
/// longer needs, a new title (not blank), a new planned start. Empty parts change
/// nothing.
#[derive(Debug, Default, Clone)]
pub struct TaskEdit {
    pub add_needs: Vec<String>,
    pub remove_needs: Vec<String>,
    pub title: Option<String>,
    pub start: Option<NaiveDate>,
}

fn progress(problem: String, field: Field, fix: &str) -> Refusal {
    Refusal::new(Rule::TaskProgress, problem).on(field).fix(fix)
}

/// Checks an edit of `task`: it changes something, the title is not blank, the items
/// to remove are needed now and none is both added and removed; a done task keeps its
/// record. Whether the items to add exist in the task's project is checked with
/// [`check_need`].
pub fn check_edit(task: &Task, edit: &TaskEdit) -> Result<(), Refusal> {
    not_done(
        task,
        "a done task keeps its record: add a new task for further work",
    )?;
    if edit.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(Refusal::new(Rule::RequiredFields, "a task needs a title")
            .on(Field::Title)
            .fix("give a title"));
    }
    for id in &edit.remove_needs {
        if edit.add_needs.contains(id) {
            return Err(
                Refusal::new(Rule::ValidValue, format!("{id} is both added and removed"))
                    .on(Field::RemoveNeeds)
                    .fix("name each item once"),
            );
        }
        if !task.needs.contains(id) {
            return Err(Refusal::new(
                Rule::ValidValue,
                format!("{} does not need {id}", task.id()),
            )
            .on(Field::RemoveNeeds)
            .fix(format!("it needs {}", needs_text(&task.needs))));
        }
    }
    let changes = edit
        .title
        .as_deref()
        .is_some_and(|t| t.trim() != task.title)
        || edit.start.is_some_and(|s| Some(s) != task.start)
        || edit.add_needs.iter().any(|id| !task.needs.contains(id))
        || !edit.remove_needs.is_empty();
    if !changes {
        return Err(Refusal::new(
            Rule::ValidValue,
            format!("nothing in {} would change", task.id()),
        )
        .fix("give a new title, a new planned start, or items to add or remove"));
    }
    Ok(())
}

fn needs_text(needs: &[String]) -> String {
    if needs.is_empty() {
        "no items".into()
    } else {
        needs.join(", ")
    }
}

/// A task needs items of its own project.
pub fn check_need(
    task_project: &str,
    id: &str,
    item_project: &str,
    field: Field,
) -> Result<(), Refusal> {
    if item_project == task_project {
        return Ok(());
    }
    Err(Refusal::new(
        Rule::ValidValue,
        format!("{id} belongs to project {item_project}, not {task_project}"),
    )
    .on(field)
    .fix("a task needs items of its own project"))
}

/// A done task is not changed any more.
fn not_done(task: &Task, fix: &str) -> Result<(), Refusal> {
    match task.done_on {
        Some(on) => Err(progress(
            format!("{} was done on {on}", task.id()),
            Field::Id,
            fix,
        )),
        None => Ok(()),
    }
}

/// A day recorded as having happened is not after `today`.
fn not_ahead(what: &str, on: NaiveDate, today: NaiveDate) -> Result<(), Refusal> {
    if on <= today {
        return Ok(());
    }
    Err(progress(
        format!("{what} on {on} has not happened yet (today is {today})"),
        Field::On,
        "record it on the day it happens, or give a past day",
    ))
}

/// Checks recording that work on `task` started on `on` (`today` in the project's
/// calendar).
pub fn check_start(task: &Task, on: NaiveDate, today: NaiveDate) -> Result<(), Refusal> {
    not_done(task, "nothing to start")?;
    if let Some(s) = task.started_on {
        return Err(progress(
            format!("{} started on {s} already", task.id()),
            Field::Id,
            "a task starts once",
        ));
    }
    not_ahead("a start", on, today)
}

/// Checks recording that `task` was done on `on`: it started, not after `on`.
pub fn check_done(task: &Task, on: NaiveDate, today: NaiveDate) -> Result<(), Refusal> {
    not_done(task, "a task is done once")?;
    let Some(started) = task.started_on else {
        return Err(progress(
            format!("{} has not started", task.id()),
            Field::Id,
            "record its start first",
        ));
    };
    if on < started {
        return Err(progress(
            format!("{} started on {started}, after {on}", task.id()),
            Field::On,
            "give a day on or after its start",
        ));
    }
    not_ahead("an end", on, today)
}

/// What a blocking item holds up: the open tasks that need it, and the days those
/// tasks are past their planned start (0 for a start still ahead).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeldUp {
    pub tasks: usize,
    pub task_days: i64,
}

impl HeldUp {
    /// Counts one more open task planned to start on `planned`.
    pub fn add(&mut self, planned: NaiveDate, today: NaiveDate) {
        self.tasks += 1;
        self.task_days += (today - planned).num_days().max(0);
    }
}

/// How the blockers pane orders its items. The default, the same for everyone, is
/// "tasks held up, then age".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BlockerOrder {
    /// Most tasks held up first, then the oldest blocker.
    #[default]
    TasksHeldUp,
    /// Most task days held up first, then most tasks, then the oldest.
    TaskDays,
    /// The oldest blocker first.
    Age,
}

impl BlockerOrder {
    /// Words for the pane's title.
    pub fn words(self) -> &'static str {
        match self {
            BlockerOrder::TasksHeldUp => "most tasks held up first",
            BlockerOrder::TaskDays => "most task days held up first",
            BlockerOrder::Age => "oldest first",
        }
    }

    /// The order `s` switches to.
    pub fn next(self) -> BlockerOrder {
        match self {
            BlockerOrder::TasksHeldUp => BlockerOrder::TaskDays,
            BlockerOrder::TaskDays => BlockerOrder::Age,
            BlockerOrder::Age => BlockerOrder::TasksHeldUp,
        }
    }

    /// Orders two blocking items by what they hold up and since when they block
    /// (`None`: not known, counted as blocking from now).
    pub fn cmp(
        self,
        a: (HeldUp, Option<DateTime<Utc>>),
        b: (HeldUp, Option<DateTime<Utc>>),
        now: DateTime<Utc>,
    ) -> Ordering {
        self.key(a.0, a.1, now).cmp(&self.key(b.0, b.1, now))
    }

    /// The order of [`BlockerOrder::cmp`] as a key of integers, smallest first: a
    /// sort over many blocking items then compares numbers, not the items.
    pub fn key(self, held: HeldUp, since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> [i64; 4] {
        let at = since.unwrap_or(now);
        let (secs, nanos) = (at.timestamp(), i64::from(at.timestamp_subsec_nanos()));
        let tasks = i64::try_from(held.tasks).map_or(i64::MIN, i64::saturating_neg);
        match self {
            BlockerOrder::TasksHeldUp => [tasks, secs, nanos, 0],
            BlockerOrder::TaskDays => [held.task_days.saturating_neg(), tasks, secs, nanos],
            BlockerOrder::Age => [secs, nanos, 0, 0],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn delay_runs_from_the_planned_start_to_the_earlier_of_verification_and_start() {
        // Verified three days late, started later still: the verification ends it.
        assert_eq!(
            delay_days(d(4, 1), Some(d(4, 4)), Some(d(4, 6)), d(4, 20)),
            3
        );
        // Started two days late before the access came: the start ends it.
        assert_eq!(
            delay_days(d(4, 1), Some(d(4, 9)), Some(d(4, 3)), d(4, 20)),
            2
        );
        // Neither yet: it runs to today.
        assert_eq!(delay_days(d(4, 1), None, None, d(4, 20)), 19);
        // A verification after the period's last day counts only to that day.
        assert_eq!(delay_days(d(4, 1), Some(d(4, 30)), None, d(4, 20)), 19);
        assert_eq!(delay_days(d(4, 1), None, None, d(3, 20)), 0);
        assert_eq!(delay_days(d(4, 1), None, Some(d(4, 5)), d(4, 20)), 4);
        // Access before the planned start, or a start ahead: no delay.
        assert_eq!(delay_days(d(4, 1), Some(d(3, 20)), None, d(4, 20)), 0);
        assert_eq!(delay_days(d(4, 1), None, None, d(3, 25)), 0);
    }

    #[test]
    fn the_last_verification_counts_and_a_missing_one_leaves_it_open() {
        assert_eq!(
            last_needed_verified(&[Some(d(4, 2)), Some(d(4, 5))], d(4, 1)),
            Some(d(4, 5))
        );
        assert_eq!(last_needed_verified(&[Some(d(4, 2)), None], d(4, 1)), None);
        assert_eq!(last_needed_verified(&[], d(4, 1)), Some(d(4, 1)));
    }

    #[test]
    fn blockers_order_by_tasks_then_age_by_default() {
        let now: DateTime<Utc> = "2026-04-10T00:00:00Z".parse().unwrap();
        let old = Some(now - chrono::Duration::days(5));
        let new = Some(now - chrono::Duration::days(1));
        let few = HeldUp {
            tasks: 1,
            task_days: 9,
        };
        let many = HeldUp {
            tasks: 3,
            task_days: 0,
        };
        let o = BlockerOrder::default();
        assert_eq!(o.cmp((many, new), (few, old), now), Ordering::Less);
        assert_eq!(o.cmp((few, old), (few, new), now), Ordering::Less);
        assert_eq!(
            BlockerOrder::TaskDays.cmp((many, new), (few, old), now),
            Ordering::Greater
        );
        assert_eq!(
            BlockerOrder::Age.cmp((many, new), (few, old), now),
            Ordering::Greater
        );
    }

    #[test]
    fn starts_and_ends_are_recorded_once_in_order_and_never_ahead() {
        let mut t = Task {
            rowid: 1,
            project: "ACME".into(),
            number: 1,
            title: "Go live".into(),
            start: None,
            needs: vec!["ACME-1".into()],
            created_at: DateTime::default(),
            started_on: None,
            done_on: None,
        };
        let today = d(4, 10);
        assert_eq!(
            check_done(&t, today, today).unwrap_err().rule,
            Rule::TaskProgress
        );
        assert_eq!(
            check_start(&t, d(4, 11), today).unwrap_err().field,
            Some(Field::On)
        );
        assert!(check_start(&t, d(4, 8), today).is_ok());
        t.started_on = Some(d(4, 8));
        assert!(check_start(&t, d(4, 9), today).is_err());
        assert_eq!(
            check_done(&t, d(4, 7), today).unwrap_err().field,
            Some(Field::On)
        );
        assert!(check_done(&t, d(4, 9), today).is_ok());
        let none = TaskEdit::default();
        assert!(check_edit(&t, &none).is_err());
        let bad = TaskEdit {
            remove_needs: vec!["ACME-2".into()],
            ..none.clone()
        };
        assert_eq!(
            check_edit(&t, &bad).unwrap_err().field,
            Some(Field::RemoveNeeds)
        );
        t.done_on = Some(d(4, 9));
        let title = TaskEdit {
            title: Some("Launch".into()),
            ..none
        };
        assert_eq!(check_edit(&t, &title).unwrap_err().rule, Rule::TaskProgress);
    }
}
