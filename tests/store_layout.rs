//! The shape of `src/store/`: its modules import each other without a circle, and
//! each stays small enough to read. Read from the source, so a change that brings a
//! circle back fails here rather than in a later review.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The modules of a folder and the sibling modules each one refers to through
/// `super::…` or `crate::<folder>::…`, outside its tests. A name the folder's
/// `mod.rs` re-exports counts as the module it comes from; `mod.rs` itself only
/// declares and re-exports, so its own references are not edges.
fn imports(folder: &str) -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(folder);
    let mut sources = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("read the folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("file name")
                .to_string();
            let text = std::fs::read_to_string(&path).expect("read a module");
            sources.insert(name, without_tests(&strip_comments(&text)));
        }
    }
    let modules: BTreeSet<String> = sources.keys().filter(|m| *m != "mod").cloned().collect();
    let reexported = reexports(sources.get("mod").map(String::as_str).unwrap_or(""));
    let prefix = format!("crate::{}::", folder.replace('/', "::"));
    let mut edges = BTreeMap::new();
    for (module, text) in &sources {
        if module == "mod" {
            continue;
        }
        let mut to = BTreeSet::new();
        for name in referenced(text, "super::")
            .into_iter()
            .chain(referenced(text, &prefix))
        {
            let target = if modules.contains(&name) {
                Some(name)
            } else {
                reexported.get(&name).cloned()
            };
            if let Some(t) = target.filter(|t| t != module) {
                to.insert(t);
            }
        }
        edges.insert(module.clone(), to);
    }
    edges
}

fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text before the module's unit tests (`#[cfg(test)] mod tests`), whose
/// `use super::*` is the module itself.
fn without_tests(text: &str) -> String {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}

/// The first path segment of every name after `prefix`, including each name of a
/// `{a, b::c}` group.
fn referenced(text: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        rest = &rest[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(group.len(), |(j, _)| j);
            let mut depth = 0;
            let mut start = 0;
            for (j, c) in group[..end].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.extend(first_segment(&group[start..j]));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
            out.extend(first_segment(&group[start..end]));
        } else {
            out.extend(first_segment(rest));
        }
    }
    out
}

fn first_segment(text: &str) -> Option<String> {
    let t = text.trim_start();
    let name: String = t
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && name != "self").then_some(name)
}

/// Names `mod.rs` re-exports, each with the module it comes from.
fn reexports(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for stmt in text.split(';') {
        let Some(path) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, names)) = path.split_once("::") else {
            continue;
        };
        let names = names.trim().trim_start_matches('{').trim_end_matches('}');
        for n in names.split(',') {
            let n = n.trim();
            let n = n.rsplit(" as ").next().unwrap_or(n).trim();
            if !n.is_empty() {
                out.insert(n.to_string(), module.trim().to_string());
            }
        }
    }
    out
}

/// One circle of `edges`, if there is any, as the modules along it.
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut c = path[i..].to_vec();
            c.push(m.to_string());
            return Some(c);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for next in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|m| visit(m, edges, &mut Vec::new(), &mut done))
}

#[test]
fn the_store_modules_import_each_other_without_a_circle() {
    let edges = imports("store");
    assert!(edges.len() > 10, "{edges:?}");
    // The operations depend on the shared rows, never the other way round.
    assert!(edges["intake"].contains("records"), "{edges:?}");
    assert!(!edges["records"].contains("intake"), "{edges:?}");
    if let Some(c) = circle(&edges) {
        panic!("import circle in src/store: {}", c.join(" -> "));
    }
}

#[test]
fn the_circle_check_finds_a_circle() {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.insert("intake".into(), ["ops".to_string()].into());
    edges.insert(
        "ops".into(),
        ["rows".to_string(), "intake".to_string()].into(),
    );
    edges.insert("rows".into(), BTreeSet::new());
    assert_eq!(
        circle(&edges),
        Some(vec!["intake".into(), "ops".into(), "intake".into()])
    );
    assert_eq!(
        referenced("use super::{a, b::{c, d}, self};\nsuper::e::f()", "super::"),
        vec!["a", "b", "e"]
    );
}

#[test]
fn store_modules_stay_under_600_lines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
    for entry in std::fs::read_dir(dir).expect("read src/store") {
        let path = entry.expect("entry").path();
        let lines = std::fs::read_to_string(&path)
            .expect("read")
            .lines()
            .count();
        assert!(lines < 600, "{} has {lines} lines", path.display());
    }
}
