//! The end of access, decided once: what a break-glass retrospective concludes and who
//! may not break glass again while one of theirs is overdue; credentials offered from
//! outside over an unsafe channel, which must be rotated; what closing a project leaves
//! to do (live access to revoke, shared credentials to rotate); reopening a project and
//! moving its start (with the ready-before-start freeze).
//!
//! Kept apart from `machine` so the moves of the item's everyday life stay readable;
//! `machine` calls in here for the moves that finish access.

use super::model::{Item, Project, State};
use super::refusal::{Field, Refusal, Rule};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::fmt;
use std::str::FromStr;

super::model::named_enum!(
    /// What a break-glass retrospective concluded: keep the access, or remove it.
    RetroOutcome {
        Accepted => "accepted",
        Revoke => "revoke",
    }
);

super::model::named_enum!(
    /// The unsafe channel a credential was offered over, from outside the app.
    Channel {
        Email => "email",
        Chat => "chat",
        Form => "form",
        Other => "other",
    }
);

super::model::named_enum!(
    /// Where an item's credential is with rotation: exposed and waiting for it, or
    /// rotated since access was last granted.
    Rotation {
        Due => "due",
        Done => "done",
    }
);

/// Why an item's credential must be rotated (one byte, so the blocker stays small).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RotationCause {
    /// It was offered over an unsafe channel from outside.
    Exposed,
    /// A shared credential of a closed project, granted and not rotated since.
    ClosedShared,
}

impl RotationCause {
    pub fn describe(self) -> &'static str {
        match self {
            RotationCause::Exposed => "credential offered over an unsafe channel",
            RotationCause::ClosedShared => "shared credential of a closed project",
        }
    }
}

/// Has access to the item ever been granted? `revoked` is reached only from live
/// access, so the state alone tells.
pub fn ever_granted(item: &Item) -> bool {
    matches!(
        item.state,
        State::Granted | State::Verified | State::Revoked
    )
}

/// Why the item's credential must be rotated now, if it must.
pub fn rotation_due(item: &Item, project: &Project) -> Option<RotationCause> {
    match item.rotation {
        Some(Rotation::Due) => Some(RotationCause::Exposed),
        Some(Rotation::Done) => None,
        None if project.closed_at.is_some()
            && item.fields.shared_credential
            && ever_granted(item) =>
        {
            Some(RotationCause::ClosedShared)
        }
        None => None,
    }
}

/// A break-glass retrospective of the acting person that is past its due time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueRetro {
    pub id: String,
    pub system: String,
    pub due: DateTime<Utc>,
}

/// Whoever has an overdue retrospective open on an item where they broke the glass
/// does not break glass again until it is closed.
pub fn may_break_glass(login: &str, overdue: &[OverdueRetro]) -> Result<(), Refusal> {
    let Some(first) = overdue.first() else {
        return Ok(());
    };
    let names: Vec<String> = overdue
        .iter()
        .map(|o| format!("{} {}", o.id, o.system))
        .collect();
    Err(Refusal::new(
        Rule::OverdueRetrospective,
        format!(
            "{login} broke the glass on {} and its retrospective is overdue (due {}); no new emergency grant until it is closed",
            names.join(", "),
            first.due.format("%Y-%m-%d %H:%M UTC")
        ),
    )
    .fix(format!(
        "have a different security person close the retrospective of {} first",
        first.id
    )))
}

/// The break-glass confirmation's reminder, for every front end.
pub fn break_glass_reminder() -> String {
    format!(
        "a different security person must review it within {} hours",
        super::machine::RETRO_HOURS
    )
}

/// Checks the outcome of a retrospective against the item: removing access needs
/// access that is still live.
pub fn check_outcome(item: &Item, outcome: RetroOutcome) -> Result<(), Refusal> {
    if outcome == RetroOutcome::Revoke && !item.state.access_live() {
        return Err(Refusal::new(
            Rule::StateMachine,
            format!(
                "{} is {}: there is no live access left to revoke",
                item.id(),
                item.state
            ),
        )
        .fix("close the retrospective as accepted"));
    }
    Ok(())
}

/// Marks the item's credential as exposed; the payload says so, which tells the
/// replay that this attempt (unlike those recorded before) changed the item.
pub fn mark_exposed(next: &mut Item, channel: Channel, note: &str, payload: &mut Value) {
    next.rotation = Some(Rotation::Due);
    payload["channel"] = json!(channel.as_str());
    payload["note"] = json!(note);
    payload["field"] = json!("channel");
    payload["detector"] = json!(format!("reported-{channel}"));
    payload["rotation"] = json!(Rotation::Due.as_str());
}

/// May the credential be recorded as rotated? Only when rotation is due.
pub fn check_rotation(item: &Item, project: &Project) -> Result<(), Refusal> {
    if rotation_due(item, project).is_none() {
        return Err(Refusal::new(
            Rule::StateMachine,
            format!("{} has no credential waiting for rotation", item.id()),
        ));
    }
    Ok(())
}

/// A new grant makes an earlier rotation not count; an exposure still waits.
pub fn on_grant(next: &mut Item) {
    if next.rotation == Some(Rotation::Done) {
        next.rotation = None;
    }
}

