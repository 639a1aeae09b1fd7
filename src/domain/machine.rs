//! The access-item state machine: which moves exist, who may make them from which
//! state, and what each move changes. Every guard returns a `Refusal` naming its rule.
//!
//! `guard` answers "may this person do this now?" without the typed-in text, so the
//! TUI can offer only the moves that would be accepted; `apply` also checks the text
//! and returns the changed item and the event to record.

use super::lifecycle::{self, Channel, RetroOutcome};
use super::model::*;
use super::refusal::{Field, Refusal, Rule};
use super::{decide, extension, rules};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{Value, json};

/// Hours a different security person has to close a break-glass retrospective.
pub const RETRO_HOURS: i64 = 72;

/// The kinds of move, without their text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    Submit,
    Approve,
    Deny,
    Return,
    Grant,
    Verify,
    Revoke,
    Cancel,
    Reopen,
    Block,
    Unblock,
    BreakGlass,
    CloseRetro,
    Note,
    Edit,
    /// A credential offered over an unsafe channel from outside: rotation is due.
    ReportUnsafe,
    /// The exposed or shared credential was rotated.
    Rotated,
    /// Ask for a later end of live temporary access (see [`super::extension`]).
    Extend,
}

impl ActionKind {
    pub const ALL: [ActionKind; 18] = [
        ActionKind::Submit,
        ActionKind::Approve,
        ActionKind::Deny,
        ActionKind::Return,
        ActionKind::Grant,
        ActionKind::Verify,
        ActionKind::Revoke,
        ActionKind::Cancel,
        ActionKind::Reopen,
        ActionKind::Block,
        ActionKind::Unblock,
        ActionKind::BreakGlass,
        ActionKind::CloseRetro,
        ActionKind::Note,
        ActionKind::Edit,
        ActionKind::ReportUnsafe,
        ActionKind::Rotated,
        ActionKind::Extend,
    ];

    /// Event kind recorded in the log.
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Submit => "submit",
            ActionKind::Approve => "approve",
            ActionKind::Deny => "deny",
            ActionKind::Return => "return",
            ActionKind::Grant => "grant",
            ActionKind::Verify => "verify",
            ActionKind::Revoke => "revoke",
            ActionKind::Cancel => "cancel",
            ActionKind::Reopen => "reopen",
            ActionKind::Block => "block",
            ActionKind::Unblock => "unblock",
            ActionKind::BreakGlass => "break-glass",
            ActionKind::CloseRetro => "close-retro",
            ActionKind::Note => "note",
            ActionKind::Edit => "edit",
            ActionKind::ReportUnsafe => "unsafe-attempt",
            ActionKind::Rotated => "rotated",
            ActionKind::Extend => extension::REQUEST_EVENT,
        }
    }

    /// Moves that cannot be undone by the same person: the UI asks before them.
    pub fn is_irreversible(self) -> bool {
        matches!(
            self,
            ActionKind::Deny | ActionKind::Revoke | ActionKind::Cancel | ActionKind::BreakGlass
        )
    }
}

