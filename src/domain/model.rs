//! Domain types: projects, access items, tasks, people and their roles, approvals.
//!
//! Enumerations carry their stable lower-case names (used in the CLI, JSON, CSV and
//! the database) so every layer spells them the same way.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Declares a C-like enum with stable kebab-case names, `Display`, `FromStr` and serde.
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// The accepted names, for error messages and help texts.
            pub fn names() -> String {
                [$($text),+].join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
                match wanted.as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!("{} is not one of: {}", super::text::masked(s), $name::names())),
                }
            }
        }
    };
}
pub(crate) use named_enum;

named_enum!(
    /// Where an access item is in its life.
    State {
        Needed => "needed",
        Requested => "requested",
        Approved => "approved",
        Granted => "granted",
        Verified => "verified",
        Denied => "denied",
        Revoked => "revoked",
        Cancelled => "cancelled",
    }
);

impl State {
    /// Revoked and cancelled items are finished: nothing moves them on.
    pub fn is_terminal(self) -> bool {
        matches!(self, State::Revoked | State::Cancelled)
    }
    /// States in which access exists at the client: it must be removed some day.
    pub fn access_live(self) -> bool {
        matches!(self, State::Granted | State::Verified)
    }
}

named_enum!(
    /// Safe ways to hand access over. Anything else (email, chat, forms, shared or
    /// plain-text passwords) is refused wherever it is entered.
    Method {
        DelegatedAccount => "delegated-account",
        TemporaryLink => "temporary-link",
        AdminApprovedFlow => "admin-approved-flow",
        Vault => "vault",
        SsoInvite => "sso-invite",
    }
);

/// Why a typed collection method was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodProblem {
    /// A known unsafe channel (email, chat, a form, a shared password...): a rule refusal.
    Unsafe,
    /// Not a method at all (a typo): a usage error.
    Unknown,
}

/// Channels the safe-collection-method rule names as never acceptable, so someone
/// typing `email` is told it is refused, not that they misspelt a method. Matched
/// inside the typed word with everything but letters and digits removed
/// ("e-mail", "Shared Password", "MS Teams").
const UNSAFE_CHANNELS: [&str; 17] = [
    "mail", "chat", "slack", "teams", "whatsapp", "signal", "telegram", "sms", "message", "form",
    "password", "passwd", "plain", "shared", "phone", "call", "text",
];

impl Method {
    /// Parses a method as a person typed it: a safe method, or why not.
    pub fn parse_input(text: &str) -> Result<Method, MethodProblem> {
        if let Ok(m) = text.parse::<Method>() {
            return Ok(m);
        }
        let squashed: String = text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Err(if UNSAFE_CHANNELS.iter().any(|c| squashed.contains(c)) {
            MethodProblem::Unsafe
        } else {
            MethodProblem::Unknown
        })
    }

    /// The refusal for a method that [`Method::parse_input`] did not accept. The typed
    /// value is not repeated: it may be anything.
    pub fn refusal(problem: &MethodProblem) -> super::Refusal {
        use super::{Field, Refusal, Rule};
        let r = match problem {
            MethodProblem::Unsafe => Refusal::new(
                Rule::SafeCollectionMethod,
                "that is not a safe collection method: credentials are never sent by email, \
                 chat, forms or as shared or plain-text passwords",
            ),
            MethodProblem::Unknown => {
                Refusal::new(Rule::ValidValue, "that is not a collection method")
            }
        };
        r.on(Field::Method)
            .fix(format!("use one of: {}", Method::names()))
    }

    /// The instruction sent to the credential owner for this method. It never asks
    /// for a password.
    pub fn instruction(self) -> &'static str {
        match self {
            Method::DelegatedAccount => {
                "add the holder as a named user (delegated account) in the system's own user management"
            }
            Method::TemporaryLink => {
                "send a single-use, time-limited invitation link generated by the system itself"
            }
            Method::AdminApprovedFlow => {
                "start the system's access-request flow and approve it as administrator"
            }
            Method::Vault => {
                "store the credential in the shared vault entry that will be created for you; never paste it anywhere else"
            }
            Method::SsoInvite => "invite the holder through your single sign-on provider",
        }
    }
}

