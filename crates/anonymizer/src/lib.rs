//! Local anonymizer for German-language business text (AT, DE, CH).
//!
//! Finds personal data (names, contact data, bank data, national
//! identifiers, addresses, …), replaces it with consistent placeholders such
//! as `[PERSON_1]`, and restores the placeholders in an AI's answer.
//! Everything runs locally: no network, no model, word lists are embedded.
//!
//! ```
//! use anonymizer::{Anonymizer, deanonymize};
//! let a = Anonymizer::new();
//! let out = a.pseudonymize("Sehr geehrte Frau Haas, Ihre IBAN AT61 1904 3002 3457 3201 ist vermerkt.");
//! assert_eq!(out.text, "Sehr geehrte Frau [PERSON_1], Ihre IBAN [IBAN_1] ist vermerkt.");
//! assert_eq!(deanonymize("Danke, Frau [PERSON_1]!", &out.mapping), "Danke, Frau Haas!");
//! ```

#![warn(missing_docs)]

mod detect;
pub mod fuzz_check;
mod gazetteer;
mod label;
mod mapping;
mod replace;
mod restore;
mod special;
pub mod validate;

use serde::{Deserialize, Serialize};

pub use gazetteer::Gazetteer;
pub use label::{Label, UnknownLabel};
pub use mapping::Mapping;
pub use restore::{StreamingDeanonymizer, deanonymize};
pub use special::{SpecialCategory, SpecialCategoryKind, special_categories};

/// Errors of this crate.
///
/// Why: building the pattern set can in principle fail; callers that want to
/// know use [`Anonymizer::try_new`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The built-in pattern set did not compile (a bug in this crate).
    #[error("pattern set failed to compile: {0}")]
    Pattern(String),
}

/// One detected piece of personal data.
///
/// Why: the UI highlights entities and the API reports them; `start`/`end`
/// are Unicode code point offsets into the input (like Python indices),
/// `byte_start`/`byte_end` are UTF-8 byte offsets for Rust slicing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// Start, in code points, in the input text.
    pub start: usize,
    /// End (exclusive), in code points, in the input text.
    pub end: usize,
    /// Kind of personal data.
    pub label: Label,
    /// The text that replaced it (`[PERSON_1]` or, for mask and detect, `[PERSON]`).
    pub placeholder: String,
    /// Start, in bytes, in the input text.
    pub byte_start: usize,
    /// End (exclusive), in bytes, in the input text.
    pub byte_end: usize,
}

/// Result of pseudonymizing or masking a text.
///
/// Why: callers need the safe text, what was found, and (for pseudonymize)
/// the mapping to restore the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anonymized {
    /// The text with personal data replaced.
    pub text: String,
    /// Entities found, in reading order, offsets into the input text.
    pub entities: Vec<Entity>,
    /// Placeholder → original (empty for [`Anonymizer::mask`]).
    pub mapping: Mapping,
}

impl PartialEq for Mapping {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

/// The configured detector. Immutable, `Send + Sync`; build once and share.
///
/// Why: compiling patterns and loading word lists takes milliseconds, a
/// detection call takes microseconds; the app keeps one in a `LazyLock`.
#[derive(Debug, Clone)]
pub struct Anonymizer {
    patterns: Option<detect::patterns::Patterns>,
    gaz: Gazetteer,
    enabled: [bool; 16],
}

impl Default for Anonymizer {
    fn default() -> Self {
        Self::new()
    }
}

impl Anonymizer {
    /// Default German configuration with all labels.
    ///
    /// Why: the common case needs no configuration. If the built-in patterns
    /// ever failed to compile (a bug caught by the tests), only the name
    /// detector would run; use [`Anonymizer::try_new`] to see that error.
    pub fn new() -> Anonymizer {
        Self::with_labels(&Label::ALL)
    }

    /// Like [`Anonymizer::new`] but reports a pattern compilation failure.
    ///
    /// Why: services may prefer to fail at start-up rather than degrade.
    pub fn try_new() -> Result<Anonymizer, Error> {
        Self::try_with_labels(&Label::ALL)
    }

    /// Only the given entity types are detected (a gateway policy).
    ///
    /// Why: some deployments keep e.g. company addresses visible.
    pub fn with_labels(labels: &[Label]) -> Anonymizer {
        Self::try_with_labels(labels).unwrap_or_else(|_| Anonymizer {
            patterns: None,
            gaz: Gazetteer::load(),
            enabled: enabled_set(labels),
        })
    }

    /// Fallible form of [`Anonymizer::with_labels`].
    ///
    /// Why: see [`Anonymizer::try_new`].
    pub fn try_with_labels(labels: &[Label]) -> Result<Anonymizer, Error> {
        Ok(Anonymizer {
            patterns: Some(detect::patterns::Patterns::new()?),
            gaz: Gazetteer::load(),
            enabled: enabled_set(labels),
        })
    }

    /// The enabled labels.
    ///
    /// Why: UIs show the active policy.
    pub fn labels(&self) -> Vec<Label> {
        Label::ALL
            .iter()
            .zip(self.enabled)
            .filter(|(_, on)| *on)
            .map(|(l, _)| *l)
            .collect()
    }

    /// Approximate memory held by the embedded word lists, in bytes.
    ///
    /// Why: the issue caps gazetteer memory; the benchmark reports it.
    pub fn gazetteer_bytes(&self) -> usize {
        self.gaz.heap_bytes()
    }

    /// Finds personal data. Sorted by position, never overlapping.
    ///
    /// Why: for highlighting and for callers with their own replacement logic.
    pub fn detect(&self, text: &str) -> Vec<Entity> {
        let cands = detect::detect(text, self.patterns.as_ref(), &self.gaz, &self.enabled);
        replace::entities(text, &cands, |l, _| format!("[{}]", l.as_str()))
    }

    /// Replaces personal data with numbered placeholders in a fresh mapping.
    ///
    /// Why: the reversible mode for sending text to an AI.
    pub fn pseudonymize(&self, text: &str) -> Anonymized {
        let mut m = Mapping::new();
        self.pseudonymize_with(text, &mut m)
    }

    /// Like [`Anonymizer::pseudonymize`], reusing (and extending) `mapping`.
    ///
    /// Why: the same person must keep the same placeholder across the
    /// messages of a conversation.
    pub fn pseudonymize_with(&self, text: &str, mapping: &mut Mapping) -> Anonymized {
        restore::reserve_literal_placeholders(text, mapping);
        let cands = detect::detect(text, self.patterns.as_ref(), &self.gaz, &self.enabled);
        let (out, entities) = replace::replace(text, &cands, |l, s| mapping.placeholder_for(l, s));
        Anonymized {
            text: out,
            entities,
            mapping: mapping.clone(),
        }
    }

    /// Irreversibly replaces personal data with `[LABEL]` markers.
    ///
    /// Why: for logs, exports and sharing where nothing must be restorable.
    pub fn mask(&self, text: &str) -> Anonymized {
        let cands = detect::detect(text, self.patterns.as_ref(), &self.gaz, &self.enabled);
        let (out, entities) = replace::replace(text, &cands, |l, _| format!("[{}]", l.as_str()));
        Anonymized {
            text: out,
            entities,
            mapping: Mapping::new(),
        }
    }
}

fn enabled_set(labels: &[Label]) -> [bool; 16] {
    let mut on = [false; 16];
    for (i, l) in Label::ALL.iter().enumerate() {
        on[i] = labels.contains(l);
    }
    on
}
