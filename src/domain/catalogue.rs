//! The system catalogue and least privilege: which roles a catalogued system has,
//! ordered from least to most privilege, which of them are privileged, how an item's
//! system and role are matched to it, and when a requested role lies above the
//! standard one (the item is then flagged `above-standard` and needs a justification
//! and a security review). Each rule is decided here once; the store only looks the
//! catalogue up and the front ends word the refusals.

use super::model::{ItemFields, Method, Person, Role};
use super::refusal::{Field, Refusal, Rule};
use super::rules;
use serde::{Deserialize, Serialize};

/// Separates the roles of `roles`, least privileged first ("Viewer<Editor<Admin").
pub const ROLE_ORDER: char = '<';
/// Separates names in the privileged and not-privileged role lists (a role may hold a
/// comma).
pub const LIST_SEPARATOR: char = ';';

/// One catalogued system.
/// Fields missing from a stored entry read as empty. `roles` run from least to most
/// privilege; `privileged_roles` are named exactly as in `roles`;
/// `not_privileged_roles` are roles the keyword rule would flag that a security person
/// said are not privileged here. `default_method` and `client_owned` are shown with
/// the entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct System {
    pub name: String,
    pub category: String,
    // Read under the name `method` too, as items call it.
    #[serde(alias = "method")]
    pub default_method: Option<Method>,
    pub client_owned: bool,
    pub roles: Vec<String>,
    pub privileged_roles: Vec<String>,
    pub not_privileged_roles: Vec<String>,
}

/// Whether `text` (an item's system or role) names `name`: equal ignoring case, or
/// `name` followed by " (…)" ("WordPress (acmeretail.com)" names "WordPress").
pub fn names(text: &str, name: &str) -> bool {
    let text = text.trim();
    let name = name.trim();
    if text.eq_ignore_ascii_case(name) || text.to_lowercase() == name.to_lowercase() {
        return true;
    }
    let (Some(head), Some(rest)) = (text.get(..name.len()), text.get(name.len()..)) else {
        return false;
    };
    head.eq_ignore_ascii_case(name) && rest.starts_with(" (") && rest.ends_with(')')
}

impl System {
    /// The catalogued role `role` names, with its rank (0 = least privileged).
    pub fn role(&self, role: &str) -> Option<(usize, &str)> {
        self.roles
            .iter()
            .enumerate()
            .find(|(_, r)| names(role, r))
            .map(|(i, r)| (i, r.as_str()))
    }

    /// The least privileged role: the standard when nothing says otherwise.
    pub fn least_role(&self) -> Option<&str> {
        self.roles.first().map(String::as_str)
    }

    /// Whether the catalogued role `role` names is privileged; `None` when it names
    /// none of the system's roles.
    pub fn is_privileged(&self, role: &str) -> Option<bool> {
        let (_, name) = self.role(role)?;
        Some(self.privileged_roles.iter().any(|p| p == name))
    }

    /// The roles as people type them: "Viewer < Editor < Administrator".
    pub fn roles_text(&self) -> String {
        self.roles.join(" < ")
    }
}

/// What `system add` was given, before it is checked: the entry with its role lists
/// still as typed (roles separated by [`ROLE_ORDER`], the other lists by
/// [`LIST_SEPARATOR`]; only a security person lists roles as not privileged).
#[derive(Debug, Clone, Default)]
pub struct NewSystem {
    /// Name, category, default method and client-owned; its role lists are ignored.
    pub entry: System,
    pub roles: String,
    pub privileged_roles: Option<String>,
    pub not_privileged_roles: Option<String>,
}

