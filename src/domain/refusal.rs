//! Typed refusals. Every rule the state machine or the policy enforces has a name; a
//! refusal carries that name, the input it is about, the problem and the fix as data.
//! Each front end words it: the CLI with its flags (exit 3), a form with its labels,
//! import with line and column.

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
    /// The owner of an item's security exception does not approve that item.
    NoApprovalByExceptionOwner,
    /// An expiry or a deprovisioning rule belongs to temporary access only.
    ExpiryNeedsTemporary,
    /// Access is granted by the collection method that was approved.
    ApprovedMethod,
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
    /// Nobody breaks glass again while a retrospective of theirs is overdue.
    OverdueRetrospective,
    /// An access review covers live access: a project without any is not reviewed.
    ReviewNeedsLiveAccess,
    /// One access review of a project is open at a time.
    OneOpenReview,
    /// An extension is asked on live temporary access, for a later end, one at a time.
    ExtensionRequest,
    /// The person who granted access does not verify it.
    SeparateFulfilment,
    /// A deactivated person can no longer act.
    ActivePerson,
    /// A pending decision is handed only to someone who may take it.
    Delegation,
    /// A catalogued system is requested at one of its catalogued roles.
    CatalogueRole,
    /// A role the keyword rule flags is catalogued as privileged, unless security says not.
    CataloguePrivilege,
    /// Access above the standard (least) role needs a justification.
    JustifyAboveStandard,
    /// A template is well formed: a valid name, a title, complete items.
    TemplateFormat,
    /// Evidence is written into a new or empty folder only.
    EvidenceFolder,
    /// Evidence is drawn only from a file whose log verifies.
    VerifiedLog,
    /// A decision is undone by whoever made it, soon after, while nothing else happened.
    Undo,
    /// A task starts once, ends once after its start, and only on days that came.
    TaskProgress,
    /// A team setting is one of the known ones, with a value in its range.
    TeamSetting,
    /// The database was opened for reading only: nothing may change it.
    ReadOnly,
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
            Rule::NoApprovalByExceptionOwner => "no-approval-by-exception-owner",
            Rule::ExpiryNeedsTemporary => "expiry-needs-temporary",
            Rule::ApprovedMethod => "approved-method",
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
            Rule::OverdueRetrospective => "overdue-retrospective",
            Rule::ReviewNeedsLiveAccess => "review-needs-live-access",
            Rule::OneOpenReview => "one-open-review",
            Rule::ExtensionRequest => "extension-request",
            Rule::SeparateFulfilment => "separate-fulfilment",
            Rule::ActivePerson => "active-person",
            Rule::Delegation => "delegation",
            Rule::CatalogueRole => "catalogue-role",
            Rule::CataloguePrivilege => "catalogue-privilege",
            Rule::JustifyAboveStandard => "justify-above-standard",
            Rule::TemplateFormat => "template-format",
            Rule::EvidenceFolder => "evidence-folder-new-or-empty",
            Rule::VerifiedLog => "verified-log",
            Rule::Undo => "undo",
            Rule::TaskProgress => "task-progress",
            Rule::TeamSetting => "team-setting",
            Rule::ReadOnly => "read-only",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The input a refusal is about. Its `name()` is the CSV column and, with `--` in
/// front, the command-line flag; a form shows its own label for it. Stable: scripts
/// read it from `--json` errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    System,
    Purpose,
    Role,
    Holder,
    CredentialOwner,
    Approver,
    Method,
    Temporary,
    Expires,
    Deprovision,
    Privileged,
    SharedCredential,
    ClientOwned,
    Exception,
    ExceptionOwner,
    ExceptionExpires,
    NeededBy,
    Notes,
    Reason,
    Note,
    Conditions,
    Title,
    Start,
    Tz,
    Name,
    Client,
    Key,
    Login,
    Channel,
    Coordinator,
    Needs,
    Version,
    State,
    Id,
    Due,
    Campaign,
    Justification,
    Category,
    Roles,
    PrivilegedRoles,
    NotPrivilegedRoles,
    Template,
    /// The day a task started or was done.
    On,
    /// Items a task comes to need.
    AddNeeds,
    /// Items a task no longer needs.
    RemoveNeeds,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::System => "system",
            Field::Purpose => "purpose",
            Field::Role => "role",
            Field::Holder => "holder",
            Field::CredentialOwner => "credential-owner",
            Field::Approver => "approver",
            Field::Method => "method",
            Field::Temporary => "temporary",
            Field::Expires => "expires",
            Field::Deprovision => "deprovision",
            Field::Privileged => "privileged",
            Field::SharedCredential => "shared-credential",
            Field::ClientOwned => "client-owned",
            Field::Exception => "exception",
            Field::ExceptionOwner => "exception-owner",
            Field::ExceptionExpires => "exception-expires",
            Field::NeededBy => "needed-by",
            Field::Notes => "notes",
            Field::Reason => "reason",
            Field::Note => "note",
            Field::Conditions => "conditions",
            Field::Title => "title",
            Field::Start => "start",
            Field::Tz => "tz",
            Field::Name => "name",
            Field::Client => "client",
            Field::Key => "key",
            Field::Login => "login",
            Field::Channel => "channel",
            Field::Coordinator => "coordinator",
            Field::Needs => "needs",
            Field::Version => "version",
            Field::State => "state",
            Field::Id => "id",
            Field::Due => "due",
            Field::Campaign => "campaign",
            Field::Justification => "justification",
            Field::Category => "category",
            Field::Roles => "roles",
            Field::PrivilegedRoles => "privileged-roles",
            Field::NotPrivilegedRoles => "not-privileged-roles",
            Field::Template => "template",
            Field::On => "on",
            Field::AddNeeds => "add-needs",
            Field::RemoveNeeds => "remove-needs",
        }
    }

    /// The field named `name` (a CSV column or flag name without dashes).
    pub fn from_name(name: &str) -> Option<Field> {
        ALL_FIELDS.iter().copied().find(|f| f.name() == name)
    }

    /// Words for the field in a sentence ("credential owner").
    pub fn words(self) -> String {
        self.name().replace('-', " ")
    }
}

