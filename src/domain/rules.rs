//! Field-level policy: what a valid access item looks like, which roles are privileged,
//! which edits are material (and so void approvals), and the text hygiene every
//! free-text value goes through (no credentials, no control characters).

use super::model::{Deprovision, ItemFields, Person, Role};
use super::refusal::{Field, Refusal, Rule, UnsafeAttempt};
use super::{secrets, text};
use chrono::NaiveDate;

/// Longest single-line value accepted (system, role, names...).
pub const MAX_LINE: usize = 200;
/// Longest multi-line value accepted (notes, reasons).
pub const MAX_NOTE: usize = 4000;

/// Words that make a role privileged on their own.
const PRIVILEGED_WORDS: [&str; 5] = ["admin", "administrator", "owner", "root", "superuser"];

/// Pairs of words that name full control together ("Super User", "Full Control").
const PRIVILEGED_PAIRS: [(&str, &str); 3] =
    [("super", "user"), ("full", "control"), ("full", "access")];

/// A word without its plural ending: "admins" → "admin", "owners" → "owner".
fn singular(word: &str) -> &str {
    if word.ends_with("ss") {
        return word;
    }
    word.strip_suffix('s')
        .filter(|w| w.len() >= 4)
        .unwrap_or(word)
}

/// A role is privileged when one of its words, in the singular, is admin,
/// administrator, owner, root or superuser, or ends in admin ("sysadmin",
/// "Superadmin"), or when two of its words say "super user" or "full control"/"full
/// access". "Site Admin", "Domain Admins" and "Org Owners" are; "Badminton coach",
/// "Administrative assistant" and "Ownership reports" are not.
pub fn role_is_privileged(role: &str) -> bool {
    // Look-alike letters and fullwidth forms read as what they imitate ("Аdmin" with
    // a Cyrillic А is admin).
    let folded = super::text::fold(role).to_lowercase();
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(singular)
        .collect();
    words
        .iter()
        .any(|w| PRIVILEGED_WORDS.contains(w) || (w.ends_with("admin") && w.len() > 5))
        || words
            .windows(2)
            .any(|pair| PRIVILEGED_PAIRS.contains(&(pair[0], pair[1])))
}

/// Checks one free-text value: no control or bidi characters, not too long, no
/// credential. A credential refusal carries the field and detector rule (never the
/// value) so the caller can count the attempt. `field` is a [`Field`] name (a CSV
/// column or flag name without dashes); any other name is kept in the problem text.
pub fn check_text(field: &str, value: &str, multiline: bool) -> Result<(), Refusal> {
    let max = if multiline { MAX_NOTE } else { MAX_LINE };
    let known = Field::from_name(field);
    let on = |r: Refusal| match known {
        Some(f) => r.on(f),
        None => r,
    };
    // Credentials first, so a pasted secret is counted as such even when it is also
    // too long or carries control characters. The detector's work is linear in the
    // length, so a value far over the limit is scanned too.
    if let Some(kind) = secrets::find_secret(value) {
        let mut r = on(Refusal::new(
            Rule::NoCredentialsInText,
            format!(
                "{} contains what looks like {} ({})",
                field.replace('-', " "),
                kind.describe(),
                kind.rule()
            ),
        )
        .fix(
            "remove it: credentials are never stored here; have the credential owner use a safe \
             collection method (e.g. vault)",
        ));
        r.unsafe_attempt = Some(Box::new(UnsafeAttempt {
            field: field.to_string(),
            detector: kind.rule().to_string(),
        }));
        return Err(r);
    }
    if let Err(problem) = text::check_text(value, multiline, max) {
        return Err(on(Refusal::new(
            Rule::PlainText,
            format!("{} {problem}", field.replace('-', " ")),
        )));
    }
    Ok(())
}

/// The free-text values of an item, with the field each belongs to and whether it may
/// span lines.
fn texts(f: &ItemFields) -> Vec<(Field, &str, bool)> {
    let mut out = vec![
        (Field::System, f.system.as_str(), false),
        (Field::Purpose, f.purpose.as_str(), false),
        (Field::Role, f.role.as_str(), false),
        (Field::Holder, f.holder.as_deref().unwrap_or(""), false),
        (Field::CredentialOwner, f.credential_owner.as_str(), false),
        (Field::Approver, f.approver.as_str(), false),
        (Field::Notes, f.notes.as_str(), true),
    ];
    if let Some(j) = &f.justification {
        out.push((Field::Justification, &**j, true));
    }
    if let Some(e) = &f.exception {
        out.push((Field::Exception, e.reason.as_str(), true));
        out.push((
            Field::ExceptionOwner,
            e.owner.as_deref().unwrap_or(""),
            false,
        ));
    }
    out
}

