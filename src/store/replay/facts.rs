//! What the log says the tables hold: each event applied, in seq order, to a compact
//! model of people, projects, items (with every approval ever recorded) and tasks.
//! Nothing here reads the database; an event arrives as its columns and its payload
//! text, so the same code serves `audit verify` and unit tests.
//!
//! Every kind of event that changes a table is applied here, and an event of a kind
//! this module does not know is a problem: a new kind of change must be taught to the
//! replay before the log can vouch for it.

use crate::domain::model::{parse_item_id, parse_task_id};
use crate::domain::{Capacity, ItemFields, Method, State};
use chrono::{DateTime, Utc};
pub use routing::RoutingFacts;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

mod extension;
pub mod life;
mod task_moves;

/// Kinds that record something but change no table.
pub const NO_TABLE_CHANGE: [&str; 2] = ["unsafe-attempt", "chain-keyed"];

/// A registered person as the log has them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFacts {
    pub name: String,
    /// As stored: role names joined by commas.
    pub roles: String,
    pub created_at: String,
    /// False once deactivated; registering them again makes them active.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A project as the log has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectFacts {
    pub name: String,
    pub client: String,
    pub start_date: String,
    pub tz: String,
    pub coordinator: String,
    pub closed_at: Option<String>,
    /// The start readiness stays frozen at, once moved after it was reached.
    #[serde(default)]
    pub frozen_start: Option<String>,
    pub next_item: i64,
    pub next_task: i64,
    pub created_at: String,
}

/// One approval as recorded (approvals of lapsed rounds stay in the table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalFacts {
    pub round: i64,
    pub login: String,
    pub capacity: Capacity,
    pub conditions: Option<String>,
    pub at: String,
    /// The structured conditions as stored (JSON), schema 7.
    #[serde(default)]
    pub terms: Option<String>,
}

/// An access item as the log has it: every stored column but the row id and the
/// derived `blocked_since`. Times are kept as the table stores them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFacts {
    pub fields: ItemFields,
    pub requester: String,
    pub state: State,
    pub state_since: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    pub round: i64,
    pub granted_method: Option<Method>,
    pub emergency: bool,
    pub emergency_by: Option<String>,
    pub retro_due: Option<String>,
    pub manual_block: Option<String>,
    pub last_reason: Option<String>,
    /// Who submitted or materially changed it in its current round.
    #[serde(default)]
    pub parties: Vec<String>,
    #[serde(default)]
    pub approvals: Vec<ApprovalFacts>,
    /// `due` or `done` (see `domain::lifecycle::Rotation`).
    #[serde(default)]
    pub rotation: Option<String>,
    /// What an access review left on it, as stored (see `domain::review::ReviewMark`).
    #[serde(default)]
    pub review: Option<String>,
    /// A pending extension request, as `items.extension` stores it.
    #[serde(default)]
    pub extension: Option<crate::store::extend::StoredExtension>,
    /// Who granted it, where its verification is recorded, and the decisions of the
    /// round handed on (schema 7; absent from older baselines).
    #[serde(flatten)]
    pub routing: RoutingFacts,
    /// When it entered each state and left (schema 16), from the whole log.
    #[serde(skip)]
    pub life: Option<Box<life::Life>>,
    /// The seq of the last event that changed this item (for messages).
    #[serde(skip)]
    pub last_seq: i64,
}

/// A task as the log has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFacts {
    pub title: String,
    pub start_date: Option<String>,
    pub created_at: String,
    /// Ids of the items it needs (`ACME-3`).
    pub needs: BTreeSet<String>,
    /// The days work started and was done (schema 13; absent from older baselines).
    #[serde(default)]
    pub started_on: Option<String>,
    #[serde(default)]
    pub done_on: Option<String>,
}

/// Everything the replay knows, keyed as people name rows: login, project key, item
/// id (`ACME-3`), task id (`ACME-T1`).
#[derive(Debug, Default)]
pub struct Facts {
    pub people: HashMap<String, PersonFacts>,
    pub projects: HashMap<String, ProjectFacts>,
    /// Boxed: an item's facts are a few hundred bytes, and the map keeps room for
    /// more entries than it holds.
    pub items: HashMap<String, Box<ItemFacts>>,
    pub tasks: HashMap<String, TaskFacts>,
    /// Access review campaigns and their decisions.
    pub reviews: super::review_facts::ReviewFacts,
    /// The system catalogue.
    pub catalogue: super::catalogue_facts::CatalogueFacts,
    /// Templates and the templates projects were made from.
    pub templates: super::template_facts::TemplateFacts,
    /// Team settings.
    pub settings: super::settings_facts::SettingsFacts,
    /// Blocking spells that events ended.
    pub spells: super::spell_facts::SpellsFacts,
    /// Events the log itself contradicts (an edit whose old value is not the value
    /// replayed so far, a move on an item that was never added...).
    pub problems: Vec<String>,
}

