//! The import parser: reads a CSV file into item fields, holding every cell to the
//! rules in the module header of `exchange`, and reports each problem with its line,
//! column and fix (up to [`MAX_PROBLEMS`]).

use super::reader::{Tracker, skip_bom, start_of};
use super::{COLUMNS, FIELD_COLUMNS, READ_ONLY_COLUMNS, looks_like_formula, unguard};
use crate::domain::model::{Deprovision, Exception, ItemFields, Method};
use crate::domain::refusal::{Rule, UnsafeAttempt};
use crate::domain::{rules, secrets, text};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::io::Read;

/// Problems reported by one import before checking stops.
pub const MAX_PROBLEMS: usize = 20;

/// Longest excerpt of a value quoted in an error message.
const SHOWN_CHARS: usize = 40;

/// A problem in an import file: where it is, what is wrong and how to fix it.
///
/// The value of a cell that looks like a credential never appears in `message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    /// 1-based physical line of the file (header = 1) where the record starts.
    pub line: usize,
    /// The column, for a problem in one cell.
    pub column: Option<String>,
    pub message: String,
    /// The rule refusing the value (exit 3), or `None` for malformed input (exit 1).
    pub rule: Option<Rule>,
    /// Set when the cell held a credential, so the caller can count the attempt.
    pub unsafe_attempt: Option<UnsafeAttempt>,
    /// Further problems, in file order, up to [`MAX_PROBLEMS`] in all.
    pub also: Vec<ImportError>,
    /// True when checking stopped at the cap with problems left unreported.
    pub more: bool,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column {c}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

impl ImportError {
    fn new(
        line: usize,
        column: Option<&str>,
        message: impl Into<String>,
        rule: Option<Rule>,
    ) -> Self {
        ImportError {
            line,
            column: column.map(str::to_string),
            message: message.into(),
            rule,
            unsafe_attempt: None,
            also: Vec::new(),
            more: false,
        }
    }

    /// This problem and the further ones, first one first.
    pub fn problems(&self) -> impl Iterator<Item = &ImportError> {
        std::iter::once(self).chain(self.also.iter())
    }

    /// The first rule refusal among the problems. A file that breaks a rule anywhere
    /// is refused (exit 3) even when its first problem is merely malformed.
    pub fn refusal_rule(&self) -> Option<Rule> {
        self.problems().find_map(|p| p.rule)
    }

    /// Every credential found, for counting as unsafe attempts.
    pub fn unsafe_attempts(&self) -> impl Iterator<Item = &UnsafeAttempt> {
        self.problems().filter_map(|p| p.unsafe_attempt.as_ref())
    }

    /// All problems, one a line, with a closing note when more were left unchecked.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for p in self.problems() {
            let _ = writeln!(out, "{p}");
        }
        if self.more {
            let _ = writeln!(
                out,
                "(checking stopped after {MAX_PROBLEMS} problems: fix these and import again)"
            );
        }
        out
    }
}

/// Collects problems up to the cap.
#[derive(Default)]
struct Problems {
    list: Vec<ImportError>,
    more: bool,
}

impl Problems {
    fn push(&mut self, e: ImportError) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(e);
        } else {
            self.more = true;
        }
    }

    /// Once the cap overflowed there is nothing to gain from reading on.
    fn full(&self) -> bool {
        self.more
    }

    fn into_error(self) -> Option<ImportError> {
        let mut list = self.list.into_iter();
        let mut first = list.next()?;
        first.also = list.collect();
        first.more = self.more;
        Some(first)
    }
}

/// The item columns are the domain's item fields, in [`FIELD_COLUMNS`] order
/// (`Field as usize` is a column's place in that list).
pub(super) use crate::domain::Field;

/// How a column's cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Single-line free text.
    Line,
    /// Multi-line free text (line feed and tab allowed).
    Note,
    Bool,
    Date,
    Method,
    Deprovision,
}

/// How the cells of an item column are read.
fn kind(f: Field) -> Kind {
    match f {
        Field::Notes | Field::Exception | Field::Justification => Kind::Note,
        Field::Temporary | Field::Privileged | Field::SharedCredential | Field::ClientOwned => {
            Kind::Bool
        }
        Field::Expires | Field::ExceptionExpires | Field::NeededBy => Kind::Date,
        Field::Method => Kind::Method,
        Field::Deprovision => Kind::Deprovision,
        _ => Kind::Line,
    }
}

