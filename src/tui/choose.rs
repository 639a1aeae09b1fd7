//! Opening and running the project picker (`p`) and the command palette (`:`). The
//! picker lists "All projects" and every project; the palette lists every action the
//! key table offers where it was opened (each runs exactly what its key sends) and,
//! once something is typed, the items by id and system.

use super::app::App;
use super::chooser::{Chooser, Entry, Kind, Target};
use super::keymap;
use super::msg::Msg;
use super::state::{Cursor, Modal, Pane};
use crossterm::event::{Event as TermEvent, KeyEvent};
use tui_input::backend::crossterm::EventHandler;

/// Messages the palette does not list: moving around and the overlays it replaces.
fn listed(msg: &Msg) -> bool {
    !matches!(
        msg,
        Msg::Up
            | Msg::Down
            | Msg::PageUp
            | Msg::PageDown
            | Msg::Top
            | Msg::Bottom
            | Msg::OpenPalette
            | Msg::Back
    )
}

impl App {
    pub(super) fn open_picker(&mut self) {
        let mut entries = vec![Entry {
            label: "All projects".to_string(),
            hint: format!("{} projects", self.projects.len()),
            target: Target::Project(None),
        }];
        entries.extend(self.projects.iter().map(|p| Entry {
            label: format!("{} {}", p.key, super::format::clean(&p.name)),
            hint: format!(
                "{} · starts {}{}",
                super::format::clean(&p.client),
                p.start,
                if p.closed_at.is_some() {
                    " · closed"
                } else {
                    ""
                }
            ),
            target: Target::Project(Some(p.key.clone())),
        }));
        // With nothing typed, the project after the one shown is selected: `p` Enter
        // steps through them as `p` once did.
        let at = match &self.scope {
            None => 0,
            Some(k) => self.project_ix.get(k).map_or(0, |&i| i + 1),
        };
        let next = (at + 1) % entries.len();
        self.modal = Some(Modal::Choose(Box::new(Chooser::new(
            Kind::Picker,
            entries,
            next,
        ))));
    }

    pub(super) fn open_palette(&mut self) {
        let facts = self.facts();
        let mut entries: Vec<Entry> = Vec::new();
        let mut seen: Vec<&Msg> = Vec::new();
        for (row, b) in keymap::TABLE.iter().enumerate() {
            let here = b.ctx.contains(&facts.base) && (b.when)(&facts);
            if !here || b.keys.is_empty() || !listed(&b.msg) || seen.contains(&&b.msg) {
                continue;
            }
            seen.push(&b.msg);
            entries.push(Entry {
                label: b.label.to_string(),
                hint: format!("{}  {}", b.shown, b.help),
                target: Target::Action(row),
            });
        }
        let searched: Vec<Entry> = self
            .views
            .rows()
            .map(|v| Entry {
                label: format!("{} {}", v.id(), super::format::clean(v.system())),
                hint: format!("{} · {}", v.state, super::format::clean(v.role())),
                target: Target::Item(v.rowid),
            })
            .collect();
        let mut c = Chooser::new(Kind::Palette, entries, 0);
        c.entries.extend(searched);
        self.modal = Some(Modal::Choose(Box::new(c)));
    }

    pub(super) fn choose_input(&mut self, key: KeyEvent) {
        if let Some(Modal::Choose(c)) = &mut self.modal {
            c.input.handle_event(&TermEvent::Key(key));
            c.refilter();
        }
    }

    /// Runs the chosen entry, after closing the chooser (an action then works where
    /// the chooser was opened).
    pub(super) fn choose_run(&mut self) {
        let Some(Modal::Choose(c)) = self.modal.take() else {
            return;
        };
        let Some(entry) = c.chosen().cloned() else {
            return self.set_status(
                super::state::StatusKind::Info,
                "Nothing matches what was typed; nothing was done.",
            );
        };
        match entry.target {
            Target::Project(key) => self.show_project(key),
            Target::Action(row) => {
                if let Some(b) = keymap::TABLE.get(row) {
                    self.update(b.msg.clone());
                }
            }
            Target::Item(rowid) => self.show_item(rowid),
        }
    }

    /// Shows project `key` (all projects for `None`), as the picker chooses it.
    pub(super) fn show_project(&mut self, key: Option<String>) {
        if key == self.scope {
            return;
        }
        self.scope = key;
        self.cursors = [Cursor::default(); Pane::COUNT];
        self.detail = None;
        // Picks belong to the queue that was shown.
        self.picked.clear();
        self.reload();
    }

    /// Opens the item of `rowid` in the detail view, from the tracker (its filter is
    /// cleared when it hides the item).
    fn show_item(&mut self, rowid: i64) {
        let Some(ix) = self.views.index_of(rowid) else {
            return;
        };
        self.pane = Pane::Tracker;
        self.detail = None;
        if self.views.position(Pane::Tracker, ix).is_none() {
            self.filter = super::state::Filter::default();
            self.apply_filter();
        }
        self.select_rowid(Pane::Tracker, rowid);
        self.clamp_cursors();
        self.update(Msg::OpenDetail);
    }
}
