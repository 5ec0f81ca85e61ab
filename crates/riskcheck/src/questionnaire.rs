//! Questionnaire metadata for the web wizard: steps, questions, answer mapping
//! and skip conditions, as data.
//!
//! Answer convention (aiact.md §2.1(3)): „ja“ and „nein“ map to JSON values;
//! „weiß nicht“ maps to [`Val::Omit`] (key not sent), so the engine applies
//! the per-key default of aiact-facts.md (protective outcome + review where
//! the key is classification-critical). Keys marked `ui_only` are wizard
//! state and must not be sent to the engine.

use serde::Serialize;
use serde_json::Value;

/// A JSON value an answer maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Val {
    /// Do not send the key ("not established").
    Omit,
    /// Send `null`.
    Null,
    /// Send a bool.
    Bool(bool),
    /// Send a string.
    Str(&'static str),
}

/// Skip/show condition over the answers collected so far (facts + ui-only keys).
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "op", content = "args", rename_all = "snake_case")]
pub enum Cond {
    /// Always shown.
    Always,
    /// `key` equals `value`.
    Is {
        /// Key.
        key: &'static str,
        /// Value.
        value: Val,
    },
    /// `key` is absent or differs from `value`.
    IsNot {
        /// Key.
        key: &'static str,
        /// Value.
        value: Val,
    },
    /// `key` is a string equal to `value` or a list containing it.
    Contains {
        /// Key.
        key: &'static str,
        /// Value.
        value: &'static str,
    },
    /// Any of the conditions.
    Any(&'static [Cond]),
    /// All of the conditions.
    All(&'static [Cond]),
}

impl Cond {
    /// Evaluates the condition against the answers object, so the app and
    /// the tests use the same semantics.
    pub fn holds(&self, answers: &Value) -> bool {
        let get = |k: &str| answers.get(k);
        let eq = |k: &str, v: &Val| match (get(k), v) {
            (None, Val::Omit) => true,
            (Some(Value::Null), Val::Null) => true,
            (Some(Value::Bool(a)), Val::Bool(b)) => a == b,
            (Some(Value::String(a)), Val::Str(b)) => a == b,
            _ => false,
        };
        match self {
            Cond::Always => true,
            Cond::Is { key, value } => eq(key, value),
            Cond::IsNot { key, value } => !eq(key, value),
            Cond::Contains { key, value } => match get(key) {
                Some(Value::String(s)) => s == value,
                Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(value)),
                _ => false,
            },
            Cond::Any(cs) => cs.iter().any(|c| c.holds(answers)),
            Cond::All(cs) => cs.iter().all(|c| c.holds(answers)),
        }
    }
}

/// One selectable option.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Opt {
    /// German label.
    pub label_de: &'static str,
    /// JSON value.
    pub value: Val,
}

/// How the answer is collected and mapped.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Answer {
    /// ja / nein / weiß nicht.
    YesNo {
        /// Value for „ja“.
        yes: Val,
        /// Value for „nein“.
        no: Val,
        /// Value for „weiß nicht“.
        unknown: Val,
    },
    /// One of several options, plus „weiß nicht“.
    Single {
        /// Options.
        options: &'static [Opt],
        /// Value for „weiß nicht“.
        unknown: Val,
    },
    /// Several options; sent as a JSON array (empty = not sent).
    Multi {
        /// Options.
        options: &'static [Opt],
    },
    /// ja adds `value` to the list under the key, nein adds nothing,
    /// weiß nicht adds it too (protective). If the area step ends with no
    /// point at all, send `annex_iii_point: null` („keines davon“).
    ListMember {
        /// The list element.
        value: &'static str,
    },
    /// Free text (never parsed by the engine).
    Text,
}

/// One question.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Question {
    /// Question id from the brief (e.g. `A1`, `D-f`, `G0`).
    pub id: &'static str,
    /// Fact key the answer is stored under.
    pub key: &'static str,
    /// True for wizard-only keys that must not be sent to the engine.
    pub ui_only: bool,
    /// German question (per Sie).
    pub text_de: &'static str,
    /// Short help text.
    pub help_de: &'static str,
    /// Answer mapping.
    pub answer: Answer,
    /// Show the question only if this holds.
    pub show_if: Cond,
    /// Article the question serves.
    pub article: &'static str,
}

/// One wizard step.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Step {
    /// Stable id.
    pub id: &'static str,
    /// German title.
    pub title_de: &'static str,
    /// Short help text with an SME example.
    pub help_de: &'static str,
    /// Show the step only if this holds.
    pub show_if: Cond,
    /// Questions in order.
    pub questions: &'static [Question],
}

/// The steps in wizard order. Why data: the web engineer renders it, the
/// content owner edits it here, and the tests check every key against the schema.
pub fn questionnaire() -> &'static [Step] {
    crate::questions::STEPS
}

/// Shorthand: ja → true, nein → false, weiß nicht → not sent.
pub(crate) const YN: Answer = Answer::YesNo {
    yes: Val::Bool(true),
    no: Val::Bool(false),
    unknown: Val::Omit,
};

/// Shorthand for a `key == true` condition.
pub(crate) const fn is_true(key: &'static str) -> Cond {
    Cond::Is {
        key,
        value: Val::Bool(true),
    }
}

/// Shorthand for a yes/no question.
pub(crate) const fn q(
    id: &'static str,
    key: &'static str,
    text_de: &'static str,
    help_de: &'static str,
    article: &'static str,
    show_if: Cond,
) -> Question {
    Question {
        id,
        key,
        ui_only: false,
        text_de,
        help_de,
        answer: YN,
        show_if,
        article,
    }
}
