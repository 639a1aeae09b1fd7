//! `accessdesk evidence DIR`: the audit evidence bundle of a project or of all of them,
//! over a window of dates, written into a new or empty folder. The data files come from
//! the store and the exchange layer; this file checks the folder, writes each file
//! (private to whoever runs the command, who is also its owner in a guarded
//! installation: the service group was given up at start), and the manifest with the
//! SHA-256 of each.

use super::{CmdResult, Failure, open_store, output};
use crate::domain::evidence::{self, Window};
use crate::exchange::evidence::{self as files, Filters};
use crate::store::evidence::Evidence;
use chrono::NaiveDate;
use clap::Args;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// A new or empty folder for the files
    pub dir: PathBuf,
    /// Only this project [default: every project]
    #[arg(long, value_name = "KEY")]
    pub project: Option<String>,
    /// First day of the window (UTC), included [default: the beginning of the log]
    #[arg(long, value_parser = super::args::parse_date, value_name = "YYYY-MM-DD")]
    pub since: Option<NaiveDate>,
    /// Last day of the window (UTC), included [default: the end of the log]
    #[arg(long, value_parser = super::args::parse_date, value_name = "YYYY-MM-DD")]
    pub until: Option<NaiveDate>,
}

/// A file being written, and the SHA-256 of what was written to it.
struct Hashed<W: Write> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Makes a new file in `dir`, private to its owner; never follows a link in its place.
fn create(dir: &Path, name: &str) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(dir.join(name))
}

/// Writes one file with `body`, returning its size and SHA-256 (hex).
fn write_file(
    dir: &Path,
    name: &str,
    body: impl FnOnce(&mut Hashed<BufWriter<fs::File>>) -> io::Result<()>,
) -> Result<(u64, String), Failure> {
    let cannot =
        |e: io::Error| Failure::Error(format!("cannot write {}: {e}", dir.join(name).display()));
    let file = create(dir, name).map_err(cannot)?;
    let mut w = Hashed {
        inner: BufWriter::new(file),
        hash: Sha256::new(),
        bytes: 0,
    };
    body(&mut w).map_err(cannot)?;
    w.flush().map_err(cannot)?;
    let file = w.inner.into_inner().map_err(|e| cannot(e.into_error()))?;
    file.sync_all().map_err(cannot)?;
    let digest: String = w
        .hash
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((w.bytes, digest))
}

/// The folder must be new or empty; a new one is made private to its owner.
fn prepare(dir: &Path) -> Result<(), Failure> {
    match fs::read_dir(dir) {
        Ok(entries) => {
            let n = entries.count();
            if n > 0 {
                return Err(evidence::folder_not_empty(n).into());
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            use std::os::unix::fs::DirBuilderExt;
            fs::DirBuilder::new()
                .mode(0o700)
                .create(dir)
                .map_err(|e| Failure::Error(format!("cannot make {}: {e}", dir.display())))
        }
        Err(e) => Err(Failure::Error(format!("cannot use {}: {e}", dir.display()))),
    }
}

pub fn evidence(path: &Path, a: EvidenceArgs, json: bool) -> CmdResult {
    let window = Window::new(a.since, a.until)?;
    // Checked before the file is read, so a wrong folder is said at once.
    if let Ok(entries) = fs::read_dir(&a.dir) {
        let n = entries.count();
        if n > 0 {
            return Err(evidence::folder_not_empty(n).into());
        }
    }
    let store = open_store(path)?;
    // Every event is read once, in order: a large page cache would only add memory.
    store.set_cache(crate::store::CachePolicy::AtMost { kib: 4096 })?;
    let ev = store.evidence(a.project.as_deref(), window)?;
    prepare(&a.dir)?;
    let filters = Filters {
        project: a.project.as_deref().map(str::to_ascii_uppercase),
        since: a.since.map(|d| d.to_string()),
        until: a.until.map(|d| d.to_string()),
    };
    let written = write_all(&a.dir, &ev, &filters)?;
    let me = store.me();
    let manifest = json!({
        "generated_by": {"login": me.login, "uid": me.uid},
        "generated_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "filters": filters,
        "app": {"name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION")},
        "schema_version": ev.schema_version,
        "rows": {"items": ev.items.len(), "decisions": ev.decisions.len(), "reviews": ev.reviews.len()},
        "chain": {"events": ev.events, "head_seq": ev.head_seq, "head_link": ev.head_hash},
        "files": written.iter().map(|(name, bytes, sha)| json!({"name": name, "bytes": bytes, "sha256": sha})).collect::<Vec<_>>(),
    });
    write_file(&a.dir, "manifest.json", |w| {
        serde_json::to_writer_pretty(&mut *w, &manifest).map_err(io::Error::other)?;
        w.write_all(b"\n")
    })?;
    if json {
        output::json(&manifest)?;
    } else {
        say!(
            "wrote the evidence of {} items, {} decisions and {} review accesses to {} ({} files and manifest.json; log head seq {})",
            ev.items.len(),
            ev.decisions.len(),
            ev.reviews.len(),
            a.dir.display(),
            written.len(),
            ev.head_seq
        )?;
    }
    Ok(())
}

type Written = Vec<(&'static str, u64, String)>;

fn write_all(dir: &Path, ev: &Evidence, f: &Filters) -> Result<Written, Failure> {
    let mut out = Written::new();
    let mut one = |name: &'static str,
                   body: &dyn Fn(&mut Hashed<BufWriter<fs::File>>) -> io::Result<()>|
     -> Result<(), Failure> {
        let (bytes, sha) = write_file(dir, name, body)?;
        out.push((name, bytes, sha));
        Ok(())
    };
    one("items.csv", &|w| files::write_items_csv(ev, w))?;
    one("items.jsonl", &|w| files::write_items_jsonl(ev, w))?;
    one("decisions.csv", &|w| files::write_decisions_csv(ev, w))?;
    one("decisions.jsonl", &|w| files::write_decisions_jsonl(ev, w))?;
    if !ev.reviews.is_empty() {
        one("reviews.csv", &|w| files::write_reviews_csv(ev, w))?;
        one("reviews.jsonl", &|w| files::write_reviews_jsonl(ev, w))?;
    }
    one("summary.md", &|w| {
        w.write_all(files::summary(ev, f).as_bytes())
    })?;
    Ok(out)
}
