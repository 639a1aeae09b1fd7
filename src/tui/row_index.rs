//! Where each loaded item lies in the item list, by its row id. Row ids are handed
//! out in order, so nearly all of them fit a vector indexed by the row id: four bytes
//! an item and no hashing, where a hash map takes about five times the room. A row id
//! far past the others (a file edited by hand) goes to a small map instead, so the
//! vector never grows with a single large number.

use std::collections::HashMap;

/// Marks a row id without an item in the vector.
const NONE: u32 = u32::MAX;

#[derive(Debug, Default)]
pub struct RowIndex {
    dense: Vec<u32>,
    sparse: HashMap<i64, usize>,
    /// How many items the index is for (the vector may reach about twice as far).
    items: usize,
}

impl RowIndex {
    /// An empty index for about `n` items, read in one by one: room for row ids up
    /// to about `n` at once (grown a sixteenth at a time, the vector was copied a
    /// hundred times over on the way to a million).
    pub fn expecting(n: usize) -> RowIndex {
        RowIndex {
            items: n,
            dense: Vec::with_capacity(n + n / 16 + 1),
            ..RowIndex::default()
        }
    }

    /// How far past the items held the vector may reach.
    fn room(&self) -> usize {
        2 * self.items + 1024
    }

    pub fn insert(&mut self, rowid: i64, ix: usize) {
        self.items = self.items.max(ix + 1);
        let slot = usize::try_from(rowid).ok().filter(|&r| r < self.room());
        match (slot, u32::try_from(ix)) {
            (Some(r), Ok(i)) if i != NONE => {
                if r >= self.dense.len() {
                    // Row ids are mostly read in order: grown a little past the
                    // largest, not doubled.
                    let reach = (r + 1).max(self.dense.len() + self.dense.len() / 16);
                    self.dense.reserve_exact(reach - self.dense.len());
                    self.dense.resize(r + 1, NONE);
                }
                self.dense[r] = i;
            }
            _ => {
                self.sparse.insert(rowid, ix);
            }
        }
    }

    pub fn get(&self, rowid: i64) -> Option<usize> {
        let dense = usize::try_from(rowid)
            .ok()
            .and_then(|r| self.dense.get(r))
            .filter(|&&i| i != NONE)
            .map(|&i| i as usize);
        dense.or_else(|| self.sparse.get(&rowid).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_dense_sparse_and_missing_row_ids() {
        let mut ix = RowIndex::expecting(5);
        for (i, r) in [3_i64, 1, 2, 9_000_000_000, -4].into_iter().enumerate() {
            ix.insert(r, i);
        }
        assert_eq!(ix.get(3), Some(0));
        assert_eq!(ix.get(1), Some(1));
        assert_eq!(ix.get(2), Some(2));
        assert_eq!(ix.get(9_000_000_000), Some(3));
        assert_eq!(ix.get(-4), Some(4));
        assert_eq!(ix.get(0), None);
        assert_eq!(ix.get(7), None);
        assert!(
            ix.dense.len() <= 4,
            "the far row id stays out of the vector"
        );
        ix.insert(5, 5);
        ix.insert(2, 6);
        assert_eq!(ix.get(5), Some(5));
        assert_eq!(ix.get(2), Some(6));
        assert_eq!(ix.get(4), None);
    }
}