/// Everything wrong with an item's fields, and what deserves a warning, all at once
/// (for a form that shows problems as they are typed). `today` is the current date in
/// the project's time zone: a new expiry must not lie in the past, a needed-by date
/// may (the item is then overdue, which is worth a warning). Dates unchanged from
/// `previous` are not held to today.
pub fn review_fields(
    f: &ItemFields,
    today: NaiveDate,
    previous: Option<&ItemFields>,
) -> FieldReview {
    let mut refusals: Vec<Refusal> = texts(f)
        .into_iter()
        .filter_map(|(field, value, multiline)| check_text(field.name(), value, multiline).err())
        .collect();
    refusals.extend(policy_refusals(f));
    let unchanged =
        |new: Option<NaiveDate>, old: Option<Option<NaiveDate>>| old.is_some_and(|old| old == new);
    if let Some(d) = f.expires
        && d < today
        && !unchanged(f.expires, previous.map(|p| p.expires))
    {
        refusals.push(past_date(Field::Expires, d, today));
    }
    let exception_expires = f.exception.as_ref().and_then(|e| e.expires);
    if let Some(d) = exception_expires
        && d < today
        && !unchanged(
            exception_expires,
            previous.map(|p| p.exception.as_ref().and_then(|e| e.expires)),
        )
    {
        refusals.push(past_date(Field::ExceptionExpires, d, today));
    }
    let mut warnings = Vec::new();
    if let Some(d) = f.needed_by
        && d < today
    {
        warnings.push((
            Field::NeededBy,
            format!("needed by {d} has passed (today is {today}): the item will show as overdue"),
        ));
    }
    FieldReview { refusals, warnings }
}

fn past_date(field: Field, d: NaiveDate, today: NaiveDate) -> Refusal {
    Refusal::new(
        Rule::ValidValue,
        format!("{} {d} is in the past (today is {today})", field.words()),
    )
    .on(field)
    .fix("give a future date")
}

/// What [`review_fields`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldReview {
    /// Problems that refuse the change, each naming its field.
    pub refusals: Vec<Refusal>,
    /// Worth saying, but accepted.
    pub warnings: Vec<(Field, String)>,
}

/// Checks every text field of an item and the policy rules that must hold at all
/// times (temporary access has an expiry; an exception has reason, owner and expiry),
/// and returns the first problem. Missing required fields are *not* refused here: an
/// item may be drafted in `needed`.
pub fn check_fields(
    f: &ItemFields,
    today: NaiveDate,
    previous: Option<&ItemFields>,
) -> Result<(), Refusal> {
    match review_fields(f, today, previous)
        .refusals
        .into_iter()
        .next()
    {
        Some(r) => Err(r),
        None => Ok(()),
    }
}

/// Out-of-policy combinations, each naming its rule, field and fix.
pub fn policy_refusals(f: &ItemFields) -> Vec<Refusal> {
    let mut out = Vec::new();
    if f.temporary && f.expires.is_none() {
        out.push(
            Refusal::new(
                Rule::TemporaryNeedsExpiry,
                "temporary access needs an expiry date",
            )
            .on(Field::Expires)
            .fix("give the date the access ends"),
        );
    }
    if !f.temporary && (f.expires.is_some() || f.deprovision.is_some()) {
        let field = if f.expires.is_some() {
            Field::Expires
        } else {
            Field::Deprovision
        };
        out.push(
            Refusal::new(
                Rule::ExpiryNeedsTemporary,
                "an expiry or deprovisioning rule only applies to temporary access",
            )
            .on(field)
            .fix("mark the access temporary, or remove the expiry"),
        );
    }
    if let Some(e) = &f.exception {
        let incomplete = |field: Field, what: &str, fix: &str| {
            Refusal::new(
                Rule::ExceptionComplete,
                format!("a security exception needs {what}"),
            )
            .on(field)
            .fix(fix)
        };
        if e.reason.trim().is_empty() {
            out.push(incomplete(
                Field::Exception,
                "a reason",
                "say why the policy is bent",
            ));
        }
        if e.owner.as_deref().is_none_or(|o| o.trim().is_empty()) {
            out.push(incomplete(
                Field::ExceptionOwner,
                "an owner",
                "name the registered person who owns the exception",
            ));
        }
        if e.expires.is_none() {
            out.push(incomplete(
                Field::ExceptionExpires,
                "an expiry",
                "give the date the exception ends",
            ));
        }
    }
    out
}

/// The policy problems of [`policy_refusals`] as sentences (blocker reasons).
pub fn policy_problems(f: &ItemFields) -> Vec<String> {
    policy_refusals(f).iter().map(Refusal::message).collect()
}

