//! The append-only, hash-chained event log. Each event's hash covers its own fields
//! and the previous event's hash, so changing, deleting or reordering any row breaks
//! the chain at that row; `verify` names the first bad seq. Truncation of the newest
//! events is caught by comparing with an anchor (a head seq and hash kept elsewhere).
//!
//! In a guarded installation the links are keyed: from the `chain-keyed` event on,
//! each hash is an HMAC-SHA-256 under a key only the program can read, so someone who
//! can write the file but not read the key cannot rewrite the log and recompute the
//! links. The links before it stay SHA-256, and the first keyed link pins them.

use super::chain_key::{ChainKey, hex, key_for};
use super::error::Result;
use super::handle::Ctx;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rusqlite::{OptionalExtension, params, types::ValueRef};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::sync::Arc;

/// Kind of the event from which the links are keyed.
pub const CHAIN_KEYED: &str = "chain-keyed";

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

/// The fields of one event that its hash covers, besides the previous hash.
struct Fields<'a> {
    seq: i64,
    at: &'a str,
    uid: i64,
    login: &'a str,
    project: Option<&'a str>,
    item: Option<&'a str>,
    kind: &'a str,
    payload: &'a str,
}

/// Hash of an event: SHA-256 over the compact JSON array
/// `[seq, at, uid, login, project, item, kind, payload, prev]`, the payload being its
/// JSON text as a string, or with `key` the HMAC-SHA-256 of the same bytes.
/// `payload_literal`, when given, is that string already written as JSON (see
/// [`PayloadText`]).
fn digest(
    f: &Fields<'_>,
    payload_literal: Option<&str>,
    prev: &str,
    key: Option<&ChainKey>,
) -> String {
    // The bytes are those serde_json writes for the tuple of these values, put
    // straight into the hash piece by piece, without a buffer. Writing to a hasher
    // cannot fail, and strings always serialise.
    let mut h = match key {
        None => HashWriter::Plain(Sha256::new()),
        Some(k) => HashWriter::Keyed(k.mac()),
    };
    let string = |h: &mut HashWriter, s: Option<&str>| {
        let _ = serde_json::to_writer(&mut *h, &s);
        h.update(b",");
    };
    let _ = write!(h, "[{},", f.seq);
    string(&mut h, Some(f.at));
    let _ = write!(h, "{},", f.uid);
    string(&mut h, Some(f.login));
    string(&mut h, f.project);
    string(&mut h, f.item);
    string(&mut h, Some(f.kind));
    match payload_literal {
        Some(literal) => {
            h.update(literal.as_bytes());
            h.update(b",");
        }
        None => string(&mut h, Some(f.payload)),
    }
    let _ = serde_json::to_writer(&mut h, prev);
    h.update(b"]");
    match h {
        HashWriter::Plain(h) => hex(&h.finalize()),
        HashWriter::Keyed(h) => hex(&h.finalize().into_bytes()),
    }
}

/// Lets serde write into a hash, keyed or not.
enum HashWriter {
    Plain(Sha256),
    Keyed(Hmac<Sha256>),
}

impl HashWriter {
    fn update(&mut self, bytes: &[u8]) {
        match self {
            HashWriter::Plain(h) => Digest::update(h, bytes),
            HashWriter::Keyed(h) => Mac::update(h, bytes),
        }
    }
}

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An event's payload as JSON text, with that text written as a JSON string, which
/// is how the event's hash covers it. Made ahead, on any thread, it spares the
/// writing transaction the escaping.
#[derive(Debug, Clone)]
pub(crate) struct PayloadText {
    text: String,
    literal: String,
}

impl PayloadText {
    pub(crate) fn new(text: String) -> PayloadText {
        // Sized once: an import makes 100,000 of these on one thread while another
        // frees them, and every reallocation is one more trip through the allocator.
        let mut literal = Vec::with_capacity(text.len() + text.len() / 4 + 2);
        // A string always serialises, and serde_json writes UTF-8.
        let _ = serde_json::to_writer(&mut literal, &text);
        let literal = String::from_utf8(literal).unwrap_or_default();
        PayloadText { text, literal }
    }
}

pub use super::stamp::ts;

