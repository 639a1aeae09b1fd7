//! Each loaded item's id as two numbers: its project's rank among the projects' keys in
//! order, and its number. Ordering items by id then compares integers held side by
//! side, not each item's key text through the item (a million items take some twenty
//! million comparisons to sort, each of which fetched two items from memory).

/// A map with a fast hash, for the one lookup per item.
type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

#[derive(Debug, Default)]
pub struct IdKeys {
    /// The projects' keys, in order: an item's rank indexes this.
    keys: Vec<Box<str>>,
    /// Per item (parallel to the item list): (rank of its project, number).
    ids: Vec<(u32, i64)>,
}

impl IdKeys {
    /// The keys of `items` (each a project key and a number), in the order given.
    pub fn build<'a>(items: impl Iterator<Item = (&'a str, i64)> + Clone) -> IdKeys {
        // Items come grouped by project: a key is looked up once per run of its items.
        let mut keys: Vec<Box<str>> = Vec::new();
        let mut seen: FastMap<&str, ()> = FastMap::default();
        let mut last = None;
        for (key, _) in items.clone() {
            if last != Some(key) && seen.insert(key, ()).is_none() {
                keys.push(key.into());
            }
            last = Some(key);
        }
        keys.sort_unstable();
        let rank: FastMap<&str, u32> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (&**k, i as u32))
            .collect();
        let mut last: Option<(&str, u32)> = None;
        let ids = items
            .map(|(key, n)| {
                let r = match last {
                    Some((k, r)) if k == key => r,
                    _ => rank.get(key).copied().unwrap_or(u32::MAX),
                };
                last = Some((key, r));
                (r, n)
            })
            .collect();
        IdKeys { keys, ids }
    }

    /// The id of item `i` as numbers.
    pub fn get(&self, i: usize) -> (u32, i64) {
        self.ids.get(i).copied().unwrap_or((u32::MAX, i64::MAX))
    }

    /// Sets item `i`'s id (appended when `i` is the next item). A project not seen
    /// before takes its place among the keys, and every item's rank follows.
    pub fn set(&mut self, i: usize, key: &str, number: i64) {
        let rank = match self.keys.binary_search_by(|k| (**k).cmp(key)) {
            Ok(r) => r as u32,
            Err(r) => {
                self.keys.insert(r, key.into());
                let r = r as u32;
                for id in &mut self.ids {
                    if id.0 >= r {
                        id.0 += 1;
                    }
                }
                r
            }
        };
        match i.cmp(&self.ids.len()) {
            std::cmp::Ordering::Less => self.ids[i] = (rank, number),
            _ => self.ids.push((rank, number)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_order_as_key_then_number_through_new_projects() {
        let items = [("B", 2), ("B", 10), ("A", 3), ("C", 1)];
        let mut ids = IdKeys::build(items.iter().map(|&(k, n)| (k, n)));
        ids.set(4, "AB", 7);
        ids.set(1, "B", 1);
        let all = [("B", 2), ("B", 1), ("A", 3), ("C", 1), ("AB", 7)];
        for (i, a) in all.iter().enumerate() {
            for (j, b) in all.iter().enumerate() {
                assert_eq!(ids.get(i).cmp(&ids.get(j)), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }
}
