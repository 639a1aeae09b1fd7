//! Nudges: a copy-ready message for whoever an item waits on, so a coordinator can
//! chase a decision, a blocker, access about to end or an access review without a
//! mail server. Each
//! nudge says who it is for, what it is about, since when it waits and what to do,
//! and it never asks for a credential: its last line says nothing secret belongs in a
//! reply, and the access goes only through the item's safe collection method.
//!
//! The situation is read from what the rest of the domain already decided: the state,
//! the blocker reasons of [`blockers::assess`], the next step
//! of [`blockers::next_step`], the item's dates and its review mark, who may review it
//! ([`review::eligible_reviewers`]) and when the project's review started. The clock
//! is passed in.
//!
//! Adding a situation means a [`Situation`] variant and one more function in the chain
//! of [`for_item`]: the message shape and its safety line stay the same for every
//! situation.

use super::blockers::{self, Reason};
use super::model::{Capacity, Item, Person, Project, State};
use super::review::{self, ReviewMark};
use super::text::sanitize;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::fmt::Write as _;

/// Temporary access or a security exception ending within this many days gets a
/// nudge (ended ones are blockers instead).
pub const EXPIRY_NOTICE_DAYS: i64 = 14;

/// Why a nudge is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Situation {
    /// A request waits on one or more approvals.
    Decision,
    /// The item blocks work.
    Blocker,
    /// Live access (or its security exception) ends soon.
    Expiring,
    /// Live access waits for a decision in an open access review (not yet overdue:
    /// an overdue one is a blocker).
    Review,
}

impl Situation {
    /// Stable name, for JSON.
    pub fn code(self) -> &'static str {
        match self {
            Situation::Decision => "decision",
            Situation::Blocker => "blocker",
            Situation::Expiring => "expiring",
            Situation::Review => "review",
        }
    }
}

/// What a nudge is built from: the item as assessed at `now`.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub item: &'a Item,
    pub project: &'a Project,
    /// The item's blocker reasons now (empty when it does not block).
    pub reasons: &'a [Reason],
    /// Start of the current blocking spell.
    pub blocked_since: Option<DateTime<Utc>>,
    /// The people registered: who may review an access is named among them.
    pub people: &'a [Person],
    pub now: DateTime<Utc>,
}

/// A message for the person an item waits on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Nudge {
    /// The item's id ("ACME-3") and why it is nudged.
    pub item: String,
    pub situation: Situation,
    /// Who it is for (logins or described people), what it is about, and what
    /// the reader is asked to do.
    pub to: String,
    pub about: String,
    pub ask: String,
    /// Since when, and what has been waiting.
    #[serde(flatten)]
    pub wait: Wait,
    /// Why it blocks, in words (empty when it does not), and the safe collection
    /// method the access goes through, if one is chosen.
    pub reasons: Vec<String>,
    pub method: Option<String>,
}

/// How long a nudge's subject has waited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wait {
    /// The moment (UTC) and the same moment as a calendar date in the project's
    /// time zone.
    pub since: DateTime<Utc>,
    pub since_date: NaiveDate,
    /// Whole days waited (never negative).
    pub days: i64,
    /// What has been waiting, as a phrase ("waiting for a decision").
    pub waiting: String,
}

/// The nudge for an item at `c.now`, or `None` when it waits on no one.
pub fn for_item(c: &Context<'_>) -> Option<Nudge> {
    decision(c)
        .or_else(|| blocker(c))
        .or_else(|| under_review(c))
        .or_else(|| expiring(c))
}

impl Nudge {
    /// The message as it is copied: plain lines, no markup.
    pub fn text(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "To: {}", self.to);
        let _ = writeln!(o, "About: {}", self.about);
        let _ = writeln!(
            o,
            "Since: {} ({}), {}",
            self.wait.since_date,
            days_words(self.wait.days),
            self.wait.waiting
        );
        let _ = writeln!(o, "Please: {}", self.ask);
        if !self.reasons.is_empty() {
            let _ = writeln!(o, "Blocking: {}", self.reasons.join("; "));
        }
        let _ = write!(
            o,
            "Nothing secret belongs in a reply to this message: the access is handed over only through {}.",
            match &self.method {
                Some(m) => format!("the agreed safe method ({m})"),
                None => "a safe collection method, never by message".to_string(),
            }
        );
        o
    }
}

