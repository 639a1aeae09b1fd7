//! A list chosen from by typing: the project picker (`p`) and the command palette
//! (`:`) are both one of these. Typing narrows the entries by fuzzy matching
//! (nucleo-matcher, as helix and television use), best match first; ↑/↓ move, Enter
//! runs the entry. The entries say what they do as data ([`Target`]); the app runs it.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use tui_input::Input;

/// What choosing an entry does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Show this project (`None`: all projects).
    Project(Option<String>),
    /// Send what this row of the key table sends (its index in `keymap::TABLE`).
    Action(usize),
    /// Open this item (by rowid).
    Item(i64),
}

/// One line of the list: what it is matched on and shown as, a muted hint after it,
/// and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub label: String,
    pub hint: String,
    pub target: Target,
}

/// What the chooser is for (its title and the words of an empty list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Picker,
    Palette,
}

/// The open chooser: what it is for, the typed text, its entries (the first `listed`
/// show with nothing typed; the rest, the palette's items, too many to list unasked,
/// match only what is typed), the positions in `entries` matching now (best first)
/// and the selected one among them.
#[derive(Debug, Clone)]
pub struct Chooser {
    pub shown: Vec<usize>,
    pub selected: usize,
    pub kind: Kind,
    pub input: Input,
    pub entries: Vec<Entry>,
    pub listed: usize,
}

/// Most entries a chooser lists at once.
pub const MOST: usize = 200;

impl Chooser {
    pub fn new(kind: Kind, entries: Vec<Entry>, selected: usize) -> Chooser {
        let listed = entries.len();
        Chooser {
            shown: (0..listed).collect(),
            entries,
            listed,
            selected,
            kind,
            input: Input::default(),
        }
    }

    /// Matches the entries against the typed text again.
    pub fn refilter(&mut self) {
        let query = self.input.value().trim().to_string();
        self.selected = 0;
        self.shown = if query.is_empty() {
            (0..self.listed).collect()
        } else {
            rank(&query, self.entries.iter().map(|e| e.label.as_str()))
        };
    }

    /// The entry at position `pos` of those shown.
    pub fn shown_entry(&self, pos: usize) -> Option<&Entry> {
        self.entries.get(*self.shown.get(pos)?)
    }

    pub fn chosen(&self) -> Option<&Entry> {
        self.shown_entry(self.selected)
    }

    /// Moves the selection by `delta`, staying in the list.
    pub fn step(&mut self, delta: i8) {
        let last = self.shown.len().saturating_sub(1);
        self.selected = self
            .selected
            .saturating_add_signed(isize::from(delta))
            .min(last);
    }
}

/// The positions of `haystacks` that match `query`, best first (ties keep their
/// order), at most [`MOST`].
pub fn rank<'a>(query: &str, haystacks: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, usize)> = haystacks
        .enumerate()
        .filter_map(|(i, h)| {
            pattern
                .score(Utf32Str::new(h, &mut buf), &mut matcher)
                .map(|s| (s, i))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.truncate(MOST);
    scored.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_letters_put_the_project_first() {
        let names = [
            "ACME Acme onboarding",
            "HARBOR Harbor Freight",
            "ZEPH Zephyr Logistics",
        ];
        assert_eq!(rank("zep", names.into_iter()).first(), Some(&2));
        assert_eq!(rank("hrb", names.into_iter()).first(), Some(&1));
        assert!(rank("qqq", names.into_iter()).is_empty());
    }
}