/// A move with what the person typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Submit {
        note: Option<String>,
    },
    Approve {
        conditions: Option<String>,
    },
    /// Approve with structured conditions as well as (or instead of) their text.
    ApproveWithConditions {
        conditions: Option<String>,
        terms: super::conditions::ConditionFields,
    },
    Deny {
        reason: String,
    },
    Return {
        reason: String,
    },
    Grant {
        method: Option<Method>,
        note: Option<String>,
    },
    Verify {
        note: String,
        /// A ticket or vault path where the check is recorded.
        reference: Option<String>,
    },
    Revoke {
        note: String,
    },
    Cancel {
        note: Option<String>,
    },
    Reopen {
        note: Option<String>,
    },
    Block {
        reason: String,
    },
    Unblock,
    BreakGlass {
        reason: String,
    },
    CloseRetro {
        note: String,
        outcome: RetroOutcome,
    },
    Note {
        text: String,
    },
    ReportUnsafe {
        channel: Channel,
        note: String,
    },
    Rotated {
        note: String,
    },
    Extend {
        expires: NaiveDate,
        reason: Option<String>,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Submit { .. } => ActionKind::Submit,
            Action::Deny { .. } => ActionKind::Deny,
            Action::Return { .. } => ActionKind::Return,
            Action::Grant { .. } => ActionKind::Grant,
            Action::Verify { .. } => ActionKind::Verify,
            Action::Approve { .. } | Action::ApproveWithConditions { .. } => ActionKind::Approve,
            Action::Revoke { .. } => ActionKind::Revoke,
            Action::Cancel { .. } => ActionKind::Cancel,
            Action::Reopen { .. } => ActionKind::Reopen,
            Action::Block { .. } => ActionKind::Block,
            Action::BreakGlass { .. } => ActionKind::BreakGlass,
            Action::Unblock => ActionKind::Unblock,
            Action::CloseRetro { .. } => ActionKind::CloseRetro,
            Action::Note { .. } => ActionKind::Note,
            Action::ReportUnsafe { .. } => ActionKind::ReportUnsafe,
            Action::Rotated { .. } => ActionKind::Rotated,
            Action::Extend { .. } => ActionKind::Extend,
        }
    }
}

/// The result of an accepted move: the item as it is now, the approval to record (if
/// any) and the event payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub item: Item,
    pub new_approval: Option<Approval>,
    pub kind: &'static str,
    pub payload: Value,
}

/// The person acting, or `None` for an OS account that is not registered.
pub type Actor<'a> = Option<&'a Person>;

/// The registered person acting, or a refusal for an OS account that is not registered.
pub fn require_registered<'a>(actor: Actor<'a>, login: &str) -> Result<&'a Person, Refusal> {
    let p = actor.ok_or_else(|| {
        Refusal::new(
            Rule::Registered,
            format!("the OS account '{login}' is not registered and may only read"),
        )
        .fix("ask an admin to register it as a person with a role")
    })?;
    super::routing::check_active(p)?;
    Ok(p)
}

/// Refuses `p` unless they hold one of `roles`; `what` names the action ("submit").
pub fn require_role(p: &Person, roles: &[Role], what: &str) -> Result<(), Refusal> {
    refuse_unless(p.has_any(roles), Rule::RoleRequired, || {
        let needed = or_list(roles.iter().map(|r| r.as_str()));
        format!(
            "{what} needs the role {needed}; {} has {}",
            p.login,
            decide::roles_of(p)
        )
    })
}

/// `Ok` when `ok`, else the refusal under `rule` with the problem `problem` says.
fn refuse_unless(ok: bool, rule: Rule, problem: impl FnOnce() -> String) -> Result<(), Refusal> {
    if ok {
        Ok(())
    } else {
        Err(Refusal::new(rule, problem()))
    }
}

/// "a or b or c", for what a refusal would have accepted.
fn or_list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(" or ")
}

/// Refuses `what` ("delegate") on a closed project (rule `project-open`).
pub fn require_open(project: &Project, what: &str) -> Result<(), Refusal> {
    refuse_unless(project.closed_at.is_none(), Rule::ProjectOpen, || {
        format!("project {} is closed; {what} is not possible", project.key)
    })
}

/// Refuses a move on access that is no longer (or not yet) live: "{id} {system} is
/// {state}; {why}" (rule `state-machine`).
pub fn require_live(item: &Item, why: &str) -> Result<(), Refusal> {
    refuse_unless(item.state.access_live(), Rule::StateMachine, || {
        format!(
            "{} {} is {}; {why}",
            item.id(),
            item.fields.system,
            item.state
        )
    })
}

/// Roles that manage projects, tasks and items (add, edit, submit, cancel, import).
pub const MANAGERS: [Role; 2] = [Role::Admin, Role::Coordinator];
/// Roles that work on items (grant, verify, revoke, notes, blockers).
pub const WORKERS: [Role; 3] = [Role::Coordinator, Role::Security, Role::Support];

/// The acting person if registered as admin or coordinator; `doing` names what needs
/// it ("adding items").
pub fn require_manager<'a>(
    actor: Actor<'a>,
    login: &str,
    doing: &str,
) -> Result<&'a Person, Refusal> {
    let p = require_registered(actor, login)?;
    require_role(p, &MANAGERS, doing)?;
    Ok(p)
}