pub use super::event::EventIn;

/// The payload fields the kinds of event carry; each kind reads its own. The field
/// values of `item-add` and `edit` are read by [`Added`] and [`Edited`].
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Payload {
    to: Option<State>,
    // person
    login: Option<String>,
    name: Option<String>,
    roles: Option<Vec<String>>,
    // project-add
    client: Option<String>,
    start: Option<String>,
    tz: Option<String>,
    coordinator: Option<String>,
    // moves
    capacity: Option<Capacity>,
    conditions: Option<String>,
    reason: Option<String>,
    method: Option<Method>,
    retro_due: Option<DateTime<Utc>>,
    // verify, delegate
    reference: Option<String>,
    from: Option<String>,
    delegate: Option<String>,
    granted_by: Option<String>,
    // approve with structured conditions: the conditions, and the item fields they set;
    // project-edit: the project fields it set (`{"start": [old, new]}`)
    terms: Option<crate::domain::conditions::ConditionFields>,
    fields: Option<serde_json::Map<String, Value>>,
    // task-add
    task: Option<String>,
    title: Option<String>,
    needs: Option<Vec<String>>,
    // baseline
    table: Option<String>,
    key: Option<String>,
    row: Option<Value>,
    // project-edit (its `fields` are read like an approval's, above)
    frozen_start: Option<String>,
    // unsafe-attempt: set on those that marked the item (see `changes_no_table`)
    rotation: Option<String>,
}

/// An `item-add` payload: its state and the new item's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Added {
    to: Option<State>,
    fields: AddedFields,
}

/// An `edit` payload: each changed field as `[old, new]`, and the state when the edit
/// sent the item back.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Edited {
    to: Option<State>,
    fields: Option<serde_json::Map<String, Value>>,
    /// The material changes, when there were any (the editor becomes a party).
    material: Option<Vec<String>>,
}

/// Formats a time as the tables store it (RFC 3339, UTC, microseconds).
fn stored_time(t: DateTime<Utc>) -> String {
    super::super::events::ts(t)
}

/// Applies an edit's `{"field": [old, new]}` changes to `fields`, naming any field
/// whose old value is not the one replayed so far.
fn apply_field_changes(
    fields: &mut ItemFields,
    changes: &serde_json::Map<String, Value>,
) -> Result<(), String> {
    let mut current = serde_json::to_value(&*fields).map_err(|e| e.to_string())?;
    let Value::Object(map) = &mut current else {
        return Err("fields are not an object".into());
    };
    for (k, pair) in changes {
        let (Some(old), Some(new)) = (pair.get(0), pair.get(1)) else {
            return Err(format!("its change of {k} is not [old, new]"));
        };
        let Some(slot) = map.get_mut(k) else {
            return Err(format!("it changes a field '{k}' that items do not have"));
        };
        if slot != old {
            return Err(format!(
                "it says {k} was {old}, but the events before it left {slot}"
            ));
        }
        *slot = new.clone();
    }
    *fields = serde_json::from_value(current).map_err(|e| format!("cannot read fields: {e}"))?;
    Ok(())
}

impl Facts {
    /// Applies one event. A problem with it is recorded, and the replay goes on.
    pub fn apply(&mut self, e: &EventIn<'_>) {
        let spell = self.spells.note(e);
        if let Err(why) = self.try_apply(e).and(spell) {
            self.problems
                .push(format!("event seq {} ({}): {why}", e.seq, e.kind));
        }
        self.note_life(e);
    }

