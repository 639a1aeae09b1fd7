//! Readiness over time, for the dashboard's trend: ready / required at the end of each
//! day of a window, counted as the report counts readiness at an instant, from the
//! times each item's row keeps (added, first verified, revoked, cancelled; schema 16).

use super::super::error::Result;
use super::super::handle::Store;
use super::super::rows;
use super::Life;
use crate::domain::blockers::Readiness;
use chrono::{Duration, NaiveDate};

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
        let mut lives = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT created_at, verified_at, revoked_at, cancelled_at FROM items \
             WHERE (?1 IS NULL OR project = ?1)",
        )?;
        let mut rows = stmt.query([&key])?;
        while let Some(r) = rows.next()? {
            let at = |i| rows::time(r, i);
            lives.push(Life {
                added: at(0),
                verified: at(1),
                revoked: at(2),
                cancelled: at(3),
            });
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
            for l in &lives {
                l.count_at(end, &mut r);
            }
            out.push((day, (r.required > 0).then(|| r.finish().ratio)));
        }
        Ok(out)
    }
}
