//! The tracker's filter query (`Query`: words, `state:`, `flag:`, `is:blocked`) and
//! the search texts it scans (`Haystacks`). Both are built for the whole item list at
//! once, because a filter keystroke at 100,000 items must cost one pass over memory.

use crate::domain::{Flag, State};
use crate::store::ItemView;

#[derive(Debug, Clone, Default)]
pub struct Query {
    /// The words, each with a searcher built once for the whole list (a plain
    /// `str::contains` sets one up per item, which dominated typing at 100k items).
    words: Vec<memchr::memmem::Finder<'static>>,
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

    pub fn matches(&self, v: &ItemView, haystack: &str) -> bool {
        if self.problem.is_some() {
            return false;
        }
        if !self.states.is_empty() && !self.states.contains(&v.item.state) {
            return false;
        }
        if let Some(b) = self.blocked
            && v.blocking() != b
        {
            return false;
        }
        if !self.flags.is_empty() {
            let have = v.item.flags();
            if !self
                .flags
                .iter()
                .all(|any| any.iter().any(|f| have.contains(f)))
            {
                return false;
            }
        }
        self.words
            .iter()
            .all(|w| w.find(haystack.as_bytes()).is_some())
    }
}

/// keystroke scans all of them, and together in memory they are scanned at the speed
/// of memory. An item's text changed by a live update is appended anew; the buffer is
/// compacted when half of it is out of date.
#[derive(Default)]
pub struct Haystacks {
    text: String,
    /// Where each item's text lies in `text`, by the item's index.
    spans: Vec<(usize, usize)>,
    /// Bytes of `text` no span points at any more.
    stale: usize,
}

impl Haystacks {
    pub fn build(items: &[ItemView]) -> Haystacks {
        // Room for all the text at once, estimated from the first items: grown by
        // doubling, the text would hold up to twice its size, and each growth copies
        // it while the old block is still held (at 100,000 items, megabytes).
        let sample = &items[..items.len().min(256)];
        let per_item =
            sample.iter().map(|v| haystack(v).len()).sum::<usize>() / sample.len().max(1);
        let mut h = Haystacks {
            text: String::with_capacity(items.len() * (per_item + per_item / 8 + 1)),
            spans: Vec::with_capacity(items.len()),
            stale: 0,
        };
        for v in items {
            h.push(v);
        }
        h
    }

    pub fn get(&self, i: usize) -> &str {
        let (start, end) = self.spans[i];
        &self.text[start..end]
    }

    fn append(&mut self, v: &ItemView) -> (usize, usize) {
        let start = self.text.len();
        self.text.push_str(&haystack(v));
        (start, self.text.len())
    }

    pub fn push(&mut self, v: &ItemView) {
        let span = self.append(v);
        self.spans.push(span);
    }

    pub fn replace(&mut self, i: usize, v: &ItemView) {
        let (start, end) = self.spans[i];
        self.stale += end - start;
        self.spans[i] = self.append(v);
        if self.stale > self.text.len() / 2 {
            let mut text = String::with_capacity(self.text.len() - self.stale);
            for span in &mut self.spans {
                let start = text.len();
                text.push_str(&self.text[span.0..span.1]);
                *span = (start, text.len());
            }
            self.text = text;
            self.stale = 0;
        }
    }
}

fn haystack(v: &ItemView) -> String {
    let it = &v.item;
    let f = &it.fields;
    [
        it.id().as_str(),
        &f.system,
        &f.purpose,
        &f.role,
        f.holder.as_deref().unwrap_or(""),
        &f.credential_owner,
        &f.approver,
        &it.requester,
        f.method.map(|m| m.as_str()).unwrap_or(""),
        it.state.as_str(),
        &f.notes,
    ]
    .join("\u{0}")
    .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Item, ItemFields};
    use chrono::{DateTime, Utc};

    fn view(n: i64, system: &str) -> ItemView {
        let fields = ItemFields {
            system: system.to_string(),
            ..Default::default()
        };
        let now = DateTime::<Utc>::UNIX_EPOCH;
        ItemView {
            item: Item::new("ACME", n, fields, "ana", now),
            reasons: Vec::new(),
            blocked_since: None,
        }
    }

    #[test]
    fn search_texts_follow_their_items_through_changes_and_compaction() {
        let mut items: Vec<ItemView> = (1..=50).map(|n| view(n, &format!("Stripe {n}"))).collect();
        let mut h = Haystacks::build(&items);
        // Enough changes to make most of the buffer stale, and compact it more than once.
        for round in 0..5 {
            for (i, v) in items.iter_mut().enumerate().filter(|(i, _)| i % 3 != 0) {
                *v = view(i as i64 + 1, &format!("GitHub Ω{round} {i}"));
                h.replace(i, v);
            }
        }
        items.push(view(51, "Shopify"));
        h.push(&items[50]);
        assert!(h.stale <= h.text.len() / 2, "compacted");
        for (i, v) in items.iter().enumerate() {
            assert_eq!(h.get(i), haystack(v), "item {i}");
        }
        assert!(h.get(1).contains("github ω4 1"), "{}", h.get(1));
        assert!(h.get(50).contains("shopify"));
    }
}
