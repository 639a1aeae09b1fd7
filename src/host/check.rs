//! `accessdesk host check`: whether this installation is guarded, and if not, each
//! problem with its fix. Anyone may run it; it reads only what the host shows every
//! account (and, with the service group, the modes of the files in the data folder).

use super::config::{self, Config, SYSTEM_CONFIG};
use super::{Guarded, Mode, privilege};
use serde::Serialize;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// One thing that keeps the installation from being guarded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub problem: String,
    pub fix: String,
}

fn problem(problem: impl Into<String>, fix: impl Into<String>) -> Problem {
    Problem {
        problem: problem.into(),
        fix: fix.into(),
    }
}

/// Every problem of the installation `mode` describes (none: it is guarded). A
/// configuration that could not be used is passed as `refused`.
pub fn run(mode: Result<&Mode, &config::ConfigError>) -> Vec<Problem> {
    match mode {
        Err(e) => vec![problem(
            format!("the system configuration cannot be used: {e}"),
            "correct it as said; until then accessdesk does not start",
        )],
        Ok(Mode::Plain) => {
            let looked = super::exe()
                .map(|exe| config::candidates(&exe))
                .unwrap_or_else(|_| vec![SYSTEM_CONFIG.into()]);
            let looked: Vec<String> = looked.iter().map(|p| p.display().to_string()).collect();
            vec![problem(
                format!(
                    "there is no system configuration ({}): this installation is plain, and every member of the file's group can rewrite it",
                    looked.join(" or ")
                ),
                format!(
                    "set up the guarded installation (see the README) and write {} with database = \"/var/lib/accessdesk/team.db\"",
                    looked.first().cloned().unwrap_or_default()
                ),
            )]
        }
        Ok(Mode::Guarded(g)) => guarded(g),
    }
}

fn guarded(g: &Guarded) -> Vec<Problem> {
    let mut out = Vec::new();
    let group = g.service_group();
    binary(g, &group, &mut out);
    gained(g, &mut out);
    dumpable(&mut out);
    members(g, &group, &mut out);
    carriers(g, &group, &mut out);
    data(&g.config, g.service_gid, &group, &mut out);
    out
}

/// The binary: root's, of the service group, mode 2755, in folders only root writes.
fn binary(g: &Guarded, group: &str, out: &mut Vec<Problem>) {
    let exe = g.exe.display();
    let Ok(m) = fs::metadata(&g.exe) else {
        out.push(problem(
            format!("cannot read the binary {exe}"),
            "reinstall it",
        ));
        return;
    };
    let install = format!("install -o root -g {group} -m 2755 accessdesk {exe}");
    if g.service_gid == 0 {
        out.push(problem(
            format!("the binary {exe} belongs to root's group: the service group must be one of its own"),
            format!("groupadd accessdesk-svc, then install -o root -g accessdesk-svc -m 2755 accessdesk {exe}"),
        ));
    }
    if m.uid() != 0 {
        out.push(problem(
            format!("the binary {exe} belongs to uid {}, not root", m.uid()),
            install.clone(),
        ));
    }
    let mode = m.mode() & 0o7777;
    if mode & 0o2000 == 0 {
        out.push(problem(
            format!("the binary {exe} lacks the setgid bit (mode {mode:o}): it cannot reach the team file"),
            format!("chmod 2755 {exe}"),
        ));
    }
    if mode & 0o4000 != 0 || mode & 0o022 != 0 || mode != 0o2755 && mode & 0o2000 != 0 {
        out.push(problem(
            format!("the binary {exe} has mode {mode:o}, not 2755"),
            format!("chmod 2755 {exe}"),
        ));
    }
    if let Some(dir) = g.exe.parent()
        && let Err(e) = config::check_root_chain(dir)
    {
        out.push(problem(
            format!("a folder above the binary can be changed by others: {e}"),
            "install the binary in a folder that only root can write (e.g. /usr/local/bin)",
        ));
    }
}