fn days_words(days: i64) -> String {
    match days {
        0 => "today".to_string(),
        1 => "1 day".to_string(),
        n => format!("{n} days"),
    }
}

/// The frame every situation shares: the item, since when, and the method.
fn nudge(c: &Context<'_>, situation: Situation, since: DateTime<Utc>) -> Nudge {
    let it = c.item;
    let f = &it.fields;
    let since = since.min(c.now);
    let since_date = blockers::today(c.project, since);
    let days = (blockers::today(c.project, c.now) - since_date)
        .num_days()
        .max(0);
    let mut about = format!(
        "{}, access to {} as {}",
        it.id(),
        sanitize(or_unnamed(&f.system)),
        sanitize(or_unnamed(&f.role))
    );
    if let Some(h) = f.holder.as_deref().filter(|h| !h.trim().is_empty()) {
        let _ = write!(about, " for {}", sanitize(h));
    }
    if !f.purpose.trim().is_empty() {
        let _ = write!(about, " (purpose: {})", sanitize(&f.purpose));
    }
    let _ = write!(about, ", project {}", it.project);
    Nudge {
        item: it.id(),
        situation,
        to: String::new(),
        about,
        ask: String::new(),
        wait: Wait {
            since,
            since_date,
            days,
            waiting: String::new(),
        },
        reasons: c
            .reasons
            .iter()
            .map(|r| sanitize(&r.to_string()).into_owned())
            .collect(),
        method: f.method.map(|m| m.to_string()),
    }
}

fn or_unnamed(s: &str) -> &str {
    if s.trim().is_empty() { "?" } else { s }
}

fn has_conflict(c: &Context<'_>) -> bool {
    c.reasons
        .iter()
        .any(|r| matches!(r, Reason::ApproverConflict { .. }))
}

/// A request waiting on approvals (unless its approval owner may not decide: then
/// the blocker is what needs chasing).
fn decision(c: &Context<'_>) -> Option<Nudge> {
    let it = c.item;
    if it.state != State::Requested || has_conflict(c) {
        return None;
    }
    let missing = it.missing_approvals();
    if missing.is_empty() {
        return None;
    }
    let names: Vec<String> = missing
        .iter()
        .map(|cap| match cap {
            Capacity::Owner => format!(
                "{} (approval owner)",
                sanitize(or_unnamed(&it.fields.approver))
            ),
            Capacity::Security => "a security reviewer".to_string(),
        })
        .collect();
    let (given, required) = it.approval_progress();
    let mut n = nudge(c, Situation::Decision, it.state_since);
    n.to = names.join(" and ");
    n.wait.waiting = "waiting for a decision on the request".to_string();
    n.ask = format!(
        "approve, deny or return it in accessdesk ({given} of {required} approvals given)."
    );
    Some(n)
}

/// An item that blocks work: who can lift it and how.
fn blocker(c: &Context<'_>) -> Option<Nudge> {
    if c.reasons.is_empty() {
        return None;
    }
    let it = c.item;
    let since = c.blocked_since.unwrap_or(it.updated_at);
    let mut n = nudge(c, Situation::Blocker, since);
    n.wait.waiting = "blocking work".to_string();
    let coordinator = format!("{} (coordinator)", sanitize(&c.project.coordinator));
    let conflict = c.reasons.iter().find_map(|r| match r {
        Reason::ApproverConflict { approver, .. } => Some(approver.clone()),
        _ => None,
    });
    let step = blockers::next_step(it);
    // The reason that asks for a particular act wins over the general next step.
    let specific = c.reasons.iter().find_map(|r| match r {
        Reason::ExceptionExpired { expires } => Some((
            exception_owner(it, &coordinator),
            format!(
                "renew the security exception (it ended on {expires}) or have the access revoked."
            ),
        )),
        Reason::Expired { expires } => Some((
            with_fallback(&step.who, &coordinator),
            format!("revoke the access now: it ended on {expires}."),
        )),
        Reason::ReviewOverdue { due } => Some((
            reviewers(c),
            format!(
                "certify or revoke the access of {} in the access review now: it was due on {due}.",
                it.id()
            ),
        )),
        Reason::ProjectClosedStillGranted => Some((
            with_fallback(&step.who, &coordinator),
            "revoke the access: the project is closed.".to_string(),
        )),
        _ => None,
    });
    let (to, ask) = match (conflict, specific) {
        (Some(approver), _) => (
            format!("{} (requester) and {coordinator}", sanitize(&it.requester)),
            format!(
                "name another approval owner: {} may not decide on this item.",
                sanitize(&approver)
            ),
        ),
        (None, Some(specific)) => specific,
        (None, None) => (
            with_fallback(&step.who, &coordinator),
            format!("{}.", step.what),
        ),
    };
    n.to = to;
    n.ask = ask;
    Some(n)
}

