//! How a [`Measures`] is written: one JSON object of its own fields and of the blocks
//! flattened into it (the outlook, the closed spells), each key once, in the order of
//! the keys' bytes. That is the order a `serde_json` map (a `Value`) keeps, so an
//! object written straight from the measures reads the same as one written through a
//! `Value`, and the report of ten thousand projects is written without building one
//! per project. The objects nested in it write their fields in the same order (their
//! fields are declared so).

use super::Measures;
use serde::ser::{Serialize, SerializeMap, Serializer};

impl Serialize for Measures {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (o, c) = (&self.outlook, &self.spells);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("above_standard_approved", &self.above_standard_approved)?;
        m.serialize_entry("above_standard_requests", &self.above_standard_requests)?;
        m.serialize_entry("access_completion_rate", &self.access_completion_rate)?;
        m.serialize_entry("blocked_tasks", &self.blocked_tasks)?;
        m.serialize_entry("blocker_age_histogram", &self.blocker_age_histogram)?;
        m.serialize_entry("blocker_age_hours_max", &self.blocker_age_hours_max)?;
        m.serialize_entry("blocker_age_hours_median", &self.blocker_age_hours_median)?;
        m.serialize_entry("blocker_age_hours_p90", &self.blocker_age_hours_p90)?;
        m.serialize_entry("blockers_by_reason", &self.blockers_by_reason)?;
        m.serialize_entry("closed", &self.closed)?;
        m.serialize_entry("closed_spell_histogram", &c.closed_spell_histogram)?;
        m.serialize_entry("closed_spell_hours_max", &c.closed_spell_hours_max)?;
        m.serialize_entry("closed_spell_hours_median", &c.closed_spell_hours_median)?;
        m.serialize_entry("closed_spell_hours_p90", &c.closed_spell_hours_p90)?;
        m.serialize_entry("closed_spells", &c.closed_spells)?;
        if let Some(d) = &self.days_to_start {
            m.serialize_entry("days_to_start", d)?;
        }
        m.serialize_entry("delayed_tasks", &self.delayed_tasks)?;
        m.serialize_entry("delegations", &self.delegations)?;
        m.serialize_entry("deprovisioning_completion", &self.deprovisioning_completion)?;
        m.serialize_entry("deprovisioning_done", &self.deprovisioning_done)?;
        m.serialize_entry("deprovisioning_due", &self.deprovisioning_due)?;
        m.serialize_entry("emergency_grants", &self.emergency_grants)?;
        m.serialize_entry("forecast", &o.forecast)?;
        m.serialize_entry(
            "forecast_misses_start_by_days",
            &o.forecast_misses_start_by_days,
        )?;
        m.serialize_entry("forecast_ready_on", &o.forecast_ready_on)?;
        m.serialize_entry("implementation_delay_days", &self.implementation_delay_days)?;
        m.serialize_entry("items", &self.items)?;
        if let Some(k) = &self.key {
            m.serialize_entry("key", k)?;
        }
        if let Some(n) = &self.name {
            m.serialize_entry("name", n)?;
        }
        m.serialize_entry("open_blockers", &self.open_blockers)?;
        m.serialize_entry("open_retrospectives", &self.open_retrospectives)?;
        m.serialize_entry("overdue_retrospectives", &self.overdue_retrospectives)?;
        m.serialize_entry("pilot_target_met", &self.pilot_target_met)?;
        m.serialize_entry("privileged_reviews", &self.privileged_reviews)?;
        m.serialize_entry("projects_meeting_target", &self.projects_meeting_target)?;
        m.serialize_entry("projects_started", &self.projects_started)?;
        m.serialize_entry("readiness_ratio", &self.readiness_ratio)?;
        m.serialize_entry("readiness_target", &self.readiness_target)?;
        m.serialize_entry("ready", &self.ready)?;
        m.serialize_entry("ready_at_start", &self.ready_at_start)?;
        m.serialize_entry("ready_before_start", &self.ready_before_start)?;
        m.serialize_entry("required", &self.required)?;
        m.serialize_entry("required_at_start", &self.required_at_start)?;
        m.serialize_entry("review_campaigns", &self.review_campaigns)?;
        m.serialize_entry("rotations_pending", &self.rotations_pending)?;
        m.serialize_entry("security_exceptions", &self.security_exceptions)?;
        m.serialize_entry(
            "security_exceptions_expired",
            &self.security_exceptions_expired,
        )?;
        m.serialize_entry("security_exceptions_open", &self.security_exceptions_open)?;
        m.serialize_entry("security_reviews", &self.security_reviews)?;
        m.serialize_entry("stage_durations", &o.stage_durations)?;
        if !o.stage_durations_by_approver.is_empty() {
            m.serialize_entry(
                "stage_durations_by_approver",
                &o.stage_durations_by_approver,
            )?;
        }
        if !o.stage_durations_by_system.is_empty() {
            m.serialize_entry("stage_durations_by_system", &o.stage_durations_by_system)?;
        }
        if let Some(d) = &self.start {
            m.serialize_entry("start", d)?;
        }
        m.serialize_entry("tasks", &self.tasks)?;
        m.serialize_entry("unsafe_attempts_reported", &self.unsafe_attempts_reported)?;
        m.serialize_entry("unsafe_attempts_typed", &self.unsafe_attempts_typed)?;
        m.serialize_entry(
            "unsafe_credential_attempts",
            &self.unsafe_credential_attempts,
        )?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::super::forecast::StageSpreads;
    use super::super::{Measures, Report};
    use crate::domain::forecast::Spread;
    use crate::store::Store;
    use crate::store::testing::me;
    use chrono::{DateTime, Utc};

