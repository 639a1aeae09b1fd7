//! When an item blocks work, since when, on whom it waits, and the readiness ratio.
//!
//! Blocking is a function of the item, its project and the time: some reasons start
//! with a change (a denial, a manual flag), others with the passing of time (needed-by
//! passed, stale, expired). Between two changes an item can only gain time-based
//! reasons, never lose them, so the start of the current blocking spell is either the
//! start recorded at the last change or the earliest moment a time-based reason began.

use super::model::*;
use super::rules;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

mod codes;

/// The team's settings: the same for everyone who opens the file, so everyone sees the
/// same blockers and figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Days without any change after which a not-ready item is stale.
    pub stale_days: i64,
    /// The readiness a project should reach before its planned start, in percent.
    pub readiness_target_percent: u8,
    /// Days of the pilot window: the default period of the measures and the dashboard.
    pub pilot_window_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            stale_days: 3,
            readiness_target_percent: 90,
            pilot_window_days: 45,
        }
    }
}

impl Settings {
    /// The readiness target as a ratio (0..1).
    pub fn readiness_target(&self) -> f64 {
        f64::from(self.readiness_target_percent) / 100.0
    }
}

/// Why an item blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Reason {
    MissingFields {
        fields: Vec<String>,
    },
    PolicyBreach {
        problem: String,
    },
    Denied,
    Overdue {
        needed_by: NaiveDate,
    },
    Stale {
        days: i64,
    },
    Manual {
        reason: String,
    },
    Expired {
        expires: NaiveDate,
    },
    ProjectClosedStillGranted,
    RetrospectiveOverdue,
    /// The security exception ended while the access is live.
    ExceptionExpired {
        expires: NaiveDate,
    },
    /// The approval owner may not decide on the item (they requested it, own its
    /// credential, will hold it or own its exception): the approval owner must change.
    ApproverConflict {
        approver: String,
        // A one-byte kind rather than its words keeps every reason of every item as
        // small as the largest of the others.
        conflict: super::decide::Conflict,
    },
    /// The credential must be rotated: it was offered over an unsafe channel, or it
    /// is a shared credential of a closed project (revoking is not enough).
    RotationDue {
        cause: super::lifecycle::RotationCause,
    },
    /// An access review decided the access goes; it has not been revoked yet.
    RevocationDue,
    /// The access waits for a decision in an access review whose due date passed.
    ReviewOverdue {
        due: NaiveDate,
    },
    /// A pending decision sits with a deactivated person: it must be handed on.
    Reassign {
        login: String,
    },
    /// Two different security people must approve, and fewer can.
    SecondSecurityNeeded,
    /// Granted longer than the stale period and not verified; its granter may not verify.
    VerifyDue {
        granter: String,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::MissingFields { fields } => write!(f, "missing {}", fields.join(", ")),
            Reason::PolicyBreach { problem } => write!(f, "{problem}"),
            Reason::Denied => write!(f, "denied while still needed"),
            Reason::Overdue { needed_by } => write!(f, "needed by {needed_by}"),
            Reason::Stale { days } => write!(f, "no change for {days}+ days"),
            Reason::Manual { reason } => write!(f, "flagged: {reason}"),
            Reason::Expired { expires } => write!(f, "expired {expires}, not revoked"),
            Reason::ProjectClosedStillGranted => write!(f, "project closed, access still granted"),
            Reason::RetrospectiveOverdue => write!(f, "break-glass retrospective overdue"),
            Reason::ExceptionExpired { expires } => {
                write!(f, "security exception expired {expires}, access still live")
            }
            Reason::ApproverConflict { approver, conflict } => write!(
                f,
                "approval owner {approver} {} this item and may not decide: name another approval owner",
                conflict.describe()
            ),
            Reason::RotationDue { cause } => {
                write!(f, "{}: rotation not recorded", cause.describe())
            }
            Reason::RevocationDue => write!(f, "an access review decided to revoke it"),
            Reason::ReviewOverdue { due } => {
                write!(f, "access review due {due}, not decided")
            }
            Reason::Reassign { login } => write!(
                f,
                "decision waits on {login}, who was deactivated: hand it to someone else"
            ),
            Reason::SecondSecurityNeeded => write!(f, "needs a second security reviewer"),
            Reason::VerifyDue { granter } => write!(
                f,
                "granted, not verified: someone other than {granter} verifies it"
            ),
        }
    }
}

