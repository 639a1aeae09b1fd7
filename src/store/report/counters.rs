//! The report's counts read from the log rather than the items: security decisions
//! (approvals given as security, denials and returns not undone) and unsafe credential
//! attempts, per project, over the report's period.

use super::super::error::Result;
use super::super::handle::Store;
use super::super::rows::parse_at;
use super::super::schema::{MEASURED_KINDS, SECURITY_DECISIONS};
use super::window::{self, Span, Spans, UNDONE};
use super::{Counters, Window};
use crate::domain::Project;
use std::collections::HashMap;

impl Store {
    /// Security decisions and unsafe credential attempts, per project (over a period,
    /// those made in it). Only deny/return payloads are read as JSON: they are few.
    /// With `approvals_counted`, the approvals given as security are left to the
    /// report's pass over the items (see `pass::Pass::security`).
    pub(super) fn counters(
        &self,
        project: Option<&str>,
        projects: &[Project],
        spans: &[Span],
        (w, approvals_counted): (Window, bool),
    ) -> Result<HashMap<String, Counters>> {
        let key = project.map(str::to_ascii_uppercase);
        let mut out: HashMap<String, Counters> = HashMap::new();
        let span_of: HashMap<&str, Span> = projects
            .iter()
            .zip(spans)
            .map(|(p, s)| (p.key.as_str(), *s))
            .collect();
        let mut stmt = self.conn.prepare_cached(&unsafe_attempts_sql())?;
        let mut rows = stmt.query([&key])?;
        while let Some(r) = rows.next()? {
            let Some(p) = r.get::<_, Option<String>>(0)? else {
                continue;
            };
            let counts = w.is_all()
                || r.get::<_, Option<String>>(1)?
                    .as_deref()
                    .and_then(parse_at)
                    .zip(span_of.get(p.as_str()))
                    .is_some_and(|(t, s)| s.holds(t));
            out.entry(p).or_default().unsafe_attempts += usize::from(counts);
        }
        if !w.is_all() {
            let spans: Spans = span_of.iter().map(|(k, s)| (k.to_string(), *s)).collect();
            for (p, (reviews, privileged, reported)) in
                window::decisions_in(&self.conn, key.as_deref(), &spans)?
            {
                let c = out.entry(p).or_default();
                (c.security_reviews, c.privileged_reviews, c.unsafe_reported) =
                    (reviews, privileged, reported);
            }
            return Ok(out);
        }
        // Security reviews, per project: approvals given as security, then denials and
        // returns decided as security. Each query yields (project, reviews, privileged).
        let approvals = (!approvals_counted).then(|| {
            "SELECT i.project, count(*), sum(i.privileged) FROM approvals a JOIN items i ON i.id = a.item_id \
             WHERE a.capacity = 'security' AND (?1 IS NULL OR i.project = ?1) GROUP BY i.project"
                .to_string()
        });
        for sql in approvals.into_iter().chain([security_decisions_sql()]) {
            let mut stmt = super::super::indexed::prepare(&self.conn, &sql)?;
            let mut rows = stmt.query([&key])?;
            while let Some(r) = rows.next()? {
                let c = out.entry(r.get(0)?).or_default();
                c.security_reviews += r.get::<_, i64>(1)? as usize;
                c.privileged_reviews += r.get::<_, i64>(2)? as usize;
            }
        }
        // Unsafe attempts recorded from outside say by which channel (few: read as JSON).
        let mut stmt = self.conn.prepare_cached(
            "SELECT project, count(*) FROM events WHERE kind = 'unsafe-attempt' AND project IS NOT NULL \
             AND json_valid(payload) AND json_extract(payload, '$.field') = 'channel' \
             AND (?1 IS NULL OR project = ?1) GROUP BY project",
        )?;
        let mut rows = stmt.query([&key])?;
        while let Some(r) = rows.next()? {
            out.entry(r.get(0)?).or_default().unsafe_reported += r.get::<_, i64>(1)? as usize;
        }
        Ok(out)
    }
}

/// The denials and returns decided as security and not undone, per project (one,
/// `?1`, or all): count and how many on privileged items, from the partial index
/// `events_security` (only their payloads are read).
pub(in crate::store) fn security_decisions_sql() -> String {
    format!(
        "SELECT project, count(*), sum(coalesce(json_extract(payload, '$.privileged'), 0)) FROM events \
         INDEXED BY events_security WHERE {SECURITY_DECISIONS} AND (?1 IS NULL OR project = ?1) \
         AND seq NOT IN ({UNDONE}) GROUP BY project"
    )
}

/// The unsafe credential attempts of one project (`?1`) or of all, from the partial
/// index `events_kind`.
pub(in crate::store) fn unsafe_attempts_sql() -> String {
    format!(
        "SELECT project, at FROM events \
         WHERE ({MEASURED_KINDS}) AND kind = 'unsafe-attempt' AND (?1 IS NULL OR project = ?1)"
    )
}
