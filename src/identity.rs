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
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: passwd is plain old data; getpwuid_r fills it and points its
        // strings into `buf`, which outlives every use below.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = unsafe {
            libc::getpwuid_r(
                uid,
                &mut pwd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut result,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        // SAFETY: pw_name points to a NUL-terminated string inside `buf`.
        let name = unsafe { CStr::from_ptr(pwd.pw_name) };
        return Some(name.to_string_lossy().into_owned());
    }
}

/// The gid of a group name, for `init --group`.
pub fn gid_of(group: &str) -> Option<u32> {
    let c = std::ffi::CString::new(group).ok()?;
    let mut buf = vec![0u8; 16384];
    // SAFETY: as in login_of; strings point into `buf`.
    let mut grp: libc::group = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::group = std::ptr::null_mut();
    let rc = unsafe {
        libc::getgrnam_r(
            c.as_ptr(),
            &mut grp,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        )
    };
    if rc != 0 || result.is_null() {
        return None;
    }
    Some(grp.gr_gid)
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
