//! What the store's unit tests share: the account they act as, and a new file with
//! its first admin registered.

use super::Store;
use crate::identity::Identity;
use std::path::PathBuf;
use tempfile::TempDir;

/// The OS account the store's unit tests act as.
pub(crate) fn me() -> Identity {
    Identity {
        uid: 4343,
        login: "storetest".into(),
    }
}

/// A new file `name` in a temporary folder, created and initialised as [`me`]: the
/// folder (removed when dropped), the file's path and the open store.
pub(crate) fn initialised(name: &str) -> (TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    let mut s = Store::create_as(&path, me()).unwrap();
    s.init(None).unwrap();
    (dir, path, s)
}