/// The fields of an access item a person fills in, in the order of the CSV columns
/// (`Field as usize` is the position here).
pub const ITEM_FIELDS: &[Field] = ALL_FIELDS.split_at(18).0;

const ALL_FIELDS: [Field; 45] = [
    Field::System,
    Field::Purpose,
    Field::Role,
    Field::Holder,
    Field::CredentialOwner,
    Field::Approver,
    Field::Method,
    Field::Temporary,
    Field::Expires,
    Field::Deprovision,
    Field::Privileged,
    Field::SharedCredential,
    Field::ClientOwned,
    Field::Exception,
    Field::ExceptionOwner,
    Field::ExceptionExpires,
    Field::NeededBy,
    Field::Notes,
    Field::Reason,
    Field::Note,
    Field::Conditions,
    Field::Title,
    Field::Start,
    Field::Tz,
    Field::Name,
    Field::Client,
    Field::Key,
    Field::Login,
    Field::Channel,
    Field::Coordinator,
    Field::Needs,
    Field::Version,
    Field::State,
    Field::Id,
    Field::Due,
    Field::Campaign,
    Field::Justification,
    Field::Category,
    Field::Roles,
    Field::PrivilegedRoles,
    Field::NotPrivilegedRoles,
    Field::Template,
    Field::On,
    Field::AddNeeds,
    Field::RemoveNeeds,
];

#[cfg(test)]
#[test]
fn item_fields_are_numbered_by_their_position() {
    for (i, f) in ITEM_FIELDS.iter().enumerate() {
        assert_eq!(*f as usize, i, "{f}");
    }
    assert_eq!(ITEM_FIELDS.last(), Some(&Field::Notes));
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A refused action as data: the rule, the input it is about, what is wrong and what
/// to do. The texts are plain words for any front end: no command-line flags, no
/// command names. The CLI adds flags (`--approver`), a form its labels, import the
/// line and column. Never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused ({rule}): {}", self.message())]
pub struct Refusal {
    pub rule: Rule,
    /// The input the refusal is about, when there is one.
    pub field: Option<Field>,
    /// What is wrong.
    pub problem: String,
    /// What to do about it (may be empty when the problem says it all).
    pub fix: String,
    /// The line of an imported file the refusal is about.
    pub line: Option<u32>,
    /// Further problems found at the same time (submit names every missing field).
    pub more: Vec<Refusal>,
    /// Set when the refusal is a credential found in a field: the field name and the
    /// detector's rule, so the attempt can be counted without recording the value.
    pub unsafe_attempt: Option<Box<UnsafeAttempt>>,
}

/// What is recorded of a refused credential: where, and which detector rule, never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafeAttempt {
    pub field: String,
    pub detector: String,
}

impl Refusal {
    pub fn new(rule: Rule, problem: impl Into<String>) -> Self {
        Refusal {
            rule,
            field: None,
            problem: problem.into(),
            fix: String::new(),
            line: None,
            more: Vec::new(),
            unsafe_attempt: None,
        }
    }

    /// One refusal standing for several problems found at once: the first, with the
    /// others in `more`. `None` when there are none.
    pub fn all(mut problems: Vec<Refusal>) -> Option<Refusal> {
        if problems.is_empty() {
            return None;
        }
        let mut first = problems.remove(0);
        first.more = problems;
        Some(first)
    }

    /// The refusal is about `field`.
    pub fn on(mut self, field: Field) -> Self {
        self.field = Some(field);
        self
    }

    /// What to do about it, in plain words.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }

    /// The refusal is about line `line` of an imported file.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(u32::try_from(line).unwrap_or(u32::MAX));
        self
    }

    /// Problem and fix in one sentence, without the field or the rule. (A refusal
    /// that stands for several problems says them all in its problem; `more` holds
    /// them apart for a form.)
    pub fn message(&self) -> String {
        if self.fix.is_empty() {
            self.problem.clone()
        } else {
            format!("{}; {}", self.problem, self.fix)
        }
    }

    /// Every field the refusal is about, its own first.
    pub fn fields(&self) -> Vec<Field> {
        let mut out: Vec<Field> = self.field.into_iter().collect();
        for f in self.more.iter().filter_map(|r| r.field) {
            if !out.contains(&f) {
                out.push(f);
            }
        }
        out
    }
}
