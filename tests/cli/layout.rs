//! The shape of `src/`, read from its text: no import cycle among the modules of
//! `tui/` or of `store/` (nor among the modules of a folder inside them), no file over
//! 900 lines but the detector's pattern table, and the domain and the store never
//! reach for a front end (`crate::tui`, `crate::cli`), nor the domain for ratatui or
//! rusqlite.
//!
//! A module is a file (`x.rs`) or a folder (`x/mod.rs`, or `x.rs` beside `x/`); what a
//! folder's files import counts for the folder. Imports are the `use` declarations
//! (grouped and nested trees, renames, globs, and bare paths into a child module) and
//! the `crate::`/`super::`/`self::` paths written inline in code. A name imported
//! through a parent's re-export (`pub use app::App`, `pub use ops::*`) counts for the
//! module that defines it. Comments, string literals and everything under
//! `#[cfg(test)]` (test modules inline or in their own file) do not count: tests may
//! import whatever they check.

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The longest a file in `src/` may be.
const MAX_LINES: usize = 900;
/// The one file allowed to be longer: the secret detector's pattern table, data
/// rather than code.
const DATA_TABLE: &str = "src/domain/secrets/patterns.rs";

/// A module's path below the crate root (`["tui", "app"]`); the root is empty.
type ModPath = Vec<String>;

/// `"a::b"` as a module path.
fn path(text: &str) -> ModPath {
    text.split("::").map(str::to_string).collect()
}

fn show(m: &[String]) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

// ---- reading source text ----------------------------------------------------------

/// `src` with comments, string and character literals blanked out (newlines kept, so
/// line numbers stay right).
fn strip(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let n = c.len();
    let blank = |ch: char| if ch == '\n' { '\n' } else { ' ' };
    let at = |i: usize| c.get(i).copied();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < n {
        let ch = c[i];
        let after_ident = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
        let end = if ch == '/' && at(i + 1) == Some('/') {
            (i..n).find(|&k| c[k] == '\n').unwrap_or(n)
        } else if ch == '/' && at(i + 1) == Some('*') {
            let (mut k, mut depth) = (i + 2, 1);
            while k < n && depth > 0 {
                if c[k] == '/' && at(k + 1) == Some('*') {
                    depth += 1;
                    k += 2;
                } else if c[k] == '*' && at(k + 1) == Some('/') {
                    depth -= 1;
                    k += 2;
                } else {
                    k += 1;
                }
            }
            k.min(n)
        } else if !after_ident && (ch == 'r' || (ch == 'b' && at(i + 1) == Some('r'))) {
            // A raw string r"…", r#"…"#, br"…" (and not a raw identifier r#name).
            let mut j = i + if ch == 'b' { 2 } else { 1 };
            let hashes = (j..n).take_while(|&k| c[k] == '#').count();
            j += hashes;
            if at(j) != Some('"') {
                out.push(ch);
                i += 1;
                continue;
            }
            let mut k = j + 1;
            while k < n && !(c[k] == '"' && (1..=hashes).all(|h| at(k + h) == Some('#'))) {
                k += 1;
            }
            (k + 1 + hashes).min(n)
        } else if ch == '"' {
            let mut k = i + 1;
            while k < n && c[k] != '"' {
                k += if c[k] == '\\' { 2 } else { 1 };
            }
            (k + 1).min(n)
        } else if ch == '\'' && at(i + 1) == Some('\\') {
            let k = (i + 3..n).find(|&k| c[k] == '\'').unwrap_or(n);
            (k + 1).min(n)
        } else if ch == '\'' && at(i + 2) == Some('\'') {
            i + 3
        } else {
            // Code, or a lifetime.
            out.push(ch);
            i += 1;
            continue;
        };
        out.extend(c[i..end].iter().map(|&ch| blank(ch)));
        i = end;
    }
    out
}