/// Where each item column sits in the file's rows.
struct Layout {
    pos: [usize; FIELD_COLUMNS.len()],
    width: usize,
    /// The optional `justification` column.
    justification: Option<usize>,
}

/// Header names compare ignoring case and spacing, `_` or space standing for `-`.
fn normalise_header(h: &str) -> String {
    h.trim()
        .chars()
        .map(|c| match c {
            '_' | ' ' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

fn read_header(rec: &csv::ByteRecord, line: usize, problems: &mut Problems) -> Option<Layout> {
    let mut pos: [Option<usize>; FIELD_COLUMNS.len()] = [None; FIELD_COLUMNS.len()];
    let mut read_only: [Option<usize>; READ_ONLY_COLUMNS.len()] = [None; READ_ONLY_COLUMNS.len()];
    let before = problems.list.len();
    let header_problem = |message: String| ImportError::new(line, None, message, None);
    if rec.len() == 1
        && let Some(cell) = rec.get(0)
        && cell.iter().any(|b| matches!(b, b';' | b'\t'))
    {
        problems.push(header_problem(
            "the header is a single cell holding ';' or tab separators: save the file as comma-separated CSV".into(),
        ));
        return None;
    }
    for (i, raw) in rec.iter().enumerate() {
        let n = i + 1;
        let Ok(name) = std::str::from_utf8(raw) else {
            problems.push(header_problem(format!(
                "header cell {n} is not valid UTF-8: save the file as CSV UTF-8"
            )));
            continue;
        };
        let key = normalise_header(name);
        if key.is_empty() {
            problems.push(header_problem(format!(
                "header cell {n} is empty: every column needs a name (remove empty columns)"
            )));
            continue;
        }
        let slot = if let Some(f) = FIELD_COLUMNS.iter().position(|c| *c == key) {
            &mut pos[f]
        } else if let Some(r) = READ_ONLY_COLUMNS.iter().position(|c| *c == key) {
            &mut read_only[r]
        } else {
            problems.push(header_problem(format!(
                "unknown column {} (header cell {n}); the columns are: {}",
                shown(name),
                COLUMNS.join(", ")
            )));
            continue;
        };
        match slot {
            Some(first) => problems.push(ImportError::new(
                line,
                Some(&key),
                format!(
                    "the column appears twice (header cells {} and {n}): keep one",
                    *first + 1
                ),
                None,
            )),
            None => *slot = Some(i),
        }
    }
    let missing: Vec<&str> = FIELD_COLUMNS
        .iter()
        .zip(pos)
        .filter(|(_, p)| p.is_none())
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        problems.push(header_problem(format!(
            "missing column{} {}: an import file needs every item column ({}), even if its cells are empty",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            FIELD_COLUMNS.join(", ")
        )));
    }
    if problems.list.len() > before || problems.more {
        return None;
    }
    let justification = READ_ONLY_COLUMNS
        .iter()
        .position(|c| *c == Field::Justification.name())
        .and_then(|i| read_only[i]);
    Some(Layout {
        pos: pos.map(|p| p.unwrap_or_default()),
        width: rec.len(),
        justification,
    })
}

fn read_failure(line: u64, e: &csv::Error) -> ImportError {
    let line = usize::try_from(line).unwrap_or(usize::MAX);
    ImportError::new(line, None, format!("cannot read the file: {e}"), None)
}

/// Reads an import file: the rows as (line, fields), or the problems found.
///
/// Only the file's own format and the text rules are checked here; whether the items
/// may be added (registered approvers, policy, dates) is the store's decision.
// The error is returned once per file, never in a loop: its size costs nothing, and
// a flat struct is easier for the CLI to read than a box.
#[allow(clippy::result_large_err)]
pub fn parse_items(input: impl Read) -> Result<Vec<(usize, ItemFields)>, ImportError> {
    let mut rows = Vec::new();
    read_items(input, |line, fields| rows.push((line, fields)))?;
    Ok(rows)
}

/// Reads an import file row by row, handing each row to `accepted` as soon as it is
/// read, while the file has had no problem so far, and returns how many rows it has.
/// A caller can check and write rows while the rest of the file is being read, and
/// drops them if the file is refused. Nothing of a row is kept once it is handed on
/// but a hash of its values, to find a row repeated further down.
#[allow(clippy::result_large_err)]
pub fn read_items(
    input: impl Read,
    mut accepted: impl FnMut(usize, ItemFields),
) -> Result<usize, ImportError> {
    let input = skip_bom(input)
        .map_err(|e| ImportError::new(1, None, format!("cannot read the file: {e}"), None))?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(Tracker::new(input));
    let mut problems = Problems::default();
    let mut rec = csv::ByteRecord::new();
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => {
            return Err(ImportError::new(
                1,
                None,
                format!(
                    "the file is empty: its first line must name the columns ({})",
                    FIELD_COLUMNS.join(",")
                ),
                None,
            ));
        }
        Err(e) => return Err(read_failure(rdr.position().line(), &e)),
    }
    let header_line = rdr.get_mut().line_at(start_of(&rec));
    let layout = read_header(&rec, header_line, &mut problems);
    let Some(layout) = layout else {
        return Err(problems
            .into_error()
            .unwrap_or_else(|| ImportError::new(1, None, "the header is not valid", None)));
    };

    let mut rows = 0;
    // SHA-256 of a row's values -> the line of the first row with them.
    let mut seen: HashMap<[u8; 32], usize> = HashMap::new();
    let mut scratch = RowBytes::default();
    // The last record, when it was accepted and its last cell spans lines: the cell an
    // unclosed quote would have swallowed the rest of the file into.
    let mut last_multiline: Option<usize> = None;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                problems.push(read_failure(rdr.position().line(), &e));
                break;
            }
        }
        last_multiline = None;
        let line = rdr.get_mut().line_at(start_of(&rec));
        if rec.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if rec.len() != layout.width {
            problems.push(ImportError::new(
                line,
                None,
                format!(
                    "the row has {} cells but the header has {} columns: give every row one cell per column \
                     (put a value holding a comma in double quotes)",
                    rec.len(),
                    layout.width
                ),
                None,
            ));
        } else if let Some(fields) = parse_row(&rec, &layout, line, &mut problems) {
            if rec.iter().next_back().is_some_and(|c| c.contains(&b'\n')) {
                last_multiline = Some(line);
            }
            let first = match seen.entry(scratch.digest(&fields)) {
                Entry::Occupied(e) => Some(*e.get()),
                Entry::Vacant(e) => {
                    e.insert(line);
                    None
                }
            };
            match first {
                Some(first) => problems.push(ImportError::new(
                    line,
                    None,
                    format!(
                        "the row repeats line {first} (same values in every item column): remove one of them"
                    ),
                    None,
                )),
                None => {
                    rows += 1;
                    if problems.list.is_empty() {
                        accepted(line, fields);
                    }
                }
            }
        }
        if problems.full() {
            break;
        }
    }
    if !problems.full()
        && rdr.get_ref().quotes % 2 == 1
        && let Some(line) = last_multiline
    {
        problems.push(ImportError::new(
            line,
            None,
            "a double quote in this row is never closed, so the rest of the file was read as one cell: close the quote",
            None,
        ));
    }
    match problems.into_error() {
        Some(e) => Err(e),
        None => Ok(rows),
    }
}

