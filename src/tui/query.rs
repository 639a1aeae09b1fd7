//! The tracker's filter query (`Query`: words, `state:`, `flag:`, `is:blocked`) and
//! the search texts it scans (`Haystacks`). Both are built for the whole item list at
//! once, because a filter keystroke at 100,000 items must cost one pass over memory.

use super::haystacks::{Haystacks, Hits};
use super::item_row::ItemRow;
use crate::domain::{Flag, State};

#[derive(Debug, Clone, Default)]
pub struct Query {
    /// The words, each with a searcher built once for the whole list (a plain
    /// `str::contains` sets one up per item, which dominated typing at 100k items).
    pub(super) words: Vec<memchr::memmem::Finder<'static>>,
    states: Vec<State>,
    flags: Vec<Vec<Flag>>,
    blocked: Option<bool>,
    /// A token that matches nothing (e.g. an unknown state), for the title.
    pub problem: Option<String>,
}

impl Query {
    pub fn parse(text: &str) -> Query {
        let mut q = Query::default();
        let mut state_token = false;
        for tok in text.split_whitespace() {
            let t = tok.to_lowercase();
            if let Some(s) = t.strip_prefix("state:") {
                state_token = true;
                let found: Vec<State> = State::ALL
                    .iter()
                    .copied()
                    .filter(|st| st.as_str().starts_with(s))
                    .collect();
                if found.is_empty() {
                    q.problem = Some(format!("no state '{s}'"));
                }
                q.states.extend(found);
            } else if let Some(f) = t.strip_prefix("flag:") {
                let found: Vec<Flag> = Flag::ALL
                    .iter()
                    .copied()
                    .filter(|fl| {
                        fl.as_str().starts_with(f) || fl.badge().to_lowercase().starts_with(f)
                    })
                    .collect();
                if found.is_empty() {
                    q.problem = Some(format!("no flag '{f}'"));
                }
                q.flags.push(found);
            } else if t == "is:blocked" || t == "is:blocking" {
                q.blocked = Some(true);
            } else if t == "is:clear" || t == "is:unblocked" {
                q.blocked = Some(false);
            } else {
                q.words
                    .push(memchr::memmem::Finder::new(t.as_bytes()).into_owned());
            }
        }
        if state_token && q.states.is_empty() {
            // An unknown state matches nothing rather than everything.
            q.problem.get_or_insert_with(|| "no such state".into());
        }
        q
    }

    /// Whether every item matches: nothing typed (a whole list then needs no look at
    /// each item).
    pub fn matches_all(&self) -> bool {
        self.problem.is_none()
            && self.words.is_empty()
            && self.states.is_empty()
            && self.flags.is_empty()
            && self.blocked.is_none()
    }

    /// Which of the search texts' shared names each word is in (for [`Query::matches`]).
    pub fn hits(&self, hay: &Haystacks) -> Hits {
        hay.hits(&self.words)
    }

    /// Whether item `ix` (`v`) matches, its words looked for in its search texts
    /// (`hits`: the shared names each word is in, from [`Query::hits`]).
    pub fn matches(&self, v: &ItemRow, hay: &Haystacks, hits: &Hits, ix: usize) -> bool {
        if self.problem.is_some() {
            return false;
        }
        if !self.states.is_empty() && !self.states.contains(&v.state) {
            return false;
        }
        if let Some(b) = self.blocked
            && v.blocking() != b
        {
            return false;
        }
        if !self
            .flags
            .iter()
            .all(|any| any.iter().any(|f| v.has_flag(*f)))
        {
            return false;
        }
        self.words
            .iter()
            .zip(&hits.words)
            .all(|(w, in_names)| hay.has(ix, w, in_names))
    }
}