/// Blanks every item under `#[cfg(test)]`; returns the code left and the names of the
/// test modules declared in their own file (`#[cfg(test)] mod tests;`).
fn drop_cfg_test(code: &str) -> (String, Vec<String>) {
    static ATTR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]").unwrap());
    static OUTLINE_MOD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+([A-Za-z_]\w*)\s*;$").unwrap()
    });
    let b = code.as_bytes();
    let mut cut = Vec::new();
    let mut test_mods = Vec::new();
    for m in ATTR.find_iter(code) {
        let mut k = m.end();
        // Further attributes of the same item.
        loop {
            while k < b.len() && b[k].is_ascii_whitespace() {
                k += 1;
            }
            if b.get(k) == Some(&b'#') {
                let mut depth = 0;
                while k < b.len() {
                    match b[k] {
                        b'[' => depth += 1,
                        b']' => {
                            depth -= 1;
                            if depth == 0 {
                                k += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    k += 1;
                }
            } else {
                break;
            }
        }
        let start = k;
        // The item ends at its `;`, or at the brace closing its body.
        let mut depth = 0i32;
        while k < b.len() {
            match b[k] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        k += 1;
                        break;
                    }
                }
                b';' if depth == 0 => {
                    k += 1;
                    break;
                }
                _ => {}
            }
            k += 1;
        }
        let item = code[start..k]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(name) = OUTLINE_MOD.captures(&item) {
            test_mods.push(name[1].to_string());
        }
        cut.push((m.start(), k));
    }
    let mut out = code.to_string().into_bytes();
    for (from, to) in cut {
        for byte in &mut out[from..to] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    }
    (
        String::from_utf8(out).expect("blanking keeps UTF-8"),
        test_mods,
    )
}

/// One path a `use` tree names: its segments, and the name it binds (None for a glob).
#[derive(Debug, Clone, PartialEq, Eq)]
struct UsePath {
    segments: Vec<String>,
    binds: Option<String>,
}

/// Expands a `use` tree (`super::{a, b::{self, C as D}}`) into its paths.
fn expand(tree: &str) -> Vec<UsePath> {
    static RENAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\s+as\s+([A-Za-z_]\w*)").unwrap());
    // Renames become `@alias` so that removing whitespace keeps them.
    let flat: String = RENAME
        .replace_all(&tree.replace("$crate", "crate"), "@$1")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut out = Vec::new();
    expand_into(&flat, &[], &mut out);
    out
}

fn expand_into(tree: &str, prefix: &[String], out: &mut Vec<UsePath>) {
    let segments = |s: &str| -> Vec<String> {
        s.split("::")
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    if let Some(open) = tree.find('{') {
        let mut at = prefix.to_vec();
        at.extend(segments(&tree[..open]));
        let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let (mut depth, mut from) = (0, 0);
        for (i, ch) in inner.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_into(&inner[from..i], &at, out);
                    from = i + 1;
                }
                _ => {}
            }
        }
        if !inner[from..].is_empty() {
            expand_into(&inner[from..], &at, out);
        }
        return;
    }
    let (path, alias) = match tree.split_once('@') {
        Some((p, a)) => (p, Some(a.to_string())),
        None => (tree, None),
    };
    let mut full = prefix.to_vec();
    let mut glob = false;
    for seg in segments(path) {
        match seg.as_str() {
            "self" if !full.is_empty() => {}
            "*" => glob = true,
            _ => full.push(seg),
        }
    }
    let binds = if glob {
        None
    } else {
        alias.or_else(|| full.last().cloned())
    };
    out.push(UsePath {
        segments: full,
        binds,
    });
}

/// The `use` declarations of `code`: (line, tree), and the code with them blanked.
fn use_declarations(code: &str) -> (Vec<(usize, String)>, String) {
    static USE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\buse\s+([^;]*);").unwrap());
    let mut found = Vec::new();
    let mut rest = code.to_string();
    for m in USE.captures_iter(code) {
        let whole = m.get(0).expect("match");
        found.push((line_of(code, whole.start()), m[1].to_string()));
        rest.replace_range(
            whole.range(),
            &whole
                .as_str()
                .bytes()
                .map(|b| if b == b'\n' { '\n' } else { ' ' })
                .collect::<String>(),
        );
    }
    (found, rest)
}