/// The last zone read on this thread, by its name, with the last of its dates and
/// instants worked out: items come project after project, and a report asks each of
/// them for today and for the end of a few dates (each a search of the zone's
/// transitions).
struct Zone {
    name: String,
    tz: Tz,
    /// The moment `today` was last asked for, and that day.
    today: Option<(DateTime<Utc>, NaiveDate)>,
    /// The date `end_of` was last asked for, and when it ends.
    end: Option<(NaiveDate, DateTime<Utc>)>,
}

/// Runs `f` on the project's zone as [`Zone`] keeps it.
fn with_zone<T>(p: &Project, f: impl FnOnce(&mut Zone) -> T) -> T {
    thread_local! {
        static LAST: std::cell::RefCell<Zone> = const {
            std::cell::RefCell::new(Zone {
                name: String::new(),
                tz: Tz::UTC,
                today: None,
                end: None,
            })
        };
    }
    LAST.with_borrow_mut(|z| {
        if z.name != p.tz {
            z.tz = p.tz.parse().unwrap_or(Tz::UTC);
            z.name.clone_from(&p.tz);
            (z.today, z.end) = (None, None);
        }
        f(z)
    })
}

/// The project's time zone, falling back to UTC for an unknown name.
pub fn project_tz(p: &Project) -> Tz {
    with_zone(p, |z| z.tz)
}

/// Today's date in the project's time zone.
pub fn today(p: &Project, now: DateTime<Utc>) -> NaiveDate {
    with_zone(p, |z| match z.today {
        Some((at, day)) if at == now => day,
        _ => {
            let day = now.with_timezone(&z.tz).date_naive();
            z.today = Some((now, day));
            day
        }
    })
}

/// The instant a calendar date in the project's zone ends (the next midnight).
fn end_of(p: &Project, d: NaiveDate) -> DateTime<Utc> {
    with_zone(p, |z| match z.end {
        Some((day, end)) if day == d => end,
        _ => {
            let next = d
                .succ_opt()
                .unwrap_or(d)
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default();
            let end =
                z.tz.from_local_datetime(&next)
                    .earliest()
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or_else(|| Utc.from_utc_datetime(&next));
            z.end = Some((d, end));
            end
        }
    })
}

/// The date by which an item is needed: its own, else the project's start.
pub fn needed_by(item: &Item, p: &Project) -> NaiveDate {
    item.fields.needed_by.unwrap_or(p.start)
}

/// Every reason `item` blocks at `now`; empty when it does not block.
pub fn reasons(item: &Item, p: &Project, now: DateTime<Utc>, s: Settings) -> Vec<Reason> {
    let mut out = Vec::new();
    let state = item.state;
    let today = today(p, now);
    let open = !item.is_ready() && !state.is_terminal();
    if open {
        if state == State::Needed {
            let missing = rules::missing_fields(&item.fields);
            if !missing.is_empty() {
                out.push(Reason::MissingFields {
                    fields: missing.into_iter().map(|f| f.words()).collect(),
                });
            }
        }
        for problem in rules::policy_problems(&item.fields) {
            out.push(Reason::PolicyBreach { problem });
        }
        if state == State::Denied {
            out.push(Reason::Denied);
        }
        let nb = needed_by(item, p);
        if nb < today && p.closed_at.is_none() {
            out.push(Reason::Overdue { needed_by: nb });
        }
        if now - item.updated_at >= Duration::days(s.stale_days) && p.closed_at.is_none() {
            out.push(Reason::Stale { days: s.stale_days });
        }
    }
    if !state.is_terminal()
        && let Some(reason) = &item.manual_block
    {
        out.push(Reason::Manual {
            reason: reason.clone(),
        });
    }
    if state != State::Revoked
        && state != State::Cancelled
        && item.fields.temporary
        && let Some(exp) = item.fields.expires
        && exp < today
    {
        out.push(Reason::Expired { expires: exp });
    }
    if state.access_live() && p.closed_at.is_some() {
        out.push(Reason::ProjectClosedStillGranted);
    }
    if item.retro_due.is_some_and(|d| d < now) {
        out.push(Reason::RetrospectiveOverdue);
    }
    if state.access_live()
        && let Some(exp) = item.fields.exception.as_ref().and_then(|e| e.expires)
        && exp < today
    {
        out.push(Reason::ExceptionExpired { expires: exp });
    }
    if let Some(cause) = super::lifecycle::rotation_due(item, p) {
        out.push(Reason::RotationDue { cause });
    }
    if state.access_live() {
        match item.review {
            Some(super::review::ReviewMark::RevocationDue) => out.push(Reason::RevocationDue),
            Some(super::review::ReviewMark::Pending { due: Some(due) }) if due < today => {
                out.push(Reason::ReviewOverdue { due });
            }
            _ => {}
        }
    }
    out
}

