//! What a guarded installation needs of the store: its log keyed under the
//! installation's key, and a first read that opens the `-wal` and
//! `-shm` while the process still holds the service group (afterwards it cannot open
//! anything in the data folder, and SQLite keeps both open for the connection's life).

use super::chain_key::{self, ChainKey};
use super::events::{self, CHAIN_KEYED, KeyedHead};
use super::{Result, Store};
use serde_json::json;

impl Store {
    /// Reads the schema once, so that the connection has its `-wal` and `-shm` open.
    pub fn first_read(&self) -> Result<()> {
        self.conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })?;
        Ok(())
    }

    /// Links this file's events under `key` from now on (every connection of this
    /// process to the file), and says where the keyed part of its log stands.
    pub fn use_chain_key(&self, key: ChainKey) -> Result<KeyedHead> {
        let head = events::keyed_head(&self.conn, &key)?;
        chain_key::register_key(&self.conn, key);
        Ok(head)
    }

    /// The seq of the first `chain-keyed` event, if the log was ever keyed.
    pub fn chain_keyed_from(&self) -> Result<Option<i64>> {
        events::keyed_from(&self.conn)
    }

    /// Appends the `chain-keyed` event, keyed itself: the links before it stay
    /// SHA-256 and are pinned by its link, those after are keyed. Returns its seq.
    /// Call [`Store::use_chain_key`] first.
    pub fn key_chain(&mut self, key_id: &str) -> Result<i64> {
        let payload = json!({"algorithm": "HMAC-SHA-256", "key": key_id});
        self.write(None, None, |tx, ctx| {
            events::append(tx, ctx, None, None, CHAIN_KEYED, &payload)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{initialised, me};

    fn key(byte: u8) -> ChainKey {
        ChainKey::from_bytes(&[byte; chain_key::KEY_LEN]).unwrap()
    }

    #[test]
    fn a_keyed_log_verifies_only_with_its_key_and_keys_only_after_chain_keyed() {
        let (_dir, path, mut s) = initialised("keyed.db");
        let unkeyed = s.verify_chain().unwrap();
        assert!(unkeyed.first_bad.is_none());
        assert_eq!(s.use_chain_key(key(1)).unwrap(), KeyedHead::NeverKeyed);
        // Keyed now, but the log has no chain-keyed event yet: refused.
        // Named at the last event, the head every later link would follow.
        let v = s.verify_chain().unwrap();
        assert_eq!(
            v.first_bad.unwrap(),
            (unkeyed.head_seq, events::NEVER_KEYED.to_string())
        );
        let from = s.key_chain(key(1).id()).unwrap();
        assert_eq!(from, unkeyed.head_seq + 1);
        s.add_person("ana", None, &[crate::domain::Role::Support])
            .unwrap();
        let v = s.verify_chain().unwrap();
        assert!(v.first_bad.is_none(), "{v:?}");
        assert_eq!(s.use_chain_key(key(1)).unwrap(), KeyedHead::Keyed);

        // Another key (a lost key replaced by a new one) does not verify it.
        s.use_chain_key(key(2)).unwrap();
        let bad = s.verify_chain().unwrap().first_bad.unwrap();
        assert_eq!(bad.0, from, "{bad:?}");

        // Without a key, the part before chain-keyed is checked, the rest named.
        drop(s);
        let plain_dir = tempfile::tempdir().unwrap();
        let copy = plain_dir.path().join("copy.db");
        let src = rusqlite::Connection::open(&path).unwrap();
        src.execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
            .unwrap();
        let plain = Store::open_as(&copy, me()).unwrap();
        let bad = plain.verify_chain().unwrap().first_bad.unwrap();
        assert_eq!(bad.0, from);
        assert!(bad.1.contains("keyed"), "{bad:?}");
    }

    #[test]
    fn a_row_rewritten_with_a_recomputed_sha256_link_fails_the_keyed_check() {
        let (_dir, path, mut s) = initialised("rewrite.db");
        s.use_chain_key(key(3)).unwrap();
        s.key_chain(key(3).id()).unwrap();
        s.add_person("bo", None, &[crate::domain::Role::Support])
            .unwrap();
        let head = s.verify_chain().unwrap();
        assert!(head.first_bad.is_none());
        // Rewrite the last event as someone without the key would: new contents,
        // its link recomputed the only way they can.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("DROP TRIGGER events_no_update").unwrap();
        let (seq, prev): (i64, String) = c
            .query_row(
                "SELECT seq, prev_hash FROM events ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        c.execute("UPDATE events SET login = 'mallory' WHERE seq = ?1", [seq])
            .unwrap();
        let row: (
            String,
            i64,
            String,
            Option<String>,
            Option<String>,
            String,
            String,
        ) = c
            .query_row(
                "SELECT at, uid, login, project, item, kind, payload FROM events WHERE seq = ?1",
                [seq],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .unwrap();
        // The plain link as first defined: SHA-256 of the compact JSON array.
        let (at, uid, login, project, item, kind, payload) = row;
        let bytes =
            serde_json::to_vec(&(seq, at, uid, login, project, item, kind, payload, prev)).unwrap();
        use sha2::Digest;
        let sha: String = sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        c.execute(
            "UPDATE events SET hash = ?1 WHERE seq = ?2",
            rusqlite::params![sha, seq],
        )
        .unwrap();
        let bad = s.verify_chain().unwrap().first_bad.unwrap();
        assert_eq!(bad.0, seq);
        assert!(bad.1.contains("keyed link"), "{bad:?}");
        assert_eq!(
            s.use_chain_key(key(3)).unwrap(),
            KeyedHead::Foreign { from: seq - 1, seq }
        );
    }
}