named_enum!(
    /// What a person may do (see the role table in the README).
    Role {
        Admin => "admin",
        Coordinator => "coordinator",
        Security => "security",
        Approver => "approver",
        Support => "support",
    }
);

named_enum!(
    /// How temporary access ends.
    Deprovision {
        OnDate => "on-date",
        AtProjectEnd => "at-project-end",
    }
);

named_enum!(
    /// The capacity in which an approval was given.
    Capacity {
        /// The item's named approval owner (or a delegate).
        Owner => "owner",
        /// A security person reviewing a flagged item.
        Security => "security",
    }
);

named_enum!(
    /// Badges shown on items (JSON `flags`).
    Flag {
        Privileged => "privileged",
        SharedCredential => "shared-credential",
        ClientOwned => "client-owned",
        Exception => "exception",
        Temporary => "temporary",
        Emergency => "emergency",
        AboveStandard => "above-standard",
    }
);

impl Flag {
    /// Short badge for narrow tables.
    pub fn badge(self) -> &'static str {
        match self {
            Flag::Privileged => "PRIV",
            Flag::SharedCredential => "SHARED",
            Flag::ClientOwned => "CLIENT",
            Flag::Exception => "EXC",
            Flag::Temporary => "TEMP",
            Flag::Emergency => "EMERG",
            Flag::AboveStandard => "ABOVE",
        }
    }
}

/// A registered person: an OS login with roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub login: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// False once deactivated: they keep their name in history but can no longer act.
    #[serde(default = "active_default")]
    pub active: bool,
}

fn active_default() -> bool {
    true
}

impl Person {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
    /// Holds at least one of `roles`.
    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }
    /// True when `text` (free text such as a credential owner) names this person (see
    /// [`super::decide::names`]).
    pub fn is_named_by(&self, text: &str) -> bool {
        super::decide::names(text, self)
    }
}

/// A client project whose implementation waits on access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub key: String,
    pub name: String,
    pub client: String,
    pub start: NaiveDate,
    /// IANA time zone name; dates of the project's items are calendar dates there.
    pub tz: String,
    pub coordinator: String,
    pub closed_at: Option<DateTime<Utc>>,
    /// The project has an open or completed access review (derived, not stored).
    #[serde(default)]
    pub reviewed: bool,
    /// When its latest access review started, the one an undecided access waits in
    /// (derived, not stored; not in JSON).
    #[serde(skip)]
    pub review_started: Option<DateTime<Utc>>,
}

/// A new project, as a person enters it: what the rules check before it is added
/// (start and time zone may be left to their defaults, the coordinator to whoever adds it).
#[derive(Debug, Clone, Default)]
pub struct NewProject {
    pub key: String,
    pub name: String,
    pub client: String,
    pub start: Option<NaiveDate>,
    pub tz: Option<String>,
    pub coordinator: Option<String>,
}

/// A security exception on an item: why the policy is bent, who owns that, until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Exception {
    pub reason: String,
    pub owner: Option<String>,
    pub expires: Option<NaiveDate>,
}

/// One approval given in the current approval round of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub login: String,
    pub capacity: Capacity,
    pub conditions: Option<String>,
    pub at: DateTime<Utc>,
    /// The structured conditions, when any were given (schema 7).
    #[serde(default)]
    pub terms: Option<Box<super::conditions::ConditionFields>>,
}

