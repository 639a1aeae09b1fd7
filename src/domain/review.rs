//! Access reviews (certification campaigns): a coordinator or security person opens a
//! campaign over every live access of a project, and reviewers certify each access
//! (keep it) or decide to revoke it.
//!
//! Decided here, once: who may start a campaign and who may decide on an item in it
//! (a coordinator or security person who may decide on the item at all, see
//! [`super::decide::conflict`]: never its holder, requester or credential owner), which
//! items a bulk certification may keep (standard ones, without a review flag), what a
//! campaign's state is (open, overdue, completed) and the mark a review leaves on an
//! item, which the blocker rules read (`revocation-due`, `review-overdue`).

use super::decide;
use super::machine::{self, Actor};
use super::model::{Item, Person, Role};
use super::refusal::{Field, Refusal, Rule};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Roles that start access reviews and decide in them.
pub const REVIEWERS: [Role; 2] = [Role::Coordinator, Role::Security];

super::model::named_enum!(
    /// A reviewer's decision on one access: it stays (certify), or it is to be removed
    /// (revoke), and the item blocks until it is revoked.
    Decision {
        Certify => "certify",
        Revoke => "revoke",
    }
);

impl Decision {
    /// The decision as a past participle, for sentences ("certified").
    pub fn done(self) -> &'static str {
        match self {
            Decision::Certify => "certified",
            Decision::Revoke => "marked for revocation",
        }
    }
}

/// What a review leaves on an item, stored with it so the blocker rules, the list and
/// the report read it without looking at the campaigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum ReviewMark {
    /// In an open campaign, not decided yet; the campaign's due date, if it has one.
    Pending { due: Option<NaiveDate> },
    /// A reviewer decided the access goes: it blocks until it is revoked.
    RevocationDue,
}

impl ReviewMark {
    /// As the item's row stores it: `pending`, `pending:YYYY-MM-DD` or `revoke`.
    pub fn stored(self) -> String {
        match self {
            ReviewMark::Pending { due: None } => "pending".to_string(),
            ReviewMark::Pending { due: Some(d) } => format!("pending:{}", d.format("%Y-%m-%d")),
            ReviewMark::RevocationDue => "revoke".to_string(),
        }
    }

    /// Reads a stored mark; anything else is no mark.
    pub fn parse(s: &str) -> Option<ReviewMark> {
        match s.trim() {
            "revoke" => Some(ReviewMark::RevocationDue),
            "pending" => Some(ReviewMark::Pending { due: None }),
            other => other
                .strip_prefix("pending:")
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .map(|d| ReviewMark::Pending { due: Some(d) }),
        }
    }

    /// The mark a decision leaves: none once certified.
    pub fn after(decision: Decision) -> Option<ReviewMark> {
        match decision {
            Decision::Certify => None,
            Decision::Revoke => Some(ReviewMark::RevocationDue),
        }
    }
}

super::model::named_enum!(
    /// Where a campaign stands: some access still to be decided (open), still so after
    /// the due date (overdue), or every access decided or ended otherwise (completed).
    CampaignState {
        Open => "open",
        Overdue => "overdue",
        Completed => "completed",
    }
);

/// Counts of a campaign's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Progress {
    pub items: usize,
    pub certified: usize,
    pub revoked: usize,
    /// Undecided, but the access ended meanwhile (revoked or cancelled outside the
    /// review): nothing left to decide.
    pub ended: usize,
}

impl Progress {
    pub fn decided(&self) -> usize {
        self.certified + self.revoked
    }

    /// Still to be decided.
    pub fn undecided(&self) -> usize {
        self.items
            .saturating_sub(self.decided())
            .saturating_sub(self.ended)
    }

    /// The campaign's state on `today` (in the project's zone) with due date `due`.
    pub fn state(&self, due: Option<NaiveDate>, today: NaiveDate) -> CampaignState {
        if self.undecided() == 0 {
            CampaignState::Completed
        } else if due.is_some_and(|d| d < today) {
            CampaignState::Overdue
        } else {
            CampaignState::Open
        }
    }
}

/// One campaign with its progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Campaign {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub project: String,
    pub due: Option<NaiveDate>,
    pub started_by: String,
    pub state: CampaignState,
    pub progress: Progress,
}