/// Appends one event in the caller's transaction and returns its seq.
pub(crate) fn append(
    tx: &rusqlite::Connection,
    ctx: &Ctx,
    project: Option<&str>,
    item: Option<&str>,
    kind: &str,
    payload: &Value,
) -> Result<i64> {
    let mut head = Head::read(tx)?;
    let text = PayloadText::new(payload.to_string());
    let at = ts(ctx.now);
    let event = NewEvent {
        at: &at,
        uid: i64::from(ctx.me.uid),
        login: &ctx.me.login,
        project,
        item,
        kind,
        payload: &text,
    };
    let link = head.link(&event);
    insert(&mut *tx.prepare_cached(INSERT_EVENT)?, &event, &link)?;
    super::life::keep(tx, (project, item), kind, payload, &at)?;
    Ok(link.seq)
}

/// Where the chain ends: the last event's seq and hash. Read in a write transaction,
/// it stays true until that transaction ends, whose write lock keeps every other
/// writer out; events chained after it must be written in the same transaction.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    seq: i64,
    hash: String,
    /// Keys the links that follow, in a guarded installation.
    key: Option<Arc<ChainKey>>,
}

/// One event to write, less its place in the chain.
pub(crate) struct NewEvent<'a> {
    pub(crate) at: &'a str,
    pub(crate) uid: i64,
    pub(crate) login: &'a str,
    pub(crate) project: Option<&'a str>,
    pub(crate) item: Option<&'a str>,
    pub(crate) kind: &'a str,
    pub(crate) payload: &'a PayloadText,
}

/// An event's place in the chain: its seq, the hash it follows, and its own hash.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub(crate) seq: i64,
    prev: String,
    hash: String,
}

impl Link {
    /// Whether this event comes right after `head` (which then moves on to it).
    pub(crate) fn follows(&self, head: &mut Head) -> bool {
        let ok = self.seq == head.seq + 1 && self.prev == head.hash;
        if ok {
            head.seq = self.seq;
            head.hash.clone_from(&self.hash);
        }
        ok
    }
}

