//! Form state: the add and edit forms of an access item and the small forms of the
//! moves that need text (a reason, a note, conditions). Validation runs on every
//! keystroke with the domain's own rules (`rules::check_text` per field,
//! `dates::parse_date`, and `rules::review_fields` for everything that involves
//! several fields or today's date), so a form only fails on save for reasons that
//! need the database (a changed version, a person who is not registered). Problems
//! are worded with the form's labels, never with command-line flags.
//!
//! A field that holds what looks like a credential is masked on screen and blocks
//! saving; the save attempt is counted by the app, never the value.
//!
//! `build` makes the forms and their fields, `check` finds what is wrong with them.

mod build;
mod check;
mod task_forms;
#[cfg(test)]
mod tests;

use crate::domain::machine::{Action, ActionKind};
use crate::domain::refusal::UnsafeAttempt;
use crate::domain::{
    Deprovision, Exception, Field as DomainField, ItemFields, ItemPatch, Method, dates,
};
use chrono::NaiveDate;
use crossterm::event::{Event, KeyEvent};
pub use task_forms::TaskStep;
use tui_input::backend::crossterm::to_input_request;
use tui_input::{Input, InputRequest};

/// What saving the form does.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    /// Add a new item.
    Add,
    /// Edit an item's fields, based on the version it was loaded at.
    Edit {
        id: String,
        version: i64,
        original: Box<ItemFields>,
    },
    /// Make a move that needs text.
    Move {
        id: String,
        version: i64,
        kind: ActionKind,
    },
    /// Make one move, with the same text, on several items: each (id, version) is
    /// decided on its own, at the version it was picked at.
    Bulk {
        kind: ActionKind,
        targets: Vec<(String, i64)>,
    },
    /// Close or reopen a project, or move its start.
    Project { key: String },
    /// Add a project made from a template.
    NewProject,
    /// Hand a pending decision on the item to someone else.
    Delegate { id: String },
    /// Change a task, or record its start or its end.
    Task {
        id: String,
        step: task_forms::TaskStep,
    },
}

/// The kind of value a field holds.
#[derive(Debug, Clone)]
pub enum FieldKind {
    /// Free text, checked by `rules::check_text`.
    Text { input: Input, multiline: bool },
    /// A calendar date, YYYY-MM-DD.
    Date { input: Input },
    /// One of a fixed list (value, label); never free text.
    Choice {
        options: Vec<(String, String)>,
        index: usize,
    },
    /// Yes or no.
    Toggle(bool),
}

/// One field of a form.
#[derive(Debug, Clone)]
pub struct Field {
    /// The field's name as the rules and the CLI spell it (used in refusals).
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    /// Saving is refused while it is empty.
    pub required: bool,
    /// Needed before the item can be submitted (shown as a hint, does not block).
    pub for_submit: bool,
}

/// What is wrong with a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub text: String,
    /// The field holds what looks like a credential: mask it and count the attempt.
    pub secret: Option<UnsafeAttempt>,
    /// Only "required": shown quietly until the first save attempt.
    pub missing: bool,
}

/// What the form says under a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Saving is refused until it is fixed.
    Problem(Problem),
    /// Accepted, but worth knowing (a needed-by date that has passed).
    Warning(String),
    /// After a conflicting edit: the value someone else saved meanwhile.
    Theirs(String),
}

/// An open form.
#[derive(Debug, Clone)]
pub struct Form {
    pub title: String,
    pub purpose: Purpose,
    /// Project the item belongs to (`None` only for an add form with no project yet).
    pub project: Option<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Set after the first save attempt: missing required fields are shown loudly.
    pub tried: bool,
    /// Today in the project's time zone: an expiry must not lie before it.
    pub today: NaiveDate,
    /// After a conflicting edit: field name and the value saved by someone else.
    pub theirs: Vec<(&'static str, String)>,
    /// The catalogue and the project's standard roles (add and edit forms): a role
    /// the catalogue does not list is shown as refused, the standard role suggested.
    pub standards: Option<std::sync::Arc<crate::store::Standards>>,
}

impl Form {
    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    pub fn focus_is_choice(&self) -> bool {
        matches!(
            self.focused().map(|f| &f.kind),
            Some(FieldKind::Choice { .. } | FieldKind::Toggle(_))
        )
    }

    pub fn next(&mut self) {
        if !self.fields.is_empty() {
            self.focus = (self.focus + 1) % self.fields.len();
        }
    }

