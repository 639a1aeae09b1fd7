//! The moves of the state machine as the replay applies them.

use super::{ApprovalFacts, apply_field_changes};
use super::{EventIn, Facts, Payload, add_party, at, forget_rotation, stored_time};
use crate::domain::machine::RETRO_HOURS;
use chrono::Duration;

impl Facts {
    /// A move of the state machine: what each sets besides the state (see
    /// `machine::apply`, which these mirror).
    pub(super) fn move_item(&mut self, e: &EventIn<'_>, p: Payload) -> Result<(), String> {
        let item = self.item_mut(e)?;
        match e.kind {
            "approve" => {
                // Most items get one or two approvals; a vector's first growth would
                // make room for four.
                item.approvals.reserve_exact(1);
                item.approvals.push(ApprovalFacts {
                    round: item.round,
                    login: e.login.to_string(),
                    capacity: p.capacity.ok_or("it names no capacity")?,
                    conditions: p.conditions.filter(|c| !c.trim().is_empty()),
                    at: e.at.to_string(),
                    terms: p
                        .terms
                        .map(|t| serde_json::to_string(&t).unwrap_or_default()),
                });
                // A condition's earlier end date is written to the item as it is approved.
                if let Some(changes) = &p.fields {
                    apply_field_changes(&mut item.fields, changes)?;
                }
            }
            "submit" => add_party(&mut item.parties, e.login),
            "deny" | "return" => {
                item.last_reason = p.reason;
                item.round += 1;
                item.parties.clear();
                item.routing.delegates.clear();
            }
            "reopen" => {
                item.round += 1;
                item.parties.clear();
                item.routing.delegates.clear();
            }
            "grant" => {
                item.granted_method = Some(p.method.ok_or("it names no method")?);
                // A grant logged before schema 7 names nobody, as its row does.
                if p.granted_by.is_some() {
                    item.routing.granted_by = p.granted_by.clone();
                }
                item.parties.clear();
                forget_rotation(item);
            }
            "verify" => {
                item.routing.verify_reference = p.reference.filter(|r| !r.trim().is_empty())
            }
            "delegate" => item.routing.hand_on(p.capacity, p.from, p.delegate)?,
            "block" => item.manual_block = Some(p.reason.unwrap_or_default()),
            "unblock" => item.manual_block = None,
            "break-glass" => {
                item.parties.clear();
                item.emergency = true;
                item.emergency_by = Some(e.login.to_string());
                // A grant logged before schema 7 names nobody, as its row does.
                if p.granted_by.is_some() {
                    item.routing.granted_by = p.granted_by.clone();
                }
                // Before the method was logged, it was the item's own.
                item.granted_method = p.method.or(item.fields.method);
                let due = match p.retro_due {
                    Some(d) => d,
                    None => at(e)? + Duration::hours(RETRO_HOURS),
                };
                item.retro_due = Some(stored_time(due));
                forget_rotation(item);
            }
            "unsafe-attempt" => item.rotation = p.rotation,
            "rotated" => item.rotation = Some("done".to_string()),
            "close-retro" => item.retro_due = None,
            // A waiting extension ends with the access.
            "revoke" => item.extension = None,
            _ => {}
        }
        if let Some(to) = p.to {
            item.state = to;
            item.state_since = e.at.to_string();
        }
        item.updated_at = e.at.to_string();
        item.version += 1;
        Ok(())
    }
}
