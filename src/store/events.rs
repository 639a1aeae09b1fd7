//! The append-only, hash-chained event log. Each event's hash covers its own fields
//! and the previous event's hash, so changing, deleting or reordering any row breaks
//! the chain at that row; `verify` names the first bad seq. Truncation of the newest
//! events is caught by comparing with an anchor (a head seq and hash kept elsewhere).

use super::{Ctx, Result};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params, types::ValueRef};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub seq: i64,
    pub at: String,
    pub uid: i64,
    pub login: String,
    pub project: Option<String>,
    pub item: Option<String>,
    pub kind: String,
    pub payload: Value,
}

impl Event {
    pub fn at_utc(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&self.at)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}

/// Hash of an event: SHA-256 over an unambiguous JSON array of its fields.
#[allow(clippy::too_many_arguments)]
fn digest(
    seq: i64,
    at: &str,
    uid: i64,
    login: &str,
    project: Option<&str>,
    item: Option<&str>,
    kind: &str,
    payload: &str,
    prev: &str,
) -> String {
    // A tuple serialises as the same compact JSON array as `json!([...])` would; it is
    // written straight into the hash, without building a `Value` or a buffer first.
    let mut h = HashWriter(Sha256::new());
    // Writing to a hasher cannot fail, and these values always serialise.
    let _ = serde_json::to_writer(
        &mut h,
        &(seq, at, uid, login, project, item, kind, payload, prev),
    );
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for b in h.0.finalize() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

/// Lets serde write into a hash.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Formats a time as stored: RFC 3339, UTC, microseconds (sorts as text).
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Appends one event in the caller's transaction and returns its seq.
pub(crate) fn append(
    tx: &rusqlite::Connection,
    ctx: &Ctx,
    project: Option<&str>,
    item: Option<&str>,
    kind: &str,
    payload: &Value,
) -> Result<i64> {
    Chain::head(tx)?.append(tx, ctx, project, item, kind, &payload.to_string())
}

/// The head of the chain, read once and then carried along, for writing many events
/// in one transaction (an import, the generator). Valid only inside the transaction
/// that read it: the write lock it holds keeps every other writer out meanwhile.
pub(crate) struct Chain {
    seq: i64,
    hash: String,
    at: Option<(DateTime<Utc>, String)>,
}

impl Chain {
    pub(crate) fn head(tx: &rusqlite::Connection) -> Result<Chain> {
        let (seq, hash) = tx
            .prepare_cached("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or((0, GENESIS.to_string()));
        Ok(Chain {
            seq,
            hash,
            at: None,
        })
    }

    /// Appends one event whose payload is already JSON text, and returns its seq.
    pub(crate) fn append(
        &mut self,
        tx: &rusqlite::Connection,
        ctx: &Ctx,
        project: Option<&str>,
        item: Option<&str>,
        kind: &str,
        payload: &str,
    ) -> Result<i64> {
        let seq = self.seq + 1;
        if self.at.as_ref().is_none_or(|(t, _)| *t != ctx.now) {
            self.at = Some((ctx.now, ts(ctx.now)));
        }
        let at = self
            .at
            .as_ref()
            .map(|(_, s)| s.as_str())
            .unwrap_or_default();
        let uid = i64::from(ctx.me.uid);
        let hash = digest(
            seq,
            at,
            uid,
            &ctx.me.login,
            project,
            item,
            kind,
            payload,
            &self.hash,
        );
        tx.prepare_cached(
            "INSERT INTO events (seq, at, uid, login, project, item, kind, payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![seq, at, uid, ctx.me.login, project, item, kind, payload, self.hash, hash])?;
        self.seq = seq;
        self.hash = hash;
        Ok(seq)
    }
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub events: i64,
    pub head_seq: i64,
    pub head_hash: String,
    /// The first bad seq and what is wrong with it.
    pub first_bad: Option<(i64, String)>,
}

/// Reads a column as text whatever was written there (a tampered row may hold a blob
/// or an integer); the hash check then fails on it instead of the read.
fn raw_text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

fn raw_int(v: ValueRef<'_>) -> Option<i64> {
    match v {
        ValueRef::Integer(i) => Some(i),
        _ => None,
    }
}

/// Walks every event in seq order and checks numbering, links and hashes.
pub fn verify(conn: &rusqlite::Connection) -> Result<Verification> {
    let mut stmt = conn.prepare("SELECT seq, at, uid, login, project, item, kind, payload, prev_hash, hash FROM events ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut count = 0;
    let mut first_bad = None;
    while let Some(r) = rows.next()? {
        let seq = r.get::<_, i64>(0)?;
        count += 1;
        let text = |i: usize| r.get_ref(i).map(raw_text);
        let (at, uid, login, project, item, kind, payload, prev_hash, hash) = (
            text(1)?.unwrap_or_default(),
            r.get_ref(2).map(raw_int)?,
            text(3)?.unwrap_or_default(),
            text(4)?,
            text(5)?,
            text(6)?.unwrap_or_default(),
            text(7)?.unwrap_or_default(),
            text(8)?.unwrap_or_default(),
            text(9)?.unwrap_or_default(),
        );
        let problem = if seq != expected_seq {
            Some(format!(
                "expected seq {expected_seq} here: events are missing or were renumbered"
            ))
        } else if prev_hash != prev {
            Some("its previous-hash does not match the event before it (a row was removed, inserted or reordered)".to_string())
        } else if uid.is_none() {
            Some("its uid is not a number".to_string())
        } else if digest(
            seq,
            &at,
            uid.unwrap_or_default(),
            &login,
            project.as_deref(),
            item.as_deref(),
            &kind,
            &payload,
            &prev_hash,
        ) != hash
        {
            Some("its contents do not match its hash (the row was changed)".to_string())
        } else {
            None
        };
        if let Some(p) = problem {
            first_bad = Some((seq, p));
            break;
        }
        prev = hash;
        expected_seq = seq + 1;
    }
    Ok(Verification {
        events: count,
        head_seq: expected_seq - 1,
        head_hash: prev,
        first_bad,
    })
}

/// Checks that the chain still reaches an anchored head (seq, hash).
pub fn reaches(conn: &rusqlite::Connection, seq: i64, hash: &str) -> Result<bool> {
    let stored: Option<String> = conn
        .query_row("SELECT hash FROM events WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(stored.as_deref() == Some(hash))
}

pub(crate) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    let payload: String = r.get_ref(7).map(raw_text)?.unwrap_or_default();
    Ok(Event {
        seq: r.get(0)?,
        at: r.get_ref(1).map(raw_text)?.unwrap_or_default(),
        uid: r.get_ref(2).map(raw_int)?.unwrap_or(-1),
        login: r.get_ref(3).map(raw_text)?.unwrap_or_default(),
        project: r.get_ref(4).map(raw_text)?,
        item: r.get_ref(5).map(raw_text)?,
        kind: r.get_ref(6).map(raw_text)?.unwrap_or_default(),
        payload: serde_json::from_str(&payload).unwrap_or(Value::String(payload)),
    })
}

pub(crate) const EVENT_COLUMNS: &str = "seq, at, uid, login, project, item, kind, payload";
