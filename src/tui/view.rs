//! Drawing the whole screen from the app state. Nothing here changes state: `draw`
//! reads the app and hands each part exactly what it draws.

use super::app::App;
use super::layout;
use super::panes;
use super::state::{Look, Modal, Pane};
use super::widgets;
use super::widgets::header::{Header, TabCounts};
use crate::store::ItemView;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

impl App {
    /// How things are drawn now.
    pub(crate) fn look(&self) -> Look<'_> {
        Look {
            theme: &self.theme,
            now: self.now,
            tz: self.tz,
            settings: self.store.settings(),
        }
    }

    /// What the detail view shows of `v` (its full item, see `App::selected`): the
    /// item, its project and tasks.
    pub(crate) fn subject<'a>(&'a self, v: &'a ItemView) -> panes::detail::Subject<'a> {
        panes::detail::Subject {
            v,
            project: self.project_of(&v.item),
            tasks: self
                .views
                .tasks_by_item
                .get(&v.item.id())
                .map(Vec::as_slice)
                .unwrap_or(&[]),
            people: &self.people,
            forecast: self.project_forecast(&v.item.project),
        }
    }

    /// Rows per pane for the tab line (`None` while the items load).
    pub(crate) fn tab_counts(&self) -> TabCounts {
        match self.loading() {
            true => None,
            false => Some(Pane::ALL.map(|p| match p {
                Pane::Reviews => self.open_reviews(),
                _ => self.pane_len(p),
            })),
        }
    }
}

/// Where a form goes: above the status area and footer, so a refusal shown there
/// is never hidden behind the form.
fn above_status(area: Rect, a: &layout::Areas) -> Rect {
    Rect {
        height: a.status.y.saturating_sub(area.y),
        ..area
    }
}

