//! Benchmarks at scale: 10,000 and 100,000 access items (set `ACCESSDESK_BENCH_N`,
//! e.g. `ACCESSDESK_BENCH_N=10000`, to run one size).
//!
//! - `draw/<pane>`: a full frame of each pane into a 200x50 `TestBackend`;
//! - `key/<key>`: one key press through `App::update` plus the redrawn frame (move
//!   down, page down, one character typed into the filter); besides criterion's
//!   statistics each key bench prints its median and 99th percentile per press;
//! - `recompute/tick`: readiness and every blocker's age at a new minute;
//! - `load/*`: the tracker for all projects from the store (the TUI's first frame
//!   from an aggregate, its full load, and the store's `list_items`).
//!
//! The data sets are made once by the scale generator (`accessdesk demo --scale N`)
//! and cached under `<target>/bench-data/scale-N-seedS.db`; each run works on a copy.
//! The clock is fixed, so numbers compare across runs.

use accessdesk::identity::Identity;
use accessdesk::store::{ItemFilter, Store};
use accessdesk::tui::{App, Msg, Pane, Theme, draw};
use chrono::{DateTime, Duration as Days, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

const SEED: u64 = 1;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;

/// The clock of the generated data and of every bench.
fn now() -> DateTime<Utc> {
    "2026-06-01T12:00:00Z".parse().expect("fixed time")
}

/// The account the benches act as: registered by the generator as coordinator,
/// security and approver, so its approval queue has work.
fn bencher() -> Identity {
    Identity {
        uid: 4343,
        login: "bencher".into(),
    }
}

fn sizes() -> Vec<usize> {
    match std::env::var("ACCESSDESK_BENCH_N") {
        Ok(v) => v
            .split(',')
            .filter_map(|s| s.trim().replace('_', "").parse().ok())
            .collect(),
        Err(_) => vec![10_000, 100_000],
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The cached data set of `n` items, generated on first use.
fn dataset(n: usize) -> PathBuf {
    let dir = target_dir().join("bench-data");
    let path = dir.join(format!("scale-{n}-seed{SEED}.db"));
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(&dir).expect("bench-data folder");
    let tmp = dir.join(format!("scale-{n}-seed{SEED}.db.partial"));
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", tmp.display()));
    }
    eprintln!(
        "generating {n} items into {} (cached for later runs)",
        path.display()
    );
    let started = Instant::now();
    accessdesk::scale::generate(&tmp, n, SEED, now(), Some(&bencher())).expect("generate");
    // Fold the WAL into the file so the cache is one self-contained file.
    {
        let c = rusqlite::Connection::open(&tmp).expect("open generated");
        c.pragma_update(None, "journal_mode", "DELETE")
            .expect("checkpoint");
    }
    std::fs::rename(&tmp, &path).expect("rename generated data");
    eprintln!("generated in {:.1}s", started.elapsed().as_secs_f64());
    path
}

/// A copy of the cached data set for this run: opening a store may migrate the file,
/// and the cache stays as generated.
fn working_copy(n: usize) -> PathBuf {
    static DIR: LazyLock<tempfile::TempDir> =
        LazyLock::new(|| tempfile::tempdir().expect("temp dir"));
    static COPIES: Mutex<Vec<(usize, PathBuf)>> = Mutex::new(Vec::new());
    let mut copies = COPIES.lock().expect("copies");
    if let Some((_, p)) = copies.iter().find(|(m, _)| *m == n) {
        return p.clone();
    }
    let p = DIR.path().join(format!("scale-{n}.db"));
    std::fs::copy(dataset(n), &p).expect("copy data set");
    copies.push((n, p.clone()));
    p
}

fn store(n: usize) -> Store {
    let mut s = Store::open_as(&working_copy(n), bencher()).expect("open store");
    s.set_now(now());
    s
}

fn app(n: usize, pane: Pane) -> App {
    let mut a = App::new(store(n), Theme::truecolor()).expect("load app");
    a.set_time_zone(chrono_tz::Tz::UTC);
    a.update(Msg::Resize(WIDTH, HEIGHT));
    a.update(Msg::ShowPane(pane));
    a
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal")
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// Median and 99th percentile of the per-press times, printed next to criterion's
/// statistics (criterion reports means and medians of batches, not tails).
fn tail(name: &str, mut laps: Vec<Duration>) {
    if laps.is_empty() {
        return;
    }
    laps.sort();
    let at = |q: f64| laps[((laps.len() - 1) as f64 * q).round() as usize];
    eprintln!(
        "{name}: {} presses, median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        laps.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3
    );
}

fn draw_panes(c: &mut Criterion) {
    let mut g = c.benchmark_group("draw");
    g.sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for n in sizes() {
        for (name, pane) in [
            ("tracker", Pane::Tracker),
            ("queue", Pane::Queue),
            ("blockers", Pane::Blockers),
            ("expiring", Pane::Expiring),
        ] {
            let a = app(n, pane);
            let mut t = terminal();
            g.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| {
                    t.draw(|f| draw(f, &a)).expect("draw");
                })
            });
        }
    }
    g.finish();
}

