//! How a [`Measures`] is written: one JSON object of its own fields and of the blocks
//! flattened into it (the outlook, the closed spells), each key once, in the order of
//! the keys' bytes. That is the order a `serde_json` map (a `Value`) keeps, so an
//! object written straight from the measures reads the same as one written through a
//! `Value`, and the report of ten thousand projects is written without building one
//! per project. The objects nested in it write their fields in the same order (their
//! fields are declared so). The keys and their values are listed once
//! ([`Measures::fields`]): [`Serialize`] writes them through serde, and
//! [`Measures::write_pretty`] writes the bytes `serde_json`'s pretty printer would
//! (through `cli::safe_json`), straight: a project's object is most of the report's
//! output, and serde spent some twenty instructions on each of its bytes.

use super::Measures;
use super::forecast::StageSpreads;
use crate::domain::forecast::Spread;
use crate::domain::review;
use crate::domain::text::hidden;
use chrono::NaiveDate;
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::BTreeMap;
use std::io::Write;

/// One value of a measures object.
#[derive(Clone, Copy)]
enum Value<'a> {
    Count(usize),
    Int(i64),
    Number(f64),
    Flag(bool),
    Text(&'a str),
    Date(NaiveDate),
    Null,
    Counts(&'a BTreeMap<&'static str, usize>),
    Spreads(&'a StageSpreads),
    ByName(&'a BTreeMap<String, StageSpreads>),
    Reviews(&'a review::Measures),
}

impl Measures {
    /// Each key of the object with its value, in the order of the keys' bytes; a key
    /// with nothing to say (no project key, no start...) is left out.
    fn fields<'a>(&'a self, mut f: impl FnMut(&'static str, Value<'a>)) {
        use Value::{ByName, Count, Counts, Date, Flag, Int, Null, Number, Reviews, Spreads, Text};
        let (o, c) = (&self.outlook, &self.spells);
        f(
            "above_standard_approved",
            Count(self.above_standard_approved),
        );
        f(
            "above_standard_requests",
            Count(self.above_standard_requests),
        );
        f(
            "access_completion_rate",
            Number(self.access_completion_rate),
        );
        f("blocked_tasks", Count(self.blocked_tasks));
        f("blocker_age_histogram", Counts(&self.blocker_age_histogram));
        f("blocker_age_hours_max", Number(self.blocker_age_hours_max));
        f(
            "blocker_age_hours_median",
            Number(self.blocker_age_hours_median),
        );
        f("blocker_age_hours_p90", Number(self.blocker_age_hours_p90));
        f("blockers_by_reason", Counts(&self.blockers_by_reason));
        f("closed", Flag(self.closed));
        f("closed_spell_histogram", Counts(&c.closed_spell_histogram));
        f("closed_spell_hours_max", Number(c.closed_spell_hours_max));
        f(
            "closed_spell_hours_median",
            Number(c.closed_spell_hours_median),
        );
        f("closed_spell_hours_p90", Number(c.closed_spell_hours_p90));
        f("closed_spells", Count(c.closed_spells));
        if let Some(d) = self.days_to_start {
            f("days_to_start", Int(d));
        }
        f("delayed_tasks", Count(self.delayed_tasks));
        f("delegations", Count(self.delegations));
        f(
            "deprovisioning_completion",
            Number(self.deprovisioning_completion),
        );
        f("deprovisioning_done", Count(self.deprovisioning_done));
        f("deprovisioning_due", Count(self.deprovisioning_due));
        f("emergency_grants", Count(self.emergency_grants));
        f("forecast", Text(&o.forecast));
        let misses = o.forecast_misses_start_by_days.map_or(Null, Int);
        f("forecast_misses_start_by_days", misses);
        f("forecast_ready_on", o.forecast_ready_on.map_or(Null, Date));
        f(
            "implementation_delay_days",
            Int(self.implementation_delay_days),
        );
        f("items", Count(self.items));
        if let Some(k) = &self.key {
            f("key", Text(k));
        }
        if let Some(n) = &self.name {
            f("name", Text(n));
        }
        f("open_blockers", Count(self.open_blockers));
        f("open_retrospectives", Count(self.open_retrospectives));
        f("overdue_retrospectives", Count(self.overdue_retrospectives));
        f("pilot_target_met", self.pilot_target_met.map_or(Null, Flag));
        f("privileged_reviews", Count(self.privileged_reviews));
        f(
            "projects_meeting_target",
            Count(self.projects_meeting_target),
        );
        f("projects_started", Count(self.projects_started));
        f("readiness_ratio", Number(self.readiness_ratio));
        f("readiness_target", Number(self.readiness_target));
        f("ready", Count(self.ready));
        f("ready_at_start", self.ready_at_start.map_or(Null, Count));
        f(
            "ready_before_start",
            self.ready_before_start.map_or(Null, Number),
        );
        f("required", Count(self.required));
        f(
            "required_at_start",
            self.required_at_start.map_or(Null, Count),
        );
        f("review_campaigns", Reviews(&self.review_campaigns));
        f("rotations_pending", Count(self.rotations_pending));
        f("security_exceptions", Count(self.security_exceptions));
        let expired = Count(self.security_exceptions_expired);
        f("security_exceptions_expired", expired);
        f(
            "security_exceptions_open",
            Count(self.security_exceptions_open),
        );
        f("security_reviews", Count(self.security_reviews));
        f("stage_durations", Spreads(&o.stage_durations));
        if !o.stage_durations_by_approver.is_empty() {
            f(
                "stage_durations_by_approver",
                ByName(&o.stage_durations_by_approver),
            );
        }
        if !o.stage_durations_by_system.is_empty() {
            f(
                "stage_durations_by_system",
                ByName(&o.stage_durations_by_system),
            );
        }
        if let Some(d) = self.start {
            f("start", Date(d));
        }
        f("tasks", Count(self.tasks));
        f(
            "unsafe_attempts_reported",
            Count(self.unsafe_attempts_reported),
        );
        f("unsafe_attempts_typed", Count(self.unsafe_attempts_typed));
        let attempts = Count(self.unsafe_credential_attempts);
        f("unsafe_credential_attempts", attempts);
    }

    /// Writes into `out` the bytes [`Serialize`] gives through `serde_json`'s pretty
    /// printer and `cli::safe_json` (which escapes [`hidden`] characters), as if
    /// `depth` levels in: two for an entry of the report's `projects`.
    pub fn write_pretty(&self, out: &mut Vec<u8>, depth: usize) {
        let mut o = Object::open(out, depth);
        self.fields(|k, v| {
            let depth = o.key(k);
            value(o.out, depth, v);
        });
        o.close();
    }
}

impl Serialize for Measures {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        let mut failed = None;
        self.fields(|k, v| {
            if failed.is_none() {
                failed = m.serialize_entry(k, &v).err();
            }
        });
        match failed {
            Some(e) => Err(e),
            None => m.end(),
        }
    }
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Value::Count(n) => n.serialize(s),
            Value::Int(n) => n.serialize(s),
            Value::Number(x) => x.serialize(s),
            Value::Flag(b) => b.serialize(s),
            Value::Text(t) => t.serialize(s),
            Value::Date(d) => d.serialize(s),
            Value::Null => s.serialize_none(),
            Value::Counts(m) => m.serialize(s),
            Value::Spreads(x) => x.serialize(s),
            Value::ByName(m) => m.serialize(s),
            Value::Reviews(r) => r.serialize(s),
        }
    }
}

