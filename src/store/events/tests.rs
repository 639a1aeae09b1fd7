//! The chain's hash as first defined, and the links' order.

use super::*;
use proptest::prelude::*;

/// The hash as it was first defined: SHA-256 of serde_json's compact array of the
/// fields. Every chain ever written was hashed this way, so it may never change.
fn defined(f: &Fields<'_>, prev: &str) -> String {
    let bytes = serde_json::to_vec(&(
        f.seq, f.at, f.uid, f.login, f.project, f.item, f.kind, f.payload, prev,
    ))
    .unwrap();
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

proptest! {
    #[test]
    fn the_hash_is_the_defined_one_with_or_without_a_literal_made_ahead(
        seq in any::<i64>(),
        uid in any::<i64>(),
        at in any::<String>(),
        login in any::<String>(),
        project in proptest::option::of(any::<String>()),
        item in proptest::option::of(any::<String>()),
        kind in any::<String>(),
        payload in any::<String>(),
        prev in any::<String>(),
    ) {
        let f = Fields {
            seq,
            at: &at,
            uid,
            login: &login,
            project: project.as_deref(),
            item: item.as_deref(),
            kind: &kind,
            payload: &payload,
        };
        let want = defined(&f, &prev);
        prop_assert_eq!(digest(&f, None, &prev, None), want.clone());
        let ahead = PayloadText::new(payload.clone());
        prop_assert_eq!(digest(&f, Some(&ahead.literal), &prev, None), want);
    }
}

#[test]
fn a_link_follows_only_the_head_it_was_made_on() {
    let genesis = || Head {
        seq: 0,
        hash: GENESIS.to_string(),
        key: None,
    };
    let payload = PayloadText::new("{}".to_string());
    let event = NewEvent {
        at: "2026-01-05T09:00:00.000000Z",
        uid: 1000,
        login: "ana",
        project: None,
        item: None,
        kind: "note",
        payload: &payload,
    };
    // Two links made one after the other on one head.
    let mut making = genesis();
    let first = making.link(&event);
    let second = making.link(&event);
    // Taken in order, each follows and moves the head on to it.
    let mut head = genesis();
    assert!(first.follows(&mut head) && second.follows(&mut head));
    assert_eq!((head.seq, head.hash.as_str()), (2, second.hash.as_str()));
    // Out of order, or taken twice, it does not, and the head stays where it was.
    let mut head = genesis();
    assert!(!second.follows(&mut head));
    assert_eq!((head.seq, head.hash.as_str()), (0, GENESIS));
    assert!(first.follows(&mut head) && !first.follows(&mut head));
    assert_eq!(head.seq, 1);
    // The right number after another hash (a head that moved meanwhile) does not.
    let mut head = genesis();
    head.hash = "another".to_string();
    assert!(!first.follows(&mut head));
}

#[test]
fn a_known_event_keeps_its_hash() {
    // The hash of this array computed outside accessdesk (SHA-256 of its compact
    // JSON text); a change of format breaks every stored chain, and this test.
    let f = Fields {
        seq: 1,
        at: "2026-01-05T09:00:00.000000Z",
        uid: 1000,
        login: "ana",
        project: Some("ACME"),
        item: None,
        kind: "project-add",
        payload: r#"{"name":"Acme \"web\"","tz":"UTC"}"#,
    };
    assert_eq!(digest(&f, None, GENESIS, None), defined(&f, GENESIS));
    assert_eq!(
        digest(&f, None, GENESIS, None),
        "ef50d577fa6f0e560819bf4c6e7853ae4b4705fa389d83225c10ad6f442bfa7a"
    );
}
