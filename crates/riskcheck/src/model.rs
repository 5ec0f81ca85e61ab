//! The result types: exactly the JSON contract of aiact-facts.md §4.
//!
//! [`Assessment`] serialises to the five top-level keys and nothing else;
//! the structured [`Reason`]s stay available to Rust callers.

use serde::Serialize;

use crate::obligations::{Obligation, Tag};
use crate::rules::meta::Reason;

/// Risk class with the precedence prohibited > high > limited > minimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskClass {
    /// No AI Act duty beyond Art. 4, or out of scope / no AI system.
    Minimal,
    /// Art. 50 transparency duties apply.
    Limited,
    /// High-risk under Art. 6(1) or 6(2).
    High,
    /// Prohibited practice under Art. 5.
    Prohibited,
}

impl RiskClass {
    /// JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskClass::Minimal => "minimal",
            RiskClass::Limited => "limited",
            RiskClass::High => "high",
            RiskClass::Prohibited => "prohibited",
        }
    }
}

/// Role of the organisation for this system (Art. 3(3), 3(4), 25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Anbieter (including an Art. 25 role flip).
    Provider,
    /// Betreiber.
    Deployer,
}

impl Role {
    /// JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Provider => "provider",
            Role::Deployer => "deployer",
        }
    }
}

/// The result of [`crate::evaluate`]; serialises to exactly the §4 JSON object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// Risk class.
    pub risk_class: RiskClass,
    /// Role.
    pub role: Role,
    /// Unique tags in vocabulary order.
    pub obligations: Vec<Obligation>,
    /// True if a "weiß nicht" default, a conflict or another review trigger was used.
    pub needs_review: bool,
    /// German reasons in evaluation order; the disclaimer is last.
    pub reasons: Vec<Reason>,
}

impl Assessment {
    /// True if the tag is among the obligations.
    pub fn has(&self, tag: Tag) -> bool {
        self.obligations.iter().any(|o| o.tag == tag)
    }

    /// The tags in output order, for regression tests and the UI.
    pub fn tags(&self) -> Vec<Tag> {
        self.obligations.iter().map(|o| o.tag).collect()
    }

    /// The reasons as printed strings.
    pub fn reason_strings(&self) -> Vec<String> {
        self.reasons.iter().map(ToString::to_string).collect()
    }
}