/// One line of the checklist closing a project leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistEntry {
    pub id: String,
    pub system: String,
    pub state: State,
}

/// What is left to do when a project closes: live access to revoke, and shared
/// credentials ever granted whose rotation was not recorded (revoking is not enough).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Checklist {
    pub revoke: Vec<ChecklistEntry>,
    pub rotate: Vec<ChecklistEntry>,
}

impl Checklist {
    pub fn is_empty(&self) -> bool {
        self.revoke.is_empty() && self.rotate.is_empty()
    }
}

/// The checklist of a closed project `p` over its items.
pub fn checklist<'a>(p: &Project, items: impl IntoIterator<Item = &'a Item>) -> Checklist {
    let mut out = Checklist::default();
    let mut closed = p.clone();
    closed.closed_at = closed.closed_at.or(Some(DateTime::<Utc>::UNIX_EPOCH));
    for it in items {
        let entry = || ChecklistEntry {
            id: it.id(),
            system: it.fields.system.clone(),
            state: it.state,
        };
        if it.state.access_live() {
            out.revoke.push(entry());
        }
        if it.fields.shared_credential && rotation_due(it, &closed).is_some() {
            out.rotate.push(entry());
        }
    }
    out
}

/// Only a closed project is reopened.
pub fn check_reopen(p: &Project) -> Result<(), Refusal> {
    if p.closed_at.is_none() {
        return Err(Refusal::new(
            Rule::ProjectOpen,
            format!(
                "project {} is open; only a closed project is reopened",
                p.key
            ),
        ));
    }
    Ok(())
}

/// The ready-before-start freeze after moving the start of `p` to `new` on `today`:
/// a freeze already made stays; a start already reached freezes at that start; a
/// start not yet reached moves, freeze and all (`None`: no freeze yet).
pub fn move_start(
    p: &Project,
    frozen: Option<NaiveDate>,
    new: NaiveDate,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, Refusal> {
    if p.closed_at.is_some() {
        return Err(Refusal::new(
            Rule::ProjectOpen,
            format!("project {} is closed; its start does not move", p.key),
        ));
    }
    if new == p.start {
        return Err(Refusal::new(
            Rule::ValidValue,
            format!("project {} starts on {new} already", p.key),
        )
        .on(Field::Start)
        .fix("give a different start date"));
    }
    Ok(frozen.or((today >= p.start).then_some(p.start)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ItemFields;

    fn project() -> Project {
        crate::domain::fixtures::project("Acme", "2026-03-10", "UTC")
    }

    fn item(state: State, shared: bool) -> Item {
        let fields = ItemFields {
            system: "Billing".into(),
            shared_credential: shared,
            ..Default::default()
        };
        Item {
            state,
            ..Item::new("ACME", 1, fields, "carol", DateTime::<Utc>::UNIX_EPOCH)
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default()
    }

    #[test]
    fn an_overdue_retrospective_refuses_a_new_break_glass_naming_the_item() {
        assert!(may_break_glass("sam", &[]).is_ok());
        let r = may_break_glass(
            "sam",
            &[OverdueRetro {
                id: "ACME-2".into(),
                system: "CRM".into(),
                due: DateTime::<Utc>::UNIX_EPOCH,
            }],
        )
        .unwrap_err();
        assert_eq!(r.rule, Rule::OverdueRetrospective);
        assert!(r.problem.contains("ACME-2 CRM"), "{}", r.problem);
    }

    #[test]
    fn shared_credentials_of_a_closed_project_wait_for_rotation_even_when_revoked() {
        let mut p = project();
        let revoked = item(State::Revoked, true);
        assert_eq!(rotation_due(&revoked, &p), None);
        p.closed_at = Some(DateTime::<Utc>::UNIX_EPOCH);
        assert_eq!(
            rotation_due(&revoked, &p),
            Some(RotationCause::ClosedShared)
        );
        assert_eq!(rotation_due(&item(State::Cancelled, true), &p), None);
        assert_eq!(rotation_due(&item(State::Verified, false), &p), None);
        let mut rotated = revoked.clone();
        rotated.rotation = Some(Rotation::Done);
        assert_eq!(rotation_due(&rotated, &p), None);
        // A new grant makes the rotation not count.
        on_grant(&mut rotated);
        assert_eq!(
            rotation_due(&rotated, &p),
            Some(RotationCause::ClosedShared)
        );
        let list = checklist(
            &p,
            [&item(State::Verified, true), &item(State::Granted, false)],
        );
        assert_eq!((list.revoke.len(), list.rotate.len()), (2, 1));
    }

    #[test]
    fn a_start_moves_its_freeze_until_reached_then_the_freeze_stays() {
        let p = project();
        assert_eq!(move_start(&p, None, day(20), day(1)), Ok(None));
        assert_eq!(move_start(&p, None, day(20), day(10)), Ok(Some(day(10))));
        assert_eq!(
            move_start(&p, Some(day(5)), day(20), day(12)),
            Ok(Some(day(5)))
        );
        assert!(move_start(&p, None, day(10), day(1)).is_err());
    }
}
