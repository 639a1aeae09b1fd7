//! The fields of a new item as the `item-add` event records them.

use crate::domain::{ItemFields, Method};
use serde::Deserialize;
use serde_json::Value;

/// The fields of a new item as `item-add` records them. Two shapes are in use: the
/// ordinary one leaves out every field that is empty, `false` or none; the bulk
/// loader's writes every field, with `null` for none. Both read the same way: what is
/// absent or `null` takes its empty value. A name items do not have is refused, so a
/// field added to items without being added here fails the tests.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(super) struct AddedFields {
    system: Option<String>,
    purpose: Option<String>,
    role: Option<String>,
    holder: Option<String>,
    credential_owner: Option<String>,
    approver: Option<String>,
    method: Option<Method>,
    temporary: Option<bool>,
    expires: Option<chrono::NaiveDate>,
    deprovision: Option<crate::domain::Deprovision>,
    privileged: Option<bool>,
    shared_credential: Option<bool>,
    client_owned: Option<bool>,
    exception: Option<crate::domain::Exception>,
    needed_by: Option<chrono::NaiveDate>,
    notes: Option<String>,
    above_standard: Option<bool>,
    justification: Option<String>,
}

impl From<AddedFields> for ItemFields {
    fn from(a: AddedFields) -> ItemFields {
        ItemFields {
            system: a.system.unwrap_or_default(),
            purpose: a.purpose.unwrap_or_default(),
            role: a.role.unwrap_or_default(),
            holder: a.holder,
            credential_owner: a.credential_owner.unwrap_or_default(),
            approver: a.approver.unwrap_or_default(),
            method: a.method,
            temporary: a.temporary.unwrap_or_default(),
            expires: a.expires,
            deprovision: a.deprovision,
            privileged: a.privileged.unwrap_or_default(),
            shared_credential: a.shared_credential.unwrap_or_default(),
            client_owned: a.client_owned.unwrap_or_default(),
            exception: a.exception.map(Box::new),
            needed_by: a.needed_by,
            notes: a.notes.unwrap_or_default(),
            above_standard: a.above_standard.unwrap_or_default(),
            justification: a.justification.map(Into::into),
        }
    }
}

/// Reads the fields of an `item-add` payload (either shape, see `AddedFields`).
pub fn added_fields(v: &Value) -> Result<ItemFields, String> {
    AddedFields::deserialize(v)
        .map(ItemFields::from)
        .map_err(|e| format!("its fields cannot be read: {e}"))
}