/// Does the item break a rule that must hold at all times?
pub fn breaks_policy(f: &ItemFields) -> bool {
    !policy_refusals(f).is_empty()
}

/// Required fields that are still empty.
pub fn missing_fields(f: &ItemFields) -> Vec<Field> {
    let empty = |s: &str| s.trim().is_empty();
    [
        (Field::System, empty(&f.system)),
        (Field::Purpose, empty(&f.purpose)),
        (Field::Role, empty(&f.role)),
        (Field::CredentialOwner, empty(&f.credential_owner)),
        (Field::Approver, empty(&f.approver)),
        (Field::Method, f.method.is_none()),
    ]
    .into_iter()
    .filter_map(|(field, missing)| missing.then_some(field))
    .collect()
}

/// Everything that stops an item from being submitted, named at once: one refusal
/// per missing field, then the policy problems.
pub fn submit_refusals(f: &ItemFields) -> Vec<Refusal> {
    let mut out: Vec<Refusal> = missing_fields(f)
        .into_iter()
        .map(|m| {
            Refusal::new(Rule::RequiredFields, format!("{} is missing", m.words()))
                .on(m)
                .fix("fill it in")
        })
        .collect();
    out.extend(super::catalogue::justification_refusal(f));
    out.extend(policy_refusals(f));
    out
}

/// [`submit_refusals`] as sentences.
pub fn submit_problems(f: &ItemFields) -> Vec<String> {
    submit_refusals(f).iter().map(Refusal::message).collect()
}

/// Normalises fields the system decides: privileged roles are flagged, temporary
/// access defaults to deprovisioning on its expiry date.
pub fn normalise(f: &mut ItemFields) {
    if role_is_privileged(&f.role) {
        f.privileged = true;
    }
    if f.temporary && f.deprovision.is_none() {
        f.deprovision = Some(Deprovision::OnDate);
    }
    for s in [
        &mut f.system,
        &mut f.purpose,
        &mut f.role,
        &mut f.credential_owner,
        &mut f.approver,
    ] {
        let t = s.trim();
        if t.len() != s.len() {
            *s = t.to_string();
        }
    }
}

/// How two versions of an item's fields are compared for one changed-field name.
type Differs = fn(&ItemFields, &ItemFields) -> bool;

/// Fields whose change voids approvals given so far, in the order they are named.
/// All but the last two also widen or move live access, so they may not change on it.
const MATERIAL: &[(&str, Differs)] = &[
    ("system", |a, b| a.system != b.system),
    ("role", |a, b| a.role != b.role),
    ("holder", |a, b| a.holder != b.holder),
    ("approver", |a, b| a.approver != b.approver),
    ("method", |a, b| a.method != b.method),
    ("temporary", |a, b| a.temporary != b.temporary),
    ("expires", |a, b| a.expires != b.expires),
    ("deprovision", |a, b| a.deprovision != b.deprovision),
    ("flags", |a, b| {
        (
            a.privileged,
            a.shared_credential,
            a.client_owned,
            a.above_standard,
        ) != (
            b.privileged,
            b.shared_credential,
            b.client_owned,
            b.above_standard,
        )
    }),
    ("exception", |a, b| a.exception != b.exception),
    // What the access is for and whose credential it is: an approval was given for
    // these, but changing them does not widen access that exists.
    ("purpose", |a, b| a.purpose != b.purpose),
    ("credential-owner", |a, b| {
        a.credential_owner != b.credential_owner
    }),
    ("justification", |a, b| a.justification != b.justification),
];

/// How many entries of [`MATERIAL`], from the start, widen or move live access.
const WIDENING: usize = MATERIAL.len() - 3;

/// The other fields an edit can change, named after the material ones.
const IMMATERIAL: &[(&str, Differs)] = &[
    ("needed-by", |a, b| a.needed_by != b.needed_by),
    ("notes", |a, b| a.notes != b.notes),
];

/// The names in `table` of the fields that differ.
fn differing(
    table: &'static [(&'static str, Differs)],
    old: &ItemFields,
    new: &ItemFields,
) -> impl Iterator<Item = &'static str> {
    table
        .iter()
        .filter(|(_, differs)| differs(old, new))
        .map(|(name, _)| *name)
}

/// Fields whose change voids approvals given so far (and needs a new approval).
pub fn material_changes(old: &ItemFields, new: &ItemFields) -> Vec<&'static str> {
    differing(MATERIAL, old, new).collect()
}

/// Material changes that would widen or move live access: granted access is not
/// changed so in place.
pub fn widening_changes(old: &ItemFields, new: &ItemFields) -> Vec<&'static str> {
    differing(&MATERIAL[..WIDENING], old, new).collect()
}

