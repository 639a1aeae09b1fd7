//! One event as the replay reads it: its columns and its payload text, borrowed from
//! the row. Its own module, so that every part of the replay can take it.

/// One event as the replay reads it.
#[derive(Debug, Clone, Copy)]
pub struct EventIn<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub login: &'a str,
    pub project: Option<&'a str>,
    pub item: Option<&'a str>,
    pub kind: &'a str,
    pub payload: &'a str,
}
