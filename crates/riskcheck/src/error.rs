//! Input errors with German user messages.
//!
//! The app shows [`FactsError`]'s `Display` text directly to the user, so every
//! message names the offending key and, for enums, lists the allowed values.

use thiserror::Error;

/// Why a fact object was rejected (aiact-facts.md §0: exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FactsErrorKind {
    /// The input text is not valid JSON.
    #[error("Die Eingabe ist kein gültiges JSON ({0}).")]
    InvalidJson(String),
    /// The input is valid JSON but not an object.
    #[error("Die Eingabe muss ein JSON-Objekt sein, z. B. {{\"is_ai_system\": true}}.")]
    NotAnObject,
    /// A key has a value of the wrong JSON type.
    #[error("Das Feld „{key}“ hat den falschen Typ: erwartet wird {expected}.")]
    WrongType {
        /// The fact key.
        key: String,
        /// German description of the expected type.
        expected: &'static str,
    },
    /// An enum key has a value outside the schema.
    #[error("Das Feld „{key}“ hat den unbekannten Wert „{value}“. Erlaubt sind: {allowed}.")]
    UnknownValue {
        /// The fact key.
        key: String,
        /// The rejected value.
        value: String,
        /// Comma-separated allowed values.
        allowed: String,
    },
}

/// Rejected input. `Display` is the German message for the user.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(transparent)]
pub struct FactsError {
    kind: FactsErrorKind,
}

impl FactsError {
    /// The structured reason, for callers that map errors to HTTP fields.
    pub fn kind(&self) -> &FactsErrorKind {
        &self.kind
    }

    /// The fact key the error refers to, if any, so a form can highlight it.
    pub fn key(&self) -> Option<&str> {
        match &self.kind {
            FactsErrorKind::WrongType { key, .. } | FactsErrorKind::UnknownValue { key, .. } => {
                Some(key)
            }
            _ => None,
        }
    }

    pub(crate) fn new(kind: FactsErrorKind) -> Self {
        Self { kind }
    }

    pub(crate) fn wrong_type(key: &str, expected: &'static str) -> Self {
        Self::new(FactsErrorKind::WrongType {
            key: key.to_owned(),
            expected,
        })
    }

    pub(crate) fn unknown_value(key: &str, value: &str, allowed: String) -> Self {
        Self::new(FactsErrorKind::UnknownValue {
            key: key.to_owned(),
            value: value.to_owned(),
            allowed,
        })
    }
}
