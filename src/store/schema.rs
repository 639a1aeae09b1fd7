//! The schema and its migrations. Each migration checks, inside its own transaction,
//! that the file is still at the version it expects, so when several processes open an
//! old file at once exactly one applies it and the others find the work done.

use rusqlite::Transaction;
use rusqlite_migration::{HookError, M, Migrations};
use std::sync::LazyLock;

mod early;
use early::*;

// What the report needs of each item's life, kept as the events are written instead of
// read back from the log at every report: when it first entered each state on its way to
// ready (the stage durations and the forecast, `domain::forecast::Timeline`), and when it
// was first revoked and first cancelled (readiness at a start, the period's figures).
// The store sets them as it writes the event, in its transaction (`store::life`; a
// trigger cost every imported row a call, 0.5 s at 100,000); the earliest time counts.
// The migration fills them from the log once; `audit verify`
// derives them from the whole log again and compares (`replay::facts::life`). The index
// of forward events (schema 14) served only the report and goes; the denials, returns
// and undos the report counts get one (they were found by reading the whole log).
const V16: &str = r#"
ALTER TABLE items ADD COLUMN submitted_at TEXT;
ALTER TABLE items ADD COLUMN approved_at TEXT;
ALTER TABLE items ADD COLUMN granted_at TEXT;
ALTER TABLE items ADD COLUMN verified_at TEXT;
ALTER TABLE items ADD COLUMN revoked_at TEXT;
ALTER TABLE items ADD COLUMN cancelled_at TEXT;
UPDATE items SET submitted_at = l.s, approved_at = l.a, granted_at = l.g, verified_at = l.v,
    revoked_at = l.r, cancelled_at = l.c
FROM (
    SELECT project AS p, item AS i, CAST(substr(item, length(project) + 2) AS INTEGER) AS n,
        min(CASE WHEN kind <> 'revoke' AND kind <> 'cancel' AND t = 'requested' THEN at END) AS s,
        min(CASE WHEN kind <> 'revoke' AND kind <> 'cancel' AND t = 'approved' THEN at END) AS a,
        min(CASE WHEN kind <> 'revoke' AND kind <> 'cancel' AND t = 'granted' THEN at END) AS g,
        min(CASE WHEN kind <> 'revoke' AND kind <> 'cancel' AND t = 'verified' THEN at END) AS v,
        min(CASE WHEN kind = 'revoke' THEN at END) AS r,
        min(CASE WHEN kind = 'cancel' THEN at END) AS c
    FROM (
        SELECT project, item, kind, at, CASE WHEN json_valid(payload) THEN payload ->> '$.to' END AS t
        FROM events
        WHERE kind = 'submit' OR kind = 'approve' OR kind = 'grant' OR kind = 'verify' OR kind = 'break-glass'
        UNION ALL
        SELECT project, item, kind, at, NULL FROM events
        WHERE (kind = 'verify' OR kind = 'revoke' OR kind = 'cancel' OR kind = 'unsafe-attempt')
            AND (kind = 'revoke' OR kind = 'cancel')
    )
    WHERE project IS NOT NULL AND item IS NOT NULL
    GROUP BY project, item
) AS l
WHERE items.project = l.p AND items.number = l.n AND l.i = items.project || '-' || items.number;
DROP INDEX events_forward;
CREATE INDEX events_decided ON events(kind, project, seq)
    WHERE kind = 'deny' OR kind = 'return' OR kind = 'undo';
"#;

/// The condition of the partial index `events_decided` (schema 16): the denials and
/// returns the report counts as security reviews, and the undos that take one back.
pub const DECIDED_KINDS: &str = "kind = 'deny' OR kind = 'return' OR kind = 'undo'";

