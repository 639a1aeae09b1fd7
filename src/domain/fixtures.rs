//! Values the domain's unit tests share, so each test module builds its project the
//! same way and says only what differs.

use super::model::{Person, Project, Role};
use chrono::NaiveDate;

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
