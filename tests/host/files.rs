//! The database file as the host holds it: reached by a path without links, on a
//! local filesystem, a regular file writable by no one outside its owner and group, and
//! another account's file only when it is shared with a group of this account; `init`
//! never takes over another account's file; anchors are private.

use crate::common::*;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

fn mode(p: &std::path::Path) -> u32 {
    fs::metadata(p).expect("stat").mode() & 0o7777
}

#[test]
fn a_link_anywhere_in_the_path_is_refused_and_named() {
    let db = Db::private();
    // The file itself behind a link.
    let link = db.home().join("link.db");
    symlink(&db.path, &link).expect("symlink");
    let out = capture(
        command(db.home(), None),
        &strings(&["--db", link.to_str().expect("utf-8"), "people", "list"]),
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("symbolic link") && out.stderr.contains("link.db"),
        "{}",
        out.stderr
    );

    // A folder on the way behind a link.
    let real = db.home().join("real");
    fs::create_dir(&real).expect("mkdir");
    fs::copy(&db.path, real.join("t.db")).expect("copy");
    fs::set_permissions(real.join("t.db"), fs::Permissions::from_mode(0o600)).expect("chmod");
    symlink(&real, db.home().join("via")).expect("symlink");
    let through = db.home().join("via").join("t.db");
    let out = capture(
        command(db.home(), None),
        &strings(&["--db", through.to_str().expect("utf-8"), "people", "list"]),
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("via") && out.stderr.contains("realpath"),
        "{}",
        out.stderr
    );

    // `init` does not create a file at the end of a dangling link.
    let target = db.home().join("elsewhere.db");
    let dangling = db.home().join("dangling.db");
    symlink(&target, &dangling).expect("symlink");
    let out = capture(
        command(db.home(), None),
        &strings(&["--db", dangling.to_str().expect("utf-8"), "init"]),
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        !target.exists(),
        "init followed the link and made {}",
        target.display()
    );
}

