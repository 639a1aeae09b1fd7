//! The format of the demo scenario (`assets/demo.json`): people, projects, items with
//! the steps of their histories, and tasks, each at a day offset from now. Parsed
//! strictly (unknown fields are refused), so a typo in the scenario fails the build of
//! the demo rather than dropping a step.

use super::DemoError;
use crate::domain::machine::Action;
use crate::domain::{Deprovision, Method, Role};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Scenario {
    #[serde(default, rename = "about")]
    pub(super) _about: String,
    pub(super) setup: Setup,
    pub(super) people: Vec<SamplePerson>,
    /// The system catalogue, added by the admin after the people.
    #[serde(default)]
    pub(super) systems: Vec<SampleSystem>,
    pub(super) projects: Vec<SampleProject>,
}

/// A catalogued system, as `system add` takes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SampleSystem {
    pub(super) name: String,
    pub(super) category: String,
    /// Least privileged first, separated by `<`.
    pub(super) roles: String,
    #[serde(default)]
    pub(super) privileged_roles: Option<String>,
    #[serde(default)]
    pub(super) default_method: Option<crate::domain::Method>,
    #[serde(default)]
    pub(super) client_owned: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Setup {
    pub(super) day: f64,
    /// The first registered account: `init` makes it admin, and it adds everyone else.
    pub(super) admin: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SamplePerson {
    pub(super) login: String,
    #[serde(default)]
    pub(super) name: Option<String>,
    pub(super) roles: Vec<Role>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Moment {
    pub(super) day: f64,
    pub(super) by: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SampleProject {
    pub(super) key: String,
    pub(super) name: String,
    pub(super) client: String,
    /// IANA zone: fixed per project so the demo looks the same on every host.
    pub(super) tz: String,
    /// Planned start, in days from today.
    pub(super) start: i64,
    pub(super) coordinator: String,
    pub(super) created: Moment,
    #[serde(default)]
    pub(super) closed: Option<Moment>,
    pub(super) items: Vec<SampleItem>,
    #[serde(default)]
    pub(super) tasks: Vec<SampleTask>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SampleException {
    pub(super) reason: String,
    pub(super) owner: String,
    pub(super) expires: i64,
}

/// An access item and its history. `by` of the item is its requester. Dates are day
/// offsets from today in the project's zone.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SampleItem {
    /// Name used by tasks to refer to the item (its `KEY-N` is only known once added).
    #[serde(rename = "ref")]
    pub(super) name: String,
    pub(super) day: f64,
    pub(super) by: String,
    pub(super) system: String,
    #[serde(default)]
    pub(super) purpose: String,
    #[serde(default)]
    pub(super) role: String,
    #[serde(default)]
    pub(super) holder: Option<String>,
    #[serde(default)]
    pub(super) credential_owner: String,
    #[serde(default)]
    pub(super) approver: String,
    #[serde(default)]
    pub(super) method: Option<Method>,
    #[serde(default)]
    pub(super) temporary: bool,
    #[serde(default)]
    pub(super) expires: Option<i64>,
    #[serde(default)]
    pub(super) deprovision: Option<Deprovision>,
    #[serde(default)]
    pub(super) privileged: bool,
    #[serde(default)]
    pub(super) shared_credential: bool,
    #[serde(default)]
    pub(super) client_owned: bool,
    #[serde(default)]
    pub(super) exception: Option<SampleException>,
    #[serde(default)]
    pub(super) needed_by: Option<i64>,
    #[serde(default)]
    pub(super) notes: String,
    #[serde(default)]
    pub(super) justification: Option<String>,
    #[serde(default)]
    pub(super) history: Vec<Step>,
}

/// One move on an item. The arguments a move does not use are refused by
/// [`Step::action`], so a typo in the scenario cannot silently drop text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Step {
    pub(super) day: f64,
    pub(super) by: String,
    pub(super) action: String,
    #[serde(default)]
    pub(super) note: Option<String>,
    #[serde(default)]
    pub(super) reason: Option<String>,
    #[serde(default)]
    pub(super) conditions: Option<String>,
    #[serde(default)]
    pub(super) method: Option<Method>,
    #[serde(default)]
    pub(super) text: Option<String>,
    #[serde(default)]
    pub(super) set: Option<SamplePatch>,
}

/// The fields an `edit` step may set (dates as day offsets).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct SamplePatch {
    pub(super) system: Option<String>,
    pub(super) purpose: Option<String>,
    pub(super) role: Option<String>,
    pub(super) holder: Option<String>,
    pub(super) credential_owner: Option<String>,
    pub(super) approver: Option<String>,
    pub(super) method: Option<Method>,
    pub(super) expires: Option<i64>,
    pub(super) needed_by: Option<i64>,
    pub(super) notes: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SampleTask {
    pub(super) day: f64,
    pub(super) by: String,
    pub(super) title: String,
    /// Planned start in days from today; the project's start when absent.
    #[serde(default)]
    pub(super) start: Option<i64>,
    pub(super) needs: Vec<String>,
}

/// What a step does: a state-machine move, or an edit of the fields.
pub(super) enum StepKind {
    Move(Action),
    Edit,
}

impl Step {
    pub(super) fn action(&self) -> Result<StepKind, String> {
        let allowed: &[&str] = match self.action.as_str() {
            "submit" | "cancel" | "reopen" => &["note"],
            "approve" => &["conditions"],
            "deny" | "return" | "block" | "break-glass" => &["reason"],
            "grant" => &["method", "note"],
            "verify" | "revoke" | "close-retro" => &["note"],
            "note" => &["text"],
            "unblock" => &[],
            "edit" => &["set"],
            other => return Err(format!("unknown action '{other}'")),
        };
        let given = [
            ("note", self.note.is_some()),
            ("reason", self.reason.is_some()),
            ("conditions", self.conditions.is_some()),
            ("method", self.method.is_some()),
            ("text", self.text.is_some()),
            ("set", self.set.is_some()),
        ];
        if let Some((arg, _)) = given
            .iter()
            .find(|(arg, set)| *set && !allowed.contains(arg))
        {
            return Err(format!("'{}' takes no '{arg}'", self.action));
        }
        let required = |v: &Option<String>, arg: &str| {
            v.clone()
                .ok_or_else(|| format!("'{}' needs '{arg}'", self.action))
        };
        let action = match self.action.as_str() {
            "submit" => Action::Submit {
                note: self.note.clone(),
            },
            "approve" => Action::Approve {
                conditions: self.conditions.clone(),
            },
            "deny" => Action::Deny {
                reason: required(&self.reason, "reason")?,
            },
            "return" => Action::Return {
                reason: required(&self.reason, "reason")?,
            },
            "grant" => Action::Grant {
                method: self.method,
                note: self.note.clone(),
            },
            "verify" => Action::Verify {
                note: required(&self.note, "note")?,
                reference: None,
            },
            "revoke" => Action::Revoke {
                note: required(&self.note, "note")?,
            },
            "cancel" => Action::Cancel {
                note: self.note.clone(),
            },
            "reopen" => Action::Reopen {
                note: self.note.clone(),
            },
            "block" => Action::Block {
                reason: required(&self.reason, "reason")?,
            },
            "unblock" => Action::Unblock,
            "break-glass" => Action::BreakGlass {
                reason: required(&self.reason, "reason")?,
            },
            "close-retro" => Action::CloseRetro {
                note: required(&self.note, "note")?,
                outcome: crate::domain::lifecycle::RetroOutcome::Accepted,
            },
            "note" => Action::Note {
                text: required(&self.text, "text")?,
            },
            "edit" if self.set.is_some() => return Ok(StepKind::Edit),
            "edit" => return Err("'edit' needs 'set'".into()),
            other => return Err(format!("unknown action '{other}'")),
        };
        Ok(StepKind::Move(action))
    }
}

pub(super) fn parse_scenario(text: &str) -> Result<Scenario, DemoError> {
    serde_json::from_str(text).map_err(|e| DemoError::Scenario(e.to_string()))
}