/// All fields that differ, for the edit event.
pub fn changed_fields(old: &ItemFields, new: &ItemFields) -> Vec<&'static str> {
    differing(MATERIAL, old, new)
        .chain(differing(IMMATERIAL, old, new))
        .collect()
}

/// Checks that a login names a registered person holding one of `roles` (for approval
/// owners and exception owners).
pub fn check_registered(
    field: Field,
    login: &str,
    person: Option<&Person>,
    roles: &[Role],
) -> Result<(), Refusal> {
    let names = || {
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match person {
        None => Err(Refusal::new(
            Rule::ValidValue,
            format!("{} '{login}' is not a registered person", field.words()),
        )
        .on(field)
        .fix(if roles.is_empty() {
            "name a registered person, or have an admin register them".to_string()
        } else {
            format!(
                "name a registered person, or have an admin register them with the role {}",
                names()
            )
        })),
        Some(p) if !roles.is_empty() && !roles.iter().any(|r| p.has(*r)) => Err(Refusal::new(
            Rule::ValidValue,
            format!(
                "{} '{login}' has none of the roles {}",
                field.words(),
                names()
            ),
        )
        .on(field)
        .fix("name someone who has one, or have an admin give them one")),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privileged_roles_by_whole_word() {
        assert!(role_is_privileged("Site Admin"));
        assert!(role_is_privileged("Account OWNER"));
        assert!(role_is_privileged("root"));
        assert!(role_is_privileged("Super-Administrator"));
        assert!(role_is_privileged("Product Owner"));
        assert!(!role_is_privileged("Badminton coach"));
        assert!(!role_is_privileged("Viewer"));
        assert!(!role_is_privileged("Ownership reports reader"));
        for role in [
            "Domain Admins",
            "Billing Admins",
            "Org Owners",
            "Superadmin",
            "sysadmin",
            "Super User",
            "Full Control",
            "Full access",
            "Co-owner",
            "\u{410}dmin",
            "ＡＤＭＩＮ",
        ] {
            assert!(role_is_privileged(role), "{role}");
        }
        for role in [
            "Administrative assistant",
            "Badminton coach",
            "Super viewer",
            "Users",
        ] {
            assert!(!role_is_privileged(role), "{role}");
        }
    }

    #[test]
    fn submit_names_every_problem_at_once() {
        let f = ItemFields {
            temporary: true,
            ..Default::default()
        };
        let p = submit_refusals(&f);
        assert_eq!(p.len(), 7, "{p:?}");
        assert!(p.iter().any(|r| r.rule == Rule::TemporaryNeedsExpiry));
        assert!(p.iter().all(|r| r.field.is_some()), "{p:?}");
    }

    #[test]
    fn material_changes_are_named() {
        let a = ItemFields::default();
        let mut b = a.clone();
        b.notes = "more".into();
        assert!(material_changes(&a, &b).is_empty());
        b.role = "Editor".into();
        b.privileged = true;
        assert_eq!(material_changes(&a, &b), vec!["role", "flags"]);
        // An approval was given for a purpose and a credential owner: changing them
        // lapses it, though it does not widen live access.
        b.purpose = "another task".into();
        b.credential_owner = "Someone else".into();
        assert_eq!(
            material_changes(&a, &b),
            vec!["role", "flags", "purpose", "credential-owner"]
        );
        assert_eq!(widening_changes(&a, &b), vec!["role", "flags"]);
    }
}

#[cfg(test)]
mod review_tests {
    use super::*;
    use crate::domain::model::Exception;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_expiry_on_permanent_access_has_its_own_rule() {
        let f = ItemFields {
            expires: Some(d("2030-01-01")),
            ..Default::default()
        };
        let r = check_fields(&f, d("2026-01-01"), None).unwrap_err();
        assert_eq!(r.rule, Rule::ExpiryNeedsTemporary);
        assert_eq!(r.field, Some(Field::Expires));
        assert!(!r.message().contains("--"), "{}", r.message());
    }

    #[test]
    fn review_names_every_problem_and_warns_of_a_past_needed_by() {
        let f = ItemFields {
            temporary: true,
            expires: Some(d("2026-01-01")),
            needed_by: Some(d("2026-01-02")),
            exception: Some(Box::new(Exception {
                reason: "legacy".into(),
                owner: None,
                expires: Some(d("2025-12-01")),
            })),
            ..Default::default()
        };
        let review = review_fields(&f, d("2026-02-01"), None);
        let fields: Vec<Field> = review.refusals.iter().filter_map(|r| r.field).collect();
        assert_eq!(
            fields,
            vec![
                Field::ExceptionOwner,
                Field::Expires,
                Field::ExceptionExpires
            ]
        );
        assert_eq!(review.warnings.len(), 1);
        assert_eq!(review.warnings[0].0, Field::NeededBy);
    }
}
