//! The system configuration that makes an installation guarded: where it is, what it
//! says, and whether it can be trusted (root-owned, and no folder above it writable
//! by anyone but root).
//!
//! Its format is a small part of TOML: `key = "string"` lines, comments and blank
//! lines. The keys are `database` (the team file, an absolute path) and `admin` (the
//! one login, besides root, that may run `init`). Anything else is refused with its
//! line, because a configuration that is read differently from how it was meant is
//! worse than none.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The configuration of a binary installed under `/usr` (or anywhere without one of
/// its own).
pub const SYSTEM_CONFIG: &str = "/etc/accessdesk/accessdesk.toml";

/// What the system configuration says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The team file; the only database a guarded installation opens.
    pub database: PathBuf,
    /// The login that may run `init` besides root; anyone when unset.
    pub admin: Option<String>,
}

impl Config {
    /// The key of the team file's log: beside the file, named after it.
    pub fn key_path(&self) -> PathBuf {
        let mut p = self.database.as_os_str().to_owned();
        p.push(".key");
        PathBuf::from(p)
    }

    /// The folder the team file is in.
    pub fn data_folder(&self) -> &Path {
        self.database.parent().unwrap_or(Path::new("/"))
    }
}

/// Where the configuration of a binary at `exe` is looked for, in order:
/// `PREFIX/etc/accessdesk/accessdesk.toml` for a binary at `PREFIX/bin/accessdesk`
/// with a PREFIX other than `/usr` (or `/`), then [`SYSTEM_CONFIG`].
pub fn candidates(exe: &Path) -> Vec<PathBuf> {
    let mut out = Vec::with_capacity(2);
    let bin = exe.parent();
    if let Some(prefix) = bin
        .filter(|b| b.file_name().is_some_and(|n| n == "bin"))
        .and_then(Path::parent)
        && prefix != Path::new("/usr")
        && prefix != Path::new("/")
        && !prefix.as_os_str().is_empty()
    {
        out.push(prefix.join("etc/accessdesk/accessdesk.toml"));
    }
    out.push(PathBuf::from(SYSTEM_CONFIG));
    out
}

/// Why a configuration cannot be used. Each names the path at fault and says what
/// to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {problem}; {fix}")]
    Unsafe {
        path: PathBuf,
        problem: String,
        fix: String,
    },
    #[error("{path}, line {line}: {problem}")]
    Syntax {
        path: PathBuf,
        line: usize,
        problem: String,
    },
    #[error("{path}: {problem}")]
    Unreadable { path: PathBuf, problem: String },
}

/// Parses the text of a configuration read from `path` (named in errors).
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let syntax = |line: usize, problem: String| ConfigError::Syntax {
        path: path.to_path_buf(),
        line,
        problem,
    };
    let mut database = None;
    let mut admin = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, rest)) = line.split_once('=') else {
            return Err(syntax(n, "expected key = \"value\"".into()));
        };
        let key = key.trim();
        let value = string_value(rest.trim()).map_err(|p| syntax(n, p))?;
        let slot = match key {
            "database" => &mut database,
            "admin" => &mut admin,
            other => {
                return Err(syntax(
                    n,
                    format!("unknown key {other:?} (known: database, admin)"),
                ));
            }
        };
        if slot.replace(value).is_some() {
            return Err(syntax(n, format!("{key} is set twice")));
        }
    }
    let database = database.ok_or_else(|| ConfigError::Syntax {
        path: path.to_path_buf(),
        line: 0,
        problem: "database = \"/path/to/team.db\" is missing".into(),
    })?;
    let database = PathBuf::from(database);
    if !database.is_absolute() || database.components().any(|c| c.as_os_str() == "..") {
        return Err(ConfigError::Syntax {
            path: path.to_path_buf(),
            line: 0,
            problem: format!(
                "database must be an absolute path without \"..\", not {}",
                database.display()
            ),
        });
    }
    if let Some(a) = &admin
        && (a.is_empty() || a.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        return Err(ConfigError::Syntax {
            path: path.to_path_buf(),
            line: 0,
            problem: format!("admin must be one login, not {a:?}"),
        });
    }
    Ok(Config { database, admin })
}

