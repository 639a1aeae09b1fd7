//! Templates: the access items one kind of implementation always needs (an analytics
//! setup, a website relaunch, a billing integration), each at its least sufficient
//! role. A template is checked once here; a project made from it gets one item per
//! template item, with its needed-by date and expiry computed from the project's start;
//! and `gaps` says where a project has drifted from the templates it was made from.

use super::model::{Deprovision, ItemFields, Method, State};
use super::refusal::{Field, Refusal, Rule};
use super::rules;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The longest template name, and the most items one template holds.
pub const MAX_NAME: usize = 48;
pub const MAX_ITEMS: usize = 500;

/// A template as stored and as written in its TOML file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Lower-case letters, digits and dashes (`analytics-setup`).
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// The items, in the order they are created.
    #[serde(rename = "item", default)]
    pub items: Vec<TemplateItem>,
}

/// One access item of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateItem {
    pub system: String,
    /// The least role that does the work.
    pub role: String,
    pub purpose: String,
    pub method: Method,
    #[serde(default)]
    pub temporary: bool,
    // Temporary access: how long it lasts counted from the item's needed-by date, and
    // how it is removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprovision: Option<Deprovision>,
    #[serde(default)]
    pub needed_by_days: i32, // days from the project's start (negative: before it)
    #[serde(default, skip_serializing_if = "is_false")]
    pub privileged: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub shared_credential: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub client_owned: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A refusal of a template, with the item (counted from 1) it concerns, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateProblem {
    pub item: Option<usize>,
    pub refusal: Refusal,
}

fn bad(item: Option<usize>, field: Field, problem: String, fix: &str) -> TemplateProblem {
    TemplateProblem {
        item,
        refusal: Refusal::new(Rule::TemplateFormat, problem)
            .on(field)
            .fix(fix),
    }
}

/// A template name as stored: trimmed, lower-case.
pub fn name_key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// Checks a template (names, texts, durations) and trims its texts.
pub fn check(t: &mut Template) -> Result<(), TemplateProblem> {
    t.name = name_key(&t.name);
    let good_name = !t.name.is_empty()
        && t.name.len() <= MAX_NAME
        && t.name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !good_name {
        return Err(bad(
            None,
            Field::Template,
            format!("template name {:?} is not a valid name", t.name),
            "use lower-case letters, digits and dashes, at most 48 characters",
        ));
    }
    t.title = t.title.trim().to_string();
    t.description = t.description.trim().to_string();
    for (field, v, multi) in [
        (Field::Title, &t.title, false),
        (Field::Notes, &t.description, true),
    ] {
        rules::check_text(field.name(), v, multi).map_err(|r| TemplateProblem {
            item: None,
            refusal: r,
        })?;
    }
    if t.title.is_empty() {
        return Err(bad(
            None,
            Field::Title,
            "a template needs a title".into(),
            "give the template a title",
        ));
    }
    if t.items.is_empty() || t.items.len() > MAX_ITEMS {
        return Err(bad(
            None,
            Field::Template,
            format!(
                "a template holds 1 to {MAX_ITEMS} items, not {}",
                t.items.len()
            ),
            "list the access items the template needs",
        ));
    }
    for (i, it) in t.items.iter_mut().enumerate() {
        check_item(it).map_err(|mut p| {
            p.item = Some(i + 1);
            p
        })?;
    }
    Ok(())
}

fn check_item(it: &mut TemplateItem) -> Result<(), TemplateProblem> {
    for (field, v) in [
        (Field::System, &mut it.system),
        (Field::Role, &mut it.role),
        (Field::Purpose, &mut it.purpose),
    ] {
        *v = v.trim().to_string();
        rules::check_text(field.name(), v, false).map_err(|r| TemplateProblem {
            item: None,
            refusal: r,
        })?;
        if v.is_empty() {
            let what = field.words();
            return Err(bad(
                None,
                field,
                format!("{what} is required in a template item"),
                "fill it in",
            ));
        }
    }
    match (it.temporary, it.duration_days) {
        (true, None | Some(0)) => Err(bad(
            None,
            Field::Expires,
            "temporary access needs a duration of at least one day".into(),
            "give duration_days",
        )),
        (false, Some(_)) => Err(bad(
            None,
            Field::Temporary,
            "a duration belongs to temporary access only".into(),
            "set temporary = true or remove duration_days",
        )),
        (false, None) if it.deprovision.is_some() => Err(bad(
            None,
            Field::Deprovision,
            "a deprovisioning rule belongs to temporary access only".into(),
            "set temporary = true or remove deprovision",
        )),
        _ => Ok(()),
    }
}

