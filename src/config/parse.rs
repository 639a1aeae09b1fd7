//! Reading the configuration file: every key is checked, and each problem names its
//! line and key. One problem makes the whole file unused (the defaults apply), so the
//! screen never runs on half of what someone meant.

use super::views::{ViewSpec, Work};
use super::{Config, KeySpec, Problem, Setting, Source, ThemeChoice};
use crate::domain::{Flag, State};
use std::path::PathBuf;
use toml_edit::{Document, Item, Table, Value};

/// What the file set, with lines.
#[derive(Default)]
pub(super) struct Parsed {
    theme: Option<Setting<ThemeChoice>>,
    date_format: Option<Setting<String>>,
    mouse: Option<Setting<bool>>,
    database: Option<Setting<PathBuf>>,
    keys: Vec<KeySpec>,
    views: Option<(Vec<ViewSpec>, usize)>,
}

impl Parsed {
    pub(super) fn into_config(self, base: Config) -> Config {
        let (views, views_source) = match self.views {
            Some((v, line)) => (v, Source::File { line }),
            None => (base.views, base.views_source),
        };
        Config {
            theme: self.theme.unwrap_or(base.theme),
            date_format: self.date_format.unwrap_or(base.date_format),
            mouse: self.mouse.unwrap_or(base.mouse),
            database: self.database.or(base.database),
            keys: self.keys,
            views,
            views_source,
            ..base
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn line(&self, span: Option<std::ops::Range<usize>>) -> usize {
        let at = span.map_or(0, |s| s.start).min(self.text.len());
        self.text.as_bytes()[..at]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn key_line(&self, table: &Table, key: &str) -> usize {
        self.line(table.key(key).and_then(|k| k.span()))
    }

    fn problem(&mut self, line: usize, key: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            line: Some(line),
            key: Some(key.to_string()),
            message: message.into(),
        });
    }

    fn string<'i>(&mut self, line: usize, key: &str, item: &'i Item) -> Option<&'i str> {
        let s = item.as_str();
        if s.is_none() {
            self.problem(line, key, "expected a string in quotes");
        }
        s
    }

    /// A string or a list of strings.
    fn strings(&mut self, line: usize, key: &str, item: &Item) -> Option<Vec<String>> {
        if let Some(s) = item.as_str() {
            return Some(vec![s.to_string()]);
        }
        match item.as_array() {
            Some(a) if a.iter().all(|v| v.as_str().is_some()) => Some(
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
            ),
            _ => {
                self.problem(line, key, "expected a string or a list of strings");
                None
            }
        }
    }

    fn days(&mut self, line: usize, key: &str, item: &Item) -> Option<u32> {
        match item.as_integer().map(u32::try_from) {
            Some(Ok(n)) if n <= 3650 => Some(n),
            _ => {
                self.problem(line, key, "expected a number of days from 0 to 3650");
                None
            }
        }
    }
}

pub(super) fn parse(text: &str) -> Result<Parsed, Vec<Problem>> {
    let doc = Document::parse(text).map_err(|e| {
        let r = Reader {
            text,
            problems: Vec::new(),
        };
        vec![Problem {
            line: Some(r.line(e.span())),
            key: None,
            message: format!(
                "not valid TOML: {}",
                e.message().lines().next().unwrap_or("").trim()
            ),
        }]
    })?;
    let mut r = Reader {
        text,
        problems: Vec::new(),
    };
    let mut out = Parsed::default();
    let root = doc.as_table();
    for (key, item) in root.iter() {
        let line = r.key_line(root, key);
        let at = Source::File { line };
        match key {
            "theme" => {
                if let Some(s) = r.string(line, key, item) {
                    match ThemeChoice::parse(s) {
                        Some(t) => {
                            out.theme = Some(Setting {
                                value: t,
                                source: at,
                            })
                        }
                        None => r.problem(
                            line,
                            key,
                            format!(
                                "'{s}' is not a theme; use one of {}",
                                ThemeChoice::NAMES.join(", ")
                            ),
                        ),
                    }
                }
            }
            "date_format" => {
                if let Some(s) = r.string(line, key, item) {
                    if date_format_ok(s) {
                        out.date_format = Some(Setting {
                            value: s.to_string(),
                            source: at,
                        });
                    } else {
                        r.problem(
                            line,
                            key,
                            format!("'{s}' is not a date format such as %Y-%m-%d or %d.%m.%Y"),
                        );
                    }
                }
            }
            "mouse" => match item.as_bool() {
                Some(b) => {
                    out.mouse = Some(Setting {
                        value: b,
                        source: at,
                    })
                }
                None => r.problem(line, key, "expected true or false"),
            },
            "database" => {
                if let Some(s) = r.string(line, key, item) {
                    if s.trim().is_empty() {
                        r.problem(line, key, "expected the path of a database file");
                    } else {
                        out.database = Some(Setting {
                            value: PathBuf::from(s),
                            source: at,
                        });
                    }
                }
            }
            "keys" => match item.as_table() {
                Some(t) => read_keys(&mut r, t, None, &mut out.keys),
                None => r.problem(line, key, "expected a table: [keys] or [keys.PANE]"),
            },
            "views" => match item.as_array_of_tables() {
                Some(list) => {
                    let views = list
                        .iter()
                        .filter_map(|t| read_view(&mut r, t))
                        .collect();
                    out.views = Some((views, line));
                }
                None => r.problem(line, key, "expected [[views]] tables"),
            },
            _ => r.problem(
                line,
                key,
                "unknown key; the keys are theme, date_format, mouse, database, [keys] and [[views]]",
            ),
        }
    }
    if r.problems.is_empty() {
        Ok(out)
    } else {
        Err(r.problems)
    }
}

