//! The key of a guarded file's event log, and which files this process keys. The key
//! is 32 secret bytes; the program shows it nowhere, naming it by a fingerprint.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The secret that keys the links of a guarded file. It is never shown: its
/// `Debug` and [`ChainKey::id`] name it by a fingerprint that reveals nothing of it.
#[derive(Clone)]
pub struct ChainKey {
    /// The HMAC with the key already absorbed, cloned for each link (this spares
    /// every link the two key blocks).
    mac: Hmac<Sha256>,
    id: String,
}

/// Length of a key, in bytes.
pub const KEY_LEN: usize = 32;

impl ChainKey {
    /// A key from its bytes (exactly [`KEY_LEN`] of them).
    pub fn from_bytes(bytes: &[u8]) -> Option<ChainKey> {
        if bytes.len() != KEY_LEN {
            return None;
        }
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(bytes).ok()?;
        let mut fp = mac.clone();
        fp.update(b"accessdesk key fingerprint");
        let id = hex(&fp.finalize().into_bytes()[..8]);
        Some(ChainKey { mac, id })
    }

    /// A fingerprint of the key (16 hex digits), to tell keys apart in messages and
    /// in the `chain-keyed` event; the key cannot be learned from it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A fresh HMAC with the key absorbed, for one link.
    pub(crate) fn mac(&self) -> Hmac<Sha256> {
        self.mac.clone()
    }
}

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ChainKey({})", self.id)
    }
}

/// The keys of the files this process opened guarded, by the path SQLite reports for
/// them. The key belongs to the file, not to one handle on it: every connection of
/// this process to that file links and checks with it.
static KEYS: Mutex<Vec<(PathBuf, Arc<ChainKey>)>> = Mutex::new(Vec::new());

/// Keys the links of the file `conn` has open, for every connection of this process.
pub(crate) fn register_key(conn: &rusqlite::Connection, key: ChainKey) {
    let Some(path) = conn.path().filter(|p| !p.is_empty()) else {
        return;
    };
    let mut keys = KEYS.lock().unwrap_or_else(|p| p.into_inner());
    keys.retain(|(p, _)| p.as_os_str() != path);
    keys.push((PathBuf::from(path), Arc::new(key)));
}

/// The key of the file `conn` has open, when this process opened it guarded.
pub(crate) fn key_for(conn: &rusqlite::Connection) -> Option<Arc<ChainKey>> {
    let path = conn.path().filter(|p| !p.is_empty())?;
    let keys = KEYS.lock().unwrap_or_else(|p| p.into_inner());
    keys.iter()
        .find(|(p, _)| p.as_os_str() == path)
        .map(|(_, k)| Arc::clone(k))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_shows_its_fingerprint_and_never_itself() {
        let bytes: Vec<u8> = (0..KEY_LEN as u8).map(|b| b.wrapping_mul(37)).collect();
        let key = ChainKey::from_bytes(&bytes).expect("a key of the right length");
        let shown = format!("{key:?}");
        assert_eq!(shown, format!("ChainKey({})", key.id()));
        assert_eq!(key.id().len(), 16);
        // Neither the key's hex nor any 4 of its bytes in a row, in any common form.
        let secret = hex(&bytes);
        for w in bytes.windows(4) {
            let part = hex(w);
            assert!(
                !shown.contains(&part) && !key.id().contains(&part),
                "{shown}"
            );
        }
        assert!(!shown.contains(&secret[..16]));
        assert!(!shown.contains(&format!("{:?}", &bytes[..4])));
        // Another key has another fingerprint; a key of another length is no key.
        let other = ChainKey::from_bytes(&[7u8; KEY_LEN]).expect("a key");
        assert_ne!(other.id(), key.id());
        assert!(ChainKey::from_bytes(&bytes[..KEY_LEN - 1]).is_none());
    }
}
