//! Opening the shared file: where it lives, its permissions, the per-connection
//! settings and the schema migration.

use super::{Error, Result, schema};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::fs::{self, OpenOptions, Permissions};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the database is and how it was chosen (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Flag(PathBuf),
    Env(PathBuf),
    Default(PathBuf),
}

/// The per-user default: `$XDG_DATA_HOME/accessdesk/accessdesk.db` or the platform's equivalent.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "accessdesk").map(|d| d.data_dir().join("accessdesk.db"))
}

/// Busy timeout of one attempt; the store retries attempts up to its lock wait.
pub(crate) const ATTEMPT: Duration = Duration::from_millis(250);

fn open_error(path: &Path, message: impl Into<String>) -> Error {
    Error::Open {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Filesystems on which SQLite's WAL shared memory does not work across hosts.
fn network_fs_name(magic: i64) -> Option<&'static str> {
    match magic {
        0x6969 => Some("NFS"),
        0x517B => Some("SMB"),
        0xFF534D42 => Some("CIFS"),
        0xFE534D42 => Some("SMB2"),
        0x5346414F => Some("AFS"),
        0x73757245 => Some("Coda"),
        0x564C => Some("NCP"),
        0x47504653 => Some("GPFS"),
        0x0BD00BD0 => Some("Lustre"),
        0x65735546 => Some("FUSE (e.g. sshfs)"),
        _ => None,
    }
}

/// Checks the filesystem the file is (or will be) on. It looks at the nearest folder on
/// the way that exists, resolved: a folder about to be made lands on the filesystem of
/// the one it is made in, and that is what a link or a relative path must not hide.
fn check_local(dir: &Path) -> Result<()> {
    let Some(existing) = dir
        .ancestors()
        .find(|d| d.as_os_str().is_empty() || d.exists())
    else {
        return Ok(());
    };
    let existing = if existing.as_os_str().is_empty() {
        Path::new(".")
    } else {
        existing
    };
    let resolved = fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    check_local_folder(&resolved, dir)
}

fn check_local_folder(resolved: &Path, dir: &Path) -> Result<()> {
    let c = std::ffi::CString::new(resolved.as_os_str().as_encoded_bytes())
        .map_err(|_| open_error(dir, "path contains a NUL byte"))?;
    // SAFETY: statfs only writes into the zeroed struct we own.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statfs(c.as_ptr(), &mut st) };
    if rc != 0 {
        return Ok(());
    }
    #[allow(clippy::unnecessary_cast)]
    if let Some(name) = network_fs_name(st.f_type as i64) {
        return Err(open_error(
            dir,
            format!(
                "it is on a {name} filesystem; SQLite's write-ahead log needs a local filesystem shared by one host. \
                 Put the file on a local disk of the host everyone logs into (e.g. /srv/accessdesk)"
            ),
        ));
    }
    Ok(())
}

/// Creates the file with mode 0600 whatever the umask, unless it exists.
fn create_private(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        fs::create_dir_all(dir)
            .map_err(|e| open_error(path, format!("cannot create its folder: {e}")))?;
        fs::set_permissions(dir, Permissions::from_mode(0o700))?;
    }
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(f) => {
            f.set_permissions(Permissions::from_mode(0o600))?;
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(open_error(path, e.to_string())),
    }
}

/// Gives the -wal and -shm files the database's group and mode (SQLite gives them the
/// mode, but the group follows the creating process unless the folder is setgid).
pub(crate) fn align_sidecars(path: &Path) {
    let Ok(db) = fs::metadata(path) else { return };
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    for ext in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(ext);
        let side = PathBuf::from(p);
        let Ok(m) = fs::metadata(&side) else { continue };
        if m.uid() != me {
            continue;
        }
        if m.gid() != db.gid() {
            let _ = std::os::unix::fs::chown(&side, None, Some(db.gid()));
        }
        let want = db.mode() & 0o666;
        if m.mode() & 0o777 != want {
            let _ = fs::set_permissions(&side, Permissions::from_mode(want));
        }
    }
}

/// The page cache of a new connection, in KiB: up to 32 MiB, so the items of 100,000
/// access items fit and reloads of the tracker hit memory instead of read() calls.
/// Allocated only as pages are read.
pub(super) const DEFAULT_CACHE_KIB: u32 = 32768;

/// Page size of new files, in bytes.
const PAGE_SIZE: i64 = 16384;