/// An object being written `depth` levels in: its keys one level further in, each
/// on a line of its own, its closing brace back at its own level (`{}` when empty).
struct Object<'o> {
    out: &'o mut Vec<u8>,
    depth: usize,
    any: bool,
}

impl<'o> Object<'o> {
    fn open(out: &'o mut Vec<u8>, depth: usize) -> Object<'o> {
        out.push(b'{');
        Object {
            out,
            depth,
            any: false,
        }
    }

    /// Writes a key that is a name of the program's own (a field, a bucket, a
    /// reason's code: nothing in it to escape): its value comes next, at the level
    /// returned.
    fn key(&mut self, k: &'static str) -> usize {
        debug_assert!(k.bytes().all(plain), "{k}");
        self.start_key();
        self.out.push(b'"');
        self.out.extend_from_slice(k.as_bytes());
        self.out.extend_from_slice(b"\": ");
        self.depth + 1
    }

    /// [`Object::key`] for a key of a person's text (a system, an approval owner).
    fn text_key(&mut self, k: &str) -> usize {
        self.start_key();
        string(self.out, k);
        self.out.extend_from_slice(b": ");
        self.depth + 1
    }

    fn start_key(&mut self) {
        self.out
            .extend_from_slice(if self.any { b",\n" } else { b"\n" });
        indent(self.out, self.depth + 1);
        self.any = true;
    }

    fn close(self) {
        if self.any {
            self.out.push(b'\n');
            indent(self.out, self.depth);
        }
        self.out.push(b'}');
    }
}

fn indent(out: &mut Vec<u8>, depth: usize) {
    const SPACES: &[u8; 16] = b"                ";
    let mut n = 2 * depth;
    while n > 0 {
        let step = n.min(SPACES.len());
        out.extend_from_slice(&SPACES[..step]);
        n -= step;
    }
}

/// A value written `depth` levels in (where its key is).
fn value(out: &mut Vec<u8>, depth: usize, v: Value<'_>) {
    match v {
        Value::Count(n) => count(out, n),
        Value::Int(n) => count(out, n),
        // Not a number (a ratio of nothing) is null, as serde_json writes it.
        Value::Number(x) => scalar(out, &x),
        Value::Flag(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Value::Text(t) => string(out, t),
        // A date as chrono writes it: digits and dashes, nothing to escape.
        Value::Date(d) => {
            let _ = write!(out, "\"{d:?}\"");
        }
        Value::Null => out.extend_from_slice(b"null"),
        Value::Counts(m) => {
            let mut o = Object::open(out, depth);
            for (k, n) in m {
                o.key(k);
                count(o.out, *n);
            }
            o.close();
        }
        Value::Spreads(x) => spreads(out, depth, x),
        Value::ByName(m) => {
            let mut o = Object::open(out, depth);
            for (k, x) in m {
                let depth = o.text_key(k);
                spreads(o.out, depth, x);
            }
            o.close();
        }
        Value::Reviews(r) => {
            let mut o = Object::open(out, depth);
            let counts = [
                ("certified", r.certified),
                ("completed", r.completed),
                ("items", r.items),
                ("open", r.open),
                ("overdue", r.overdue),
                ("revoked", r.revoked),
                ("undecided", r.undecided),
            ];
            for (k, n) in counts {
                o.key(k);
                count(o.out, n);
            }
            o.close();
        }
    }
}

/// A group's spreads, each stage's an object of its median, 90th percentile and
/// number of samples (their fields in the order they are declared in).
fn spreads(out: &mut Vec<u8>, depth: usize, x: &StageSpreads) {
    let mut o = Object::open(out, depth);
    for (k, s) in [
        ("added_to_submitted", &x.added_to_submitted),
        ("approved_to_granted", &x.approved_to_granted),
        ("granted_to_verified", &x.granted_to_verified),
        ("submitted_to_approved", &x.submitted_to_approved),
    ] {
        let depth = o.key(k);
        let Spread {
            median_hours,
            p90_hours,
            samples,
        } = *s;
        let mut spread = Object::open(o.out, depth);
        spread.key("median_hours");
        value(
            spread.out,
            0,
            median_hours.map_or(Value::Null, Value::Number),
        );
        spread.key("p90_hours");
        value(spread.out, 0, p90_hours.map_or(Value::Null, Value::Number));
        spread.key("samples");
        count(spread.out, samples);
        spread.close();
    }
    o.close();
}

/// A number, as serde_json writes it.
fn scalar(out: &mut Vec<u8>, v: &impl Serialize) {
    // Written into memory: nothing can fail.
    let _ = serde_json::to_writer(out, v);
}

/// A count, as serde_json writes it (through the same `itoa`).
fn count(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A byte a string may hold as it is: printable ASCII but the quote and backslash.
fn plain(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\'
}

/// A string as serde_json writes it (quotes, backslashes and controls escaped),
/// with its [`hidden`] characters escaped as `cli::safe_json` does.
fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    if s.bytes().all(plain) {
        out.extend_from_slice(s.as_bytes());
    } else {
        let mut utf8 = [0; 4];
        for c in s.chars() {
            let short: &[u8] = match c {
                '"' => b"\\\"",
                '\\' => b"\\\\",
                '\n' => b"\\n",
                '\r' => b"\\r",
                '\t' => b"\\t",
                '\u{8}' => b"\\b",
                '\u{c}' => b"\\f",
                c if u32::from(c) < 0x20 || hidden(c) => {
                    for unit in c.encode_utf16(&mut [0; 2]) {
                        let _ = write!(out, "\\u{unit:04x}");
                    }
                    continue;
                }
                c => c.encode_utf8(&mut utf8).as_bytes(),
            };
            out.extend_from_slice(short);
        }
    }
    out.push(b'"');
}

/// Measures with every field that may be left out there, every nested map with
/// entries, texts that need escaping (quotes, controls, hidden characters) and numbers
/// JSON has no form for: what the tests of the ways they are written write.
#[cfg(test)]
pub(crate) fn populated() -> Measures {
    let spread = |n: usize, median: Option<f64>| Spread {
        samples: n,
        median_hours: median,
        p90_hours: median.map(|m| m * 3.0),
    };
    let spreads = StageSpreads {
        added_to_submitted: spread(7, Some(1.5)),
        approved_to_granted: spread(2, Some(1e21)),
        granted_to_verified: Spread::default(),
        submitted_to_approved: spread(9, Some(0.1 + 0.2)),
    };
    let name = "Acme \u{202e} \"roll\\out\"\t\n\u{1}\u{7f}\u{9b}\u{e0041} caf\u{e9} \u{1f469}";
    let mut m = Measures {
        key: Some("ACME".into()),
        name: Some(name.into()),
        start: Some("2026-12-01".parse().unwrap()),
        days_to_start: Some(-3),
        ready_before_start: Some(0.5),
        ready_at_start: Some(1),
        required_at_start: Some(2),
        pilot_target_met: Some(false),
        readiness_ratio: f64::NAN,
        blocker_age_hours_max: f64::INFINITY,
        blocker_age_hours_p90: -0.0,
        implementation_delay_days: -12,
        items: usize::MAX,
        ..Measures::default()
    };
    m.blocker_age_histogram.insert("1d-3d", 2);
    m.blockers_by_reason.insert("unsafe-method", 1);
    m.outlook.forecast = "ready by 2026-12-24, 3d after start".into();
    m.outlook.stage_durations = spreads.clone();
    let by_system = &mut m.outlook.stage_durations_by_system;
    by_system.insert("crm \u{200b}".into(), spreads.clone());
    by_system.insert("billing".into(), spreads.clone());
    let by_approver = &mut m.outlook.stage_durations_by_approver;
    by_approver.insert("ann\"\\".into(), spreads);
    m.outlook.forecast_ready_on = Some("2026-12-24".parse().unwrap());
    m.outlook.forecast_misses_start_by_days = Some(3);
    m.spells.closed_spell_histogram.insert("under-1d", 4);
    m.review_campaigns.open = 2;
    m.review_campaigns.undecided = 5;
    m
}

#[cfg(test)]
mod tests {
    use super::super::{Measures, Report};
    use crate::store::Store;
    use crate::store::testing::me;
    use chrono::{DateTime, Utc};

    /// Written straight and written through a `Value` (whose keys are sorted), to
    /// the byte; and the keys those two write are every key of the measures.
    fn same_both_ways(m: &Measures) {
        let straight = serde_json::to_string_pretty(m).unwrap();
        let value = serde_json::to_value(m).unwrap();
        assert_eq!(straight, serde_json::to_string_pretty(&value).unwrap());
        // Each key once: a key written twice would be kept once by the `Value`.
        let keys = straight.matches("\n  \"").count();
        assert_eq!(keys, value.as_object().unwrap().len(), "{straight}");
    }

    #[test]
    fn measures_write_their_keys_in_the_order_a_json_map_keeps() {
        same_both_ways(&super::populated());
        // And with every field left out that may be.
        same_both_ways(&Measures::default());
    }

    #[test]
    fn a_generated_reports_measures_read_the_same_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("json.db");
        let now: DateTime<Utc> = "2026-11-20T12:00:00Z".parse().unwrap();
        crate::scale::generate(&db, 400, 5, now, Some(&me())).unwrap();
        let mut s = Store::open_as(&db, me()).unwrap();
        s.set_now(now);
        let r: Report = s.report(None).unwrap();
        assert!(r.overall.outlook.stage_durations_by_system.len() > 1);
        same_both_ways(&r.overall);
        for m in &r.projects {
            same_both_ways(m);
        }
    }
}
