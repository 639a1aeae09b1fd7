//! Changing items: adding one, importing many, editing fields and making the moves of
//! the state machine. Each write loads what it needs inside its transaction, asks the
//! domain whether the change is allowed, and stores the result with its event.

use super::error::{Error, Result};
use super::events::{self, ts};
use super::handle::Store;
use super::intake::{
    Admission, CheckedRow, Known, Opening, RowCheck, RowWriter, Stamp, write_alongside,
};
use super::records::{check_approver, check_version, load_item, load_project, store_transition};
use crate::domain::blockers;
use crate::domain::machine::{self, Action};
use crate::domain::*;
use rusqlite::params;

impl Store {
    /// Adds a new item in `needed`, requested by the acting account.
    pub fn add_item(&mut self, project: &str, fields: ItemFields) -> Result<Item> {
        let key = project.to_ascii_uppercase();
        let row = self.row_check(&key, false)?.check(0, fields);
        let mut added = None;
        self.insert_items(
            &key,
            [row],
            false,
            |it| added = Some(it.clone()),
            &mut |_, _| Ok(()),
            &mut |_, _| Ok(()),
        )?;
        added.ok_or_else(|| Error::Invalid("the item was not added".to_string()))
    }

    /// How to check new items of `project` before they are written (see
    /// [`RowCheck`]), for rows read from a file when `from_file`.
    pub fn row_check(&self, project: &str, from_file: bool) -> Result<RowCheck> {
        let p = load_project(&self.conn, &project.to_ascii_uppercase())?;
        Ok(RowCheck {
            today: blockers::today(&p, self.now()),
            source: from_file.then_some("import"),
            standards: std::sync::Arc::new(super::catalogue::Standards::load(&self.conn, &p.key)?),
        })
    }

    /// Imports checked rows as new items in `needed`: all or nothing. `dry_run`
    /// checks everything and writes nothing.
    ///
    /// The rows may still be arriving (read and checked on another thread) while
    /// earlier ones are written. An `Err` among them ends the import: nothing is
    /// written and that error is returned.
    pub fn import_items<I>(&mut self, project: &str, rows: I, dry_run: bool) -> Result<usize>
    where
        I: IntoIterator<Item = Result<CheckedRow>>,
        I::IntoIter: Send,
    {
        let key = project.to_ascii_uppercase();
        let mut n = 0;
        if dry_run {
            let me = self.my_person()?;
            let p = load_project(&self.conn, &key)?;
            let admission = Admission::new(&p, me.as_ref(), &self.me.login, self.now())?;
            let mut known = Known::new();
            for row in rows {
                admission.admit(&self.conn, &row?, &mut known)?;
                n += 1;
            }
            return Ok(n);
        }
        self.insert_items(
            &key,
            rows,
            true,
            |_| n += 1,
            &mut |_, _| Ok(()),
            &mut |_, _| Ok(()),
        )?;
        Ok(n)
    }

    /// Writes checked new items in one transaction, handing each to `added`. With
    /// `alongside`, the items and events are made on a second thread while this one
    /// writes those before (for an import of many rows). `first` and `then` write what
    /// else the same transaction records before and after the items (a project made
    /// from a template, the template applied).
    pub(super) fn insert_items<I>(
        &mut self,
        key: &str,
        rows: I,
        alongside: bool,
        mut added: impl FnMut(&Item),
        then: &mut dyn FnMut(&rusqlite::Transaction<'_>, &super::handle::Ctx) -> Result<()>,
        first: &mut dyn FnMut(&rusqlite::Transaction<'_>, &super::handle::Ctx) -> Result<()>,
    ) -> Result<()>
    where
        I: IntoIterator<Item = Result<CheckedRow>>,
        I::IntoIter: Send,
    {
        let me = self.my_person()?;
        let login = self.me.login.clone();
        let key = key.to_string();
        let mut rows = rows.into_iter();
        self.write(Some(&key), None, |tx, ctx| {
            first(tx, ctx)?;
            let p = load_project(tx, &key)?;
            let admission = Admission::new(&p, me.as_ref(), &login, ctx.now)?;
            let next: i64 = tx.query_row(
                "SELECT next_item FROM projects WHERE key = ?1",
                [&key],
                |r| r.get(0),
            )?;
            let mut opening = Opening {
                stamp: Stamp {
                    key: p.key.clone(),
                    at: ts(ctx.now),
                    uid: i64::from(ctx.me.uid),
                    login: login.clone(),
                },
                p,
                next,
                head: events::Head::read(tx)?,
                now: ctx.now,
                settings: ctx.settings,
            };
            let mut writer = RowWriter::new(tx, admission, &opening)?;
            if alongside {
                write_alongside(&mut rows, opening, &mut writer, &mut added)?;
            } else {
                for row in rows.by_ref() {
                    let mut row = opening.prepare(row?);
                    writer.write(&mut row)?;
                    added(&row.item);
                }
            }
            tx.execute(
                "UPDATE projects SET next_item = ?1 WHERE key = ?2",
                params![writer.next(), key],
            )?;
            writer.finish()?;
            then(tx, ctx)
        })
    }

    /// Edits fields of an item, refusing when `version` is not the current one.
    pub fn edit_item(&mut self, id: &str, version: i64, patch: &ItemPatch) -> Result<Item> {
        let me = self.my_person()?;
        let login = self.me.login.clone();
        let (key, _) = parse_item_id(id).unwrap_or_default();
        self.write(Some(&key), Some(id), |tx, ctx| {
            let before = load_item(tx, id)?;
            check_version(&before, version, tx)?;
            let p = load_project(tx, &before.project)?;
            let fields = patch.apply(&before.fields);
            let today = blockers::today(&p, ctx.now);
            let standard = super::catalogue::Standards::load(tx, &p.key)?.of(&fields.system);
            let t = machine::edit_to_standard(
                (&before, &p),
                fields,
                &standard,
                me.as_ref(),
                &login,
                (ctx.now, today),
            )?;
            check_approver(tx, &t.item.fields, &before.requester)?;
            store_transition(tx, ctx, &p, &before, t)
        })
    }

    /// Makes a move on an item. With `expected_version`, a stale view is refused.
    pub fn act(
        &mut self,
        id: &str,
        action: &Action,
        expected_version: Option<i64>,
    ) -> Result<Item> {
        let me = self.my_person()?;
        let login = self.me.login.clone();
        let (key, _) = parse_item_id(id).unwrap_or_default();
        self.write(Some(&key), Some(id), |tx, ctx| {
            let before = load_item(tx, id)?;
            if let Some(v) = expected_version {
                check_version(&before, v, tx)?;
            }
            let p = load_project(tx, &before.project)?;
            super::lifecycle::before_move(tx, ctx, action)?;
            let t = machine::apply(&before, &p, action, me.as_ref(), &login, ctx.now)?;
            let after = store_transition(tx, ctx, &p, &before, t)?;
            super::lifecycle::after_move(tx, ctx, &p, action, after, me.as_ref())
        })
    }
}
