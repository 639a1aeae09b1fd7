//! Handing a pending decision to someone else from the screen (`D`): whether it is
//! offered, its form, and saving it. The rule is the domain's (`domain::routing`).

use super::app::App;
use super::form::Form;
use super::keymap::Ctx;
use super::state::{Modal, StatusKind};
use crate::domain::routing;
use crate::present;

impl App {
    /// May the person hand a pending decision on the selected item on now?
    pub(super) fn may_delegate(&self) -> bool {
        if matches!(self.context(), Ctx::Form | Ctx::Filter | Ctx::Confirm) {
            return false;
        }
        let (Some(v), Some(me)) = (self.selected(), self.me.as_ref()) else {
            return false;
        };
        routing::may_hand_on(&v.item, me, &self.people.as_slice())
    }

    pub(super) fn start_delegate(&mut self) {
        let Some(item) = self.selected().map(|v| v.item.clone()) else {
            return self.set_status(StatusKind::Info, "No item is selected.");
        };
        if !self.may_delegate() {
            return self.set_status(
                StatusKind::Refused,
                format!(
                    "not offered (delegation): you hold no pending decision on {} to hand on",
                    item.id()
                ),
            );
        }
        self.modal = Some(Modal::Form(Box::new(Form::for_delegate(&item))));
    }

    pub(super) fn save_delegate(&mut self, form: Box<Form>, id: &str) {
        let to = form.value("to").unwrap_or_default().trim().to_string();
        let reason = form.value("reason").unwrap_or_default().trim().to_string();
        match self.store.delegate(id, &to, &reason) {
            Ok(item) => {
                let text = match item.delegates.last() {
                    Some(d) => format!(
                        "Handed the {} decision on {} to {}; approvals already given stay.",
                        d.capacity,
                        present::item_label(&item),
                        d.to
                    ),
                    None => format!("Handed on a decision on {}.", item.id()),
                };
                self.set_status(StatusKind::Done, text);
                self.refresh();
            }
            Err(e) => self.form_error(form, e),
        }
    }
}
