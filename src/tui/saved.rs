//! Saved views over the tracker: which items each holds (counted when the items are
//! derived, never while drawing), switching between them (`[` and `]`), saving the
//! tracker's filter as a view (`V`) and removing the view shown (`Z`). What a person
//! may grant, verify or revoke, and whose decision an item waits on, is the domain's
//! to say: each row asked `machine::guard` as it was read (`item_row`), and a "my
//! work" view reads that answer and the approval queue.

use super::app::App;
use super::personal::{self, Personal};
use super::query::Query;
use super::state::{Pane, StatusKind};
use crate::config::{Config, Problem, ViewSpec, Work};
use crate::domain::{Capacity, State};
use chrono::Duration;
use std::collections::HashMap;

/// What one view asks, prepared once for a pass over every item.
struct Prepared<'a> {
    spec: &'a ViewSpec,
    query: Option<(Query, super::haystacks::Hits)>,
}

impl App {
    /// Takes the personal configuration: theme, keys, date format, views. Returns the
    /// problems found while applying it (a key conflict, an unknown action), which are
    /// also shown in the status line with the file's own problems.
    pub fn apply_config(&mut self, cfg: &Config) -> Vec<Problem> {
        self.theme = personal::theme(cfg.theme.value);
        super::format::set_date_format(&cfg.date_format.value);
        let (keys, problems) = personal::keys(cfg);
        let roles = self
            .me
            .as_ref()
            .map(|p| p.roles.clone())
            .unwrap_or_default();
        self.personal = Personal {
            keys,
            views: personal::views_for(cfg, &roles),
            current: 0,
            counts: Vec::new(),
            path: cfg.path.clone(),
        };
        let mut all: Vec<&Problem> = cfg.problems.iter().collect();
        all.extend(problems.iter());
        if let Some(first) = all.first() {
            let file = cfg.file_name();
            let text = if cfg.problems.is_empty() {
                format!("config {file}: {first}")
            } else {
                cfg.problem_summary().unwrap_or_default()
            };
            self.set_status(StatusKind::Refused, text);
        }
        if !self.loading() {
            self.rederive();
        }
        problems
    }

    /// The saved views and the item count of each (for tests and the bar).
    pub fn saved_views(&self) -> Vec<(String, usize)> {
        self.personal
            .views
            .iter()
            .zip(
                self.personal
                    .counts
                    .iter()
                    .copied()
                    .chain(std::iter::repeat(0)),
            )
            .map(|(v, n)| (v.name.clone(), n))
            .collect()
    }

    /// Counts every view's items and marks the items of the one in force for the
    /// tracker's filter: the items in ranges, each on its own thread on a large list
    /// (see [`super::spread`]).
    pub(super) fn derive_saved(&mut self) {
        if self.personal.views.is_empty() {
            self.views.view_mask = None;
            return;
        }
        let prepared: Vec<Prepared> = self
            .personal
            .views
            .iter()
            .map(|spec| Prepared {
                spec,
                query: spec.query.as_deref().map(|text| {
                    let q = Query::parse(text);
                    let hits = q.hits(self.views.haystacks());
                    (q, hits)
                }),
            })
            .collect();
        let current = self.personal.current.checked_sub(1);
        let judge = Judge {
            views: &self.views,
            now: self.now,
            login: &self.login,
            projects: &self.projects,
            project_ix: &self.project_ix,
        };
        let parts = super::spread::ranges(self.views.count(), self.views.spread_at, |range| {
            let mut counts = vec![0usize; prepared.len()];
            let mut mask = current.map(|_| Vec::with_capacity(range.len()));
            for ix in range {
                let mut marked = false;
                for (vi, p) in prepared.iter().enumerate() {
                    if judge.holds(p, ix) {
                        counts[vi] += 1;
                        marked |= Some(vi) == current;
                    }
                }
                if let Some(m) = mask.as_mut() {
                    m.push(marked);
                }
            }
            (counts, mask)
        });
        let mut counts = vec![0usize; prepared.len()];
        let mut mask = current.map(|_| Vec::with_capacity(self.views.count()));
        for (part_counts, part_mask) in parts {
            for (all, n) in counts.iter_mut().zip(part_counts) {
                *all += n;
            }
            if let (Some(m), Some(pm)) = (mask.as_mut(), part_mask) {
                m.extend(pm);
            }
        }
        self.personal.counts = counts;
        self.views.view_mask = mask;
    }

    /// Shows the next (`step` 1) or previous (-1) view; past the last comes "all".
    pub(super) fn step_view(&mut self, step: isize) {
        let n = self.personal.views.len() + 1;
        if n == 1 {
            self.set_status(
                StatusKind::Info,
                "No saved views: V saves the tracker's filter as one.",
            );
            return;
        }
        let cur = self.personal.current as isize;
        self.personal.current = (cur + step).rem_euclid(n as isize) as usize;
        self.pane = Pane::Tracker;
        self.detail = None;
        self.cursors[Pane::Tracker.index()] = Default::default();
        self.derive_saved();
        self.apply_filter();
        let name = self
            .personal
            .view()
            .map_or("every item".to_string(), |v| format!("view {}", v.name));
        self.set_status(
            StatusKind::Info,
            format!("Showing {name}: {} items.", self.views.tracker.len()),
        );
    }

