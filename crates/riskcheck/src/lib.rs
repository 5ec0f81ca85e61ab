//! `riskcheck`: the KI-Risiko-Check engine (issue 4).
//!
//! Evaluates one JSON object of facts (aiact-facts.md §1) against the EU AI Act
//! (Reg. (EU) 2024/1689 as amended by Reg. (EU) 2026/1744) and the GDPR and
//! returns exactly the result contract of aiact-facts.md §4. Rules are data
//! with article, certainty label and "Stand" ([`rules::table`]); obligation
//! tags are data ([`obligations::SPECS`]). Also contains the "Darf ich das in
//! ChatGPT eingeben?" quick check ([`chatgpt`]), ready-to-use German notice
//! templates ([`templates`]) and the wizard's questionnaire ([`questionnaire`]).
//!
//! All functions are pure and never panic on any input.

pub mod chatgpt;
pub mod error;
pub mod facts;
pub mod facts_keys;
mod gdpr;
pub mod model;
pub mod obligations;
pub mod questionnaire;
mod questions;
mod questions_annex;
mod questions_art5;
pub mod rules;
pub mod templates;
pub mod texts;
pub mod vocab;

pub use error::{FactsError, FactsErrorKind};
pub use facts::Facts;
pub use model::{Assessment, RiskClass, Role};
pub use obligations::{Obligation, Tag};
pub use rules::meta::{Certainty, Reason, RuleMeta};
pub use templates::{Template, templates_for};

/// Version of the rule set; printed in every result (in the closing disclaimer)
/// so a stored result can be traced to the rules that produced it.
pub const RULESET_VERSION: &str = "2026-11-27.1";

/// Version of the law the rules encode, for reports and the UI.
pub const LAW_VERSION: &str = "VO (EU) 2024/1689 idF VO (EU) 2026/1744; DSGVO (EU) 2016/679";

/// Evaluates a fact object. Why a `Value`: the web app already holds parsed
/// JSON; errors are German messages naming the key (aiact-facts.md §0).
pub fn evaluate(facts: &serde_json::Value) -> Result<Assessment, FactsError> {
    let f = Facts::from_json(facts)?;
    Ok(evaluate_facts(&f))
}

/// Evaluates already parsed facts; cannot fail.
pub fn evaluate_facts(facts: &Facts) -> Assessment {
    rules::run(facts)
}

/// Like [`evaluate_json`] but returns the JSON text with the keys in contract
/// order (`risk_class`, `role`, `obligations`, `needs_review`, `reasons`).
pub fn evaluate_to_string(input: &str) -> Result<String, FactsError> {
    let v: serde_json::Value = serde_json::from_str(input)
        .map_err(|e| FactsError::new(FactsErrorKind::InvalidJson(e.to_string())))?;
    let a = evaluate(&v)?;
    serde_json::to_string_pretty(&a)
        .map_err(|e| FactsError::new(FactsErrorKind::InvalidJson(e.to_string())))
}

/// Convenience for the CLI and the JSON API: text in, §4 JSON out.
pub fn evaluate_json(input: &str) -> Result<serde_json::Value, FactsError> {
    let v: serde_json::Value = serde_json::from_str(input)
        .map_err(|e| FactsError::new(FactsErrorKind::InvalidJson(e.to_string())))?;
    let a = evaluate(&v)?;
    serde_json::to_value(&a)
        .map_err(|e| FactsError::new(FactsErrorKind::InvalidJson(e.to_string())))
}
