//! Values the domain's unit tests share, so each test module builds its project the
//! same way and says only what differs.

use super::model::{Approval, Capacity, Item, ItemFields, Method, Person, Project, Role, State};
use chrono::{DateTime, NaiveDate, Utc};

/// A registered, active person whose display name is the login in capitals.
pub fn person(login: &str, roles: &[Role]) -> Person {
    Person {
        login: login.into(),
        name: login.to_uppercase(),
        roles: roles.to_vec(),
        active: true,
    }
}

/// Project ACME of coordinator carol, starting on `start` (YYYY-MM-DD) in zone `tz`.
pub fn project(name: &str, start: &str, tz: &str) -> Project {
    Project {
        key: "ACME".into(),
        name: name.into(),
        client: if name == "Acme" {
            "Acme".into()
        } else {
            "Acme Retail".into()
        },
        start: start.parse::<NaiveDate>().expect("a fixture date"),
        tz: tz.into(),
        coordinator: "carol".into(),
        closed_at: None,
        reviewed: false,
        review_started: None,
    }
}

/// Item ACME-1 (row 1) of requester carol, complete, in `state`, added and last changed
/// at `at` (RFC 3339).
pub fn item(state: State, at: &str) -> Item {
    let fields = ItemFields {
        system: "Analytics".into(),
        purpose: "tracking".into(),
        role: "Editor".into(),
        credential_owner: "Dana".into(),
        approver: "alice".into(),
        method: Some(Method::Vault),
        ..Default::default()
    };
    Item {
        rowid: 1,
        state,
        ..Item::new("ACME", 1, fields, "carol", instant(at))
    }
}

/// An instant written in RFC 3339.
pub fn instant(at: &str) -> DateTime<Utc> {
    at.parse().expect("a fixture time")
}

/// An approval by `login` in `capacity`, given at `at` (RFC 3339), with no conditions.
pub fn approval(login: &str, capacity: Capacity, at: &str) -> Approval {
    Approval {
        login: login.into(),
        capacity,
        conditions: None,
        at: instant(at),
        terms: None,
    }
}
