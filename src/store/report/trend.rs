//! Readiness over time, for the dashboard's trend: ready / required at the end of each
//! day of a window, from when each item was added (its row) and the events that make
//! it ready or take it out (verify, revoke, cancel: the indexed kinds of the measures).

use super::super::error::Result;
use super::super::handle::Store;
use super::super::lean::parse_at;
use super::counters_sql;
use super::figures::number_in;
use crate::domain::blockers::Readiness;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::HashMap;

/// One item's life as readiness sees it: added, and its verify/revoke/cancel moves.
struct Life {
    added: Option<DateTime<Utc>>,
    moves: Vec<(DateTime<Utc>, Move)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Move {
    Verify,
    Revoke,
    Cancel,
}

impl Life {
    /// Whether the item was required, and ready, at `t`.
    fn at(&self, t: DateTime<Utc>) -> (bool, bool) {
        if self.added.is_none_or(|a| a >= t) {
            return (false, false);
        }
        let mut ready = false;
        for &(at, m) in &self.moves {
            if at >= t {
                break;
            }
            match m {
                Move::Verify => ready = true,
                Move::Revoke => ready = false,
                Move::Cancel => return (false, false),
            }
        }
        (true, ready)
    }
}

impl Store {
    /// Readiness (0..1) at the end of each of the last `days` days (UTC), the last
    /// point being now; of one project or of all. `None` on a day nothing was required
    /// yet (a ratio of 1.0 there would read as "ready").
    pub fn readiness_trend(
        &self,
        project: Option<&str>,
        days: i64,
    ) -> Result<Vec<(NaiveDate, Option<f64>)>> {
        let key = project.map(str::to_ascii_uppercase);
        let mut lives: HashMap<(String, i64), Life> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT project, number, created_at FROM items WHERE (?1 IS NULL OR project = ?1)",
        )?;
        let mut rows = stmt.query([&key])?;
        while let Some(r) = rows.next()? {
            let added = r.get::<_, String>(2).ok().as_deref().and_then(parse_at);
            lives.insert(
                (r.get(0)?, r.get(1)?),
                Life {
                    added,
                    moves: Vec::new(),
                },
            );
        }
        let mut stmt = self.conn.prepare_cached(&counters_sql())?;
        let mut rows = stmt.query([&key])?;
        while let Some(r) = rows.next()? {
            let Some([p, item, kind, at]) = super::stages::four_texts(r)? else {
                continue;
            };
            let m = match kind.as_str() {
                "verify" => Move::Verify,
                "revoke" => Move::Revoke,
                "cancel" => Move::Cancel,
                _ => continue,
            };
            let (Some(n), Some(at)) = (number_in(&p, &item), parse_at(&at)) else {
                continue;
            };
            if let Some(l) = lives.get_mut(&(p, n)) {
                l.moves.push((at, m));
            }
        }
        for l in lives.values_mut() {
            l.moves.sort_by_key(|(at, _)| *at);
        }
        let now = self.now();
        let today = now.date_naive();
        let days = days.max(1);
        let mut out = Vec::new();
        for back in (0..days).rev() {
            let day = today - Duration::days(back);
            let end = if back == 0 {
                now
            } else {
                (day + Duration::days(1))
                    .and_hms_opt(0, 0, 0)
                    .map_or(now, |t| t.and_utc())
            };
            let mut r = Readiness::default();
            for l in lives.values() {
                let (required, ready) = l.at(end);
                r.required += usize::from(required);
                r.ready += usize::from(ready);
            }
            out.push((day, (r.required > 0).then(|| r.finish().ratio)));
        }
        Ok(out)
    }
}
