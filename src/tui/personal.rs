//! The personal configuration as the screen uses it: the theme it asks for, rebound
//! keys, the date format, and the saved views shown as tabs over the tracker (which
//! one is chosen, and how many items each holds). Loading and checking the file is
//! `crate::config`'s; matching items against a view is `saved`'s.

use super::keymap::rebind::{self, Overrides};
use super::theme::Theme;
use crate::config::{Config, Problem, ThemeChoice, ViewSpec, Work};
use std::path::PathBuf;
use std::sync::Arc;

/// What the screen keeps of the configuration.
#[derive(Debug, Clone, Default)]
pub struct Personal {
    pub(crate) keys: Arc<Overrides>,

    /// The saved views, then a "my work" view per role; empty without a configuration.
    pub(crate) views: Vec<ViewSpec>,
    /// The view chosen: 0 is every item, `n` is `views[n - 1]`.
    pub(crate) current: usize,

    /// Items per view (parallel to `views`), as of the last derive.
    pub(crate) counts: Vec<usize>,
    /// The file views are saved to.
    pub(crate) path: Option<PathBuf>,
}

impl Personal {
    /// The saved view in force, if any.
    pub fn view(&self) -> Option<&ViewSpec> {
        self.current.checked_sub(1).and_then(|i| self.views.get(i))
    }

    /// Lines the view tabs take above the tracker.
    pub fn bar_lines(&self) -> u16 {
        u16::from(!self.views.is_empty())
    }
}

/// The theme the configuration asks for; `NO_COLOR` (set and not empty) always wins.
pub fn theme(choice: ThemeChoice) -> Theme {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if no_color {
        return Theme::mono();
    }
    match choice {
        ThemeChoice::Auto => Theme::detect(),
        ThemeChoice::TrueColor => Theme::truecolor(),
        ThemeChoice::Ansi256 => Theme::ansi256(),
        ThemeChoice::Ansi16 => Theme::ansi16(),
        ThemeChoice::Mono => Theme::mono(),
    }
}

/// The views of a configuration for a person with `roles`: the configured ones,
/// then the "my work" view of each role held that no configured view already shows.
pub fn views_for(cfg: &Config, roles: &[crate::domain::Role]) -> Vec<ViewSpec> {
    let mut out = cfg.views.clone();
    for w in Work::ALL {
        let held = roles.iter().any(|r| r.as_str() == w.name());
        if held && !out.iter().any(|v| v.work == Some(w)) {
            out.push(crate::config::views::my_work(w));
        }
    }
    out
}

/// Lays the configuration's key bindings over the key table; the problems name their
/// lines.
pub fn keys(cfg: &Config) -> (Arc<Overrides>, Vec<Problem>) {
    let (o, p) = rebind::resolve(&cfg.keys);
    (Arc::new(o), p)
}
