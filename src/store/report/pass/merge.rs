//! The parts of the pass merged in the order of their ranges, so that the report is
//! the one a single pass in row order makes.

use super::super::stages::Lines;
use super::{Acc, Met, Part};
use std::collections::HashSet;

impl Acc {
    /// Adds what `o`, the same project's accumulator over the rows that follow this
    /// one's, counted: every field [`Acc::add`] touches.
    pub(super) fn merge(&mut self, o: Acc) {
        let (m, n) = (&mut self.m, o.m);
        for (mine, theirs) in self.by_age.iter_mut().zip(o.by_age) {
            *mine += theirs;
        }
        for (mine, theirs) in self.by_reason.iter_mut().zip(o.by_reason) {
            *mine += theirs;
        }
        let counts = [
            (&mut m.items, n.items),
            (&mut m.open_blockers, n.open_blockers),
            (&mut m.security_exceptions, n.security_exceptions),
            (&mut m.emergency_grants, n.emergency_grants),
            (&mut m.above_standard_requests, n.above_standard_requests),
            (&mut m.above_standard_approved, n.above_standard_approved),
            (&mut m.security_reviews, n.security_reviews),
            (&mut m.privileged_reviews, n.privileged_reviews),
        ];
        let retrospectives = [
            (&mut m.open_retrospectives, n.open_retrospectives),
            (&mut m.overdue_retrospectives, n.overdue_retrospectives),
            (&mut m.rotations_pending, n.rotations_pending),
            (&mut self.completed, o.completed),
        ];
        for (mine, theirs) in counts.into_iter().chain(retrospectives) {
            *mine += theirs;
        }
        for (r, s) in [
            (&mut self.readiness, o.readiness),
            (&mut self.at_start, o.at_start),
        ] {
            r.required += s.required;
            r.ready += s.ready;
        }
        self.deprovisioning.due += o.deprovisioning.due;
        self.deprovisioning.done += o.deprovisioning.done;
        self.ages.extend(o.ages);
        self.period.merge(o.period);
    }
}

/// The parts merged in order (the first range's first): each project's accumulator,
/// the stage lines when gathered, the needed items met, and the needed rows there but
/// of no project the report knows.
pub(in crate::store::report) fn merge(
    parts: Vec<Part>,
) -> (Vec<Acc>, Option<Lines>, Met, HashSet<i64>) {
    let mut acc: Vec<Acc> = Vec::new();
    let mut lines: Option<Lines> = None;
    let mut met = Met::default();
    let mut unknown = HashSet::new();
    for part in parts {
        unknown.extend(part.unknown);
        met.extend(
            part.seen
                .into_iter()
                .map(|(row, pi, need)| (row, (pi, need))),
        );
        if acc.is_empty() {
            acc = part.acc;
        } else {
            for (a, o) in acc.iter_mut().zip(part.acc) {
                a.merge(o);
            }
        }
        match (lines.as_mut(), part.lines) {
            (Some(l), Some(o)) => l.append(o),
            (None, o) => lines = o,
            (Some(_), None) => {}
        }
    }
    (acc, lines, met, unknown)
}
