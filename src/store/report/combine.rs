//! The overall measures from the projects': sums, and ratios of the summed terms
//! (never a mean of the projects' ratios).

use super::figures::{largest, median_and_p90, round2, round4};
use super::window::ratio;
use super::{Deprovisioning, Measures};

/// Adds the counts of how access ends (see `domain::lifecycle`) of `m` to `o`.
fn add_end_of_access(o: &mut Measures, m: &Measures) {
    o.unsafe_attempts_reported += m.unsafe_attempts_reported;
    o.unsafe_attempts_typed += m.unsafe_attempts_typed;
    o.overdue_retrospectives += m.overdue_retrospectives;
    o.rotations_pending += m.rotations_pending;
}

pub(super) fn combine(per: &[Measures], ages: &mut [f64], target: f64) -> Measures {
    let mut o = Measures {
        readiness_target: target,
        ..Default::default()
    };
    let (mut completed, mut counted) = (0, 0);
    let (mut ready_at_start, mut required_at_start) = (0, 0);
    let mut deprovisioning = Deprovisioning::default();
    for m in per {
        o.items += m.items;
        o.required += m.required;
        o.ready += m.ready;
        o.open_blockers += m.open_blockers;
        for (k, v) in &m.blocker_age_histogram {
            *o.blocker_age_histogram.entry(k).or_default() += v;
        }
        for (k, v) in &m.blockers_by_reason {
            *o.blockers_by_reason.entry(k).or_default() += v;
        }
        o.privileged_reviews += m.privileged_reviews;
        o.security_reviews += m.security_reviews;
        o.unsafe_credential_attempts += m.unsafe_credential_attempts;
        add_end_of_access(&mut o, m);
        completed += m.completion_terms.0;
        counted += m.completion_terms.1;
        deprovisioning.due += m.deprovisioning_due;
        deprovisioning.done += m.deprovisioning_done;
        o.implementation_delay_days += m.implementation_delay_days;
        o.tasks += m.tasks;
        o.blocked_tasks += m.blocked_tasks;
        o.security_exceptions += m.security_exceptions;
        o.emergency_grants += m.emergency_grants;
        o.above_standard_requests += m.above_standard_requests;
        o.above_standard_approved += m.above_standard_approved;
        o.open_retrospectives += m.open_retrospectives;
        ready_at_start += m.ready_at_start.unwrap_or(0);
        required_at_start += m.required_at_start.unwrap_or(0);
        o.projects_started += m.projects_started;
        o.projects_meeting_target += m.projects_meeting_target;
        o.delayed_tasks += m.delayed_tasks;
        o.security_exceptions_open += m.security_exceptions_open;
        o.security_exceptions_expired += m.security_exceptions_expired;
    }
    o.readiness_ratio = if o.required == 0 {
        1.0
    } else {
        o.ready as f64 / o.required as f64
    };
    o.completion_terms = (completed, counted);
    o.access_completion_rate = ratio(completed, counted);
    (o.deprovisioning_due, o.deprovisioning_done) = (deprovisioning.due, deprovisioning.done);
    o.deprovisioning_completion = deprovisioning.completion();
    // Ready before start overall is a ratio of totals, not a mean of the projects'.
    if o.projects_started > 0 {
        let r = ratio(ready_at_start, required_at_start);
        o.ready_before_start = Some(round4(r));
        (o.ready_at_start, o.required_at_start) = (Some(ready_at_start), Some(required_at_start));
        o.pilot_target_met = Some(r >= target);
    }
    let (median, p90) = median_and_p90(ages);
    o.blocker_age_hours_median = round2(median);
    o.blocker_age_hours_p90 = round2(p90);
    o.blocker_age_hours_max = round2(largest(ages));
    o
}
