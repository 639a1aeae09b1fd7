//! What is wrong with a form, as it is typed: each field on its own (text rules, a
//! date that exists), then the domain's review of the whole item (several fields
//! together, dates before today, warnings), worded for the field they are about.

use super::{DomainField, Field, FieldKind, Form, Note, Problem, Purpose};
use crate::domain::{catalogue, dates, rules};

impl Form {
    /// What is wrong with one field on its own.
    pub fn field_problem(&self, f: &Field) -> Option<Problem> {
        let plain = |text: String| Problem {
            text,
            secret: None,
            missing: false,
        };
        match &f.kind {
            FieldKind::Text { input, multiline } => {
                let v = input.value();
                if let Err(r) = rules::check_text(f.name, v, *multiline) {
                    return Some(Problem {
                        text: match &r.unsafe_attempt {
                            Some(a) => format!(
                                "refused ({}): this looks like a credential ({}); it is never stored — remove it and use a safe collection method",
                                r.rule, a.detector
                            ),
                            None => r.message(),
                        },
                        secret: r.unsafe_attempt.map(|a| *a),
                        missing: false,
                    });
                }
                if f.required && v.trim().is_empty() {
                    return Some(Problem {
                        text: "required".into(),
                        secret: None,
                        missing: true,
                    });
                }
                None
            }
            FieldKind::Date { input } => {
                let v = input.value().trim();
                if v.is_empty() {
                    return f.required.then(|| Problem {
                        text: "required".into(),
                        secret: None,
                        missing: true,
                    });
                }
                let field = DomainField::from_name(f.name)?;
                dates::parse_date(field, v)
                    .err()
                    .map(|r| plain(r.message()))
            }
            FieldKind::Choice { options, index } => {
                let empty = options.get(*index).is_none_or(|(v, _)| v.is_empty());
                (f.required && empty).then(|| Problem {
                    text: "required: choose one".into(),
                    secret: None,
                    missing: true,
                })
            }
            FieldKind::Toggle(_) => None,
        }
    }

    /// What the domain's review of the whole item says, by field name: refusals
    /// (several fields together, dates before today) and warnings. Only add and edit
    /// forms hold an item.
    fn review(&self) -> rules::FieldReview {
        let previous = match &self.purpose {
            Purpose::Add => None,
            Purpose::Edit { original, .. } => Some(original.as_ref()),
            Purpose::Move { .. }
            | Purpose::Bulk { .. }
            | Purpose::Project { .. }
            | Purpose::NewProject
            | Purpose::Delegate { .. }
            | Purpose::Task { .. } => {
                return rules::FieldReview::default();
            }
        };
        let mut fields = self.item_fields();
        let mut review = rules::review_fields(&fields, self.today, previous);
        if let Some(standards) = &self.standards {
            let standard = standards.of(&fields.system);
            match catalogue::apply(&mut fields, &standard, previous) {
                Err(r) => review.refusals.push(r),
                Ok(()) => review
                    .warnings
                    .extend(catalogue::suggestion(&fields, &standard)),
            }
        }
        review
    }

    /// Every problem of the form, by field index.
    pub fn problems(&self) -> Vec<(usize, Problem)> {
        self.notes()
            .into_iter()
            .filter_map(|(i, n)| match n {
                Note::Problem(p) => Some((i, p)),
                _ => None,
            })
            .collect()
    }

    /// What to show under each field, by field index: its own problem first, else
    /// what the review of the whole item found, else the newer value after a
    /// conflict. A refusal the review cannot place under a field of this form is
    /// shown under the first field, so it is never hidden.
    pub fn notes(&self) -> Vec<(usize, Note)> {
        let review = self.review();
        let mut out = Vec::new();
        for (i, f) in self.fields.iter().enumerate() {
            let about = |field: Option<DomainField>| field.is_some_and(|x| x.name() == f.name);
            if let Some(p) = self.field_problem(f) {
                out.push((i, Note::Problem(p)));
            } else if let Some(r) = review.refusals.iter().find(|r| about(r.field)) {
                out.push((
                    i,
                    Note::Problem(Problem {
                        text: r.message(),
                        secret: None,
                        missing: false,
                    }),
                ));
            } else if let Some((_, w)) = review.warnings.iter().find(|(x, _)| about(Some(*x))) {
                out.push((i, Note::Warning(w.clone())));
            }
            if let Some((_, v)) = self.theirs.iter().find(|(n, _)| *n == f.name) {
                out.push((i, Note::Theirs(v.clone())));
            }
        }
        let placed = |r: &crate::domain::Refusal| {
            r.field
                .is_some_and(|x| self.fields.iter().any(|f| f.name == x.name()))
        };
        // Secrets are placed by the field check above; anything else goes first.
        if let Some(r) = review
            .refusals
            .iter()
            .find(|r| !placed(r) && r.unsafe_attempt.is_none())
        {
            out.insert(
                0,
                (
                    0,
                    Note::Problem(Problem {
                        text: r.message(),
                        secret: None,
                        missing: false,
                    }),
                ),
            );
        }
        out
    }
}