/// The editable description of an access item: everything a person fills in.
/// Missing required fields are allowed while an item is `needed`; `submit` names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ItemFields {
    pub system: String,
    pub purpose: String,
    pub role: String,
    pub holder: Option<String>,
    pub credential_owner: String,
    pub approver: String,
    pub method: Option<Method>,
    pub temporary: bool,
    pub expires: Option<NaiveDate>,
    pub deprovision: Option<Deprovision>,
    pub privileged: bool,
    pub shared_credential: bool,
    pub client_owned: bool,
    pub exception: Option<Box<Exception>>,
    pub needed_by: Option<NaiveDate>,
    pub notes: String,
    /// Above the standard role for its system (decided from the catalogue, see
    /// `domain::catalogue`): needs a justification and a security review.
    #[serde(default)]
    pub above_standard: bool,
    /// Why more than the standard role is needed.
    #[serde(default)]
    pub justification: Option<Box<str>>,
}

/// An access item as stored: its fields plus where it is in the workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Database row id.
    pub rowid: i64,
    pub project: String,
    pub number: i64,
    pub fields: ItemFields,
    pub requester: String,
    pub state: State,
    pub state_since: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// Approvals in force (those of earlier rounds lapsed).
    pub approvals: Vec<Approval>,
    /// Approval conditions and the method actually used, as recorded.
    pub granted_method: Option<Method>,
    pub manual_block: Option<String>,
    pub emergency: bool,
    /// Who broke the glass; a different security person closes the retrospective.
    pub emergency_by: Option<String>,
    /// Approval round: approvals of earlier rounds lapsed on a material change.
    pub round: i64,
    /// When a break-glass retrospective is open, when it is due.
    pub retro_due: Option<DateTime<Utc>>,
    /// Start of the blocking spell as of the last write (kept across restarts).
    pub blocked_since: Option<DateTime<Utc>>,
    /// Last decision reason (deny / return), shown with the item.
    pub last_reason: Option<String>,
    /// Who submitted the item or changed it materially in its current approval round:
    /// like its requester, they may not decide on it. Once access is granted no
    /// decision is left in the round, and the list is cleared.
    #[serde(default)]
    pub parties: Vec<String>,
    /// Whether its credential waits for rotation (exposed) or was rotated since the
    /// last grant; `None` when neither.
    #[serde(default)]
    pub rotation: Option<super::lifecycle::Rotation>,
    /// What an access review left on it: waiting for a decision, or a revocation due.
    #[serde(default)]
    pub review: Option<super::review::ReviewMark>,
    /// A request to extend live temporary access, waiting for its approvals (boxed:
    /// most items never have one).
    #[serde(default)]
    pub extension: Option<Box<super::extension::Extension>>,
    // Fulfilment and routing (schema 7): who granted the access (they do not verify
    // it), where the verification is recorded (a ticket or a vault path), and the
    // pending decisions of the current round handed to someone else.
    pub granted_by: Option<String>,
    pub verify_reference: Option<Box<str>>,
    pub delegates: Vec<super::routing::Delegate>,
}

impl Item {
    /// A new item in `needed`, requested by `requester` at `now` (not yet stored:
    /// `rowid` is 0).
    pub fn new(
        project: &str,
        number: i64,
        fields: ItemFields,
        requester: &str,
        now: DateTime<Utc>,
    ) -> Item {
        Item {
            rowid: 0,
            project: project.to_string(),
            number,
            fields,
            requester: requester.to_string(),
            state: State::Needed,
            state_since: now,
            created_at: now,
            updated_at: now,
            version: 1,
            approvals: vec![],
            granted_method: None,
            manual_block: None,
            emergency: false,
            emergency_by: None,
            round: 0,
            retro_due: None,
            blocked_since: None,
            last_reason: None,
            parties: Vec::new(),
            rotation: None,
            review: None,
            extension: None,
            granted_by: None,
            verify_reference: None,
            delegates: Vec::new(),
        }
    }

    /// Counts `login` among the item's parties (see [`Item::parties`]).
    pub fn add_party(&mut self, login: &str) {
        if !self.parties.iter().any(|p| p == login) {
            // Most items have one party: no room kept for more.
            self.parties.reserve_exact(1);
            self.parties.push(login.to_string());
        }
    }

    /// The id people use: `KEY-N`.
    pub fn id(&self) -> String {
        item_id(&self.project, self.number)
    }

