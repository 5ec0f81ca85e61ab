//! Free-text fields: trimming, length limits and the German messages for them.
//!
//! Limits are counted in characters (what a user sees), not bytes, so "Müller" counts six.
//! Control characters other than line breaks and tabs are rejected: they have no business in
//! a company name and they break CSV exports and mail headers.

use std::collections::BTreeMap;

/// Per-field German error messages, keyed by the form field name, so a template can show
/// each message next to its input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    /// Records the first problem found for `field`; later ones are dropped so the user sees
    /// one clear instruction per field.
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    /// The message for one field, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// True when no field has an error.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All messages in field order, for the summary at the top of a form.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(k, v)| (*k, v.as_str()))
    }

    /// Number of fields with an error.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// How a text field may be shaped.
#[derive(Debug, Clone, Copy)]
pub struct TextRule {
    /// German subject used in messages, e.g. "Der Firmenname".
    pub label: &'static str,
    /// The complete German request shown when a required field is empty.
    pub missing: &'static str,
    /// Whether an empty value is acceptable.
    pub required: bool,
    /// Maximum length in characters.
    pub max_chars: usize,
    /// Whether line breaks are allowed (message fields) or not (names).
    pub multiline: bool,
}

/// Trims and checks one text field. Returns `Ok(None)` for an allowed empty value.
pub fn clean(raw: &str, rule: TextRule) -> Result<Option<String>, String> {
    let value = if rule.multiline {
        raw.replace("\r\n", "\n").trim().to_owned()
    } else {
        raw.trim().to_owned()
    };
    if value.is_empty() {
        return if rule.required {
            Err(rule.missing.to_owned())
        } else {
            Ok(None)
        };
    }
    let count = value.chars().count();
    if count > rule.max_chars {
        return Err(format!(
            "{} ist zu lang: {} Zeichen, erlaubt sind höchstens {}. Bitte kürzen Sie den Text.",
            rule.label, count, rule.max_chars
        ));
    }
    let bad_char = value
        .chars()
        .find(|c| c.is_control() && !(rule.multiline && (*c == '\n' || *c == '\t')));
    if bad_char.is_some() {
        return Err(if rule.multiline {
            format!(
                "{} enthält unsichtbare Steuerzeichen. Bitte tippen Sie den Text neu ein.",
                rule.label
            )
        } else {
            format!(
                "{} darf keine Zeilenumbrüche oder Steuerzeichen enthalten.",
                rule.label
            )
        });
    }
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: TextRule = TextRule {
        label: "Der Name",
        missing: "Bitte geben Sie Ihren Namen an.",
        required: true,
        max_chars: 5,
        multiline: false,
    };

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(clean("Müßig", NAME), Ok(Some("Müßig".to_owned())));
        assert!(clean("Müßigg", NAME).is_err());
    }

    #[test]
    fn rejects_line_breaks_in_single_line_fields() {
        assert!(clean("a\nb", NAME).is_err());
    }

    #[test]
    fn empty_required_field_gets_a_request_to_fill_it() {
        assert_eq!(
            clean("   ", NAME),
            Err("Bitte geben Sie Ihren Namen an.".to_owned())
        );
    }
}