/// Reasons that depend on the people registered: an approval owner who may not
/// decide on the item, while a decision is still to come. The approval owner is
/// looked up among `people` only then (most items have had their decision).
pub fn people_reasons(item: &Item, people: &dyn super::routing::Roster) -> Vec<Reason> {
    if !matches!(item.state, State::Needed | State::Requested) {
        return Vec::new();
    }
    let approver = people.find(item.fields.approver.trim());
    super::decide::approval_owner_conflict(item, approver)
        .map(|c| Reason::ApproverConflict {
            approver: item.fields.approver.clone(),
            conflict: c,
        })
        .into_iter()
        .collect()
}

/// What is known about an item's blocking at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assessment {
    pub reasons: Vec<Reason>,
    /// Start of the current blocking spell; `None` when not blocking.
    pub since: Option<DateTime<Utc>>,
    /// When to look again with no change to the item (see [`next_check`]).
    pub next_check: Option<DateTime<Utc>>,
}

/// Everything that blocks `item` at `now`, since when, and when to look again.
/// `people` are the people registered (its approval owner among them, if registered).
pub fn assess(
    item: &Item,
    p: &Project,
    now: DateTime<Utc>,
    s: Settings,
    people: &dyn super::routing::Roster,
) -> Assessment {
    let (reasons, since) = blocking(item, p, now, s, people);
    let next_check = next_check(item, since, now, s);
    Assessment {
        reasons,
        since,
        next_check,
    }
}

/// [`assess`] without the time to look again: everything that blocks `item` at `now`
/// and since when (a report asks this of every item, and looks at none of them again).
pub fn blocking(
    item: &Item,
    p: &Project,
    now: DateTime<Utc>,
    s: Settings,
    people: &dyn super::routing::Roster,
) -> (Vec<Reason>, Option<DateTime<Utc>>) {
    let mut reasons = reasons(item, p, now, s);
    // The spell of the time-based reasons, from those reasons (asked once).
    let time_spell = spell_of(item, p, now, &reasons);
    let time_based = !reasons.is_empty();
    reasons.extend(people_reasons(item, people));
    reasons.extend(super::routing::reasons(item, people, now, s));
    let since = if reasons.is_empty() {
        None
    } else if time_based {
        time_spell
    } else {
        // Blocking only because of who the approval owner is: since the last change
        // recorded a spell, else since it was seen.
        Some(item.blocked_since.unwrap_or(now).min(now))
    };
    (reasons, since)
}

/// The items of `needs` (ids) that hold a task up: not ready, breaking a rule, or
/// unknown (`domain::tasks` says why). `item` finds an item by id.
pub fn task_waiting_for<'a>(
    needs: &[String],
    item: impl Fn(&str) -> Option<&'a Item>,
) -> Vec<String> {
    super::tasks::waiting_for(needs, item)
        .into_iter()
        .map(|w| w.item)
        .collect()
}

/// Earliest instant at which one of the time-based `reasons` holding at `now` began,
/// as seen from the last change (`item.updated_at`).
fn time_onset(item: &Item, p: &Project, reasons: &[Reason]) -> Option<DateTime<Utc>> {
    reasons
        .iter()
        .filter_map(|r| match r {
            Reason::Overdue { needed_by } => Some(end_of(p, *needed_by)),
            Reason::Stale { days } => Some(item.updated_at + Duration::days(*days)),
            Reason::Expired { expires }
            | Reason::ExceptionExpired { expires }
            | Reason::ReviewOverdue { due: expires } => Some(end_of(p, *expires)),
            Reason::RetrospectiveOverdue => item.retro_due,
            _ => None,
        })
        .map(|t| t.max(item.updated_at))
        .min()
}