fn shift(d: NaiveDate, days: i64) -> NaiveDate {
    let by = Days::new(days.unsigned_abs());
    if days >= 0 {
        d.checked_add_days(by).unwrap_or(d)
    } else {
        d.checked_sub_days(by).unwrap_or(d)
    }
}

/// The new item a template item makes in a project starting on `start`: needed-by is
/// the start plus the offset, temporary access ends the duration after it; approval
/// owner and credential owner are left empty, so the item blocks until they are named.
pub fn item_fields(it: &TemplateItem, template: &str, start: NaiveDate) -> ItemFields {
    let needed_by = shift(start, i64::from(it.needed_by_days));
    let expires = it
        .temporary
        .then(|| shift(needed_by, i64::from(it.duration_days.unwrap_or(0))));
    ItemFields {
        system: it.system.clone(),
        purpose: it.purpose.clone(),
        role: it.role.clone(),
        holder: None,
        credential_owner: String::new(),
        approver: String::new(),
        method: Some(it.method),
        temporary: it.temporary,
        expires,
        deprovision: it
            .temporary
            .then(|| it.deprovision.unwrap_or(Deprovision::OnDate)),
        privileged: it.privileged,
        shared_credential: it.shared_credential,
        client_owned: it.client_owned,
        exception: None,
        needed_by: Some(needed_by),
        notes: format!("from template {template}"),
        above_standard: false,
        justification: None,
    }
}

/// A system's name for matching: ignoring case, and a trailing ` (…)` (so
/// "WordPress (acmeretail.com)" is the system "WordPress").
pub fn system_key(system: &str) -> String {
    let s = system.trim();
    let base = match s.rfind(" (") {
        Some(i) if s.ends_with(')') => &s[..i],
        _ => s,
    };
    base.trim().to_lowercase()
}

/// How a project differs from a template item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "gap", rename_all = "kebab-case")]
pub enum GapKind {
    /// No item of the project asks for the system.
    Missing,
    /// The only items for the system were cancelled, and none replaced them.
    CancelledWithoutReplacement { items: Vec<String> },
    /// The system is asked for, at other roles.
    DifferentRole {
        requested: Vec<String>,
        items: Vec<String>,
    },
}

/// A template item the project does not have as the template says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub template: String,
    pub system: String,
    pub role: String,
    #[serde(flatten)]
    pub kind: GapKind,
}

/// What `gaps` needs of an item of the project.
pub struct HeldItem<'a> {
    pub id: String,
    pub system: &'a str,
    pub role: &'a str,
    pub state: State,
}