    fn try_apply(&mut self, e: &EventIn<'_>) -> Result<(), String> {
        if changes_no_table(e) {
            return Ok(());
        }
        let unreadable = |err: serde_json::Error| format!("its payload cannot be read: {err}");
        // The two kinds that carry an item's fields are read into their own shapes.
        match e.kind {
            "item-add" => {
                return self.item_add(e, serde_json::from_str(e.payload).map_err(unreadable)?);
            }
            "edit" => return self.edit(e, serde_json::from_str(e.payload).map_err(unreadable)?),
            k if super::review_facts::KINDS.contains(&k) => return self.review(e),
            super::catalogue_facts::KIND => return self.catalogue.apply(e),
            super::settings_facts::KIND => return self.settings.apply(e),
            k if super::template_facts::KINDS.contains(&k) => {
                let projects = &self.projects;
                return self.templates.apply(e, |k| projects.contains_key(k));
            }
            crate::domain::undo::EVENT => {
                return self.undo(e, &serde_json::from_str(e.payload).map_err(unreadable)?);
            }
            k if task_moves::KINDS.contains(&k) => {
                let p: Value = serde_json::from_str(e.payload).map_err(unreadable)?;
                return task_moves::apply(&mut self.tasks, e, &p);
            }
            k if extension::KINDS.contains(&k) => {
                let p: Value = serde_json::from_str(e.payload).map_err(unreadable)?;
                let item = self.item_mut(e)?;
                extension::apply(item, e, &p)?;
                item.updated_at = e.at.to_string();
                item.version += 1;
                return Ok(());
            }
            _ => {}
        }
        let p: Payload = serde_json::from_str(e.payload).map_err(unreadable)?;
        match e.kind {
            "person" => self.person(e, p),
            "project-add" => self.project_add(e, p),
            "project-close" => {
                let project = self.project_mut(e)?;
                project.closed_at = Some(e.at.to_string());
                Ok(())
            }
            "project-reopen" => {
                self.project_mut(e)?.closed_at = None;
                Ok(())
            }
            "project-edit" => {
                let start = p.fields.as_ref().and_then(|f| f.get("start")?[1].as_str());
                let project = self.project_mut(e)?;
                project.start_date = start.ok_or("it names no new start")?.to_string();
                project.frozen_start = p.frozen_start;
                Ok(())
            }
            "task-add" => self.task_add(e, p),
            "person-deactivate" => self.person_deactivate(p.login),
            "baseline" => self.baseline(e, p),
            "submit" | "approve" | "deny" | "return" | "grant" | "verify" | "revoke" | "cancel"
            | "reopen" | "block" | "unblock" | "break-glass" | "close-retro" | "note"
            | "unsafe-attempt" | "rotated" | "delegate" => self.move_item(e, p),
            other => Err(format!(
                "the replay does not know events of kind '{other}', so it cannot vouch for the tables after it"
            )),
        }
    }

    fn person(&mut self, e: &EventIn<'_>, p: Payload) -> Result<(), String> {
        let login = p.login.ok_or("it names no login")?;
        let roles = p.roles.unwrap_or_default().join(",");
        let name = p.name.unwrap_or_default();
        match self.people.get_mut(&login) {
            // A change keeps the date the person was first registered.
            Some(known) => {
                known.name = name;
                known.roles = roles;
                known.active = true;
            }
            None => {
                self.people.insert(
                    login,
                    PersonFacts {
                        name,
                        roles,
                        created_at: e.at.to_string(),
                        active: true,
                    },
                );
            }
        }
        Ok(())
    }

    fn project_add(&mut self, e: &EventIn<'_>, p: Payload) -> Result<(), String> {
        let key = e.project.ok_or("it names no project")?.to_string();
        if self.projects.contains_key(&key) {
            return Err(format!("project {key} was added before"));
        }
        self.projects.insert(
            key,
            ProjectFacts {
                name: p.name.unwrap_or_default(),
                client: p.client.unwrap_or_default(),
                start_date: p.start.unwrap_or_default(),
                tz: p.tz.unwrap_or_default(),
                coordinator: p.coordinator.unwrap_or_default(),
                closed_at: None,
                frozen_start: None,
                next_item: 1,
                next_task: 1,
                created_at: e.at.to_string(),
            },
        );
        Ok(())
    }

    fn project_mut(&mut self, e: &EventIn<'_>) -> Result<&mut ProjectFacts, String> {
        let key = e.project.ok_or("it names no project")?;
        self.projects
            .get_mut(key)
            .ok_or_else(|| format!("project {key} was never added"))
    }

    fn item_add(&mut self, e: &EventIn<'_>, p: Added) -> Result<(), String> {
        let id = e.item.ok_or("it names no item")?;
        let (key, number) = parse_item_id(id).ok_or_else(|| format!("'{id}' is no item id"))?;
        let fields = ItemFields::from(p.fields);
        let project = self
            .projects
            .get_mut(&key)
            .ok_or_else(|| format!("project {key} was never added"))?;
        project.next_item = project.next_item.max(number + 1);
        if self.items.contains_key(id) {
            return Err(format!("{id} was added before"));
        }
        self.items.insert(
            id.to_string(),
            Box::new(ItemFacts {
                fields,
                requester: e.login.to_string(),
                state: p.to.unwrap_or(State::Needed),
                state_since: e.at.to_string(),
                created_at: e.at.to_string(),
                updated_at: e.at.to_string(),
                version: 1,
                round: 0,
                granted_method: None,
                emergency: false,
                emergency_by: None,
                retro_due: None,
                manual_block: None,
                last_reason: None,
                parties: Vec::new(),
                approvals: Vec::new(),
                rotation: None,
                review: None,
                extension: None,
                routing: RoutingFacts::default(),
                life: None,
                last_seq: e.seq,
            }),
        );
        Ok(())
    }

