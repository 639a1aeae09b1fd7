//! Parts of the screen that are not panes: the header and tab line, the status line
//! and footer, the help overlay, forms and confirmations.

pub mod confirm;
pub mod footer;
pub mod form;
pub mod header;
pub mod help;
