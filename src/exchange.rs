//! CSV interchange of access items, and the JSON shape of an item.
//!
//! This module owns the column contract shared by `accessdesk export --format csv` and
//! `accessdesk import`, the strict import parser, the spreadsheet-safe CSV writer, and
//! [`item_json`], the one JSON shape of an item (`item list --json`, `item show --json`,
//! `export --format json`). It does no I/O of its own beyond the reader and writer it is
//! given, and never touches the store: the CLI parses here, then hands the rows to
//! `Store::import_items`, which applies the domain rules (registered approvers, policy,
//! dates in the past) and numbers the line of every refusal.
//!
//! # Columns
//!
//! [`COLUMNS`] is what export writes, in order: `id`, `project`, the item columns
//! ([`FIELD_COLUMNS`]), then the read-only columns `state` ... `updated-at`.
//!
//! # Import rules
//!
//! - **Header** (line 1): every item column in [`FIELD_COLUMNS`] is required, in any
//!   order; its cells may be empty. The read-only columns ([`READ_ONLY_COLUMNS`]) are
//!   optional and their cells are ignored unread: import never carries ids, state,
//!   versions, requesters or approvals, so an exported file imports unchanged into
//!   another project as new items in `needed`. Names match ignoring case and surrounding
//!   spaces, with `_` or a space accepted for `-`. Any other name, a name given twice or
//!   an empty header cell is an error: a misspelt column must not silently drop data.
//! - **Encoding**: UTF-8; a leading byte order mark (as spreadsheets write) is skipped.
//!   Invalid UTF-8 in an item cell is an error naming its line and column.
//! - **Rows**: one cell per header column (a ragged row is an error). Rows whose cells
//!   are all empty or blank (spreadsheet padding, trailing empty lines) are skipped.
//!   Line numbers are physical lines of the file (ended by LF, CRLF or a lone CR), the
//!   header being line 1; a record with line breaks inside quotes is named by the line
//!   it starts on. A double quote that is never closed swallows the rest of the file
//!   into one cell; that is detected and named.
//! - **Cells**: text is kept exactly (no trimming: the store trims what it normalises);
//!   in `notes` and `exception` a CRLF line break becomes LF. Booleans are `true`/`false`
//!   (also `yes`/`no`, `1`/`0`, any case; empty means false). Dates are `YYYY-MM-DD` and
//!   must exist (2026-02-30 does not). `method` is one of the safe collection methods;
//!   email, chat, forms, phone and shared or plain-text passwords are refused by the
//!   `safe-collection-method` rule. `deprovision` is `on-date` or `at-project-end`.
//!   Every cell is at most `MAX_LINE` characters (`MAX_NOTE` in `notes` and
//!   `exception`). Free-text cells, and typed cells that fail to parse, are held to the
//!   domain's text rules (`rules::check_text`) before anything quotes them: no control
//!   or bidi characters (tab and line feed are allowed in `notes` and `exception`) and
//!   no credentials. A refused credential carries its
//!   [`UnsafeAttempt`](crate::domain::refusal::UnsafeAttempt) so the caller can count
//!   it; its value never appears in any message.
//! - **Formula guard**: export puts an apostrophe in front of a cell that a spreadsheet
//!   could run (see *Export*); import removes exactly that apostrophe again, so round
//!   trips are exact. A text cell *without* the guard is refused (rule
//!   `plain-text-only`) when, after leading whitespace, it starts with `=` or `@`, or
//!   with `+` or `-` followed by a letter or one of `= @ ( $ " '`, or starts with `+` or
//!   `-` and contains a `|` (the DDE form `-2+3+cmd|...`). So `- call client first`,
//!   `+44 20 7946 0000` and `-5` are accepted; `=HYPERLINK(...)`, `@SUM(A1)` and
//!   `-cmd|...` are not. To import such text deliberately, start the cell with `'`.
//! - **Duplicates**: a row whose item values equal an earlier row's is an error naming
//!   both lines (checked in O(n) by hashing each row's parsed values).
//! - **Errors**: every problem names its line and, for a cell, its column, with the
//!   fix. Checking goes on past the first problem and stops after [`MAX_PROBLEMS`]; the
//!   returned [`ImportError`] is the first problem, the others ride in
//!   [`ImportError::also`]. A problem's `rule` says whether it is a rule refusal (exit
//!   3: unsafe method, credential, control characters, over-long text, formula) or
//!   malformed input (`None`, exit 1: bad date, ragged row, unknown column...);
//!   [`ImportError::refusal_rule`] gives the first rule among all of them.
//!
//! # Export
//!
//! Every cell passes through `text::sanitize`, so terminal escapes and control
//! characters in stored text cannot reach a terminal or spreadsheet (the line breaks and
//! tabs that notes may hold are kept). A cell that, after any leading apostrophes, starts
//! with tab or CR, or after leading whitespace with `=`, `+`, `-` or `@`, gets one leading
//! apostrophe so spreadsheets show it as text instead of running it. Booleans are
//! written `true`/`false`, dates `YYYY-MM-DD`, `flags` space-separated,
//! `blocker-reasons` separated by `; `, and timestamps in RFC 3339 UTC.
//!
//! # Layout
//!
//! This file holds the column contract and the formula guard that export and import
//! share; `import` is the parser and its errors, `reader` what the `csv` crate does not
//! tell (physical line numbers, an unclosed quote, the byte order mark), `export` the
//! writer and the JSON shape.

