//! Export: items as spreadsheet-safe CSV, and the one JSON shape of an item.

use super::{COLUMNS, needs_guard};
use crate::domain::blockers::Reason;
use crate::domain::model::{Deprovision, Method};
use crate::domain::text;
use crate::store::ItemView;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{Value, json};
use std::borrow::Cow;
use std::io::{self, Write};

/// Text made safe for a terminal or spreadsheet. In multi-line text the line feeds
/// and tabs the domain allows are kept, and only the pieces between them sanitised.
pub(super) fn clean(s: &str, multiline: bool) -> Cow<'_, str> {
    if !multiline || !s.contains(['\n', '\t']) {
        return text::sanitize(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut start = 0;
    for (i, c) in s.char_indices().filter(|(_, c)| matches!(c, '\n' | '\t')) {
        out.push_str(&text::sanitize(&s[start..i]));
        out.push(c);
        start = i + c.len_utf8();
    }
    out.push_str(&text::sanitize(&s[start..]));
    Cow::Owned(out)
}

/// Writes one cell, sanitised and formula-guarded, reusing `buf`.
pub(super) fn put<W: Write>(
    w: &mut csv::Writer<W>,
    buf: &mut String,
    value: &str,
    multiline: bool,
) -> csv::Result<()> {
    let value = clean(value, multiline);
    buf.clear();
    if needs_guard(&value) {
        buf.push('\'');
    }
    buf.push_str(&value);
    w.write_field(buf.as_bytes())
}

fn date_cell(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn bool_cell(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Writes `items` as CSV: the header ([`COLUMNS`]) and one row per item.
pub fn write_items(items: &[ItemView], out: impl Write) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(COLUMNS)?;
    let mut buf = String::new();
    for v in items {
        let it = &v.item;
        let f = &it.fields;
        let ex = f.exception.as_ref();
        let flags: Vec<&str> = it.flags().iter().map(|g| g.as_str()).collect();
        let reasons: Vec<String> = v.reasons.iter().map(Reason::to_string).collect();
        let conditions = crate::domain::conditions::summary(it).unwrap_or_default();
        let cells: [(Cow<'_, str>, bool); 31] = [
            (it.id().into(), false),
            (it.project.as_str().into(), false),
            (f.system.as_str().into(), false),
            (f.purpose.as_str().into(), false),
            (f.role.as_str().into(), false),
            (f.holder.as_deref().unwrap_or_default().into(), false),
            (f.credential_owner.as_str().into(), false),
            (f.approver.as_str().into(), false),
            (
                f.method.map(Method::as_str).unwrap_or_default().into(),
                false,
            ),
            (bool_cell(f.temporary).into(), false),
            (date_cell(f.expires).into(), false),
            (
                f.deprovision
                    .map(Deprovision::as_str)
                    .unwrap_or_default()
                    .into(),
                false,
            ),
            (bool_cell(f.privileged).into(), false),
            (bool_cell(f.shared_credential).into(), false),
            (bool_cell(f.client_owned).into(), false),
            (
                ex.map(|e| e.reason.as_str()).unwrap_or_default().into(),
                true,
            ),
            (
                ex.and_then(|e| e.owner.as_deref())
                    .unwrap_or_default()
                    .into(),
                false,
            ),
            (date_cell(ex.and_then(|e| e.expires)).into(), false),
            (date_cell(f.needed_by).into(), false),
            (f.notes.as_str().into(), true),
            (it.state.as_str().into(), false),
            (it.version.to_string().into(), false),
            (it.requester.as_str().into(), false),
            (flags.join(" ").into(), false),
            (bool_cell(v.blocking()).into(), false),
            (reasons.join("; ").into(), true),
            (time_text(it.created_at).into(), false),
            (time_text(it.updated_at).into(), false),
            (conditions.as_str().into(), true),
            (
                it.verify_reference.as_deref().unwrap_or_default().into(),
                false,
            ),
            (f.justification.as_deref().unwrap_or_default().into(), true),
        ];
        for (value, multiline) in &cells {
            put(&mut w, &mut buf, value, *multiline)?;
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()?;
    Ok(())
}

/// Structured conditions as JSON, every field present (`null`/`false` when not set).
fn terms_json(t: &crate::domain::conditions::ConditionFields) -> Value {
    json!({
        "expires_by": t.expires_by.map(|d| d.format("%Y-%m-%d").to_string()),
        "mfa": t.mfa,
        "read_only_first": t.read_only_first,
        "hours": t.hours.as_deref().map(|h| clean(h, false).into_owned()),
    })
}

/// The JSON shape of a list of items (an array of [`item_json`]).
pub fn items_json(items: &[ItemView]) -> Value {
    Value::Array(items.iter().map(item_json).collect())
}

/// The JSON shape of one item, shared by `item list --json`, `item show --json` and
/// `export --format json`. Fields may be added, never renamed (scripts depend on them).
/// Every string is sanitised.
pub fn item_json(v: &ItemView) -> Value {
    let it = &v.item;
    let f = &it.fields;
    let line = |s: &str| Value::String(clean(s, false).into_owned());
    let note = |s: &str| Value::String(clean(s, true).into_owned());
    let opt_line = |s: Option<&str>| s.map_or(Value::Null, line);
    let opt_note = |s: Option<&str>| s.map_or(Value::Null, note);
    let date = |d: Option<NaiveDate>| {
        d.map_or(Value::Null, |d| {
            Value::String(d.format("%Y-%m-%d").to_string())
        })
    };
    let time = |t: Option<DateTime<Utc>>| t.map_or(Value::Null, |t| Value::String(time_text(t)));
    let exception = f.exception.as_ref().map_or(Value::Null, |e| {
        json!({
            "reason": note(&e.reason),
            "owner": opt_line(e.owner.as_deref()),
            "expires": date(e.expires),
        })
    });
    let approval = |a: &crate::domain::Approval| {
        json!({
            "login": line(&a.login),
            "capacity": a.capacity.as_str(),
            "conditions": opt_note(a.conditions.as_deref()),
            "condition_fields": a.terms.as_deref().map_or(Value::Null, terms_json),
            "at": time_text(a.at),
        })
    };
    let approvals: Vec<Value> = it.approvals.iter().map(approval).collect();
    // A pending request to extend live access, decided like the item (null when none).
    let extension = it.extension.as_deref().map_or(Value::Null, |e| {
        json!({
            "expires": date(Some(e.expires)),
            "requested_by": line(&e.by),
            "requested_at": time_text(e.at),
            "reason": opt_note(e.reason.as_deref()),
            "approvals": e.approvals.iter().map(approval).collect::<Vec<_>>(),
            "missing_approvals": crate::domain::extension::missing_approvals(it)
                .iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        })
    });
    let delegates: Vec<Value> = it
        .delegates
        .iter()
        .map(|d| {
            json!({
                "capacity": d.capacity.as_str(),
                "from": line(&d.from),
                "to": line(&d.to),
            })
        })
        .collect();
    let mut j = json!({
        "id": line(&it.id()),
        "project": line(&it.project),
        "number": it.number,
        "system": line(&f.system),
        "purpose": line(&f.purpose),
        "role": line(&f.role),
        "holder": opt_line(f.holder.as_deref()),
        "credential_owner": line(&f.credential_owner),
        "approver": line(&f.approver),
        "requester": line(&it.requester),
        "method": f.method.map(Method::as_str),
        "granted_method": it.granted_method.map(Method::as_str),
        "temporary": f.temporary,
        "expires": date(f.expires),
        "deprovision": f.deprovision.map(Deprovision::as_str),
        "privileged": f.privileged,
        "shared_credential": f.shared_credential,
        "client_owned": f.client_owned,
        "exception": exception,
        "needed_by": date(f.needed_by),
        "notes": note(&f.notes),
        "state": it.state.as_str(),
        "state_since": time_text(it.state_since),
        "flags": it.flags().iter().map(|g| g.as_str()).collect::<Vec<_>>(),
        "emergency": it.emergency,
        "retro_due": time(it.retro_due),
        "rotation": it.rotation.map(|r| r.as_str()),
        "blocking": v.blocking(),
        "blocker_reasons": v.reasons.iter().map(|r| note(&r.to_string())).collect::<Vec<_>>(),
        "blocker_reason_codes": v.reasons.iter().map(Reason::code).collect::<Vec<_>>(),
        "blocked_since": time(v.blocked_since),
        "version": it.version,
        "approvals": approvals,
        "missing_approvals": it.missing_approvals().iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "manual_block": opt_note(it.manual_block.as_deref()),
        "last_reason": opt_note(it.last_reason.as_deref()),
        "created_at": time_text(it.created_at),
        "updated_at": time_text(it.updated_at),
        "extension": extension,
    });
    // Routing and fulfilment, added after the fields above.
    j["conditions"] = opt_note(crate::domain::conditions::summary(it).as_deref());
    j["condition_fields"] = terms_json(&crate::domain::conditions::merged(it));
    j["granted_by"] = opt_line(it.granted_by.as_deref());
    j["reference"] = opt_line(it.verify_reference.as_deref());
    j["justification"] = opt_note(it.fields.justification.as_deref());
    j["above_standard"] = json!(it.fields.above_standard);
    j["delegates"] = Value::Array(delegates);
    j
}