/// One access in a campaign, with its decision if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The item's row (for a screen to find it among those it holds).
    #[serde(skip)]
    pub rowid: i64,
    /// The access (item id, who holds it, in which system and role) and the decision
    /// on it (none while undecided), who took it, when, with which note.
    pub item: String,
    pub holder: Option<String>,
    pub system: String,
    pub decision: Option<Decision>,
    pub role: String,
    pub decided_by: Option<String>,
    /// The access has a review flag: a bulk certification leaves it to a person.
    pub flagged: bool,
    pub decided_at: Option<DateTime<Utc>>,
    /// The access is still live (granted or verified).
    pub live: bool,
    pub note: Option<String>,
}

/// Counts of a project's (or every project's) campaigns for the report (its fields
/// in the order of their names, the order a report writes them in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Measures {
    pub certified: usize,
    pub completed: usize,
    pub items: usize,
    pub open: usize,
    pub overdue: usize,
    pub revoked: usize,
    pub undecided: usize,
}

impl Measures {
    /// Counts one campaign in.
    pub fn add(&mut self, c: &Campaign) {
        match c.state {
            CampaignState::Open => self.open += 1,
            CampaignState::Overdue => self.overdue += 1,
            CampaignState::Completed => self.completed += 1,
        }
        self.items += c.progress.items;
        self.certified += c.progress.certified;
        self.revoked += c.progress.revoked;
        self.undecided += c.progress.undecided();
    }

    /// Whether the project has had a campaign (open, overdue or completed): the
    /// credential owner is then told that access is reviewed periodically.
    pub fn any(&self) -> bool {
        self.open + self.overdue + self.completed > 0
    }
}

/// May `actor` start a campaign on `project` now? `open_campaign` is the id of a
/// campaign of the project still open, `live` how many live accesses it would cover,
/// `closed` whether the project is closed.
pub fn check_start(
    actor: Actor<'_>,
    login: &str,
    project: &str,
    closed: bool,
    open_campaign: Option<i64>,
    live: usize,
) -> Result<(), Refusal> {
    let p = machine::require_registered(actor, login)?;
    machine::require_role(p, &REVIEWERS, "starting an access review")?;
    if closed {
        return Err(Refusal::new(
            Rule::ProjectOpen,
            format!("project {project} is closed; its access is deprovisioned, not reviewed"),
        ));
    }
    if let Some(id) = open_campaign {
        return Err(Refusal::new(
            Rule::OneOpenReview,
            format!("access review {id} of project {project} is still open"),
        )
        .fix("finish it (certify or revoke what is left) before starting another"));
    }
    if live == 0 {
        return Err(Refusal::new(
            Rule::ReviewNeedsLiveAccess,
            format!("project {project} has no live (granted or verified) access to review"),
        )
        .fix("a review covers access that exists; start one once access is granted"));
    }
    Ok(())
}

/// A due date is today or later (in the project's zone).
pub fn check_due(due: Option<NaiveDate>, today: NaiveDate) -> Result<(), Refusal> {
    match due {
        Some(d) if d < today => Err(Refusal::new(
            Rule::ValidValue,
            format!("the due date {d} has passed"),
        )
        .on(Field::Due)
        .fix(format!("give today ({today}) or a later date"))),
        _ => Ok(()),
    }
}

/// May `actor` decide on `item` in a review: a coordinator or security person who may
/// decide on the item at all (not its requester, holder, credential owner or
/// exception owner). Returns the person.
pub fn check_reviewer<'a>(
    item: &Item,
    actor: Actor<'a>,
    login: &str,
) -> Result<&'a Person, Refusal> {
    let p = machine::require_registered(actor, login)?;
    machine::require_role(p, &REVIEWERS, "deciding in an access review")?;
    if let Some(c) = decide::conflict(&item.fields, &item.requester, &item.parties, p) {
        return Err(decide::conflict_refusal(c, &p.login, item, "review it")
            .fix("another coordinator or security person reviews it"));
    }
    Ok(p)
}

/// Everyone who may decide on `item` in a review now (see [`check_reviewer`]): active
/// coordinators and security people who are not party to it, by login.
pub fn eligible_reviewers<'a>(item: &Item, people: &'a [Person]) -> Vec<&'a str> {
    let mut out: Vec<&str> = people
        .iter()
        .filter(|p| check_reviewer(item, Some(p), &p.login).is_ok())
        .map(|p| p.login.as_str())
        .collect();
    out.sort_unstable();
    out
}

/// May a decision be recorded on `item` in a campaign where it stands undecided or
/// decided as `already` (by `by`)? The access must still be live and undecided.
pub fn check_decidable(
    item: &Item,
    campaign: i64,
    already: Option<(Decision, &str)>,
) -> Result<(), Refusal> {
    if let Some((d, by)) = already {
        return Err(Refusal::new(
            Rule::StateMachine,
            format!(
                "{} was already {} in access review {campaign} by {by}",
                item.id(),
                d.done()
            ),
        ));
    }
    machine::require_live(
        item,
        "its access is no longer live, so there is nothing to review",
    )?;
    Ok(())
}