// Closed blocking spells: one row per spell, written with the event that ended it
// (`seq`, whose payload carries `spell_ended`), so the report can measure how long
// blockers lasted over a period and `audit verify` can replay every row.
const V17: &str = r#"
CREATE TABLE blocker_spells (
    seq     INTEGER PRIMARY KEY REFERENCES events(seq),
    item_id INTEGER NOT NULL REFERENCES items(id),
    since   TEXT NOT NULL,
    until   TEXT NOT NULL CHECK (until >= since),
    reasons TEXT NOT NULL
) STRICT;
CREATE INDEX blocker_spells_until ON blocker_spells(until);
"#;

// The report's security reviews, kept by SQLite with every write as two partial
// indexes: the approvals given as security, by item (the report's pass reads those of
// its range of items beside them, from the index alone), and the denials and returns
// decided as security, by project (read without the payload of every other denial).
// Before, the report joined every security approval to its item and read the payload
// of every denial and return. `audit verify` compares each index with its table.
const V18: &str = r#"
CREATE INDEX approvals_security ON approvals(item_id) WHERE capacity = 'security';
CREATE INDEX events_security ON events(project, seq)
    WHERE (kind = 'deny' OR kind = 'return') AND json_valid(payload)
        AND json_extract(payload, '$.capacity') = 'security';
"#;

// The items of each project in each state, kept by the store with every write that
// adds an item or moves one (`store::counts`): the TUI's first frame and the header
// read readiness from these rows (one per project and state) instead of counting
// every item. `audit verify` compares every count with the rows. A count that falls
// to zero stays, as zero.
const V19: &str = r#"
CREATE TABLE item_counts (
    project TEXT NOT NULL,
    state   TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (project, state)
) STRICT, WITHOUT ROWID;
INSERT INTO item_counts (project, state, n)
    SELECT project, state, count(*) FROM items GROUP BY project, state;
"#;

// Each item's facts for the report packed into one value of its row (`store::facts`),
// filled here for every row and written by the store with every row after; and a
// partial index of the rows without them (none, unless a row was written outside
// accessdesk), which tells the report whether it may read the facts alone.
const V20: &str = r#"
ALTER TABLE items ADD COLUMN facts BLOB;
CREATE INDEX items_unpacked ON items(id) WHERE facts IS NULL;
"#;

// Each item's facts packed again (`store::facts`, form 2), in a table of their own
// beside the items: beside what the report reads, they keep the values of the other
// columns a list reads an item from, so the report and the TUI's rows both read four
// values a row from a table of about 210 bytes a row, where the items' rows are about
// 590. The store writes an item's row of `item_facts` with the item's own, in the same
// transaction, and writes it again (facts, project and round) after every change of
// the item's row, as it packed the facts again before; a trigger takes it away with
// the item's row. An item another program adds has no row of facts: while the items
// reach past the facts, as while a row of facts has none, every row is read from its
// columns (`facts::FACTS_MISSING`). `audit verify` names each item whose row of facts
// is missing or not that of its columns (another program's change of the item), and
// each row of facts without its item. No trigger writes the row of facts on an insert
// or an update: a trigger makes SQLite keep a statement journal of every page the
// statement changes, which more than doubled an import's time and added a quarter to
// the demo generator's. The hook packs every row whose facts are not of this form (a file of schema 19 has
// them packed in it by schema 20's).
const V21: &str = r#"
CREATE TABLE item_facts (
    id      INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    round   INTEGER NOT NULL,
    facts   BLOB
) STRICT;
INSERT INTO item_facts (id, project, round, facts) SELECT id, project, round, facts FROM items;
DROP INDEX items_unpacked;
ALTER TABLE items DROP COLUMN facts;
CREATE INDEX item_facts_unpacked ON item_facts(id) WHERE facts IS NULL;
CREATE TRIGGER item_facts_removed AFTER DELETE ON items BEGIN
    DELETE FROM item_facts WHERE id = OLD.id;
END;
"#;

