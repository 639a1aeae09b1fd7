//! `App::update`: the one place a message changes the state. Moving around, the
//! filter, the sort and the project live here; the moves on items and the forms are
//! in `actions.rs`.

use super::app::App;
use super::form::Form;
use super::keymap::Ctx;
use super::layout;
use super::msg::Msg;
use super::state::{Cursor, Detail, Filter, Modal, OnYes, Pane, StatusKind};
use super::{panes, widgets};
use crate::domain::State;
use crate::domain::machine::ActionKind;
use crossterm::event::Event as TermEvent;
use ratatui::layout::Rect;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

impl App {
    /// Applies one message: the only place state changes and the store is called.
    pub fn update(&mut self, msg: Msg) {
        let from_user = !matches!(msg, Msg::Tick(_) | Msg::Reload | Msg::Resize(..));
        let (pane_before, reviews_stale) = (self.pane, self.reviews_stale(&msg));
        if from_user {
            // A message stays until the next thing the person does.
            self.status = None;
        }
        if self.store.is_read_only() && super::read_only::writes(&msg) {
            return self.set_status(StatusKind::Refused, super::read_only::REFUSED);
        }
        match msg {
            Msg::Quit => self.quit = true,
            Msg::ShowPane(p) => {
                self.pane = p;
                self.detail = None;
            }
            Msg::NextPane => self.pane = self.pane.next(),
            Msg::PrevPane => self.pane = self.pane.prev(),
            Msg::Up => self.step(-1),
            Msg::Down => self.step(1),
            Msg::PageUp => self.step(-self.page()),
            Msg::PageDown => self.step(self.page()),
            Msg::Top => self.step(isize::MIN / 2),
            Msg::Bottom => self.step(isize::MAX / 2),
            Msg::OpenDetail => self.open_detail(),
            Msg::Back => {
                if matches!(self.modal, Some(Modal::Help { .. } | Modal::Notice { .. })) {
                    self.modal = None;
                } else {
                    self.detail = None;
                }
            }
            Msg::ToggleHelp => {
                self.modal = match self.modal {
                    Some(Modal::Help { .. } | Modal::Notice { .. }) => None,
                    _ => Some(Modal::Help {
                        scroll: 0,
                        catalogue: None,
                    }),
                }
            }
            Msg::StartFilter => {
                // The queue and the blockers have filters of their own.
                if !matches!(self.pane, Pane::Queue | Pane::Blockers) {
                    self.pane = Pane::Tracker;
                }
                let text = self.filter_text().clone();
                self.modal = Some(Modal::Filter {
                    input: Input::new(text.clone()),
                    previous: text,
                });
            }
            Msg::FilterInput(key) => {
                if let Some(Modal::Filter { input, .. }) = &mut self.modal {
                    input.handle_event(&TermEvent::Key(key));
                    let typed = input.value().to_string();
                    *self.filter_text() = typed;
                    self.apply_filter();
                }
            }
            Msg::ApplyFilter => self.modal = None,
            Msg::CancelFilter => {
                if let Some(Modal::Filter { previous, .. }) = self.modal.take() {
                    *self.filter_text() = previous;
                    self.apply_filter();
                }
            }
            Msg::ClearFilter => {
                match self.pane {
                    Pane::Queue | Pane::Blockers => self.filter_text().clear(),
                    _ => self.filter = Filter::default(),
                }
                self.apply_filter();
            }
            Msg::CycleStateFilter => {
                self.filter.state = match self.filter.state {
                    None => State::ALL.first().copied(),
                    Some(s) => State::ALL
                        .iter()
                        .position(|x| *x == s)
                        .and_then(|i| State::ALL.get(i + 1))
                        .copied(),
                };
                self.apply_filter();
                // A new state shows other items: start at the first of them.
                self.cursors[Pane::Tracker.index()] = Cursor::default();
            }
            Msg::CycleSort => {
                self.sort = self.sort.next();
                self.views.unsort();
                self.apply_filter();
            }
            Msg::ReverseSort => {
                self.sort_reverse = !self.sort_reverse;
                self.views.unsort();
                self.apply_filter();
            }
            Msg::CycleProject => self.cycle_project(),
            Msg::NextView => self.step_view(1),
            Msg::PrevView => self.step_view(-1),
            Msg::SaveView => self.save_view(),
            Msg::RemoveView => self.remove_view(),
            Msg::NewItem => self.new_item(),
            Msg::Act(kind) => self.start_move(kind, false),
            Msg::ApproveWithConditions => self.start_move(ActionKind::Approve, true),
            Msg::ProjectActions => self.open_project_actions(),
            Msg::ShowCatalogue => match self.store.systems() {
                Ok(list) => {
                    self.modal = Some(Modal::Help {
                        scroll: 0,
                        catalogue: Some(list),
                    })
                }
                Err(e) => self.set_status(StatusKind::Error, e.to_string()),
            },
            Msg::Delegate => self.start_delegate(),
            Msg::Explain(kind) => self.explain(kind),
            Msg::FormInput(key) => {
                if let Some(Modal::Form(f)) = &mut self.modal {
                    f.input(key);
                }
            }
            Msg::Paste(text) => match &mut self.modal {
                Some(Modal::Form(f)) => f.paste(&text),
                Some(Modal::Filter { input, .. }) => {
                    for c in text.chars().filter(|c| !c.is_control()) {
                        input.handle(tui_input::InputRequest::InsertChar(c));
                    }
                    let typed = input.value().to_string();
                    *self.filter_text() = typed;
                    self.apply_filter();
                }
                Some(Modal::Choose(c)) => {
                    for ch in text.chars().filter(|c| !c.is_control()) {
                        c.input.handle(tui_input::InputRequest::InsertChar(ch));
                    }
                    c.refilter();
                }
                _ => {}
            },
            Msg::FormNext => self.with_form(Form::next),
            Msg::FormPrev => self.with_form(Form::prev),
            Msg::FormCycle => self.with_form(|f| f.cycle(true)),
            Msg::FormCycleBack => self.with_form(|f| f.cycle(false)),
            Msg::FormSave => self.save_form(),
            Msg::FormCancel => {
                self.modal = None;
                self.set_status(StatusKind::Info, "Closed the form; nothing was saved.");
            }
            Msg::Confirm => {
                if let Some(Modal::Confirm(c)) = self.modal.take() {
                    match c.then {
                        OnYes::Move {
                            id,
                            version,
                            action,
                        } => self.run(&id, version, &action, c.form),
                        OnYes::Bulk {
                            kind,
                            action,
                            targets,
                        } => self.run_bulk(kind, &action, targets, Vec::new()),
                        OnYes::CloseProject(key) => self.close_project(&key),
                        OnYes::Review(ask) => self.run_review(ask),
                    }
                }
            }
            Msg::ConfirmCancel => self.cancel_confirm(),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                self.clamp_cursors();
            }
            Msg::Tick(now) => self.keeping_selection(|app| {
                app.now = now;
                // Rows only where a moment came (the panes derived again when one
                // changed); the header always (days to start).
                app.tick_blockers();
                let start = app.start_shown();
                app.views.derive_stats(start);
                app.clamp_cursors();
            }),
            Msg::Reload => self.refresh(),
            Msg::Click(x, y) => self.click(x, y),
            Msg::CopyNudge => self.copy_nudge(),
            Msg::CopyId => self.copy_id(),
            Msg::TogglePick => self.toggle_pick(),
            Msg::ClearPicks => self.clear_picks(),
            Msg::StartReview => self.ask_start_review(),
            Msg::ReviewDecide(d) => self.review_decide(d),
            Msg::ReviewCertifyStandard => self.ask_certify_standard(),
            Msg::ReviewCampaign(step) => self.show_campaign(step),
            Msg::OpenPicker => self.open_picker(),
            Msg::OpenPalette => self.open_palette(),
            Msg::ChooseInput(key) => self.choose_input(key),
            Msg::ChooseMove(step) => {
                if let Some(Modal::Choose(c)) = &mut self.modal {
                    c.step(step);
                }
            }
            Msg::ChooseRun => self.choose_run(),
            Msg::ChooseCancel => self.modal = None,
            Msg::Undo => self.undo_last(),
            Msg::UndoExpired => self.undo = None,
            Msg::CycleBlockerOrder => self.keeping_selection(|app| {
                app.views.blocker_order = app.views.blocker_order.next();
                app.views.derive_blockers(app.now);
            }),
            Msg::CycleQueueOrder => {
                self.views.queue_order = self.views.queue_order.next();
                self.keeping_selection(App::rederive);
            }
            Msg::TaskForm(step) => self.start_task_form(step),
        }
        if reviews_stale || (self.pane == Pane::Reviews && pane_before != Pane::Reviews) {
            self.load_reviews();
        }
        self.follow_dashboard();
        // The selected item as it is now, kept for the keys that act on it.
        let _ = self.selected();
    }

    /// The filter text `/` edits: the queue's or the blockers' own, else the tracker's.
    fn filter_text(&mut self) -> &mut String {
        match self.pane {
            Pane::Queue => &mut self.views.queue_text,
            Pane::Blockers => &mut self.views.blockers_text,
            _ => &mut self.filter.text,
        }
    }

    fn with_form(&mut self, f: impl FnOnce(&mut Form)) {
        if let Some(Modal::Form(form)) = &mut self.modal {
            f(form);
        }
    }

    fn page(&self) -> isize {
        let rows = match self.context() {
            Ctx::Detail | Ctx::Help => usize::from(self.areas().body.height.saturating_sub(2)),
            _ => self.visible_rows(self.pane),
        };
        isize::try_from(rows.max(1)).unwrap_or(1)
    }

    /// Moves the selection (or the scroll of the detail view or help) by `delta`.
    fn step(&mut self, delta: isize) {
        let clamp = |pos: usize, len: usize| -> usize {
            let p = pos.saturating_add_signed(delta);
            p.min(len.saturating_sub(1))
        };
        match self.context() {
            Ctx::Help => {
                let catalogue = match &self.modal {
                    Some(Modal::Help { catalogue, .. }) => catalogue.as_deref(),
                    _ => None,
                };
                let len = match catalogue {
                    Some(list) => {
                        widgets::help::catalogue_lines(&self.theme, list, self.size.0).len()
                    }
                    None => widgets::help::lines(&self.theme, &self.facts(), self.size.0).len(),
                };
                match &mut self.modal {
                    Some(Modal::Help { scroll, .. }) => *scroll = clamp(*scroll, len),
                    Some(Modal::Notice { lines, scroll, .. }) => {
                        *scroll = clamp(*scroll, lines.len());
                    }
                    _ => {}
                }
            }
            Ctx::Detail => {
                let len = self.detail_len();
                if let Some(d) = &mut self.detail {
                    d.scroll = clamp(d.scroll, len);
                }
            }
            _ => {
                let pane = self.pane;
                let len = self.pane_len(pane);
                let visible = self.visible_rows(pane);
                let c = &mut self.cursors[pane.index()];
                c.selected = clamp(c.selected, len);
                c.offset = layout::scroll_offset(c.offset, c.selected, visible, len);
            }
        }
    }

    /// Lines of the detail view at the current width (for scrolling).
    fn detail_len(&self) -> usize {
        let width = self.areas().body.width.saturating_sub(2);
        let Some(d) = &self.detail else { return 0 };
        let Some(v) = self.selected() else { return 0 };
        panes::detail::columns(&self.look(), self.subject(&v), d, width).len()
    }

    fn open_detail(&mut self) {
        if self.pane == Pane::Tasks && self.detail.is_none() {
            return self.open_task_detail();
        }
        let Some(v) = self.selected() else { return };
        let (rowid, id) = (v.item.rowid, v.item.id());
        let read = self.store.history(&id).and_then(|history| {
            let timeline = self.store.item_timeline(&id)?;
            Ok((history, timeline))
        });
        match read {
            Ok((history, timeline)) => {
                self.detail = Some(Detail {
                    rowid,
                    id,
                    scroll: 0,
                    history,
                    timeline,
                })
            }
            Err(e) => self.show_error(e),
        }
    }

    fn cycle_project(&mut self) {
        let keys: Vec<String> = self.projects.iter().map(|p| p.key.clone()).collect();
        self.scope = match &self.scope {
            None => keys.first().cloned(),
            Some(k) => keys
                .iter()
                .position(|x| x == k)
                .and_then(|i| keys.get(i + 1))
                .cloned(),
        };
        self.cursors = [Cursor::default(); Pane::COUNT];
        self.detail = None;
        // Picks belong to the queue that was shown.
        self.picked.clear();
        self.reload();
    }

    fn click(&mut self, x: u16, y: u16) {
        if self.modal.is_some() {
            return;
        }
        let a = self.areas();
        let inside = |r: Rect| x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height;
        if inside(a.tabs) {
            let detail = self.detail.as_ref().map(|d| d.id.as_str());
            if let Some(p) =
                widgets::header::tab_at(&self.tab_counts(), a.tabs.width, detail, x - a.tabs.x)
            {
                self.pane = p;
                self.detail = None;
            }
            return;
        }
        if self.detail.is_none() && inside(a.body) {
            let first = a.body.y + 2 + if self.pane == Pane::Blockers { 1 } else { 0 };
            if y < first {
                return;
            }
            let pane = self.pane;
            let len = self.pane_len(pane);
            let c = &mut self.cursors[pane.index()];
            let row = c.offset + usize::from(y - first);
            if row < len {
                c.selected = row;
            }
        }
    }
}