impl Head {
    pub(crate) fn read(tx: &rusqlite::Connection) -> Result<Head> {
        let (seq, hash) = tx
            .prepare_cached("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or((0, GENESIS.to_string()));
        Ok(Head {
            seq,
            hash,
            key: key_for(tx),
        })
    }

    /// Chains `event` after the head, which moves on to it.
    pub(crate) fn link(&mut self, event: &NewEvent<'_>) -> Link {
        let seq = self.seq + 1;
        let fields = Fields {
            seq,
            at: event.at,
            uid: event.uid,
            login: event.login,
            project: event.project,
            item: event.item,
            kind: event.kind,
            payload: &event.payload.text,
        };
        let hash = digest(
            &fields,
            Some(&event.payload.literal),
            &self.hash,
            self.key.as_deref(),
        );
        let prev = std::mem::replace(&mut self.hash, hash.clone());
        self.seq = seq;
        Link { seq, prev, hash }
    }
}

/// Writes an event (see [`insert`]).
pub(crate) const INSERT_EVENT: &str = "INSERT INTO events (seq, at, uid, login, project, item, kind, payload, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// Writes an event at its place in the chain, with a statement of [`INSERT_EVENT`].
pub(crate) fn insert(
    stmt: &mut rusqlite::Statement<'_>,
    event: &NewEvent<'_>,
    link: &Link,
) -> Result<()> {
    stmt.execute(params![
        link.seq,
        event.at,
        event.uid,
        event.login,
        event.project,
        event.item,
        event.kind,
        event.payload.text,
        link.prev,
        link.hash
    ])?;
    Ok(())
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

/// Walks every event in seq order and checks numbering, links and hashes. Where this
/// process opened the file guarded, the links from the `chain-keyed` event on must be
/// keyed, and a log without that event is refused; elsewhere a keyed part cannot be
/// checked, and is named as such.
pub fn verify(conn: &rusqlite::Connection) -> Result<Verification> {
    let key = key_for(conn);
    let mut stmt = conn.prepare("SELECT seq, at, uid, login, project, item, kind, payload, prev_hash, hash FROM events ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let mut count = 0;
    let mut first_bad = None;
    // The key, once the walk has reached the `chain-keyed` event.
    let mut keyed: Option<&ChainKey> = None;
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
        if kind == CHAIN_KEYED && keyed.is_none() {
            match key.as_deref() {
                Some(k) => keyed = Some(k),
                None => {
                    first_bad = Some((seq, KEYED_ELSEWHERE.to_string()));
                    break;
                }
            }
        }
        let problem = if seq != expected_seq {
            Some(format!(
                "expected seq {expected_seq} here: events are missing or were renumbered"
            ))
        } else if prev_hash != prev {
            Some("its previous-hash does not match the event before it (a row was removed, inserted or reordered)".to_string())
        } else if uid.is_none() {
            Some("its uid is not a number".to_string())
        } else if digest(
            &Fields {
                seq,
                at: &at,
                uid: uid.unwrap_or_default(),
                login: &login,
                project: project.as_deref(),
                item: item.as_deref(),
                kind: &kind,
                payload: &payload,
            },
            None,
            &prev_hash,
            keyed,
        ) != hash
        {
            Some(match keyed {
                None => "its contents do not match its hash (the row was changed)".to_string(),
                Some(_) => "its contents do not match its keyed link (the row was changed or written by another program; only accessdesk holds the key)".to_string(),
            })
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
    if first_bad.is_none() && key.is_some() && keyed.is_none() {
        first_bad = Some((expected_seq - 1, NEVER_KEYED.to_string()));
    }
    Ok(Verification {
        events: count,
        head_seq: expected_seq - 1,
        head_hash: prev,
        first_bad,
    })
}

/// Why a plain installation stops at a keyed part of the log.
const KEYED_ELSEWHERE: &str = "the log is keyed from this event on (it was written by a guarded installation); only that installation, which holds the key, can check the rest";

/// Why a guarded installation refuses a log without a `chain-keyed` event.
pub const NEVER_KEYED: &str = "the log has no chain-keyed event, so none of it was linked under this installation's key: a guarded installation does not trust it";

/// Where the keyed part of a guarded file's log stands when it is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyedHead {
    /// The log was never keyed: the first guarded `init` keys it.
    NeverKeyed,
    /// The last event is linked under the key: this installation wrote it.
    Keyed,
    /// The log is keyed from `from`, but its last event `seq` is not linked under
    /// the key: it was added or changed by another program (or under another key).
    Foreign { from: i64, seq: i64 },
}

/// Checks the keyed part of the log where it matters at every open, without walking
/// it: the last event's keyed link. Only the program, which holds the key, links
/// events so, and only after the log was keyed; so a keyed last event says the log
/// is keyed. Otherwise the `chain-keyed` event is looked for (the one case that reads
/// the whole log, as no index holds that kind). The whole chain is `verify`'s.
pub(crate) fn keyed_head(conn: &rusqlite::Connection, key: &ChainKey) -> Result<KeyedHead> {
    let last = conn
        .query_row(
            "SELECT seq, at, uid, login, project, item, kind, payload, prev_hash, hash FROM events ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                let text = |i: usize| r.get_ref(i).map(raw_text);
                Ok((
                    r.get::<_, i64>(0)?,
                    [text(1)?, text(3)?, text(4)?, text(5)?, text(6)?, text(7)?, text(8)?, text(9)?],
                    r.get_ref(2).map(raw_int)?,
                ))
            },
        )
        .optional()?;
    let Some((seq, [at, login, project, item, kind, payload, prev_hash, hash], uid)) = last else {
        return Ok(KeyedHead::NeverKeyed);
    };
    let fields = Fields {
        seq,
        at: at.as_deref().unwrap_or_default(),
        uid: uid.unwrap_or_default(),
        login: login.as_deref().unwrap_or_default(),
        project: project.as_deref(),
        item: item.as_deref(),
        kind: kind.as_deref().unwrap_or_default(),
        payload: payload.as_deref().unwrap_or_default(),
    };
    let link = digest(
        &fields,
        None,
        prev_hash.as_deref().unwrap_or_default(),
        Some(key),
    );
    if uid.is_some() && hash.as_deref() == Some(link.as_str()) {
        return Ok(KeyedHead::Keyed);
    }
    Ok(match keyed_from(conn)? {
        None => KeyedHead::NeverKeyed,
        Some(from) => KeyedHead::Foreign { from, seq },
    })
}

/// The seq of the first `chain-keyed` event, if the log was ever keyed.
pub(crate) fn keyed_from(conn: &rusqlite::Connection) -> Result<Option<i64>> {
    Ok(conn.query_row(
        "SELECT min(seq) FROM events WHERE kind = ?1",
        [CHAIN_KEYED],
        |r| r.get(0),
    )?)
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

#[cfg(test)]
mod tests;
