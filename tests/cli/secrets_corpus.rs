//! Corpus test for `accessdesk::domain::secrets::find_secret`.
//!
//! Three data files under `tests/data/` (all credentials in them are fake):
//! * `secrets_realistic.txt`: credentials as people paste them into notes;
//!   every one must be refused.
//! * `secrets_vendor_shapes.txt`: one sample per vendor token shape,
//!   `rule-name<TAB>sample`; at least 90 % must be refused.
//! * `ordinary_values.txt`: values that must be accepted; the policy allows
//!   at most 3 % to be refused, the test guards at 1 % (see below).
//!
//! Lines starting with `#` and blank lines are skipped. In the two secrets
//! files a literal `\n` stands for a line break (multi-line key blocks).
//! The rates are printed with `eprintln!` so they can be reported; run with
//! `cargo test --test secrets_corpus -- --nocapture` to see them.

use accessdesk::domain::secrets::find_secret;
use std::path::PathBuf;

fn data_lines(name: &str) -> Vec<String> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "data", name]
        .iter()
        .collect();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

fn unescape(line: &str) -> String {
    line.replace("\\n", "\n")
}

fn percent(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole as f64
}

#[test]
fn every_realistic_credential_is_refused() {
    let samples = data_lines("secrets_realistic.txt");
    assert!(
        samples.len() >= 60,
        "corpus shrank to {} samples",
        samples.len()
    );
    let misses: Vec<&String> = samples
        .iter()
        .filter(|line| find_secret(&unescape(line)).is_none())
        .collect();
    let refused = samples.len() - misses.len();
    eprintln!(
        "realistic credentials refused: {refused}/{} ({:.1} %)",
        samples.len(),
        percent(refused, samples.len())
    );
    for miss in &misses {
        eprintln!("  MISSED: {miss}");
    }
    assert!(
        misses.is_empty(),
        "{} realistic credentials were accepted",
        misses.len()
    );
}

#[test]
fn vendor_token_shapes_are_refused() {
    let lines = data_lines("secrets_vendor_shapes.txt");
    let samples: Vec<(&str, String)> = lines
        .iter()
        .map(|line| {
            let (label, sample) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("missing <TAB> in vendor line: {line}"));
            (label, unescape(sample))
        })
        .collect();
    let mut labels: Vec<&str> = samples.iter().map(|(label, _)| *label).collect();
    labels.sort_unstable();
    labels.dedup();
    assert!(
        labels.len() >= 60,
        "only {} distinct vendor shapes",
        labels.len()
    );
    let misses: Vec<&(&str, String)> = samples
        .iter()
        .filter(|(_, sample)| find_secret(sample).is_none())
        .collect();
    let refused = samples.len() - misses.len();
    let rate = percent(refused, samples.len());
    eprintln!(
        "vendor shapes refused: {refused}/{} ({rate:.1} %)",
        samples.len()
    );
    for (label, _) in &misses {
        eprintln!("  MISSED vendor shape: {label}");
    }
    assert!(rate >= 90.0, "vendor detection fell to {rate:.1} %");
}

#[test]
fn ordinary_values_are_accepted() {
    let samples = data_lines("ordinary_values.txt");
    assert!(
        samples.len() >= 250,
        "corpus shrank to {} values",
        samples.len()
    );
    let refused: Vec<(&String, &'static str)> = samples
        .iter()
        .filter_map(|line| find_secret(line).map(|kind| (line, kind.rule())))
        .collect();
    let rate = percent(refused.len(), samples.len());
    eprintln!(
        "ordinary values refused (false positives): {}/{} ({rate:.1} %)",
        refused.len(),
        samples.len()
    );
    for (line, rule) in &refused {
        eprintln!("  FALSE POSITIVE [{rule}]: {line}");
    }
    // The policy allows 3 %. This corpus measured 0 % when it was written, so
    // the guard sits at 1 %: switching off the placeholder/pointer heuristics
    // alone pushes it to about 2.4 %, which must fail here, not pass quietly.
    assert!(
        rate <= 1.0,
        "false-positive rate rose to {rate:.1} % (policy limit 3 %, guard 1 %)"
    );
}
