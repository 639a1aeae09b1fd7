//! Making forms: the add and edit forms of an item (one field per item field, the
//! choices filled from the registered people and the safe methods), the small forms
//! of the moves that need text, and rebasing an edit form on a newer version.

use super::{Field, FieldKind, Form, Purpose};
use crate::domain::decide::APPROVAL_OWNER_ROLES;
use crate::domain::lifecycle::{Channel, RetroOutcome};
use crate::domain::machine::ActionKind;
use crate::domain::{Deprovision, Item, ItemFields, Method, Person};
use chrono::NaiveDate;
use tui_input::Input;

pub(super) fn text(
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

pub(super) fn date(name: &'static str, label: &'static str, value: Option<NaiveDate>) -> Field {
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
/// A choice's options from a list of named values (their names both stored and shown).
fn word_options<T: std::fmt::Display>(all: &[T]) -> Vec<(String, String)> {
    all.iter().map(|w| (w.to_string(), w.to_string())).collect()
}

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
        let eligible = APPROVAL_OWNER_ROLES.iter().any(|r| p.has(*r));
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
    pub fn add(
        projects: &[String],
        scope: Option<&str>,
        people: &[Person],
        me: &str,
        today: NaiveDate,
    ) -> Form {
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
            today,
            theirs: Vec::new(),
            standards: None,
        }
    }

    /// The edit form of `item`, based on its current version.
    pub fn edit(item: &Item, people: &[Person], today: NaiveDate) -> Form {
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
            today,
            theirs: Vec::new(),
            standards: None,
        }
    }

    /// The project actions of `p`: close it (asks first), reopen it, move its start,
    /// apply a template to it or check it against its templates, or make a new project
    /// from a template (`templates`: name and what it is).
    pub fn project_actions(
        p: &crate::domain::Project,
        today: NaiveDate,
        templates: Vec<(String, String)>,
    ) -> Form {
        let options = [
            ("close", "close the project"),
            ("reopen", "reopen it (closed by mistake)"),
            ("start", "move its start date"),
            ("new", "new project from a template"),
            ("apply", "apply a template to it"),
            ("check", "check it against its templates"),
        ]
        .map(|(v, s)| (v.to_string(), s.to_string()))
        .to_vec();
        let current = if p.closed_at.is_some() {
            "reopen"
        } else {
            "close"
        };
        let mut what = choice("do", "Action", options, current);
        what.required = true;
        Form {
            title: format!("Project {} ({})", p.key, p.name),
            purpose: Purpose::Project { key: p.key.clone() },
            project: Some(p.key.clone()),
            fields: vec![
                what,
                date("start", "New start", Some(p.start)),
                choice("template", "Template", templates, ""),
            ],
            focus: 0,
            tried: false,
            today,
            theirs: Vec::new(),
            standards: None,
        }
    }

    /// A new project made from a template: its key, name, client, start and template.
    pub fn new_project(templates: Vec<(String, String)>, current: &str, today: NaiveDate) -> Form {
        let mut template = choice("template", "Template", templates, current);
        template.required = true;
        let mut start = date("start", "Start (YYYY-MM-DD)", None);
        start.required = true;
        Form {
            title: "New project from a template".to_string(),
            purpose: Purpose::NewProject,
            project: None,
            fields: vec![
                template,
                text("key", "Key (e.g. ACME)", "", true, false),
                text("name", "Name", "", true, false),
                text("client", "Client", "", true, false),
                start,
            ],
            focus: 0,
            tried: false,
            today,
            theirs: Vec::new(),
            standards: None,
        }
    }

    /// The form of a move that needs text, or `None` when the move needs none.
    pub fn for_move(item: &Item, kind: ActionKind, with_conditions: bool) -> Option<Form> {
        use ActionKind as K;
        // A move's text starts empty and may run over several lines.
        let words = |name, label, required| text(name, label, "", required, true);
        let note = || words("note", "Note", false);
        let (title, fields) = match kind {
            K::Approve if with_conditions => (
                "Approve with conditions",
                vec![
                    words("conditions", "Conditions", false),
                    date("expires-by", "Access ends by (YYYY-MM-DD)", None),
                    toggle("mfa", "MFA required", false),
                    toggle("read-only-first", "Read-only access first", false),
                    text("hours", "Allowed hours", "", false, false),
                ],
            ),
            K::Submit => ("Submit for approval", vec![note()]),
            K::Deny => ("Deny", vec![words("reason", "Reason", true)]),
            K::Return => (
                "Return for changes",
                vec![words("reason", "What to change", true)],
            ),
            K::Grant => {
                let current = item.fields.method.map(|m| m.as_str()).unwrap_or("");
                let mut method = choice("method", "Method used", method_options(false), current);
                method.required = true;
                ("Record the grant", vec![method, note()])
            }
            K::Verify => (
                "Verify",
                vec![
                    words("note", "How scope and credential owner were checked", true),
                    text(
                        "reference",
                        "Reference (ticket or vault path)",
                        "",
                        false,
                        false,
                    ),
                ],
            ),
            K::Revoke => (
                "Revoke",
                vec![words("note", "How removal was confirmed", true)],
            ),
            K::Cancel => ("Cancel", vec![note()]),
            K::Reopen => ("Reopen", vec![note()]),
            K::Block => (
                "Flag a blocker",
                vec![words("reason", "What blocks it", true)],
            ),
            K::BreakGlass => (
                "Break glass (emergency grant)",
                vec![words("reason", "Emergency", true)],
            ),
            K::CloseRetro => {
                let mut outcome = choice("outcome", "Outcome", word_options(RetroOutcome::ALL), "");
                outcome.required = true;
                (
                    "Close the retrospective",
                    vec![outcome, words("note", "What it found", true)],
                )
            }
            K::ReportUnsafe => {
                let mut channel = choice("channel", "Offered by", word_options(Channel::ALL), "");
                channel.required = true;
                (
                    "Record an unsafe attempt from outside",
                    vec![channel, words("note", "Who offered what", true)],
                )
            }
            K::Rotated => (
                "Record the rotated credential",
                vec![words("note", "Who rotated it, how it was confirmed", true)],
            ),
            K::Note => ("Add a note", vec![words("note", "Note", true)]),
            K::Extend => {
                let mut to = date("expires", "New end date", None);
                to.required = true;
                (
                    "Ask to extend the access",
                    vec![to, words("reason", "Why", false)],
                )
            }
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
            // Move forms hold no dates.
            today: NaiveDate::MIN,
            theirs: Vec::new(),
            standards: None,
        })
    }

    /// The form that hands a pending decision on `item` to someone else.
    pub fn for_delegate(item: &Item) -> Form {
        Form {
            title: format!("Delegate a decision: {} {}", item.id(), item.fields.system),
            purpose: Purpose::Delegate { id: item.id() },
            project: Some(item.project.clone()),
            fields: vec![
                text("to", "Hand to (login)", "", true, false),
                text("reason", "Reason", "", true, true),
            ],
            focus: 0,
            tried: false,
            today: NaiveDate::MIN,
            theirs: Vec::new(),
            standards: None,
        }
    }

    /// After a conflicting edit: rebases the form on the newer version of the item,
    /// keeping what was typed, and remembers the newer value of each field someone
    /// else changed (shown under the typed one). Returns the labels of those fields.
    pub fn rebase(&mut self, newer: &Item, people: &[Person]) -> Vec<&'static str> {
        let Purpose::Edit { original, .. } = &self.purpose else {
            return Vec::new();
        };
        let before = Form::edit_fields(original, people, &newer.requester);
        let after = Form::edit_fields(&newer.fields, people, &newer.requester);
        let value =
            |fields: &[Field], name: &str| fields.iter().find(|f| f.name == name).map(shown_value);
        self.theirs = after
            .iter()
            .filter(|f| value(&before, f.name) != Some(shown_value(f)))
            .map(|f| (f.name, shown_value(f)))
            .collect();
        self.purpose = Purpose::Edit {
            id: newer.id(),
            version: newer.version,
            original: Box::new(newer.fields.clone()),
        };
        self.title = format!("Edit {} (version {})", newer.id(), newer.version);
        self.theirs
            .iter()
            .filter_map(|(n, _)| self.label_of_name(n))
            .collect()
    }

    fn edit_fields(f: &ItemFields, people: &[Person], requester: &str) -> Vec<Field> {
        item_fields(f, people, requester)
    }
}

/// A field's value as the form shows it (a choice by its label, a toggle yes/no).
fn shown_value(f: &Field) -> String {
    match &f.kind {
        FieldKind::Text { input, .. } | FieldKind::Date { input } => input.value().to_string(),
        FieldKind::Choice { options, index } => options
            .get(*index)
            .map(|(_, label)| label.clone())
            .unwrap_or_default(),
        FieldKind::Toggle(on) => if *on { "yes" } else { "no" }.to_string(),
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
        text(
            "justification",
            "Justification",
            f.justification.as_deref().unwrap_or(""),
            false,
            true,
        ),
        text("notes", "Notes", &f.notes, false, true),
    ]
}