    /// Any review flag: such items need a security person's approval too.
    pub fn needs_security_review(&self) -> bool {
        let f = &self.fields;
        f.privileged
            || f.shared_credential
            || f.client_owned
            || f.exception.is_some()
            || f.above_standard
    }

    /// Badges in a fixed order.
    pub fn flags(&self) -> Vec<Flag> {
        Flag::ALL
            .iter()
            .copied()
            .filter(|&flag| self.has_flag(flag))
            .collect()
    }

    /// Whether the item carries `flag` (see [`Item::flags`]).
    pub fn has_flag(&self, flag: Flag) -> bool {
        let f = &self.fields;
        match flag {
            Flag::Privileged => f.privileged,
            Flag::SharedCredential => f.shared_credential,
            Flag::ClientOwned => f.client_owned,
            Flag::Exception => f.exception.is_some(),
            Flag::Temporary => f.temporary,
            Flag::Emergency => self.emergency,
            Flag::AboveStandard => f.above_standard,
        }
    }

    /// Verified items are ready: the task that needs them can start.
    pub fn is_ready(&self) -> bool {
        self.state == State::Verified
    }

    /// Cancelled items are not required for readiness.
    pub fn is_required(&self) -> bool {
        self.state != State::Cancelled
    }

    /// The approvals this item's risk needs, one capacity each: its approval owner,
    /// a security person when any review flag is set, and a second, different security
    /// person when it is privileged and client-owned or a shared credential.
    pub fn required_approvals(&self) -> Vec<Capacity> {
        let mut out = vec![Capacity::Owner];
        if self.needs_security_review() {
            out.push(Capacity::Security);
        }
        if super::routing::needs_two_security(&self.fields) {
            out.push(Capacity::Security);
        }
        out
    }

    /// Approvals required in this round that are still missing.
    pub fn missing_approvals(&self) -> Vec<Capacity> {
        let mut given: Vec<Capacity> = self.approvals.iter().map(|a| a.capacity).collect();
        self.required_approvals()
            .into_iter()
            .filter(|c| match given.iter().position(|g| g == c) {
                Some(i) => {
                    given.swap_remove(i);
                    false
                }
                None => true,
            })
            .collect()
    }

    /// (given, required) approvals of this round, for "1/2" in lists.
    pub fn approval_progress(&self) -> (usize, usize) {
        let required = self.required_approvals().len();
        (required - self.missing_approvals().len(), required)
    }
}

/// Formats `KEY-N`.
pub fn item_id(project: &str, number: i64) -> String {
    format!("{project}-{number}")
}

/// Splits `KEY-N` (case-insensitive key) into its parts.
pub fn parse_item_id(text: &str) -> Option<(String, i64)> {
    let (key, n) = text.trim().rsplit_once('-')?;
    let n: i64 = n.parse().ok()?;
    if key.is_empty() || n <= 0 {
        return None;
    }
    Some((key.to_ascii_uppercase(), n))
}

/// An implementation task that cannot start until its access items are ready.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub rowid: i64,
    pub project: String,
    pub number: i64,
    pub title: String,
    pub start: Option<NaiveDate>,
    /// Item ids (`KEY-N`) it depends on.
    pub needs: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// The day work actually started (project calendar), when it has.
    pub started_on: Option<NaiveDate>,
    /// The day the task was done (project calendar), when it is.
    pub done_on: Option<NaiveDate>,
}

impl Task {
    /// The id people use: `KEY-TN`.
    pub fn id(&self) -> String {
        format!("{}-T{}", self.project, self.number)
    }
}

