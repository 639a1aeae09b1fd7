//! Typed refusals. Every rule the state machine or the policy enforces has a name; a
//! refusal carries that name and a message saying what to fix. The CLI maps any
//! refusal to exit code 3 and prints both.

use std::fmt;

/// The rules accessdesk enforces. `name()` is stable: scripts and the audit log use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Collection method must be one of the safe methods.
    SafeCollectionMethod,
    /// Free text must not contain credentials.
    NoCredentialsInText,
    /// Free text must not contain control or bidi characters.
    PlainText,
    /// Every required field must be filled before submitting.
    RequiredFields,
    /// Temporary access needs an expiry date (and a deprovisioning rule).
    TemporaryNeedsExpiry,
    /// A security exception needs a reason, an owner and an expiry.
    ExceptionComplete,
    /// Nobody approves an item they requested.
    NoSelfApproval,
    /// Nobody approves an item whose credential they own.
    NoOwnCredentialApproval,
    /// Nobody approves access they will hold themselves.
    NoApprovalOfOwnAccess,
    /// Flagged items need the approval owner and a security person: two people.
    SeparateApprovers,
    /// The acting person lacks the role for this action.
    RoleRequired,
    /// The acting OS account is not registered.
    Registered,
    /// The move is not allowed from the item's current state.
    StateMachine,
    /// Deny, return, break-glass and similar need a reason.
    ReasonRequired,
    /// Verify and revoke need a note on how it was checked.
    NoteRequired,
    /// Names (logins, keys, dates) must refer to something that exists and be valid.
    ValidValue,
    /// Closed projects take no new work.
    ProjectOpen,
    /// Granted access is not edited in place: revoke and request again.
    NoEditOfLiveAccess,
    /// The database file was written by a newer accessdesk.
    SchemaVersion,
}

impl Rule {
    pub fn name(self) -> &'static str {
        match self {
            Rule::SafeCollectionMethod => "safe-collection-method",
            Rule::NoCredentialsInText => "no-credentials-in-text",
            Rule::PlainText => "plain-text-only",
            Rule::RequiredFields => "required-fields",
            Rule::TemporaryNeedsExpiry => "temporary-needs-expiry",
            Rule::ExceptionComplete => "exception-needs-reason-owner-expiry",
            Rule::NoSelfApproval => "no-self-approval",
            Rule::NoOwnCredentialApproval => "no-approval-by-credential-owner",
            Rule::NoApprovalOfOwnAccess => "no-approval-of-own-access",
            Rule::SeparateApprovers => "separate-approvers",
            Rule::RoleRequired => "role-required",
            Rule::Registered => "registered-person",
            Rule::StateMachine => "state-machine",
            Rule::ReasonRequired => "reason-required",
            Rule::NoteRequired => "note-required",
            Rule::ValidValue => "valid-value",
            Rule::ProjectOpen => "project-open",
            Rule::NoEditOfLiveAccess => "no-edit-of-live-access",
            Rule::SchemaVersion => "schema-version",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A refused action: the rule and what to do about it. Never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused ({rule}): {message}")]
pub struct Refusal {
    pub rule: Rule,
    pub message: String,
    /// Set when the refusal is a credential found in a field: the field name and the
    /// detector's rule, so the attempt can be counted without recording the value.
    pub unsafe_attempt: Option<UnsafeAttempt>,
}

/// What is recorded of a refused credential: where, and which detector rule, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafeAttempt {
    pub field: String,
    pub detector: String,
}

impl Refusal {
    pub fn new(rule: Rule, message: impl Into<String>) -> Self {
        Refusal {
            rule,
            message: message.into(),
            unsafe_attempt: None,
        }
    }
}
