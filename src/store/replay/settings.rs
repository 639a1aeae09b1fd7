//! Team settings in the replay: `setting-set` events rebuild `settings` (see
//! `settings_facts`), compared row by row (named by the setting), so a value changed
//! with `sqlite3` shows in `audit verify` and never quietly moves everyone's figures.

use super::compare::Want;
use super::settings_facts::SettingFacts;
use std::borrow::Cow;

/// The table this module rebuilds.
pub const TABLE: &str = "settings";

/// The columns of `settings` the replay sets, besides the key.
pub const COLUMNS: [&str; 3] = ["value", "set_by", "set_at"];

/// The columns of a setting as the replay expects them.
pub fn want(f: &SettingFacts) -> [Want<'_>; 3] {
    [
        Some(Cow::Borrowed(f.value.as_str())),
        Some(Cow::Borrowed(f.set.0.as_str())),
        Some(Cow::Borrowed(f.set.1.as_str())),
    ]
}