/// Splits `KEY-TN` into its parts.
pub fn parse_task_id(text: &str) -> Option<(String, i64)> {
    let (key, n) = text.trim().rsplit_once('-')?;
    let n = n.strip_prefix(['T', 't'])?.parse::<i64>().ok()?;
    if key.is_empty() || n <= 0 {
        return None;
    }
    Some((key.to_ascii_uppercase(), n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in State::ALL {
            assert_eq!(s.as_str().parse::<State>().unwrap(), *s);
        }
        for m in Method::ALL {
            assert_eq!(m.as_str().parse::<Method>().unwrap(), *m);
        }
        assert!("email".parse::<Method>().is_err());
        assert_eq!(
            "Delegated_Account".parse::<Method>().unwrap(),
            Method::DelegatedAccount
        );
    }

    #[test]
    fn ids_parse() {
        assert_eq!(parse_item_id("acme-3"), Some(("ACME".into(), 3)));
        assert_eq!(parse_item_id("ACME-0"), None);
        assert_eq!(parse_item_id("ACME"), None);
        assert_eq!(parse_task_id("ACME-T2"), Some(("ACME".into(), 2)));
        assert_eq!(parse_task_id("ACME-2"), None);
    }
}

/// A partial change of an item's fields (`item edit --FIELD VALUE`, the edit form).
/// `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemPatch {
    pub system: Option<String>,
    pub purpose: Option<String>,
    pub role: Option<String>,
    pub holder: Option<Option<String>>,
    pub credential_owner: Option<String>,
    pub approver: Option<String>,
    pub method: Option<Option<Method>>,
    pub temporary: Option<bool>,
    pub expires: Option<Option<NaiveDate>>,
    pub deprovision: Option<Option<Deprovision>>,
    pub privileged: Option<bool>,
    pub shared_credential: Option<bool>,
    pub client_owned: Option<bool>,
    pub exception: Option<Option<Box<Exception>>>,
    pub needed_by: Option<Option<NaiveDate>>,
    pub notes: Option<String>,
    pub justification: Option<Option<Box<str>>>,
}

impl ItemPatch {
    pub fn is_empty(&self) -> bool {
        *self == ItemPatch::default()
    }

    /// The fields after the patch.
    pub fn apply(&self, base: &ItemFields) -> ItemFields {
        let mut f = base.clone();
        fn set<T: Clone>(dst: &mut T, src: &Option<T>) {
            if let Some(v) = src {
                *dst = v.clone();
            }
        }
        set(&mut f.system, &self.system);
        set(&mut f.purpose, &self.purpose);
        set(&mut f.role, &self.role);
        set(&mut f.holder, &self.holder);
        set(&mut f.credential_owner, &self.credential_owner);
        set(&mut f.approver, &self.approver);
        set(&mut f.method, &self.method);
        set(&mut f.temporary, &self.temporary);
        set(&mut f.expires, &self.expires);
        set(&mut f.deprovision, &self.deprovision);
        set(&mut f.privileged, &self.privileged);
        set(&mut f.shared_credential, &self.shared_credential);
        set(&mut f.client_owned, &self.client_owned);
        set(&mut f.exception, &self.exception);
        set(&mut f.needed_by, &self.needed_by);
        set(&mut f.notes, &self.notes);
        set(&mut f.justification, &self.justification);
        if self.temporary == Some(false) {
            f.expires = None;
            f.deprovision = None;
        }
        f
    }
}

