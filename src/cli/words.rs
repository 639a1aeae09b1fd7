//! How the command line words what the domain and the store return: a refusal with
//! the flags a person would type (`--approver`), an imported row by its line and
//! column, and, with `--json`, an error as one JSON object.

use crate::domain::{Field, Refusal};

/// The flag that sets `field` on the command line.
pub fn flag(field: Field) -> String {
    format!("--{}", field.name())
}

/// A refusal as the command line says it: the rule, the problem and the fix, and the
/// flags that set the fields it is about; an imported row's line and column instead
/// of flags.
pub fn refusal(r: &Refusal) -> String {
    let mut out = format!("refused ({}): ", r.rule);
    match (r.line, r.field) {
        (Some(line), Some(f)) => out.push_str(&format!("line {line}, column {}: ", f.name())),
        (Some(line), None) => out.push_str(&format!("line {line}: ")),
        _ => {}
    }
    out.push_str(&r.problem);
    if !r.fix.is_empty() {
        out.push_str("; ");
        out.push_str(&r.fix);
    }
    let fields = r.fields();
    if r.line.is_none() && !fields.is_empty() {
        let flags: Vec<String> = fields.into_iter().map(flag).collect();
        out.push_str(&format!(" ({})", flags.join(", ")));
    }
    out
}

/// An error as one JSON object, the last line a script reads from standard error:
/// `{"error", "rule", "field", "fix", "exit"}` (`rule`, `field` and `fix` are null
/// when the error is not a rule's refusal).
pub fn json_error(message: &str, refusal: Option<&Refusal>, exit: u8) -> String {
    let v = serde_json::json!({
        "error": message,
        "rule": refusal.map(|r| r.rule.name()),
        "field": refusal.and_then(|r| r.field).map(|f| f.name()),
        "fix": refusal.map(|r| r.fix.as_str()).filter(|f| !f.is_empty()),
        "exit": exit,
    });
    super::safe_json::to_string(&v)
}

/// A usage error as clap renders it, starting as every other error does:
/// `accessdesk: ` and what is wrong (clap's own `error: ` goes).
pub fn usage_error(rendered: &str) -> String {
    let body = rendered.strip_prefix("error: ").unwrap_or(rendered);
    format!("accessdesk: {body}")
}

/// A usage error (exit 2) as the one JSON object `--json` ends standard error with:
/// the first line of clap's message, the argument it is about as `field`, and clap's
/// suggestion, or the command's help, as `fix`.
pub fn usage_json(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    let rendered = e.render().to_string();
    let first = rendered
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string();
    let text = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join(", ")),
        _ => None,
    };
    let field = text(ContextKind::InvalidArg).map(|a| {
        a.split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_start_matches('-')
            .to_string()
    });
    let fix = text(ContextKind::SuggestedArg)
        .or_else(|| text(ContextKind::SuggestedSubcommand))
        .map(|s| format!("did you mean {s}?"))
        .or_else(|| text(ContextKind::ValidValue).map(|v| format!("use one of: {v}")))
        .unwrap_or_else(|| "see accessdesk --help, or the command's --help".to_string());
    let v = serde_json::json!({
        "error": crate::domain::text::sanitize(&first),
        "rule": serde_json::Value::Null,
        "field": field,
        "fix": fix,
        "exit": 2,
    });
    super::safe_json::to_string(&v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Rule;

    #[test]
    fn flags_on_the_command_line_line_and_column_in_import() {
        let r = Refusal::new(Rule::NoSelfApproval, "carol is requesting this item")
            .on(Field::Approver)
            .fix("name someone else as approval owner");
        assert_eq!(
            refusal(&r),
            "refused (no-self-approval): carol is requesting this item; name someone else as approval owner (--approver)"
        );
        assert_eq!(
            refusal(&r.clone().at_line(7)),
            "refused (no-self-approval): line 7, column approver: carol is requesting this item; name someone else as approval owner"
        );
        let j: serde_json::Value = serde_json::from_str(&json_error("x", Some(&r), 3)).unwrap();
        assert_eq!(j["rule"], "no-self-approval");
        assert_eq!(j["field"], "approver");
        assert_eq!(j["exit"], 3);
    }
}