/// Reads the item cells of one record; `None` when any is refused (all its problems
/// are reported).
fn parse_row(
    rec: &csv::ByteRecord,
    layout: &Layout,
    line: usize,
    problems: &mut Problems,
) -> Option<ItemFields> {
    let mut row = Row {
        rec,
        layout,
        line,
        problems,
        failed: false,
    };
    let system = row.text(Field::System);
    let purpose = row.text(Field::Purpose);
    let role = row.text(Field::Role);
    let holder = row.text(Field::Holder);
    let credential_owner = row.text(Field::CredentialOwner);
    let approver = row.text(Field::Approver);
    let method = row.method();
    let temporary = row.boolean(Field::Temporary);
    let expires = row.date(Field::Expires);
    let deprovision = row.deprovision();
    let privileged = row.boolean(Field::Privileged);
    let shared_credential = row.boolean(Field::SharedCredential);
    let client_owned = row.boolean(Field::ClientOwned);
    let reason = row.text(Field::Exception);
    let exception_owner = row.text(Field::ExceptionOwner);
    let exception_expires = row.date(Field::ExceptionExpires);
    let needed_by = row.date(Field::NeededBy);
    let notes = row.text(Field::Notes);
    let justification = row.text(Field::Justification);
    if row.failed {
        return None;
    }
    let non_empty = |s: String| (!s.is_empty()).then_some(s);
    let exception = (!reason.is_empty()
        || !exception_owner.is_empty()
        || exception_expires.is_some())
    .then(|| Exception {
        reason,
        owner: non_empty(exception_owner),
        expires: exception_expires,
    });
    Some(ItemFields {
        system,
        purpose,
        role,
        holder: non_empty(holder),
        credential_owner,
        approver,
        method,
        temporary,
        expires,
        deprovision,
        privileged,
        shared_credential,
        client_owned,
        exception: exception.map(Box::new),
        needed_by,
        notes,
        above_standard: false,
        justification: non_empty(justification).map(Into::into),
    })
}