/// Start of the current blocking spell, or `None` when not blocking.
pub fn spell_start(
    item: &Item,
    p: &Project,
    now: DateTime<Utc>,
    s: Settings,
) -> Option<DateTime<Utc>> {
    spell_of(item, p, now, &reasons(item, p, now, s))
}

/// [`spell_start`] given the item's time-based `reasons` at `now`.
fn spell_of(
    item: &Item,
    p: &Project,
    now: DateTime<Utc>,
    reasons: &[Reason],
) -> Option<DateTime<Utc>> {
    if reasons.is_empty() {
        return None;
    }
    if let Some(since) = item.blocked_since {
        return Some(since);
    }
    Some(time_onset(item, p, reasons).unwrap_or(now).min(now))
}

/// The next instant from `now` on at which an item's blockers may change with no
/// change to the item, given its `reasons` and spell start `spell` computed at `now`:
/// when it goes stale, when a retrospective falls due, and — for a spell that starts
/// whenever it is looked at — `now` itself. Reasons that follow the calendar (needed-by
/// passed, expired) change only with the date in the project's zone, which the caller
/// watches with [`today`]. Between those moments `reasons` and `spell_start` keep their
/// values, so a screen recomputes only the items whose moment came.
pub fn next_check(
    item: &Item,
    spell: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    s: Settings,
) -> Option<DateTime<Utc>> {
    if spell == Some(now) {
        return Some(now);
    }
    [
        Some(item.updated_at + Duration::days(s.stale_days)),
        item.retro_due,
    ]
    .into_iter()
    .flatten()
    .filter(|t| *t >= now)
    .min()
}

/// What to record as `blocked_since` after a change made at `now`: the spell goes
/// on if the item blocked just before and still blocks; it starts now if it only
/// blocks after the change.
pub fn spell_after_change(
    before: Option<&Item>,
    after: &Item,
    p: &Project,
    now: DateTime<Utc>,
    s: Settings,
) -> Option<DateTime<Utc>> {
    if reasons(after, p, now, s).is_empty() {
        return None;
    }
    before.and_then(|b| spell_start(b, p, now, s)).or(Some(now))
}

/// Blocker age: now minus the start of the spell, never negative.
pub fn age(item: &Item, p: &Project, now: DateTime<Utc>, s: Settings) -> Option<Duration> {
    spell_start(item, p, now, s).map(|t| (now - t).max(Duration::zero()))
}

/// Who the item waits on, in words for the blockers pane.
pub fn waiting_on(item: &Item) -> String {
    let mut out = String::new();
    waiting_on_into(item, &mut out);
    out
}

/// [`waiting_on`] written into `out` (cleared first): a list of a million items words
/// it for every blocking one, into one reused text.
pub fn waiting_on_into(item: &Item, out: &mut String) {
    out.clear();
    let what = step_into(item, out);
    if !out.is_empty() {
        out.push_str(" to ");
    }
    out.push_str(&what);
}

/// What has to happen next to an item, and who does it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextStep {
    /// Who acts: a login, a role ("security") or a described person.
    pub who: String,
    /// What they do, as a verb phrase ("approve it").
    pub what: String,
}

impl fmt::Display for NextStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.who.is_empty() {
            f.write_str(&self.what)
        } else {
            write!(f, "{} to {}", self.who, self.what)
        }
    }
}

/// The next step of an item in its life, in words a person would use.
pub fn next_step(item: &Item) -> NextStep {
    let mut who = String::new();
    let what = step_into(item, &mut who).into_owned();
    NextStep { who, what }
}