impl Item {
    /// The message to send the credential owner: what to grant, to whom, by which safe
    /// method, until when, and that only this role is wanted. It never asks for a
    /// password. The CLI (`item show`, JSON) and the detail view both show exactly this.
    pub fn collection_instruction(&self, project: &Project) -> String {
        let f = &self.fields;
        let greeting = match f.credential_owner.trim() {
            "" => "Hello,".to_string(),
            owner => format!("Hello {owner},"),
        };
        let holder = f
            .holder
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .unwrap_or("our delegate account");
        let mut out = format!(
            "{greeting}\n\nfor {} ({}) please grant {holder} the role \"{}\" in {}",
            project.name.trim(),
            project.client.trim(),
            f.role.trim(),
            f.system.trim()
        );
        if !f.purpose.trim().is_empty() {
            out.push_str(&format!(", needed for: {}", f.purpose.trim()));
        }
        out.push_str(".\n");
        match f.method {
            Some(m) => out.push_str(&format!("How: {} ({m}).\n", m.instruction())),
            None => out.push_str(
                "How: we will confirm a safe method (delegated account, invitation link, SSO or vault) before you act.\n",
            ),
        }
        match (f.temporary, f.expires) {
            (true, Some(d)) => {
                let end = match f.deprovision {
                    Some(Deprovision::AtProjectEnd) => {
                        " (or at the end of the project, if that comes first)"
                    }
                    _ => "",
                };
                out.push_str(&format!(
                    "Until: {d}{end}. The access is removed then; please set the expiry in the system too if it supports one.\n"
                ));
            }
            (true, None) => out.push_str(
                "Until: temporary access; we will confirm the end date before you act.\n",
            ),
            (false, _) => {
                out.push_str("Until: the end of the project; we will ask you to remove it then.\n")
            }
        }
        if project.reviewed {
            out.push_str(super::review::PERIODIC_REVIEW);
            out.push('\n');
        }
        if let Some(c) = super::conditions::summary(self) {
            out.push_str(&format!("Conditions of the approval: {c}.\n"));
        }
        out.push_str(&format!(
            "Please grant only this role, nothing broader. Never send a password, key or other credential by email, chat or a form: we will never ask for one. Reply when it is done so we can verify the access ({}).\n",
            self.id()
        ));
        out
    }
}

#[cfg(test)]
mod instruction_tests {
    use super::*;

    fn project() -> Project {
        crate::domain::fixtures::project("Acme onboarding", "2026-12-01", "UTC")
    }

    fn item(method: Option<Method>) -> Item {
        let fields = ItemFields {
            system: "Google Analytics 4".into(),
            purpose: "Install tracking tags".into(),
            role: "Editor".into(),
            holder: Some("impl-team@agency.example".into()),
            credential_owner: "Ana (Acme marketing)".into(),
            approver: "frank".into(),
            method,
            ..Default::default()
        };
        let t = "2026-11-01T09:00:00Z".parse().unwrap();
        Item::new("ACME", 3, fields, "carol", t)
    }

    #[test]
    fn the_instruction_is_pinned_for_permanent_access() {
        assert_eq!(
            item(Some(Method::DelegatedAccount)).collection_instruction(&project()),
            "Hello Ana (Acme marketing),\n\nfor Acme onboarding (Acme Retail) please grant \
             impl-team@agency.example the role \"Editor\" in Google Analytics 4, needed for: \
             Install tracking tags.\nHow: add the holder as a named user (delegated account) in \
             the system's own user management (delegated-account).\nUntil: the end of the \
             project; we will ask you to remove it then.\nPlease grant only this role, nothing \
             broader. Never send a password, key or other credential by email, chat or a form: \
             we will never ask for one. Reply when it is done so we can verify the access (ACME-3).\n"
        );
    }

    #[test]
    fn every_method_and_temporary_access_say_how_and_until_when() {
        for m in Method::ALL {
            let text = item(Some(*m)).collection_instruction(&project());
            assert!(text.contains(m.instruction()), "{m}: {text}");
            assert!(
                text.contains("grant only this role, nothing broader"),
                "{m}"
            );
            assert!(!text.contains("reviewed periodically"), "{m}");
        }
        let none = item(None).collection_instruction(&project());
        assert!(none.contains("we will confirm a safe method"), "{none}");
        let mut temp = item(Some(Method::Vault));
        temp.fields.temporary = true;
        temp.fields.expires = NaiveDate::from_ymd_opt(2027, 1, 31);
        temp.fields.deprovision = Some(Deprovision::OnDate);
        let text = temp.collection_instruction(&project());
        assert!(
            text.contains("Until: 2027-01-31. The access is removed then"),
            "{text}"
        );
        temp.fields.deprovision = Some(Deprovision::AtProjectEnd);
        let text = temp.collection_instruction(&project());
        assert!(
            text.contains("Until: 2027-01-31 (or at the end of the project, if that comes first)."),
            "{text}"
        );
    }
}
