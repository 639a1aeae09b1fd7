//! stand-in until the CSV module lands
use crate::domain::ItemFields;
use crate::domain::refusal::{Rule, UnsafeAttempt};
use crate::store::ItemView;
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ImportError {
    pub line: usize,
    pub column: Option<String>,
    pub message: String,
    pub unsafe_attempt: Option<UnsafeAttempt>,
    pub rule: Option<Rule>,
}
pub fn parse_items(_input: impl std::io::Read) -> Result<Vec<(usize, ItemFields)>, ImportError> {
    Ok(vec![])
}
pub fn write_items(_items: &[ItemView], _out: impl std::io::Write) -> std::io::Result<()> {
    Ok(())
}
pub fn item_json(v: &ItemView) -> serde_json::Value {
    serde_json::json!({"id": v.item.id(), "project": v.item.project, "system": v.item.fields.system, "role": v.item.fields.role, "state": v.item.state, "flags": v.item.flags(), "blocking": v.blocking(), "blocker_reasons": v.reasons.iter().map(|r| r.to_string()).collect::<Vec<_>>(), "version": v.item.version})
}
pub fn items_json(items: &[ItemView]) -> serde_json::Value {
    serde_json::Value::Array(items.iter().map(item_json).collect())
}
