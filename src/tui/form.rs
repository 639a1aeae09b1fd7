//! Form state: the add and edit forms of an access item and the small forms of the
//! moves that need text (a reason, a note, conditions). Validation runs on every
//! keystroke with the same rules the store applies (`rules::check_text` per field,
//! dates as YYYY-MM-DD, required fields), so a form only fails on save for reasons
//! that need the database (a changed version, a person who is not registered).
//!
//! A field that holds what looks like a credential is masked on screen and blocks
//! saving; the save attempt is counted by the app, never the value.

use crate::domain::machine::{Action, ActionKind};
use crate::domain::refusal::UnsafeAttempt;
use crate::domain::{
    Deprovision, Exception, Item, ItemFields, ItemPatch, Method, Person, Role, rules,
};
use chrono::NaiveDate;
use crossterm::event::{Event, KeyEvent};
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
}

fn text(
    name: &'static str,
    label: &'static str,
    value: &str,
    required: bool,
    multiline: bool,
) -> Field {
    Field {
        name,
        label,
        kind: FieldKind::Text {
            input: Input::new(value.to_string()),
            multiline,
        },
        required,
        for_submit: false,
    }
}

fn date(name: &'static str, label: &'static str, value: Option<NaiveDate>) -> Field {
    Field {
        name,
        label,
        kind: FieldKind::Date {
            input: Input::new(
                value
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
            ),
        },
        required: false,
        for_submit: false,
    }
}

fn toggle(name: &'static str, label: &'static str, on: bool) -> Field {
    Field {
        name,
        label,
        kind: FieldKind::Toggle(on),
        required: false,
        for_submit: false,
    }
}

fn choice(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    current: &str,
) -> Field {
    let index = options.iter().position(|(v, _)| v == current).unwrap_or(0);
    Field {
        name,
        label,
        kind: FieldKind::Choice { options, index },
        required: false,
        for_submit: false,
    }
}

fn submit_needs(mut f: Field) -> Field {
    f.for_submit = true;
    f
}

/// The safe collection methods, plus "not chosen yet" for drafts.
fn method_options(with_none: bool) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    if with_none {
        v.push((String::new(), "(not chosen yet)".into()));
    }
    v.extend(
        Method::ALL
            .iter()
            .map(|m| (m.as_str().to_string(), m.as_str().to_string())),
    );
    v
}

/// People who may own approvals, without `exclude` (nobody owns their own request).
fn approver_options(people: &[Person], exclude: &str, current: &str) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), "(none yet)".to_string())];
    for p in people {
        let eligible = p.has(Role::Approver) || p.has(Role::Coordinator) || p.has(Role::Security);
        if (eligible && p.login != exclude) || p.login == current {
            v.push((p.login.clone(), person_label(p)));
        }
    }
    if !current.is_empty() && !v.iter().any(|(l, _)| l == current) {
        v.push((current.to_string(), current.to_string()));
    }
    v
}

fn person_label(p: &Person) -> String {
    if p.name.trim().is_empty() || p.name == p.login {
        p.login.clone()
    } else {
        format!("{} ({})", p.login, p.name)
    }
}

fn people_options(people: &[Person], current: &str) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), "(none)".to_string())];
    v.extend(people.iter().map(|p| (p.login.clone(), person_label(p))));
    if !current.is_empty() && !v.iter().any(|(l, _)| l == current) {
        v.push((current.to_string(), current.to_string()));
    }
    v
}

impl Form {
    /// The add form. `projects` are the open projects' keys; `scope` preselects one.
    pub fn add(projects: &[String], scope: Option<&str>, people: &[Person], me: &str) -> Form {
        let opts: Vec<(String, String)> = projects.iter().map(|k| (k.clone(), k.clone())).collect();
        let mut fields = vec![choice("project", "Project", opts, scope.unwrap_or(""))];
        fields.extend(item_fields(&ItemFields::default(), people, me));
        Form {
            title: "New access item".into(),
            purpose: Purpose::Add,
            project: scope
                .map(str::to_string)
                .or_else(|| projects.first().cloned()),
            fields,
            focus: 1,
            tried: false,
        }
    }

