//! `accessdesk demo`'s sample data, built through the library at a fixed clock: the file
//! verifies, shows every state and blocker kind the product knows, gives the running
//! account real decisions to make, and is never written over.

use accessdesk::demo::{self, DemoError};
use accessdesk::domain::machine::{self, ActionKind};
use accessdesk::domain::{Capacity, Project, State};
use accessdesk::identity::Identity;
use accessdesk::store::{ItemFilter, ItemView, Store};
use std::collections::{HashMap, HashSet};

use crate::common::tui::{now, open, tester};

/// Items in `requested` that `login` may approve, as the approval queue shows them.
fn queue(store: &Store, login: &str) -> Vec<ItemView> {
    let person = store
        .person(login)
        .expect("read person")
        .expect("registered");
    let projects: HashMap<String, Project> = store
        .projects()
        .expect("projects")
        .into_iter()
        .map(|p| (p.key.clone(), p))
        .collect();
    store
        .list_items(&ItemFilter::default())
        .expect("list items")
        .into_iter()
        .filter(|v| v.item.state == State::Requested)
        .filter(|v| {
            machine::guard(
                &v.item,
                &projects[&v.item.project],
                ActionKind::Approve,
                Some(&person),
                login,
            )
            .is_ok()
        })
        .collect()
}

#[test]
fn demo_builds_a_verifying_lively_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.db");
    let summary = demo::build(&path, &tester(), now()).expect("demo builds");
    let store = open(&path, tester());

    let audit = store.verify_chain().expect("verify");
    assert!(audit.first_bad.is_none(), "{:?}", audit.first_bad);
    assert_eq!(summary.events as i64, audit.events);

    let items = store.list_items(&ItemFilter::default()).expect("items");
    assert!(items.len() >= 30, "{} items", items.len());
    assert_eq!(summary.items, items.len());
    let states: HashSet<State> = items.iter().map(|v| v.item.state).collect();
    for s in State::ALL {
        assert!(states.contains(s), "no item is {s}");
    }

    let me = store
        .person("tester")
        .expect("read")
        .expect("the running account is registered");
    for role in ["coordinator", "security", "approver"] {
        assert!(
            me.roles.iter().any(|r| r.as_str() == role),
            "tester lacks {role}"
        );
    }
    let mine = queue(&store, "tester");
    assert!(mine.len() >= 4, "queue of tester: {}", mine.len());
    assert_eq!(summary.my_queue, mine.len());
    let text = summary.to_string();
    assert!(
        text.contains(&format!("{} items wait on your decision", mine.len())),
        "{text}"
    );
    assert!(
        text.contains("You (tester) are registered as coordinator, security, approver"),
        "{text}"
    );
    assert!(
        mine.iter().all(|v| v.item.requester != "tester"),
        "the running account never requested its own queue items"
    );
    assert!(
        mine.iter()
            .any(|v| v.item.fields.approver == "tester" && !v.item.needs_security_review()),
        "some items name tester as approval owner"
    );
    assert!(
        mine.iter().any(|v| v.item.needs_security_review()
            && v.item
                .approvals
                .iter()
                .any(|a| a.capacity == Capacity::Owner)),
        "some flagged items wait only for a security review"
    );
    // Named approver on a privileged item: after tester approves, a different security
    // person is still needed.
    let both = mine
        .iter()
        .find(|v| v.item.fields.approver == "tester" && v.item.fields.privileged)
        .expect("a privileged item naming tester as approver");
    let mut acting = open(&path, tester());
    let after = acting
        .act(
            &both.item.id(),
            &machine::Action::Approve { conditions: None },
            None,
        )
        .expect("tester approves as owner");
    assert_eq!(after.state, State::Requested);
    assert_eq!(after.missing_approvals(), vec![Capacity::Security]);
    assert!(
        machine::guard(
            &after,
            &store.project(&after.project).expect("project"),
            ActionKind::Approve,
            Some(&me),
            "tester"
        )
        .is_err(),
        "the same person cannot also give the security approval"
    );
}

