//! The key of a guarded team file's log: 32 random bytes in a file beside the team
//! file, mode 0640, group the service group. Read once at start while the process
//! holds the group; never printed (messages name it by its fingerprint).

use crate::store::chain_key::{ChainKey, KEY_LEN};
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Mode of a new key file.
pub const KEY_MODE: u32 = 0o640;

/// Why a key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no key at {0}")]
    Missing(String),
    #[error("the key {path}: {problem}")]
    Bad { path: String, problem: String },
}

fn bad(path: &Path, problem: impl Into<String>) -> KeyError {
    KeyError::Bad {
        path: path.display().to_string(),
        problem: problem.into(),
    }
}

/// Reads the key at `path`, refusing one that any account outside its group could
/// read or that is not of the service group.
pub fn read(path: &Path, service_gid: u32) -> Result<ChainKey, KeyError> {
    let mut f = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(KeyError::Missing(path.display().to_string()));
        }
        Err(e) => return Err(bad(path, e.to_string())),
    };
    let meta = f.metadata().map_err(|e| bad(path, e.to_string()))?;
    if meta.mode() & 0o007 != 0 {
        return Err(bad(
            path,
            format!(
                "it is readable or writable by every account (mode {:o}); run `chmod 0640 {}`",
                meta.mode() & 0o7777,
                path.display()
            ),
        ));
    }
    if meta.gid() != service_gid {
        return Err(bad(
            path,
            format!(
                "its group is gid {}, not the service group (gid {service_gid})",
                meta.gid()
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(KEY_LEN + 1);
    Read::by_ref(&mut f)
        .take(KEY_LEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| bad(path, e.to_string()))?;
    ChainKey::from_bytes(&bytes)
        .ok_or_else(|| bad(path, format!("it must hold exactly {KEY_LEN} bytes")))
}

/// Creates a new key at `path` (never over an existing file): 32 bytes from the
/// kernel's random source, mode 0640, group `service_gid`.
pub fn create(path: &Path, service_gid: u32) -> Result<ChainKey, KeyError> {
    let mut bytes = [0u8; KEY_LEN];
    getrandom::fill(&mut bytes).map_err(|e| bad(path, format!("no random bytes: {e}")))?;
    let key = ChainKey::from_bytes(&bytes).ok_or_else(|| bad(path, "cannot make a key"))?;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(KEY_MODE)
        .open(path)
        .map_err(|e| bad(path, format!("cannot create it: {e}")))?;
    let written = (|| {
        std::os::unix::fs::fchown(&f, None, Some(service_gid))?;
        f.set_permissions(fs::Permissions::from_mode(KEY_MODE))?;
        f.write_all(&bytes)?;
        f.sync_all()
    })();
    bytes.fill(0);
    if let Err(e) = written {
        let _ = fs::remove_file(path);
        return Err(bad(path, format!("cannot write it: {e}")));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn my_gid() -> u32 {
        // SAFETY: getegid has no preconditions.
        unsafe { libc::getegid() }
    }

    #[test]
    fn a_new_key_is_read_back_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("team.db.key");
        let made = create(&path, my_gid()).unwrap();
        let meta = fs::metadata(&path).unwrap();
        assert_eq!(meta.mode() & 0o7777, KEY_MODE);
        assert_eq!(meta.len(), KEY_LEN as u64);
        assert_eq!(read(&path, my_gid()).unwrap().id(), made.id());
        assert!(create(&path, my_gid()).is_err());
        let other = dir.path().join("other.key");
        assert_ne!(create(&other, my_gid()).unwrap().id(), made.id());
    }

    #[test]
    fn a_key_others_can_read_or_of_another_length_or_group_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        assert!(matches!(read(&path, my_gid()), Err(KeyError::Missing(_))));
        fs::write(&path, [1u8; KEY_LEN]).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let e = read(&path, my_gid()).unwrap_err().to_string();
        assert!(
            e.contains("every account") && e.contains("chmod 0640"),
            "{e}"
        );
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        assert!(read(&path, my_gid()).is_ok());
        let e = read(&path, my_gid().wrapping_add(1))
            .unwrap_err()
            .to_string();
        assert!(e.contains("service group"), "{e}");
        fs::write(&path, [1u8; KEY_LEN + 1]).unwrap();
        let e = read(&path, my_gid()).unwrap_err().to_string();
        assert!(e.contains("exactly 32 bytes"), "{e}");
    }
}
