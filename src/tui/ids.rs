//! Each loaded item's id as two numbers: its project's rank among the projects' keys in
//! order, and its number. Ordering items by id then compares integers held side by
//! side, not each item's key text through the item (a million items take some twenty
//! million comparisons to sort, each of which fetched two items from memory).

#[derive(Debug, Default)]
pub struct IdKeys {
    /// The projects' keys, in order: an item's rank indexes this.
    keys: Vec<Box<str>>,
    /// Per item (parallel to the item list): (rank of its project, number).
    ids: Vec<(u32, i64)>,
    /// The rank last set: items come in runs of one project.
    last: u32,
}

impl IdKeys {
    /// The id of item `i` as numbers.
    pub fn get(&self, i: usize) -> (u32, i64) {
        self.ids.get(i).copied().unwrap_or((u32::MAX, i64::MAX))
    }

    /// The project key of item `i`.
    pub fn key(&self, i: usize) -> &str {
        self.ids
            .get(i)
            .and_then(|&(r, _)| self.keys.get(r as usize))
            .map_or("", |k| k)
    }

    /// The rank of a project's key, when it is among the keys.
    pub fn rank(&self, key: &str) -> Option<u32> {
        let r = self.keys.binary_search_by(|k| (**k).cmp(key)).ok()?;
        u32::try_from(r).ok()
    }

    /// Every item's id as numbers, by the item's index.
    pub fn all(&self) -> &[(u32, i64)] {
        &self.ids
    }

    /// Sets item `i`'s id (appended when `i` is the next item). A project not seen
    /// before takes its place among the keys, and every item's rank follows (with the
    /// keys known ahead, see [`IdKeys::expect`], no rank moves).
    pub fn set(&mut self, i: usize, key: &str, number: i64) {
        let last = self.last as usize;
        let rank = match self.keys.get(last).filter(|k| ***k == *key) {
            Some(_) => last as u32,
            None => match self.keys.binary_search_by(|k| (**k).cmp(key)) {
                Ok(r) => r as u32,
                Err(r) => {
                    self.keys.insert(r, key.into());
                    let r = r as u32;
                    if (r as usize) + 1 < self.keys.len() {
                        for id in &mut self.ids {
                            if id.0 >= r {
                                id.0 += 1;
                            }
                        }
                    }
                    r
                }
            },
        };
        self.last = rank;
        match i.cmp(&self.ids.len()) {
            std::cmp::Ordering::Less => self.ids[i] = (rank, number),
            _ => self.ids.push((rank, number)),
        }
    }

    /// Appends the ids of `other`'s items after those held, with room for `more`
    /// items after them (their projects take their ranks here). Into none held,
    /// `other` is moved.
    pub fn absorb(&mut self, other: IdKeys, more: usize) {
        if self.ids.is_empty() && self.keys == other.keys {
            *self = other;
            self.ids.reserve_exact(more);
            return;
        }
        self.ids.reserve_exact(other.ids.len() + more);
        for &(r, n) in &other.ids {
            let key = other.keys.get(r as usize).map_or("", |k| &**k);
            self.set(self.ids.len(), key, n);
        }
    }

    /// Room for `n` items in all, and the keys their projects may have (known ahead,
    /// they take their ranks at once: items then come in any order at no cost).
    pub fn expect<'a>(&mut self, n: usize, keys: impl Iterator<Item = &'a str>) {
        self.ids.reserve_exact(n.saturating_sub(self.ids.len()));
        for k in keys {
            if let Err(r) = self.keys.binary_search_by(|x| (**x).cmp(k)) {
                self.keys.insert(r, k.into());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_order_as_key_then_number_through_new_projects() {
        let mut ids = IdKeys::default();
        for (i, (k, n)) in [("B", 2), ("B", 10), ("A", 3), ("C", 1)]
            .into_iter()
            .enumerate()
        {
            ids.set(i, k, n);
        }
        ids.set(4, "AB", 7);
        ids.set(1, "B", 1);
        let all = [("B", 2), ("B", 1), ("A", 3), ("C", 1), ("AB", 7)];
        for (i, a) in all.iter().enumerate() {
            for (j, b) in all.iter().enumerate() {
                assert_eq!(ids.get(i).cmp(&ids.get(j)), a.cmp(b), "{a:?} {b:?}");
                assert_eq!(ids.key(i), a.0);
            }
        }
    }
}