fn split(text: &str, sep: char) -> Vec<String> {
    text.split(sep)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Checks a new catalogue entry made by `actor`: an admin or a security person may
/// catalogue; roles are named once each; a listed role is one of the roles; a role the
/// keyword rule flags privileged must be listed privileged, or listed not privileged
/// by a security person.
pub fn check_new(new: &NewSystem, actor: Option<&Person>) -> Result<System, Refusal> {
    let Some(actor) = actor.filter(|p| p.has_any(&[Role::Admin, Role::Security])) else {
        return Err(Refusal::new(
            Rule::RoleRequired,
            "only an admin or a security person changes the system catalogue",
        )
        .fix("ask an admin or a security person"));
    };
    let text = |field: Field, value: &str| rules::check_text(field.name(), value, false);
    let entry = &new.entry;
    text(Field::Name, &entry.name)?;
    text(Field::Category, &entry.category)?;
    let required = |field: Field, value: &str| {
        if value.trim().is_empty() {
            Err(Refusal::new(
                Rule::RequiredFields,
                format!("{} is missing", field.words()),
            )
            .on(field)
            .fix("fill it in"))
        } else {
            Ok(())
        }
    };
    required(Field::Name, &entry.name)?;
    required(Field::Category, &entry.category)?;
    let roles = split(&new.roles, ROLE_ORDER);
    if roles.is_empty() {
        return Err(Refusal::new(Rule::RequiredFields, "roles are missing")
            .on(Field::Roles)
            .fix("list the roles from least to most privileged, separated by <"));
    }
    for (i, r) in roles.iter().enumerate() {
        text(Field::Roles, r)?;
        if roles[..i].iter().any(|o| o.eq_ignore_ascii_case(r)) {
            return Err(
                Refusal::new(Rule::ValidValue, format!("role {r} is listed twice"))
                    .on(Field::Roles)
                    .fix("name each role once"),
            );
        }
    }
    let listed = |field: Field, value: &Option<String>| -> Result<Vec<String>, Refusal> {
        let mut out = Vec::new();
        for name in split(value.as_deref().unwrap_or(""), LIST_SEPARATOR) {
            let Some(role) = roles.iter().find(|r| r.eq_ignore_ascii_case(&name)) else {
                return Err(Refusal::new(
                    Rule::ValidValue,
                    format!("{name} is not one of the roles ({})", roles.join(", ")),
                )
                .on(field)
                .fix("name roles of the system's role list"));
            };
            out.push(role.clone());
        }
        Ok(out)
    };
    let privileged = listed(Field::PrivilegedRoles, &new.privileged_roles)?;
    let not_privileged = listed(Field::NotPrivilegedRoles, &new.not_privileged_roles)?;
    if let Some(r) = privileged.iter().find(|r| not_privileged.contains(r)) {
        return Err(Refusal::new(
            Rule::ValidValue,
            format!("{r} is listed both privileged and not privileged"),
        )
        .on(Field::NotPrivilegedRoles)
        .fix("list it once"));
    }
    if !not_privileged.is_empty() && !actor.has(Role::Security) {
        return Err(Refusal::new(
            Rule::CataloguePrivilege,
            format!(
                "only a security person may say that {} is not privileged",
                not_privileged.join(", ")
            ),
        )
        .on(Field::NotPrivilegedRoles)
        .fix("ask a security person to catalogue it, or list it as privileged"));
    }
    for r in &roles {
        if rules::role_is_privileged(r) && !privileged.contains(r) && !not_privileged.contains(r) {
            return Err(Refusal::new(
                Rule::CataloguePrivilege,
                format!("{r} reads as privileged but is not listed as privileged"),
            )
            .on(Field::PrivilegedRoles)
            .fix("list it among the privileged roles (or have a security person list it as not privileged)"));
        }
    }
    Ok(System {
        name: entry.name.trim().to_string(),
        category: entry.category.trim().to_string(),
        roles,
        privileged_roles: privileged,
        not_privileged_roles: not_privileged,
        ..entry.clone()
    })
}

/// The catalogue's view of one item: its system's entry and the standard role the
/// project expects for it (see `Store::standard_role`).
#[derive(Debug, Clone, Default)]
pub struct Standard {
    pub system: Option<System>,
    pub role: Option<String>,
}

/// Applies the catalogue to an item's fields: a catalogued system's role must be one of
/// its roles (an empty role is a draft); its privileged roles decide the privileged
/// flag (a flag a person set stays); a role above the standard one is flagged
/// above-standard. Uncatalogued systems keep the keyword rule. On an edit
/// (`previous`) that keeps the system and role, the item stays as it was: a catalogue
/// change does not rewrite items already requested.
pub fn apply(
    f: &mut ItemFields,
    standard: &Standard,
    previous: Option<&ItemFields>,
) -> Result<(), Refusal> {
    let asked = f.privileged;
    rules::normalise(f);
    if let Some(p) = previous
        && p.system == f.system
        && p.role == f.role
    {
        // The keyword rule flags again only what was flagged (a catalogued "not
        // privileged" stays so); a flag a person sets or clears is kept.
        f.privileged = asked || (f.privileged && p.privileged);
        f.above_standard = p.above_standard;
        return Ok(());
    }
    let Some(system) = &standard.system else {
        f.above_standard = false;
        return Ok(());
    };
    if f.role.trim().is_empty() {
        f.above_standard = false;
        return Ok(());
    }
    let Some((rank, _)) = system.role(&f.role) else {
        return Err(Refusal::new(
            Rule::CatalogueRole,
            format!(
                "{} is not a role of {} (its roles: {})",
                f.role,
                system.name,
                system.roles.join(", ")
            ),
        )
        .on(Field::Role)
        .fix(format!(
            "request one of the catalogued roles; the least is {}",
            system.least_role().unwrap_or_default()
        )));
    };
    f.privileged = asked || system.is_privileged(&f.role).unwrap_or(false);
    let standard_rank = standard
        .role
        .as_deref()
        .and_then(|r| system.role(r))
        .map_or(0, |(i, _)| i);
    f.above_standard = rank > standard_rank;
    Ok(())
}

/// What a form says as the role is typed: the standard role while the role is empty,
/// and, for a role above it, that a justification is needed (by field).
pub fn suggestion(f: &ItemFields, standard: &Standard) -> Option<(Field, String)> {
    let least = standard.role.as_deref()?;
    if f.role.trim().is_empty() {
        return Some((Field::Role, format!("the standard (least) role is {least}")));
    }
    justification_refusal(f).map(|_| {
        (
            Field::Justification,
            format!(
                "{} is above the standard role {least}: say why before submitting",
                f.role
            ),
        )
    })
}

/// The refusal submit gives an above-standard item without a justification.
pub fn justification_refusal(f: &ItemFields) -> Option<Refusal> {
    (f.above_standard
        && f.justification
            .as_deref()
            .is_none_or(|j| j.trim().is_empty()))
    .then(|| {
        Refusal::new(
            Rule::JustifyAboveStandard,
            format!("{} is above the standard role for {}", f.role, f.system),
        )
        .on(Field::Justification)
        .fix("say why the standard role is not enough, or request the standard role")
    })
}

/// A project's item that no longer agrees with the catalogue: the catalogue changed
/// after the item was requested (a change never rewrites items).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// The item's id (`ACME-3`).
    pub item: String,
    pub system: String,
    pub role: String,
    /// What differs, in words.
    pub problem: String,
}

