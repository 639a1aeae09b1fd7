//! The texts of the loaded items: the names they share and their own texts, kept for
//! the filter's search (lower-cased) and for the panes to draw. Much of an item's text
//! is a name many items share (its system, role, credential owner, approver,
//! requester, method and state): each of those is kept once, as stored and
//! lower-cased, and an item holds its names' numbers. A word is looked for once in
//! each name per keystroke ([`Haystacks::hits`]), then per item in its own text (id,
//! purpose, holder, notes: free texts, which items seldom share) and among its names'
//! results. A word is found in an item exactly when it is found in one of its texts:
//! words hold no NUL, which parted the texts when they were one string. The purpose
//! an item shows is kept as stored in a second buffer.
//!
//! An item's own texts changed by a live update are appended anew; the buffers are
//! compacted when half of them is out of date.

use crate::domain::Item;
use memchr::memmem::Finder;
use std::collections::HashMap;

/// How many shared names an item has.
const SHARED: usize = 7;

/// Which of an item's names (the index into its names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    System = 0,
    Role = 1,
    Owner = 2,
    Approver = 3,
    Requester = 4,
}

#[derive(Default)]
pub struct Haystacks {
    /// Each item's own text (id, purpose, holder, notes), lower-cased, one after the other.
    text: String,
    /// Where each item's own text lies in `text`, by the item's index.
    spans: Vec<(usize, usize)>,
    /// Each item's purpose as stored, one after the other.
    shown: String,
    /// Where each item's purpose lies in `shown`.
    shown_at: Vec<(usize, u32)>,
    /// Bytes of `text` and of `shown` no span points at any more.
    stale: usize,
    /// Each item's names, as numbers into `names`.
    ids: Vec<[u32; SHARED]>,
    /// The names as stored, each once, and the same lower-cased (what is searched).
    names: Vec<Box<str>>,
    lower: Vec<Box<str>>,
    /// A name's number by its text as stored.
    name_ix: HashMap<Box<str>, u32, foldhash::fast::RandomState>,
    /// The numbers of the names of states and methods (texts the program holds: found
    /// by where they lie, with no hash of the text).
    fixed: Vec<((usize, usize), u32)>,
    /// The number of each [`Name`] of the item taken in last: the next item's is most
    /// often the same (items of a project share their owner, approver, requester...),
    /// compared as text before it is hashed.
    last: [u32; 5],
}

/// For one query: per word, per name, whether the word is in the name.
#[derive(Debug, Default)]
pub struct Hits {
    pub(super) words: Vec<Vec<bool>>,
}

impl Haystacks {
    /// Room for the texts of `items` items in all, estimated from those pushed so far:
    /// grown by doubling, a buffer would hold up to twice its size, and each growth
    /// copies it while the old block is still held.
    pub fn reserve_for(&mut self, items: usize) {
        let n = self.spans.len().max(1);
        let more = items.saturating_sub(self.spans.len());
        let per = |len: usize| len / n + len / n / 8 + 1;
        self.text.reserve_exact(more * per(self.text.len()));
        self.shown.reserve_exact(more * per(self.shown.len()));
        self.spans.reserve_exact(more);
        self.shown_at.reserve_exact(more);
        self.ids.reserve_exact(more);
    }