    /// The edit form of `item`, based on its current version.
    pub fn edit(item: &Item, people: &[Person]) -> Form {
        Form {
            title: format!("Edit {} (version {})", item.id(), item.version),
            purpose: Purpose::Edit {
                id: item.id(),
                version: item.version,
                original: Box::new(item.fields.clone()),
            },
            project: Some(item.project.clone()),
            fields: item_fields(&item.fields, people, &item.requester),
            focus: 0,
            tried: false,
        }
    }

    /// The form of a move that needs text, or `None` when the move needs none.
    pub fn for_move(item: &Item, kind: ActionKind, with_conditions: bool) -> Option<Form> {
        use ActionKind as K;
        let (title, fields) = match kind {
            K::Approve if with_conditions => (
                "Approve with conditions",
                vec![text("conditions", "Conditions", "", true, true)],
            ),
            K::Submit => (
                "Submit for approval",
                vec![text("note", "Note", "", false, true)],
            ),
            K::Deny => ("Deny", vec![text("reason", "Reason", "", true, true)]),
            K::Return => (
                "Return for changes",
                vec![text("reason", "What to change", "", true, true)],
            ),
            K::Grant => {
                let current = item.fields.method.map(|m| m.as_str()).unwrap_or("");
                let mut method = choice("method", "Method used", method_options(false), current);
                method.required = true;
                (
                    "Record the grant",
                    vec![method, text("note", "Note", "", false, true)],
                )
            }
            K::Verify => (
                "Verify",
                vec![text(
                    "note",
                    "How scope and credential owner were checked",
                    "",
                    true,
                    true,
                )],
            ),
            K::Revoke => (
                "Revoke",
                vec![text("note", "How removal was confirmed", "", true, true)],
            ),
            K::Cancel => ("Cancel", vec![text("note", "Note", "", false, true)]),
            K::Reopen => ("Reopen", vec![text("note", "Note", "", false, true)]),
            K::Block => (
                "Flag a blocker",
                vec![text("reason", "What blocks it", "", true, true)],
            ),
            K::BreakGlass => (
                "Break glass (emergency grant)",
                vec![text("reason", "Emergency", "", true, true)],
            ),
            K::CloseRetro => (
                "Close the retrospective",
                vec![text("note", "What it found", "", true, true)],
            ),
            K::Note => ("Add a note", vec![text("note", "Note", "", true, true)]),
            K::Approve | K::Unblock | K::Edit => return None,
        };
        Some(Form {
            title: format!("{title}: {} {}", item.id(), item.fields.system),
            purpose: Purpose::Move {
                id: item.id(),
                version: item.version,
                kind,
            },
            project: Some(item.project.clone()),
            fields,
            focus: 0,
            tried: false,
        })
    }

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

    fn date_value(&self, name: &str) -> Option<NaiveDate> {
        self.value(name)
            .and_then(|v| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok())
    }