#[test]
fn report_shows_progress_and_varied_blockers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.db");
    demo::build(&path, &tester(), now()).expect("demo builds");
    let store = open(&path, tester());
    let report = store.report(None).expect("report");
    let acme = report
        .projects
        .iter()
        .find(|m| m.key.as_deref() == Some("ACME"))
        .expect("ACME in report");
    assert!(
        acme.readiness_ratio > 0.0 && acme.readiness_ratio < 1.0,
        "ACME readiness {}",
        acme.readiness_ratio
    );
    assert!(acme.open_blockers > 0);
    assert!(
        acme.days_to_start.is_some_and(|d| d > 0),
        "ACME starts in the future"
    );
    assert!(report.overall.open_blockers > 0);
    let kinds: Vec<&str> = report.overall.blockers_by_reason.keys().copied().collect();
    for kind in [
        "missing-fields",
        "denied",
        "overdue",
        "stale",
        "manual",
        "expired-not-revoked",
        "closed-project-access",
        "retrospective-overdue",
    ] {
        assert!(
            kinds.contains(&kind),
            "no open blocker of kind {kind}: {kinds:?}"
        );
    }
    assert!(
        report.overall.blocked_tasks > 0 && report.overall.blocked_tasks < report.overall.tasks
    );
    assert!(report.overall.emergency_grants >= 2);
    assert!(report.overall.security_exceptions >= 2);
    assert!(report.projects.iter().any(|m| m.closed));
    // Delay counts days tasks waited past their start for access: the closed project's
    // tasks had their access verified before they started (and removed afterwards),
    // the migration's cut-over has waited since its start five days ago.
    let key = |k: &str| {
        report
            .projects
            .iter()
            .find(|m| m.key.as_deref() == Some(k))
            .expect("project in report")
    };
    assert_eq!(key("LUMEN").implementation_delay_days, 0);
    assert_eq!(key("HARBOR").implementation_delay_days, 5);
    // The worked example stays mostly healthy: nothing in ACME is stale.
    assert!(
        !acme.blockers_by_reason.contains_key("stale"),
        "{:?}",
        acme.blockers_by_reason
    );
}

#[test]
fn demo_never_writes_over_an_existing_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.db");
    demo::build(&path, &tester(), now()).expect("first build");
    let before = std::fs::read(&path).expect("read file");
    let err = demo::build(&path, &tester(), now()).expect_err("second build refused");
    assert!(matches!(err, DemoError::Exists(_)), "{err}");
    assert_eq!(
        std::fs::read(&path).expect("read file"),
        before,
        "the file is unchanged"
    );

    let other = dir.path().join("other.db");
    std::fs::write(&other, b"not a database").expect("write");
    assert!(matches!(
        demo::build(&other, &tester(), now()),
        Err(DemoError::Exists(_))
    ));
    assert_eq!(std::fs::read(&other).expect("read"), b"not a database");
}

#[test]
fn running_account_named_like_a_sample_person() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.db");
    let carol = Identity {
        uid: 4243,
        login: "carol".into(),
    };
    let summary = demo::build(&path, &carol, now()).expect("demo builds");
    assert!(summary.my_queue >= 4);
    let store = open(&path, carol);
    let me = store.person("carol").expect("read").expect("registered");
    assert!(
        !me.roles.iter().any(|r| r.as_str() == "admin"),
        "the running account is not the sample admin"
    );
    assert!(
        store.person("carol.sample").expect("read").is_some(),
        "the sample carol was renamed"
    );
    assert!(store.verify_chain().expect("verify").first_bad.is_none());
}

#[test]
fn demo_creates_missing_folders_and_a_private_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested/deeper/demo.db");
    demo::build(&path, &tester(), now()).expect("demo builds");
    let mode = std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn a_failed_build_leaves_no_file_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("demo.db");
    // A login the store cannot register: the replay is refused part-way.
    let odd = Identity {
        uid: 4244,
        login: "not a login".into(),
    };
    let err = demo::build(&path, &odd, now()).expect_err("refused");
    assert!(matches!(err, DemoError::Step { .. }), "{err}");
    assert!(!path.exists(), "the half-written file was removed");
    demo::build(&path, &tester(), now()).expect("a fixed retry starts fresh");
}
