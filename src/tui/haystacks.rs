//! The search texts the filter's words are looked for in, lower-cased, for every item
//! at once. Much of an item's text is a name many items share (its system, role,
//! credential owner, approver, requester, method and state): each of those is kept
//! once, and an item holds its names' numbers. A word is looked for once in each name
//! per keystroke ([`Haystacks::hits`]), then per item in its own text (id, purpose,
//! holder, notes: free texts, which items seldom share) and among its names' results. A word is found in an item exactly
//! when it is found in one of its texts: words hold no NUL, which parted the texts
//! when they were one string.
//!
//! An item's own text changed by a live update is appended anew; the buffer is
//! compacted when half of it is out of date.

use crate::store::ItemView;
use memchr::memmem::Finder;
use std::collections::HashMap;
use std::sync::Arc;

/// How many shared names an item has.
const SHARED: usize = 7;

#[derive(Default)]
pub struct Haystacks {
    /// Each item's own text (id, purpose, holder, notes), one after the other.
    text: String,
    /// Where each item's own text lies in `text`, by the item's index.
    spans: Vec<(usize, usize)>,
    /// Bytes of `text` no span points at any more.
    stale: usize,
    /// Each item's names, as numbers into `names`.
    ids: Vec<[u32; SHARED]>,
    /// The names, lower-cased, each once (the map finds a name's number; both hold
    /// the same text).
    names: Vec<Arc<str>>,
    name_ix: HashMap<Arc<str>, u32>,
    /// A name's number by its text as stored (before lower-casing), so that a name
    /// seen before costs a lookup and no lower-cased copy.
    as_stored: HashMap<Box<str>, u32, foldhash::fast::RandomState>,
}

/// For one query: per word, per name, whether the word is in the name.
#[derive(Debug, Default)]
pub struct Hits {
    pub(super) words: Vec<Vec<bool>>,
}

impl Haystacks {
    pub fn build(items: &[ItemView]) -> Haystacks {
        // Room for all the text at once, estimated from the first items: grown by
        // doubling, the text would hold up to twice its size, and each growth copies
        // it while the old block is still held.
        let sample = &items[..items.len().min(256)];
        let per_item = sample.iter().map(own_len).sum::<usize>() / sample.len().max(1);
        let mut h = Haystacks {
            text: String::with_capacity(items.len() * (per_item + per_item / 8 + 1)),
            spans: Vec::with_capacity(items.len()),
            ids: Vec::with_capacity(items.len()),
            ..Haystacks::default()
        };
        for v in items {
            h.push(v);
        }
        h
    }