/// The template items the project's items do not cover. An item counts unless it was
/// cancelled or denied; it covers a template item when system and role match.
pub fn gaps(templates: &[Template], items: &[HeldItem<'_>]) -> Vec<Gap> {
    let mut by_system: HashMap<String, Vec<&HeldItem<'_>>> = HashMap::new();
    for it in items {
        by_system.entry(system_key(it.system)).or_default().push(it);
    }
    let mut out = Vec::new();
    for t in templates {
        for ti in &t.items {
            let found = by_system
                .get(&system_key(&ti.system))
                .map(Vec::as_slice)
                .unwrap_or_default();
            let (live, dropped): (Vec<&&HeldItem<'_>>, Vec<_>) = found
                .iter()
                .partition(|it| !matches!(it.state, State::Cancelled | State::Denied));
            let role = ti.role.trim().to_lowercase();
            if live.iter().any(|it| it.role.trim().to_lowercase() == role) {
                continue;
            }
            let kind = if !live.is_empty() {
                let mut requested: Vec<String> =
                    live.iter().map(|it| it.role.to_string()).collect();
                requested.dedup();
                GapKind::DifferentRole {
                    requested,
                    items: live.iter().map(|it| it.id.clone()).collect(),
                }
            } else if dropped.iter().any(|it| it.state == State::Cancelled) {
                GapKind::CancelledWithoutReplacement {
                    items: dropped.iter().map(|it| it.id.clone()).collect(),
                }
            } else {
                GapKind::Missing
            };
            out.push(Gap {
                template: t.name.clone(),
                system: ti.system.clone(),
                role: ti.role.clone(),
                kind,
            });
        }
    }
    out
}

/// Whether the project already has an item for the template item (one that counts):
/// the same system, or a system of the same name at the template's role. Applying a
/// template skips those.
pub fn already_there(ti: &TemplateItem, items: &[HeldItem<'_>]) -> bool {
    let key = system_key(&ti.system);
    let (system, role) = (
        ti.system.trim().to_lowercase(),
        ti.role.trim().to_lowercase(),
    );
    items.iter().any(|it| {
        !matches!(it.state, State::Cancelled | State::Denied)
            && (it.system.trim().to_lowercase() == system
                || (system_key(it.system) == key && it.role.trim().to_lowercase() == role))
    })
}

impl Gap {
    /// One line, as both front ends say it.
    pub fn describe(&self) -> String {
        match &self.kind {
            GapKind::Missing => {
                format!("missing: {} ({}) is not requested", self.system, self.role)
            }
            GapKind::CancelledWithoutReplacement { items } => format!(
                "cancelled without a replacement: {} ({}) — {}",
                self.system,
                self.role,
                items.join(", ")
            ),
            GapKind::DifferentRole { requested, items } => format!(
                "different role: {} is requested as {} ({}), the template says {}",
                self.system,
                requested.join(", "),
                items.join(", "),
                self.role
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(system: &str, role: &str) -> TemplateItem {
        TemplateItem {
            system: system.into(),
            role: role.into(),
            purpose: "p".into(),
            method: Method::SsoInvite,
            temporary: true,
            duration_days: Some(30),
            deprovision: None,
            needed_by_days: -3,
            privileged: false,
            shared_credential: false,
            client_owned: false,
        }
    }

    #[test]
    fn dates_come_from_the_start() {
        let start = NaiveDate::from_ymd_opt(2030, 3, 10).unwrap();
        let f = item_fields(&item("GA4", "Viewer"), "t", start);
        assert_eq!(f.needed_by, NaiveDate::from_ymd_opt(2030, 3, 7));
        assert_eq!(f.expires, NaiveDate::from_ymd_opt(2030, 4, 6));
        assert_eq!(f.deprovision, Some(Deprovision::OnDate));
        assert!(f.approver.is_empty() && f.credential_owner.is_empty());
    }

    #[test]
    fn gaps_name_missing_cancelled_and_other_roles() {
        let t = Template {
            name: "t".into(),
            title: "T".into(),
            description: String::new(),
            items: vec![
                item("GA4", "Viewer"),
                item("GTM", "Publish"),
                item("Ads", "Read"),
            ],
        };
        let held = [
            HeldItem {
                id: "A-1".into(),
                system: "ga4 (acme)",
                role: "Editor",
                state: State::Needed,
            },
            HeldItem {
                id: "A-2".into(),
                system: "GTM",
                role: "Publish",
                state: State::Cancelled,
            },
        ];
        let g = gaps(std::slice::from_ref(&t), &held);
        assert_eq!(g.len(), 3);
        assert!(matches!(g[0].kind, GapKind::DifferentRole { .. }));
        assert!(matches!(
            g[1].kind,
            GapKind::CancelledWithoutReplacement { .. }
        ));
        assert_eq!(g[2].kind, GapKind::Missing);
    }
}