/// Whether opening may make a new file. Only `init` and `demo` make one: a read
/// command on a mistyped path must fail, not leave an empty database behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The file must exist.
    Existing,
    /// The file (and its folder) is made when missing.
    Create,
    /// The file must exist and is opened with `SQLITE_OPEN_READONLY`: nothing is
    /// migrated, created or written (`--read-only`).
    ReadOnly,
}

/// Which file a connection has open: its device and inode, as checked when opening.
pub(crate) type FileId = (u64, u64);

/// Opens the file, applies the connection settings and migrates. Returns the
/// connection, the file it opened and, when the file is from a newer accessdesk, why
/// it is read-only.
pub(crate) fn open(path: &Path, mode: Mode) -> Result<(Connection, FileId, Option<String>)> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    refuse_links(path)?;
    check_local(&dir)?;
    match mode {
        Mode::Create => create_private(path).map_err(|e| denied_hint(path, e))?,
        Mode::Existing | Mode::ReadOnly => must_exist(path, &dir)?,
    }
    let meta = fs::symlink_metadata(path).map_err(|e| denied_hint(path, Error::Io(e)))?;
    check_file(path, &meta)?;
    // SQLite creates the -wal and -shm with the database's mode, but under the process
    // umask, and widens them with fchmod only afterwards. In between, another account
    // of the group finds them unwritable, opens them read-only and fails its write with
    // "attempt to write a readonly database". Masking nothing the database itself
    // grants makes them right from the start. This connection opens both files below
    // and keeps them open, so it does not create them again later.
    let _umask = Umask::allow(meta.mode() & 0o777);
    // NOFOLLOW: SQLite refuses a link anywhere in the path itself, so a link put in
    // place after the check above is refused too.
    let access = if mode == Mode::ReadOnly {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
    };
    let flags = access | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_NOFOLLOW;
    let mut conn = Connection::open_with_flags(path, flags)
        .map_err(|e| open_error(path, permission_hint(path, &meta, &e.to_string())))?;
    // The file SQLite opened must be the one checked: one swapped in between (by an
    // account that may write the folder) is checked again, or refused.
    let opened = fs::symlink_metadata(path).map_err(Error::Io)?;
    if (opened.dev(), opened.ino()) != (meta.dev(), meta.ino()) {
        return Err(open_error(
            path,
            "the file was replaced while it was being opened; try again",
        ));
    }
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    if super::temp_files::in_memory() {
        conn.pragma_update(None, "temp_store", "MEMORY")?;
    }
    let file = (meta.dev(), meta.ino());
    if mode == Mode::ReadOnly {
        return read_only(conn, path, &meta).map(|(c, why)| (c, file, why));
    }
    // 16 KiB pages for a new file (an existing one keeps its own; the pragma then does
    // nothing): a quarter of the b-tree steps, log frames and write calls of 4 KiB
    // pages, so a 100,000-row import takes 18 % less time, while a single change,
    // whose cost is its fsync, takes as long as before.
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(|e| open_error(path, permission_hint(path, &meta, &e.to_string())))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(open_error(
            path,
            format!("could not switch to write-ahead logging (journal_mode is {mode})"),
        ));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Off while migrating: a migration that rebuilds a table (SQLite's documented
    // procedure) drops it while rows of other tables still refer to it, and checks every
    // reference itself before it commits. On for everything else, below.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    conn.pragma_update(None, "cache_size", -i64::from(DEFAULT_CACHE_KIB))?;
    // The bulk and import paths cycle through a dozen statements per item; the default
    // cache of 16 would evict them in turn.
    conn.set_prepared_statement_cache_capacity(64);
    conn.set_transaction_behavior(TransactionBehavior::Immediate);
    let latest = schema::latest();
    let version: usize = conn
        .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?
        .max(0) as usize;
    let mut read_only = None;
    if version <= latest {
        let (seen, found) = super::foreign::differences(&conn)?;
        if !found.is_empty() {
            let why = super::foreign::describe(path, &found);
            if seen < latest {
                // Migrating would be a write.
                return Err(open_error(path, why));
            }
            read_only = Some(why);
        }
    }
    if version > latest {
        read_only = Some(format!(
            "{} was written by a newer accessdesk (schema {version}; this one knows {latest}); it is open for reading only — upgrade accessdesk to change it",
            path.display()
        ));
    } else if version < latest
        && let Err(e) = schema::MIGRATIONS.to_latest(&mut conn)
    {
        // Another process may have applied the same migration first.
        let now: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now as usize != latest {
            return Err(e.into());
        }
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(ATTEMPT)?;
    align_sidecars(path);
    Ok((conn, file, read_only))
}

/// Refuses a path with a symbolic link in it, naming the link. A link lets whoever may
/// change it point every later command at another file; the real path says which file
/// is meant. (SQLite refuses it too, under `SQLITE_OPEN_NOFOLLOW`, with no name.)
fn refuse_links(path: &Path) -> Result<()> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| open_error(path, format!("cannot tell the current folder: {e}")))?
            .join(path)
    };
    let mut walked = PathBuf::new();
    for part in absolute.components() {
        walked.push(part);
        match fs::symlink_metadata(&walked) {
            Ok(m) if m.file_type().is_symlink() => {
                let real = fs::canonicalize(path)
                    .map(|p| format!(" (here: {})", p.display()))
                    .unwrap_or_default();
                return Err(open_error(
                    path,
                    format!(
                        "{} is a symbolic link, and accessdesk opens its database only by a path without links, \
                         so that a link cannot point it at another file. Name the file by its real path{real}, \
                         e.g. `--db \"$(realpath {})\"` or the same in ACCESSDESK_DB",
                        walked.display(),
                        path.display()
                    ),
                ));
            }
            Ok(_) => {}
            // Nothing further down exists yet, so nothing further down is a link.
            Err(_) => break,
        }
    }
    Ok(())
}

