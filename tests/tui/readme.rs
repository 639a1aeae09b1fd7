//! The README's pictures of the screen are the snapshots themselves: every fenced block
//! that follows a `<!-- screen: NAME -->` line must be, line for line, the snapshot
//! `tests/tui/snapshots/…__NAME.snap`. When a screen changes and its
//! snapshot is accepted, this fails until the README shows the new screen too.

use std::path::{Path, PathBuf};

/// The screens the README shows: each pane, the dashboard, the detail view. A new pane's snapshot is
/// added here by one line (and to the README under its marker).
const SCREENS: &[&str] = &[
    "tracker_80x24",
    "queue_80x24",
    "blockers_80x24",
    "dashboard_80x24",
    "tasks_80x24",
    "expiring_80x24",
    "reviews_80x24",
    "detail_80x24",
];

const MARKER: &str = "<!-- screen: ";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Each marked block of the README: its name and lines.
fn readme_screens(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.trim().strip_prefix(MARKER) else {
            continue;
        };
        let name = rest.trim_end_matches("-->").trim().to_string();
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "README: the line after the marker of {name} opens no fenced block"
        );
        let body = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .map(|l| l.trim_end().to_string())
            .collect();
        out.push((name, body));
    }
    out
}

/// The one snapshot file named `…__NAME.snap` (insta prefixes the test module).
fn snapshot_path(name: &str) -> PathBuf {
    let dir = root().join("tests/tui/snapshots");
    let suffix = format!("__{name}.snap");
    let found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the snapshots folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(&suffix))
        .collect();
    assert_eq!(found.len(), 1, "snapshots named {name}: {found:?}");
    found.into_iter().next().expect("one")
}

/// The screen a snapshot file holds (after insta's header).
fn snapshot(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let body = text
        .splitn(3, "---\n")
        .nth(2)
        .unwrap_or_else(|| panic!("{} has no insta header", path.display()));
    body.lines()
        .map(|l| l.trim_end().to_string())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .skip_while(String::is_empty)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect()
}

#[test]
fn every_readme_screen_is_its_snapshot() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let shown = readme_screens(&readme);
    for want in SCREENS {
        assert!(
            shown.iter().any(|(n, _)| n == want),
            "README.md shows no screen {want}: add `{MARKER}{want} -->` and its block"
        );
    }
    for (name, lines) in shown {
        let path = snapshot_path(&name);
        let snap = snapshot(&path);
        if lines != snap {
            let first = lines
                .iter()
                .zip(&snap)
                .position(|(a, b)| a != b)
                .unwrap_or(lines.len().min(snap.len()));
            panic!(
                "README.md's screen {name} differs from its snapshot at line {}:\n  README:   {:?}\n  snapshot: {:?}\nCopy the screen from {} into the README.",
                first + 1,
                lines.get(first),
                snap.get(first),
                path.display()
            );
        }
    }
}