// The items' facts again, a page of up to 64 items to a row (`store::facts::pages`):
// the report over every project reads a page as one row, where SQLite's cost for each
// row it stepped to and each value it handed over was a third of the report's pass.
// Whoever writes a row of facts marks its page stale in `fact_pages_stale` (the store
// as it writes the row; the trigger that takes a row of facts away with its item, here
// made again to mark it too), and the store makes its stale pages again before each
// write commits; while a page is marked, the report reads the rows. As with the rows of
// facts, no trigger marks an insert or an update (see schema 21). The hook makes every
// page; `audit verify` makes them again and compares.
const V22: &str = r#"
CREATE TABLE fact_pages (
    id    INTEGER PRIMARY KEY,
    facts BLOB NOT NULL
) STRICT;
CREATE TABLE fact_pages_stale (
    id INTEGER PRIMARY KEY
) STRICT;
DROP TRIGGER item_facts_removed;
CREATE TRIGGER item_facts_removed AFTER DELETE ON items BEGIN
    DELETE FROM item_facts WHERE id = OLD.id;
    INSERT OR IGNORE INTO fact_pages_stale (id) VALUES (OLD.id >> 6);
END;
"#;

/// The condition of the partial index `events_security` (schema 18), which a query
/// must repeat to use it: denials and returns decided as security.
pub const SECURITY_DECISIONS: &str = "(kind = 'deny' OR kind = 'return') AND json_valid(payload) \
     AND json_extract(payload, '$.capacity') = 'security'";

/// The condition of the partial index `events_kind` (schema 5), which a query must
/// repeat to use it.
pub const MEASURED_KINDS: &str =
    "kind = 'verify' OR kind = 'revoke' OR kind = 'cancel' OR kind = 'unsafe-attempt'";

/// Fails the migration when another process applied it first (user_version moved on).
fn expect_version(
    v: i64,
) -> impl Fn(&Transaction) -> Result<(), HookError> + Clone + Send + Sync + 'static {
    move |tx: &Transaction| {
        let now: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        // Several migrations run in one transaction and user_version moves only at its
        // end, so "not yet past this one" is the test, not "exactly at it".
        if now <= v {
            Ok(())
        } else {
            Err(HookError::Hook(format!(
                "schema already at version {now}, expected {v}"
            )))
        }
    }
}

pub static MIGRATIONS: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(vec![
        M::up_with_hook(V1, expect_version(0)),
        M::up_with_hook(V2, expect_version(1)),
        M::up_with_hook(V3, expect_version(2)),
        M::up_with_hook(V4, expect_version(3)).foreign_key_check(),
        M::up_with_hook(V5, expect_version(4)),
        M::up_with_hook(V6, expect_version(5)),
        M::up_with_hook(V7, expect_version(6)),
        M::up_with_hook(V8, expect_version(7)),
        M::up_with_hook(V9, expect_version(8)),
        M::up_with_hook(V10, expect_version(9)),
        M::up_with_hook(V11, expect_version(10)),
        M::up_with_hook(V12, expect_version(11)),
        M::up_with_hook(V13, expect_version(12)),
        M::up_with_hook(V14, expect_version(13)),
        M::up_with_hook(V15, expect_version(14)),
        M::up_with_hook(V16, expect_version(15)),
        M::up_with_hook(V17, expect_version(16)),
        M::up_with_hook(V18, expect_version(17)),
        M::up_with_hook(V19, expect_version(18)),
        M::up_with_hook(V20, |tx: &Transaction| {
            expect_version(19)(tx)?;
            super::facts::fill(tx).map_err(|e| HookError::Hook(e.to_string()))
        }),
        M::up_with_hook(V21, |tx: &Transaction| {
            expect_version(20)(tx)?;
            super::facts::fill_older(tx).map_err(|e| HookError::Hook(e.to_string()))
        }),
        M::up_with_hook(V22, |tx: &Transaction| {
            expect_version(21)(tx)?;
            super::facts::pages::fill(tx).map_err(|e| HookError::Hook(e.to_string()))
        }),
    ])
});

/// The schema version this build writes.
pub fn latest() -> usize {
    22
}
