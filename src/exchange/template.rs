//! The TOML file of a template (`template import`, `template export`): parsed strictly
//! (an unknown key, a wrong type or a bad method is refused) and checked by the domain;
//! every problem names the line of the file it is on.

use crate::domain::template::{self, Template};
use crate::domain::{Field, Refusal};

/// Why a template file was refused: the line (from 1) and what is wrong there.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateFileError {
    pub line: usize,
    pub problem: String,
    /// The domain's refusal, when a rule refused a well-formed file.
    pub refusal: Option<Box<Refusal>>,
}

impl std::fmt::Display for TemplateFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

/// The line (from 1) holding byte `at` of `text`.
fn line_of(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.as_bytes()[..at]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The line of the `n`-th (from 1) `[[item]]` table, or of a top-level key.
fn line_for(text: &str, item: Option<usize>, key: &str) -> usize {
    let mut seen = 0;
    for (i, l) in text.lines().enumerate() {
        let l = l.trim_start();
        match item {
            Some(n) if l.starts_with("[[item]]") => {
                seen += 1;
                if seen == n {
                    return i + 1;
                }
            }
            None if l.starts_with(key) && l[key.len()..].trim_start().starts_with('=') => {
                return i + 1;
            }
            _ => {}
        }
    }
    1
}

/// Reads and checks a template file.
pub fn parse_template(text: &str) -> Result<Template, TemplateFileError> {
    let mut t: Template = toml::from_str(text).map_err(|e| TemplateFileError {
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        problem: e.message().trim().to_string(),
        refusal: None,
    })?;
    template::check(&mut t).map_err(|p| {
        let key = match p.refusal.field {
            Some(Field::Notes) => "description",
            Some(Field::Title) => "title",
            _ => "name",
        };
        let where_ = match p.item {
            Some(n) => format!("item {n}: "),
            None => String::new(),
        };
        let line = line_for(text, p.item, key);
        let mut refusal = p.refusal;
        refusal.line = u32::try_from(line).ok();
        TemplateFileError {
            line,
            problem: format!("{where_}{} ({})", refusal.problem, refusal.rule),
            refusal: Some(Box::new(refusal)),
        }
    })?;
    Ok(t)
}

/// Writes a template as its TOML file; reading it back gives the same template.
pub fn template_toml(t: &Template) -> String {
    let body = toml::to_string(t).unwrap_or_default();
    format!("# accessdesk template: import with `accessdesk template import FILE.toml`\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "web"
title = "Web"

[[item]]
system = "CMS"
role = "Editor"
purpose = "content"
method = "sso-invite"
temporary = true
duration_days = 30
"#;

    #[test]
    fn round_trips_and_names_the_line() {
        let t = parse_template(GOOD).unwrap();
        assert_eq!(parse_template(&template_toml(&t)).unwrap(), t);
        let bad = GOOD.replace("sso-invite", "email");
        assert_eq!(parse_template(&bad).unwrap_err().line, 9);
        let bad = GOOD.replace("duration_days = 30", "");
        let e = parse_template(&bad).unwrap_err();
        assert_eq!(e.line, 5, "{e}");
    }
}