fn with_fallback(who: &str, fallback: &str) -> String {
    if who.trim().is_empty() {
        fallback.to_string()
    } else {
        sanitize(who).into_owned()
    }
}

fn exception_owner(it: &Item, coordinator: &str) -> String {
    it.fields
        .exception
        .as_ref()
        .and_then(|e| e.owner.as_deref())
        .filter(|o| !o.trim().is_empty())
        .map(|o| format!("{} (exception owner)", sanitize(o)))
        .unwrap_or_else(|| coordinator.to_string())
}

/// Reviewers named in a review nudge; more are counted.
const NAMED_REVIEWERS: usize = 4;

/// Live access waiting for a decision in an open access review, not yet overdue (an
/// overdue one blocks, and the blocker's nudge says so). It waits since the review
/// started (the item's mark keeps only the due date; the project knows the start).
fn under_review(c: &Context<'_>) -> Option<Nudge> {
    let it = c.item;
    let Some(ReviewMark::Pending { due }) = it.review else {
        return None;
    };
    let today = blockers::today(c.project, c.now);
    if !it.state.access_live() || due.is_some_and(|d| d < today) {
        return None;
    }
    let since = c.project.review_started.unwrap_or(it.updated_at);
    let mut n = nudge(c, Situation::Review, since);
    n.to = reviewers(c);
    n.wait.waiting = match due {
        Some(d) => format!(
            "waiting for a decision in the access review of project {}, due {d}",
            it.project
        ),
        None => format!(
            "waiting for a decision in the access review of project {}",
            it.project
        ),
    };
    n.ask = format!(
        "certify or revoke the access of {} in the access review in accessdesk: certify it if it is still needed, revoke it if not (one decision is enough).",
        it.id()
    );
    Some(n)
}

/// Who may decide on the item in an access review, named (the first few) by login.
fn reviewers(c: &Context<'_>) -> String {
    let names: Vec<String> = review::eligible_reviewers(c.item, c.people)
        .into_iter()
        .map(|l| sanitize(l).into_owned())
        .collect();
    match names.as_slice() {
        [] => "a coordinator or security person who is not party to this access (none registered may review it)".to_string(),
        [one] => format!("{one} (access reviewer)"),
        [first @ .., last] if names.len() <= NAMED_REVIEWERS => {
            format!("{} or {last} (access reviewers)", first.join(", "))
        }
        _ => format!(
            "{} or one of {} other access reviewers",
            names[..NAMED_REVIEWERS].join(", "),
            names.len() - NAMED_REVIEWERS
        ),
    }
}