    /// Which names each of the `words` is in.
    pub fn hits(&self, words: &[Finder<'_>]) -> Hits {
        Hits {
            words: words
                .iter()
                .map(|w| {
                    self.names
                        .iter()
                        .map(|n| w.find(n.as_bytes()).is_some())
                        .collect()
                })
                .collect(),
        }
    }

    /// Whether the word `w` is in item `i`'s text (`in_names`: its entry of [`Hits`]).
    pub fn has(&self, i: usize, w: &Finder<'_>, in_names: &[bool]) -> bool {
        self.ids[i]
            .iter()
            .any(|&n| in_names.get(n as usize).copied().unwrap_or(false))
            || w.find(self.own(i).as_bytes()).is_some()
    }

    fn own(&self, i: usize) -> &str {
        let (start, end) = self.spans[i];
        &self.text[start..end]
    }

    fn name(&mut self, text: &str) -> u32 {
        if let Some(&n) = self.as_stored.get(text) {
            return n;
        }
        let lower = text.to_lowercase();
        let n = match self.name_ix.get(lower.as_str()) {
            Some(&n) => n,
            None => {
                let n = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
                let lower: Arc<str> = lower.into();
                self.names.push(Arc::clone(&lower));
                self.name_ix.insert(lower, n);
                n
            }
        };
        self.as_stored.insert(text.into(), n);
        n
    }

    fn names_of(&mut self, v: &ItemView) -> [u32; SHARED] {
        let it = &v.item;
        let f = &it.fields;
        [
            self.name(&f.system),
            self.name(&f.role),
            self.name(&f.credential_owner),
            self.name(&f.approver),
            self.name(&it.requester),
            self.name(f.method.map(|m| m.as_str()).unwrap_or("")),
            self.name(it.state.as_str()),
        ]
    }

    /// Appends the item's own text lower-cased — its id, purpose, holder and notes,
    /// apart by NUL — written straight into the buffer (no copy of it made first).
    fn append(&mut self, v: &ItemView) -> (usize, usize) {
        use std::fmt::Write;
        let it = &v.item;
        let f = &it.fields;
        let start = self.text.len();
        if it.project.is_ascii() {
            let _ = write!(self.text, "{}-{}", it.project, it.number);
        } else {
            self.text.push_str(&it.id().to_lowercase());
        }
        let parts = [
            f.purpose.as_str(),
            f.holder.as_deref().unwrap_or(""),
            f.notes.as_str(),
        ];
        for part in parts {
            self.text.push('\u{0}');
            if part.is_ascii() {
                self.text.push_str(part);
            } else {
                self.text.push_str(&part.to_lowercase());
            }
        }
        let end = self.text.len();
        // ASCII is lower-cased in place; other text was lower-cased as it came.
        self.text[start..end].make_ascii_lowercase();
        (start, end)
    }

    pub fn push(&mut self, v: &ItemView) {
        let span = self.append(v);
        self.spans.push(span);
        let ids = self.names_of(v);
        self.ids.push(ids);
    }

    pub fn replace(&mut self, i: usize, v: &ItemView) {
        let (start, end) = self.spans[i];
        self.stale += end - start;
        self.spans[i] = self.append(v);
        self.ids[i] = self.names_of(v);
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

/// The length of an item's own text (about: for room reserved ahead).
fn own_len(v: &ItemView) -> usize {
    let it = &v.item;
    let f = &it.fields;
    it.project.len()
        + 24
        + f.purpose.len()
        + f.holder.as_deref().map_or(0, str::len)
        + f.notes.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Item, ItemFields, Method, State};
    use chrono::{DateTime, Utc};

    fn view(n: i64, system: &str) -> ItemView {
        let fields = ItemFields {
            system: system.to_string(),
            purpose: format!("Migrate catalogue {}", n % 3),
            role: "Editor".into(),
            holder: Some(format!("Delegate {n}")),
            credential_owner: "Client IT".into(),
            approver: "Sam".into(),
            method: Some(Method::SsoInvite),
            notes: if n % 2 == 0 {
                "weekdays only".into()
            } else {
                String::new()
            },
            ..Default::default()
        };
        let now = DateTime::<Utc>::UNIX_EPOCH;
        ItemView {
            item: Item::new("ACME", n, fields, "ana", now),
            reasons: Vec::new(),
            blocked_since: None,
        }
    }

    /// The text the items were searched in when it was one string.
    fn joined(v: &ItemView) -> String {
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

    /// Whether every word of `text` is found in item `i` (as the filter looks).
    fn found(h: &Haystacks, i: usize, text: &str) -> bool {
        let words: Vec<Finder<'_>> = text
            .split_whitespace()
            .map(|w| Finder::new(w.as_bytes()).into_owned())
            .collect();
        let hits = h.hits(&words);
        words
            .iter()
            .zip(&hits.words)
            .all(|(w, names)| h.has(i, w, names))
    }

    const WORDS: [&str; 14] = [
        "acme-1",
        "acme-12",
        "github",
        "ω4",
        "stripe",
        "catalogue 2",
        "editor",
        "delegate 7",
        "client",
        "sam",
        "ana",
        "sso",
        "needed",
        "weekdays",
    ];

    #[test]
    fn words_are_found_where_the_joined_text_has_them_through_changes_and_compaction() {
        let mut items: Vec<ItemView> = (1..=50).map(|n| view(n, &format!("Stripe {n}"))).collect();
        let mut h = Haystacks::build(&items);
        // Enough changes to make most of the buffer stale, and compact it more than once.
        for round in 0..5 {
            for (i, v) in items.iter_mut().enumerate().filter(|(i, _)| i % 3 != 0) {
                *v = view(i as i64 + 1, &format!("GitHub Ω{round} {i}"));
                if i % 4 == 0 {
                    v.item.state = State::Verified;
                }
                h.replace(i, v);
            }
        }
        items.push(view(51, "Shopify"));
        h.push(&items[50]);
        assert!(h.stale <= h.text.len() / 2, "compacted");
        for (i, v) in items.iter().enumerate() {
            let text = joined(v);
            for w in WORDS.iter().chain(&["verified", "shopify", "github ω4 1"]) {
                let every = w.split_whitespace().all(|p| text.contains(p));
                assert_eq!(found(&h, i, w), every, "item {i}, {w:?} in {text:?}");
            }
        }
        assert!(found(&h, 1, "github ω4 1"));
        assert!(found(&h, 50, "shopify"));
        assert!(!found(&h, 49, "shopify"));
    }
}
