//! The credential detector's cost per field: every free-text value a person types
//! or imports passes through `find_secret`, so a typical field (a name, a system, a
//! purpose, a note of 20-200 characters) must stay under 2 µs.
//!
//! - `detector/typical`: the set of typical field values below, one call each;
//!   criterion's time divided by the number of values is the cost per field, and
//!   the median per field is printed besides criterion's statistics;
//! - `detector/<group>`: each kind of value on its own (ASCII, other scripts,
//!   multi-line notes, disguised credentials), to see where the time goes.
//!
//! The rule sets are compiled before measuring: that is a once-per-process cost.

use accessdesk::domain::secrets::find_secret;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Instant;

/// Names, systems, roles, purposes and notes as people write them.
const ASCII: &[&str] = &[
    "Maria Lopez",
    "Carol Client (Acme IT)",
    "frank@acme.example",
    "Google Analytics 4",
    "Stripe dashboard",
    "AWS production account 4410",
    "Storage Blob Data Reader",
    "Billing Viewer",
    "Set up conversion tracking for the Q3 campaign",
    "Read access to the finance share for the year-end audit",
    "Needed to migrate the reporting jobs from the old cluster to db01.prod.example.com",
    "https://acme.atlassian.net/browse/OPS-2211",
    "Temporary access until the migration is done; remove after go-live. Ask Maria for the vault entry, not by e-mail.",
    "Contractor needs to review the deployment pipeline and the runbooks before the workshop on Tuesday; read-only is enough, no admin rights.",
    "+44 20 7946 0000",
    "- call first",
];

/// The same kinds of value in other scripts and with accents.
const SCRIPTS: &[&str] = &[
    "José Müller-Lüdenscheidt",
    "山田 太郎",
    "김민준 (Seoul office)",
    "Ελένη Παπαδοπούλου",
    "Доступ к отчётам для бухгалтерии на время аудита",
    "می\u{200C}خواهم گزارش\u{200C}ها را ببینم",
    "Zugriff auf das Lohnbuchhaltungssystem für die Jahresabschlussprüfung",
    "👩\u{200D}💻 on call this week, café ☕",
];

/// Notes that span lines.
const NOTES: &[&str] = &[
    "Steps:\n1. request the role\n2. wait for security\n3. check the dashboard",
    "Owner is on leave until the 12th.\nBackup owner: Dana (IT).",
];

/// Credentials in disguise (all fake).
const DISGUISED: &[&str] = &[
    "pass\u{200B}word: Welcome2024!",
    "p\u{0430}ssword: Welcome2024!",
    "P a s s w o r d: Welcome2024!",
    "cGFzc3dvcmQ6IFdlbGNvbWUyMDI0IQ==",
    "2FA seed JBSW Y3DP EHPK 3PXP",
];

fn typical() -> Vec<&'static str> {
    ASCII.iter().chain(SCRIPTS).chain(NOTES).copied().collect()
}

/// Median time per call over many passes, in nanoseconds.
fn median_ns(values: &[&str]) -> f64 {
    let mut per_field: Vec<f64> = (0..2_000)
        .flat_map(|_| {
            values.iter().map(|v| {
                let start = Instant::now();
                black_box(find_secret(black_box(v)));
                start.elapsed().as_nanos() as f64
            })
        })
        .collect();
    per_field.sort_by(f64::total_cmp);
    per_field[per_field.len() / 2]
}

fn detector(c: &mut Criterion) {
    // Compiles the rule sets and every rule a value reaches.
    for v in typical().iter().chain(DISGUISED) {
        black_box(find_secret(v));
    }
    let mut group = c.benchmark_group("detector");
    for (name, values) in [
        ("typical", typical()),
        ("ascii", ASCII.to_vec()),
        ("scripts", SCRIPTS.to_vec()),
        ("notes", NOTES.to_vec()),
        ("disguised", DISGUISED.to_vec()),
    ] {
        eprintln!(
            "detector/{name}: median {:.0} ns per field over {} values",
            median_ns(&values),
            values.len()
        );
        group.bench_function(name, |b| {
            b.iter(|| {
                for v in &values {
                    black_box(find_secret(black_box(v)));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, detector);
criterion_main!(benches);