    /// Which names each of the `words` is in.
    pub fn hits(&self, words: &[Finder<'_>]) -> Hits {
        Hits {
            words: words
                .iter()
                .map(|w| {
                    self.lower
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

    /// Item `i`'s name, as stored.
    pub fn name_of(&self, i: usize, which: Name) -> &str {
        self.ids
            .get(i)
            .map_or("", |ids| self.name_text(ids[which as usize]))
    }

    /// The text of name number `n`, as stored.
    pub fn name_text(&self, n: u32) -> &str {
        self.names.get(n as usize).map_or("", |s| s)
    }

    /// Item `i`'s purpose, as stored.
    pub fn purpose(&self, i: usize) -> &str {
        self.shown_at
            .get(i)
            .map_or("", |&(start, len)| &self.shown[start..start + len as usize])
    }

    /// The number of a name (kept from now on).
    pub fn name(&mut self, text: &str) -> u32 {
        if let Some(&n) = self.name_ix.get(text) {
            return n;
        }
        let n = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push(text.into());
        self.lower.push(text.to_lowercase().into());
        self.name_ix.insert(text.into(), n);
        n
    }

    fn fixed_name(&mut self, text: &'static str) -> u32 {
        let at = (text.as_ptr() as usize, text.len());
        if let Some(&(_, n)) = self.fixed.iter().find(|(p, _)| *p == at) {
            return n;
        }
        let n = self.name(text);
        self.fixed.push((at, n));
        n
    }

    /// [`Haystacks::name`] of the text of an item's name `which`, the last item's
    /// number of that name first tried.
    fn name_as(&mut self, which: Name, text: &str) -> u32 {
        let last = self.last[which as usize];
        if self.names.get(last as usize).is_some_and(|n| **n == *text) {
            return last;
        }
        let n = self.name(text);
        self.last[which as usize] = n;
        n
    }

    fn names_of(&mut self, it: &Item) -> [u32; SHARED] {
        let f = &it.fields;
        [
            self.name_as(Name::System, &f.system),
            self.name_as(Name::Role, &f.role),
            self.name_as(Name::Owner, &f.credential_owner),
            self.name_as(Name::Approver, &f.approver),
            self.name_as(Name::Requester, &it.requester),
            self.fixed_name(f.method.map(|m| m.as_str()).unwrap_or("")),
            self.fixed_name(it.state.as_str()),
        ]
    }

    /// Appends the item's own text lower-cased — its id, purpose, holder and notes,
    /// apart by NUL — written straight into the buffer (no copy of it made first).
    fn append(&mut self, it: &Item) -> (usize, usize) {
        let f = &it.fields;
        let start = self.text.len();
        if it.project.is_ascii() {
            self.text.push_str(&it.project);
            self.text.push('-');
            push_number(&mut self.text, it.number);
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

    fn append_shown(&mut self, it: &Item) -> (usize, u32) {
        let start = self.shown.len();
        let purpose = it.fields.purpose.as_str();
        // A purpose too long to count in 32 bits shows empty rather than cut mid-character.
        let len = u32::try_from(purpose.len()).unwrap_or(0);
        self.shown.push_str(&purpose[..len as usize]);
        (start, len)
    }

    /// Appends the texts of `other`'s items after those held, with room for `more`
    /// items after them; returns the number here of each of `other`'s names (a name
    /// new here takes the next number, as when first pushed). Into none held, `other`
    /// is moved, nothing copied.
    pub fn absorb(&mut self, other: Haystacks, more: usize) -> Vec<u32> {
        let n = u32::try_from(other.names.len()).unwrap_or(u32::MAX);
        if self.spans.is_empty() && self.names.is_empty() {
            *self = other;
            self.reserve_for(self.spans.len() + more);
            return (0..n).collect();
        }
        // Each of `other`'s buffers is let go once copied: at most one of them is
        // held twice at a time.
        let Haystacks {
            text,
            spans,
            shown,
            shown_at,
            stale,
            ids,
            names,
            fixed,
            ..
        } = other;
        let remap: Vec<u32> = names.iter().map(|t| self.name(t)).collect();
        drop(names);
        let name = |n: u32| remap.get(n as usize).copied().unwrap_or(u32::MAX);
        for (at, n) in fixed {
            if !self.fixed.iter().any(|(p, _)| *p == at) {
                self.fixed.push((at, name(n)));
            }
        }
        let (t, s) = (self.text.len(), self.shown.len());
        self.text.reserve_exact(text.len());
        self.text.push_str(&text);
        drop(text);
        self.shown.reserve_exact(shown.len());
        self.shown.push_str(&shown);
        drop(shown);
        self.stale += stale;
        let k = spans.len();
        self.spans.reserve_exact(k);
        self.spans
            .extend(spans.into_iter().map(|(a, b)| (a + t, b + t)));
        self.shown_at.reserve_exact(k);
        self.shown_at
            .extend(shown_at.into_iter().map(|(a, len)| (a + s, len)));
        self.ids.reserve_exact(k);
        self.ids.extend(ids.into_iter().map(|ids| ids.map(name)));
        self.reserve_for(self.spans.len() + more);
        remap
    }

    pub fn push(&mut self, it: &Item) {
        let span = self.append(it);
        self.spans.push(span);
        let shown = self.append_shown(it);
        self.shown_at.push(shown);
        let ids = self.names_of(it);
        self.ids.push(ids);
    }

    pub fn replace(&mut self, i: usize, it: &Item) {
        let (start, end) = self.spans[i];
        self.stale += end - start + self.shown_at[i].1 as usize;
        self.spans[i] = self.append(it);
        self.shown_at[i] = self.append_shown(it);
        self.ids[i] = self.names_of(it);
        if self.stale > (self.text.len() + self.shown.len()) / 2 {
            let mut text = String::with_capacity(self.text.len());
            for span in &mut self.spans {
                let start = text.len();
                text.push_str(&self.text[span.0..span.1]);
                *span = (start, text.len());
            }
            self.text = text;
            let mut shown = String::with_capacity(self.shown.len());
            for at in &mut self.shown_at {
                let start = shown.len();
                shown.push_str(&self.shown[at.0..at.0 + at.1 as usize]);
                at.0 = start;
            }
            self.shown = shown;
            self.stale = 0;
        }
    }
}

/// Appends `n` in decimal, as `{}` writes it, with none of the formatting machinery
/// (each item's id is written so as it is taken in).
fn push_number(out: &mut String, n: i64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        out.push('-');
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

#[cfg(test)]
impl Haystacks {
    /// The texts and names held, written out (to tell two lists apart in tests).
    pub fn written_out(&self) -> String {
        format!(
            "{:?}",
            (
                &self.text,
                &self.spans,
                &self.shown,
                &self.shown_at,
                self.stale,
                &self.ids,
                &self.names,
                &self.lower,
            )
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ItemFields, Method, State};
    use crate::store::ItemView;
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

    proptest::proptest! {
        /// An id's number is written as `{}` writes it.
        #[test]
        fn a_number_is_written_as_formatted(n in proptest::num::i64::ANY) {
            let mut out = String::from("x");
            push_number(&mut out, n);
            proptest::prop_assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn a_name_met_again_after_others_keeps_its_number() {
        let mut h = Haystacks::default();
        // The same field of the items in turn: repeated, changed, back again, and a
        // name first met in another field.
        let texts = ["Sam", "Sam", "Kim", "Sam", "Editor", "Kim", ""];
        let numbers: Vec<u32> = texts.iter().map(|t| h.name_as(Name::Approver, t)).collect();
        let roles: Vec<u32> = texts.iter().map(|t| h.name_as(Name::Role, t)).collect();
        let plain: Vec<u32> = texts.iter().map(|t| h.name(t)).collect();
        assert_eq!(numbers, plain);
        assert_eq!(roles, plain);
        assert_eq!(numbers, [0, 0, 1, 0, 2, 1, 3]);
        for (t, n) in texts.iter().zip(&numbers) {
            assert_eq!(h.name_text(*n), *t);
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
        let mut h = Haystacks::default();
        for v in &items {
            h.push(&v.item);
        }
        // Enough changes to make most of the buffer stale, and compact it more than once.
        for round in 0..5 {
            for (i, v) in items.iter_mut().enumerate().filter(|(i, _)| i % 3 != 0) {
                *v = view(i as i64 + 1, &format!("GitHub Ω{round} {i}"));
                if i % 4 == 0 {
                    v.item.state = State::Verified;
                }
                h.replace(i, &v.item);
            }
        }
        items.push(view(51, "Shopify"));
        h.push(&items[50].item);
        assert!(h.stale <= (h.text.len() + h.shown.len()) / 2, "compacted");
        for (i, v) in items.iter().enumerate() {
            // What the panes draw reads as stored, through every change.
            let f = &v.item.fields;
            assert_eq!(h.purpose(i), f.purpose);
            assert_eq!(h.name_of(i, Name::System), f.system);
            assert_eq!(h.name_of(i, Name::Role), f.role);
            assert_eq!(h.name_of(i, Name::Owner), f.credential_owner);
            assert_eq!(h.name_of(i, Name::Approver), f.approver);
            assert_eq!(h.name_of(i, Name::Requester), v.item.requester);
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
