//! Every realistic credential of the corpus is refused in every kind of free-text
//! field a person can fill — item fields, decisions, notes, task titles, names, import
//! cells — through the same store the CLI and the TUI call; each refusal is counted as
//! an unsafe credential attempt; and no credential reaches the database, its WAL or its
//! shared-memory file.

use accessdesk::domain::machine::Action;
use accessdesk::domain::{ItemFields, Method, Role, Rule};
use accessdesk::identity::Identity;
use accessdesk::store::{Error, NewProject, Store};

fn corpus() -> Vec<String> {
    include_str!("../data/secrets_realistic.txt")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.replace("\\n", "\n"))
        .collect()
}

fn base() -> ItemFields {
    ItemFields {
        system: "Stripe".into(),
        purpose: "billing export".into(),
        role: "Analyst".into(),
        credential_owner: "Laura".into(),
        approver: "bob".into(),
        method: Some(Method::Vault),
        ..Default::default()
    }
}

/// One way of typing text in, as the coordinator and the approver; the store's answer.
type Attempt = fn(&mut Store, &mut Store, &str) -> Result<(), Error>;

/// The ways a secret can be typed in, each returning the store's answer.
fn attempts() -> Vec<(&'static str, Attempt)> {
    fn field(f: impl Fn(&mut ItemFields, &str)) -> impl Fn(&mut Store, &str) -> Result<(), Error> {
        move |s: &mut Store, secret: &str| {
            let mut fields = base();
            f(&mut fields, secret);
            s.add_item("ACME", fields).map(|_| ())
        }
    }
    vec![
        ("system", |c, _, x| field(|f, x| f.system = x.into())(c, x)),
        ("purpose", |c, _, x| {
            field(|f, x| f.purpose = x.into())(c, x)
        }),
        ("role", |c, _, x| field(|f, x| f.role = x.into())(c, x)),
        ("holder", |c, _, x| {
            field(|f, x| f.holder = Some(x.into()))(c, x)
        }),
        ("credential-owner", |c, _, x| {
            field(|f, x| f.credential_owner = x.into())(c, x)
        }),
        ("notes", |c, _, x| field(|f, x| f.notes = x.into())(c, x)),
        ("edit notes", |c, _, x| {
            let id = c.add_item("ACME", base())?.id();
            let patch = accessdesk::domain::ItemPatch {
                notes: Some(x.into()),
                ..Default::default()
            };
            c.edit_item(&id, 1, &patch).map(|_| ())
        }),
        ("submit note", |c, _, x| {
            let id = c.add_item("ACME", base())?.id();
            c.act(
                &id,
                &Action::Submit {
                    note: Some(x.into()),
                },
                None,
            )
            .map(|_| ())
        }),
        ("approval conditions", |c, b, x| {
            let id = c.add_item("ACME", base())?.id();
            c.act(&id, &Action::Submit { note: None }, None)?;
            b.act(
                &id,
                &Action::Approve {
                    conditions: Some(x.into()),
                },
                None,
            )
            .map(|_| ())
        }),
        ("deny reason", |c, b, x| {
            let id = c.add_item("ACME", base())?.id();
            c.act(&id, &Action::Submit { note: None }, None)?;
            b.act(&id, &Action::Deny { reason: x.into() }, None)
                .map(|_| ())
        }),
        ("block reason", |c, _, x| {
            let id = c.add_item("ACME", base())?.id();
            c.act(&id, &Action::Block { reason: x.into() }, None)
                .map(|_| ())
        }),
        ("item note", |c, _, x| {
            let id = c.add_item("ACME", base())?.id();
            c.act(&id, &Action::Note { text: x.into() }, None)
                .map(|_| ())
        }),
        ("task title", |c, _, x| {
            c.add_task("ACME", x, &[], None).map(|_| ())
        }),
        ("person name", |c, _, x| {
            c.add_person("zoe", Some(x), &[Role::Support]).map(|_| ())
        }),
    ]
}

#[test]
fn every_credential_is_refused_in_every_field_and_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let carol = Identity {
        uid: 61001,
        login: "carol".into(),
    };
    let bob = Identity {
        uid: 61002,
        login: "bob".into(),
    };
    let mut c = Store::create_as(&db, carol).unwrap();
    c.init(None).unwrap();
    c.add_person("bob", None, &[Role::Approver]).unwrap();
    c.add_project(NewProject {
        key: "ACME".into(),
        name: "Acme".into(),
        client: "Acme Retail".into(),
        start: chrono::NaiveDate::from_ymd_opt(2030, 1, 15),
        tz: Some("UTC".into()),
        coordinator: None,
    })
    .unwrap();
    let mut b = Store::open_as(&db, bob).unwrap();
    // Keep a reader open so the -wal and -shm files stay on disk for the scan.
    let reader = rusqlite::Connection::open(&db).unwrap();
    reader
        .query_row("SELECT count(*) FROM items", [], |r| r.get::<_, i64>(0))
        .unwrap();

    let secrets = corpus();
    assert!(
        secrets.len() >= 40,
        "the corpus has at least 40 realistic credentials"
    );
    let ways = attempts();
    let mut refused = 0;
    // Every secret goes into the next field in turn; the notes field gets them all.
    for (i, secret) in secrets.iter().enumerate() {
        for (name, attempt) in [&ways[i % ways.len()], &ways[5]] {
            match attempt(&mut c, &mut b, secret) {
                Err(Error::Refused(r)) if r.rule == Rule::NoCredentialsInText => {
                    assert!(
                        !r.message().contains(secret.as_str()),
                        "{name}: the refusal must not echo the secret"
                    );
                    refused += 1;
                }
                other => panic!("{name}: secret #{i} was not refused: {other:?}"),
            }
        }
    }
    let counted = c.events_of(&["unsafe-attempt"], None).unwrap().len();
    assert_eq!(counted, refused, "each refusal is counted once");

    let mut files = vec![db.clone()];
    for ext in ["-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{ext}", db.display()));
        assert!(p.exists(), "{ext} exists while a reader is open");
        files.push(p);
    }
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for secret in &secrets {
            // The distinctive part of each secret: its longest token with a digit in it
            // (plain words such as "password" also appear in rule names).
            let Some(token) = secret
                .split_whitespace()
                .filter(|t| t.chars().any(|c| c.is_ascii_digit()))
                .max_by_key(|t| t.len())
            else {
                continue;
            };
            if token.len() < 8 {
                continue;
            }
            assert!(
                memchr::memmem::find(&bytes, token.as_bytes()).is_none(),
                "{} holds part of a refused credential",
                f.display()
            );
        }
    }
    drop(reader);
}