    /// What is wrong with one field on its own.
    pub fn field_problem(&self, f: &Field) -> Option<Problem> {
        let plain = |text: String| Problem {
            text,
            secret: None,
            missing: false,
        };
        match &f.kind {
            FieldKind::Text { input, multiline } => {
                let v = input.value();
                if let Err(r) = rules::check_text(f.name, v, *multiline) {
                    return Some(Problem {
                        text: match &r.unsafe_attempt {
                            Some(a) => format!(
                                "refused ({}): this looks like a credential ({}); it is never stored — remove it and use a safe collection method",
                                r.rule, a.detector
                            ),
                            None => format!("refused ({}): {}", r.rule, r.message()),
                        },
                        secret: r.unsafe_attempt.map(|a| *a),
                        missing: false,
                    });
                }
                if f.required && v.trim().is_empty() {
                    return Some(Problem {
                        text: "required".into(),
                        secret: None,
                        missing: true,
                    });
                }
                None
            }
            FieldKind::Date { input } => {
                let v = input.value().trim();
                if v.is_empty() {
                    return None;
                }
                match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
                    Ok(_) => None,
                    Err(_) => Some(plain("not a date: write it as YYYY-MM-DD".into())),
                }
            }
            FieldKind::Choice { options, index } => {
                let empty = options.get(*index).is_none_or(|(v, _)| v.is_empty());
                (f.required && empty).then(|| Problem {
                    text: "required: choose one".into(),
                    secret: None,
                    missing: true,
                })
            }
            FieldKind::Toggle(_) => None,
        }
    }

    /// Problems that involve several fields (temporary access and its expiry, the
    /// three parts of an exception), by the field they are shown under.
    pub fn cross_problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !matches!(self.purpose, Purpose::Add | Purpose::Edit { .. }) {
            return out;
        }
        let temporary = self.toggled("temporary");
        let has = |name: &str| self.value(name).is_some_and(|v| !v.trim().is_empty());
        if temporary && !has("expires") {
            out.push((
                "expires",
                "temporary access needs an expiry date".to_string(),
            ));
        }
        if !temporary && has("expires") {
            out.push((
                "expires",
                "an expiry only applies to temporary access: switch Temporary on".to_string(),
            ));
        }
        if has("exception") || has("exception-owner") || has("exception-expires") {
            if !has("exception") {
                out.push((
                    "exception",
                    "a security exception needs a reason".to_string(),
                ));
            }
            if !has("exception-owner") {
                out.push((
                    "exception-owner",
                    "a security exception needs an owner".to_string(),
                ));
            }
            if !has("exception-expires") {
                out.push((
                    "exception-expires",
                    "a security exception needs an expiry date".to_string(),
                ));
            }
        }
        out
    }

    /// Every problem of the form, by field index.
    pub fn problems(&self) -> Vec<(usize, Problem)> {
        let mut out = Vec::new();
        let cross = self.cross_problems();
        for (i, f) in self.fields.iter().enumerate() {
            if let Some(p) = self.field_problem(f) {
                out.push((i, p));
            } else if let Some((_, text)) = cross.iter().find(|(n, _)| *n == f.name) {
                out.push((
                    i,
                    Problem {
                        text: text.clone(),
                        secret: None,
                        missing: false,
                    },
                ));
            }
        }
        out
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
            exception,
            needed_by: self.date_value("needed-by"),
            notes: self.value("notes").unwrap_or_default(),
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
        }
    }

    /// The move a move form makes.
    pub fn action(&self) -> Option<Action> {
        let Purpose::Move { kind, .. } = &self.purpose else {
            return None;
        };
        let t = |name: &str| self.value(name).unwrap_or_default().trim().to_string();
        let opt = |name: &str| Some(t(name)).filter(|v| !v.is_empty());
        use ActionKind as K;
        Some(match kind {
            K::Approve => Action::Approve {
                conditions: opt("conditions"),
            },
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
            K::Verify => Action::Verify { note: t("note") },
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
            K::CloseRetro => Action::CloseRetro { note: t("note") },
            K::Note => Action::Note { text: t("note") },
            K::Edit => return None,
        })
    }

    /// Item id the form works on (edit and move forms).
    pub fn item_id(&self) -> Option<&str> {
        match &self.purpose {
            Purpose::Add => None,
            Purpose::Edit { id, .. } | Purpose::Move { id, .. } => Some(id),
        }
    }
}