/// One record being read; each getter reports its own problem and marks the row.
struct Row<'r, 'p> {
    rec: &'r csv::ByteRecord,
    layout: &'r Layout,
    line: usize,
    problems: &'p mut Problems,
    failed: bool,
}

impl<'r> Row<'r, '_> {
    fn fail(
        &mut self,
        f: Field,
        message: String,
        rule: Option<Rule>,
        attempt: Option<UnsafeAttempt>,
    ) {
        self.failed = true;
        let mut e = ImportError::new(self.line, Some(f.name()), message, rule);
        e.unsafe_attempt = attempt;
        self.problems.push(e);
    }

    /// The cell's text after the checks every cell gets: UTF-8, length, the text rules
    /// (control characters, credentials) and, for free text, the formula rule.
    fn cell(&mut self, f: Field) -> Option<Cow<'r, str>> {
        let rec: &'r csv::ByteRecord = self.rec;
        let at = match f {
            Field::Justification => self.layout.justification?,
            f => self.layout.pos[f as usize],
        };
        let raw = rec.get(at).unwrap_or_default();
        let s = match std::str::from_utf8(raw) {
            Ok(s) => s,
            Err(e) => {
                let at = e.valid_up_to() + 1;
                self.fail(
                    f,
                    format!(
                        "is not valid UTF-8 (byte {at} of the cell): save the file as CSV UTF-8"
                    ),
                    None,
                    None,
                );
                return None;
            }
        };
        let (s, guarded) = match unguard(s) {
            Some(inner) => (inner, true),
            None => (s, false),
        };
        let kind = kind(f);
        let multiline = kind == Kind::Note;
        let max = if multiline {
            rules::MAX_NOTE
        } else {
            rules::MAX_LINE
        };
        // Counted before any other scan so a huge cell costs one pass and a short message.
        if s.len() > max {
            let chars = s.chars().count();
            if chars > max {
                self.fail(
                    f,
                    format!("the value is {chars} characters long; the limit is {max}: shorten it"),
                    Some(Rule::PlainText),
                    None,
                );
                return None;
            }
        }
        let s: Cow<'r, str> = if multiline && s.contains('\r') {
            Cow::Owned(s.replace("\r\n", "\n"))
        } else {
            Cow::Borrowed(s)
        };
        if s.is_empty() {
            return Some(s);
        }
        // Typed cells are held to the text rules only when they fail to parse (see
        // `text_refused`): a known token can hold neither a credential nor a control
        // character, and skipping the scan halves the work per row.
        let free_text = matches!(kind, Kind::Line | Kind::Note);
        if free_text && self.text_refused(f, &s, multiline) {
            return None;
        }
        if !guarded && free_text && looks_like_formula(&s) {
            self.fail(
                f,
                format!(
                    "{} could run as a spreadsheet formula: if it is meant as text, put an apostrophe (') in front of it",
                    shown(&s)
                ),
                Some(Rule::PlainText),
                None,
            );
            return None;
        }
        Some(s)
    }

    /// Reports the cell when the domain's text rules refuse it (control characters,
    /// credentials). Runs before any message quotes the value.
    fn text_refused(&mut self, f: Field, s: &str, multiline: bool) -> bool {
        match rules::check_text(f.name(), s, multiline) {
            Ok(()) => false,
            Err(r) => {
                let message = strip_field_prefix(&f.name().replace('-', " "), &r.message());
                self.fail(f, message, Some(r.rule), r.unsafe_attempt.map(|a| *a));
                true
            }
        }
    }

    fn text(&mut self, f: Field) -> String {
        self.cell(f).map(Cow::into_owned).unwrap_or_default()
    }

    fn boolean(&mut self, f: Field) -> bool {
        let Some(s) = self.cell(f) else { return false };
        let t = s.trim();
        let is = |words: &[&str]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
        if t.is_empty() || is(&["false", "no", "0"]) {
            false
        } else if is(&["true", "yes", "1"]) {
            true
        } else {
            if !self.text_refused(f, &s, false) {
                self.fail(f, format!("{} is not true or false", shown(t)), None, None);
            }
            false
        }
    }

    /// The cell of a typed field unless it is blank; as read, for the text rules (its
    /// value is the trimmed text).
    fn filled(&mut self, f: Field) -> Option<Cow<'r, str>> {
        self.cell(f).filter(|s| !s.trim().is_empty())
    }

    fn date(&mut self, f: Field) -> Option<NaiveDate> {
        let s = self.filled(f)?;
        let t = s.trim();
        match crate::domain::dates::parse(t) {
            Ok(d) => Some(d),
            Err(r) => {
                if !self.text_refused(f, &s, false) {
                    self.fail(f, r.message(), None, None);
                }
                None
            }
        }
    }

    fn method(&mut self) -> Option<Method> {
        let f = Field::Method;
        let s = self.filled(f)?;
        let t = s.trim();
        if let Some(m) = by_name(Method::ALL, Method::as_str, t) {
            return Some(m);
        }
        if self.text_refused(f, &s, false) {
            return None;
        }
        let names = Method::names();
        if Method::parse_input(t) == Err(crate::domain::MethodProblem::Unsafe) {
            let rule = Rule::SafeCollectionMethod;
            let message = format!(
                "{} is refused by the {rule} rule: credentials are never collected by email, chat, \
                 forms, phone or as shared or plain-text passwords; use one of: {names}",
                shown(t)
            );
            self.fail(f, message, Some(rule), None);
        } else {
            let message = format!(
                "{} is not a collection method; use one of: {names}",
                shown(t)
            );
            self.fail(f, message, None, None);
        }
        None
    }

    fn deprovision(&mut self) -> Option<Deprovision> {
        let f = Field::Deprovision;
        let s = self.filled(f)?;
        let t = s.trim();
        let d = by_name(Deprovision::ALL, Deprovision::as_str, t);
        if d.is_none() && !self.text_refused(f, &s, false) {
            let message = format!(
                "{} is not a deprovisioning rule; use one of: {}",
                shown(t),
                Deprovision::names()
            );
            self.fail(f, message, None, None);
        }
        d
    }
}