/// The effective group was really gained when this process started.
fn gained(g: &Guarded, out: &mut Vec<Problem>) {
    if g.gained() {
        return;
    }
    let mut why = Vec::new();
    if fs::metadata(&g.exe).is_ok_and(|m| m.mode() & 0o2000 == 0) {
        why.push("the binary is not setgid".to_string());
    }
    if privilege::nosuid_mount(&g.exe) {
        why.push(format!(
            "the filesystem of {} is mounted nosuid, so the kernel ignores the setgid bit",
            g.exe.display()
        ));
    }
    if privilege::no_new_privs() {
        why.push("this process runs with no_new_privs (e.g. a container or a systemd unit with NoNewPrivileges=), which ignores the setgid bit".to_string());
    }
    if why.is_empty() {
        why.push("the kernel did not apply the setgid bit".to_string());
    }
    out.push(problem(
        format!(
            "this process did not gain the service group (effective gid {}, service gid {}): {}",
            g.at_start.effective,
            g.service_gid,
            why.join("; ")
        ),
        "install the binary setgid on a filesystem mounted without nosuid, and run it without no_new_privs",
    ));
}

/// Core dumps of a setgid process would let its owner read what it read with the
/// group (the key, pages of the team file).
fn dumpable(out: &mut Vec<Problem>) {
    if fs::read_to_string("/proc/sys/fs/suid_dumpable").is_ok_and(|v| v.trim() == "1") {
        out.push(problem(
            "fs.suid_dumpable is 1: a person could dump or trace their own accessdesk process and read the key from it",
            "sysctl -w fs.suid_dumpable=0, and set fs.suid_dumpable = 0 in /etc/sysctl.d/",
        ));
    }
}

