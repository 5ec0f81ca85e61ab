//! Form fields of the register and the literacy log, described once as data.
//!
//! One description drives the form (label, hint with a concrete example, limit), the
//! validation with German messages, the change history, the CSV columns and the PDF rows, so
//! the five can never disagree about which fields exist.

use domain::FieldErrors;
use domain::text::{TextRule, clean};

/// What kind of input a field is.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One line of text with a maximum length in characters.
    Line(usize),
    /// Several lines of text with a maximum length in characters.
    Text(usize),
    /// A choice from `(code, label)` pairs.
    Select(&'static [(&'static str, &'static str)]),
    /// A calendar date (`YYYY-MM-DD`).
    Date,
    /// A whole number from 0 up to the given maximum.
    Number(i64),
}

/// One field.
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    /// Form name and key.
    pub key: &'static str,
    /// German label.
    pub label: &'static str,
    /// German subject for messages ("Der Name").
    pub subject: &'static str,
    /// Hint under the label, ideally with an example from a small business.
    pub hint: &'static str,
    /// Input kind.
    pub kind: Kind,
    /// Whether it must be filled; the message when it is not.
    pub missing: Option<&'static str>,
}

impl FieldDef {
    /// Label of a select code, or the code itself.
    pub fn option_label(&self, code: &str) -> String {
        match self.kind {
            Kind::Select(options) => options
                .iter()
                .find(|(c, _)| *c == code)
                .map_or_else(|| code.to_owned(), |(_, l)| (*l).to_owned()),
            _ => code.to_owned(),
        }
    }
}

/// A field as the template shows it.
pub struct FieldView {
    /// Form name.
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// Hint.
    pub hint: &'static str,
    /// `text`, `textarea`, `select`, `date` or `number`.
    pub input: &'static str,
    /// Current value (as typed, for re-rendering after an error).
    pub value: String,
    /// Choices: (code, label, selected).
    pub options: Vec<(&'static str, &'static str, bool)>,
    /// Maximum length for `maxlength` (0 = none).
    pub max: usize,
    /// Whether the field is required.
    pub required: bool,
    /// The German message for this field, if any.
    pub error: Option<String>,
}

/// The views of `defs` with values from `value` and messages from `errors`.
pub fn views(
    defs: &[FieldDef],
    value: impl Fn(&str) -> String,
    errors: &FieldErrors,
) -> Vec<FieldView> {
    defs.iter()
        .map(|d| {
            let v = value(d.key);
            let (input, max, options) = match d.kind {
                Kind::Line(max) => ("text", max, Vec::new()),
                Kind::Text(max) => ("textarea", max, Vec::new()),
                Kind::Select(options) => (
                    "select",
                    0,
                    options
                        .iter()
                        .map(|(c, l)| (*c, *l, *c == v.as_str()))
                        .collect(),
                ),
                Kind::Date => ("date", 0, Vec::new()),
                Kind::Number(_) => ("number", 0, Vec::new()),
            };
            FieldView {
                key: d.key,
                label: d.label,
                hint: d.hint,
                input,
                value: v,
                options,
                max,
                required: d.missing.is_some(),
                error: errors.get(d.key).map(str::to_owned),
            }
        })
        .collect()
}

/// Checks one submitted text or choice; returns the cleaned value (empty for an allowed
/// empty field) and records a German message in `errors`. Dates and numbers are checked by
/// the caller, which knows what they mean.
pub fn clean_field(def: &FieldDef, raw: &str, errors: &mut FieldErrors) -> String {
    match def.kind {
        Kind::Line(max) | Kind::Text(max) => {
            let rule = TextRule {
                label: def.subject,
                missing: def.missing.unwrap_or(""),
                required: def.missing.is_some(),
                max_chars: max,
                multiline: matches!(def.kind, Kind::Text(_)),
            };
            match clean(raw, rule) {
                Ok(v) => v.unwrap_or_default(),
                Err(message) => {
                    errors.add(def.key, message);
                    raw.to_owned()
                }
            }
        }
        Kind::Select(options) => {
            if options.iter().any(|(c, _)| *c == raw) {
                raw.to_owned()
            } else {
                errors.add(
                    def.key,
                    format!(
                        "Bitte wählen Sie bei „{}“ einen Eintrag aus der Liste.",
                        def.label
                    ),
                );
                String::new()
            }
        }
        Kind::Date | Kind::Number(_) => raw.trim().chars().take(40).collect(),
    }
}
