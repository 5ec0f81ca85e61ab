//! Makes user strings printable with the bundled fonts.
//!
//! Why: PDF/A-2b forbids the `.notdef` glyph. One emoji in a company name
//! would otherwise make the whole PDF export fail. Characters that no bundled
//! font can draw are replaced by a visible placeholder; invisible format
//! characters (variation selectors, zero-width joiners, control characters)
//! are dropped. Only the data is touched, never the template.

use serde_json::Value;

use crate::world::ASSETS;

/// Returns `value` with every string (and object key) made printable.
pub(crate) fn printable(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(printable_str(s)),
        Value::Array(items) => Value::Array(items.iter().map(printable).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (printable_str(k), printable(v)))
                .collect(),
        ),
        Value::Null | Value::Bool(_) | Value::Number(_) => value.clone(),
    }
}

/// The placeholder for characters no bundled font has: U+FFFD if a font
/// covers it, else `?`.
fn placeholder() -> char {
    if ASSETS.covers('\u{FFFD}') {
        '\u{FFFD}'
    } else {
        '?'
    }
}

/// Sanitises one string; returns it unchanged in the common case.
pub(crate) fn printable_str(s: &str) -> String {
    if s.chars()
        .all(|c| (c.is_ascii() && !c.is_ascii_control()) || keep(c))
    {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if keep(c) || (c.is_ascii() && !c.is_ascii_control()) {
            out.push(c);
        } else if is_invisible(c) {
            // dropped
        } else {
            out.push(placeholder());
        }
    }
    out
}

/// Characters typst handles itself (line breaks, tabs, soft hyphen, no-break
/// space) or that a bundled font can draw.
fn keep(c: char) -> bool {
    matches!(c, '\n' | '\t' | '\u{00A0}' | '\u{00AD}') || (!c.is_control() && ASSETS.covers(c))
}

/// Control and format characters that produce no visible glyph.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_text_is_unchanged() {
        let s = "Müller & Söhne GmbH – „Straße“ 12 €, § 5\nzweite Zeile";
        assert_eq!(printable_str(s), s);
    }

    #[test]
    fn emoji_and_format_characters_are_replaced_or_dropped() {
        let out = printable_str("Raketen\u{1F680}\u{FE0F} AG\u{0007}");
        assert!(!out.contains('\u{1F680}'));
        assert!(!out.contains('\u{FE0F}'));
        assert!(!out.contains('\u{0007}'));
        assert!(out.starts_with("Raketen"));
        assert!(out.ends_with(" AG"));
        assert_eq!(out.chars().count(), "Raketen? AG".chars().count());
    }

    #[test]
    fn nested_values_are_walked() {
        let v = serde_json::json!({"a": ["x\u{1F600}", {"b": 1, "c": null}]});
        let out = printable(&v);
        assert_eq!(out["a"][1]["b"], 1);
        assert!(
            !out["a"][0]
                .as_str()
                .unwrap_or_default()
                .contains('\u{1F600}')
        );
    }
}
