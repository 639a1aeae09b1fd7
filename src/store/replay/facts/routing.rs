//! What schema 7 added to the replay: who granted an item, where its verification is
//! recorded, the decisions of its round handed on, and people deactivated.

use super::Facts;
use crate::domain::Capacity;
use crate::domain::routing::Delegate;
use serde::{Deserialize, Serialize};

/// The columns schema 7 added to items, as the log has them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RoutingFacts {
    pub granted_by: Option<String>,
    pub verify_reference: Option<String>,
    pub delegates: Vec<Delegate>,
}

impl RoutingFacts {
    /// A `delegate` event: one pending decision handed from one person to another.
    pub(super) fn hand_on(
        &mut self,
        capacity: Option<Capacity>,
        from: Option<String>,
        to: Option<String>,
    ) -> Result<(), String> {
        self.delegates.push(Delegate {
            capacity: capacity.ok_or("it names no capacity")?,
            from: from.ok_or("it names no one it was handed from")?,
            to: to.ok_or("it names no one it was handed to")?,
        });
        Ok(())
    }
}

impl Facts {
    /// A `person-deactivate` event: the person stays, inactive.
    pub(super) fn person_deactivate(&mut self, login: Option<String>) -> Result<(), String> {
        let login = login.ok_or("it names no login")?;
        let person = self
            .people
            .get_mut(&login)
            .ok_or_else(|| format!("{login} was never registered"))?;
        person.active = false;
        Ok(())
    }
}
