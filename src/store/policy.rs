//! The checks of names and people the store makes before it writes that the domain
//! does not hold yet: a project key, a login, a time zone, who may register people.
//! They read no database and no clock and return the domain's [`Refusal`] as data
//! (rule, field, problem, fix) for each front end to word; each is called from one
//! place, so moving one into the domain changes one line. Who may manage, work on or
//! decide on items is the domain's already (`machine::require_manager`,
//! `decide::check_named_people`) and is called from there directly.

use crate::domain::{Field, Person, Refusal, Role, Rule};

/// A project key as stored: 2-16 letters or digits starting with a letter, upper-cased.
pub fn project_key(key: &str) -> Result<String, Refusal> {
    let k = key.trim().to_ascii_uppercase();
    let ok = (2..=16).contains(&k.len())
        && k.starts_with(|c: char| c.is_ascii_uppercase())
        && k.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        return Ok(k);
    }
    Err(Refusal::new(
        Rule::ValidValue,
        format!("project key '{key}' is not valid"),
    )
    .on(Field::Key)
    .fix("use 2-16 letters or digits starting with a letter, e.g. ACME"))
}

/// A login as the OS spells it: 1-64 letters, digits, `_`, `.` or `-`, starting with
/// a letter or `_` (so never `-rf`, `.` or `..`), and not `uid-N`, the name accessdesk
/// gives an account the host cannot name.
pub fn login(login: &str) -> Result<(), Refusal> {
    let placeholder = login
        .strip_prefix("uid-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let ok = !login.is_empty()
        && login.len() <= 64
        && login.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !placeholder;
    if ok {
        return Ok(());
    }
    Err(Refusal::new(Rule::ValidValue, "that is not a valid login")
        .on(Field::Login)
        .fix("use the OS account's name: letters, digits, _ . -, starting with a letter or _"))
}

/// An admin who gives up the admin role leaves another admin behind.
pub fn keeps_an_admin(login: &str, admins: i64) -> Result<(), Refusal> {
    if admins > 1 {
        return Ok(());
    }
    Err(Refusal::new(
        Rule::RoleRequired,
        format!("{login} is the only admin; without the admin role nobody could add people"),
    )
    .on(Field::Role)
    .fix("make someone else admin first"))
}

/// A time zone name from the IANA database (Europe/Berlin, UTC).
pub fn time_zone(tz: &str) -> Result<(), Refusal> {
    if tz.parse::<chrono_tz::Tz>().is_ok() {
        return Ok(());
    }
    Err(Refusal::new(
        Rule::ValidValue,
        format!(
            "{} is not an IANA time zone name",
            crate::domain::text::masked(tz)
        ),
    )
    .on(Field::Tz)
    .fix("use a name such as Europe/Berlin, America/New_York or UTC"))
}

/// A text a project or task cannot do without (name, client, title).
pub fn required(field: Field, what: &str, value: &str) -> Result<(), Refusal> {
    if !value.trim().is_empty() {
        return Ok(());
    }
    Err(Refusal::new(Rule::RequiredFields, format!("{what} is required")).on(field))
}

/// Adding people and changing roles: admins only. An unregistered account is refused
/// by the same rule, as it has no role either.
pub fn require_admin(me: Option<&Person>, login: &str) -> Result<(), Refusal> {
    if me.is_some_and(|p| p.has(Role::Admin)) {
        return Ok(());
    }
    Err(Refusal::new(
        Rule::RoleRequired,
        format!("only an admin adds people or changes roles; {login} is not an admin"),
    )
    .fix("ask an admin to make the change"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_keys_are_upper_cased_and_bounded() {
        assert_eq!(project_key(" acme2 ").unwrap(), "ACME2");
        for bad in ["A", "2ACME", "AC-ME", "ABCDEFGHIJKLMNOPQ", ""] {
            let r = project_key(bad).unwrap_err();
            assert_eq!(
                (r.rule, r.field),
                (Rule::ValidValue, Some(Field::Key)),
                "{bad}"
            );
        }
    }

    #[test]
    fn logins_are_os_account_names() {
        assert!(login("ana.k-2_x").is_ok());
        for bad in ["", "ana k", "ana;rm", &"a".repeat(65)] {
            assert_eq!(login(bad).unwrap_err().field, Some(Field::Login), "{bad}");
        }
    }

    #[test]
    fn only_admins_register_people() {
        let coordinator = Person {
            login: "carol".into(),
            name: "Carol".into(),
            roles: vec![Role::Coordinator],
            active: true,
        };
        assert_eq!(
            require_admin(Some(&coordinator), "carol").unwrap_err().rule,
            Rule::RoleRequired
        );
        assert_eq!(
            require_admin(None, "ghost").unwrap_err().rule,
            Rule::RoleRequired
        );
    }

    #[test]
    fn refusals_are_data_without_flags() {
        let refusals = [
            project_key("x").unwrap_err(),
            login("a b").unwrap_err(),
            time_zone("Mars/Olympus").unwrap_err(),
            required(Field::Title, "a task title", " ").unwrap_err(),
            require_admin(None, "ghost").unwrap_err(),
        ];
        for r in refusals {
            let text = r.message();
            assert!(
                !text.contains("--") && !text.contains("accessdesk "),
                "{text}"
            );
        }
    }
}