/// The value whose stable name is `t`, ignoring ASCII case and taking `_` for `-`, as
/// the domain's `FromStr` does, without allocating for every cell.
fn by_name<T: Copy>(all: &[T], name: fn(T) -> &'static str, t: &str) -> Option<T> {
    all.iter().copied().find(|v| {
        let n = name(*v);
        n.len() == t.len()
            && n.bytes()
                .zip(t.bytes())
                .all(|(n, t)| n == t.to_ascii_lowercase() || (n == b'-' && t == b'_'))
    })
}

/// The refusal messages of `rules::check_text` start with the field name, which the
/// import error already names as its column.
fn strip_field_prefix(field: &str, message: &str) -> String {
    message
        .strip_prefix(field)
        .and_then(|rest| rest.strip_prefix(": ").or_else(|| rest.strip_prefix(' ')))
        .unwrap_or(message)
        .to_string()
}

/// A value quoted in an error message: sanitised, on one line, cut short, and never a
/// credential.
fn shown(value: &str) -> String {
    if secrets::find_secret(value).is_some() {
        return "(value not shown: it looks like a credential)".to_string();
    }
    let clean = text::sanitize(value);
    let mut out = String::from("'");
    for (i, c) in clean.chars().enumerate() {
        if i == SHOWN_CHARS {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out.push('\'');
    out
}

/// The values of a row as bytes that tell any two different rows apart (each text is
/// followed by a byte that UTF-8 never holds), hashed for the duplicate check. Two
/// rows with the same SHA-256 are taken as the same row.
#[derive(Default)]
struct RowBytes(Vec<u8>);

impl Hasher for RowBytes {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        0
    }
}

impl RowBytes {
    fn digest(&mut self, f: &ItemFields) -> [u8; 32] {
        self.0.clear();
        (
            &f.system,
            &f.purpose,
            &f.role,
            &f.holder,
            &f.credential_owner,
            &f.approver,
        )
            .hash(self);
        (f.method, f.temporary, f.expires, f.deprovision).hash(self);
        (
            f.privileged,
            f.shared_credential,
            f.client_owned,
            f.needed_by,
            &f.notes,
        )
            .hash(self);
        f.exception
            .as_ref()
            .map(|e| (&e.reason, &e.owner, e.expires))
            .hash(self);
        Sha256::digest(&self.0).into()
    }
}
