//! How the threads of [`Snapshot::fold_on`](super::Snapshot::fold_on) share a table's
//! rows, and what each is asked to do with them ([`Fold`]).
//!
//! A range of row ids is read by one thread, from its first row up, or by two that
//! meet: one reads up from the first row, the other down from the last, each claiming
//! the next [`CLAIM_IDS`] row ids (fewer for a fold whose rows hold many items: see
//! [`Fold::claim_ids`]) under a lock before it reads them, until one meets the
//! other's claim. Halves fixed beforehand left the whole command waiting for the
//! slower thread when the host gave one of them less time (at 100,000 items the two
//! halves of the report's pass ended 3 to 23 ms apart); meeting where they meet, the
//! faster reads more.

use super::super::error::Result;
use rusqlite::types::Value;
use rusqlite::{Connection, Row};
use std::borrow::Cow;
use std::sync::Mutex;

/// Row ids a thread of a meeting pair claims at a time: small enough that the two
/// meet within a few milliseconds' work of each other, large enough that the lock is
/// taken a few hundred times over a million rows.
pub(crate) const CLAIM_IDS: i64 = 2048;

/// Which way a part's rows come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Way {
    /// In ascending order of row id.
    Up,
    /// In descending order of row id: the part of the higher ids of a range two
    /// threads read ([`Fold::BOTH_ENDS`]), put in ascending order by [`Fold::done`].
    Down,
}

/// What a part of [`Snapshot::fold_on`](super::Snapshot::fold_on) is told of its
/// range: about how many rows it and all of them hold (row ids, gaps counted; the most
/// it may read when it shares its range), and which way its rows come.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Share {
    pub rows: usize,
    pub all_rows: usize,
    pub way: Way,
}

/// The rows of a table folded into parts, one per thread (see the module's header).
pub(crate) trait Fold: Sync {
    type Part: Send;

    /// Whether two threads may read one range from both ends: the parts take their
    /// rows in either order ([`Share::way`]), and [`Fold::done`] puts a part read down
    /// in ascending order, so that the parts merged in their order fold what one
    /// reader would have.
    const BOTH_ENDS: bool = false;

    /// The row id of a row of the fold's SQL.
    fn row_id(&self, r: &Row<'_>) -> i64;

    /// Row ids a thread of a meeting pair claims at a time: [`CLAIM_IDS`], or fewer
    /// when each row holds many of what the fold reads.
    fn claim_ids(&self) -> i64 {
        CLAIM_IDS
    }

    /// An empty part for the range of ids `first..=last`, made on its thread's
    /// connection (which it may read first).
    fn part(&self, c: &Connection, share: Share, range: (i64, i64)) -> Result<Self::Part>;

    /// The rows of ids `first..=last` are the part's to read next (in its way): its
    /// whole range at once when its thread reads it alone, a claim at a time when two
    /// threads meet. Called before the first of those rows.
    fn claimed(&self, _part: &mut Self::Part, _c: &Connection, _ids: (i64, i64)) -> Result<()> {
        Ok(())
    }

    /// Adds a row, with its row id when the thread read it already (two threads
    /// that meet read each row's first); it may read the thread's connection
    /// meanwhile.
    fn add(
        &self,
        part: &mut Self::Part,
        c: &Connection,
        r: &Row<'_>,
        id: Option<i64>,
    ) -> Result<()>;

    /// The part's last row was added (on its thread).
    fn done(&self, _part: &mut Self::Part, _share: Share) {}
}

/// The claims of two threads reading one range from both ends: the one reading up
/// owns every id below `up_to`, the one reading down every id above `down_to`; the
/// ids in between are nobody's yet.
pub(crate) struct Meeting {
    bounds: Mutex<(i128, i128)>,
    /// Row ids claimed at a time.
    claim: i128,
}

impl Meeting {
    /// Nothing claimed of the range `first..=last`, claimed `claim` row ids at a time
    /// (at least one).
    pub(crate) fn of(first: i64, last: i64, claim: i64) -> Meeting {
        Meeting {
            bounds: Mutex::new((i128::from(first), i128::from(last))),
            claim: i128::from(claim.max(1)),
        }
    }