/// `crate::`, `super::` and `self::` paths written in code: (line, segments).
fn inline_paths(code: &str) -> Vec<(usize, Vec<String>)> {
    static PATH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[^\w:])\$?((?:crate|super|self)(?:\s*::\s*[A-Za-z_]\w*)+)").unwrap()
    });
    PATH.captures_iter(code)
        .map(|m| {
            let path = m.get(1).expect("path");
            let segments = path
                .as_str()
                .split("::")
                .map(|s| s.trim().to_string())
                .collect();
            (line_of(code, path.start()), segments)
        })
        .collect()
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte].matches('\n').count() + 1
}

// ---- the crate ----------------------------------------------------------------------

/// One source file of the library crate.
struct Source {
    /// Relative to the package, e.g. `src/tui/app.rs`.
    file: String,
    module: ModPath,
    /// Code without comments, literals and `#[cfg(test)]` items.
    code: String,
}

/// An import of one module by another, with where it is written.
#[derive(Debug, Clone)]
struct Edge {
    from: ModPath,
    to: ModPath,
    file: String,
    line: usize,
    path: String,
}

impl Edge {
    fn evidence(&self) -> String {
        format!("{}:{} ({})", self.file, self.line, self.path)
    }
}

/// What the import rules need of the library crate under `src/`.
struct Crate {
    sources: Vec<Source>,
    modules: BTreeSet<ModPath>,
    /// Top-level items each module defines.
    defines: BTreeMap<ModPath, BTreeSet<String>>,
    /// Names each module brings into scope with `use`, and what they point at.
    imports: BTreeMap<ModPath, BTreeMap<String, Vec<String>>>,
    /// Modules each module glob-imports (`use x::*`).
    globs: BTreeMap<ModPath, Vec<ModPath>>,
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("read {}: {e}", d.display())) {
            let p = entry.expect("directory entry").path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The module a file under `src/` holds: `x.rs` and `x/mod.rs` are both `x`. `None`
/// for `main.rs`, the root of the binary (a crate of its own).
fn module_of(rel: &Path) -> Option<ModPath> {
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let (last, dirs) = parts.split_last()?;
    let stem = last.strip_suffix(".rs")?;
    let mut m = dirs.to_vec();
    match (dirs.is_empty(), stem) {
        (true, "lib") => {}
        (true, "main") => return None,
        (false, "mod") => {}
        _ => m.push(stem.to_string()),
    }
    Some(m)
}

impl Crate {
    /// Reads the library crate under `root/src`.
    fn read(root: &Path) -> Crate {
        let src = root.join("src");
        let mut sources = Vec::new();
        let mut test_only = BTreeSet::new();
        for path in rust_files(&src) {
            let rel = path.strip_prefix(&src).expect("under src");
            let Some(module) = module_of(rel) else {
                continue;
            };
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            let (code, test_mods) = drop_cfg_test(&strip(&text));
            for name in test_mods {
                let mut m = module.clone();
                m.push(name);
                test_only.insert(m);
            }
            sources.push(Source {
                file: format!("src/{}", rel.display()),
                module,
                code,
            });
        }
        // Test modules in their own files, and everything below them, do not count.
        sources.retain(|s| !test_only.iter().any(|t| s.module.starts_with(t)));
        let modules: BTreeSet<ModPath> = sources.iter().map(|s| s.module.clone()).collect();
        let mut krate = Crate {
            sources: Vec::new(),
            modules,
            defines: BTreeMap::new(),
            imports: BTreeMap::new(),
            globs: BTreeMap::new(),
        };
        static ITEM: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r"(?m)^(?:pub(?:\s*\([^)]*\))?\s+)?(?:(?:const|unsafe|async)\s+)*(?:fn|struct|enum|const|static|type|trait|union|mod)\s+([A-Za-z_]\w*)",
            )
            .unwrap()
        });
        for s in &sources {
            let defined = ITEM.captures_iter(&s.code).map(|c| c[1].to_string());
            krate
                .defines
                .entry(s.module.clone())
                .or_default()
                .extend(defined);
            let (uses, _) = use_declarations(&s.code);
            for (_, tree) in uses {
                for u in expand(&tree) {
                    let Some(abs) = krate.absolute(&s.module, &u.segments) else {
                        continue;
                    };
                    match u.binds {
                        Some(name) => {
                            krate
                                .imports
                                .entry(s.module.clone())
                                .or_default()
                                .insert(name, abs);
                        }
                        None => krate.globs.entry(s.module.clone()).or_default().push(abs),
                    }
                }
            }
        }
        krate.sources = sources;
        krate
    }

    /// A path of the crate written in module `at`, made absolute; `None` for paths into
    /// other crates.
    fn absolute(&self, at: &[String], segments: &[String]) -> Option<Vec<String>> {
        let first = segments.first()?;
        let (mut base, mut rest) = match first.as_str() {
            "crate" => (Vec::new(), &segments[1..]),
            "self" => (at.to_vec(), &segments[1..]),
            "super" => (at.to_vec(), segments),
            _ => {
                // Since the 2018 edition a bare path may start at a child module.
                let mut child = at.to_vec();
                child.push(first.clone());
                if !self.modules.contains(&child) {
                    return None;
                }
                (at.to_vec(), segments)
            }
        };
        while rest.first().is_some_and(|s| s == "super") {
            base.pop()?;
            rest = &rest[1..];
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// The module an absolute path ends up in: its longest module prefix, following
    /// names that module only imports (a re-export) to the module defining them.
    fn module_for(&self, path: &[String], depth: usize) -> ModPath {
        let k = (0..=path.len())
            .rev()
            .find(|&k| self.modules.contains(&path[..k]))
            .unwrap_or(0);
        let module = path[..k].to_vec();
        let Some(name) = path.get(k) else {
            return module;
        };
        if depth > 8 || self.defines.get(&module).is_some_and(|d| d.contains(name)) {
            return module;
        }
        if let Some(target) = self.imports.get(&module).and_then(|i| i.get(name)) {
            let mut next = target.clone();
            next.extend(path[k + 1..].iter().cloned());
            return self.module_for(&next, depth + 1);
        }
        for glob in self.globs.get(&module).into_iter().flatten() {
            let known = self.defines.get(glob).is_some_and(|d| d.contains(name))
                || self.imports.get(glob).is_some_and(|i| i.contains_key(name));
            if known {
                let mut next = glob.clone();
                next.extend(path[k..].iter().cloned());
                return self.module_for(&next, depth + 1);
            }
        }
        module
    }

    /// Every import of one module of the crate by another.
    fn edges(&self) -> Vec<Edge> {
        let mut out = Vec::new();
        for s in &self.sources {
            let (uses, rest) = use_declarations(&s.code);
            let mut paths: Vec<(usize, Vec<String>)> = uses
                .into_iter()
                .flat_map(|(line, tree)| expand(&tree).into_iter().map(move |u| (line, u.segments)))
                .collect();
            paths.extend(inline_paths(&rest));
            for (line, segments) in paths {
                let Some(abs) = self.absolute(&s.module, &segments) else {
                    continue;
                };
                let to = self.module_for(&abs, 0);
                if to != s.module {
                    out.push(Edge {
                        from: s.module.clone(),
                        to,
                        file: s.file.clone(),
                        line,
                        path: segments.join("::"),
                    });
                }
            }
        }
        out
    }

    /// Import cycles among the children of `scope` and of every folder module below it,
    /// each named with the imports that close it.
    fn cycles_under(&self, scope: &[String]) -> Vec<String> {
        let edges = self.edges();
        let mut found = Vec::new();
        let folders: Vec<&ModPath> = self
            .modules
            .iter()
            .filter(|m| m.starts_with(scope))
            .filter(|m| {
                self.modules
                    .iter()
                    .any(|c| c.len() > m.len() && c.starts_with(m))
            })
            .collect();
        for folder in folders {
            found.extend(cycles_among_children(folder, &edges));
        }
        found
    }
}

/// Cycles among the child modules of `parent`: what any file of a child imports from
/// another child is an edge between the two.
fn cycles_among_children(parent: &[String], edges: &[Edge]) -> Vec<String> {
    let depth = parent.len();
    let mut graph: BTreeMap<String, BTreeMap<String, &Edge>> = BTreeMap::new();
    for e in edges {
        if e.from.len() > depth
            && e.to.len() > depth
            && e.from.starts_with(parent)
            && e.to.starts_with(parent)
            && e.from[depth] != e.to[depth]
        {
            graph
                .entry(e.from[depth].clone())
                .or_default()
                .entry(e.to[depth].clone())
                .or_insert(e);
        }
    }
    let mut out = Vec::new();
    for component in strongly_connected(&graph) {
        let start = component.first().expect("a component is not empty").clone();
        let cycle = shortest_cycle(&graph, &start);
        let mut text = format!(
            "import cycle among the modules of src/{}/: {}",
            parent.join("/"),
            cycle.join(" -> ")
        );
        for pair in cycle.windows(2) {
            let e = graph[&pair[0]][&pair[1]];
            let _ = write!(text, "\n    {} -> {}: {}", pair[0], pair[1], e.evidence());
        }
        if component.len() > cycle.len() - 1 {
            let _ = write!(
                text,
                "\n    all modules caught in this circle: {}\n    the imports among them:",
                component.join(", ")
            );
            for from in &component {
                for (to, e) in graph.get(from).into_iter().flatten() {
                    if component.contains(to) {
                        let _ = write!(text, "\n      {from} -> {to}: {}", e.evidence());
                    }
                }
            }
        }
        out.push(text);
    }
    out
}

/// Strongly connected components with more than one module (Tarjan), each sorted.
fn strongly_connected(graph: &BTreeMap<String, BTreeMap<String, &Edge>>) -> Vec<Vec<String>> {
    struct Walk<'g, 'e> {
        graph: &'g BTreeMap<String, BTreeMap<String, &'e Edge>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on_stack: BTreeSet<String>,
        out: Vec<Vec<String>>,
    }
    impl Walk<'_, '_> {
        fn visit(&mut self, v: &str) {
            let i = self.index.len();
            self.index.insert(v.to_string(), i);
            self.low.insert(v.to_string(), i);
            self.stack.push(v.to_string());
            self.on_stack.insert(v.to_string());
            let next: Vec<String> = self
                .graph
                .get(v)
                .map(|n| n.keys().cloned().collect())
                .unwrap_or_default();
            for w in next {
                if !self.index.contains_key(&w) {
                    self.visit(&w);
                    let low = self.low[v].min(self.low[&w]);
                    self.low.insert(v.to_string(), low);
                } else if self.on_stack.contains(&w) {
                    let low = self.low[v].min(self.index[&w]);
                    self.low.insert(v.to_string(), low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(&w);
                    let done = w == v;
                    component.push(w);
                    if done {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.out.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v) {
            walk.visit(v);
        }
    }
    walk.out.sort();
    walk.out
}

/// The shortest way from `start` back to itself: `[start, …, start]`.
fn shortest_cycle(graph: &BTreeMap<String, BTreeMap<String, &Edge>>, start: &str) -> Vec<String> {
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in graph.get(v).into_iter().flat_map(|n| n.keys()) {
            if w == start {
                let mut way = vec![start.to_string()];
                let mut at = v;
                while at != start {
                    way.push(at.to_string());
                    at = came_from[at];
                }
                way.push(start.to_string());
                way.reverse();
                return way;
            }
            if !came_from.contains_key(w.as_str()) {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    unreachable!("{start} is in a strongly connected component, so a way back exists")
}

// ---- the rules, on this package's src/ ----------------------------------------------

fn this_crate() -> Crate {
    Crate::read(Path::new(env!("CARGO_MANIFEST_DIR")))
}

#[track_caller]
fn assert_no_cycles(scope: &str) {
    let krate = this_crate();
    assert!(
        krate.modules.contains(&path(scope)),
        "no module {scope} in src/"
    );
    let found = krate.cycles_under(&path(scope));
    assert!(
        found.is_empty(),
        "{} import cycle(s) under src/{scope}/ (break each by moving what both sides need \
         into a module of its own, or by passing it in):\n\n{}",
        found.len(),
        found.join("\n\n")
    );
}

#[test]
fn no_import_cycle_among_the_modules_of_tui() {
    assert_no_cycles("tui");
}

#[test]
fn no_import_cycle_among_the_modules_of_store() {
    assert_no_cycles("store");
}

#[test]
fn no_file_in_src_is_over_900_lines_but_the_pattern_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut long = Vec::new();
    for path in rust_files(&root.join("src")) {
        let rel = path
            .strip_prefix(root)
            .expect("under the package")
            .display()
            .to_string();
        let text = std::fs::read_to_string(&path).expect("read source");
        let lines = text.lines().count();
        if lines > MAX_LINES && rel != DATA_TABLE {
            long.push(format!("{rel}: {lines} lines"));
        }
    }
    assert!(
        long.is_empty(),
        "files in src/ over {MAX_LINES} lines (only {DATA_TABLE}, a data table, may be):\n  {}",
        long.join("\n  ")
    );
}

#[test]
fn domain_and_store_never_import_a_front_end() {
    let krate = this_crate();
    let wrong: Vec<String> = krate
        .edges()
        .into_iter()
        .filter(|e| matches!(e.from.first().map(String::as_str), Some("domain" | "store")))
        .filter(|e| matches!(e.to.first().map(String::as_str), Some("tui" | "cli")))
        .map(|e| {
            format!(
                "{} imports {}: {}",
                show(&e.from),
                show(&e.to),
                e.evidence()
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "the domain and the store must not import crate::tui or crate::cli:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn domain_never_uses_ratatui_or_rusqlite() {
    static CRATES: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(ratatui|rusqlite)\b").unwrap());
    let krate = this_crate();
    let wrong: Vec<String> = krate
        .sources
        .iter()
        .filter(|s| s.module.first().is_some_and(|m| m == "domain"))
        .flat_map(|s| {
            CRATES.captures_iter(&s.code).map(|c| {
                let m = c.get(1).expect("name");
                format!(
                    "{}:{} uses {}",
                    s.file,
                    line_of(&s.code, m.start()),
                    m.as_str()
                )
            })
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "the domain must stay free of the screen and the database:\n  {}",
        wrong.join("\n  ")
    );
}

// ---- the reader itself, on a small crate written for the purpose ---------------------

/// A crate under a temporary folder, from (path under src/, text) pairs.
fn sample(files: &[(&str, &str)]) -> (tempfile::TempDir, Crate) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (rel, text) in files {
        let p = dir.path().join("src").join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
    let krate = Crate::read(dir.path());
    (dir, krate)
}

fn edge_set(krate: &Crate) -> BTreeSet<(String, String)> {
    krate
        .edges()
        .into_iter()
        .map(|e| (show(&e.from), show(&e.to)))
        .collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

#[test]
fn reader_expands_grouped_nested_and_renamed_uses() {
    let paths: Vec<ModPath> = expand("super::{a, b::{self, C as D, e::*}, f}")
        .into_iter()
        .map(|u| u.segments)
        .collect();
    let want: Vec<ModPath> = [
        "super::a",
        "super::b",
        "super::b::C",
        "super::b::e",
        "super::f",
    ]
    .map(path)
    .to_vec();
    assert_eq!(paths, want);
    let renamed = expand("crate::x::Y as Z");
    assert_eq!(renamed[0].binds.as_deref(), Some("Z"));
    assert_eq!(expand("super::*")[0].binds, None);
}

#[test]
fn reader_finds_a_cycle_through_folders_re_exports_and_inline_paths() {
    let (_dir, krate) = sample(&[
        ("lib.rs", "pub mod ui;\npub mod data;\n"),
        (
            "ui/mod.rs",
            "mod app;\nmod keys;\nmod panes;\nmod help;\npub use app::App;\n",
        ),
        // app -> panes (a folder written as panes.rs beside panes/) by a grouped use.
        (
            "ui/app.rs",
            "use super::{keys, panes::{self, list::Row}};\npub struct App;\n",
        ),
        // keys -> app through the parent's re-export.
        ("ui/keys.rs", "use crate::ui::App;\npub fn keys() {}\n"),
        ("ui/panes.rs", "pub mod list;\n"),
        // list (inside panes) -> app by an inline path.
        (
            "ui/panes/list.rs",
            "pub struct Row;\npub fn draw() { let _ = crate::ui::app::App; }\n",
        ),
        // help imports nothing of its siblings: only in comments, strings and tests.
        (
            "ui/help.rs",
            "// use super::app;\nconst S: &str = \"use super::keys;\";\n\
             #[cfg(test)]\nmod tests {\n    use super::super::app::App;\n    use crate::ui::keys;\n}\n\
             #[cfg(test)]\nmod more;\n",
        ),
        ("ui/help/more.rs", "use crate::ui::app::App;\n"),
        ("data/mod.rs", "mod a;\nmod b;\npub use a::*;\n"),
        ("data/a.rs", "pub fn one() {}\n"),
        // b -> a through a glob re-export of the parent; no cycle back.
        ("data/b.rs", "use super::one;\n"),
    ]);
    let edges = edge_set(&krate);
    for want in [
        pair("ui::app", "ui::keys"),
        pair("ui::app", "ui::panes"),
        pair("ui::app", "ui::panes::list"),
        pair("ui::keys", "ui::app"),
        pair("ui::panes::list", "ui::app"),
        pair("data::b", "data::a"),
    ] {
        assert!(edges.contains(&want), "missing {want:?} in {edges:?}");
    }
    assert!(
        !edges.iter().any(|(from, _)| from.starts_with("ui::help")),
        "comments, strings and tests count: {edges:?}"
    );
    assert!(!krate.modules.contains(&path("ui::help::more")));

    let cycles = krate.cycles_under(&path("ui"));
    assert_eq!(cycles.len(), 1, "{cycles:#?}");
    assert!(
        cycles[0].starts_with("import cycle among the modules of src/ui/: app -> keys -> app"),
        "{}",
        cycles[0]
    );
    assert!(cycles[0].contains("src/ui/keys.rs:1"), "{}", cycles[0]);
    assert!(
        cycles[0].contains("all modules caught in this circle: app, keys, panes")
            && cycles[0].contains("panes -> app: src/ui/panes/list.rs:2"),
        "{}",
        cycles[0]
    );
    assert!(krate.cycles_under(&path("data")).is_empty());
}

#[test]
fn reader_blanks_comments_and_literals_but_keeps_lines() {
    let src = "let a = 'x'; let b = '\\''; /* use crate::a;\n */ let c = r#\"crate::b\"#; fn f<'a>(x: &'a str) {}\n// crate::c\nuse crate::d;";
    let code = strip(src);
    assert_eq!(code.lines().count(), src.lines().count());
    assert!(!code.contains("crate::a") && !code.contains("crate::b") && !code.contains("crate::c"));
    assert!(
        code.contains("use crate::d;") && code.contains("&'a str"),
        "{code}"
    );
}