/// The groups of this process: the effective group and the supplementary ones.
fn my_groups() -> Vec<u32> {
    // SAFETY: getegid has no preconditions; getgroups with size 0 returns the count,
    // then writes at most that many entries into the buffer we own.
    let mut groups = vec![unsafe { libc::getegid() }];
    let n = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
    if n > 0 {
        let mut buf: Vec<libc::gid_t> = vec![0; n as usize];
        let got = unsafe { libc::getgroups(n, buf.as_mut_ptr()) };
        if got > 0 {
            buf.truncate(got as usize);
            groups.extend(buf);
        }
    }
    groups
}

/// The file itself: a regular file, writable by no account but its owner and its
/// group, and another account's file only when it is shared with a group of this
/// account (mode 0660), as the team setup makes it. Anything else would let someone
/// outside the team change the records, or have this account write into a file whose
/// owner never shared it.
fn check_file(path: &Path, meta: &fs::Metadata) -> Result<()> {
    if !meta.file_type().is_file() {
        return Err(open_error(path, "it is not a regular file"));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o002 != 0 {
        return Err(open_error(
            path,
            format!(
                "it is writable by every account on this host (mode {mode:o}), so anyone could change the records; \
                 its owner makes it private with `chmod 600 {0}` or group-shared with `chmod 660 {0}`",
                path.display()
            ),
        ));
    }
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if meta.uid() == me {
        return Ok(());
    }
    let shared = mode == 0o660 && my_groups().contains(&meta.gid());
    if !shared {
        return Err(open_error(
            path,
            format!(
                "it belongs to another account (uid {}) and is not shared with a group of yours (mode {mode:o}, group id {}). \
                 accessdesk uses another account's file only when it is mode 0660 in a group you are in: ask its owner \
                 to share it with the team's group (`accessdesk init --group GROUP`) and to add you to that group",
                meta.uid(),
                meta.gid()
            ),
        ));
    }
    Ok(())
}

/// For `init`: refuses a file another account made. `init` prepares and shares a
/// file of one's own; another account's file is theirs to set up, and its mode and
/// group are never changed from here.
pub fn must_be_mine(path: &Path) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(());
    };
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(open_error(
            path,
            format!(
                "it was made by another account (uid {}), and `init` sets up only a file of your own. \
                 Use the file as it is (its owner shares it with `accessdesk init --group GROUP`), or name a new file",
                meta.uid()
            ),
        ));
    }
    Ok(())
}