/// Whether chrono understands the format (an unknown `%` directive is an error).
pub(crate) fn date_format_ok(s: &str) -> bool {
    !s.is_empty()
        && !chrono::format::StrftimeItems::new(s).any(|i| matches!(i, chrono::format::Item::Error))
}

fn read_keys(r: &mut Reader, t: &Table, pane: Option<&str>, out: &mut Vec<KeySpec>) {
    for (action, item) in t.iter() {
        let line = r.key_line(t, action);
        let name = match pane {
            Some(p) => format!("keys.{p}.{action}"),
            None => format!("keys.{action}"),
        };
        if let Some(sub) = item.as_table() {
            if pane.is_some() {
                r.problem(line, &name, "expected a key such as \"A\" or \"C-a\"");
            } else {
                read_keys(r, sub, Some(action), out);
            }
            continue;
        }
        if let Some(keys) = r.strings(line, &name, item) {
            out.push(KeySpec {
                pane: pane.map(str::to_string),
                action: action.to_string(),
                keys,
                line,
            });
        }
    }
}

fn read_view(r: &mut Reader, t: &Table) -> Option<ViewSpec> {
    let head = r.line(t.span());
    let mut v = ViewSpec {
        line: head,
        ..ViewSpec::default()
    };
    let before = r.problems.len();
    for (key, item) in t.iter() {
        let line = r.key_line(t, key);
        let name = format!("views.{key}");
        match key {
            "name" => {
                if let Some(s) = r.string(line, &name, item) {
                    v.name = s.trim().to_string();
                }
            }
            "query" => v.query = r.string(line, &name, item).map(str::to_string),
            "project" => v.project = r.string(line, &name, item).map(str::to_uppercase),
            "approver" => v.approver = r.string(line, &name, item).map(str::to_string),
            "state" => {
                for s in r.strings(line, &name, item).unwrap_or_default() {
                    match s.parse::<State>() {
                        Ok(st) => v.states.push(st),
                        Err(_) => r.problem(line, &name, format!("'{s}' is not a state")),
                    }
                }
            }
            "flags" => {
                for s in r.strings(line, &name, item).unwrap_or_default() {
                    match s.parse::<Flag>() {
                        Ok(f) => v.flags.push(f),
                        Err(_) => r.problem(line, &name, format!("'{s}' is not a flag")),
                    }
                }
            }
            "blocker" => v.blockers = r.strings(line, &name, item).unwrap_or_default(),
            "expiring_within_days" => v.expiring_within_days = r.days(line, &name, item),
            "blocked_over_days" => v.blocked_over_days = r.days(line, &name, item),
            "work" => {
                if let Some(s) = r.string(line, &name, item) {
                    match Work::parse(s) {
                        Some(w) => v.work = Some(w),
                        None => r.problem(
                            line,
                            &name,
                            format!("'{s}' is not a role's work; use support, security or coordinator"),
                        ),
                    }
                }
            }
            _ => r.problem(
                line,
                &name,
                "unknown key; a view has name, query, state, flags, project, approver, blocker, expiring_within_days, blocked_over_days and work",
            ),
        }
    }
    if v.name.is_empty() {
        r.problem(head, "views.name", "every view needs a name");
    }
    (r.problems.len() == before).then_some(v)
}