/// May this person manage projects, tasks and items?
pub fn can_manage(actor: Actor<'_>) -> bool {
    actor.is_some_and(|p| p.has_any(&MANAGERS))
}

/// May this person work on items (grant, verify, revoke, notes, blockers)?
pub fn can_work(actor: Actor<'_>) -> bool {
    actor.is_some_and(|p| p.has_any(&WORKERS))
}

fn from_states(item: &Item, kind: ActionKind, allowed: &[State]) -> Result<(), Refusal> {
    refuse_unless(allowed.contains(&item.state), Rule::StateMachine, || {
        let from = or_list(allowed.iter().map(|s| s.as_str()));
        format!(
            "{} {} is {}; {} is only possible from {from}",
            item.id(),
            item.fields.system,
            item.state,
            kind.name(),
        )
    })
}

pub use super::decide::decision_capacity;

/// May `actor` make this move on `item` now? Checks the state, the roles and the
/// identity rules, not the typed text.
pub fn guard(
    item: &Item,
    project: &Project,
    kind: ActionKind,
    actor: Actor<'_>,
    login: &str,
) -> Result<(), Refusal> {
    let p = require_registered(actor, login)?;
    let open_only = |what: &str| require_open(project, what);
    use ActionKind as K;
    use State as S;
    // Most moves need a role, an open project (unless they only record what happened
    // to access that exists) and one of a few states.
    let gate = |roles: &[Role], needs_open: bool, states: &[State]| {
        require_role(p, roles, kind.name())?;
        if needs_open {
            open_only(kind.name())?;
        }
        from_states(item, kind, states)
    };
    match kind {
        K::Submit => gate(&MANAGERS, true, &[S::Needed]),
        K::Edit => gate(
            &MANAGERS,
            true,
            &[
                S::Needed,
                S::Requested,
                S::Approved,
                S::Denied,
                S::Granted,
                S::Verified,
            ],
        ),
        K::Approve | K::Deny if extension::pending(item) => {
            open_only(kind.name())?;
            extension::decision_capacity(item, p, kind == K::Approve).map(|_| ())
        }
        K::Extend => extension::guard_request(item, project, p),
        K::Approve | K::Deny | K::Return => {
            open_only(kind.name())?;
            if kind == K::Return {
                from_states(item, kind, &[S::Requested, S::Approved])?;
            } else {
                from_states(item, kind, &[S::Requested])?;
            }
            decision_capacity(item, p, kind == K::Approve).map(|_| ())
        }
        K::Grant => gate(&WORKERS, true, &[S::Approved]),
        K::Verify => {
            gate(&WORKERS, false, &[S::Granted])?;
            super::routing::check_separate_fulfilment(item, p)
        }
        K::Revoke => gate(&WORKERS, false, &[S::Granted, S::Verified]),
        K::Cancel => gate(
            &MANAGERS,
            false,
            &[S::Needed, S::Requested, S::Approved, S::Denied],
        ),
        K::Reopen => gate(&MANAGERS, true, &[S::Denied, S::Requested]),
        K::Block => {
            require_role(p, &WORKERS, "flagging a blocker")?;
            if item.state.is_terminal() {
                return from_states(
                    item,
                    kind,
                    &[
                        S::Needed,
                        S::Requested,
                        S::Approved,
                        S::Granted,
                        S::Verified,
                        S::Denied,
                    ],
                );
            }
            Ok(())
        }
        K::Unblock => {
            require_role(p, &WORKERS, "clearing a blocker")?;
            if item.manual_block.is_none() {
                return Err(Refusal::new(
                    Rule::StateMachine,
                    format!("{} has no manual blocker to clear", item.id()),
                ));
            }
            Ok(())
        }
        K::BreakGlass => gate(
            &[Role::Coordinator, Role::Security],
            true,
            &[S::Needed, S::Requested],
        ),
        K::CloseRetro => {
            require_role(p, &[Role::Security], "closing a break-glass retrospective")?;
            if item.retro_due.is_none() {
                return Err(Refusal::new(
                    Rule::StateMachine,
                    format!("{} has no open break-glass retrospective", item.id()),
                ));
            }
            if item.emergency_by.as_deref() == Some(p.login.as_str()) {
                return Err(Refusal::new(
                    Rule::SeparateApprovers,
                    format!(
                        "{} broke the glass on {}; a different security person closes the retrospective",
                        p.login,
                        item.id()
                    ),
                ));
            }
            Ok(())
        }
        K::Note => require_role(p, &WORKERS, "adding a note"),
        K::ReportUnsafe => require_role(p, &WORKERS, "recording an unsafe attempt"),
        K::Rotated => {
            require_role(p, &WORKERS, "recording a rotated credential")?;
            lifecycle::check_rotation(item, project)
        }
    }
}