/// Nobody is a member of the service group, as far as NSS lists them.
fn members(g: &Guarded, group: &str, out: &mut Vec<Problem>) {
    let mut names = privilege::group_entry(g.service_gid)
        .map(|(_, m)| m)
        .unwrap_or_default();
    names.extend(primary_members(g.service_gid));
    names.sort();
    names.dedup();
    if !names.is_empty() {
        out.push(problem(
            format!(
                "the service group {group} has members ({}): they can open the team file with any program",
                names.join(", ")
            ),
            format!(
                "remove them: {}",
                names
                    .iter()
                    .map(|n| format!("gpasswd -d {n} {group}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        ));
    }
}

/// Accounts whose primary group is `gid` (the passwd database; runs only in `host
/// check`, on one thread, so the non-reentrant walk is safe).
fn primary_members(gid: u32) -> Vec<String> {
    let mut out = Vec::new();
    // SAFETY: setpwent/getpwent/endpwent walk the passwd database; each entry's
    // strings are copied before the next call.
    unsafe {
        libc::setpwent();
        loop {
            let p = libc::getpwent();
            if p.is_null() {
                break;
            }
            if (*p).pw_gid == gid && !(*p).pw_name.is_null() {
                out.push(
                    std::ffi::CStr::from_ptr((*p).pw_name)
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
        libc::endpwent();
    }
    out
}

/// No running process still carries the service group as a supplementary group:
/// someone removed from it keeps it in sessions opened before.
fn carriers(g: &Guarded, group: &str, out: &mut Vec<Problem>) {
    let found = processes_carrying(g.service_gid);
    if found.is_empty() {
        return;
    }
    let list: Vec<String> = found
        .iter()
        .take(10)
        .map(|(pid, name, uid)| format!("pid {pid} ({name}, uid {uid})"))
        .collect();
    out.push(problem(
        format!(
            "{} running process(es) still carry the service group {group}: {}{}",
            found.len(),
            list.join(", "),
            if found.len() > 10 { ", ..." } else { "" }
        ),
        "end those sessions (they keep the group until they end), e.g. kill PID, or have their owners log out",
    ));
}

/// The processes whose supplementary groups include `gid`: pid, name and uid.
pub fn processes_carrying(gid: u32) -> Vec<(u32, String, u32)> {
    let mut out = Vec::new();
    let Ok(dir) = fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(status) = fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        if let Some((name, uid)) = carries(&status, gid) {
            out.push((pid, name, uid));
        }
    }
    out.sort();
    out
}

/// Whether a `/proc/PID/status` text lists `gid` among its supplementary groups, with
/// the process's name and real uid.
fn carries(status: &str, gid: u32) -> Option<(String, u32)> {
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(str::trim)
    };
    let groups = field("Groups:")?;
    if !groups.split_whitespace().any(|g| g.parse() == Ok(gid)) {
        return None;
    }
    let name = field("Name:").unwrap_or("?").to_string();
    let uid = field("Uid:")
        .and_then(|u| u.split_whitespace().next())
        .and_then(|u| u.parse().ok())
        .unwrap_or(u32::MAX);
    Some((name, uid))
}

/// The data folder `root:GROUP` 2770 in folders only root writes; the team file and
/// the key of the service group, unreadable by others.
fn data(c: &Config, gid: u32, group: &str, out: &mut Vec<Problem>) {
    let folder = c.data_folder();
    let shown = folder.display();
    match fs::metadata(folder) {
        Err(e) => out.push(problem(
            format!("the data folder {shown}: {e}"),
            format!("install -d -o root -g {group} -m 2770 {shown}"),
        )),
        Ok(m) => {
            let mode = m.mode() & 0o7777;
            if m.uid() != 0 || m.gid() != gid || mode != 0o2770 {
                out.push(problem(
                    format!(
                        "the data folder {shown} is uid {} gid {} mode {mode:o}, not root:{group} 2770",
                        m.uid(),
                        m.gid()
                    ),
                    format!("chown root:{group} {shown} && chmod 2770 {shown}"),
                ));
            }
        }
    }
    if let Some(above) = folder.parent()
        && let Err(e) = config::check_root_chain(above)
    {
        out.push(problem(
            format!("a folder above the data folder can be changed by others: {e}"),
            "put the data folder under folders that only root can write (e.g. /var/lib)",
        ));
    }
    file(&c.database, gid, group, 0o660, out);
    file(&c.key_path(), gid, group, 0o640, out);
}

fn file(path: &Path, gid: u32, group: &str, want: u32, out: &mut Vec<Problem>) {
    let shown = path.display();
    match fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => out.push(problem(
            format!("{shown} does not exist yet"),
            "run `accessdesk init` (as root or the configured admin)",
        )),
        Err(e) => out.push(problem(
            format!("cannot look at {shown}: {e}"),
            "run this check with the installed binary",
        )),
        Ok(m) => {
            let mode = m.mode() & 0o7777;
            if m.gid() != gid || mode & 0o007 != 0 || mode & 0o7000 != 0 {
                out.push(problem(
                    format!(
                        "{shown} is gid {} mode {mode:o}, not group {group} mode {want:o}",
                        m.gid()
                    ),
                    format!("chgrp {group} {shown} && chmod {want:o} {shown}"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_carrying_the_group_is_found_by_its_supplementary_groups() {
        let status = "Name:\tbash\nUid:\t1001\t1001\t1001\t1001\nGid:\t1001\t1001\t1001\t1001\nGroups:\t27 998 1001\n";
        assert_eq!(carries(status, 998), Some(("bash".into(), 1001)));
        assert_eq!(carries(status, 99), None);
        // Only the supplementary groups count: the saved group of an accessdesk
        // process that gave the group up is not a carried one.
        let own = "Name:\taccessdesk\nUid:\t1001\t1001\t1001\t1001\nGid:\t1001\t1001\t998\t1001\nGroups:\t1001\n";
        assert_eq!(carries(own, 998), None);
    }

    #[test]
    fn a_plain_installation_is_one_problem_with_its_fix() {
        if Path::new(SYSTEM_CONFIG).exists() {
            return;
        }
        let p = run(Ok(&Mode::Plain));
        assert_eq!(p.len(), 1);
        assert!(p[0].problem.contains("plain"), "{p:?}");
        assert!(p[0].fix.contains("database ="), "{p:?}");
    }

    #[test]
    fn the_data_folder_and_files_are_checked_for_group_and_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("team.db");
        fs::write(&db, b"").unwrap();
        fs::set_permissions(&db, fs::Permissions::from_mode(0o664)).unwrap();
        let c = Config {
            database: db.clone(),
            admin: None,
        };
        let gid = fs::metadata(&db).unwrap().gid();
        let mut out = Vec::new();
        data(&c, gid, "svc", &mut out);
        let text = format!("{out:?}");
        // The temporary folder is not root:svc 2770, sits under a world-writable
        // folder, the file is readable by others and there is no key.
        assert!(text.contains("not root:svc 2770"), "{text}");
        assert!(text.contains("above the data folder"), "{text}");
        assert!(text.contains("mode 664, not group svc mode 660"), "{text}");
        assert!(text.contains("team.db.key does not exist yet"), "{text}");
    }
}