    pub fn prev(&mut self) {
        if !self.fields.is_empty() {
            self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
        }
    }

    /// Next (or previous) value of a choice field; flips a toggle.
    pub fn cycle(&mut self, forward: bool) {
        let Some(f) = self.fields.get_mut(self.focus) else {
            return;
        };
        match &mut f.kind {
            FieldKind::Choice { options, index } if !options.is_empty() => {
                let n = options.len();
                *index = if forward {
                    (*index + 1) % n
                } else {
                    (*index + n - 1) % n
                };
            }
            FieldKind::Toggle(on) => *on = !*on,
            _ => {}
        }
        if f.name == "project" {
            self.project = self.value("project").filter(|v| !v.is_empty());
        }
    }

    /// A key typed into the focused text or date field.
    pub fn input(&mut self, key: KeyEvent) {
        if let Some(req) = to_input_request(&Event::Key(key)) {
            self.request(req);
        }
    }

    /// Pasted text: line breaks become spaces (fields are one line on screen).
    pub fn paste(&mut self, text: &str) {
        for c in text.chars() {
            let c = if c == '\n' || c == '\r' { ' ' } else { c };
            self.request(InputRequest::InsertChar(c));
        }
    }

    fn request(&mut self, req: InputRequest) {
        if let Some(f) = self.fields.get_mut(self.focus)
            && let FieldKind::Text { input, .. } | FieldKind::Date { input } = &mut f.kind
        {
            input.handle(req);
        }
    }

    fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The field's value as text (choices give their value, toggles "yes"/"").
    pub fn value(&self, name: &str) -> Option<String> {
        self.field(name).map(|f| match &f.kind {
            FieldKind::Text { input, .. } | FieldKind::Date { input } => input.value().to_string(),
            FieldKind::Choice { options, index } => options
                .get(*index)
                .map(|(v, _)| v.clone())
                .unwrap_or_default(),
            FieldKind::Toggle(on) => {
                if *on {
                    "yes".into()
                } else {
                    String::new()
                }
            }
        })
    }

    fn toggled(&self, name: &str) -> bool {
        matches!(
            self.field(name).map(|f| &f.kind),
            Some(FieldKind::Toggle(true))
        )
    }

    pub(crate) fn date_value(&self, name: &str) -> Option<NaiveDate> {
        let field = DomainField::from_name(name)?;
        self.value(name)
            .and_then(|v| dates::parse_date(field, v.trim()).ok())
    }

    /// The form's label of the input a refusal is about.
    pub fn label_of(&self, field: DomainField) -> Option<&'static str> {
        self.label_of_name(field.name())
    }