/// Live access, or its security exception, ending within [`EXPIRY_NOTICE_DAYS`].
fn expiring(c: &Context<'_>) -> Option<Nudge> {
    let it = c.item;
    if !it.state.access_live() {
        return None;
    }
    let today = blockers::today(c.project, c.now);
    let soon = |d: Option<NaiveDate>| {
        d.map(|d| (d, (d - today).num_days()))
            .filter(|(_, left)| (0..=EXPIRY_NOTICE_DAYS).contains(left))
    };
    let f = &it.fields;
    let coordinator = format!("{} (coordinator)", sanitize(&c.project.coordinator));
    let (to, end, left, ask) = if let Some((d, left)) = soon(f.expires.filter(|_| f.temporary)) {
        let to = format!("{} (requester) and {coordinator}", sanitize(&it.requester));
        let ask = format!(
            "if the access is still needed after {d}, request an extension in accessdesk before then; otherwise it is revoked on that date."
        );
        (to, d, left, ask)
    } else if let Some((d, left)) = soon(f.exception.as_ref().and_then(|e| e.expires)) {
        let ask = format!(
            "renew the security exception before {d}, or the access is revoked when it ends."
        );
        (exception_owner(it, &coordinator), d, left, ask)
    } else {
        return None;
    };
    let mut n = nudge(c, Situation::Expiring, it.state_since);
    n.to = to;
    n.wait.waiting = format!(
        "access live; it ends on {end} ({})",
        match left {
            0 => "today".to_string(),
            1 => "in 1 day".to_string(),
            n => format!("in {n} days"),
        }
    );
    n.ask = ask;
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::blockers::{Settings, assess};
    use crate::domain::fixtures::person;
    use crate::domain::model::{Exception, ItemFields, Method, Person, Role};

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().expect("a test time")
    }

    fn project() -> Project {
        crate::domain::fixtures::project("Acme", "2026-03-20", "Europe/Berlin")
    }

    fn item(state: State, at: &str) -> Item {
        let mut it = Item::new("ACME", 3, ItemFields::default(), "rob", t(at));
        it.rowid = 1;
        it.state = state;
        let f = &mut it.fields;
        f.system = "Analytics".into();
        f.purpose = "campaign reporting".into();
        f.role = "Editor".into();
        f.credential_owner = "Dana (client IT)".into();
        f.approver = "alice".into();
        f.method = Some(Method::Vault);
        it
    }

    /// The nudge as the front ends build it: from the domain's own assessment.
    fn nudge_at(it: &Item, now: &str, approver: Option<&Person>) -> Option<Nudge> {
        let people: Vec<Person> = approver.into_iter().cloned().collect();
        nudge_with(it, &project(), now, &people)
    }

    fn nudge_with(it: &Item, p: &Project, now: &str, people: &[Person]) -> Option<Nudge> {
        let now = t(now);
        let a = assess(it, p, now, Settings::default(), &people);
        for_item(&Context {
            item: it,
            project: p,
            reasons: &a.reasons,
            blocked_since: a.since,
            people,
            now,
        })
    }

    /// Live access of ACME-3 in an access review of its project started on 1 March.
    fn in_review(due: Option<&str>) -> (Item, Project) {
        let mut it = item(State::Verified, "2026-02-20T09:00:00Z");
        it.review = Some(ReviewMark::Pending {
            due: due.map(|d| d.parse().expect("date")),
        });
        let mut p = project();
        p.reviewed = true;
        p.review_started = Some(t("2026-03-01T08:00:00Z"));
        (it, p)
    }

    /// Never a request for a credential, whatever the situation.
    fn assert_safe(n: &Nudge) {
        let text = n.text();
        assert_eq!(crate::domain::secrets::find_secret(&text), None, "{text}");
        let lower = text.to_lowercase();
        for asked in [
            "password",
            "passcode",
            "passphrase",
            "pin ",
            "token",
            "api key",
            "your login",
            "send us",
            "send me",
            "credentials to",
            "reply with",
        ] {
            assert!(!lower.contains(asked), "{asked:?} in {text}");
        }
        assert!(text.ends_with(
            "Nothing secret belongs in a reply to this message: the access is handed over only through the agreed safe method (vault)."
        ), "{text}");
    }

    #[test]
    fn waiting_decision_names_the_missing_approvers_and_since_when() {
        let mut it = item(State::Requested, "2026-03-02T09:00:00Z");
        it.fields.privileged = true;
        let n = nudge_at(&it, "2026-03-04T10:00:00Z", None).expect("a nudge");
        assert_safe(&n);
        assert_eq!(n.situation, Situation::Decision);
        assert_eq!(n.to, "alice (approval owner) and a security reviewer");
        assert_eq!(n.wait.days, 2);
        assert_eq!(
            n.text(),
            "To: alice (approval owner) and a security reviewer\n\
             About: ACME-3, access to Analytics as Editor (purpose: campaign reporting), project ACME\n\
             Since: 2026-03-02 (2 days), waiting for a decision on the request\n\
             Please: approve, deny or return it in accessdesk (0 of 2 approvals given).\n\
             Nothing secret belongs in a reply to this message: the access is handed over only through the agreed safe method (vault)."
        );
    }

    #[test]
    fn a_given_approval_leaves_only_the_missing_one() {
        let mut it = item(State::Requested, "2026-03-02T09:00:00Z");
        it.fields.client_owned = true;
        it.approvals.push(crate::domain::fixtures::approval(
            "alice",
            Capacity::Owner,
            "2026-03-03T09:00:00Z",
        ));
        let n = nudge_at(&it, "2026-03-03T10:00:00Z", None).expect("a nudge");
        assert_safe(&n);
        assert_eq!(n.to, "a security reviewer");
        assert!(n.ask.contains("1 of 2 approvals given"), "{}", n.ask);
    }

    #[test]
    fn a_stale_decision_also_says_why_it_blocks() {
        let it = item(State::Requested, "2026-03-02T09:00:00Z");
        let n = nudge_at(&it, "2026-03-06T10:00:00Z", None).expect("a nudge");
        assert_safe(&n);
        assert_eq!(n.situation, Situation::Decision);
        assert!(
            n.text().contains("\nBlocking: no change for 3+ days\n"),
            "{}",
            n.text()
        );
    }

    #[test]
    fn blocker_names_who_lifts_it_and_the_blocking_spell() {
        let mut it = item(State::Denied, "2026-03-02T09:00:00Z");
        it.blocked_since = Some(t("2026-03-02T09:00:00Z"));
        let n = nudge_at(&it, "2026-03-03T10:00:00Z", None).expect("a nudge");
        assert_safe(&n);
        assert_eq!(n.situation, Situation::Blocker);
        assert_eq!(n.to, "rob (requester)");
        assert_eq!(n.ask, "reopen it with a narrower request, or cancel it.");
        assert_eq!(n.reasons, vec!["denied while still needed".to_string()]);
        assert_eq!(n.wait.since_date.to_string(), "2026-03-02");
    }

    #[test]
    fn an_approval_owner_who_may_not_decide_goes_to_requester_and_coordinator() {
        let mut it = item(State::Requested, "2026-03-02T09:00:00Z");
        it.requester = "alice".into();
        let alice = Person {
            login: "alice".into(),
            name: "Alice".into(),
            roles: vec![],
            active: true,
        };
        let n = nudge_at(&it, "2026-03-02T10:00:00Z", Some(&alice)).expect("a nudge");
        assert_safe(&n);
        assert_eq!(n.situation, Situation::Blocker);
        assert_eq!(n.to, "alice (requester) and carol (coordinator)");
        assert_eq!(
            n.ask,
            "name another approval owner: alice may not decide on this item."
        );
    }

    #[test]
    fn expired_temporary_access_asks_for_revocation() {
        let mut it = item(State::Verified, "2026-03-02T09:00:00Z");
        it.fields.temporary = true;
        it.fields.expires = Some("2026-03-05".parse().expect("date"));
        let n = nudge_at(&it, "2026-03-07T10:00:00Z", None).expect("a nudge");
        assert_safe(&n);
        assert_eq!(n.situation, Situation::Blocker);
        assert_eq!(n.ask, "revoke the access now: it ended on 2026-03-05.");
    }

    #[test]
    fn expired_exception_goes_to_its_owner() {
        let mut it = item(State::Granted, "2026-03-02T09:00:00Z");
        it.fields.exception = Some(Box::new(Exception {
            reason: "legacy system".into(),
            owner: Some("sam".into()),
            expires: Some("2026-03-04".parse().expect("date")),
        }));
        let n = nudge_at(&it, "2026-03-05T10:00:00Z", None).expect("a nudge");
        assert_safe(&n);
        assert_eq!(n.to, "sam (exception owner)");
        assert!(
            n.ask.starts_with("renew the security exception"),
            "{}",
            n.ask
        );
    }

    #[test]
    fn manual_blocker_is_quoted_and_sent_to_the_next_step() {
        let mut it = item(State::Approved, "2026-03-02T09:00:00Z");
        it.manual_block = Some("waiting for the client's IT".into());
        let n = nudge_at(&it, "2026-03-02T10:00:00Z", None).expect("a nudge");
        assert_safe(&n);
        assert_eq!(n.to, "Dana (client IT) (credential owner)");
        assert_eq!(n.ask, "grant the access.");
        assert_eq!(
            n.reasons,
            vec!["flagged: waiting for the client's IT".to_string()]
        );
    }

    #[test]
    fn temporary_access_ending_soon_is_a_nudge_to_ask_for_an_extension() {
        let mut it = item(State::Verified, "2026-03-02T09:00:00Z");
        it.fields.temporary = true;
        it.fields.holder = Some("ops team".into());
        it.fields.expires = Some("2026-03-12".parse().expect("date"));
        let n = nudge_at(&it, "2026-03-03T10:00:00Z", None).expect("a nudge");
        assert_safe(&n);
        assert_eq!(n.situation, Situation::Expiring);
        assert_eq!(n.to, "rob (requester) and carol (coordinator)");
        assert_eq!(
            n.wait.waiting,
            "access live; it ends on 2026-03-12 (in 9 days)"
        );
        assert!(n.about.contains(" for ops team "), "{}", n.about);
        // Far from its end: nothing to chase.
        assert_eq!(nudge_at(&it, "2026-02-20T10:00:00Z", None), None);
    }

    #[test]
    fn exception_ending_soon_goes_to_its_owner() {
        let mut it = item(State::Verified, "2026-03-02T09:00:00Z");
        it.fields.exception = Some(Box::new(Exception {
            reason: "legacy system".into(),
            owner: None,
            expires: Some("2026-03-04".parse().expect("date")),
        }));
        let n = nudge_at(&it, "2026-03-04T10:00:00Z", None).expect("a nudge");
        assert_safe(&n);
        assert_eq!(n.situation, Situation::Expiring);
        assert_eq!(n.to, "carol (coordinator)");
        assert!(n.wait.waiting.ends_with("(today)"), "{}", n.wait.waiting);
    }

    #[test]
    fn an_open_review_goes_to_the_eligible_reviewers_since_it_started() {
        let (it, p) = in_review(Some("2026-03-31"));
        let people = [
            person("sam", &[Role::Security]),
            person("carol", &[Role::Coordinator]),
            // The requester, an approver and the credential owner may not review it.
            person("rob", &[Role::Coordinator]),
            person("alice", &[Role::Approver]),
            Person {
                name: "Dana".into(),
                ..person("dana", &[Role::Security])
            },
        ];
        let n = nudge_with(&it, &p, "2026-03-04T10:00:00Z", &people).expect("a nudge");
        assert_safe(&n);
        assert_eq!(n.situation, Situation::Review);
        assert_eq!(n.wait.days, 3);
        assert_eq!(
            n.text(),
            "To: carol or sam (access reviewers)\n\
             About: ACME-3, access to Analytics as Editor (purpose: campaign reporting), project ACME\n\
             Since: 2026-03-01 (3 days), waiting for a decision in the access review of project ACME, due 2026-03-31\n\
             Please: certify or revoke the access of ACME-3 in the access review in accessdesk: certify it if it is still needed, revoke it if not (one decision is enough).\n\
             Nothing secret belongs in a reply to this message: the access is handed over only through the agreed safe method (vault)."
        );
        // One reviewer, many, none.
        let one = nudge_with(&it, &p, "2026-03-04T10:00:00Z", &people[..1]).expect("a nudge");
        assert_eq!(one.to, "sam (access reviewer)");
        let many: Vec<Person> = ["a1", "a2", "a3", "a4", "a5", "a6"]
            .iter()
            .map(|l| person(l, &[Role::Security]))
            .collect();
        let n = nudge_with(&it, &p, "2026-03-04T10:00:00Z", &many).expect("a nudge");
        assert_eq!(n.to, "a1, a2, a3, a4 or one of 2 other access reviewers");
        let none = nudge_with(&it, &p, "2026-03-04T10:00:00Z", &[]).expect("a nudge");
        assert_safe(&none);
        assert_eq!(
            none.to,
            "a coordinator or security person who is not party to this access (none registered may review it)"
        );
    }

    #[test]
    fn an_overdue_review_is_a_blocker_and_an_open_one_wins_over_an_ending() {
        let (mut it, p) = in_review(Some("2026-03-05"));
        let people = [person("sam", &[Role::Security])];
        let n = nudge_with(&it, &p, "2026-03-07T10:00:00Z", &people).expect("a nudge");
        assert_eq!(n.situation, Situation::Blocker);
        assert_eq!(n.reasons, vec!["access review due 2026-03-05, not decided"]);
        assert_eq!(n.to, "sam (access reviewer)");
        assert_eq!(
            n.ask,
            "certify or revoke the access of ACME-3 in the access review now: it was due on 2026-03-05."
        );
        // Without a due date it never becomes overdue; ending soon, the review is
        // still what waits on someone.
        it.review = Some(ReviewMark::Pending { due: None });
        it.fields.temporary = true;
        it.fields.expires = Some("2026-03-12".parse().expect("date"));
        let n = nudge_with(&it, &p, "2026-03-07T10:00:00Z", &people).expect("a nudge");
        assert_eq!(n.situation, Situation::Review);
        assert_eq!(
            n.wait.waiting,
            "waiting for a decision in the access review of project ACME"
        );
        // Decided (no mark): the ending is what is left to chase.
        it.review = None;
        let n = nudge_with(&it, &p, "2026-03-07T10:00:00Z", &people).expect("a nudge");
        assert_eq!(n.situation, Situation::Expiring);
    }

    #[test]
    fn a_review_whose_start_is_unknown_waits_since_the_last_change() {
        let (mut it, mut p) = in_review(None);
        p.review_started = None;
        it.updated_at = t("2026-02-25T09:00:00Z");
        let people = [person("sam", &[Role::Security])];
        let n = nudge_with(&it, &p, "2026-03-04T10:00:00Z", &people).expect("a nudge");
        assert_eq!(n.wait.since_date.to_string(), "2026-02-25");
        // Access no longer live is not reviewed.
        it.state = State::Revoked;
        assert_eq!(nudge_with(&it, &p, "2026-03-04T10:00:00Z", &people), None);
    }

    #[test]
    fn nothing_waiting_means_no_nudge() {
        let it = item(State::Needed, "2026-03-02T09:00:00Z");
        assert_eq!(nudge_at(&it, "2026-03-02T10:00:00Z", None), None);
        let done = item(State::Verified, "2026-03-02T09:00:00Z");
        assert_eq!(nudge_at(&done, "2026-03-02T10:00:00Z", None), None);
    }

    #[test]
    fn no_method_yet_still_says_never_by_message() {
        let mut it = item(State::Denied, "2026-03-02T09:00:00Z");
        it.fields.method = None;
        let n = nudge_at(&it, "2026-03-03T10:00:00Z", None).expect("a nudge");
        assert!(
            n.text()
                .ends_with("through a safe collection method, never by message."),
            "{}",
            n.text()
        );
        assert!(!n.text().to_lowercase().contains("password"));
    }

    #[test]
    fn free_text_cannot_break_the_message() {
        let mut it = item(State::Denied, "2026-03-02T09:00:00Z");
        it.fields.system = "Ana\u{1b}[2Jlytics\nTo: mallory".into();
        let n = nudge_at(&it, "2026-03-03T10:00:00Z", None).expect("a nudge");
        let text = n.text();
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert_eq!(
            text.lines().filter(|l| l.starts_with("To: ")).count(),
            1,
            "{text}"
        );
    }
}
