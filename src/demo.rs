//! stand-in until the demo builder lands
use crate::identity::Identity;
use chrono::{DateTime, Utc};
use std::path::Path;
pub struct DemoSummary;
impl std::fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "demo")
    }
}
#[derive(Debug, thiserror::Error)]
#[error("demo not available")]
pub struct DemoError;
pub fn build(_path: &Path, _me: &Identity, _now: DateTime<Utc>) -> Result<DemoSummary, DemoError> {
    Err(DemoError)
}