/// Refuses a path with no file, naming the first folder on the way that is missing
/// (a mistyped folder is the likelier slip than a mistyped file name).
fn must_exist(path: &Path, dir: &Path) -> Result<()> {
    match fs::metadata(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let missing_folder = dir
                .ancestors()
                .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
                .last()
                .map(Path::to_path_buf);
            Err(Error::Missing {
                path: path.to_path_buf(),
                missing_folder,
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Err(open_error(
            path,
            "a part of the path before the file name is a file, not a folder",
        )),
        Err(e) => Err(denied_hint(path, Error::Io(e))),
    }
}

/// Adds the shared-file advice to a permission error from the filesystem.
fn denied_hint(path: &Path, e: Error) -> Error {
    let text = e.to_string();
    if text.contains("Permission denied") || text.contains("os error 13") {
        let folder = path
            .parent()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        return open_error(
            path,
            format!(
                "permission denied. If the team shares this file, ask its owner to add you to the group that owns \
                 {folder} (see `ls -ld {folder}`), or to make the file group-shared if it is not"
            ),
        );
    }
    e
}

/// Sets the process umask so that it masks none of `mode`'s bits, and restores the
/// previous umask when dropped. The umask is per process: a lock keeps threads that
/// open stores at the same time from restoring each other's values.
struct Umask {
    previous: libc::mode_t,
    _lock: std::sync::MutexGuard<'static, ()>,
}

impl Umask {
    fn allow(mode: u32) -> Umask {
        static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let lock = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // SAFETY: umask has no preconditions and cannot fail.
        let previous = unsafe { libc::umask(!(mode as libc::mode_t) & 0o777) };
        Umask {
            previous,
            _lock: lock,
        }
    }
}

impl Drop for Umask {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe { libc::umask(self.previous) };
    }
}

fn permission_hint(path: &Path, meta: &fs::Metadata, error: &str) -> String {
    let group = meta.gid();
    let mode = meta.mode() & 0o777;
    format!(
        "{error} (file mode {mode:o}, group id {group}). If the team shares {}, ask its owner to make it \
         group-shared and add you to that group",
        path.display()
    )
}

/// Makes the file (and its -wal/-shm) group-shared: mode 0660, group `gid`.
pub(crate) fn share_with_group(path: &Path, gid: u32) -> Result<()> {
    std::os::unix::fs::chown(path, None, Some(gid))
        .map_err(|e| open_error(path, format!("cannot give it to group {gid}: {e}")))?;
    fs::set_permissions(path, Permissions::from_mode(0o660))?;
    align_sidecars(path);
    Ok(())
}

/// A warning when the file can be read by every account on the host.
pub(crate) fn world_readable_warning(path: &Path) -> Option<String> {
    let m = fs::metadata(path).ok()?;
    (m.mode() & 0o004 != 0).then(|| {
        format!(
            "warning: {} is readable by every account on this host (mode {:o}); run `chmod o-rwx {}`",
            path.display(),
            m.mode() & 0o777,
            path.display()
        )
    })
}

/// For a group-shared file: a warning when its folder would not give new -wal/-shm
/// files the file's group (the folder should be setgid and owned by that group).
pub(crate) fn shared_folder_warning(path: &Path) -> Option<String> {
    let db = fs::metadata(path).ok()?;
    if db.mode() & 0o060 != 0o060 {
        return None;
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let m = fs::metadata(&dir).ok()?;
    let setgid = m.mode() & 0o2000 != 0;
    (!setgid || m.gid() != db.gid()).then(|| {
        format!(
            "warning: {} is not a setgid folder of the file's group (gid {}); files SQLite creates beside the database \
             (-wal, -shm) then start with the creator's own group. Run `chgrp {} {} && chmod g+s {}`",
            dir.display(),
            db.gid(),
            db.gid(),
            dir.display(),
            dir.display()
        )
    })
}

/// What a store opened with `--read-only` says to every write.
pub(crate) const READ_ONLY: &str =
    "the database was opened for reading only; nothing can be changed in this session";

/// Finishes opening the file for reading only: `SQLITE_OPEN_READONLY`, no journal mode
/// set, no migration, no change to the file's mode or its -wal and -shm. A file an
/// older accessdesk wrote would need a migration, which is a write: it is refused.
fn read_only(
    conn: Connection,
    path: &Path,
    meta: &fs::Metadata,
) -> Result<(Connection, Option<String>)> {
    conn.busy_timeout(ATTEMPT)?;
    conn.pragma_update(None, "cache_size", -i64::from(DEFAULT_CACHE_KIB))?;
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| open_error(path, permission_hint(path, meta, &e.to_string())))?;
    // The first read opens the -wal and -shm (SQLite makes them for a reader too when
    // they are missing), while the caller's umask still gives them the file's mode.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| open_error(path, permission_hint(path, meta, &e.to_string())))?;
    if version.max(0) as usize >= schema::latest() {
        return Ok((conn, Some(READ_ONLY.to_string())));
    }
    Err(open_error(
        path,
        format!(
            "it was written by an older accessdesk (schema {version}; this one reads {}), and bringing it up to date is a write: open it once without read-only mode",
            schema::latest()
        ),
    ))
}
