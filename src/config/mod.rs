//! The personal configuration: how the screen looks and behaves for one person —
//! theme, keys, date format, mouse, saved views — and, in a plain installation, the
//! default database. Presentation only: nothing here changes what the rules allow,
//! and team-wide figures (stale days, the readiness target) live in the database.
//!
//! The file is TOML, found at `--config PATH`, else `ACCESSDESK_CONFIG`, else
//! `config.toml` in the platform's config folder (`$XDG_CONFIG_HOME/accessdesk` on
//! Linux). A file that cannot be used is never fatal: [`load`] returns the defaults
//! with the problems, each naming its line and key, for the front end to show.
//! Every value remembers where it came from ([`Source`]), for `config show`.

pub mod edit;
mod parse;
pub mod views;

use std::fmt;
use std::path::{Path, PathBuf};

pub use views::{ViewSpec, Work};

/// The environment variable naming the configuration file.
pub const ENV: &str = "ACCESSDESK_CONFIG";
/// The commented default that `config init` writes.
pub const DEFAULT_TEXT: &str = include_str!("../../assets/config.toml");

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Built in.
    Default,
    /// The configuration file, at this line.
    File { line: usize },
    /// An environment variable.
    Env(&'static str),
    /// A command-line option.
    Flag(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File { line } => write!(f, "config file, line {line}"),
            Source::Env(v) => write!(f, "environment {v}"),
            Source::Flag(o) => write!(f, "option {o}"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    pub fn default(value: T) -> Setting<T> {
        Setting {
            value,
            source: Source::Default,
        }
    }
}

/// The colours asked for. `NO_COLOR` wins over every choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeChoice {
    /// From the terminal (`COLORTERM`).
    #[default]
    Auto,
    TrueColor,
    Ansi256,
    Ansi16,
    Mono,
}

impl ThemeChoice {
    pub const NAMES: [&'static str; 5] = ["auto", "truecolor", "256", "16", "mono"];

    pub fn parse(s: &str) -> Option<ThemeChoice> {
        Some(match s {
            "auto" => ThemeChoice::Auto,
            "truecolor" | "24bit" => ThemeChoice::TrueColor,
            "256" => ThemeChoice::Ansi256,
            "16" => ThemeChoice::Ansi16,
            "mono" => ThemeChoice::Mono,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ThemeChoice::Auto => "auto",
            ThemeChoice::TrueColor => "truecolor",
            ThemeChoice::Ansi256 => "256",
            ThemeChoice::Ansi16 => "16",
            ThemeChoice::Mono => "mono",
        }
    }
}

/// One key binding from the file: `action = "KEY"` (or a list of keys), for one pane
/// or, without one, wherever the action works. The front end checks the names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpec {
    pub pane: Option<String>,
    pub action: String,
    pub keys: Vec<String>,
    pub line: usize,
}

/// Something in the file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, &self.key) {
            (Some(l), Some(k)) => write!(f, "line {l}, key {k}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            (None, Some(k)) => write!(f, "key {k}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// The effective personal configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file looked for (even when it does not exist), and why that one.
    pub path: Option<PathBuf>,
    pub(crate) path_source: Source,
    /// Whether the file existed and was read.
    pub(crate) found: bool,
    pub(crate) theme: Setting<ThemeChoice>,
    /// A chrono `strftime` format for calendar dates on screen.
    pub(crate) date_format: Setting<String>,
    pub mouse: Setting<bool>,
    /// The default database (plain installations only).
    pub(crate) database: Option<Setting<PathBuf>>,
    pub(crate) keys: Vec<KeySpec>,
    pub views: Vec<ViewSpec>,
    pub(crate) views_source: Source,
    /// Why the file was not used (the values above are then the defaults).
    pub problems: Vec<Problem>,
}

/// The date format when none is configured.
pub const DEFAULT_DATE_FORMAT: &str = "%Y-%m-%d";

impl Default for Config {
    fn default() -> Config {
        Config {
            path: None,
            path_source: Source::Default,
            found: false,
            theme: Setting::default(ThemeChoice::Auto),
            date_format: Setting::default(DEFAULT_DATE_FORMAT.to_string()),
            mouse: Setting::default(false),
            database: None,
            keys: Vec::new(),
            views: views::defaults(),
            views_source: Source::Default,
            problems: Vec::new(),
        }
    }
}

impl Config {
    /// The file, as messages name it.
    pub fn file_name(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "the configuration".into(), |p| p.display().to_string())
    }

    /// A one-line account of the problems, for a footer or a notice.
    pub fn problem_summary(&self) -> Option<String> {
        let first = self.problems.first()?;
        let file = self.file_name();
        let more = match self.problems.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        Some(format!(
            "config {file}: {first}{more}; started with the defaults (`accessdesk config show` lists them)"
        ))
    }
}

/// The file to read: `flag` (from `--config`), else `ACCESSDESK_CONFIG`, else
/// `config.toml` in the platform config folder.
pub fn locate(flag: Option<&Path>) -> (Option<PathBuf>, Source) {
    if let Some(p) = flag {
        return (Some(p.to_path_buf()), Source::Flag("--config"));
    }
    if let Some(p) = std::env::var_os(ENV).filter(|v| !v.is_empty()) {
        return (Some(PathBuf::from(p)), Source::Env(ENV));
    }
    let dir = directories::ProjectDirs::from("", "", "accessdesk");
    (
        dir.map(|d| d.config_dir().join("config.toml")),
        Source::Default,
    )
}

/// Reads the configuration. Never fails: a missing file at the default place gives
/// the defaults; a file that cannot be read or understood gives the defaults and its
/// problems.
pub fn load(flag: Option<&Path>) -> Config {
    let (path, path_source) = locate(flag);
    let mut cfg = Config {
        path: path.clone(),
        path_source: path_source.clone(),
        ..Config::default()
    };
    let Some(path) = path else {
        return cfg;
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            cfg.found = true;
            match parse::parse(&text) {
                Ok(parsed) => parsed.into_config(cfg),
                Err(problems) => Config { problems, ..cfg },
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && path_source == Source::Default => cfg,
        Err(e) => {
            cfg.problems.push(Problem {
                line: None,
                key: None,
                message: format!("cannot read it: {e}"),
            });
            cfg
        }
    }
}

/// Parses configuration text (for tests and `config init`'s own check).
pub fn from_text(text: &str) -> Result<Config, Vec<Problem>> {
    parse::parse(text).map(|p| p.into_config(Config::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commented_default_is_the_default() {
        let cfg = from_text(DEFAULT_TEXT).expect("the default file is valid");
        let names = |v: &[ViewSpec]| v.iter().map(|x| x.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&cfg.views), names(&views::defaults()));
        for (a, b) in cfg.views.iter().zip(views::defaults()) {
            assert_eq!(
                ViewSpec {
                    line: 0,
                    ..a.clone()
                },
                b
            );
        }
        assert_eq!(cfg.theme.value, ThemeChoice::Auto);
        assert!(!cfg.mouse.value);
        assert_eq!(cfg.date_format.value, DEFAULT_DATE_FORMAT);
        assert!(cfg.database.is_none());
    }

    #[test]
    fn problems_name_the_line_and_key() {
        let p = from_text("mouse = true\ntheme = \"purple\"\n").expect_err("bad theme");
        assert_eq!(p[0].line, Some(2));
        assert_eq!(p[0].key.as_deref(), Some("theme"));
        let p = from_text("mouse = true\n\n[keys\n").expect_err("bad toml");
        assert_eq!(p[0].line, Some(3));
        let p = from_text("[[views]]\nname = \"x\"\nstate = \"nope\"\n").expect_err("state");
        assert_eq!(
            (p[0].line, p[0].key.as_deref()),
            (Some(3), Some("views.state"))
        );
        let p = from_text("date_format = \"%Q\"\n").expect_err("format");
        assert_eq!(p[0].key.as_deref(), Some("date_format"));
    }
}