    fn task_add(&mut self, e: &EventIn<'_>, p: Payload) -> Result<(), String> {
        let id = p.task.ok_or("it names no task")?;
        let (_, number) = parse_task_id(&id).ok_or_else(|| format!("'{id}' is no task id"))?;
        let project = self.project_mut(e)?;
        project.next_task = project.next_task.max(number + 1);
        self.tasks.insert(
            id,
            TaskFacts {
                title: p.title.unwrap_or_default(),
                start_date: p.start,
                created_at: e.at.to_string(),
                needs: p.needs.unwrap_or_default().into_iter().collect(),
                started_on: None,
                done_on: None,
            },
        );
        Ok(())
    }

    fn item_mut(&mut self, e: &EventIn<'_>) -> Result<&mut ItemFacts, String> {
        let id = e.item.ok_or("it names no item")?;
        let item = self
            .items
            .get_mut(id)
            .ok_or_else(|| format!("{id} was never added"))?;
        item.last_seq = e.seq;
        Ok(item)
    }

    fn edit(&mut self, e: &EventIn<'_>, p: Edited) -> Result<(), String> {
        let item = self.item_mut(e)?;
        let changes = p.fields.ok_or(
            "it does not say which values it set (an edit recorded before values were logged)",
        )?;
        apply_field_changes(&mut item.fields, &changes)?;
        if let Some(to) = p.to {
            // A material change voided the approvals of the round.
            item.round += 1;
            item.parties.clear();
            item.routing.delegates.clear();
            item.state = to;
            item.state_since = e.at.to_string();
        }
        if p.material.is_some_and(|m| !m.is_empty()) {
            add_party(&mut item.parties, e.login);
        }
        item.updated_at = e.at.to_string();
        item.version += 1;
        Ok(())
    }

    /// An access review event: the review model changes, and so do the items' marks.
    fn review(&mut self, e: &EventIn<'_>) -> Result<(), String> {
        let (projects, items) = (&self.projects, &mut self.items);
        self.reviews.apply(
            e,
            |k| projects.contains_key(k),
            |c| {
                let it = items
                    .get_mut(&c.item)
                    .ok_or_else(|| format!("{} was never added", c.item))?;
                it.review = c.review;
                if let Some(at) = c.updated_at {
                    it.updated_at = at.to_string();
                }
                it.last_seq = e.seq;
                Ok(())
            },
        )
    }

    /// A row as it stood when the file was first opened by a version that logs values:
    /// the replay starts from these.
    fn baseline(&mut self, e: &EventIn<'_>, p: Payload) -> Result<(), String> {
        let table = p.table.ok_or("it names no table")?;
        let key = p.key.ok_or("it names no key")?;
        let row = p.row.ok_or("it holds no row")?;
        let bad = |err: serde_json::Error| format!("its {table} row cannot be read: {err}");
        match table.as_str() {
            "people" => {
                self.people
                    .insert(key, serde_json::from_value(row).map_err(bad)?);
            }
            "projects" => {
                self.projects
                    .insert(key, serde_json::from_value(row).map_err(bad)?);
            }
            "items" => {
                let mut item: Box<ItemFacts> = serde_json::from_value(row).map_err(bad)?;
                item.last_seq = e.seq;
                self.items.insert(key, item);
            }
            "tasks" => {
                self.tasks
                    .insert(key, serde_json::from_value(row).map_err(bad)?);
            }
            other => {
                return Err(format!(
                    "it names a table '{other}' the replay does not know"
                ));
            }
        }
        Ok(())
    }
}

fn at(e: &EventIn<'_>) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(e.at)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("its time '{}' cannot be read", e.at))
}

/// Does the event leave every table as it was? Unsafe attempts did until they began
/// to mark the item (their payload then says `"rotation": "due"`); older ones replay
/// as before.
fn changes_no_table(e: &EventIn<'_>) -> bool {
    if e.kind == "unsafe-attempt" {
        return !e.payload.contains("\"rotation\"")
            || serde_json::from_str::<Value>(e.payload)
                .map(|v| v["rotation"].is_null())
                .unwrap_or(true);
    }
    NO_TABLE_CHANGE.contains(&e.kind)
}

/// A new grant makes an earlier rotation not count (`lifecycle::on_grant`).
fn forget_rotation(item: &mut ItemFacts) {
    if item.rotation.as_deref() == Some("done") {
        item.rotation = None;
    }
}

/// Counts `login` among an item's parties once (as `Item::add_party` does).
fn add_party(parties: &mut Vec<String>, login: &str) {
    if !parties.iter().any(|p| p == login) {
        parties.reserve_exact(1);
        parties.push(login.to_string());
    }
}

mod added;
mod moves;
use added::AddedFields;
pub use added::added_fields;
mod routing;
#[cfg(test)]
mod tests;
mod undo;