/// The moves `actor` may make on `item` now (for footers and menus).
pub fn allowed(item: &Item, project: &Project, actor: Actor<'_>, login: &str) -> Vec<ActionKind> {
    ActionKind::ALL
        .into_iter()
        .filter(|k| guard(item, project, *k, actor, login).is_ok())
        .collect()
}

fn required_text(field: &str, value: &str, rule: Rule, fix: &str) -> Result<(), Refusal> {
    if value.trim().is_empty() {
        let r = Refusal::new(rule, format!("a {field} is required")).fix(fix);
        return Err(match Field::from_name(field) {
            Some(f) => r.on(f),
            None => r,
        });
    }
    rules::check_text(field, value, true)
}

/// A move's required note (rule `note-required`).
fn required_note(note: &str, fix: &str) -> Result<(), Refusal> {
    required_text("note", note, Rule::NoteRequired, fix)
}

/// A move's required reason (rule `reason-required`).
fn required_reason(reason: &str, fix: &str) -> Result<(), Refusal> {
    required_text("reason", reason, Rule::ReasonRequired, fix)
}

fn optional_text(field: &str, value: &Option<String>) -> Result<(), Refusal> {
    match value {
        Some(v) => rules::check_text(field, v, true),
        None => Ok(()),
    }
}

/// Notes in a deny/return event in which capacity the person decided.
fn record_decider(payload: &mut Value, item: &Item, actor: Actor<'_>) -> Result<(), Refusal> {
    if let Some(p) = actor {
        let capacity = decision_capacity(item, p, false)?;
        payload["capacity"] = json!(capacity.as_str());
        payload["privileged"] = json!(item.fields.privileged);
    }
    Ok(())
}

/// Voids the approvals of the round and starts a new one, whose parties are yet to
/// come (whoever reworks or submits it next).
fn lapse(item: &mut Item) {
    if !item.approvals.is_empty() {
        item.approvals.clear();
    }
    item.parties.clear();
    item.delegates.clear();
    item.round += 1;
}

