//! `report`: the measures per project and overall, over all history or a period, as
//! JSON or as a table whose column heads are explained under it.

use super::args::parse_date;
use super::{CmdResult, Failure, open_store, output};
use crate::store::report::{Measures, Report, Window};
use clap::Args;
use serde_json::json;
use std::path::Path;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Only this project (its key)
    #[arg(long, value_name = "KEY")]
    pub project: Option<String>,
    /// First day of the period measured (each project's calendar); default: all history
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub since: Option<chrono::NaiveDate>,
    /// Last day of the period measured, included; default: today
    #[arg(long, value_parser = parse_date, value_name = "YYYY-MM-DD")]
    pub until: Option<chrono::NaiveDate>,
}

/// What the column heads of the table mean, printed under it.
const HEADS: &str = "\
Columns: READY verified / required items now; DAYS to the planned start; BLOCKERS items
blocking now (over a period: whose blocking spell began in it); AGE h med/max their
blocking age in hours; PRIV REV security decisions on privileged items; UNSAFE
credential attempts (reported + typed); DEPROV access removed / access whose end came;
DELAY d days tasks waited past their planned start for access; AT START readiness
frozen on the start date (- before it, or when the start is outside the period).";

pub fn report(path: &Path, a: ReportArgs, json: bool) -> CmdResult {
    if let (Some(s), Some(u)) = (a.since, a.until)
        && s > u
    {
        return Err(Failure::Usage(format!(
            "--since {s} comes after --until {u}: the period must start on or before its last day"
        )));
    }
    let store = open_store(path)?;
    // One pass over the items: pages read once need no room kept for them.
    store.set_cache(crate::store::CachePolicy::AtMost { kib: 4096 })?;
    let w = Window {
        since: a.since,
        until: a.until,
    };
    let mut r = store.report_in(a.project.as_deref(), w)?;
    if json {
        // The projects apart: one entry per project, laid out on several threads.
        let projects = std::mem::take(&mut r.projects);
        let head = match json!(r) {
            serde_json::Value::Object(mut head) => {
                head.remove("projects");
                head
            }
            _ => serde_json::Map::new(),
        };
        // Each project's object written straight (see `store::report::json`).
        return output::json_with_array(&head, "projects", &projects, |m, out| {
            m.write_pretty(out, 2);
            Ok(())
        });
    }
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    let rows: Vec<Vec<String>> = r
        .projects
        .iter()
        .chain(std::iter::once(&r.overall))
        .map(|m| {
            vec![
                m.key.clone().unwrap_or_else(|| "ALL".into()),
                format!("{} ({}/{})", pct(m.readiness_ratio), m.ready, m.required),
                m.days_to_start.map(|d| d.to_string()).unwrap_or_default(),
                m.open_blockers.to_string(),
                format!(
                    "{:.1}/{:.1}",
                    m.blocker_age_hours_median, m.blocker_age_hours_max
                ),
                m.privileged_reviews.to_string(),
                m.unsafe_credential_attempts.to_string(),
                format!("{}/{}", m.deprovisioning_done, m.deprovisioning_due),
                m.implementation_delay_days.to_string(),
                m.ready_before_start.map(pct).unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    output::table(
        &[
            "PROJECT",
            "READY",
            "DAYS",
            "BLOCKERS",
            "AGE h med/max",
            "PRIV REV",
            "UNSAFE",
            "DEPROV",
            "DELAY d",
            "AT START",
        ],
        &rows,
        30,
    )?;
    let rc = &r.overall.review_campaigns;
    if rc.any() {
        say!(
            "Access reviews: {} open, {} overdue, {} completed; {} certified, {} to revoke, {} undecided",
            rc.open,
            rc.overdue,
            rc.completed,
            rc.certified,
            rc.revoked,
            rc.undecided
        )?;
    }
    for line in summary(&r) {
        say!("{line}")?;
    }
    say!("{HEADS}")?;
    super::outlook::print(&r)
}

/// The overall measures the table has no column for, one sentence a line.
fn summary(r: &Report) -> Vec<String> {
    let o: &Measures = &r.overall;
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    let day =
        |d: Option<chrono::NaiveDate>, none: &str| d.map_or(none.to_string(), |d| d.to_string());
    let mut out = vec![format!(
        "Period: {} to {}.",
        day(r.window.since, "the first event"),
        day(r.window.until, "today")
    )];
    out.push(match (o.ready_at_start, o.required_at_start, o.pilot_target_met) {
        (Some(ready), Some(required), Some(met)) => format!(
            "Ready before start: {} ({ready}/{required}) over the {} project(s) whose start fell in the period; target {} {}; {} project(s) met it.",
            o.ready_before_start.map(pct).unwrap_or_default(),
            o.projects_started,
            pct(o.readiness_target),
            if met { "met" } else { "not met" },
            o.projects_meeting_target
        ),
        _ => "Ready before start: no project's start fell in the period.".into(),
    });
    out.push(format!(
        "Access completion {}; open blocker age p90 {:.1} h; unsafe attempts {} reported, {} typed; security exceptions {} open, {} expired; deprovisioning {}; {} of {} task(s) delayed.",
        pct(o.access_completion_rate),
        o.blocker_age_hours_p90,
        o.unsafe_attempts_reported,
        o.unsafe_attempts_typed,
        o.security_exceptions_open,
        o.security_exceptions_expired,
        pct(o.deprovisioning_completion),
        o.delayed_tasks,
        o.tasks
    ));
    out.push(closed_spells(&o.spells));
    out
}

/// The blocking spells that ended in the period, in one sentence.
fn closed_spells(c: &crate::store::report::spells::ClosedSpells) -> String {
    if c.closed_spells == 0 {
        return "Closed blocking spells: none ended in the period.".into();
    }
    let buckets = [
        ("under-1d", "under 1 day"),
        ("1d-3d", "1-3 days"),
        ("3d-7d", "3-7 days"),
        ("over-7d", "over 7 days"),
    ]
    .iter()
    .map(|(k, words)| {
        let n = c.closed_spell_histogram.get(k).copied().unwrap_or(0);
        format!("{words} {n}")
    })
    .collect::<Vec<_>>()
    .join(", ");
    format!(
        "Closed blocking spells: {} ended in the period, lasting median {:.1} h, p90 {:.1} h, max {:.1} h ({buckets}).",
        c.closed_spells,
        c.closed_spell_hours_median,
        c.closed_spell_hours_p90,
        c.closed_spell_hours_max
    )
}
