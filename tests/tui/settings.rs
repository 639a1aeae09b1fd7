//! A team setting changed by an admin changes the blockers every person sees: in the
//! open tracker of another person (on its next reload) and in anyone's report.

use crate::common::tui::*;
use accessdesk::tui::Msg;

fn stale_count(fx: &Db) -> usize {
    let r = open(&fx.path, tester()).report(None).expect("report");
    r.overall
        .blockers_by_reason
        .get("stale")
        .copied()
        .unwrap_or(0)
}

#[test]
fn a_stale_period_set_by_the_admin_changes_everyones_blockers() {
    let fx = demo();
    let mut app = app(&fx, 120, 40);
    let blockers_before = app.blocker_ids().len();
    let stale_before = stale_count(&fx);
    assert!(
        stale_before > 0,
        "the demo has stale items at the fixed clock"
    );

    // The tester is no admin: refused, nothing changes.
    let refused = open(&fx.path, tester())
        .set_setting("stale-after-days", "60")
        .expect_err("only an admin");
    assert!(refused.to_string().contains("admin"), "{refused}");

    // Carol (the demo's admin) moves the stale period past every item's quiet spell.
    let mut carol = open(&fx.path, someone("carol"));
    carol
        .set_setting("stale-after-days", "365")
        .expect("an admin sets it");
    assert_eq!(
        stale_count(&fx),
        0,
        "nobody's report counts stale items any more"
    );

    app.update(Msg::Reload);
    let blockers_after = app.blocker_ids().len();
    assert_eq!(app.store().settings().stale_days, 365);
    assert!(
        blockers_after < blockers_before,
        "the open tracker drops the stale blockers ({blockers_before} -> {blockers_after})"
    );
    assert!(
        open(&fx.path, tester())
            .replay_check()
            .expect("replay")
            .ok(),
        "audit verify passes"
    );
}
