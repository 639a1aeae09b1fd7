//! Where SQLite keeps its temporary tables and sort files: on disk as usual, or, in a
//! guarded installation, in memory. A temporary file would be created as the person
//! running accessdesk, in a folder of their choosing (`TMPDIR`), with pages of the
//! team file in it.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set once, at the start of a guarded run, before any file is opened.
static IN_MEMORY: AtomicBool = AtomicBool::new(false);

/// Keeps SQLite's temporary data in memory for every connection this process opens
/// from now on.
pub fn keep_temporary_data_in_memory() {
    IN_MEMORY.store(true, Ordering::SeqCst);
}

/// Whether connections keep temporary data in memory.
pub(crate) fn in_memory() -> bool {
    IN_MEMORY.load(Ordering::SeqCst)
}
