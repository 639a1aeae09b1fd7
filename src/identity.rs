//! Who is acting: the OS account of the process (real uid → passwd login), never an
//! environment variable or a flag, so `USER=alice` cannot make bob act as alice.

use std::ffi::CStr;

/// The OS account running this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub uid: u32,
    pub login: String,
}

impl Identity {
    /// Looks up the real uid in the passwd database. An account without a passwd
    /// entry is named `uid-N`, which can never be registered by accident.
    pub fn current() -> Identity {
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        Identity {
            uid,
            login: login_of(uid).unwrap_or_else(|| format!("uid-{uid}")),
        }
    }
}

/// The login name of `uid` from the passwd database (reentrant lookup).
pub fn login_of(uid: u32) -> Option<String> {
    // SAFETY: passwd is plain old data; getpwuid_r fills it and points its strings
    // into the buffer it is given, and pw_name is a NUL-terminated string there.
    unsafe {
        reentrant_lookup(
            4096,
            1 << 20,
            |pwd: &mut libc::passwd, buf, result| {
                libc::getpwuid_r(uid, pwd, buf.as_mut_ptr().cast(), buf.len(), result)
            },
            |pwd| {
                (!pwd.pw_name.is_null())
                    .then(|| CStr::from_ptr(pwd.pw_name).to_string_lossy().into_owned())
            },
        )
    }
}

/// The gid of a group name, for `init --group`.
pub fn gid_of(group: &str) -> Option<u32> {
    let c = std::ffi::CString::new(group).ok()?;
    // SAFETY: group is plain old data; getgrnam_r fills it and points its strings
    // into the buffer it is given. One buffer size: the lookup is not retried.
    unsafe {
        reentrant_lookup(
            16384,
            16384,
            |grp: &mut libc::group, buf, result| {
                libc::getgrnam_r(c.as_ptr(), grp, buf.as_mut_ptr().cast(), buf.len(), result)
            },
            |grp| Some(grp.gr_gid),
        )
    }
}

/// Runs a reentrant passwd or group lookup (`getpwuid_r`, `getgrgid_r`...) with a
/// buffer of `len` bytes, doubled while the lookup answers `ERANGE` and the buffer is
/// under `max`, and reads the entry found with `read` while its strings still live in
/// the buffer. `None` when the lookup fails or finds nothing.
///
/// # Safety
/// `E` must be a plain C struct that is valid all zeroes, and `lookup` must only
/// write the entry, the buffer and the result pointer it is given.
pub(crate) unsafe fn reentrant_lookup<E, T>(
    len: usize,
    max: usize,
    mut lookup: impl FnMut(&mut E, &mut [u8], &mut *mut E) -> libc::c_int,
    read: impl FnOnce(&E) -> Option<T>,
) -> Option<T> {
    let mut buf = vec![0u8; len];
    loop {
        // SAFETY: the caller promises that E is valid all zeroes.
        let mut entry: E = unsafe { std::mem::zeroed() };
        let mut result: *mut E = std::ptr::null_mut();
        let rc = lookup(&mut entry, &mut buf, &mut result);
        if rc == libc::ERANGE && buf.len() < max {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || result.is_null() {
            return None;
        }
        return read(&entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_identity_ignores_user_variable() {
        let me = Identity::current();
        assert_eq!(Some(me.login.clone()), login_of(me.uid));
    }
}