/// The next step's actor written into `who` (empty when nobody acts), and what they
/// do returned: the one place both [`next_step`] and [`waiting_on_into`] word it.
fn step_into(item: &Item, who: &mut String) -> Cow<'static, str> {
    let f = &item.fields;
    let mut named = |name: &str, part: &str| {
        who.push_str(name);
        who.push_str(" (");
        who.push_str(part);
        who.push(')');
    };
    if item.rotation == Some(super::lifecycle::Rotation::Due) {
        named(non_empty(&f.credential_owner), "credential owner");
        return "rotate the exposed credential, then record who rotated it and how that was confirmed".into();
    }
    let what = match item.state {
        State::Needed => {
            named(&item.requester, "requester");
            if item.last_reason.is_some() && item.round > 0 {
                "make the changes asked for and submit again"
            } else {
                "complete and submit it"
            }
        }
        State::Denied => {
            named(&item.requester, "requester");
            "reopen it with a narrower request, or cancel it"
        }
        State::Requested => {
            for (i, c) in item.missing_approvals().iter().enumerate() {
                if i > 0 {
                    who.push_str(" + ");
                }
                match c {
                    Capacity::Owner => match super::routing::owner_decider(item) {
                        d if d == f.approver => {
                            who.push_str(non_empty(d));
                            who.push_str(" (approval owner)");
                        }
                        d => {
                            who.push_str(d);
                            who.push_str(" (delegate of ");
                            who.push_str(&f.approver);
                            who.push(')');
                        }
                    },
                    Capacity::Security => who.push_str("a security reviewer"),
                }
            }
            "approve, deny or return it"
        }
        State::Approved => {
            named(non_empty(&f.credential_owner), "credential owner");
            "grant the access"
        }
        State::Granted | State::Verified
            if item.review == Some(super::review::ReviewMark::RevocationDue) =>
        {
            who.push_str("support");
            "revoke it: an access review decided it goes"
        }
        State::Granted | State::Verified
            if matches!(item.review, Some(super::review::ReviewMark::Pending { .. })) =>
        {
            who.push_str("a coordinator or security reviewer");
            "certify or revoke it in its access review"
        }
        State::Granted | State::Verified if item.retro_due.is_some() => {
            who.push_str("a security person other than the one who broke the glass");
            "close the break-glass retrospective"
        }
        State::Granted => {
            who.push_str("support");
            "verify scope and credential owner"
        }
        State::Verified => {
            if f.temporary {
                who.push_str("support");
                match f.expires {
                    Some(d) => return format!("revoke it on {d}").into(),
                    None => "revoke it when it ends",
                }
            } else {
                "nothing: ready; revoke it when the project ends"
            }
        }
        State::Revoked | State::Cancelled => "nothing: finished",
    };
    what.into()
}

fn non_empty(s: &str) -> &str {
    if s.trim().is_empty() { "?" } else { s }
}

/// Ready / required and the ratio (1.0 when nothing is required).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Readiness {
    pub required: usize,
    pub ready: usize,
    pub ratio: f64,
}

impl Readiness {
    pub fn of<'a>(items: impl IntoIterator<Item = &'a Item>) -> Self {
        let mut r = Readiness::default();
        for it in items {
            r.add(it.state);
        }
        r.finish()
    }
    /// Counts one item by its state (for streaming computations).
    pub fn add(&mut self, state: State) {
        self.add_n(state, 1);
    }
    /// Counts `n` items in `state`: cancelled items are not required, verified ones
    /// are ready.
    pub fn add_n(&mut self, state: State, n: usize) {
        if state != State::Cancelled {
            self.required += n;
            if state == State::Verified {
                self.ready += n;
            }
        }
    }
    pub fn finish(mut self) -> Self {
        self.ratio = if self.required == 0 {
            1.0
        } else {
            self.ready as f64 / self.required as f64
        };
        self
    }
}

