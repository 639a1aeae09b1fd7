//! Who decides on an access item: which approvals its risk needs, who may not decide
//! on it at all, and in which capacity a person may approve, deny or return it.
//!
//! Every front end and the store ask these functions: the add and edit paths refuse
//! an approval owner who may not decide, the queue offers only what a person may
//! decide, and the blockers name an item whose approval owner may not decide.

use super::model::{Capacity, Item, ItemFields, Person, Role};
use super::refusal::{Field, Refusal, Rule};

/// Why a person may not decide on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Conflict {
    /// They requested it.
    Requester,
    /// They submitted it, or changed it materially, in its current approval round.
    Submitter,
    /// They own the credential (the free-text credential owner names them).
    CredentialOwner,
    /// They will hold the access.
    Holder,
    /// They own the item's security exception.
    ExceptionOwner,
}

impl Conflict {
    /// The rule a decision by such a person breaks.
    pub fn rule(self) -> Rule {
        match self {
            Conflict::Requester | Conflict::Submitter => Rule::NoSelfApproval,
            Conflict::CredentialOwner => Rule::NoOwnCredentialApproval,
            Conflict::Holder => Rule::NoApprovalOfOwnAccess,
            Conflict::ExceptionOwner => Rule::NoApprovalByExceptionOwner,
        }
    }

    /// What the person is to the item, for a sentence: "X {describe} ACME-3".
    pub fn describe(self) -> &'static str {
        match self {
            Conflict::Requester => "requested",
            Conflict::Submitter => "submitted or reworked",
            Conflict::CredentialOwner => "owns the credential of",
            Conflict::Holder => "will hold the access of",
            Conflict::ExceptionOwner => "owns the security exception of",
        }
    }

    /// The field that names the person.
    pub fn field(self) -> Field {
        match self {
            Conflict::Requester | Conflict::Submitter => Field::Approver,
            Conflict::CredentialOwner => Field::CredentialOwner,
            Conflict::Holder => Field::Holder,
            Conflict::ExceptionOwner => Field::ExceptionOwner,
        }
    }
}

/// Two names compared as people read them: case ignored, after `text::fold` (NFKC,
/// invisible characters removed, look-alike letters folded to Latin), so
/// "Fr\u{200B}ank", fullwidth "ｆｒａｎｋ" and "FRANK" all read "frank". Plain ASCII, the
/// common case, is compared without allocating: a list of 100,000 items asks this for
/// each of them.
fn same_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    let fold = |s: &str| super::text::fold(s).trim().to_lowercase();
    fold(a) == fold(b)
}

/// The ways free text may name someone: as written, the part before a parenthesis
/// ("Frank (Acme IT)") and an e-mail's local part ("frank@acme.example").
fn name_forms(text: &str) -> impl Iterator<Item = &str> {
    let whole = text.trim();
    let before_parenthesis = whole.split_once('(').map(|(before, _)| before.trim());
    let mail_local = whole
        .split_once('@')
        .filter(|(local, domain)| !local.is_empty() && domain.contains('.'))
        .map(|(local, _)| local.trim());
    std::iter::once(whole)
        .chain(before_parenthesis)
        .chain(mail_local)
        .filter(|s| !s.is_empty())
}

/// True when free text (a credential owner, a holder) names `p` by login or display
/// name, also when written "Name (Company)" or as an e-mail address.
pub fn names(text: &str, p: &Person) -> bool {
    names_login(text, &p.login, &p.name)
}

/// [`names`] for a login and display name (the name may be empty).
fn names_login(text: &str, login: &str, name: &str) -> bool {
    let (login, name) = (login.trim(), name.trim());
    if text.is_ascii() && login.is_ascii() && name.is_ascii() {
        // Plain ASCII, the common case (asked of every item a list or a report
        // assesses): folding leaves it as it is, and [`same_name`] compares its forms
        // ignoring case; each text is looked over once here rather than per form.
        let same = |t: &str| {
            t.eq_ignore_ascii_case(login) || (!name.is_empty() && t.eq_ignore_ascii_case(name))
        };
        // Every form begins where the trimmed text begins: one that reads as the login
        // or the name has it as its first bytes (most texts are passed over here).
        let whole = text.trim().as_bytes();
        let begins = |t: &str| {
            !t.is_empty()
                && whole.len() >= t.len()
                && whole[..t.len()].eq_ignore_ascii_case(t.as_bytes())
        };
        if !begins(login) && !begins(name) {
            return false;
        }
        return name_forms(text).any(same);
    }
    // Folded first, so a fullwidth "（" or "＠" splits like its plain form.
    let text = super::text::fold(text);
    name_forms(&text).any(|t| same_name(t, login) || (!name.is_empty() && same_name(t, name)))
}