/// One key press and its frame, per iteration; `reset` runs untimed when the
/// selection reached the end.
fn press(
    a: &mut App,
    t: &mut Terminal<TestBackend>,
    iters: u64,
    laps: &mut Vec<Duration>,
    mut next: impl FnMut(&App, u64) -> (Option<Msg>, Msg),
) -> Duration {
    let mut total = Duration::ZERO;
    for i in 0..iters {
        let (reset, m) = next(a, i);
        if let Some(r) = reset {
            a.update(r);
        }
        let started = Instant::now();
        a.update(m);
        t.draw(|f| draw(f, a)).expect("draw");
        let took = started.elapsed();
        total += took;
        laps.push(took);
    }
    total
}

fn at_end(a: &App) -> Option<Msg> {
    let ids = a.selected_id();
    // Cheap enough untimed: the tracker's last id is compared only when asked.
    (ids.is_some() && ids == a.tracker_ids().last().cloned()).then_some(Msg::Top)
}

fn keys(c: &mut Criterion) {
    let mut g = c.benchmark_group("key");
    g.sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for n in sizes() {
        let mut a = app(n, Pane::Tracker);
        let mut t = terminal();
        let mut laps = Vec::new();
        // Resetting at the end of the list costs a scan of the ids: only check now and then.
        let mut since_check = 0u32;
        g.bench_function(BenchmarkId::new("down", n), |b| {
            b.iter_custom(|iters| {
                press(&mut a, &mut t, iters, &mut laps, |app, _| {
                    since_check += 1;
                    if since_check < 1000 {
                        return (None, Msg::Down);
                    }
                    since_check = 0;
                    (at_end(app), Msg::Down)
                })
            })
        });
        tail(&format!("key/down/{n}"), std::mem::take(&mut laps));

        let mut a = app(n, Pane::Tracker);
        let pages = n / usize::from(HEIGHT) / 2;
        let mut done = 0usize;
        g.bench_function(BenchmarkId::new("page-down", n), |b| {
            b.iter_custom(|iters| {
                press(&mut a, &mut t, iters, &mut laps, |_, _| {
                    done += 1;
                    let reset = done.is_multiple_of(pages.max(1)).then_some(Msg::Top);
                    (reset, Msg::PageDown)
                })
            })
        });
        tail(&format!("key/page-down/{n}"), std::mem::take(&mut laps));

        // Typing into the filter: a filter of "ana" (Analyst, Analytics...) gets one
        // more character, then loses it again; each is one key press and one frame.
        let mut a = app(n, Pane::Tracker);
        a.update(Msg::StartFilter);
        for ch in "ana".chars() {
            a.update(Msg::FilterInput(key(KeyCode::Char(ch))));
        }
        let mut typed = false;
        g.bench_function(BenchmarkId::new("filter-char", n), |b| {
            b.iter_custom(|iters| {
                press(&mut a, &mut t, iters, &mut laps, |_, _| {
                    typed = !typed;
                    let k = if typed {
                        KeyCode::Char('l')
                    } else {
                        KeyCode::Backspace
                    };
                    (None, Msg::FilterInput(key(k)))
                })
            })
        });
        tail(&format!("key/filter-char/{n}"), std::mem::take(&mut laps));
    }
    g.finish();
}

fn recompute(c: &mut Criterion) {
    let mut g = c.benchmark_group("recompute");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for n in sizes() {
        let mut a = app(n, Pane::Blockers);
        let mut minute = 0i64;
        g.bench_function(BenchmarkId::new("tick", n), |b| {
            b.iter(|| {
                minute += 1;
                a.update(Msg::Tick(now() + Days::minutes(minute)));
            })
        });
    }
    g.finish();
}

fn load(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(4));
    for n in sizes() {
        let s = store(n);
        g.bench_function(BenchmarkId::new("list-items", n), |b| {
            b.iter(|| black_box(s.list_items(&ItemFilter::default()).expect("list")))
        });
        // What the TUI shows first: the header from an aggregate, drawn.
        g.bench_function(BenchmarkId::new("tui-first-frame", n), |b| {
            let mut t = terminal();
            b.iter(|| {
                let mut a = App::start(store(n), Theme::truecolor()).expect("start app");
                a.update(Msg::Resize(WIDTH, HEIGHT));
                t.draw(|f| draw(f, &a)).expect("draw");
            })
        });
        g.bench_function(BenchmarkId::new("tui-app", n), |b| {
            b.iter(|| black_box(App::new(store(n), Theme::truecolor()).expect("load app")))
        });
    }
    g.finish();
}

criterion_group!(benches, draw_panes, keys, recompute, load);
criterion_main!(benches);
