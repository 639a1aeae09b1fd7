use super::*;
use crate::domain::machine;

use crate::domain::fixtures::person;

fn team() -> Vec<Person> {
    vec![
        person("carol", &[Role::Coordinator]),
        person("alice", &[Role::Approver]),
        person("sam", &[Role::Security]),
        person("sue", &[Role::Security]),
    ]
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn project() -> Project {
    crate::domain::fixtures::project("Acme", "2026-12-01", "UTC")
}

fn requested(privileged: bool, client_owned: bool) -> Item {
    let mut it = Item::new(
        "ACME",
        1,
        ItemFields::default(),
        "carol",
        t("2026-11-01T09:00:00Z"),
    );
    (it.rowid, it.state) = (1, State::Requested);
    let f = &mut it.fields;
    (f.system, f.purpose, f.role) = ("CRM".into(), "setup".into(), "Admin".into());
    (f.credential_owner, f.approver) = ("Ana (Acme IT)".into(), "alice".into());
    f.method = Some(Method::Vault);
    (f.privileged, f.client_owned) = (privileged, client_owned);
    it
}

fn approve(item: &Item, p: &Person) -> Result<Item, Refusal> {
    let a = machine::Action::Approve { conditions: None };
    machine::apply(
        item,
        &project(),
        &a,
        Some(p),
        &p.login,
        t("2026-11-02T09:00:00Z"),
    )
    .map(|t| t.item)
}

#[test]
fn routing_by_level() {
    assert_eq!(requested(false, false).required_approvals().len(), 1);
    assert_eq!(requested(false, true).required_approvals().len(), 2);
    assert_eq!(
        requested(true, true).required_approvals(),
        vec![Capacity::Owner, Capacity::Security, Capacity::Security]
    );
    let people = team();
    let it = requested(true, true);
    assert_eq!(may_decide(&it, &people), vec!["alice", "sam", "sue"]);
    let it = approve(&it, &people[1]).unwrap();
    let it = approve(&it, &people[2]).unwrap();
    assert_eq!(
        approve(&it, &people[2]).unwrap_err().rule,
        Rule::SeparateApprovers
    );
    let it = approve(&it, &people[3]).unwrap();
    assert_eq!(it.state, State::Approved);
}

#[test]
fn one_security_person_is_not_enough_and_a_deactivated_owner_blocks() {
    let mut people = team();
    people.pop();
    let it = requested(true, true);
    let now = t("2026-11-02T09:00:00Z");
    let r = reasons(&it, &people, now, Settings::default());
    assert_eq!(r, vec![Reason::SecondSecurityNeeded]);
    assert!(std::mem::size_of::<Reason>() <= 32);
    people[1].active = false;
    let r = reasons(&requested(false, false), &people, now, Settings::default());
    assert_eq!(r[0].code(), "reassign");
    assert_eq!(
        machine::require_registered(Some(&people[1]), "alice")
            .unwrap_err()
            .rule,
        Rule::ActivePerson
    );
}

#[test]
fn delegation_rules() {
    let people = team();
    let it = requested(false, true);
    let now = t("2026-11-02T09:00:00Z");
    let d = |it: &Item, by: &Person, to: &str| {
        delegate(
            it,
            &project(),
            Some(by),
            &by.login,
            to,
            "away",
            &people,
            now,
        )
    };
    // Never to the requester, nor a security decision to a non-security person.
    assert_eq!(
        d(&it, &people[1], "carol").unwrap_err().rule,
        Rule::NoSelfApproval
    );
    assert_eq!(
        d(&it, &people[2], "alice").unwrap_err().rule,
        Rule::RoleRequired
    );
    let t1 = d(&it, &people[1], "sue").unwrap();
    assert_eq!(t1.item.fields.approver, "alice");
    assert_eq!(owner_decider(&t1.item), "sue");
    assert_eq!(t1.kind, "delegate");
    // A security decision handed to sue is hers; sam no longer takes it.
    let t2 = d(&it, &people[2], "sue").unwrap();
    assert!(!may_take_security(&t2.item, "sam"));
    assert!(may_take_security(&t2.item, "sue"));
    // Stale waits name the person.
    let later = t("2026-11-09T09:00:00Z");
    let (who, days) = stale_wait(&t1.item, later, Settings::default()).unwrap();
    assert_eq!((who.as_str(), days), ("sue", 7));
}

#[test]
fn the_granter_does_not_verify() {
    let people = team();
    let mut it = requested(false, false);
    it.state = State::Granted;
    it.granted_by = Some("sam".into());
    let r = check_separate_fulfilment(&it, &people[2]).unwrap_err();
    assert_eq!(r.rule, Rule::SeparateFulfilment);
    assert!(check_separate_fulfilment(&it, &people[3]).is_ok());
    // Granted and left unverified beyond the stale period: it blocks, naming the granter.
    let s = Settings::default();
    assert!(reasons(&it, &people, t("2026-11-03T09:00:00Z"), s).is_empty());
    let r = reasons(&it, &people, t("2026-11-05T09:00:00Z"), s);
    assert_eq!(r[0].code(), "verify-due");
    assert!(
        r[0].to_string().contains("someone other than sam"),
        "{}",
        r[0]
    );
}
