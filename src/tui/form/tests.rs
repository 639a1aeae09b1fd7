//! Forms on their own: required fields, masked credentials, the approver choice and
//! validation while typing.

use super::*;
use crate::domain::{Person, Role};
use crossterm::event::{KeyCode, KeyModifiers};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 4).expect("a date")
}

fn people() -> Vec<Person> {
    vec![
        Person {
            login: "alice".into(),
            name: "Alice".into(),
            roles: vec![Role::Approver],
            active: true,
        },
        Person {
            login: "tester".into(),
            name: "tester".into(),
            roles: vec![Role::Coordinator],
            active: true,
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
    let mut form = Form::add(&["ACME".into()], Some("ACME"), &people(), "tester", today());
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
    let form = Form::add(&["ACME".into()], Some("ACME"), &people(), "tester", today());
    let f = form.fields.iter().find(|f| f.name == "approver").unwrap();
    let FieldKind::Choice { options, .. } = &f.kind else {
        panic!()
    };
    assert!(options.iter().any(|(v, _)| v == "alice"));
    assert!(!options.iter().any(|(v, _)| v == "tester"));
}

#[test]
fn temporary_needs_expiry_and_dates_are_checked() {
    let mut form = Form::add(&["ACME".into()], Some("ACME"), &people(), "tester", today());
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
            .any(|(_, p)| p.text.contains("2026-13-01")),
        "{:?}",
        form.problems()
    );
}

fn focus(form: &mut Form, name: &str) {
    form.focus = form.fields.iter().position(|f| f.name == name).unwrap();
}

fn note_of(form: &Form, name: &str) -> Option<Note> {
    let i = form.fields.iter().position(|f| f.name == name).unwrap();
    form.notes()
        .into_iter()
        .find(|(k, _)| *k == i)
        .map(|(_, n)| n)
}

#[test]
fn an_impossible_date_is_named_while_typing_without_blaming_the_format() {
    let mut form = Form::add(&["ACME".into()], Some("ACME"), &people(), "tester", today());
    type_text(&mut form, "Analytics");
    focus(&mut form, "needed-by");
    type_text(&mut form, "2026-02-30");
    let Some(Note::Problem(p)) = note_of(&form, "needed-by") else {
        panic!("no problem shown: {:?}", form.notes())
    };
    assert!(
        p.text.contains("2026-02-30") && p.text.contains("28"),
        "{}",
        p.text
    );
    assert!(!p.text.contains("YYYY-MM-DD"), "{}", p.text);
}

/// Moves to `field` and types `text` into it.
fn type_into(form: &mut Form, field: &str, text: &str) {
    focus(form, field);
    type_text(form, text);
}

#[test]
fn a_past_expiry_is_refused_while_typing_and_a_past_needed_by_only_warned() {
    let mut form = Form::add(&["ACME".into()], Some("ACME"), &people(), "tester", today());
    type_text(&mut form, "Analytics");
    focus(&mut form, "temporary");
    form.cycle(true);
    let refused_as_past = |form: &Form, field: &str| matches!(note_of(form, field), Some(Note::Problem(p)) if p.text.contains("past"));
    type_into(&mut form, "expires", "2026-03-01");
    assert!(refused_as_past(&form, "expires"), "{:?}", form.notes());
    type_into(&mut form, "exception", "legacy SSO");
    focus(&mut form, "exception-owner");
    form.cycle(true);
    type_into(&mut form, "exception-expires", "2026-01-31");
    assert!(
        refused_as_past(&form, "exception-expires"),
        "{:?}",
        form.notes()
    );
    type_into(&mut form, "needed-by", "2026-03-02");
    assert!(
        matches!(note_of(&form, "needed-by"), Some(Note::Warning(w)) if w.contains("overdue")),
        "{:?}",
        form.notes()
    );
    assert!(
        !form
            .problems()
            .iter()
            .any(|(i, _)| form.fields[*i].name == "needed-by"),
        "a past needed-by does not stop saving"
    );
}
