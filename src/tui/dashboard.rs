//! The dashboard's data (pane `4`): the report of the projects in view (readiness,
//! blocker ages, stage durations, forecasts) and the readiness trend over the pilot
//! window. It is the report the CLI prints, read again after each change while it is
//! wanted: always when the items are few, else while the pane shows (at a hundred
//! thousand items a report costs a fraction of a second, too much for every change
//! seen from another pane).

use super::app::App;
use super::state::{DashboardData, Pane, StatusKind};

/// Up to this many items the dashboard (and the forecast in the header) follows every
/// change; above it, only while the dashboard shows.
const FOLLOW_ALWAYS_UP_TO: usize = 20_000;

impl App {
    fn dashboard_wanted(&self) -> bool {
        self.pane == Pane::Dashboard || self.views.count() <= FOLLOW_ALWAYS_UP_TO
    }

    /// Marks the dashboard as behind the items (they were loaded again).
    pub(super) fn dashboard_behind(&mut self) {
        if let Some(d) = &mut self.dashboard {
            d.stale = true;
        }
    }

    /// Reads the dashboard again when it is wanted and behind (or of another scope).
    pub(super) fn follow_dashboard(&mut self) {
        if self.loading() || !self.dashboard_wanted() {
            return;
        }
        let current = self
            .dashboard
            .as_ref()
            .is_some_and(|d| !d.stale && d.scope == self.scope);
        if current {
            return;
        }
        let scope = self.scope.clone();
        let window_days = self.store.settings().pilot_window_days;
        let read = self.store.report(scope.as_deref()).and_then(|report| {
            let trend = self.store.readiness_trend(scope.as_deref(), window_days)?;
            Ok((report, trend))
        });
        match read {
            Ok((report, trend)) => {
                self.dashboard = Some(DashboardData {
                    report,
                    trend,
                    window_days,
                    scope,
                    stale: false,
                })
            }
            Err(e) => self.set_status(
                StatusKind::Error,
                format!("could not read the dashboard: {e}"),
            ),
        }
    }

    /// The forecast of one project, for the detail view.
    pub(crate) fn project_forecast(&self, key: &str) -> Option<&str> {
        let d = self.dashboard.as_ref()?;
        d.report
            .projects
            .iter()
            .find(|m| m.key.as_deref() == Some(key))
            .map(|m| m.outlook.forecast.as_str())
    }

    /// The forecast of the project in view (or overall), for the header.
    pub(crate) fn forecast_words(&self) -> Option<String> {
        let d = self.dashboard.as_ref().filter(|d| d.scope == self.scope)?;
        let m = match &self.scope {
            Some(_) => d.report.projects.first()?,
            None => &d.report.overall,
        };
        (!m.outlook.forecast.is_empty()).then(|| m.outlook.forecast.clone())
    }
}