/// Applies a move: checks the guard and the typed text, and returns the changed item.
pub fn apply(
    item: &Item,
    project: &Project,
    action: &Action,
    actor: Actor<'_>,
    login: &str,
    now: DateTime<Utc>,
) -> Result<Transition, Refusal> {
    let kind = action.kind();
    guard(item, project, kind, actor, login)?;
    // A decision on live access is a decision on its extension request.
    match action {
        Action::Approve { conditions } if extension::pending(item) => {
            return extension::decide(item, (actor, login), now, true, conditions.as_deref());
        }
        Action::ApproveWithConditions { conditions, terms } if extension::pending(item) => {
            // The request names its own end: an end-date condition has nothing to
            // shorten; the other conditions are recorded with the approval as text.
            if terms.expires_by.is_some() {
                return Err(Refusal::new(
                    Rule::ExtensionRequest,
                    format!(
                        "{} waits for a decision on an extension request; an end-date condition does not apply to it",
                        item.id()
                    ),
                )
                .fix("approve or deny the end date asked for, without an end-date condition"));
            }
            let text: Vec<String> = conditions
                .iter()
                .filter(|c| !c.trim().is_empty())
                .cloned()
                .chain(terms.describe())
                .collect();
            let text = (!text.is_empty()).then(|| text.join("; "));
            return extension::decide(item, (actor, login), now, true, text.as_deref());
        }
        Action::Deny { reason } if extension::pending(item) => {
            return extension::decide(item, (actor, login), now, false, Some(reason));
        }
        _ => {}
    }
    let mut next = item.clone();
    let mut new_approval = None;
    let from = item.state;
    let mut payload = json!({});
    let mut to = from;
    match action {
        Action::Submit { note } => {
            optional_text("note", note)?;
            let problems = rules::submit_refusals(&item.fields);
            if let Some(r) = Refusal::all(problems) {
                let missing: Vec<String> = std::iter::once(&r)
                    .chain(&r.more)
                    .filter(|p| p.rule == Rule::RequiredFields)
                    .filter_map(|p| p.field.map(Field::words))
                    .collect();
                let mut said: Vec<String> = Vec::new();
                if !missing.is_empty() {
                    said.push(format!("{} missing", missing.join(", ")));
                }
                said.extend(
                    std::iter::once(&r)
                        .chain(&r.more)
                        .filter(|p| p.rule != Rule::RequiredFields)
                        .map(|p| p.problem.clone()),
                );
                return Err(Refusal {
                    problem: format!("{} cannot be submitted: {}", item.id(), said.join("; ")),
                    fix: if missing.is_empty() {
                        r.fix.clone()
                    } else {
                        "fill in every missing field, then submit again".to_string()
                    },
                    ..r
                });
            }
            to = State::Requested;
            next.add_party(login);
            payload["note"] = json!(note);
        }
        Action::Approve { .. } | Action::ApproveWithConditions { .. } => {
            let (conditions, terms) = match action {
                Action::ApproveWithConditions { conditions, terms } => {
                    (conditions, Some(terms).filter(|t| !t.is_empty()))
                }
                Action::Approve { conditions } => (conditions, None),
                _ => (&None, None),
            };
            optional_text("conditions", conditions)?;
            let capacity =
                decision_capacity(item, actor.expect("guard checked registration"), true)?;
            if let Some(t) = terms {
                t.check(super::blockers::today(project, now))?;
                payload["terms"] = json!(t);
                // An earlier end is no material change: the earliest wins, and the
                // change is logged with the approval so the replay can set it.
                if let Some(by) = t.expires_by
                    && super::conditions::shorten_expiry(&mut next.fields, by)
                {
                    payload["fields"] = field_changes(&item.fields, &next.fields);
                }
            }
            let approval = Approval {
                login: login.to_string(),
                capacity,
                conditions: conditions.clone().filter(|c| !c.trim().is_empty()),
                at: now,
                terms: terms.cloned().map(Box::new),
            };
            next.approvals.push(approval.clone());
            new_approval = Some(approval);
            if next.missing_approvals().is_empty() {
                to = State::Approved;
            }
            payload["capacity"] = json!(capacity.as_str());
            payload["conditions"] = json!(conditions);
            payload["privileged"] = json!(item.fields.privileged);
            payload["still_needed"] = json!(
                next.missing_approvals()
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
            );
        }
        Action::Deny { reason } | Action::Return { reason } => {
            // A denial ends the request; a return sends it back to be reworked.
            let (fix, target) = if kind == ActionKind::Deny {
                ("say why", State::Denied)
            } else {
                ("say what to change", State::Needed)
            };
            required_reason(reason, fix)?;
            record_decider(&mut payload, item, actor)?;
            // What the lapse voids, so the decision can be undone (`undo`).
            payload["lapsed"] = json!({
                "round": item.round,
                "parties": item.parties,
                "delegates": item.delegates,
                "last_reason": item.last_reason,
            });
            to = target;
            next.last_reason = Some(reason.clone());
            lapse(&mut next);
            payload["reason"] = json!(reason);
        }
        Action::Grant { method, note } => {
            optional_text("note", note)?;
            let used = method.or(item.fields.method).ok_or_else(|| {
                Refusal::new(
                    Rule::SafeCollectionMethod,
                    "the item names no collection method",
                )
                .on(Field::Method)
                .fix("say which safe method was used")
            })?;
            if let Some(approved) = item.fields.method
                && used != approved
            {
                return Err(Refusal::new(
                    Rule::ApprovedMethod,
                    format!(
                        "{} was approved for collection by {approved}, not {used}",
                        item.id()
                    ),
                )
                .on(Field::Method)
                .fix(format!(
                    "grant it by {approved}, or change the item's method (its approvals then lapse and it is approved again)"
                )));
            }
            next.granted_method = Some(used);
            lifecycle::on_grant(&mut next);
            next.granted_by = Some(login.to_string());
            // Logged by name: a grant logged before schema 7 recorded nobody.
            payload["granted_by"] = json!(login);
            // The round's decisions are made: nobody is left to be kept from them.
            next.parties.clear();
            to = State::Granted;
            payload["method"] = json!(used.as_str());
            payload["note"] = json!(note);
        }
        Action::Verify { note, reference } => {
            required_note(note, "say how scope and credential owner were checked")?;
            optional_text("reference", reference)?;
            to = State::Verified;
            payload["note"] = json!(note);
            let reference = reference.clone().filter(|r| !r.trim().is_empty());
            if reference.is_some() {
                payload["reference"] = json!(reference);
            }
            next.verify_reference = reference.map(Into::into);
        }
        Action::Revoke { note } => {
            required_note(note, "say how removal was confirmed")?;
            to = State::Revoked;
            payload["note"] = json!(note);
            // A waiting extension ends with the access.
            if next.extension.take().is_some() {
                payload["extension_dropped"] = json!(true);
            }
            payload["temporary"] = json!(item.fields.temporary);
            payload["expires"] = json!(item.fields.expires);
        }
        Action::Cancel { note } => {
            optional_text("note", note)?;
            to = State::Cancelled;
            payload["note"] = json!(note);
        }
        Action::Reopen { note } => {
            optional_text("note", note)?;
            to = State::Needed;
            lapse(&mut next);
            payload["note"] = json!(note);
        }
        Action::Block { reason } => {
            required_reason(reason, "say what blocks it")?;
            next.manual_block = Some(reason.clone());
            payload["reason"] = json!(reason);
        }
        Action::Unblock => {
            next.manual_block = None;
        }
        Action::BreakGlass { reason } => {
            required_reason(reason, "say what emergency this is")?;
            let used = item.fields.method.ok_or_else(|| {
                Refusal::new(
                    Rule::SafeCollectionMethod,
                    "the item names no collection method",
                )
                .on(Field::Method)
                .fix("even in an emergency, set a safe collection method on the item first")
            })?;
            next.emergency = true;
            next.emergency_by = Some(login.to_string());
            next.granted_by = Some(login.to_string());
            // Logged by name: a grant logged before schema 7 recorded nobody.
            payload["granted_by"] = json!(login);
            next.parties.clear();
            next.granted_method = Some(used);
            next.retro_due = Some(now + Duration::hours(RETRO_HOURS));
            lifecycle::on_grant(&mut next);
            to = State::Granted;
            payload["reason"] = json!(reason);
            payload["retro_due"] = json!(next.retro_due);
            payload["method"] = json!(used.as_str());
        }
        Action::CloseRetro { note, outcome } => {
            required_note(note, "record what the retrospective found")?;
            lifecycle::check_outcome(item, *outcome)?;
            payload["note"] = json!(note);
            payload["outcome"] = json!(outcome.as_str());
            payload["overdue"] = json!(item.retro_due.is_some_and(|d| d < now));
            next.retro_due = None;
        }
        Action::Note { text } => {
            required_note(text, "give the note text")?;
            payload["note"] = json!(text);
        }
        Action::ReportUnsafe { channel, note } => {
            required_note(note, "say who offered what, and how")?;
            lifecycle::mark_exposed(&mut next, *channel, note, &mut payload);
        }
        Action::Rotated { note } => {
            required_note(
                note,
                "say who rotated the credential and how that was confirmed",
            )?;
            next.rotation = Some(lifecycle::Rotation::Done);
            payload["note"] = json!(note);
        }
        Action::Extend { expires, reason } => {
            return extension::request(item, project, *expires, reason, actor, login, now);
        }
    }
    if to != from {
        next.state = to;
        next.state_since = now;
        payload["from"] = json!(from.as_str());
        payload["to"] = json!(to.as_str());
        if super::undo::UNDOABLE.contains(&kind.name()) {
            payload["from_since"] = json!(item.state_since);
        }
    }
    next.updated_at = now;
    next.version += 1;
    Ok(Transition {
        item: next,
        new_approval,
        kind: kind.name(),
        payload,
    })
}