#[test]
fn a_file_writable_by_everyone_or_not_a_regular_file_is_refused() {
    let db = Db::private();
    fs::set_permissions(&db.path, fs::Permissions::from_mode(0o666)).expect("chmod");
    let out = db.run(&["people", "list"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("writable by every account"),
        "{}",
        out.stderr
    );
    fs::set_permissions(&db.path, fs::Permissions::from_mode(0o600)).expect("chmod");
    db.run(&["people", "list"]).ok();

    let fifo = db.home().join("fifo.db");
    let c = std::ffi::CString::new(fifo.to_str().expect("utf-8")).expect("path");
    // SAFETY: mkfifo on a path we own, with a NUL-terminated string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let out = capture(
        command(db.home(), None),
        &strings(&["--db", fifo.to_str().expect("utf-8"), "people", "list"]),
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
}

#[test]
fn another_accounts_file_is_used_only_when_shared_0660_with_a_group_of_mine() {
    let Some(acc) = accounts() else { return };
    // The team setup: root's file, 0660, of the shared group; the approver is in it.
    let db = Db::new();
    db.team();
    assert_eq!(mode(&db.path), 0o660);
    db.run_as(&acc.approver, &["item", "list"]).ok();

    // Group-readable only: another account's file that was never shared for writing.
    fs::set_permissions(&db.path, fs::Permissions::from_mode(0o640)).expect("chmod");
    let out = db.run_as(&acc.approver, &["item", "list"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("another account"), "{}", out.stderr);

    // 0660 but of a group the account is not in (running without the shared group,
    // through a folder it may pass).
    fs::set_permissions(&db.path, fs::Permissions::from_mode(0o660)).expect("chmod");
    fs::set_permissions(db.home(), fs::Permissions::from_mode(0o2771)).expect("chmod");
    let without_group = Account {
        gid: acc.approver.own_gid,
        ..acc.approver.clone()
    };
    let out = capture(
        command(std::path::Path::new("/"), Some(&without_group)),
        &strings(&["--db", db.path.to_str().expect("utf-8"), "item", "list"]),
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("another account"), "{}", out.stderr);

    // A private file of another account is refused even to root: the tool never
    // writes into a file its owner did not share.
    let private = Db::private();
    std::os::unix::fs::chown(&private.path, Some(acc.approver.uid), None).expect("chown");
    let out = private.run(&["people", "list"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("another account"), "{}", out.stderr);
}

#[test]
fn init_refuses_a_file_another_account_made_and_leaves_it_as_it_was() {
    let Some(acc) = accounts() else { return };
    let db = Db::new();
    let meta = fs::metadata(&db.path).expect("stat");
    for args in [vec!["init"], vec!["init", "--group", GROUP]] {
        let out = db.run_as(&acc.approver, &args);
        assert_eq!(out.code, 1, "{args:?}: {out:?}");
        assert!(out.stderr.contains("another account"), "{}", out.stderr);
    }
    // Root too: init as root on the approver's file changes neither mode nor group.
    let theirs = Db::private();
    std::os::unix::fs::chown(
        &theirs.path,
        Some(acc.approver.uid),
        Some(acc.approver.own_gid),
    )
    .expect("chown");
    let out = theirs.run(&["init", "--group", GROUP]);
    assert_eq!(out.code, 1, "{out:?}");
    let after = fs::metadata(&theirs.path).expect("stat");
    assert_eq!(
        (after.mode() & 0o7777, after.gid()),
        (0o600, acc.approver.own_gid)
    );
    let after = fs::metadata(&db.path).expect("stat");
    assert_eq!((after.mode(), after.gid()), (meta.mode(), meta.gid()));
}

#[test]
fn refused_credentials_of_an_unregistered_account_are_not_counted() {
    let Some(acc) = accounts() else { return };
    let db = Db::new();
    db.team();
    let mut csv = accessdesk::exchange::FIELD_COLUMNS.join(",");
    csv.push('\n');
    let row: Vec<&str> = accessdesk::exchange::FIELD_COLUMNS
        .iter()
        .map(|col| if *col == "notes" { SECRET } else { "x" })
        .collect();
    csv.push_str(&row.join(","));
    let file = db.home().join("offered.csv");
    fs::write(&file, csv).expect("write the import file");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).expect("chmod");
    for _ in 0..3 {
        let spec = NewItem::new().set("--notes", SECRET);
        let out = db.run_as(&acc.outsider, &spec.args("ACME"));
        assert_ne!(out.code, 0, "{out:?}");
        assert!(!out.stderr.contains(SECRET_VALUE));
        let out = db.run_as(
            &acc.outsider,
            &["import", "--project", "ACME", file.to_str().expect("utf-8")],
        );
        assert_ne!(out.code, 0, "{out:?}");
        assert!(!out.stderr.contains(SECRET_VALUE));
    }
    let r = db.run(&["report", "--json"]).ok().json();
    assert_eq!(r["projects"][0]["key"], "ACME");
    assert_eq!(r["projects"][0]["unsafe_credential_attempts"], 0, "{r}");
    // A registered person's attempt still counts.
    db.run(&NewItem::new().set("--notes", SECRET).args("ACME"))
        .code(3);
    let r = db.run(&["report", "--json"]).ok().json();
    assert_eq!(r["projects"][0]["unsafe_credential_attempts"], 1, "{r}");
}

#[test]
fn an_anchor_is_written_private_whatever_the_umask() {
    let db = Db::private();
    let anchor = db.home().join("anchor.json");
    // A wide file already in place keeps no wider mode.
    fs::write(&anchor, "old").expect("write");
    fs::set_permissions(&anchor, fs::Permissions::from_mode(0o644)).expect("chmod");
    db.run(&["audit", "anchor", anchor.to_str().expect("utf-8")])
        .ok();
    assert_eq!(mode(&anchor), 0o600);
    let fresh = db.home().join("fresh-anchor.json");
    db.run(&["audit", "anchor", fresh.to_str().expect("utf-8")])
        .ok();
    assert_eq!(mode(&fresh), 0o600);
    db.run(&[
        "audit",
        "verify",
        "--anchor",
        fresh.to_str().expect("utf-8"),
    ])
    .ok();
}