    /// Written straight and written through a `Value` (whose keys are sorted), to
    /// the byte; and the keys those two write are every key of the measures.
    fn same_both_ways(m: &Measures) {
        let straight = serde_json::to_string_pretty(m).unwrap();
        let value = serde_json::to_value(m).unwrap();
        assert_eq!(straight, serde_json::to_string_pretty(&value).unwrap());
        // Each key once: a key written twice would be kept once by the `Value`.
        let keys = straight.matches("\n  \"").count();
        assert_eq!(keys, value.as_object().unwrap().len(), "{straight}");
    }

    #[test]
    fn measures_write_their_keys_in_the_order_a_json_map_keeps() {
        // Every field that may be left out is there, every nested map has entries.
        let spread = Spread {
            samples: 7,
            median_hours: Some(1.5),
            p90_hours: None,
        };
        let spreads = StageSpreads {
            added_to_submitted: spread,
            approved_to_granted: spread,
            granted_to_verified: Spread::default(),
            submitted_to_approved: spread,
        };
        let mut m = Measures {
            key: Some("ACME".into()),
            name: Some("Acme \u{202e} rollout".into()),
            start: Some("2026-12-01".parse().unwrap()),
            days_to_start: Some(-3),
            ready_before_start: Some(0.5),
            ready_at_start: Some(1),
            required_at_start: Some(2),
            pilot_target_met: Some(false),
            readiness_ratio: f64::NAN,
            ..Measures::default()
        };
        m.blocker_age_histogram.insert("1d-3d", 2);
        m.blockers_by_reason.insert("unsafe-method", 1);
        m.outlook.stage_durations = spreads.clone();
        m.outlook
            .stage_durations_by_system
            .insert("crm".into(), spreads.clone());
        m.outlook
            .stage_durations_by_approver
            .insert("ann".into(), spreads);
        m.outlook.forecast_ready_on = Some("2026-12-24".parse().unwrap());
        m.spells.closed_spell_histogram.insert("under-1d", 4);
        same_both_ways(&m);
        // And with every field left out that may be.
        same_both_ways(&Measures::default());
    }

    #[test]
    fn a_generated_reports_measures_read_the_same_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("json.db");
        let now: DateTime<Utc> = "2026-11-20T12:00:00Z".parse().unwrap();
        crate::scale::generate(&db, 400, 5, now, Some(&me())).unwrap();
        let mut s = Store::open_as(&db, me()).unwrap();
        s.set_now(now);
        let r: Report = s.report(None).unwrap();
        assert!(r.overall.outlook.stage_durations_by_system.len() > 1);
        same_both_ways(&r.overall);
        for m in &r.projects {
            same_both_ways(m);
        }
    }
}