/// A TOML basic ("...", with escapes) or literal ('...') string, then at most a
/// comment.
fn string_value(s: &str) -> Result<String, String> {
    let mut chars = s.char_indices();
    let quote = match chars.next() {
        Some((_, q @ ('"' | '\''))) => q,
        _ => return Err("the value must be a quoted string".into()),
    };
    let mut out = String::new();
    let mut end = None;
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => {
                end = Some(i + 1);
                break;
            }
            '\\' if quote == '"' => match chars.next().map(|(_, e)| e) {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('t') => out.push('\t'),
                other => {
                    return Err(format!(
                        "unsupported escape \\{}",
                        other.map(String::from).unwrap_or_default()
                    ));
                }
            },
            c if c.is_control() => return Err("control character in the value".into()),
            c => out.push(c),
        }
    }
    let end = end.ok_or("the string is not closed")?;
    let rest = s[end..].trim_start();
    if !rest.is_empty() && !rest.starts_with('#') {
        return Err(format!("unexpected text after the value: {rest}"));
    }
    Ok(out)
}

/// Why the ownership or mode of one path cannot be trusted, if it cannot.
pub fn unsafe_owner_or_mode(uid: u32, mode: u32) -> Option<String> {
    if uid != 0 {
        return Some(format!("it belongs to uid {uid}, not root"));
    }
    if mode & 0o022 != 0 {
        return Some(format!(
            "it is writable by {} (mode {:o})",
            match mode & 0o022 {
                0o020 => "its group",
                0o002 => "every account",
                _ => "its group and every account",
            },
            mode & 0o7777
        ));
    }
    None
}

/// Checks `path` and every folder above it: each must belong to root and be writable
/// by nobody else. The first that is not is named.
pub fn check_root_chain(path: &Path) -> Result<(), ConfigError> {
    // Resolved first: a link's own mode says nothing, the folders it leads to do.
    let real = fs::canonicalize(path).map_err(|e| ConfigError::Unreadable {
        path: path.to_path_buf(),
        problem: e.to_string(),
    })?;
    let mut at = Some(real.as_path());
    while let Some(p) = at {
        if p.as_os_str().is_empty() {
            break;
        }
        let meta = fs::metadata(p).map_err(|e| ConfigError::Unreadable {
            path: p.to_path_buf(),
            problem: e.to_string(),
        })?;
        if let Some(problem) = unsafe_owner_or_mode(meta.uid(), meta.mode()) {
            return Err(ConfigError::Unsafe {
                path: p.to_path_buf(),
                problem,
                fix: format!(
                    "run `chown root: {0} && chmod go-w {0}` (every folder above the configuration and the team folder must belong to root, writable by root only)",
                    p.display()
                ),
            });
        }
        at = p.parent();
    }
    Ok(())
}