    /// The thread reading `way` met row `id`, outside what it claimed: the last id of
    /// its new claim (for `Down`, the lowest), or `None` when the other thread owns
    /// the row already (and every row past it).
    fn claim(&self, way: Way, id: i64) -> Option<i64> {
        // A thread that panicked while holding the lock left its claim whole.
        let mut b = self.bounds.lock().unwrap_or_else(|p| p.into_inner());
        let (up_to, down_to) = &mut *b;
        let id = i128::from(id);
        let end = match way {
            Way::Up if id <= *down_to => {
                *up_to = (id + self.claim).min(*down_to + 1);
                *up_to - 1
            }
            Way::Down if id >= *up_to => {
                *down_to = (id - self.claim).max(*up_to - 1);
                *down_to + 1
            }
            _ => return None,
        };
        // Within `first..=last`, which are `i64`.
        i64::try_from(end).ok()
    }
}

/// Reads the rows of `sql` (ids `?1..=?2`, in ascending order of row id, and `args`
/// as `?3`...) of the range `first..=last` into a new part: all of them, or with
/// `meeting`, those its thread claims (read down from the last when `share.way` is
/// `Down`).
pub(crate) fn read_range<F: Fold>(
    c: &Connection,
    fold: &F,
    (sql, args): (&str, &[Value]),
    (first, last): (i64, i64),
    share: Share,
    meeting: Option<&Meeting>,
) -> Result<F::Part> {
    let mut part = fold.part(c, share, (first, last))?;
    let sql = match share.way {
        Way::Up => Cow::Borrowed(sql),
        Way::Down => Cow::Owned(format!("{sql} DESC")),
    };
    let mut stmt = c.prepare(&sql)?;
    let bounds = [Value::Integer(first), Value::Integer(last)];
    let mut rows = stmt.query(rusqlite::params_from_iter(bounds.iter().chain(args)))?;
    let Some(meeting) = meeting else {
        fold.claimed(&mut part, c, (first, last))?;
        while let Some(r) = rows.next()? {
            fold.add(&mut part, c, r, None)?;
        }
        fold.done(&mut part, share);
        return Ok(part);
    };
    // The far end of the current claim (none before the first).
    let mut claim: Option<i64> = None;
    while let Some(r) = rows.next()? {
        let id = fold.row_id(r);
        let outside = claim.is_none_or(|end| match share.way {
            Way::Up => id > end,
            Way::Down => id < end,
        });
        if outside {
            let Some(end) = meeting.claim(share.way, id) else {
                break;
            };
            claim = Some(end);
            let ids = match share.way {
                Way::Up => (id, end),
                Way::Down => (end, id),
            };
            fold.claimed(&mut part, c, ids)?;
        }
        fold.add(&mut part, c, r, Some(id))?;
    }
    fold.done(&mut part, share);
    Ok(part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_claims_never_overlap_and_leave_no_gap() {
        let m = Meeting::of(1, 10_000, CLAIM_IDS);
        assert_eq!(m.claim(Way::Up, 1), Some(CLAIM_IDS));
        assert_eq!(m.claim(Way::Down, 10_000), Some(10_000 - CLAIM_IDS + 1));
        // Up's next row is past a gap of ids: its claim starts at that row.
        assert_eq!(m.claim(Way::Up, 3_000), Some(3_000 + CLAIM_IDS - 1));
        // Down's claim stops where Up's ends.
        assert_eq!(m.claim(Way::Down, 7_000), Some(3_000 + CLAIM_IDS));
        // Every id is someone's: each finds the other's claim next.
        assert_eq!(m.claim(Way::Down, 3_000 + CLAIM_IDS - 1), None);
        assert_eq!(m.claim(Way::Up, 3_000 + CLAIM_IDS), None);
    }

    #[test]
    fn claims_at_the_ends_of_the_id_space_do_not_overflow() {
        let m = Meeting::of(i64::MIN, i64::MAX, CLAIM_IDS);
        assert_eq!(m.claim(Way::Down, i64::MAX), Some(i64::MAX - CLAIM_IDS + 1));
        assert_eq!(m.claim(Way::Up, i64::MIN), Some(i64::MIN + CLAIM_IDS - 1));
        let m = Meeting::of(5, 5, CLAIM_IDS);
        assert_eq!(m.claim(Way::Down, 5), Some(5));
        assert_eq!(m.claim(Way::Up, 5), None);
    }
}
