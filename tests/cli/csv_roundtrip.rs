//! CSV interchange through the library, as the CLI uses it: items of one project are
//! exported, parsed back and imported into another project, arriving with the same
//! fields but as new items in `needed`; and for arbitrary valid fields,
//! `parse_items(write_items(x))` gives `x` back exactly.

use accessdesk::domain::machine::Action;
use accessdesk::domain::{
    Deprovision, Exception, Item, ItemFields, Method, Role, State, rules, secrets,
};
use accessdesk::exchange::{self, parse_items, write_items};
use accessdesk::identity::Identity;
use accessdesk::store::{ItemFilter, ItemView, NewProject, Store};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 10, 9, 0, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A fresh file with carol (admin, coordinator), bob (approver) and sam (security).
fn coordinator(dir: &tempfile::TempDir) -> Store {
    let path = dir.path().join("access.db");
    let mut store = Store::create_as(
        &path,
        Identity {
            uid: 1000,
            login: "carol".into(),
        },
    )
    .unwrap();
    store.set_now(now());
    assert!(store.init(None).unwrap());
    store
        .add_person("bob", Some("Bob Approver"), &[Role::Approver])
        .unwrap();
    store
        .add_person("sam", Some("Sam Security"), &[Role::Security])
        .unwrap();
    store
}

fn add_project(store: &mut Store, key: &str) {
    store
        .add_project(NewProject {
            key: key.into(),
            name: format!("{key} onboarding"),
            client: "Acme Corp".into(),
            start: date(2026, 3, 1),
            tz: Some("UTC".into()),
            coordinator: None,
        })
        .unwrap();
}

fn items(store: &Store, key: &str) -> Vec<ItemView> {
    store
        .list_items(&ItemFilter {
            project: Some(key.into()),
            ..Default::default()
        })
        .unwrap()
}

fn sample_items() -> Vec<ItemFields> {
    vec![
        ItemFields {
            system: "Analytics".into(),
            purpose: "Reporting dashboards".into(),
            role: "Viewer".into(),
            credential_owner: "Dana Client".into(),
            approver: "bob".into(),
            method: Some(Method::Vault),
            needed_by: date(2026, 2, 20),
            ..Default::default()
        },
        ItemFields {
            system: "Website CMS".into(),
            purpose: "=launch page, \"phase 1\"".into(),
            role: "Site Admin".into(),
            holder: Some("+44 20 7946 0000".into()),
            credential_owner: "Dana Client".into(),
            approver: "bob".into(),
            method: Some(Method::TemporaryLink),
            temporary: true,
            expires: date(2026, 6, 30),
            deprovision: Some(Deprovision::AtProjectEnd),
            privileged: true,
            client_owned: true,
            exception: Some(Box::new(Exception {
                reason: "legacy CMS has no roles below admin".into(),
                owner: Some("sam".into()),
                expires: date(2026, 4, 1),
            })),
            notes: "- call client first\n@Dana: confirm scope, then\tsend the link".into(),
            ..Default::default()
        },
        ItemFields {
            system: "Billing".into(),
            purpose: "- still to be scoped".into(),
            ..Default::default()
        },
    ]
}

#[test]
fn export_then_import_into_another_project() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = coordinator(&dir);
    add_project(&mut store, "ACME");
    add_project(&mut store, "BETA");
    for f in sample_items() {
        store.add_item("ACME", f).unwrap();
    }
    // State is not carried: a submitted item still arrives as `needed`.
    store
        .act("ACME-1", &Action::Submit { note: None }, None)
        .unwrap();
    let acme = items(&store, "ACME");
    assert_eq!(acme[0].item.state, State::Requested);

    let mut file = Vec::new();
    write_items(&acme, &mut file).unwrap();
    let rows = parse_items(file.as_slice()).unwrap_or_else(|e| panic!("{}", e.report()));
    assert_eq!(rows.len(), 3);

    let check = store.row_check("BETA", true).unwrap();
    let checked = || rows.iter().map(|(line, f)| check.check(*line, f.clone()));
    assert_eq!(store.import_items("BETA", checked(), true).unwrap(), 3);
    assert!(items(&store, "BETA").is_empty(), "a dry run writes nothing");
    assert_eq!(store.import_items("BETA", checked(), false).unwrap(), 3);

    let beta = items(&store, "BETA");
    assert_eq!(beta.len(), acme.len());
    for (a, b) in acme.iter().zip(&beta) {
        assert_eq!(b.item.fields, a.item.fields, "{}", a.item.id());
        assert_eq!(b.item.state, State::Needed);
        assert_eq!(b.item.version, 1);
        assert!(b.item.approvals.is_empty());
        assert_eq!(b.item.requester, "carol");
        assert_eq!(b.item.project, "BETA");
    }
    assert_eq!(beta[1].item.id(), "BETA-2");

    // The JSON shape carries the same values.
    let json = exchange::items_json(&beta);
    assert_eq!(json[1]["id"], "BETA-2");
    assert_eq!(json[1]["state"], "needed");
    assert_eq!(json[1]["notes"], sample_items()[1].notes);
}

