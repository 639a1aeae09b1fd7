//! Changing the configuration file from the screen: saving a view, removing one.
//! Edits go through `toml_edit`, so the person's comments, order and spacing stay as
//! they wrote them; only the view concerned changes. The file is replaced in one
//! rename, so a crash never leaves half of it.

use super::views::{self, ViewSpec};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

fn read(path: &Path) -> Result<DocumentMut, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => super::DEFAULT_TEXT.to_string(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    text.parse::<DocumentMut>().map_err(|e| {
        format!(
            "{} is not valid TOML, so it is left as it is: {e}",
            path.display()
        )
    })
}

/// Writes `text` to `path` through a temporary file beside it (mode 0600 when new).
pub fn write_file(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".new");
    let tmp = std::path::PathBuf::from(tmp);
    let mode = std::fs::metadata(path)
        .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o777)
        .unwrap_or(0o600);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}

fn views_mut(doc: &mut DocumentMut) -> Result<&mut ArrayOfTables, String> {
    if !doc.contains_key("views") {
        // Until now the built-in views applied: write them out, so saving one more
        // keeps them.
        let mut list = ArrayOfTables::new();
        for v in views::defaults() {
            list.push(table_of(&v));
        }
        doc.insert("views", Item::ArrayOfTables(list));
    }
    doc.get_mut("views")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| "the key views is not a list of [[views]] tables".to_string())
}

/// A view as a `[[views]]` table.
pub fn table_of(v: &ViewSpec) -> Table {
    let mut t = Table::new();
    t.insert("name", value(v.name.as_str()));
    if let Some(q) = &v.query {
        t.insert("query", value(q.as_str()));
    }
    let list = |xs: Vec<&str>| {
        let mut a = toml_edit::Array::new();
        for x in xs {
            a.push(x);
        }
        value(a)
    };
    if !v.states.is_empty() {
        t.insert("state", list(v.states.iter().map(|s| s.as_str()).collect()));
    }
    if !v.flags.is_empty() {
        t.insert("flags", list(v.flags.iter().map(|f| f.as_str()).collect()));
    }
    if let Some(p) = &v.project {
        t.insert("project", value(p.as_str()));
    }
    if let Some(a) = &v.approver {
        t.insert("approver", value(a.as_str()));
    }
    if !v.blockers.is_empty() {
        t.insert(
            "blocker",
            list(v.blockers.iter().map(String::as_str).collect()),
        );
    }
    if let Some(d) = v.expiring_within_days {
        t.insert("expiring_within_days", value(i64::from(d)));
    }
    if let Some(d) = v.blocked_over_days {
        t.insert("blocked_over_days", value(i64::from(d)));
    }
    if let Some(w) = v.work {
        t.insert("work", value(w.name()));
    }
    t
}

fn position(list: &ArrayOfTables, name: &str) -> Option<usize> {
    list.iter()
        .position(|t| t.get("name").and_then(Item::as_str) == Some(name))
}

/// Saves `view` in the file at `path` (created from the commented default when
/// missing): a view of the same name has its conditions replaced, its comments kept;
/// otherwise the view is added at the end.
pub fn save_view(path: &Path, view: &ViewSpec) -> Result<(), String> {
    let mut doc = read(path)?;
    let list = views_mut(&mut doc)?;
    let fresh = table_of(view);
    match position(list, &view.name) {
        Some(i) => {
            if let Some(t) = list.get_mut(i) {
                let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
                for k in keys.iter().filter(|k| !fresh.contains_key(k)) {
                    t.remove(k);
                }
                for (k, v) in fresh.iter() {
                    t.insert(k, v.clone());
                }
            }
        }
        None => list.push(fresh),
    }
    write_file(path, &doc.to_string())
}

/// Removes the view named `name`; `false` when there is none of that name.
pub fn remove_view(path: &Path, name: &str) -> Result<bool, String> {
    let mut doc = read(path)?;
    let list = views_mut(&mut doc)?;
    let Some(i) = position(list, name) else {
        return Ok(false);
    };
    list.remove(i);
    write_file(path, &doc.to_string())?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_a_view_keeps_comments_and_other_views() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("config.toml");
        let text = "# my colours\ntheme = \"mono\" # always\n\n[[views]]\n# the first\nname = \"Mine\"\nquery = \"acme\"\n";
        std::fs::write(&p, text).expect("write");
        let v = ViewSpec {
            name: "Stripe".into(),
            query: Some("stripe state:req".into()),
            ..ViewSpec::default()
        };
        save_view(&p, &v).expect("save");
        let after = std::fs::read_to_string(&p).expect("read");
        assert!(
            after.starts_with("# my colours\ntheme = \"mono\" # always\n"),
            "{after}"
        );
        assert!(after.contains("# the first\nname = \"Mine\""), "{after}");
        let cfg = super::super::from_text(&after).expect("valid");
        let names: Vec<&str> = cfg.views.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["Mine", "Stripe"]);
        assert!(remove_view(&p, "Mine").expect("remove"));
        let cfg =
            super::super::from_text(&std::fs::read_to_string(&p).expect("read")).expect("valid");
        assert_eq!(cfg.views.len(), 1);
    }
}