/// Draws the screen and places the cursor where text is being typed.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    frame.render_widget(app, area);
    if layout::too_small(area) {
        return;
    }
    let a = layout::split(area, app.status_lines());
    let cursor = match &app.modal {
        Some(Modal::Form(form)) => widgets::form::cursor(&app.theme, form, above_status(area, &a)),
        Some(Modal::Filter { input, .. }) => widgets::footer::filter_cursor(input, a.status),
        Some(Modal::Choose(c)) => widgets::chooser::cursor(c, area),
        _ => None,
    };
    if let Some(pos) = cursor {
        frame.set_cursor_position(pos);
    }
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if layout::too_small(area) {
            return too_small(self, area, buf);
        }
        let app = self;
        let look = app.look();
        let a = layout::split(area, app.status_lines());
        let header = Header {
            login: &app.login,
            me: app.me.as_ref(),
            stats: &app.views.stats,
            scope: app.scope.as_deref(),
            projects: &app.projects,
            queue: app.views.queue.len(),
            pending: app.pending,
            deriving: app.deriving,
            target: app.store.settings().readiness_target(),
            forecast: app.forecast_words(),
        };
        widgets::header::render(&look, &header, a.header, buf);
        let detail_id = app.detail.as_ref().map(|d| d.id.as_str());
        widgets::header::render_tabs(&look, &app.tab_counts(), app.pane, detail_id, a.tabs, buf);
        let cursor = |p: Pane| app.cursors[p.index()];
        match &app.detail {
            Some(d) => {
                let v = app.selected();
                let s = v.as_deref().map(|v| app.subject(v));
                panes::detail::render(&look, s, d, a.body, buf)
            }
            None => match app.pane {
                Pane::Tracker => {
                    let mut body = a.body;
                    let bar = app.personal.bar_lines();
                    if bar > 0 && body.height > bar {
                        let line = Rect {
                            height: bar,
                            ..body
                        };
                        widgets::viewbar::render(
                            &app.theme,
                            &app.saved_views(),
                            app.pending.is_none().then(|| app.views.count()),
                            app.loading(),
                            app.personal.current,
                            line,
                            buf,
                        );
                        body.y += bar;
                        body.height -= bar;
                    }
                    let t = panes::tracker::Tracker {
                        views: &app.views,
                        cursor: cursor(Pane::Tracker),
                        sort: app.sort,
                        reverse: app.sort_reverse,
                        filter: &app.filter,
                        pending: app.pending,
                        empty: super::empty::tracker(
                            app.views.count(),
                            &app.filter,
                            app.scope.as_deref(),
                            app.can_add(),
                        ),
                    };
                    panes::tracker::render(&look, &t, body, buf)
                }
                Pane::Queue => {
                    let why = super::empty::queue(app.me.as_ref(), app.scope.as_deref());
                    let picked: Vec<i64> = app.picked.iter().map(|p| p.rowid).collect();
                    let c = cursor(Pane::Queue);
                    panes::queue::render(
                        &look,
                        &app.views,
                        c,
                        (&app.login, &why),
                        &picked,
                        a.body,
                        buf,
                    )
                }
                Pane::Blockers => {
                    let why = super::empty::blockers(app.scope.as_deref());
                    panes::blockers::render(
                        &look,
                        &app.views,
                        cursor(Pane::Blockers),
                        &why,
                        a.body,
                        buf,
                    )
                }
                Pane::Dashboard => {
                    let d = panes::dashboard::Dashboard {
                        data: app.dashboard.as_ref(),
                        target: app.store.settings().readiness_target(),
                    };
                    panes::dashboard::render(&look, &d, a.body, buf)
                }
                Pane::Expiring => panes::expiring::render(
                    &look,
                    &app.views,
                    cursor(Pane::Expiring),
                    app.pending.or(app.deriving.then(|| app.views.count())),
                    a.body,
                    buf,
                ),
                Pane::Tasks => {
                    panes::tasks::render(&look, &app.tasks.rows, cursor(Pane::Tasks), a.body, buf)
                }
                Pane::Reviews => {
                    let r = panes::reviews::Reviews {
                        reviews: &app.reviews,
                        cursor: cursor(Pane::Reviews),
                        scope: app.scope.as_deref(),
                    };
                    panes::reviews::render(&look, &r, a.body, buf)
                }
            },
        }
        let filter = match &app.modal {
            Some(Modal::Filter { input, .. }) => Some(input),
            _ => None,
        };
        widgets::footer::render_status(&app.theme, filter, app.status.as_ref(), a.status, buf);
        let facts = app.facts();
        widgets::footer::render_footer(&app.theme, &facts, a.footer, buf);
        match &app.modal {
            Some(Modal::Help { scroll, catalogue }) => widgets::help::render(
                &app.theme,
                &facts,
                (*scroll, catalogue.as_deref()),
                area,
                buf,
            ),
            Some(Modal::Form(form)) => {
                widgets::form::render(&app.theme, form, above_status(area, &a), buf)
            }
            Some(Modal::Confirm(c)) => widgets::confirm::render(&app.theme, c, area, buf),
            Some(Modal::Notice {
                title,
                lines,
                scroll,
            }) => widgets::confirm::notice(&app.theme, title, lines, *scroll, area, buf),
            Some(Modal::Choose(c)) => widgets::chooser::render(&app.theme, c, area, buf),
            Some(Modal::Filter { .. }) | None => {}
        }
    }
}

/// Instead of drawing out of bounds: say so, as far as it fits.
fn too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let text = vec![
        Line::from(Span::styled("terminal too small", app.theme.warning)),
        Line::from(Span::styled(
            format!(
                "{}x{}, needs {}x{}",
                area.width,
                area.height,
                layout::MIN_WIDTH,
                layout::MIN_HEIGHT
            ),
            app.theme.muted,
        )),
    ];
    let y = area.y + area.height.saturating_sub(2) / 2;
    let rest = Rect {
        y,
        height: area.height - (y - area.y),
        ..area
    };
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .centered()
        .render(rest, buf);
}
