//! placeholder until the sanitiser lands
use std::borrow::Cow;
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    ControlCharacter { index: usize, codepoint: u32 },
    BidiControl { index: usize, codepoint: u32 },
    TooLong { max: usize, len: usize },
}
impl std::fmt::Display for TextProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}
pub fn check_text(text: &str, multiline: bool, max_len: usize) -> Result<(), TextProblem> {
    for (i, c) in text.chars().enumerate() {
        if c.is_control() && !(multiline && (c == '\n' || c == '\t')) {
            return Err(TextProblem::ControlCharacter {
                index: i,
                codepoint: c as u32,
            });
        }
    }
    let n = text.chars().count();
    if n > max_len {
        return Err(TextProblem::TooLong {
            max: max_len,
            len: n,
        });
    }
    Ok(())
}
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if text.chars().any(|c| c.is_control()) {
        Cow::Owned(
            text.chars()
                .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}
