//! Field-level policy: what a valid access item looks like, which roles are privileged,
//! which edits are material (and so void approvals), and the text hygiene every
//! free-text value goes through (no credentials, no control characters).

use super::model::{Deprovision, ItemFields, Person, Role};
use super::refusal::{Refusal, Rule, UnsafeAttempt};
use super::{secrets, text};
use chrono::NaiveDate;

/// Longest single-line value accepted (system, role, names...).
pub const MAX_LINE: usize = 200;
/// Longest multi-line value accepted (notes, reasons).
pub const MAX_NOTE: usize = 4000;

/// Words that make a role privileged on their own.
const PRIVILEGED_WORDS: [&str; 5] = ["admin", "administrator", "owner", "root", "superuser"];

/// A role is privileged when one of its whole words is admin, administrator, owner,
/// root or superuser ("Site Admin" yes, "Badminton Coach" no).
pub fn role_is_privileged(role: &str) -> bool {
    role.split(|c: char| !c.is_alphanumeric())
        .any(|w| PRIVILEGED_WORDS.iter().any(|p| w.eq_ignore_ascii_case(p)))
}

/// Checks one free-text value: no control or bidi characters, not too long, no
/// credential. A credential refusal carries the field and detector rule (never the
/// value) so the caller can count the attempt.
pub fn check_text(field: &str, value: &str, multiline: bool) -> Result<(), Refusal> {
    let max = if multiline { MAX_NOTE } else { MAX_LINE };
    // Credentials first, so a pasted secret is counted as such even when it is also
    // too long or carries control characters; absurdly long input is refused on its
    // length alone.
    if value.len() <= 16 * MAX_NOTE
        && let Some(kind) = secrets::find_secret(value)
    {
        return Err(Refusal {
            rule: Rule::NoCredentialsInText,
            message: format!(
                "{field} contains what looks like {} ({}). Credentials are never stored here: \
                 remove it and have the credential owner use a safe collection method (e.g. vault)",
                kind.describe(),
                kind.rule()
            ),
            unsafe_attempt: Some(UnsafeAttempt {
                field: field.to_string(),
                detector: kind.rule().to_string(),
            }),
        });
    }
    if let Err(problem) = text::check_text(value, multiline, max) {
        return Err(Refusal::new(Rule::PlainText, format!("{field}: {problem}")));
    }
    Ok(())
}

/// Checks every text field of an item and the policy rules that must hold at all
/// times (temporary access has an expiry; an exception has reason, owner and expiry).
/// Missing required fields are *not* refused here: an item may be drafted in `needed`.
/// `today` is the current date in the project's time zone; new expiry dates must not
/// lie in the past.
pub fn check_fields(
    f: &ItemFields,
    today: NaiveDate,
    previous: Option<&ItemFields>,
) -> Result<(), Refusal> {
    let lines = [
        ("system", f.system.as_str()),
        ("purpose", f.purpose.as_str()),
        ("role", f.role.as_str()),
        ("holder", f.holder.as_deref().unwrap_or("")),
        ("credential-owner", f.credential_owner.as_str()),
        ("approver", f.approver.as_str()),
    ];
    for (name, value) in lines {
        check_text(name, value, false)?;
    }
    check_text("notes", &f.notes, true)?;
    if let Some(e) = &f.exception {
        check_text("exception", &e.reason, true)?;
        check_text("exception-owner", e.owner.as_deref().unwrap_or(""), false)?;
    }
    let problems = policy_problems(f);
    if !problems.is_empty() {
        let rule = if f.temporary && f.expires.is_none() {
            Rule::TemporaryNeedsExpiry
        } else {
            Rule::ExceptionComplete
        };
        return Err(Refusal::new(rule, problems.join("; ")));
    }
    let unchanged =
        |new: Option<NaiveDate>, old: Option<NaiveDate>| previous.is_some() && new == old;
    if let Some(d) = f.expires
        && d < today
        && !unchanged(f.expires, previous.and_then(|p| p.expires))
    {
        return Err(Refusal::new(
            Rule::ValidValue,
            format!("expires {d} is in the past (today is {today}): give a future date"),
        ));
    }
    if let Some(e) = &f.exception
        && let Some(d) = e.expires
        && d < today
        && !unchanged(
            Some(d),
            previous
                .and_then(|p| p.exception.as_ref())
                .and_then(|e| e.expires),
        )
    {
        return Err(Refusal::new(
            Rule::ValidValue,
            format!("exception-expires {d} is in the past (today is {today}): give a future date"),
        ));
    }
    Ok(())
}

