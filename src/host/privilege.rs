//! The service group, used once. A guarded binary is setgid to the service group:
//! the process starts with it as its effective group, opens the team file and the
//! key with it, and then gives it up (`setegid` to the real group) for the rest of
//! the run, before any other thread starts, so that every file a person names is
//! opened as that person. The group stays only as the saved group, to reopen the
//! team file; a child process gets none of it.

use std::ffi::CStr;
use std::io;
use std::path::Path;

/// The real, effective and saved group of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gids {
    pub real: u32,
    pub effective: u32,
    pub saved: u32,
}

/// The process's groups now.
pub fn gids() -> Gids {
    let (mut real, mut effective, mut saved) = (0, 0, 0);
    // SAFETY: getresgid writes three gid_t we own; it cannot fail with valid pointers.
    unsafe { libc::getresgid(&mut real, &mut effective, &mut saved) };
    Gids {
        real,
        effective,
        saved,
    }
}

/// The service group: the group of the binary itself (`/proc/self/exe`), so that the
/// installer chooses its name and the program never assumes one.
pub fn service_gid() -> io::Result<u32> {
    use std::os::unix::fs::MetadataExt;
    Ok(std::fs::metadata("/proc/self/exe")?.gid())
}

/// The name of group `gid`, when the group database knows it.
pub fn group_name(gid: u32) -> Option<String> {
    group_entry(gid).map(|(name, _)| name)
}

/// The name and listed members of group `gid` (the members NSS lists; people whose
/// primary group it is are not among them).
pub fn group_entry(gid: u32) -> Option<(String, Vec<String>)> {
    // SAFETY: group is plain old data; getgrgid_r fills it and points its strings
    // into the buffer it is given. gr_name and each gr_mem entry are NUL-terminated
    // strings there; gr_mem ends with a null pointer.
    unsafe {
        crate::identity::reentrant_lookup(
            16384,
            1 << 22,
            |grp: &mut libc::group, buf, result| {
                libc::getgrgid_r(gid, grp, buf.as_mut_ptr().cast(), buf.len(), result)
            },
            |grp| {
                if grp.gr_name.is_null() {
                    return None;
                }
                let name = CStr::from_ptr(grp.gr_name).to_string_lossy().into_owned();
                let mut members = Vec::new();
                if !grp.gr_mem.is_null() {
                    let mut at = grp.gr_mem;
                    while !(*at).is_null() {
                        members.push(CStr::from_ptr(*at).to_string_lossy().into_owned());
                        at = at.add(1);
                    }
                }
                Some((name, members))
            },
        )
    }
}

/// Gives up the effective group for the rest of the run: files opened from now on
/// are opened as the person. The saved group stays, for [`with_saved_group`].
pub fn drop_effective() -> io::Result<()> {
    let g = gids();
    // SAFETY: setegid has no memory preconditions.
    if unsafe { libc::setegid(g.real) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if gids().effective != g.real {
        return Err(io::Error::other("the effective group did not change"));
    }
    Ok(())
}

/// Gives up the group entirely (real, effective and saved): what `demo` does from
/// the start, and what a child process gets before it runs another program.
pub fn drop_all() -> io::Result<()> {
    let real = gids().real;
    // SAFETY: setresgid has no memory preconditions.
    if unsafe { libc::setresgid(real, real, real) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let g = gids();
    if g.effective != real || g.saved != real {
        return Err(io::Error::other("the group was not given up"));
    }
    Ok(())
}

/// Runs `f` with the saved group as the effective group again, and gives it up
/// afterwards whatever `f` returned (to reopen the team file).
pub fn with_saved_group<T>(f: impl FnOnce() -> T) -> io::Result<T> {
    let g = gids();
    // SAFETY: as above.
    if unsafe { libc::setegid(g.saved) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let out = f();
    drop_effective()?;
    Ok(out)
}

/// Prepares a command so that the program it runs has none of the service group,
/// not even as its saved group.
pub fn without_group(cmd: &mut std::process::Command) -> &mut std::process::Command {
    use std::os::unix::process::CommandExt;
    let real = gids().real;
    // SAFETY: the closure runs between fork and exec and calls only setresgid, which
    // is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setresgid(real, real, real) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// Whether the kernel refuses to give this process more rights on exec
/// (`no_new_privs`), which also ignores the setgid bit.
pub fn no_new_privs() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("NoNewPrivs:").map(|v| v.trim() == "1"))
        })
        .unwrap_or(false)
}

/// Whether the filesystem of `path` is mounted `nosuid` (the kernel then ignores
/// the setgid bit of programs on it).
pub fn nosuid_mount(path: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    // SAFETY: statvfs only writes into the zeroed struct we own.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return false;
    }
    st.f_flag & libc::ST_NOSUID != 0
}

/// Whether a zone name as `TZ` gives it is only a name (`Europe/Berlin`, `UTC`): not
/// a path or a POSIX rule that would make the C library or chrono read a file the
/// person chose.
pub fn is_zone_name(tz: &str) -> bool {
    tz.parse::<chrono_tz::Tz>().is_ok()
        && !tz.starts_with(['/', ':', '.'])
        && !tz.split('/').any(|part| part == ".." || part.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_names_only() {
        for ok in ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"] {
            assert!(is_zone_name(ok), "{ok}");
        }
        for bad in [
            "/etc/shadow",
            ":/var/lib/accessdesk/team.db",
            "../../etc/passwd",
            "EST5EDT,M3.2.0,M11.1.0",
            "Europe//Berlin",
            "",
        ] {
            assert!(!is_zone_name(bad), "{bad}");
        }
    }

    #[test]
    fn the_groups_are_read_and_a_child_gets_none_of_a_saved_group() {
        let g = gids();
        assert_eq!(g, gids());
        // Without a setgid binary there is nothing to give up; the calls still work.
        let out = without_group(&mut std::process::Command::new("id"))
            .arg("-g")
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            g.real.to_string()
        );
        assert!(group_name(g.real).is_some() || g.real != 0);
    }

    #[test]
    fn the_mount_and_no_new_privs_facts_can_be_read() {
        let _ = nosuid_mount(Path::new("/"));
        let _ = no_new_privs();
        assert!(service_gid().is_ok());
    }
}