    /// The form's label of a field named as the rules name it.
    pub fn label_of_name(&self, name: &str) -> Option<&'static str> {
        self.field(name).map(|f| f.label)
    }

    /// The first field holding what looks like a credential (counted on save).
    pub fn secret(&self) -> Option<UnsafeAttempt> {
        self.fields
            .iter()
            .find_map(|f| self.field_problem(f).and_then(|p| p.secret))
    }

    /// The item's fields as entered (add and edit forms).
    pub fn item_fields(&self) -> ItemFields {
        let t = |name: &str| self.value(name).unwrap_or_default().trim().to_string();
        let opt = |name: &str| Some(t(name)).filter(|v| !v.is_empty());
        let temporary = self.toggled("temporary");
        let exception = opt("exception").map(|reason| Exception {
            reason,
            owner: opt("exception-owner"),
            expires: self.date_value("exception-expires"),
        });
        ItemFields {
            system: t("system"),
            purpose: t("purpose"),
            role: t("role"),
            holder: opt("holder"),
            credential_owner: t("credential-owner"),
            approver: t("approver"),
            method: opt("method").and_then(|m| m.parse::<Method>().ok()),
            temporary,
            expires: if temporary {
                self.date_value("expires")
            } else {
                None
            },
            deprovision: if temporary {
                opt("deprovision").and_then(|d| d.parse::<Deprovision>().ok())
            } else {
                None
            },
            privileged: self.toggled("privileged"),
            shared_credential: self.toggled("shared-credential"),
            client_owned: self.toggled("client-owned"),
            exception: exception.map(Box::new),
            needed_by: self.date_value("needed-by"),
            notes: self.value("notes").unwrap_or_default(),
            above_standard: false,
            justification: opt("justification").map(Into::into),
        }
    }

    /// The change an edit form makes: only the fields that differ from the original.
    pub fn patch(&self) -> ItemPatch {
        let Purpose::Edit { original, .. } = &self.purpose else {
            return ItemPatch::default();
        };
        let new = self.item_fields();
        let o = original.as_ref();
        fn diff<T: PartialEq + Clone>(old: &T, new: &T) -> Option<T> {
            (old != new).then(|| new.clone())
        }
        ItemPatch {
            system: diff(&o.system, &new.system),
            purpose: diff(&o.purpose, &new.purpose),
            role: diff(&o.role, &new.role),
            holder: diff(&o.holder, &new.holder),
            credential_owner: diff(&o.credential_owner, &new.credential_owner),
            approver: diff(&o.approver, &new.approver),
            method: diff(&o.method, &new.method),
            temporary: diff(&o.temporary, &new.temporary),
            expires: diff(&o.expires, &new.expires),
            deprovision: diff(&o.deprovision, &new.deprovision),
            privileged: diff(&o.privileged, &new.privileged),
            shared_credential: diff(&o.shared_credential, &new.shared_credential),
            client_owned: diff(&o.client_owned, &new.client_owned),
            exception: diff(&o.exception, &new.exception),
            needed_by: diff(&o.needed_by, &new.needed_by),
            notes: diff(&o.notes, &new.notes),
            justification: diff(&o.justification, &new.justification),
        }
    }

    /// The move a move form makes.
    pub fn action(&self) -> Option<Action> {
        let (Purpose::Move { kind, .. } | Purpose::Bulk { kind, .. }) = &self.purpose else {
            return None;
        };
        let t = |name: &str| self.value(name).unwrap_or_default().trim().to_string();
        let opt = |name: &str| Some(t(name)).filter(|v| !v.is_empty());
        use ActionKind as K;
        Some(match kind {
            K::Approve => {
                let terms = crate::domain::conditions::ConditionFields {
                    expires_by: opt("expires-by").and_then(|d| d.parse().ok()),
                    mfa: self.value("mfa").is_some_and(|v| !v.is_empty()),
                    read_only_first: self.value("read-only-first").is_some_and(|v| !v.is_empty()),
                    hours: opt("hours"),
                };
                if terms.is_empty() {
                    Action::Approve {
                        conditions: opt("conditions"),
                    }
                } else {
                    Action::ApproveWithConditions {
                        conditions: opt("conditions"),
                        terms,
                    }
                }
            }
            K::Submit => Action::Submit { note: opt("note") },
            K::Deny => Action::Deny {
                reason: t("reason"),
            },
            K::Return => Action::Return {
                reason: t("reason"),
            },
            K::Grant => Action::Grant {
                method: opt("method").and_then(|m| m.parse().ok()),
                note: opt("note"),
            },
            K::Verify => Action::Verify {
                note: t("note"),
                reference: opt("reference"),
            },
            K::Revoke => Action::Revoke { note: t("note") },
            K::Cancel => Action::Cancel { note: opt("note") },
            K::Reopen => Action::Reopen { note: opt("note") },
            K::Block => Action::Block {
                reason: t("reason"),
            },
            K::Unblock => Action::Unblock,
            K::BreakGlass => Action::BreakGlass {
                reason: t("reason"),
            },
            K::CloseRetro => Action::CloseRetro {
                note: t("note"),
                outcome: opt("outcome")
                    .and_then(|o| o.parse().ok())
                    .unwrap_or(crate::domain::lifecycle::RetroOutcome::Accepted),
            },
            K::ReportUnsafe => Action::ReportUnsafe {
                channel: opt("channel")
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(crate::domain::lifecycle::Channel::Other),
                note: t("note"),
            },
            K::Rotated => Action::Rotated { note: t("note") },
            K::Note => Action::Note { text: t("note") },
            K::Extend => Action::Extend {
                expires: self.date_value("expires")?,
                reason: opt("reason"),
            },
            K::Edit => return None,
        })
    }

    /// Item id the form works on (edit and move forms).
    pub fn item_id(&self) -> Option<&str> {
        match &self.purpose {
            Purpose::Add | Purpose::Project { .. } | Purpose::NewProject | Purpose::Task { .. } => {
                None
            }
            Purpose::Edit { id, .. } | Purpose::Move { id, .. } | Purpose::Delegate { id } => {
                Some(id)
            }
            Purpose::Bulk { targets, .. } => targets.first().map(|(id, _)| id.as_str()),
        }
    }
}
