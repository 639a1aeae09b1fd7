//! The first fifteen migrations' SQL, as they landed (a landed migration is never
//! edited: a change is a new one, in `schema`).

pub(super) const V1: &str = r#"
CREATE TABLE people (
    login      TEXT PRIMARY KEY CHECK (length(login) BETWEEN 1 AND 64),
    name       TEXT NOT NULL,
    roles      TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE projects (
    key         TEXT PRIMARY KEY CHECK (key = upper(key) AND length(key) BETWEEN 2 AND 16),
    name        TEXT NOT NULL,
    client      TEXT NOT NULL,
    start_date  TEXT NOT NULL CHECK (date(start_date) = start_date),
    tz          TEXT NOT NULL,
    coordinator TEXT NOT NULL,
    closed_at   TEXT,
    next_item   INTEGER NOT NULL DEFAULT 1,
    next_task   INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE items (
    id                INTEGER PRIMARY KEY,
    project           TEXT NOT NULL REFERENCES projects(key),
    number            INTEGER NOT NULL CHECK (number > 0),
    system            TEXT NOT NULL,
    purpose           TEXT NOT NULL,
    role              TEXT NOT NULL,
    holder            TEXT,
    credential_owner  TEXT NOT NULL,
    approver          TEXT NOT NULL,
    requester         TEXT NOT NULL,
    method            TEXT CHECK (method IN ('delegated-account','temporary-link','admin-approved-flow','vault','sso-invite')),
    temporary         INTEGER NOT NULL CHECK (temporary IN (0, 1)),
    expires           TEXT CHECK (expires IS NULL OR date(expires) = expires),
    deprovision       TEXT CHECK (deprovision IN ('on-date','at-project-end')),
    privileged        INTEGER NOT NULL CHECK (privileged IN (0, 1)),
    shared_credential INTEGER NOT NULL CHECK (shared_credential IN (0, 1)),
    client_owned      INTEGER NOT NULL CHECK (client_owned IN (0, 1)),
    exception_reason  TEXT,
    exception_owner   TEXT,
    exception_expires TEXT CHECK (exception_expires IS NULL OR date(exception_expires) = exception_expires),
    needed_by         TEXT CHECK (needed_by IS NULL OR date(needed_by) = needed_by),
    notes             TEXT NOT NULL DEFAULT '',
    manual_block      TEXT,
    state             TEXT NOT NULL CHECK (state IN ('needed','requested','approved','granted','verified','denied','revoked','cancelled')),
    state_since       TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    round             INTEGER NOT NULL DEFAULT 0,
    granted_method    TEXT CHECK (granted_method IN ('delegated-account','temporary-link','admin-approved-flow','vault','sso-invite')),
    emergency         INTEGER NOT NULL DEFAULT 0 CHECK (emergency IN (0, 1)),
    emergency_by      TEXT,
    retro_due         TEXT,
    blocked_since     TEXT,
    last_reason       TEXT,
    UNIQUE (project, number),
    -- nobody approves their own request
    CHECK (approver = '' OR approver <> requester),
    -- only temporary access has an expiry, and temporary access past `needed` has one
    CHECK (temporary = 1 OR expires IS NULL),
    CHECK (temporary = 0 OR expires IS NOT NULL OR state IN ('needed','cancelled')),
    -- a live grant was made by a safe method
    CHECK (state NOT IN ('granted','verified') OR granted_method IS NOT NULL)
) STRICT;
CREATE INDEX items_project_state ON items(project, state);
CREATE INDEX items_state ON items(state);

CREATE TABLE approvals (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES items(id),
    round      INTEGER NOT NULL,
    login      TEXT NOT NULL,
    capacity   TEXT NOT NULL CHECK (capacity IN ('owner','security')),
    conditions TEXT,
    at         TEXT NOT NULL,
    -- one decision per capacity per round, from different people
    UNIQUE (item_id, round, capacity),
    UNIQUE (item_id, round, login)
) STRICT;

CREATE TRIGGER approvals_not_by_requester BEFORE INSERT ON approvals
WHEN NEW.login = (SELECT requester FROM items WHERE id = NEW.item_id)
BEGIN
    SELECT RAISE(ABORT, 'no-self-approval: the requester of an item cannot approve it');
END;

CREATE TABLE tasks (
    id         INTEGER PRIMARY KEY,
    project    TEXT NOT NULL REFERENCES projects(key),
    number     INTEGER NOT NULL CHECK (number > 0),
    title      TEXT NOT NULL,
    start_date TEXT CHECK (start_date IS NULL OR date(start_date) = start_date),
    created_at TEXT NOT NULL,
    UNIQUE (project, number)
) STRICT;

CREATE TABLE task_needs (
    task_id INTEGER NOT NULL REFERENCES tasks(id),
    item_id INTEGER NOT NULL REFERENCES items(id),
    PRIMARY KEY (task_id, item_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX task_needs_item ON task_needs(item_id);

CREATE TABLE events (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    uid       INTEGER NOT NULL,
    login     TEXT NOT NULL,
    project   TEXT,
    item      TEXT,
    kind      TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
) STRICT;
CREATE INDEX events_item ON events(item) WHERE item IS NOT NULL;
CREATE INDEX events_kind ON events(kind, project);

-- The log is append-only for every path that goes through SQLite's rules; the hash
-- chain catches edits that bypass them.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
"#;

pub(super) const V2: &str = r#"
-- Settings and a record of each migration, written by the migration itself: a second
-- application would fail on the primary key, so "exactly once" is checkable.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
INSERT INTO meta (key, value) VALUES ('schema-2', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
CREATE INDEX items_blocked ON items(blocked_since) WHERE blocked_since IS NOT NULL;
-- Measures read (project, item, at) of a few kinds of event; covering them keeps the
-- fat payloads of the log off that path.
DROP INDEX events_kind;
CREATE INDEX events_kind ON events(kind, project, item, at);
"#;

pub(super) const V3: &str = r#"
INSERT INTO meta (key, value) VALUES ('schema-3', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
-- Live updates of the TUI read the items changed since the last change they saw.
CREATE INDEX items_updated ON items(updated_at);
"#;

// Cheaper writes, for imports of 100,000 rows:
// - Every CHECK of the form `x IN (...)` made SQLite build a temporary table for each
//   row written: about 40 % of the cost of inserting an item. V4 rebuilds the two
//   tables that had them with the same rules spelled as `x = a OR x = b`, which costs
//   next to nothing. The data is copied as it is; the migration runs with foreign keys
//   off (as SQLite's table-rebuild procedure asks) and checks them before it commits.
// - The measures' index of the event log ordered its entries by item id as text
//   (PRJ-1, PRJ-10, PRJ-100, ...), so appending events touched pages all over it.
//   Ordered by seq after kind and project, it grows at its end; it still covers the
//   columns the measures read.
pub(super) const V4: &str = r#"
INSERT INTO meta (key, value) VALUES ('schema-4', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
DROP INDEX events_kind;
CREATE INDEX events_kind ON events(kind, project, seq, item, at);
-- Its body reads items; it would stop the rename below while items is away.
DROP TRIGGER approvals_not_by_requester;

CREATE TABLE items_v4 (
    id                INTEGER PRIMARY KEY,
    project           TEXT NOT NULL REFERENCES projects(key),
    number            INTEGER NOT NULL CHECK (number > 0),
    system            TEXT NOT NULL,
    purpose           TEXT NOT NULL,
    role              TEXT NOT NULL,
    holder            TEXT,
    credential_owner  TEXT NOT NULL,
    approver          TEXT NOT NULL,
    requester         TEXT NOT NULL,
    method            TEXT CHECK (method = 'delegated-account' OR method = 'temporary-link'
                                  OR method = 'admin-approved-flow' OR method = 'vault'
                                  OR method = 'sso-invite'),
    temporary         INTEGER NOT NULL CHECK (temporary = 0 OR temporary = 1),
    expires           TEXT CHECK (expires IS NULL OR date(expires) = expires),
    deprovision       TEXT CHECK (deprovision = 'on-date' OR deprovision = 'at-project-end'),
    privileged        INTEGER NOT NULL CHECK (privileged = 0 OR privileged = 1),
    shared_credential INTEGER NOT NULL CHECK (shared_credential = 0 OR shared_credential = 1),
    client_owned      INTEGER NOT NULL CHECK (client_owned = 0 OR client_owned = 1),
    exception_reason  TEXT,
    exception_owner   TEXT,
    exception_expires TEXT CHECK (exception_expires IS NULL OR date(exception_expires) = exception_expires),
    needed_by         TEXT CHECK (needed_by IS NULL OR date(needed_by) = needed_by),
    notes             TEXT NOT NULL DEFAULT '',
    manual_block      TEXT,
    state             TEXT NOT NULL CHECK (state = 'needed' OR state = 'requested'
                                  OR state = 'approved' OR state = 'granted'
                                  OR state = 'verified' OR state = 'denied'
                                  OR state = 'revoked' OR state = 'cancelled'),
    state_since       TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    round             INTEGER NOT NULL DEFAULT 0,
    granted_method    TEXT CHECK (granted_method = 'delegated-account' OR granted_method = 'temporary-link'
                                  OR granted_method = 'admin-approved-flow' OR granted_method = 'vault'
                                  OR granted_method = 'sso-invite'),
    emergency         INTEGER NOT NULL DEFAULT 0 CHECK (emergency = 0 OR emergency = 1),
    emergency_by      TEXT,
    retro_due         TEXT,
    blocked_since     TEXT,
    last_reason       TEXT,
    UNIQUE (project, number),
    -- nobody approves their own request
    CHECK (approver = '' OR approver <> requester),
    -- only temporary access has an expiry, and temporary access past `needed` has one
    CHECK (temporary = 1 OR expires IS NULL),
    CHECK (temporary = 0 OR expires IS NOT NULL OR state = 'needed' OR state = 'cancelled'),
    -- a live grant was made by a safe method
    CHECK ((state <> 'granted' AND state <> 'verified') OR granted_method IS NOT NULL)
) STRICT;
INSERT INTO items_v4 SELECT * FROM items;
DROP TABLE items;
ALTER TABLE items_v4 RENAME TO items;
CREATE INDEX items_project_state ON items(project, state);
CREATE INDEX items_state ON items(state);
CREATE INDEX items_blocked ON items(blocked_since) WHERE blocked_since IS NOT NULL;
CREATE INDEX items_updated ON items(updated_at);

CREATE TABLE approvals_v4 (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES items(id),
    round      INTEGER NOT NULL,
    login      TEXT NOT NULL,
    capacity   TEXT NOT NULL CHECK (capacity = 'owner' OR capacity = 'security'),
    conditions TEXT,
    at         TEXT NOT NULL,
    -- one decision per capacity per round, from different people
    UNIQUE (item_id, round, capacity),
    UNIQUE (item_id, round, login)
) STRICT;
INSERT INTO approvals_v4 SELECT * FROM approvals;
DROP TABLE approvals;
ALTER TABLE approvals_v4 RENAME TO approvals;

CREATE TRIGGER approvals_not_by_requester BEFORE INSERT ON approvals
WHEN NEW.login = (SELECT requester FROM items WHERE id = NEW.item_id)
BEGIN
    SELECT RAISE(ABORT, 'no-self-approval: the requester of an item cannot approve it');
END;
"#;

// Fewer index entries per write, for imports of 100,000 rows:
// - `items_state` served only a list by state across all projects, which now reads the
//   table; the header's aggregate uses `items_project_state`. `items_blocked` served
//   no query at all.
// - The measures read from the event log only the kinds that end or count an item's
//   life (verify, revoke, cancel, unsafe-attempt); when an item was added they take
//   from its row. The index holds just those kinds, so the `item-add` event of every
//   imported row no longer adds to it. The condition is spelled out with `=` and `OR`
//   (an `IN` list costs a temporary table per row written), and the measures' query
//   repeats it word for word, as SQLite needs to use a partial index.
pub(super) const V5: &str = r#"
INSERT INTO meta (key, value) VALUES ('schema-5', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
DROP INDEX items_state;
DROP INDEX items_blocked;
DROP INDEX events_kind;
CREATE INDEX events_kind ON events(kind, project, seq, item, at)
    WHERE kind = 'verify' OR kind = 'revoke' OR kind = 'cancel' OR kind = 'unsafe-attempt';
"#;

// The log records every value a change sets, so `audit verify` can replay it and
// compare the tables with it. A file that holds rows from before needs their values
// in the log once: this leaves a mark, and the first open by this version writes one
// `baseline` event per row and takes the mark away (see `replay::baseline`). A file
// made by this version has nothing in it yet and needs no baseline.
pub(super) const V6: &str = r#"
INSERT INTO meta (key, value) VALUES ('schema-6', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
-- Who submitted an item or changed it materially in its current approval round, comma
-- separated: like its requester, they may not decide on it.
ALTER TABLE items ADD COLUMN parties TEXT NOT NULL DEFAULT '';
INSERT INTO meta (key, value)
    SELECT 'baseline-pending', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM people)
       OR EXISTS (SELECT 1 FROM projects) OR EXISTS (SELECT 1 FROM items);
"#;

// Risk routing, delegation, fulfilment by two people, people who leave:
// - an item privileged and client-owned (or over a shared credential) needs two
//   different security approvals in one round: `approvals` is rebuilt keeping one
//   decision per person per round, no longer one per capacity; `terms` holds the
//   structured conditions of an approval (JSON), `conditions` stays its text;
// - an item records who granted it (they do not verify it), where its verification is
//   recorded, and the pending decisions of the round handed to someone else (JSON);
// - a person may be deactivated: they keep their name in history but cannot act.
pub(super) const V7: &str = r#"
INSERT INTO meta (key, value) VALUES ('schema-7', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
ALTER TABLE people ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active = 0 OR active = 1);
ALTER TABLE items ADD COLUMN granted_by TEXT;
ALTER TABLE items ADD COLUMN verify_reference TEXT;
ALTER TABLE items ADD COLUMN delegates TEXT NOT NULL DEFAULT '';
DROP TRIGGER approvals_not_by_requester;
-- One decision per person per round (two security approvals come from two people).
CREATE TABLE approvals_v7 (
    id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id), round INTEGER NOT NULL,
    login TEXT NOT NULL, capacity TEXT NOT NULL CHECK (capacity = 'owner' OR capacity = 'security'),
    conditions TEXT, at TEXT NOT NULL, terms TEXT,
    UNIQUE (item_id, round, login)
) STRICT;
INSERT INTO approvals_v7 (id, item_id, round, login, capacity, conditions, at)
    SELECT id, item_id, round, login, capacity, conditions, at FROM approvals;
DROP TABLE approvals;
ALTER TABLE approvals_v7 RENAME TO approvals;
CREATE TRIGGER approvals_not_by_requester BEFORE INSERT ON approvals
WHEN NEW.login = (SELECT requester FROM items WHERE id = NEW.item_id)
BEGIN SELECT RAISE(ABORT, 'no-self-approval: the requester of an item cannot approve it'); END;
-- The report counts decisions handed on.
CREATE INDEX events_delegate ON events(project) WHERE kind = 'delegate';
"#;

// The end of access: whether an item's credential waits for rotation (`due`: it was
// offered over an unsafe channel from outside) or was rotated since the last grant
// (`done`); and, once a project's start was reached and then moved, the start its
// ready-before-start readiness stays frozen at.
pub(super) const V8: &str = r#"
ALTER TABLE items ADD COLUMN rotation TEXT CHECK (rotation IS NULL OR rotation = 'due' OR rotation = 'done');
ALTER TABLE projects ADD COLUMN frozen_start TEXT CHECK (frozen_start IS NULL OR date(frozen_start) = frozen_start);
"#;

// A request to extend live temporary access, waiting for its approvals: one JSON
// object (expires, by, at, reason, approvals), or NULL (see `store::extend`).
pub(super) const V9: &str = r#"
ALTER TABLE items ADD COLUMN extension TEXT;
"#;

// Access reviews (certification campaigns). A campaign covers the live access of one
// project; each access gets a decision (certify or revoke) by an eligible reviewer. The
// item keeps what the review left on it (`pending[:due]` or `revoke`) in `review`, so
// its blockers are read with the item.
pub(super) const V10: &str = r#"
CREATE TABLE review_campaigns (
    id         INTEGER PRIMARY KEY,
    project    TEXT NOT NULL REFERENCES projects(key),
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    due        TEXT CHECK (due IS NULL OR date(due) = due)
) STRICT;
CREATE INDEX review_campaigns_project ON review_campaigns(project);
CREATE TABLE review_items (
    campaign   INTEGER NOT NULL REFERENCES review_campaigns(id),
    item_id    INTEGER NOT NULL REFERENCES items(id),
    decision   TEXT CHECK (decision IS NULL OR decision = 'certify' OR decision = 'revoke'),
    decided_by TEXT,
    decided_at TEXT,
    note       TEXT,
    PRIMARY KEY (campaign, item_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX review_items_item ON review_items(item_id);
ALTER TABLE items ADD COLUMN review TEXT;
"#;

// The system catalogue and least privilege (schema 11). A catalogued system lists its
// roles least privileged first (`roles`: JSON array), which of them are privileged,
// and which a security person said are not although their name reads so. An item
// keeps whether its role is above the standard one, and why it is needed.
pub(super) const V11: &str = r#"
CREATE TABLE systems (
    name                 TEXT PRIMARY KEY COLLATE NOCASE,
    category             TEXT NOT NULL,
    roles                TEXT NOT NULL,
    privileged_roles     TEXT NOT NULL DEFAULT '[]',
    not_privileged_roles TEXT NOT NULL DEFAULT '[]',
    default_method       TEXT,
    client_owned         INTEGER NOT NULL DEFAULT 0 CHECK (client_owned = 0 OR client_owned = 1),
    added_by             TEXT NOT NULL,
    added_at             TEXT NOT NULL
) STRICT;
ALTER TABLE items ADD COLUMN above_standard INTEGER NOT NULL DEFAULT 0 CHECK (above_standard = 0 OR above_standard = 1);
ALTER TABLE items ADD COLUMN justification TEXT;
"#;

// Templates: a template's items are kept as one JSON value (`domain::
// template::Template`), read whole when a project is made from it. A project
// remembers the templates it was made from or applied with, for `project check`.
pub(super) const V12: &str = r#"
CREATE TABLE templates (
    name       TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 48),
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
) STRICT;
CREATE TABLE project_templates (
    project    TEXT NOT NULL REFERENCES projects(key),
    template   TEXT NOT NULL REFERENCES templates(name),
    applied_by TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (project, template)
) STRICT, WITHOUT ROWID;
"#;

// Tasks gain the day they actually started and the day they were done, both in the
// project's calendar; implementation delay counts to the actual start when it came
// before the access it needed.
pub(super) const V13: &str = r#"
ALTER TABLE tasks ADD COLUMN started_on TEXT CHECK (started_on IS NULL OR date(started_on) = started_on);
ALTER TABLE tasks ADD COLUMN done_on TEXT CHECK (done_on IS NULL OR date(done_on) = done_on);
"#;

// The forecast and the stage durations read when each item moved forward and into
// which state. Read from the log, that meant the JSON of 300,000 payloads at 100,000
// items (over a second); a partial index holds just those events, with the state
// their payload names, so the report reads the index alone. Imports add no entry
// (`item-add` is not among the kinds).
pub(super) const V14: &str = r#"
CREATE INDEX events_forward ON events(kind, project, item, at, (CASE WHEN json_valid(payload) THEN payload ->> '$.to' END))
    WHERE kind = 'submit' OR kind = 'approve' OR kind = 'grant' OR kind = 'verify' OR kind = 'break-glass';
"#;

// Team settings: one row per setting an admin changed from its default, so everyone
// who opens the file works out blockers and measures with the same values.
pub(super) const V15: &str = r#"
CREATE TABLE settings (
    key    TEXT PRIMARY KEY CHECK (key = 'stale-after-days' OR key = 'readiness-target' OR key = 'pilot-window'),
    value  TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
) STRICT;
"#;
