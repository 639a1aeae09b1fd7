//! The personal configuration through the binary: `config show` names where each
//! value came from, `config init` writes the commented default once, a broken file
//! is reported with its line and key, and the database is chosen by --db, then
//! ACCESSDESK_DB, then the configuration, then the default.

use crate::common::Db;
use crate::common::bin::{capture, command, strings};
use std::path::Path;

fn run(home: &Path, env: &[(&str, &str)], args: &[&str]) -> crate::common::bin::Out {
    let mut c = command(home, None);
    for (k, v) in env {
        c.env(k, v);
    }
    capture(c, &strings(args))
}

fn config_file(home: &Path) -> std::path::PathBuf {
    home.join(".config/accessdesk/config.toml")
}

fn line_of<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("no line for {key} in\n{out}"))
}

#[test]
fn config_show_names_the_source_of_each_value() {
    let db = Db::new();
    let home = db.home();
    let file = config_file(home);
    std::fs::create_dir_all(file.parent().expect("folder")).expect("mkdir");
    std::fs::write(
        &file,
        "# mine\ntheme = \"mono\"\n\ndate_format = \"%d.%m.%Y\"\n[keys]\napprove = \"A\"\n",
    )
    .expect("write");
    let out = run(home, &[], &["config", "show"]).ok().stdout;
    assert!(line_of(&out, "theme").contains("mono"), "{out}");
    assert!(
        line_of(&out, "theme").contains("config file, line 2"),
        "{out}"
    );
    // The tests run with NO_COLOR set: it wins, and config show says so.
    assert!(line_of(&out, "theme").contains("NO_COLOR"), "{out}");
    assert!(
        line_of(&out, "date_format").ends_with("config file, line 4"),
        "{out}"
    );
    assert!(line_of(&out, "mouse").ends_with("default"), "{out}");
    assert!(line_of(&out, "views").ends_with("default"), "{out}");
    assert!(line_of(&out, "key ").contains("keys.approve = A"), "{out}");
    assert!(
        line_of(&out, "key ").ends_with("config file, line 6"),
        "{out}"
    );
    assert!(line_of(&out, "database").ends_with("default"), "{out}");
    let path = db.path.to_str().expect("utf-8");
    let out = run(home, &[("ACCESSDESK_DB", path)], &["config", "show"])
        .ok()
        .stdout;
    assert!(line_of(&out, "database").contains(path), "{out}");
    assert!(
        line_of(&out, "database").ends_with("environment ACCESSDESK_DB"),
        "{out}"
    );
    let out = run(
        home,
        &[("ACCESSDESK_DB", "/elsewhere.db")],
        &["--db", path, "config", "show"],
    )
    .ok()
    .stdout;
    assert!(line_of(&out, "database").ends_with("option --db"), "{out}");
    // --config, then ACCESSDESK_CONFIG, name the file.
    let other = home.join("other.toml");
    std::fs::write(&other, "mouse = true\n").expect("write");
    let o = other.to_str().expect("utf-8");
    let out = run(
        home,
        &[("ACCESSDESK_CONFIG", o)],
        &["config", "show", "--json"],
    )
    .ok();
    let v = out.json();
    assert_eq!(v["file"], o);
    let mouse = v["values"]
        .as_array()
        .expect("values")
        .iter()
        .find(|x| x["key"] == "mouse")
        .expect("mouse");
    assert_eq!(mouse["value"], "true");
    assert_eq!(mouse["source"], "config file, line 1");
    let out = run(
        home,
        &[("ACCESSDESK_CONFIG", o)],
        &["--config", file.to_str().expect("utf-8"), "config", "show"],
    )
    .ok()
    .stdout;
    assert!(line_of(&out, "file").contains("option --config"), "{out}");
}

#[test]
fn config_init_writes_the_commented_default_once() {
    let db = Db::new();
    let home = db.home();
    let out = run(home, &[], &["config", "init"]).ok();
    assert!(out.stdout.contains("config.toml"), "{}", out.stdout);
    let text = std::fs::read_to_string(config_file(home)).expect("written");
    assert_eq!(text, accessdesk::config::DEFAULT_TEXT);
    assert!(text.lines().filter(|l| l.starts_with('#')).count() > 10);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(config_file(home))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "{mode:o}");
    // Never over an existing file.
    std::fs::write(config_file(home), "mouse = true\n").expect("write");
    run(home, &[], &["config", "init"]).code(3);
    assert_eq!(
        std::fs::read_to_string(config_file(home)).expect("read"),
        "mouse = true\n"
    );
    // The default shows as the defaults.
    std::fs::remove_file(config_file(home)).expect("rm");
    run(home, &[], &["config", "init"]).ok();
    let out = run(home, &[], &["config", "show"]).ok().stdout;
    assert!(line_of(&out, "theme").contains("auto"), "{out}");
}

#[test]
fn a_broken_config_is_reported_with_its_line_and_key() {
    let db = Db::new();
    let home = db.home();
    let file = config_file(home);
    std::fs::create_dir_all(file.parent().expect("folder")).expect("mkdir");
    std::fs::write(
        &file,
        "mouse = true\n\n[[views]]\nname = \"x\"\nstate = \"sleeping\"\n",
    )
    .expect("write");
    let out = run(home, &[], &["config", "show"]).code(1);
    assert!(
        out.stderr.contains("line 5, key views.state"),
        "{}",
        out.stderr
    );
    assert!(
        line_of(&out.stdout, "mouse").contains("false"),
        "{}",
        out.stdout
    );
    // Other commands are not stopped by it.
    db.run(&["item", "list"]).ok();
    let out = run(home, &[], &["--json", "config", "show"]).code(1);
    let last = out.stderr.lines().last().expect("a line");
    let v: serde_json::Value = serde_json::from_str(last).expect("json error");
    assert_eq!(v["exit"], 1);
}

#[test]
fn the_database_comes_from_db_then_the_environment_then_the_config() {
    let a = Db::new();
    let b = Db::new();
    let home = a.home();
    let file = config_file(home);
    std::fs::create_dir_all(file.parent().expect("folder")).expect("mkdir");
    let (pa, pb) = (
        a.path.to_str().expect("utf-8"),
        b.path.to_str().expect("utf-8"),
    );
    std::fs::write(&file, format!("database = \"{pa}\"\n")).expect("write");
    a.run(&[
        "project",
        "add",
        "AAA",
        "--name",
        "A",
        "--client",
        "A",
        "--start",
        "2030-01-01",
    ])
    .ok();
    b.run(&[
        "project",
        "add",
        "BBB",
        "--name",
        "B",
        "--client",
        "B",
        "--start",
        "2030-01-01",
    ])
    .ok();
    let keys = |out: crate::common::bin::Out| -> String {
        out.ok().json()[0]["key"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(keys(run(home, &[], &["project", "list", "--json"])), "AAA");
    assert_eq!(
        keys(run(
            home,
            &[("ACCESSDESK_DB", pb)],
            &["project", "list", "--json"]
        )),
        "BBB"
    );
    assert_eq!(
        keys(run(
            home,
            &[("ACCESSDESK_DB", "/nowhere.db")],
            &["--db", pb, "project", "list", "--json"]
        )),
        "BBB"
    );
    let out = run(home, &[], &["config", "show"]).ok().stdout;
    assert!(
        line_of(&out, "database").ends_with("config file, line 1"),
        "{out}"
    );
}
