//! The text `report`'s forecast and "where the time goes" sections, each table with
//! its column heads explained under it.

use super::{CmdResult, output};
use crate::domain::forecast::{Stage, Timeline, hours_text};
use crate::store::report::forecast::StageSpreads;
use crate::store::report::{Measures, Report};

fn spread_text(s: &StageSpreads, stage: Stage) -> String {
    let sp = s.get(stage);
    match (sp.median_hours, sp.p90_hours) {
        (Some(m), Some(p)) => format!("{}/{} ({})", hours_text(m), hours_text(p), sp.samples),
        _ => "-".to_string(),
    }
}

fn stage_row(name: String, s: &StageSpreads) -> Vec<String> {
    let mut row = vec![name];
    row.extend(Stage::ALL.map(|st| spread_text(s, st)));
    row
}

fn key(m: &Measures) -> String {
    m.key.clone().unwrap_or_else(|| "ALL".into())
}

pub(super) fn print(r: &Report) -> CmdResult {
    say!("")?;
    let rows: Vec<Vec<String>> = r
        .projects
        .iter()
        .chain(std::iter::once(&r.overall))
        .map(|m| {
            let o = &m.outlook;
            vec![
                key(m),
                m.start.map(|d| d.to_string()).unwrap_or_default(),
                o.forecast_ready_on
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into()),
                o.forecast_misses_start_by_days
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "-".into()),
                o.forecast.clone(),
            ]
        })
        .collect();
    output::table(
        &["PROJECT", "START", "READY ON", "LATE d", "FORECAST"],
        &rows,
        44,
    )?;
    say!(
        "READY ON: today plus the largest remaining time of an unready item, rounded up to a day; an item's remaining time is the sum of the median durations of the stages it still has to pass (same approval owner and system, else the system, else all history; each needs 5 samples). LATE d: days READY ON falls after START (0 on time)."
    )?;
    say!("")?;
    let head = [
        "STAGES",
        "ADDED→SUBMITTED",
        "SUBMITTED→APPROVED",
        "APPROVED→GRANTED",
        "GRANTED→VERIFIED",
    ];
    let mut rows: Vec<Vec<String>> = r
        .projects
        .iter()
        .chain(std::iter::once(&r.overall))
        .map(|m| stage_row(key(m), &m.outlook.stage_durations))
        .collect();
    for (name, s) in &r.overall.outlook.stage_durations_by_system {
        rows.push(stage_row(format!("system {name}"), s));
    }
    for (login, s) in &r.overall.outlook.stage_durations_by_approver {
        rows.push(stage_row(format!("approver {login}"), s));
    }
    output::table(&head, &rows, 30)?;
    say!(
        "Each stage: median/p90 (items that passed it); measured from the first time an item entered one state to the first time it entered the next."
    )?;
    if !r.window.is_all() {
        say!(
            "Over the period: the stages that ended in it (each project's calendar); the forecast draws on those alone."
        )?;
    }
    Ok(())
}

/// An item's stage durations for `item show --json`: hours per stage, null where it
/// has not passed the stage.
pub(super) fn item_json(t: &Timeline) -> serde_json::Value {
    let mut j = serde_json::Map::new();
    for s in Stage::ALL {
        j.insert(s.key().to_string(), serde_json::json!(t.hours(s)));
    }
    serde_json::Value::Object(j)
}

/// The same for `item show`: "submit 2h · approve 1d 3h · grant - · verify -".
pub(super) fn item_text(t: &Timeline) -> String {
    Stage::ALL
        .map(|s| {
            let h = t.hours(s).map_or_else(|| "-".to_string(), hours_text);
            format!("{} {h}", s.label())
        })
        .join(" · ")
}