/// Out-of-policy combinations, each with its fix.
pub fn policy_problems(f: &ItemFields) -> Vec<String> {
    let mut out = Vec::new();
    if f.temporary && f.expires.is_none() {
        out.push("temporary access needs an expiry date: add --expires YYYY-MM-DD".to_string());
    }
    if !f.temporary && (f.expires.is_some() || f.deprovision.is_some()) {
        out.push(
            "an expiry or deprovisioning rule only applies to temporary access: add --temporary"
                .to_string(),
        );
    }
    if let Some(e) = &f.exception {
        if e.reason.trim().is_empty() {
            out.push("a security exception needs a reason: --exception REASON".to_string());
        }
        if e.owner.as_deref().is_none_or(|o| o.trim().is_empty()) {
            out.push("a security exception needs an owner: --exception-owner LOGIN".to_string());
        }
        if e.expires.is_none() {
            out.push(
                "a security exception needs an expiry: --exception-expires YYYY-MM-DD".to_string(),
            );
        }
    }
    out
}

/// Required fields that are still empty, by their CLI names.
pub fn missing_fields(f: &ItemFields) -> Vec<&'static str> {
    let mut out = Vec::new();
    let empty = |s: &str| s.trim().is_empty();
    if empty(&f.system) {
        out.push("system");
    }
    if empty(&f.purpose) {
        out.push("purpose");
    }
    if empty(&f.role) {
        out.push("role");
    }
    if empty(&f.credential_owner) {
        out.push("credential-owner");
    }
    if empty(&f.approver) {
        out.push("approver");
    }
    if f.method.is_none() {
        out.push("method");
    }
    out
}

/// Everything that stops an item from being submitted, named at once.
pub fn submit_problems(f: &ItemFields) -> Vec<String> {
    let mut out: Vec<String> = missing_fields(f)
        .into_iter()
        .map(|m| format!("{m} is missing"))
        .collect();
    out.extend(policy_problems(f));
    out
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

/// Fields whose change voids approvals given so far (and needs a new approval).
pub fn material_changes(old: &ItemFields, new: &ItemFields) -> Vec<&'static str> {
    let mut out = Vec::new();
    if old.system != new.system {
        out.push("system");
    }
    if old.role != new.role {
        out.push("role");
    }
    if old.holder != new.holder {
        out.push("holder");
    }
    if old.approver != new.approver {
        out.push("approver");
    }
    if old.method != new.method {
        out.push("method");
    }
    if old.temporary != new.temporary {
        out.push("temporary");
    }
    if old.expires != new.expires {
        out.push("expires");
    }
    if old.deprovision != new.deprovision {
        out.push("deprovision");
    }
    if old.privileged != new.privileged
        || old.shared_credential != new.shared_credential
        || old.client_owned != new.client_owned
    {
        out.push("flags");
    }
    if old.exception != new.exception {
        out.push("exception");
    }
    out
}

/// All fields that differ, for the edit event.
pub fn changed_fields(old: &ItemFields, new: &ItemFields) -> Vec<&'static str> {
    let mut out = material_changes(old, new);
    if old.purpose != new.purpose {
        out.push("purpose");
    }
    if old.credential_owner != new.credential_owner {
        out.push("credential-owner");
    }
    if old.needed_by != new.needed_by {
        out.push("needed-by");
    }
    if old.notes != new.notes {
        out.push("notes");
    }
    out
}

/// Checks that a login names a registered person holding one of `roles` (for approval
/// owners and exception owners).
pub fn check_registered(
    field: &str,
    login: &str,
    person: Option<&Person>,
    roles: &[Role],
) -> Result<(), Refusal> {
    match person {
        None => Err(Refusal::new(
            Rule::ValidValue,
            format!(
                "{field} '{login}' is not a registered person: an admin adds them with `accessdesk people add {login} --role approver`"
            ),
        )),
        Some(p) if !roles.is_empty() && !roles.iter().any(|r| p.has(*r)) => Err(Refusal::new(
            Rule::ValidValue,
            format!(
                "{field} '{login}' has none of the roles {}: an admin can add one with `accessdesk people add {login} --role ...`",
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
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
    }

    #[test]
    fn submit_names_every_problem_at_once() {
        let f = ItemFields {
            temporary: true,
            ..Default::default()
        };
        let p = submit_problems(&f);
        assert_eq!(p.len(), 7, "{p:?}");
        assert!(p.iter().any(|m| m.contains("expiry")));
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
    }
}