/// The refusal of `login` for a part on `item` that `c` keeps them from: "bob requested
/// ACME-3, so may not {doing}".
pub fn conflict_refusal(c: Conflict, login: &str, item: &Item, doing: &str) -> Refusal {
    Refusal::new(
        c.rule(),
        format!("{login} {} {}, so may not {doing}", c.describe(), item.id()),
    )
}

/// Why `p` may not decide on an item with these fields requested by `requester` and
/// submitted or reworked by `parties`, or `None` when they may (as far as who they are
/// goes; roles are checked apart).
pub fn conflict(
    fields: &ItemFields,
    requester: &str,
    parties: &[String],
    p: &Person,
) -> Option<Conflict> {
    conflict_of(fields, requester, parties, &p.login, &p.name)
}

/// [`conflict`] for a login and display name (the name may be empty).
fn conflict_of(
    fields: &ItemFields,
    requester: &str,
    parties: &[String],
    login: &str,
    name: &str,
) -> Option<Conflict> {
    if login == requester {
        return Some(Conflict::Requester);
    }
    if parties.iter().any(|p| p == login) {
        return Some(Conflict::Submitter);
    }
    if names_login(&fields.credential_owner, login, name) {
        return Some(Conflict::CredentialOwner);
    }
    if fields
        .holder
        .as_deref()
        .is_some_and(|h| names_login(h, login, name))
    {
        return Some(Conflict::Holder);
    }
    if fields
        .exception
        .as_ref()
        .and_then(|e| e.owner.as_deref())
        .is_some_and(|o| o.trim() == login)
    {
        return Some(Conflict::ExceptionOwner);
    }
    None
}

/// Roles that may own approvals.
pub const APPROVAL_OWNER_ROLES: [Role; 3] = [Role::Approver, Role::Coordinator, Role::Security];

/// Checks the people an item names where they are entered (add, edit, submit,
/// import, forms): the approval owner must be registered with a role that decides,
/// and must be someone who may decide on this item; the exception owner must be
/// registered. `approver` and `exception_owner` are the registered people of those
/// logins, if any.
pub fn check_named_people(
    fields: &ItemFields,
    requester: &str,
    approver: Option<&Person>,
    exception_owner: Option<&Person>,
) -> Result<(), Refusal> {
    if !fields.approver.trim().is_empty() {
        if fields.approver == requester {
            return Err(Refusal::new(
                Rule::NoSelfApproval,
                format!("{requester} is requesting this item, so cannot be its approval owner"),
            )
            .on(Field::Approver)
            .fix("name someone else as approval owner"));
        }
        super::rules::check_registered(
            Field::Approver,
            &fields.approver,
            approver,
            &APPROVAL_OWNER_ROLES,
        )?;
        if let Some(p) = approver
            && let Some(c) = conflict(fields, requester, &[], p)
        {
            return Err(approval_owner_refusal(p, c));
        }
    }
    if let Some(owner) = fields.exception.as_ref().and_then(|e| e.owner.as_deref())
        && !owner.trim().is_empty()
    {
        super::rules::check_registered(Field::ExceptionOwner, owner, exception_owner, &[])?;
    }
    Ok(())
}

fn approval_owner_refusal(p: &Person, c: Conflict) -> Refusal {
    Refusal::new(
        c.rule(),
        format!(
            "the approval owner {} {} this item, so may not decide on it",
            p.login,
            c.describe()
        ),
    )
    .on(Field::Approver)
    .fix(format!(
        "name someone else as approval owner, or change the {}",
        c.field().words()
    ))
}

/// When an item's approval owner may not decide on it (someone was renamed, or the
/// item predates the check): why, so the item can block naming who must change.
pub fn approval_owner_conflict(item: &Item, approver: Option<&Person>) -> Option<Conflict> {
    let f = &item.fields;
    if f.approver.trim().is_empty() {
        return None;
    }
    match approver {
        Some(p) => conflict(f, &item.requester, &item.parties, p),
        // Not registered (any more): compare by login alone.
        None => conflict_of(f, &item.requester, &item.parties, &f.approver, ""),
    }
}