impl Drift {
    pub fn describe(&self) -> String {
        format!(
            "{} {} at {}: {}",
            self.item, self.system, self.role, self.problem
        )
    }
}

/// One of a project's items as [`drift`] reads it.
pub struct Held<'a> {
    pub id: String,
    pub system: &'a str,
    pub role: &'a str,
    pub privileged: bool,
    pub state: super::model::State,
}

/// The items that no longer agree with the catalogue: a role of a catalogued system the
/// catalogue does not list, or one it now counts as privileged on an item not flagged
/// so. Items whose life has ended (cancelled, denied, revoked) are left out.
pub fn drift(items: &[Held<'_>], systems: &[System]) -> Vec<Drift> {
    use super::model::State;
    items
        .iter()
        .filter(|it| !matches!(it.state, State::Cancelled | State::Denied | State::Revoked))
        .filter_map(|it| {
            let sys = systems.iter().find(|s| names(it.system, &s.name))?;
            let problem = match sys.is_privileged(it.role) {
                None if it.role.trim().is_empty() => return None,
                None => format!(
                    "the catalogue does not list this role (its roles: {})",
                    sys.roles.join(", ")
                ),
                Some(true) if !it.privileged => {
                    "the catalogue counts this role as privileged; the item is not flagged".into()
                }
                Some(_) => return None,
            };
            Some(Drift {
                item: it.id.clone(),
                system: it.system.to_string(),
                role: it.role.to_string(),
                problem,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ga() -> System {
        System {
            name: "Google Analytics".into(),
            category: "analytics".into(),
            roles: vec![
                "Viewer".into(),
                "Analyst".into(),
                "Editor".into(),
                "Administrator".into(),
            ],
            privileged_roles: vec!["Administrator".into()],
            not_privileged_roles: vec![],
            default_method: None,
            client_owned: false,
        }
    }

    #[test]
    fn names_match_ignoring_case_or_with_a_parenthesis() {
        assert!(names("wordpress", "WordPress"));
        assert!(names("WordPress (acmeretail.com)", "WordPress"));
        assert!(!names("WordPress.com", "WordPress"));
        assert!(!names("WordPress (x", "WordPress"));
    }

    #[test]
    fn role_above_the_least_is_flagged_and_needs_a_justification() {
        let std = Standard {
            system: Some(ga()),
            role: None,
        };
        let mut f = ItemFields {
            system: "Google Analytics (GA4)".into(),
            role: "Editor".into(),
            ..Default::default()
        };
        apply(&mut f, &std, None).unwrap();
        assert!(f.above_standard && !f.privileged);
        assert!(justification_refusal(&f).is_some());
        f.justification = Some("builds the dashboards".into());
        assert!(justification_refusal(&f).is_none());
        f.role = "viewer".into();
        apply(&mut f, &std, None).unwrap();
        assert!(!f.above_standard);
        f.role = "Owner".into();
        let r = apply(&mut f, &std, None).unwrap_err();
        assert_eq!(r.rule, Rule::CatalogueRole);
        assert!(
            r.message()
                .contains("Viewer, Analyst, Editor, Administrator")
        );
    }
}
