//! Rule metadata types: article, certainty label and "Stand" date per rule.
//!
//! Every reason the engine prints is built from a [`RuleMeta`], so that the
//! source of each statement can be re-checked (aiact.md §0, §2.1(6)).

use std::borrow::Cow;
use std::fmt;

use serde::{Serialize, Serializer};

/// Certainty label of aiact.md §0, kept in the rule metadata for later re-checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Certainty {
    /// Text of Reg. (EU) 2024/1689 or the GDPR as originally adopted.
    #[serde(rename = "LAW")]
    Law,
    /// Text as amended by Reg. (EU) 2026/1744 (Digital Omnibus on AI).
    #[serde(rename = "LAW-AMENDED")]
    LawAmended,
    /// Commission guidelines or a code of practice (not binding).
    #[serde(rename = "GUIDANCE")]
    Guidance,
    /// Draft guidance.
    #[serde(rename = "DRAFT")]
    Draft,
    /// Legislative proposal, not law.
    #[serde(rename = "PROPOSED")]
    Proposed,
    /// Only secondary sources; check before shipping.
    #[serde(rename = "VERIFY")]
    Verify,
}

impl Certainty {
    /// The label as printed in reasons, e.g. `LAW-AMENDED`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Certainty::Law => "LAW",
            Certainty::LawAmended => "LAW-AMENDED",
            Certainty::Guidance => "GUIDANCE",
            Certainty::Draft => "DRAFT",
            Certainty::Proposed => "PROPOSED",
            Certainty::Verify => "VERIFY",
        }
    }
}

/// One rule's source data. A change in the law is an edit of one `RuleMeta`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleMeta {
    /// Rule id from the brief, e.g. `D-f`, `G0`, `GDPR-35`.
    pub id: &'static str,
    /// Legal reference in German citation style.
    pub article: &'static str,
    /// Certainty label; `None` for input-handling notes that state no law.
    pub certainty: Option<Certainty>,
    /// Date on which the rule was last checked against its source (ISO).
    pub stand: &'static str,
    /// Editorial note, e.g. where the engine deviates from the brief to follow the law.
    pub note: &'static str,
}

/// One line of `reasons`: built from a rule, printed as
/// `"[<id>] <text> (<article>) [<label>]"` (aiact-facts.md §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// Rule id (may carry a suffix such as `F-4(a)`).
    pub id: Cow<'static, str>,
    /// German text.
    pub text: Cow<'static, str>,
    /// Article (may be filled in, e.g. the Annex III point).
    pub article: Cow<'static, str>,
    /// Certainty label.
    pub certainty: Option<Certainty>,
    /// "Stand" date of the rule.
    pub stand: &'static str,
    /// True for the closing disclaimer, which is printed without brackets.
    pub is_disclaimer: bool,
}

impl Reason {
    /// A reason with the rule's own id and article.
    pub fn new(rule: &'static RuleMeta, text: impl Into<Cow<'static, str>>) -> Self {
        Self {
            id: Cow::Borrowed(rule.id),
            text: text.into(),
            article: Cow::Borrowed(rule.article),
            certainty: rule.certainty,
            stand: rule.stand,
            is_disclaimer: false,
        }
    }

    /// Replaces the id, e.g. to add the Annex III point.
    pub fn with_id(mut self, id: impl Into<Cow<'static, str>>) -> Self {
        self.id = id.into();
        self
    }

    /// Replaces the article, e.g. with the letter filled in.
    pub fn with_article(mut self, article: impl Into<Cow<'static, str>>) -> Self {
        self.article = article.into();
        self
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_disclaimer {
            return f.write_str(&self.text);
        }
        write!(f, "[{}] {}", self.id, self.text)?;
        if !self.article.is_empty() {
            write!(f, " ({})", self.article)?;
        }
        if let Some(c) = self.certainty {
            write!(f, " [{}]", c.as_str())?;
        }
        Ok(())
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