pub mod evidence;
mod export;
mod import;
mod reader;
mod template;
#[cfg(test)]
mod tests;

pub use export::{item_json, items_json, write_items};
pub use import::{ImportError, MAX_PROBLEMS, parse_items, read_items};
pub use template::{TemplateFileError, parse_template, template_toml};

/// The CSV columns, in the order export writes them.
pub const COLUMNS: &[&str] = &[
    "id",
    "project",
    "system",
    "purpose",
    "role",
    "holder",
    "credential-owner",
    "approver",
    "method",
    "temporary",
    "expires",
    "deprovision",
    "privileged",
    "shared-credential",
    "client-owned",
    "exception",
    "exception-owner",
    "exception-expires",
    "needed-by",
    "notes",
    "state",
    "version",
    "requester",
    "flags",
    "blocking",
    "blocker-reasons",
    "created-at",
    "updated-at",
    "conditions",
    "reference",
    "justification",
];

/// The item columns: all required in an import file (their cells may be empty).
/// Named as the `item add` flags are.
/// They are `COLUMNS` after `id` and `project`, up to `notes`: one list, so export and
/// import cannot disagree.
pub const FIELD_COLUMNS: &[&str] = COLUMNS.split_at(2).1.split_at(18).0;

/// Columns export writes and import accepts but ignores: import never carries them
/// (except `justification`, an optional item column read when present).
/// They are `COLUMNS` without the item columns: `id`, `project`, then all after `notes`.
pub const READ_ONLY_COLUMNS: &[&str] = &without_fields::<{ COLUMNS.len() - FIELD_COLUMNS.len() }>();

/// `COLUMNS` with the item columns left out, in order.
const fn without_fields<const N: usize>() -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = if i < 2 {
            COLUMNS[i]
        } else {
            COLUMNS[i + FIELD_COLUMNS.len()]
        };
        i += 1;
    }
    out
}

/// Whether a spreadsheet could read the cell as a formula: after any leading
/// apostrophes it starts with tab or CR, or after leading whitespace with `=`, `+`,
/// `-` or `@`. Looking past apostrophes makes the guard the same for `v` and `'v`,
/// which is what lets import strip exactly one apostrophe and get `v` back.
fn needs_guard(s: &str) -> bool {
    let past_quotes = s.trim_start_matches('\'');
    past_quotes.starts_with(['\t', '\r'])
        || past_quotes
            .trim_start_matches(|c: char| c.is_whitespace() || c == '\'')
            .starts_with(['=', '+', '-', '@'])
}

/// The value of a guarded cell (export's apostrophe removed), or `None` when the cell
/// carries no guard.
fn unguard(cell: &str) -> Option<&str> {
    let inner = cell.strip_prefix('\'')?;
    needs_guard(inner).then_some(inner)
}

/// The formula rule for unguarded import cells (see the module header).
fn looks_like_formula(s: &str) -> bool {
    let t = s.trim_start();
    let mut chars = t.chars();
    match chars.next() {
        Some('=' | '@') => true,
        Some('+' | '-') => {
            t.contains('|')
                || chars.next().is_some_and(|c| {
                    c.is_alphabetic() || matches!(c, '=' | '@' | '(' | '$' | '"' | '\'')
                })
        }
        _ => false,
    }
}