#[test]
fn a_refused_credential_can_be_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = coordinator(&dir);
    add_project(&mut store, "ACME");
    let mut file = exchange::FIELD_COLUMNS.join(",");
    file.push_str("\nAnalytics,Reporting,Viewer,,Dana,bob,vault,false,,,false,false,false,,,,,the password: Hunter2-Hunter2\n");
    let e = parse_items(file.as_bytes()).unwrap_err();
    assert_eq!((e.line, e.column.as_deref()), (2, Some("notes")));
    assert!(!e.report().contains("Hunter2"));
    for attempt in e.unsafe_attempts() {
        store
            .record_unsafe_attempt(Some("ACME"), None, attempt)
            .unwrap();
    }
    let report = store.report(Some("ACME")).unwrap();
    assert_eq!(report.projects[0].unsafe_credential_attempts, 1);
    assert!(items(&store, "ACME").is_empty());
}

fn view(fields: ItemFields) -> ItemView {
    ItemView {
        item: Item {
            rowid: 1,
            ..Item::new("ACME", 1, fields, "carol", now())
        },
        reasons: vec![],
        blocked_since: None,
    }
}

/// Pieces of realistic text, including what spreadsheets and CSV find awkward.
const PIECES: &[&str] = &[
    "Analytics",
    "web",
    "Site",
    "reader",
    "=SUM(A1)",
    "=",
    "-",
    "- call client first",
    "+44 20 7946 0000",
    "+",
    "@",
    "@home",
    "\"quoted\"",
    "\"",
    "comma,",
    ",",
    "'",
    "''",
    "don't",
    " ",
    "  ",
    "x=y",
    "-cmd|x",
    "über",
    "naïve",
    "中文",
    "🙂",
    "Ω",
    "\u{a0}",
    "100%",
    "#1",
    ";",
    "|",
];

/// Single-line text valid for the domain (`multiline` adds line feeds and tabs).
fn text(max_pieces: usize, multiline: bool) -> impl Strategy<Value = String> {
    let mut pieces: Vec<&'static str> = PIECES.to_vec();
    if multiline {
        pieces.extend(["\n", "\t", "\n\n", "line\n"]);
    }
    let words =
        prop::collection::vec(prop::sample::select(pieces), 0..max_pieces).prop_map(|v| v.concat());
    let chars = "[ -~äöüß€中]{0,24}";
    prop_oneof![3 => words, 1 => chars].prop_filter("no credentials, valid text", move |s| {
        secrets::find_secret(s).is_none() && rules::check_text("x", s, multiline).is_ok()
    })
}

fn non_empty(max_pieces: usize, multiline: bool) -> impl Strategy<Value = String> {
    text(max_pieces, multiline).prop_filter("non-empty", |s| !s.is_empty())
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (2000i32..2100, 1u32..=12, 1u32..=31)
        .prop_filter_map("a real date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

fn item_fields() -> impl Strategy<Value = ItemFields> {
    let names = (
        text(6, false),
        text(6, false),
        text(6, false),
        prop::option::of(non_empty(4, false)),
        text(4, false),
        text(3, false),
    );
    let access = (
        prop::option::of(prop::sample::select(Method::ALL.to_vec())),
        any::<bool>(),
        prop::option::of(any_date()),
        prop::option::of(prop::sample::select(Deprovision::ALL.to_vec())),
        any::<(bool, bool, bool)>(),
    );
    let exception = prop::option::of((
        non_empty(8, true),
        prop::option::of(non_empty(3, false)),
        prop::option::of(any_date()),
    ))
    .prop_map(|e| {
        e.map(|(reason, owner, expires)| Exception {
            reason,
            owner,
            expires,
        })
    });
    let rest = (exception, prop::option::of(any_date()), text(40, true));
    (names, access, rest).prop_map(
        |(
            (system, purpose, role, holder, credential_owner, approver),
            (
                method,
                temporary,
                expires,
                deprovision,
                (privileged, shared_credential, client_owned),
            ),
            (exception, needed_by, notes),
        )| ItemFields {
            system,
            purpose,
            role,
            holder,
            credential_owner,
            approver,
            method,
            temporary,
            expires,
            deprovision,
            privileged,
            shared_credential,
            client_owned,
            exception: exception.map(Box::new),
            needed_by,
            notes,
            above_standard: false,
            justification: None,
        },
    )
}

/// 64 cases by default; `PROPTEST_CASES` raises it.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn write_then_parse_gives_the_same_fields(list in prop::collection::vec(item_fields(), 1..6)) {
        // Rows with equal values are refused as duplicates: number the systems.
        let list: Vec<ItemFields> = list
            .into_iter()
            .enumerate()
            .map(|(i, mut f)| {
                f.system = format!("{i}{}", f.system);
                f
            })
            .collect();
        let views: Vec<ItemView> = list.iter().cloned().map(view).collect();
        let mut file = Vec::new();
        write_items(&views, &mut file).unwrap();
        let rows = parse_items(file.as_slice()).map_err(|e| TestCaseError::fail(e.report()))?;
        let parsed: Vec<ItemFields> = rows.into_iter().map(|(_, f)| f).collect();
        prop_assert_eq!(parsed, list);
    }
}
