//! The short stable name of each kind of blocking reason, for counts by reason and
//! JSON, and its place among them (counts kept by place compare no names).

use super::Reason;

impl Reason {
    /// Every reason's short stable name, in the order of [`Reason::kind`].
    pub const CODES: [&'static str; 17] = [
        "missing-fields",
        "policy",
        "denied",
        "overdue",
        "stale",
        "manual",
        "expired-not-revoked",
        "closed-project-access",
        "retrospective-overdue",
        "exception-expired",
        "approver-conflict",
        "rotation-due",
        "revocation-due",
        "review-overdue",
        "reassign",
        "second-security-needed",
        "verify-due",
    ];

    /// The place of this kind of reason in [`Reason::CODES`] (counts by reason are
    /// kept by it, with no name compared).
    pub fn kind(&self) -> usize {
        match self {
            Reason::MissingFields { .. } => 0,
            Reason::PolicyBreach { .. } => 1,
            Reason::Denied => 2,
            Reason::Overdue { .. } => 3,
            Reason::Stale { .. } => 4,
            Reason::Manual { .. } => 5,
            Reason::Expired { .. } => 6,
            Reason::ProjectClosedStillGranted => 7,
            Reason::RetrospectiveOverdue => 8,
            Reason::ExceptionExpired { .. } => 9,
            Reason::ApproverConflict { .. } => 10,
            Reason::RotationDue { .. } => 11,
            Reason::RevocationDue => 12,
            Reason::ReviewOverdue { .. } => 13,
            Reason::Reassign { .. } => 14,
            Reason::SecondSecurityNeeded => 15,
            Reason::VerifyDue { .. } => 16,
        }
    }

    /// Short stable name, for counts by reason and JSON.
    pub fn code(&self) -> &'static str {
        Reason::CODES[self.kind()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_reason_has_a_code_of_its_own() {
        let mut codes = Reason::CODES.to_vec();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Reason::CODES.len(), "{:?}", Reason::CODES);
        let some = [
            (Reason::Denied, "denied"),
            (Reason::RevocationDue, "revocation-due"),
            (Reason::SecondSecurityNeeded, "second-security-needed"),
            (Reason::Stale { days: 3 }, "stale"),
            (
                Reason::VerifyDue {
                    granter: "ana".into(),
                },
                "verify-due",
            ),
        ];
        for (r, code) in some {
            assert_eq!(r.code(), code);
        }
    }
}