/// Days from today (in the project's zone) to its planned start; negative once started.
pub fn days_to_start(p: &Project, now: DateTime<Utc>) -> i64 {
    (p.start - today(p, now)).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn project() -> Project {
        crate::domain::fixtures::project("Acme", "2026-03-10", "Europe/Berlin")
    }

    use crate::domain::fixtures::item;

    #[test]
    fn each_project_has_its_own_zone_whichever_was_asked_before() {
        let zone = |tz: &str| {
            project_tz(&crate::domain::fixtures::project("Z", "2026-03-10", tz)).to_string()
        };
        for tz in [
            "Europe/Berlin",
            "Pacific/Auckland",
            "Europe/Berlin",
            "Nowhere/Else",
            "",
        ] {
            let want = tz.parse::<Tz>().unwrap_or(Tz::UTC).to_string();
            assert_eq!(zone(tz), want, "{tz:?}");
            assert_eq!(zone(tz), want, "{tz:?} again");
        }
        assert_eq!(zone("Nowhere/Else"), "UTC");
    }

    #[test]
    fn fresh_complete_item_does_not_block() {
        let p = project();
        let it = item(State::Needed, "2026-03-01T09:00:00Z");
        assert!(reasons(&it, &p, t("2026-03-02T09:00:00Z"), Settings::default()).is_empty());
    }

    #[test]
    fn stale_spell_starts_when_it_went_stale_not_when_seen() {
        let p = project();
        let it = item(State::Requested, "2026-03-01T09:00:00Z");
        let now = t("2026-03-06T09:00:00Z");
        let r = reasons(&it, &p, now, Settings::default());
        assert_eq!(r, vec![Reason::Stale { days: 3 }]);
        assert_eq!(
            spell_start(&it, &p, now, Settings::default()),
            Some(t("2026-03-04T09:00:00Z"))
        );
        assert_eq!(
            age(&it, &p, now, Settings::default()),
            Some(Duration::days(2))
        );
        // The assessment the lists and the report make gives the same spell.
        let a = assess(&it, &p, now, Settings::default(), &nobody());
        assert_eq!(a.since, Some(t("2026-03-04T09:00:00Z")));
    }

    /// No one registered: only the time-based reasons hold.
    fn nobody() -> std::collections::HashMap<String, crate::domain::Person> {
        Default::default()
    }

    #[test]
    fn overdue_starts_at_midnight_in_project_zone() {
        let p = project();
        let mut it = item(State::Approved, "2026-03-09T09:00:00Z");
        it.fields.needed_by = Some(NaiveDate::from_ymd_opt(2026, 3, 10).unwrap());
        let now = t("2026-03-11T12:00:00Z");
        // Berlin is UTC+1 in March: the 10th ends at 23:00 UTC.
        assert_eq!(
            spell_start(&it, &p, now, Settings::default()),
            Some(t("2026-03-10T23:00:00Z"))
        );
        let a = assess(&it, &p, now, Settings::default(), &nobody());
        assert_eq!(a.since, Some(t("2026-03-10T23:00:00Z")));
        // A spell recorded by the last change is kept, however the reasons began.
        it.blocked_since = Some(t("2026-03-09T10:00:00Z"));
        let a = assess(&it, &p, now, Settings::default(), &nobody());
        assert_eq!(a.since, Some(t("2026-03-09T10:00:00Z")));
    }

    #[test]
    fn verified_item_is_ready_and_not_blocking_until_expired() {
        let p = project();
        let mut it = item(State::Verified, "2026-03-01T09:00:00Z");
        it.fields.temporary = true;
        it.fields.expires = NaiveDate::from_ymd_opt(2026, 4, 1);
        assert!(reasons(&it, &p, t("2026-03-20T09:00:00Z"), Settings::default()).is_empty());
        let r = reasons(&it, &p, t("2026-04-03T09:00:00Z"), Settings::default());
        assert_eq!(
            r,
            vec![Reason::Expired {
                expires: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
            }]
        );
    }

    #[test]
    fn readiness_ignores_cancelled_and_is_one_when_empty() {
        assert_eq!(Readiness::of([]).ratio, 1.0);
        let a = item(State::Verified, "2026-03-01T09:00:00Z");
        let b = item(State::Needed, "2026-03-01T09:00:00Z");
        let c = item(State::Cancelled, "2026-03-01T09:00:00Z");
        let r = Readiness::of([&a, &b, &c]);
        assert_eq!((r.ready, r.required), (1, 2));
        assert!((r.ratio - 0.5).abs() < 1e-9);
    }

    #[test]
    fn blockers_hold_until_the_next_check_or_a_new_date() {
        let p = project();
        let s = Settings::default();
        let mut it = item(State::Requested, "2026-03-01T09:00:00Z");
        it.retro_due = Some(t("2026-03-02T15:30:00Z"));
        let mut now = t("2026-03-01T10:00:00Z");
        let mut seen = (reasons(&it, &p, now, s), spell_start(&it, &p, now, s));
        let mut day = today(&p, now);
        let mut next = next_check(&it, seen.1, now, s);
        for _ in 0..(6 * 24 * 4) {
            now += Duration::minutes(15);
            let current = (reasons(&it, &p, now, s), spell_start(&it, &p, now, s));
            if current != seen {
                assert!(
                    next.is_some_and(|n| n <= now) || today(&p, now) != day,
                    "blockers changed at {now} before the next check {next:?}"
                );
            }
            if next.is_some_and(|n| n <= now) || today(&p, now) != day {
                next = next_check(&it, current.1, now, s);
                day = today(&p, now);
                seen = current;
            }
        }
    }

    #[test]
    fn spell_is_kept_across_a_change_that_still_blocks() {
        let p = project();
        let s = Settings::default();
        let mut before = item(State::Requested, "2026-03-01T09:00:00Z");
        before.manual_block = Some("waiting for client".into());
        before.blocked_since = Some(t("2026-03-01T09:00:00Z"));
        let mut after = before.clone();
        after.fields.notes = "chased".into();
        after.updated_at = t("2026-03-02T09:00:00Z");
        assert_eq!(
            spell_after_change(Some(&before), &after, &p, t("2026-03-02T09:00:00Z"), s),
            Some(t("2026-03-01T09:00:00Z"))
        );
        after.manual_block = None;
        assert_eq!(
            spell_after_change(Some(&before), &after, &p, t("2026-03-02T09:00:00Z"), s),
            None
        );
    }

    #[test]
    fn an_expired_exception_blocks_live_access_only() {
        let p = project();
        let mut it = item(State::Verified, "2026-03-01T09:00:00Z");
        it.fields.exception = Some(Box::new(Exception {
            reason: "legacy SSO".into(),
            owner: Some("sam".into()),
            expires: NaiveDate::from_ymd_opt(2026, 3, 15),
        }));
        let s = Settings::default();
        assert!(reasons(&it, &p, t("2026-03-15T12:00:00Z"), s).is_empty());
        let later = t("2026-03-17T12:00:00Z");
        assert_eq!(
            reasons(&it, &p, later, s),
            vec![Reason::ExceptionExpired {
                expires: NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
            }]
        );
        // The spell starts when the exception's last day ended in the project's zone.
        assert_eq!(
            spell_start(&it, &p, later, s),
            Some(t("2026-03-15T23:00:00Z"))
        );
        it.state = State::Revoked;
        assert!(reasons(&it, &p, later, s).is_empty());
    }

    #[test]
    fn a_task_waits_for_items_not_ready_or_breaking_a_rule() {
        let ready = item(State::Verified, "2026-03-01T09:00:00Z");
        let mut unsafe_ready = item(State::Verified, "2026-03-01T09:00:00Z");
        unsafe_ready.number = 2;
        unsafe_ready.fields.temporary = true;
        let mut denied = item(State::Denied, "2026-03-01T09:00:00Z");
        denied.number = 3;
        let all = [ready, unsafe_ready, denied];
        let needs: Vec<String> = ["ACME-1", "ACME-2", "ACME-3", "ACME-9"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let waiting = task_waiting_for(&needs, |id| all.iter().find(|i| i.id() == id));
        assert_eq!(waiting, vec!["ACME-2", "ACME-3", "ACME-9"]);
    }

    #[test]
    fn who_an_item_waits_on_reads_the_same_worded_into_a_reused_text() {
        let at = "2026-03-01T09:00:00Z";
        let mut requested = item(State::Requested, at);
        requested.fields.privileged = true;
        let mut approved = item(State::Approved, at);
        approved.fields.credential_owner = " ".into();
        let mut words = String::from("what the item before waited on");
        for (it, want) in [
            (
                &requested,
                "alice (approval owner) + a security reviewer to approve, deny or return it",
            ),
            (&approved, "? (credential owner) to grant the access"),
            (
                &item(State::Verified, at),
                "nothing: ready; revoke it when the project ends",
            ),
        ] {
            waiting_on_into(it, &mut words);
            assert_eq!(words, want);
            assert_eq!(waiting_on(it), want);
            assert_eq!(next_step(it).to_string(), want);
        }
    }
}

#[cfg(test)]
#[test]
fn a_reason_is_no_larger_than_a_string_and_its_kind() {
    // Every blocking item keeps a list of these; a larger variant would grow them all.
    assert!(
        std::mem::size_of::<Reason>() <= 32,
        "{}",
        std::mem::size_of::<Reason>()
    );
}