/// The item fields of the add and edit forms. `requester` cannot own the approval.
fn item_fields(f: &ItemFields, people: &[Person], requester: &str) -> Vec<Field> {
    let ex = f.exception.clone().unwrap_or_default();
    let mut system = text("system", "System", &f.system, true, false);
    system.for_submit = true;
    vec![
        system,
        submit_needs(text(
            "purpose",
            "Purpose (task it serves)",
            &f.purpose,
            false,
            false,
        )),
        submit_needs(text("role", "Requested role", &f.role, false, false)),
        text(
            "holder",
            "Access holder",
            f.holder.as_deref().unwrap_or(""),
            false,
            false,
        ),
        submit_needs(text(
            "credential-owner",
            "Credential owner",
            &f.credential_owner,
            false,
            false,
        )),
        submit_needs(choice(
            "approver",
            "Approval owner",
            approver_options(people, requester, &f.approver),
            &f.approver,
        )),
        submit_needs(choice(
            "method",
            "Collection method",
            method_options(true),
            f.method.map(|m| m.as_str()).unwrap_or(""),
        )),
        toggle("temporary", "Temporary", f.temporary),
        date("expires", "Expires (YYYY-MM-DD)", f.expires),
        choice(
            "deprovision",
            "Deprovision",
            Deprovision::ALL
                .iter()
                .map(|d| (d.as_str().to_string(), d.as_str().to_string()))
                .collect(),
            f.deprovision.map(|d| d.as_str()).unwrap_or("on-date"),
        ),
        toggle("privileged", "Privileged", f.privileged),
        toggle(
            "shared-credential",
            "Shared credential",
            f.shared_credential,
        ),
        toggle("client-owned", "Client-owned system", f.client_owned),
        text("exception", "Security exception", &ex.reason, false, true),
        choice(
            "exception-owner",
            "Exception owner",
            people_options(people, ex.owner.as_deref().unwrap_or("")),
            ex.owner.as_deref().unwrap_or(""),
        ),
        date("exception-expires", "Exception expires", ex.expires),
        date("needed-by", "Needed by", f.needed_by),
        text("notes", "Notes", &f.notes, false, true),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn people() -> Vec<Person> {
        vec![
            Person {
                login: "alice".into(),
                name: "Alice".into(),
                roles: vec![Role::Approver],
            },
            Person {
                login: "tester".into(),
                name: "tester".into(),
                roles: vec![Role::Coordinator],
            },
        ]
    }

    fn type_text(form: &mut Form, s: &str) {
        for c in s.chars() {
            form.input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    #[test]
    fn add_form_requires_system_and_masks_secrets() {
        let mut form = Form::add(&["ACME".into()], Some("ACME"), &people(), "tester");
        assert_eq!(form.focused().map(|f| f.name), Some("system"));
        assert!(form.problems().iter().any(|(_, p)| p.missing));
        type_text(&mut form, "Analytics");
        assert!(form.problems().is_empty(), "{:?}", form.problems());
        let notes = form.fields.iter().position(|f| f.name == "notes").unwrap();
        form.focus = notes;
        type_text(&mut form, "password=hunter2");
        let secret = form.secret().unwrap();
        assert_eq!(secret.field, "notes");
        let shown: Vec<String> = form
            .problems()
            .iter()
            .map(|(_, p)| p.text.clone())
            .collect();
        assert!(shown.iter().all(|t| !t.contains("hunter2")));
    }

    #[test]
    fn approver_choice_excludes_the_requester() {
        let form = Form::add(&["ACME".into()], Some("ACME"), &people(), "tester");
        let f = form.fields.iter().find(|f| f.name == "approver").unwrap();
        let FieldKind::Choice { options, .. } = &f.kind else {
            panic!()
        };
        assert!(options.iter().any(|(v, _)| v == "alice"));
        assert!(!options.iter().any(|(v, _)| v == "tester"));
    }

    #[test]
    fn temporary_needs_expiry_and_dates_are_checked() {
        let mut form = Form::add(&["ACME".into()], Some("ACME"), &people(), "tester");
        type_text(&mut form, "Analytics");
        form.focus = form
            .fields
            .iter()
            .position(|f| f.name == "temporary")
            .unwrap();
        form.cycle(true);
        assert!(
            form.problems()
                .iter()
                .any(|(_, p)| p.text.contains("expiry"))
        );
        form.focus = form
            .fields
            .iter()
            .position(|f| f.name == "expires")
            .unwrap();
        type_text(&mut form, "2026-13-01");
        assert!(
            form.problems()
                .iter()
                .any(|(_, p)| p.text.contains("YYYY-MM-DD"))
        );
    }
}