/// Finds and reads the configuration of the binary at `exe`: `None` when there is
/// none (a plain installation). A configuration that exists is used only when it
/// and every folder above it belong to root and nobody else can write them.
pub fn load(exe: &Path) -> Result<Option<(PathBuf, Config)>, ConfigError> {
    for path in candidates(exe) {
        match fs::symlink_metadata(&path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(ConfigError::Unreadable {
                    path,
                    problem: e.to_string(),
                });
            }
        }
        check_root_chain(&path)?;
        let text = fs::read_to_string(&path).map_err(|e| ConfigError::Unreadable {
            path: path.clone(),
            problem: e.to_string(),
        })?;
        let config = parse(&path, &text)?;
        return Ok(Some((path, config)));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn p() -> PathBuf {
        PathBuf::from("/etc/accessdesk/accessdesk.toml")
    }

    #[test]
    fn a_configuration_names_the_database_and_optionally_the_admin() {
        let c = parse(
            &p(),
            "# team\ndatabase = \"/var/lib/accessdesk/team.db\"  # the file\nadmin = 'ana'\n",
        )
        .unwrap();
        assert_eq!(c.database, PathBuf::from("/var/lib/accessdesk/team.db"));
        assert_eq!(c.admin.as_deref(), Some("ana"));
        assert_eq!(
            c.key_path(),
            PathBuf::from("/var/lib/accessdesk/team.db.key")
        );
        assert_eq!(c.data_folder(), Path::new("/var/lib/accessdesk"));
        let c = parse(&p(), "database=\"/srv/a \\\"b\\\".db\"").unwrap();
        assert_eq!(c.database, PathBuf::from("/srv/a \"b\".db"));
        assert_eq!(c.admin, None);
    }

    #[test]
    fn anything_else_is_refused_with_its_line() {
        let cases = [
            ("", "missing"),
            ("database = \"relative.db\"", "absolute"),
            ("database = \"/a/../b.db\"", "absolute"),
            ("database = /srv/team.db", "quoted"),
            ("database = \"/srv/team.db", "not closed"),
            ("database = \"/srv/t.db\" extra", "unexpected"),
            ("database = \"/a.db\"\ndatabase = \"/b.db\"", "twice"),
            ("database = \"/a.db\"\nkey = \"/k\"", "unknown key"),
            ("database = \"/a.db\"\nadmin = \"two logins\"", "one login"),
            ("[section]", "expected key"),
        ];
        for (text, want) in cases {
            let e = parse(&p(), text).unwrap_err().to_string();
            assert!(e.contains(want), "{text:?} gave {e}");
            assert!(e.contains("/etc/accessdesk/accessdesk.toml"), "{e}");
        }
        let e = parse(&p(), "\n\ndatabase = x").unwrap_err().to_string();
        assert!(e.contains("line 3"), "{e}");
    }

    #[test]
    fn the_configuration_of_a_prefix_comes_first_except_under_usr() {
        assert_eq!(
            candidates(Path::new("/opt/ad/bin/accessdesk")),
            vec![
                PathBuf::from("/opt/ad/etc/accessdesk/accessdesk.toml"),
                PathBuf::from(SYSTEM_CONFIG)
            ]
        );
        for exe in [
            "/usr/bin/accessdesk",
            "/bin/accessdesk",
            "/home/dana/src/accessdesk/target/debug/accessdesk",
        ] {
            assert_eq!(
                candidates(Path::new(exe)),
                vec![PathBuf::from(SYSTEM_CONFIG)]
            );
        }
    }

    #[test]
    fn only_root_owned_paths_writable_by_root_alone_are_trusted() {
        assert_eq!(unsafe_owner_or_mode(0, 0o100644), None);
        assert_eq!(unsafe_owner_or_mode(0, 0o40755), None);
        assert!(
            unsafe_owner_or_mode(1000, 0o100644)
                .unwrap()
                .contains("uid 1000")
        );
        assert!(
            unsafe_owner_or_mode(0, 0o100664)
                .unwrap()
                .contains("its group")
        );
        assert!(
            unsafe_owner_or_mode(0, 0o41777)
                .unwrap()
                .contains("every account")
        );
    }

    #[test]
    fn a_configuration_in_a_writable_folder_is_refused_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let etc = dir.path().join("etc/accessdesk");
        fs::create_dir_all(&etc).unwrap();
        let conf = etc.join("accessdesk.toml");
        fs::write(&conf, "database = \"/srv/team.db\"\n").unwrap();
        fs::set_permissions(&conf, fs::Permissions::from_mode(0o666)).unwrap();
        let exe = dir.path().join("bin/accessdesk");
        let e = load(&exe).unwrap_err();
        let ConfigError::Unsafe { path, .. } = &e else {
            panic!("{e}")
        };
        // As root the file is named (writable by others); otherwise too (not root's).
        assert_eq!(path, &conf, "{e}");
        fs::set_permissions(&conf, fs::Permissions::from_mode(0o644)).unwrap();
        let e = load(&exe).unwrap_err();
        let ConfigError::Unsafe { path, .. } = &e else {
            panic!("{e}")
        };
        // Some folder above it (the temporary folder is writable by everyone, or not
        // root's) is named instead.
        assert!(conf.starts_with(path) && path != &conf, "{e}");
        assert!(e.to_string().contains(&path.display().to_string()));
    }

    #[test]
    fn without_a_configuration_the_installation_is_plain() {
        let dir = tempfile::tempdir().unwrap();
        if Path::new(SYSTEM_CONFIG).exists() {
            return;
        }
        assert_eq!(load(&dir.path().join("bin/accessdesk")).unwrap(), None);
    }
}