/// The refusal for an item in no open campaign.
pub fn not_in_review(item: &str) -> Refusal {
    Refusal::new(
        Rule::StateMachine,
        format!("{item} waits in no open access review"),
    )
    .fix("start a review of its project first")
}

/// Whether a bulk certification may keep this access: standard only (no review flag).
pub fn bulk_certifiable(item: &Item) -> bool {
    !item.needs_security_review()
}

/// The sentence the credential owner's instruction adds while the project's access is
/// reviewed.
pub const PERIODIC_REVIEW: &str = "This access is reviewed periodically: we will ask you to remove it if a review decides it is no longer needed.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::{ItemFields, State};

    use crate::domain::fixtures::person;

    fn live_item() -> Item {
        let fields = ItemFields {
            system: "Billing".into(),
            role: "Viewer".into(),
            holder: Some("hank".into()),
            credential_owner: "Olga (Acme)".into(),
            approver: "frank".into(),
            ..Default::default()
        };
        let mut it = Item::new(
            "ACME",
            1,
            fields,
            "rita",
            "2026-11-01T09:00:00Z".parse().unwrap(),
        );
        it.state = State::Verified;
        it
    }

    #[test]
    fn reviewers_are_coordinators_or_security_without_a_conflict() {
        let it = live_item();
        let sam = person("sam", &[Role::Security]);
        assert!(check_reviewer(&it, Some(&sam), "sam").is_ok());
        for (login, rule) in [
            ("hank", Rule::NoApprovalOfOwnAccess),
            ("rita", Rule::NoSelfApproval),
            ("olga", Rule::NoOwnCredentialApproval),
        ] {
            let p = person(login, &[Role::Coordinator]);
            let r = check_reviewer(&it, Some(&p), login).unwrap_err();
            assert_eq!(r.rule, rule, "{login}");
        }
        let ann = person("ann", &[Role::Approver, Role::Support]);
        assert_eq!(
            check_reviewer(&it, Some(&ann), "ann").unwrap_err().rule,
            Rule::RoleRequired
        );
        assert_eq!(
            check_reviewer(&it, None, "nobody").unwrap_err().rule,
            Rule::Registered
        );
    }

    #[test]
    fn eligible_reviewers_are_the_active_ones_without_a_stake() {
        let it = live_item();
        let mut gone = person("gus", &[Role::Security]);
        gone.active = false;
        let people = [
            person("sam", &[Role::Security]),
            person("hank", &[Role::Security]),
            person("carol", &[Role::Coordinator]),
            person("ann", &[Role::Approver]),
            person("rita", &[Role::Coordinator]),
            gone,
        ];
        assert_eq!(eligible_reviewers(&it, &people), vec!["carol", "sam"]);
        assert!(eligible_reviewers(&it, &[]).is_empty());
    }

    #[test]
    fn marks_round_trip_and_campaign_states_follow_progress() {
        for m in [
            ReviewMark::RevocationDue,
            ReviewMark::Pending { due: None },
            ReviewMark::Pending {
                due: NaiveDate::from_ymd_opt(2026, 12, 31),
            },
        ] {
            assert_eq!(ReviewMark::parse(&m.stored()), Some(m));
        }
        assert_eq!(ReviewMark::parse("junk"), None);
        let today = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        let due = NaiveDate::from_ymd_opt(2026, 12, 9);
        let mut p = Progress {
            items: 3,
            certified: 1,
            revoked: 1,
            ended: 0,
        };
        assert_eq!(p.state(due, today), CampaignState::Overdue);
        assert_eq!(p.state(None, today), CampaignState::Open);
        p.ended = 1;
        assert_eq!(p.state(due, today), CampaignState::Completed);
    }

    #[test]
    fn an_empty_campaign_and_a_second_open_one_are_refused() {
        let carol = person("carol", &[Role::Coordinator]);
        let r = check_start(Some(&carol), "carol", "ACME", false, None, 0).unwrap_err();
        assert_eq!(r.rule, Rule::ReviewNeedsLiveAccess);
        let r = check_start(Some(&carol), "carol", "ACME", false, Some(2), 5).unwrap_err();
        assert_eq!(r.rule, Rule::OneOpenReview);
        assert!(check_start(Some(&carol), "carol", "ACME", false, None, 5).is_ok());
    }
}
