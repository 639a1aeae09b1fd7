//! The dashboard (pane `4`) on the demo data at the fixed clock: snapshots at 80x24,
//! 140x40 and under NO_COLOR, each project's readiness percentage and forecast date on
//! screen as the report computes them, the forecast in the header when wide, and the
//! pane following the project chosen with `p`.

use crate::common::tui::*;
use accessdesk::tui::Theme;
use crossterm::event::KeyCode;
use ratatui::style::Color;

fn dashboard_screen(theme: Theme, w: u16, h: u16) -> String {
    let fx = demo();
    let mut a = app_with(&fx, w, h, theme);
    press(&mut a, KeyCode::Char('4'));
    screen(&render(&mut a, w, h))
}

/// Each project's line: its key, its percentage (rounded down, as the header shows
/// it) and its forecast date when it has one, all from the report at the same clock.
fn assert_projects_on_screen(text: &str) {
    assert_projects_on_screen_of(text, &demo());
}

fn assert_projects_on_screen_of(text: &str, fx: &Db) {
    let r = open(&fx.path, tester()).report(None).expect("report");
    assert!(!r.projects.is_empty());
    for m in &r.projects {
        let key = m.key.as_deref().expect("key");
        let line = text
            .lines()
            .find(|l| {
                l.trim_start_matches(['│', ' '])
                    .starts_with(&format!("{key} "))
            })
            .unwrap_or_else(|| panic!("no line for {key}:\n{text}"));
        let pct = format!("{}%", (m.readiness_ratio * 100.0).floor() as u32);
        assert!(line.contains(&pct), "{key} should show {pct}: {line}");
        assert!(
            line.contains(&format!("{}/{}", m.ready, m.required)),
            "{key}: {line}"
        );
        if let Some(on) = m.outlook.forecast_ready_on {
            assert!(
                line.contains(&on.to_string()),
                "{key} forecast {on}: {line}"
            );
        } else {
            let words = &m.outlook.forecast;
            assert!(
                line.contains(&words[..words.len().min(12)]),
                "{key} forecast '{words}': {line}"
            );
        }
    }
}

#[test]
fn dashboard_80x24() {
    let text = dashboard_screen(Theme::ansi16(), 80, 24);
    assert_projects_on_screen(&text);
    for part in ["Trend", "Blockers", "Stages", "4 Dashboard"] {
        assert!(text.contains(part), "{part}:\n{text}");
    }
    insta::assert_snapshot!("dashboard_80x24", text);
}

#[test]
fn dashboard_140x40() {
    let text = dashboard_screen(Theme::ansi16(), 140, 40);
    assert_projects_on_screen(&text);
    for part in [
        "Readiness, last 45d",
        "Open blockers by age",
        "Where the time goes",
    ] {
        assert!(text.contains(part), "{part}:\n{text}");
    }
    insta::assert_snapshot!("dashboard_140x40", text);
}

#[test]
fn dashboard_without_colour() {
    let fx = demo();
    for (w, h) in [(80, 24), (140, 40)] {
        let mut a = app_with(&fx, w, h, Theme::mono());
        press(&mut a, KeyCode::Char('4'));
        let t = render(&mut a, w, h);
        let buf = t.backend().buffer();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                let c = &buf[(x, y)];
                assert_eq!(
                    (c.fg, c.bg),
                    (Color::Reset, Color::Reset),
                    "colour at {x},{y}"
                );
            }
        }
        let text = screen(&t);
        // Bars read without colour: filled `#`, empty `-`.
        assert!(text.contains("[#") || text.contains("[-"), "{text}");
        assert_projects_on_screen(&text);
        if w == 80 {
            insta::assert_snapshot!("dashboard_nocolor_80x24", text);
        }
    }
}

#[test]
fn the_dashboard_follows_the_project_chosen() {
    let fx = demo();
    let mut a = app(&fx, 140, 40);
    press(&mut a, KeyCode::Char('4'));
    // The picker: with nothing typed, Enter takes the next project.
    press(&mut a, KeyCode::Char('p'));
    press(&mut a, KeyCode::Enter);
    let key = a.scope().expect("a project is chosen").to_string();
    let text = screen(&render(&mut a, 140, 40));
    let r = open(&fx.path, tester()).report(Some(&key)).expect("report");
    let m = &r.projects[0];
    let pct = format!("{}%", (m.readiness_ratio * 100.0).floor() as u32);
    let line = text
        .lines()
        .find(|l| l.contains(&format!("{key} ")) && l.contains('['))
        .unwrap_or_else(|| panic!("{key}:\n{text}"));
    assert!(line.contains(&pct), "{line}");
    // The header carries the project's forecast when the width allows.
    let wide = screen(&render(&mut a, 180, 40));
    let header: String = wide.lines().take(2).collect();
    assert!(
        header.contains(&format!("forecast: {}", &m.outlook.forecast)),
        "{header}"
    );
}

/// Takes out of ACME what stops its forecast: denied items cancelled, blockers by hand
/// cleared (as the tester, a coordinator).
fn clear_stuck(fx: &Db, key: &str) {
    use accessdesk::domain::State;
    use accessdesk::domain::machine::Action;
    use accessdesk::store::ItemFilter;
    let mut s = open(&fx.path, tester());
    let filter = ItemFilter {
        project: Some(key.into()),
        ..Default::default()
    };
    for v in s.list_items(&filter).expect("items") {
        let id = v.item.id();
        if v.item.manual_block.is_some() {
            s.act(&id, &Action::Unblock, None).expect("unblock");
        }
        if v.item.state == State::Denied {
            let cancel = Action::Cancel {
                note: Some("no longer needed".into()),
            };
            s.act(&id, &cancel, None).expect("cancel");
        }
    }
}

#[test]
fn a_forecast_date_shows_on_the_dashboard_the_detail_and_the_header() {
    let fx = demo();
    clear_stuck(&fx, "ACME");
    let r = open(&fx.path, tester())
        .report(Some("ACME"))
        .expect("report");
    let m = &r.projects[0];
    let on = m
        .outlook
        .forecast_ready_on
        .unwrap_or_else(|| panic!("ACME has a forecast now: {}", m.outlook.forecast));
    for (w, h) in [(80, 24), (140, 40)] {
        let mut a = app(&fx, w, h);
        press(&mut a, KeyCode::Char('4'));
        let text = screen(&render(&mut a, w, h));
        assert_projects_on_screen_of(&text, &fx);
        let line = text
            .lines()
            .find(|l| l.contains("ACME ") && l.contains('['))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(line.contains(&on.to_string()), "{on}: {line}");
    }
    // The detail of one of its items names the project's forecast.
    let mut a = app(&fx, 140, 40);
    select_in_tracker(&mut a, "ACME-1");
    press(&mut a, KeyCode::Enter);
    let text = screen(&render(&mut a, 140, 40));
    assert!(
        text.contains(&format!("Project forecast {}", m.outlook.forecast))
            || text.contains(&on.to_string()),
        "{text}"
    );
    assert!(text.contains("Stages"), "{text}");
}