fn roles_text(p: &Person) -> String {
    if p.roles.is_empty() {
        "no roles".into()
    } else {
        p.roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The roles `p` holds, for messages ("coordinator,security" or "no roles").
pub fn roles_of(p: &Person) -> String {
    roles_text(p)
}

/// Why someone may not decide on an item, as data: [`decision_capacity`] words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// They are party to the item.
    Party(Conflict),
    /// They already approved it in this round, in this capacity.
    AlreadyApproved(Capacity),
    /// The approval they could give is already there.
    AlreadyGiven,
    /// Neither its approval owner (or delegate) nor a security person it needs.
    NotTheirs,
}

/// In which capacity `p` may decide (approve, deny, return) on `item`, or why not.
/// For `approve`, the capacity must still be missing in this round.
pub fn decision_capacity(item: &Item, p: &Person, approving: bool) -> Result<Capacity, Refusal> {
    decision(item, p, approving).map_err(|d| denial_refusal(d, item, p))
}

/// [`decision_capacity`] without its words: a list that asks it of every item waiting
/// on a decision words no refusal for the many that are not the person's to decide.
pub fn decision(item: &Item, p: &Person, approving: bool) -> Result<Capacity, Denial> {
    if let Some(c) = conflict(&item.fields, &item.requester, &item.parties, p) {
        return Err(Denial::Party(c));
    }
    let already = item.approvals.iter().find(|a| a.login == p.login);
    let missing = item.missing_approvals();
    let owner_missing = missing.contains(&Capacity::Owner);
    let security_missing = missing.contains(&Capacity::Security);
    // The owner's decision is with whoever it was last handed to (see `routing`).
    let is_owner = p.login == super::routing::owner_decider(item)
        && APPROVAL_OWNER_ROLES.iter().any(|r| p.has(*r));
    let is_reviewer = p.has(Role::Security)
        && item.needs_security_review()
        && (!approving || !security_missing || super::routing::may_take_security(item, &p.login));

    if !approving {
        if is_owner {
            return Ok(Capacity::Owner);
        }
        if is_reviewer {
            return Ok(Capacity::Security);
        }
    } else if let Some(a) = already {
        return Err(Denial::AlreadyApproved(a.capacity));
    } else if is_owner && owner_missing {
        return Ok(Capacity::Owner);
    } else if is_reviewer && security_missing {
        return Ok(Capacity::Security);
    } else if (is_owner && !owner_missing) || (is_reviewer && !security_missing) {
        return Err(Denial::AlreadyGiven);
    }
    Err(Denial::NotTheirs)
}

/// The refusal that words `d`, of `p` deciding on `item`.
fn denial_refusal(d: Denial, item: &Item, p: &Person) -> Refusal {
    let f = &item.fields;
    match d {
        Denial::Party(c) => Refusal::new(
            c.rule(),
            format!("{} {} {}", p.login, c.describe(), item.id()),
        )
        .fix(format!(
            "nobody decides on an item they are party to; the approval owner is {}{}",
            f.approver,
            if item.needs_security_review() {
                ", and another security person reviews it"
            } else {
                ""
            }
        )),
        Denial::AlreadyApproved(capacity) => Refusal::new(
            Rule::SeparateApprovers,
            format!("{} already approved {} as {capacity}", p.login, item.id()),
        )
        .fix(format!(
            "{} needs its approvals from different people",
            if item.missing_approvals().contains(&Capacity::Security) {
                "the security review"
            } else {
                "the item"
            }
        )),
        Denial::AlreadyGiven => Refusal::new(
            Rule::StateMachine,
            format!(
                "{} already has the approval {} could give",
                item.id(),
                p.login
            ),
        ),
        Denial::NotTheirs => {
            // The owner's decision may have been handed on (see `routing`).
            let owner = match super::routing::owner_decider(item) {
                d if d == f.approver => f.approver.clone(),
                d => format!("{d}, to whom {} handed it", f.approver),
            };
            let who = if item.needs_security_review() {
                format!(
                    "its approval owner ({owner}) or a security person (it is flagged for review)"
                )
            } else {
                format!("its approval owner ({owner})")
            };
            Refusal::new(
                Rule::RoleRequired,
                format!(
                    "only {who} may decide on {}; {} has {}",
                    item.id(),
                    p.login,
                    roles_text(p)
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::Exception;

    fn frank() -> Person {
        Person {
            login: "frank".into(),
            name: "Frank Miller".into(),
            roles: vec![Role::Approver, Role::Security],
            active: true,
        }
    }

    proptest::proptest! {
        /// Plain ASCII is told apart as the folding comparison tells it, which also
        /// reads any other text.
        #[test]
        fn plain_text_names_someone_as_the_folded_comparison_says(
            text in "[ a-cA-C()@.\u{ff08}\u{200b}]{0,12}",
            login in "[ a-cA-C.]{0,4}",
            name in "[ a-cA-C\u{ff41}]{0,5}",
        ) {
            let folded = super::super::text::fold(&text);
            let (l, n) = (login.trim(), name.trim());
            let expected = name_forms(&folded)
                .any(|t| same_name(t, l) || (!n.is_empty() && same_name(t, n)));
            proptest::prop_assert_eq!(names_login(&text, &login, &name), expected);
        }
    }

    #[test]
    fn names_match_login_display_name_company_and_mail() {
        let p = frank();
        for text in [
            "frank",
            " FRANK ",
            "Frank Miller",
            "Frank (Acme IT)",
            "frank@acme.example",
            "Frank Miller (Acme IT)",
            "Fr\u{200B}ank",
            "ｆｒａｎｋ",
            "frank@acme.example",
        ] {
            assert!(names(text, &p), "{text}");
        }
        for text in ["Franklin", "Ana (frank's team)", "", "acme.example"] {
            assert!(!names(text, &p), "{text}");
        }
    }

    #[test]
    fn an_approval_owner_party_to_the_item_is_refused_where_entered() {
        let p = frank();
        let mut f = ItemFields {
            approver: "frank".into(),
            credential_owner: "Frank (Acme IT)".into(),
            ..Default::default()
        };
        let r = check_named_people(&f, "carol", Some(&p), None).unwrap_err();
        assert_eq!(r.rule, Rule::NoOwnCredentialApproval);
        assert_eq!(r.field, Some(Field::Approver));
        f.credential_owner = "Ana".into();
        f.holder = Some("frank@acme.example".into());
        let r = check_named_people(&f, "carol", Some(&p), None).unwrap_err();
        assert_eq!(r.rule, Rule::NoApprovalOfOwnAccess);
        f.holder = None;
        f.exception = Some(Box::new(Exception {
            reason: "legacy".into(),
            owner: Some("frank".into()),
            expires: None,
        }));
        let r = check_named_people(&f, "carol", Some(&p), Some(&p)).unwrap_err();
        assert_eq!(r.rule, Rule::NoApprovalByExceptionOwner);
        f.exception = None;
        assert!(check_named_people(&f, "carol", Some(&p), None).is_ok());
        let r = check_named_people(&f, "frank", Some(&p), None).unwrap_err();
        assert_eq!(r.rule, Rule::NoSelfApproval);
    }

    #[test]
    fn each_reason_not_to_decide_is_data_its_refusal_words() {
        let at = "2026-03-01T09:00:00Z";
        let mut it = crate::domain::fixtures::item(crate::domain::State::Requested, at);
        (it.fields.approver, it.fields.privileged) = ("frank".into(), true);
        let person = |login: &str, roles: Vec<Role>| Person {
            login: login.into(),
            name: String::new(),
            roles,
            active: true,
        };
        let approval =
            |login: &str, capacity| crate::domain::fixtures::approval(login, capacity, at);
        let (carol, erin) = (
            person("carol", vec![Role::Approver]),
            person("erin", vec![]),
        );
        let gina = person("gina", vec![Role::Security]);
        assert_eq!(decision(&it, &frank(), true), Ok(Capacity::Owner));
        let mut cases = vec![
            (carol, it.clone(), Denial::Party(Conflict::Requester)),
            (erin, it.clone(), Denial::NotTheirs),
        ];
        it.approvals = vec![approval("frank", Capacity::Owner)];
        cases.push((
            frank(),
            it.clone(),
            Denial::AlreadyApproved(Capacity::Owner),
        ));
        it.approvals.push(approval("hank", Capacity::Security));
        cases.push((gina, it, Denial::AlreadyGiven));
        for (p, it, denial) in cases {
            assert_eq!(decision(&it, &p, true), Err(denial), "{}", p.login);
            let rule = decision_capacity(&it, &p, true).unwrap_err().rule;
            let want = match denial {
                Denial::Party(c) => c.rule(),
                Denial::AlreadyApproved(_) => Rule::SeparateApprovers,
                Denial::AlreadyGiven => Rule::StateMachine,
                Denial::NotTheirs => Rule::RoleRequired,
            };
            assert_eq!(rule, want, "{}", p.login);
        }
    }
}