/// The fields that differ between `old` and `new`, each under its JSON name with its
/// old and new value (`{"system": ["GA4", "GTM"]}`): the log then says what an edit
/// set, so replaying it needs nothing but the log. Field values are never secrets
/// (those are refused before anything is written).
pub fn field_changes(old: &ItemFields, new: &ItemFields) -> Value {
    let (Value::Object(old), Value::Object(new)) = (json!(old), json!(new)) else {
        return json!({});
    };
    let changed: serde_json::Map<String, Value> = new
        .into_iter()
        .filter_map(|(k, n)| {
            let o = old.get(&k).cloned().unwrap_or(Value::Null);
            (o != n).then(|| (k, json!([o, n])))
        })
        .collect();
    Value::Object(changed)
}

/// Applies an edit of the item's fields. A material change to a requested or
/// approved item sends it back to `needed` and voids its approvals; granted access
/// is not changed in place.
pub fn edit(
    item: &Item,
    project: &Project,
    fields: ItemFields,
    actor: Actor<'_>,
    login: &str,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Transition, Refusal> {
    let standard = super::catalogue::Standard::default();
    edit_to_standard(
        (item, project),
        fields,
        &standard,
        actor,
        login,
        (now, today),
    )
}

/// [`edit`] of an item whose system the catalogue may know (see
/// `catalogue::apply`): its role is checked and flagged against `standard`.
pub fn edit_to_standard(
    (item, project): (&Item, &Project),
    mut fields: ItemFields,
    standard: &super::catalogue::Standard,
    actor: Actor<'_>,
    login: &str,
    (now, today): (DateTime<Utc>, NaiveDate),
) -> Result<Transition, Refusal> {
    guard(item, project, ActionKind::Edit, actor, login)?;
    super::catalogue::apply(&mut fields, standard, Some(&item.fields))?;
    rules::check_fields(&fields, today, Some(&item.fields))?;
    let changed = rules::changed_fields(&item.fields, &fields);
    let material = rules::material_changes(&item.fields, &fields);
    let widening = rules::widening_changes(&item.fields, &fields);
    if changed.is_empty() {
        return Err(Refusal::new(
            Rule::ValidValue,
            format!("nothing changed on {}", item.id()),
        )
        .fix("change at least one field"));
    }
    if item.state.access_live() && !widening.is_empty() {
        return Err(Refusal::new(
            Rule::NoEditOfLiveAccess,
            format!(
                "{} is {}: {} cannot change on live access",
                item.id(),
                item.state,
                widening.join(", ")
            ),
        )
        .fix("revoke it and request the new access as a new item"));
    }
    let mut next = item.clone();
    next.fields = fields;
    let mut payload =
        json!({ "changed": changed, "fields": field_changes(&item.fields, &next.fields) });
    let lapses = !material.is_empty() && matches!(item.state, State::Requested | State::Approved);
    if lapses {
        lapse(&mut next);
        next.state = State::Needed;
        next.state_since = now;
        payload["from"] = json!(item.state.as_str());
        payload["to"] = json!("needed");
        payload["approvals_lapsed"] = json!(material);
    }
    if !material.is_empty() {
        // Whoever reshapes what is asked for counts, like the requester, as a party.
        next.add_party(login);
        payload["material"] = json!(material);
    }
    next.updated_at = now;
    next.version += 1;
    Ok(Transition {
        item: next,
        new_approval: None,
        kind: "edit",
        payload,
    })
}

#[cfg(test)]
mod tests;
