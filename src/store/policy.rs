//! Who may do what, and which names are valid: the pure checks the store makes before
//! it writes. They read no database and no clock, and return the domain's
//! [`Refusal`]; each is called from one place in the store, so that moving it into the
//! domain (where the CLI's and the TUI's forms can ask the same question) changes one
//! line per check. Texts say what is wrong and what to do in plain words, never with
//! the flags or commands of one front end.

use crate::domain::{ItemFields, Person, Refusal, Role, Rule, rules};

/// A project key as stored: 2-16 letters or digits starting with a letter, upper-cased.
pub fn project_key(key: &str) -> Result<String, Refusal> {
    let k = key.trim().to_ascii_uppercase();
    let ok = (2..=16).contains(&k.len())
        && k.starts_with(|c: char| c.is_ascii_uppercase())
        && k.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(k)
    } else {
        Err(Refusal::new(
            Rule::ValidValue,
            format!(
                "project key '{key}' must be 2-16 letters or digits starting with a letter, e.g. ACME"
            ),
        ))
    }
}

/// A login as the OS spells it: 1-64 letters, digits, `_`, `.` or `-`.
pub fn login(login: &str) -> Result<(), Refusal> {
    let ok = !login.is_empty()
        && login.len() <= 64
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Refusal::new(
            Rule::ValidValue,
            format!("'{login}' is not a valid login (letters, digits, _ . -)"),
        ))
    }
}

/// The acting person, or a refusal when the OS account `login` is not registered.
pub fn registered<'a>(me: Option<&'a Person>, login: &str) -> Result<&'a Person, Refusal> {
    me.ok_or_else(|| {
        Refusal::new(
            Rule::Registered,
            format!(
                "the OS account '{login}' is not registered and may only read; ask an admin to register it with a role"
            ),
        )
    })
}

/// The acting person when registered with one of `roles`; `doing` names what needs
/// them ("adding items").
pub fn require_role<'a>(
    me: Option<&'a Person>,
    login: &str,
    roles: &[Role],
    doing: &str,
) -> Result<&'a Person, Refusal> {
    let p = registered(me, login)?;
    if roles.iter().any(|r| p.has(*r)) {
        return Ok(p);
    }
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let wanted = match names.split_last() {
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "a role".to_string(),
    };
    Err(Refusal::new(
        Rule::RoleRequired,
        format!(
            "{doing} needs the role {wanted}; {} has {}",
            p.login,
            roles_text(p)
        ),
    ))
}

/// Managing projects and adding items: admins and coordinators.
pub fn require_manager<'a>(
    me: Option<&'a Person>,
    login: &str,
    doing: &str,
) -> Result<&'a Person, Refusal> {
    require_role(me, login, &[Role::Admin, Role::Coordinator], doing)
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
    ))
}

/// A time zone name from the IANA database (Europe/Berlin, UTC).
pub fn time_zone(tz: &str) -> Result<(), Refusal> {
    if tz.parse::<chrono_tz::Tz>().is_ok() {
        return Ok(());
    }
    Err(Refusal::new(
        Rule::ValidValue,
        format!(
            "time zone '{tz}' is not an IANA time zone name (e.g. Europe/Berlin, America/New_York, UTC)"
        ),
    ))
}

fn roles_text(p: &Person) -> String {
    let r: Vec<&str> = p.roles.iter().map(|r| r.as_str()).collect();
    if r.is_empty() {
        "no roles".into()
    } else {
        r.join(",")
    }
}

/// The people an item names for deciding on it, as the store found them.
pub struct Named<'a> {
    /// The approval owner (`None` when not registered).
    pub approver: Option<&'a Person>,
    /// The owner of the security exception (`None` when not registered).
    pub exception_owner: Option<&'a Person>,
}

/// Checks the approval owner and the exception owner an item names: the approval
/// owner is a registered approver, coordinator or security person and not the
/// requester; the exception owner is registered.
pub fn approval_owners(f: &ItemFields, requester: &str, named: Named<'_>) -> Result<(), Refusal> {
    if !f.approver.is_empty() {
        if f.approver == requester {
            return Err(Refusal::new(
                Rule::NoSelfApproval,
                format!(
                    "{requester} is requesting this item, so cannot be its approval owner; name someone else as approval owner"
                ),
            ));
        }
        rules::check_registered(
            "approver",
            &f.approver,
            named.approver,
            &[Role::Approver, Role::Coordinator, Role::Security],
        )?;
    }
    if let Some(owner) = f.exception.as_ref().and_then(|e| e.owner.as_deref()) {
        rules::check_registered("exception-owner", owner, named.exception_owner, &[])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(login: &str, roles: &[Role]) -> Person {
        Person {
            login: login.into(),
            name: login.into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn project_keys_are_upper_cased_and_bounded() {
        assert_eq!(project_key(" acme2 ").unwrap(), "ACME2");
        for bad in ["A", "2ACME", "AC-ME", "ABCDEFGHIJKLMNOPQ", ""] {
            assert_eq!(
                project_key(bad).unwrap_err().rule,
                Rule::ValidValue,
                "{bad}"
            );
        }
    }

    #[test]
    fn logins_are_os_account_names() {
        assert!(login("ana.k-2_x").is_ok());
        for bad in ["", "ana k", "ana;rm", &"a".repeat(65)] {
            assert!(login(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn managing_needs_admin_or_coordinator() {
        let support = person("sue", &[Role::Support]);
        let r = require_manager(Some(&support), "sue", "adding items").unwrap_err();
        assert_eq!(r.rule, Rule::RoleRequired);
        assert!(
            r.message
                .contains("adding items needs the role admin or coordinator; sue has support"),
            "{}",
            r.message
        );
        assert_eq!(
            require_manager(None, "ghost", "adding items")
                .unwrap_err()
                .rule,
            Rule::Registered
        );
        let coordinator = person("carol", &[Role::Coordinator]);
        assert!(require_manager(Some(&coordinator), "carol", "x").is_ok());
    }

    #[test]
    fn the_requester_is_never_the_approval_owner() {
        let f = ItemFields {
            approver: "carol".into(),
            ..Default::default()
        };
        let carol = person("carol", &[Role::Coordinator]);
        let named = Named {
            approver: Some(&carol),
            exception_owner: None,
        };
        let r = approval_owners(&f, "carol", named).unwrap_err();
        assert_eq!(r.rule, Rule::NoSelfApproval);
    }

    #[test]
    fn texts_name_no_flags() {
        let f = ItemFields {
            approver: "carol".into(),
            ..Default::default()
        };
        let texts = [
            registered(None, "ghost").unwrap_err().message,
            approval_owners(
                &f,
                "carol",
                Named {
                    approver: None,
                    exception_owner: None,
                },
            )
            .unwrap_err()
            .message,
            project_key("x").unwrap_err().message,
        ];
        for t in texts {
            assert!(!t.contains("--"), "{t}");
        }
    }
}