    /// Saves the tracker's filter (typed text and chosen state) as a view in the
    /// configuration file, keeping its comments, and shows it.
    pub(super) fn save_view(&mut self) {
        let mut query = self.filter.text.trim().to_string();
        if let Some(s) = self.filter.state {
            query = format!("{query} state:{}", s.as_str()).trim().to_string();
        }
        if query.is_empty() {
            self.set_status(
                StatusKind::Refused,
                "Nothing to save: filter the tracker first (/ or f), then V saves that filter as a view.",
            );
            return;
        }
        let Some(path) = self.personal.path.clone() else {
            self.set_status(StatusKind::Error, "No configuration file to save views in.");
            return;
        };
        let spec = ViewSpec {
            name: query.clone(),
            query: Some(query.clone()),
            ..ViewSpec::default()
        };
        if let Err(e) = crate::config::edit::save_view(&path, &spec) {
            self.set_status(StatusKind::Error, e);
            return;
        }
        let at = match self.personal.views.iter().position(|v| v.name == spec.name) {
            Some(i) => {
                self.personal.views[i] = spec;
                i
            }
            None => {
                // Before the "my work" views, as in the file.
                let i = self
                    .personal
                    .views
                    .iter()
                    .position(|v| v.line == 0 && v.work.is_some())
                    .unwrap_or(self.personal.views.len());
                self.personal.views.insert(i, spec);
                i
            }
        };
        self.filter = Default::default();
        self.personal.current = at + 1;
        self.derive_saved();
        self.apply_filter();
        self.set_status(
            StatusKind::Done,
            format!(
                "Saved the view \"{query}\" in {} ({} items).",
                path.display(),
                self.views.tracker.len()
            ),
        );
    }

    /// Removes the view shown from the configuration file.
    pub(super) fn remove_view(&mut self) {
        let Some(view) = self.personal.view().cloned() else {
            self.set_status(
                StatusKind::Refused,
                "No saved view is shown: [ and ] choose one.",
            );
            return;
        };
        let Some(path) = self.personal.path.clone() else {
            self.set_status(
                StatusKind::Error,
                "No configuration file to remove views from.",
            );
            return;
        };
        match crate::config::edit::remove_view(&path, &view.name) {
            Ok(found) => {
                self.personal.views.retain(|v| v.name != view.name);
                self.personal.current = 0;
                self.derive_saved();
                self.apply_filter();
                let text = if found {
                    format!(
                        "Removed the view \"{}\" from {}.",
                        view.name,
                        path.display()
                    )
                } else {
                    format!(
                        "Hid the view \"{}\" (it is not in {}: it comes with your role).",
                        view.name,
                        path.display()
                    )
                };
                self.set_status(StatusKind::Done, text);
            }
            Err(e) => self.set_status(StatusKind::Error, e),
        }
    }
}

/// What a view's test of an item reads: the items (each knows in which capacity it
/// waits on the person), the clock, the person, the projects. It holds no handle to
/// the store, so ranges of items are judged on several threads at once.
struct Judge<'a> {
    views: &'a super::views::Views,
    now: chrono::DateTime<chrono::Utc>,
    login: &'a str,
    projects: &'a [crate::domain::Project],
    project_ix: &'a HashMap<String, usize>,
}

impl Judge<'_> {
    /// Whether item `ix` is in the view.
    fn holds(&self, p: &Prepared, ix: usize) -> bool {
        let Some(v) = self.views.get(ix) else {
            return false;
        };
        let s = p.spec;
        if !s.states.is_empty() && !s.states.contains(&v.state) {
            return false;
        }
        if s.project.as_ref().is_some_and(|k| *k != v.project()) {
            return false;
        }
        if !s.flags.is_empty() && !s.flags.iter().all(|f| v.has_flag(*f)) {
            return false;
        }
        if !s.blockers.is_empty()
            && !v
                .reasons
                .iter()
                .any(|r| s.blockers.iter().any(|b| b == r.code()))
        {
            return false;
        }
        match s.approver.as_deref() {
            Some("@me") if v.capacity.is_none() => return false,
            Some(a) if a != "@me" && !v.approver().eq_ignore_ascii_case(a) => return false,
            _ => {}
        }
        // The radar line each row took on its project's day, at any horizon.
        if let Some(days) = s.expiring_within_days
            && !v.ends().is_some_and(|(e, _)| e.within(i64::from(days)))
        {
            return false;
        }
        if let Some(days) = s.blocked_over_days {
            let old = v
                .blocked_since
                .is_some_and(|since| self.now - since > Duration::days(i64::from(days)));
            if !v.blocking() || !old {
                return false;
            }
        }
        if let Some(w) = s.work
            && !self.is_work(w, ix)
        {
            return false;
        }
        if let Some((q, hits)) = &p.query
            && !q.matches(&v, self.views.haystacks(), hits, ix)
        {
            return false;
        }
        true
    }

    /// Whether item `ix` is the person's work in that role (the domain decides).
    fn is_work(&self, w: Work, ix: usize) -> bool {
        let Some(v) = self.views.get(ix) else {
            return false;
        };
        match w {
            // What the state machine allows was asked as the row was read.
            Work::Support => v.support_work,
            // Worked out as the row was read (the queue's filter leaves it be).
            Work::Security => v.capacity == Some(Capacity::Security),
            // The project looked up only for the items the state leaves in.
            Work::Coordinator => {
                v.state == State::Needed
                    && self
                        .project_ix
                        .get(v.project())
                        .and_then(|&i| self.projects.get(i))
                        .is_some_and(|p| {
                            p.closed_at.is_none()
                                && (v.requester() == self.login || p.coordinator == self.login)
                        })
            }
        }
    }
}
