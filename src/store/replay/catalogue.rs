//! The system catalogue in the replay: `system-add` events rebuild `systems`, which is
//! compared row by row (named by the system's name), so an entry planted or changed
//! with `sqlite3` shows in `audit verify`.

use super::catalogue_facts::SystemFacts;
use super::compare::Want;
use std::borrow::Cow;

/// The table this module compares.
pub const TABLE: &str = "systems";

/// The columns of `systems` the replay sets, besides the name.
pub const COLUMNS: [&str; 8] = [
    "category",
    "roles",
    "privileged_roles",
    "not_privileged_roles",
    "default_method",
    "client_owned",
    "added_by",
    "added_at",
];

/// The columns of an entry as the replay expects them.
pub fn want(f: &SystemFacts) -> [Want<'_>; 8] {
    let s = &f.system;
    let list = |v: &Vec<String>| Some(Cow::Owned(serde_json::json!(v).to_string()));
    [
        Some(Cow::Borrowed(s.category.as_str())),
        list(&s.roles),
        list(&s.privileged_roles),
        list(&s.not_privileged_roles),
        s.default_method.map(|m| Cow::Borrowed(m.as_str())),
        Some(Cow::Borrowed(if s.client_owned { "1" } else { "0" })),
        Some(Cow::Borrowed(f.added_by.as_str())),
        Some(Cow::Borrowed(f.added_at.as_str())),
    ]
}
