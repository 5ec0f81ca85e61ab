//! The guided KI-Risiko-Check at `/werkzeuge/ki-check`.
//!
//! One topic (a step of [`::riskcheck::questionnaire::questionnaire`]) per page. Every state
//! change is a form post to `/werkzeuge/ki-check` that carries all answers: the questions of
//! the current page as inputs, every other answer as hidden fields. Nothing is stored on
//! the server or in a cookie.
//!
//! Answers are kept per question id (`a.<id>` → `ja` / `nein` / `weiss_nicht` / option
//! value), not per fact key, because several questions feed one key (Annex III points) and
//! one key is asked twice (profiling). [`walk`] turns them into the fact object, applying
//! the questionnaire's skip conditions in order; an answer to a question that is currently
//! hidden is kept but not used. Questions that only appear after an answer on the same page
//! (follow-ups) are shown by re-displaying the page, so the wizard needs no JavaScript.

use std::collections::{HashMap, HashSet};

use ::riskcheck::chatgpt::FIX_ANONYMIZE;
use ::riskcheck::questionnaire::{Answer, Opt, Question, Step, Val, questionnaire};
use ::riskcheck::{Assessment, RiskClass, Role, Tag};
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::{certainty_de, long_date, no_store, today_vienna};
use crate::profile::CompanyProfile;
use crate::state::AppState;
use crate::web::formdata::FormFields;
use axum::extract::State;

/// Prefix of the form field of a question: `a.<question id>`.
const FIELD: &str = "a.";
/// Answer code „ja“.
const YES: &str = "ja";
/// Answer code „nein“.
const NO: &str = "nein";
/// Answer code „weiß nicht“.
const UNKNOWN: &str = "weiss_nicht";
/// Option code of a `null` option („Nein“, „Keine davon“).
const NONE_CODE: &str = "keine";
/// Pseudo step id of the result page.
const RESULT: &str = "ergebnis";
/// Longest free-text answer kept.
const TEXT_MAX: usize = 500;

// ---------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------

/// One answer as given in the form.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Given {
    /// A yes/no/unknown code or an option code.
    One(String),
    /// Checked options of a multiple choice.
    Many(Vec<String>),
    /// Free text.
    Text(String),
}

/// All answers of one visitor, by question id.
#[derive(Debug, Clone, Default)]
struct Answers {
    by_id: HashMap<&'static str, Given>,
    /// True if the form carried values that are not possible answers (tampered or stale).
    rejected: bool,
}

/// The code an option is submitted as.
fn option_code(v: Val) -> &'static str {
    match v {
        Val::Str(s) => s,
        Val::Null => NONE_CODE,
        Val::Bool(true) => YES,
        Val::Bool(false) => NO,
        Val::Omit => UNKNOWN,
    }
}

/// The options of a single choice as (code, label, value), with „Weiß nicht“ appended
/// unless one of the options already stands for it.
fn single_options(options: &'static [Opt], unknown: Val) -> Vec<(&'static str, &'static str, Val)> {
    let mut out: Vec<(&'static str, &'static str, Val)> = options
        .iter()
        .map(|o| (option_code(o.value), o.label_de, o.value))
        .collect();
    let unknown_code = option_code(unknown);
    if !out.iter().any(|(code, _, _)| *code == unknown_code) {
        out.push((unknown_code, "Weiß nicht", unknown));
    }
    out
}

/// Yes/no/unknown as (code, label).
const YES_NO: [(&str, &str); 3] = [(YES, "Ja"), (NO, "Nein"), (UNKNOWN, "Weiß nicht")];

impl Answers {
    /// Reads the answers from a posted form; impossible values are dropped and flagged.
    fn from_form(form: &FormFields) -> Answers {
        let mut answers = Answers::default();
        for step in questionnaire() {
            for q in step.questions {
                let values = form.all(&format!("{FIELD}{}", q.id));
                let Some(first) = values.first() else {
                    continue;
                };
                let given = match q.answer {
                    Answer::YesNo { .. } | Answer::ListMember { .. } => YES_NO
                        .iter()
                        .find(|(code, _)| code == first)
                        .map(|(code, _)| Given::One((*code).to_owned())),
                    Answer::Single { options, unknown } => single_options(options, unknown)
                        .iter()
                        .find(|(code, _, _)| code == first)
                        .map(|(code, _, _)| Given::One((*code).to_owned())),
                    Answer::Multi { options } => {
                        let mut picked: Vec<String> = Vec::new();
                        let mut ok = true;
                        for v in &values {
                            match options.iter().find(|o| option_code(o.value) == v) {
                                Some(o) => {
                                    let code = option_code(o.value).to_owned();
                                    if !picked.contains(&code) {
                                        picked.push(code);
                                    }
                                }
                                None => ok = false,
                            }
                        }
                        if !ok {
                            answers.rejected = true;
                        }
                        Some(Given::Many(picked))
                    }
                    Answer::Text => {
                        let text = first.trim();
                        if text.chars().count() > TEXT_MAX {
                            answers.rejected = true;
                            Some(Given::Text(text.chars().take(TEXT_MAX).collect()))
                        } else {
                            Some(Given::Text(text.to_owned()))
                        }
                    }
                };
                match given {
                    Some(g) => {
                        answers.by_id.insert(q.id, g);
                    }
                    None => answers.rejected = true,
                }
            }
        }
        answers
    }

    fn get(&self, id: &str) -> Option<&Given> {
        self.by_id.get(id)
    }

    /// Whether a required question counts as answered.
    fn answered(&self, q: &Question) -> bool {
        match self.get(q.id) {
            Some(Given::Many(v)) => !v.is_empty(),
            Some(_) => true,
            None => false,
        }
    }

    /// The hidden fields that carry every answer except those of `except` (the questions
    /// shown as inputs on the page), in questionnaire order.
    fn hidden_fields(&self, except: &HashSet<&'static str>) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for step in questionnaire() {
            for q in step.questions {
                if except.contains(q.id) {
                    continue;
                }
                let name = format!("{FIELD}{}", q.id);
                match self.get(q.id) {
                    Some(Given::One(v) | Given::Text(v)) if !v.is_empty() => {
                        out.push((name, v.clone()));
                    }
                    Some(Given::Many(vs)) => {
                        out.extend(vs.iter().map(|v| (name.clone(), v.clone())));
                    }
                    _ => {}
                }
            }
        }
        out
    }
}

/// Whether the wizard insists on an answer before moving on. Free text and plain
/// multiple choices are optional; a multiple choice with a „none“ option (the Annex III
/// areas) must be answered, because „keines davon“ is itself an answer.
fn required(q: &Question) -> bool {
    match q.answer {
        Answer::YesNo { .. } | Answer::Single { .. } | Answer::ListMember { .. } => true,
        Answer::Multi { options } => options.iter().any(|o| o.value == Val::Str("none")),
        Answer::Text => false,
    }
}

// ---------------------------------------------------------------------------------------
// From answers to facts
// ---------------------------------------------------------------------------------------

/// Which steps and questions are shown, and the fact object the answers give.
#[derive(Debug, Clone)]
struct Walk {
    /// Facts plus wizard-only keys, as the skip conditions see them.
    answers_json: Map<String, Value>,
    /// Per step: `None` if skipped, else the indices of the shown questions.
    steps: Vec<Option<Vec<usize>>>,
}

impl Walk {
    fn visible(&self, step: usize) -> bool {
        self.steps.get(step).is_some_and(Option::is_some)
    }

    fn visible_steps(&self) -> Vec<usize> {
        (0..self.steps.len()).filter(|i| self.visible(*i)).collect()
    }

    /// The fact object for the engine: without the wizard-only keys.
    fn facts(&self) -> Value {
        let ui_keys: HashSet<&str> = questionnaire()
            .iter()
            .flat_map(|s| s.questions.iter())
            .filter(|q| q.ui_only)
            .map(|q| q.key)
            .collect();
        Value::Object(
            self.answers_json
                .iter()
                .filter(|(k, _)| !ui_keys.contains(k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }

    /// Required questions of `step` that are shown but not answered yet.
    fn missing(&self, answers: &Answers, step: usize) -> Vec<usize> {
        let Some(Some(shown)) = self.steps.get(step) else {
            return Vec::new();
        };
        let Some(s) = questionnaire().get(step) else {
            return Vec::new();
        };
        shown
            .iter()
            .copied()
            .filter(|qi| {
                s.questions
                    .get(*qi)
                    .is_some_and(|q| required(q) && !answers.answered(q))
            })
            .collect()
    }
}

/// Stores `val` under `key` (`Omit` removes the key: „not established“).
fn set(obj: &mut Map<String, Value>, key: &str, val: Val) {
    match val {
        Val::Omit => {
            obj.remove(key);
        }
        Val::Null => {
            obj.insert(key.to_owned(), Value::Null);
        }
        Val::Bool(b) => {
            obj.insert(key.to_owned(), Value::Bool(b));
        }
        Val::Str(s) => {
            obj.insert(key.to_owned(), Value::String(s.to_owned()));
        }
    }
}

/// Applies one answer to the answers object.
fn apply(obj: &mut Map<String, Value>, q: &Question, given: &Given) {
    match (q.answer, given) {
        (Answer::YesNo { yes, no, unknown }, Given::One(code)) => {
            let val = match code.as_str() {
                YES => yes,
                NO => no,
                _ => unknown,
            };
            set(obj, q.key, val);
        }
        (Answer::Single { options, unknown }, Given::One(code)) => {
            if let Some((_, _, val)) = single_options(options, unknown)
                .into_iter()
                .find(|(c, _, _)| c == code)
            {
                set(obj, q.key, val);
            }
        }
        (Answer::Multi { .. }, Given::Many(codes)) => {
            if codes.is_empty() {
                obj.remove(q.key);
            } else {
                obj.insert(
                    q.key.to_owned(),
                    Value::Array(codes.iter().cloned().map(Value::String).collect()),
                );
            }
        }
        // „weiß nicht“ counts like „ja“ here: the protective reading.
        (Answer::ListMember { value }, Given::One(code)) if code != NO => {
            let entry = obj
                .entry(q.key.to_owned())
                .or_insert_with(|| Value::Array(Vec::new()));
            if !entry.is_array() {
                *entry = Value::Array(Vec::new());
            }
            if let Value::Array(list) = entry
                && !list.iter().any(|v| v.as_str() == Some(value))
            {
                list.push(Value::String(value.to_owned()));
            }
        }
        (Answer::Text, Given::Text(text)) => {
            if text.is_empty() {
                obj.remove(q.key);
            } else {
                obj.insert(q.key.to_owned(), Value::String(text.clone()));
            }
        }
        _ => {}
    }
}

/// Walks the questionnaire in order with the answers given, up to and including step
/// `upto` (all steps if `None`), applying every skip condition to the answers so far.
fn walk(answers: &Answers, upto: Option<usize>) -> Walk {
    let steps = questionnaire();
    let mut json = Value::Object(Map::new());
    let mut shown_steps = Vec::with_capacity(steps.len());
    for (si, step) in steps.iter().enumerate() {
        if upto.is_some_and(|u| si > u) || !step.show_if.holds(&json) {
            shown_steps.push(None);
            continue;
        }
        let mut shown = Vec::new();
        let mut list_keys: Vec<&'static str> = Vec::new();
        let mut areas_answered = false;
        for (qi, q) in step.questions.iter().enumerate() {
            if matches!(q.answer, Answer::ListMember { .. }) && !list_keys.contains(&q.key) {
                list_keys.push(q.key);
            }
            if !q.show_if.holds(&json) {
                continue;
            }
            shown.push(qi);
            if let Some(given) = answers.get(q.id)
                && let Value::Object(obj) = &mut json
            {
                apply(obj, q, given);
                if q.ui_only && matches!(q.answer, Answer::Multi { .. }) && answers.answered(q) {
                    areas_answered = true;
                }
            }
        }
        // The area question was answered but no sub-point applies: „keines davon“.
        if areas_answered && let Value::Object(obj) = &mut json {
            for key in list_keys {
                obj.entry(key.to_owned()).or_insert(Value::Null);
            }
        }
        shown_steps.push(Some(shown));
    }
    let answers_json = match json {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Walk {
        answers_json,
        steps: shown_steps,
    }
}

/// Runs the engine. The wizard only produces schema values, so an error means the
/// questionnaire and the engine disagree; it is shown, never a panic.
fn evaluate(walk: &Walk) -> Result<Assessment, String> {
    ::riskcheck::evaluate(&walk.facts()).map_err(|e| e.to_string())
}

/// The step at which the check ends: the first step whose answers (with all before it)
/// give a prohibited practice, else the last shown step.
fn end_step(answers: &Answers) -> usize {
    let full = walk(answers, None);
    let visible = full.visible_steps();
    for &si in &visible {
        let partial = walk(answers, Some(si));
        if evaluate(&partial).is_ok_and(|a| a.risk_class == RiskClass::Prohibited) {
            return si;
        }
    }
    visible.last().copied().unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------

/// The start page.
#[derive(Template, WebTemplate)]
#[template(path = "toolkit/ki_check_start.html")]
pub struct StartPage {
    nav: &'static str,
    topics: Vec<&'static str>,
    stand: String,
}

/// `GET /werkzeuge/ki-check`.
pub async fn start() -> StartPage {
    StartPage {
        nav: "werkzeuge",
        topics: questionnaire().iter().map(|s| s.title_de).collect(),
        stand: format!(
            "{} (Regelwerk {})",
            ::riskcheck::texts::STAND_DE,
            ::riskcheck::RULESET_VERSION
        ),
    }
}

/// One selectable answer.
pub struct OptionView {
    /// Submitted value.
    pub value: &'static str,
    /// German label.
    pub label: &'static str,
    /// Pre-selected.
    pub checked: bool,
    /// HTML id.
    pub id: String,
}

/// One question as shown.
pub struct QuestionView {
    /// Question id (for the `shown` list).
    pub qid: &'static str,
    /// HTML id of the fieldset or input.
    pub id: String,
    /// Form field name.
    pub name: String,
    /// Question.
    pub text: &'static str,
    /// Help text ("" for none).
    pub help: &'static str,
    /// Legal reference ("" for none).
    pub article: &'static str,
    /// `radio`, `checkbox` or `text`.
    pub kind: &'static str,
    /// Options of radio and checkbox questions.
    pub options: Vec<OptionView>,
    /// Text answer.
    pub value: String,
    /// Error message, if the question must still be answered.
    pub error: Option<&'static str>,
    /// True for a follow-up question that appeared because of an answer on this page.
    pub new: bool,
    /// Value of `aria-describedby` ("" for none).
    pub described_by: String,
}

/// A link from the error summary to a question.
pub struct ErrorLink {
    /// Target id.
    pub id: String,
    /// Text.
    pub text: String,
}

/// One step of the wizard.
#[derive(Template, WebTemplate)]
#[template(path = "toolkit/ki_check_step.html")]
pub struct StepPage {
    nav: &'static str,
    step_id: &'static str,
    title: &'static str,
    help: &'static str,
    position: usize,
    total: usize,
    questions: Vec<QuestionView>,
    hidden: Vec<(String, String)>,
    errors: Vec<ErrorLink>,
    has_new: bool,
    notice: Option<&'static str>,
    first: bool,
    last: bool,
}

/// Help texts written for developers in the questionnaire, replaced for visitors.
fn help_for(q: &Question) -> &'static str {
    match q.id {
        "F" => "Wählen Sie „Keines davon“, wenn nichts davon zutrifft.",
        _ => q.help_de,
    }
}

/// The first sentence-like part of a question, for the error summary.
fn short_text(text: &str) -> String {
    const MAX: usize = 80;
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let cut: String = text.chars().take(MAX).collect();
    match cut.rfind(' ') {
        Some(i) => format!("{} …", &cut[..i]),
        None => format!("{cut} …"),
    }
}

/// Why a question needs an answer.
fn missing_message(q: &Question) -> &'static str {
    match q.answer {
        Answer::YesNo { .. } | Answer::ListMember { .. } => {
            "Bitte wählen Sie „Ja“, „Nein“ oder „Weiß nicht“."
        }
        Answer::Multi { .. } => {
            "Bitte wählen Sie mindestens eine Antwort, notfalls „Keines davon“."
        }
        Answer::Single { .. } | Answer::Text => "Bitte wählen Sie eine der Antworten.",
    }
}

/// Why a page shows follow-ups or errors.
#[derive(Default)]
struct Marks {
    /// Question indices with an error.
    errors: HashSet<usize>,
    /// Question indices that appeared as follow-ups.
    new: HashSet<usize>,
    notice: Option<&'static str>,
}

const NOTICE_REJECTED: &str = "Einige übermittelte Antworten waren ungültig und wurden verworfen. Bitte beantworten Sie die betroffenen Fragen noch einmal.";
const NOTICE_UNKNOWN_STEP: &str = "Diese Seite des Checks gibt es nicht. Sie sind wieder beim ersten Schritt; Ihre Antworten sind noch da.";
const NOTICE_EARLIER: &str = "In einem früheren Schritt fehlt noch eine Antwort. Bitte ergänzen Sie sie; danach geht es weiter.";

fn render_step(answers: &Answers, si: usize, marks: Marks) -> Response {
    let steps = questionnaire();
    let full = walk(answers, None);
    let Some(step) = steps.get(si) else {
        return render_step(answers, 0, Marks::default());
    };
    let visible = full.visible_steps();
    let position = visible.iter().position(|&i| i == si).map_or(1, |p| p + 1);
    let total = visible.len().max(position);
    let shown: Vec<usize> = full.steps.get(si).cloned().flatten().unwrap_or_default();
    let mut on_page: HashSet<&'static str> = HashSet::new();
    let mut questions = Vec::new();
    let mut errors = Vec::new();
    for &qi in &shown {
        let Some(q) = step.questions.get(qi) else {
            continue;
        };
        on_page.insert(q.id);
        let id = format!("q-{si}-{qi}");
        let error = marks.errors.contains(&qi).then(|| missing_message(q));
        if let Some(message) = error {
            errors.push(ErrorLink {
                id: id.clone(),
                text: format!("„{}“ – {message}", short_text(q.text_de)),
            });
        }
        let help = help_for(q);
        let mut described = Vec::new();
        if !help.is_empty() {
            described.push(format!("{id}-h"));
        }
        if error.is_some() {
            described.push(format!("{id}-e"));
        }
        let given = answers.get(q.id);
        let one = match given {
            Some(Given::One(v)) => v.as_str(),
            _ => "",
        };
        let (kind, options, value) = match q.answer {
            Answer::YesNo { .. } | Answer::ListMember { .. } => (
                "radio",
                YES_NO
                    .iter()
                    .enumerate()
                    .map(|(i, (code, label))| OptionView {
                        value: code,
                        label,
                        checked: one == *code,
                        id: format!("{id}-{i}"),
                    })
                    .collect(),
                String::new(),
            ),
            Answer::Single { options, unknown } => (
                "radio",
                single_options(options, unknown)
                    .into_iter()
                    .enumerate()
                    .map(|(i, (code, label, _))| OptionView {
                        value: code,
                        label,
                        checked: one == code,
                        id: format!("{id}-{i}"),
                    })
                    .collect(),
                String::new(),
            ),
            Answer::Multi { options } => {
                let picked: &[String] = match given {
                    Some(Given::Many(v)) => v,
                    _ => &[],
                };
                (
                    "checkbox",
                    options
                        .iter()
                        .enumerate()
                        .map(|(i, o)| {
                            let code = option_code(o.value);
                            OptionView {
                                value: code,
                                label: o.label_de,
                                checked: picked.iter().any(|p| p == code),
                                id: format!("{id}-{i}"),
                            }
                        })
                        .collect(),
                    String::new(),
                )
            }
            Answer::Text => (
                "text",
                Vec::new(),
                match given {
                    Some(Given::Text(t)) => t.clone(),
                    _ => String::new(),
                },
            ),
        };
        questions.push(QuestionView {
            qid: q.id,
            name: format!("{FIELD}{}", q.id),
            text: q.text_de,
            help,
            article: if q.article == "—" { "" } else { q.article },
            kind,
            options,
            value,
            error,
            new: marks.new.contains(&qi),
            described_by: described.join(" "),
            id,
        });
    }
    let notice = marks.notice.or(if answers.rejected {
        Some(NOTICE_REJECTED)
    } else {
        None
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = StepPage {
        nav: "werkzeuge",
        step_id: step.id,
        title: step.title_de,
        help: step.help_de,
        position,
        total,
        has_new: !marks.new.is_empty(),
        hidden: answers.hidden_fields(&on_page),
        questions,
        errors,
        notice,
        first: visible.first().is_none_or(|&f| f >= si),
        last: visible.last().is_none_or(|&l| l <= si),
    };
    let mut response = page.into_response();
    *response.status_mut() = status;
    no_store(response)
}

/// `POST /werkzeuge/ki-check`: every move through the wizard.
pub async fn submit(State(state): State<AppState>, form: FormFields) -> Response {
    let answers = Answers::from_form(&form);
    let steps = questionnaire();
    let step_field = form.get("step");
    let current = steps.iter().position(|s| s.id == step_field);
    let goto = form.get("goto");
    if !goto.is_empty() {
        let full = walk(&answers, None);
        return match steps.iter().position(|s| s.id == goto) {
            Some(si) if full.visible(si) => render_step(&answers, si, Marks::default()),
            _ => render_step(
                &answers,
                first_visible(&full),
                Marks {
                    notice: Some(NOTICE_UNKNOWN_STEP),
                    ..Marks::default()
                },
            ),
        };
    }
    match (form.get("go"), current) {
        ("zurueck", _) if step_field == RESULT => {
            render_step(&answers, end_step(&answers), Marks::default())
        }
        ("zurueck", Some(si)) => {
            let full = walk(&answers, None);
            let previous = (0..si).rev().find(|i| full.visible(*i)).unwrap_or(si);
            render_step(&answers, previous, Marks::default())
        }
        ("weiter", Some(si)) => next(&answers, si, &form.all("shown")),
        ("start", _) => render_step(&answers, 0, Marks::default()),
        ("bericht", _) if step_field == RESULT => report(&state, &answers, &form).await,
        (_, _) if step_field == RESULT => result(&answers),
        _ => {
            let full = walk(&answers, None);
            render_step(
                &answers,
                first_visible(&full),
                Marks {
                    notice: Some(NOTICE_UNKNOWN_STEP),
                    ..Marks::default()
                },
            )
        }
    }
}

fn first_visible(walk: &Walk) -> usize {
    walk.visible_steps().first().copied().unwrap_or(0)
}

/// „Weiter“ on step `si`.
fn next(answers: &Answers, si: usize, shown_before: &[String]) -> Response {
    let steps = questionnaire();
    let full = walk(answers, None);
    if !full.visible(si) {
        // The step no longer applies (an earlier answer changed): continue after it.
        return match (si + 1..steps.len()).find(|i| full.visible(*i)) {
            Some(n) => render_step(answers, n, Marks::default()),
            None => result(answers),
        };
    }
    let missing = full.missing(answers, si);
    if !missing.is_empty() {
        let step_questions = steps.get(si).map_or(&[][..], |s| s.questions);
        let was_shown = |qi: &usize| {
            step_questions
                .get(*qi)
                .is_some_and(|q| shown_before.iter().any(|id| id == q.id))
        };
        let errors: HashSet<usize> = missing.iter().copied().filter(was_shown).collect();
        let new: HashSet<usize> = missing
            .iter()
            .copied()
            .filter(|qi| !was_shown(qi))
            .collect();
        return render_step(
            answers,
            si,
            Marks {
                errors,
                new,
                notice: None,
            },
        );
    }
    if let Some(earlier) = (0..si).find(|i| !full.missing(answers, *i).is_empty()) {
        return render_step(
            answers,
            earlier,
            Marks {
                errors: full.missing(answers, earlier).into_iter().collect(),
                new: HashSet::new(),
                notice: Some(NOTICE_EARLIER),
            },
        );
    }
    let partial = walk(answers, Some(si));
    if evaluate(&partial).is_ok_and(|a| a.risk_class == RiskClass::Prohibited) {
        return result(answers);
    }
    match (si + 1..steps.len()).find(|i| full.visible(*i)) {
        Some(n) => render_step(answers, n, Marks::default()),
        None => result(answers),
    }
}

// ---------------------------------------------------------------------------------------
// Result
// ---------------------------------------------------------------------------------------

/// One reason as a sentence with its source.
pub struct ReasonView {
    /// German sentence.
    pub text: String,
    /// Legal reference ("" for none).
    pub article: String,
    /// Certainty in words ("" for none).
    pub certainty: &'static str,
}

/// One duty on the to-do list.
pub struct ObligationView {
    /// What to do.
    pub title: &'static str,
    /// Legal reference.
    pub legal_ref: String,
    /// „gilt bereits (seit …)“ or „gilt ab …“.
    pub when: String,
    /// True if it applies today.
    pub already: bool,
}

/// A concrete next step, optionally with a link.
pub struct NextStep {
    /// What to do.
    pub text: &'static str,
    /// Link target and text.
    pub link: Option<(&'static str, &'static str)>,
}

/// A ready-to-use text.
pub struct TemplateView {
    /// HTML id.
    pub id: String,
    /// Title.
    pub title: &'static str,
    /// Legal basis.
    pub legal_basis: &'static str,
    /// How to use it.
    pub usage: &'static str,
    /// The text.
    pub text: &'static str,
    /// Rows of the text area.
    pub rows: usize,
}

/// A step that can be edited from the result page.
pub struct StepLink {
    /// Step id.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
}

/// The result page.
#[derive(Template, WebTemplate)]
#[template(path = "toolkit/ki_check_result.html")]
pub struct ResultPage {
    nav: &'static str,
    early: bool,
    class_label: &'static str,
    badge: &'static str,
    class_text: &'static str,
    role_label: &'static str,
    role_text: &'static str,
    needs_review: bool,
    summary: Option<ReasonView>,
    reasons: Vec<ReasonView>,
    obligations: Vec<ObligationView>,
    next_steps: Vec<NextStep>,
    templates: Vec<TemplateView>,
    disclaimer: String,
    ruleset: &'static str,
    law: &'static str,
    stand: &'static str,
    hidden: Vec<(String, String)>,
    steps: Vec<StepLink>,
    facts_json: String,
    notice: Option<&'static str>,
    /// Query string for "Ins KI-Verzeichnis übernehmen" (risk class and duties).
    register_query: String,
}

/// The link query that takes this result into a participant's KI-Verzeichnis: the risk
/// class code (the badge codes are the register's codes) and one line per duty with its
/// legal reference and date.
fn register_query(badge: &str, obligations: &[ObligationView]) -> String {
    let duties = obligations
        .iter()
        .map(|o| format!("{} ({}, {})", o.title, o.legal_ref, o.when))
        .collect::<Vec<_>>()
        .join("\n");
    serde_urlencoded::to_string([("risiko", badge), ("pflichten", duties.as_str())])
        .unwrap_or_default()
}

/// Class label, badge class and plain-words explanation.
fn class_words(class: RiskClass) -> (&'static str, &'static str, &'static str) {
    match class {
        RiskClass::Prohibited => (
            "Verboten",
            "verboten",
            "So darf das KI-System in der EU nicht eingesetzt werden. Keine Einwilligung und keine Dokumentation ändert das.",
        ),
        RiskClass::High => (
            "Hohes Risiko",
            "hoch",
            "Der Einsatz ist erlaubt, aber streng geregelt: Es gelten umfangreiche Pflichten zu Aufsicht, Dokumentation und Information.",
        ),
        RiskClass::Limited => (
            "Begrenztes Risiko",
            "begrenzt",
            "Der Einsatz ist erlaubt. Sie müssen offenlegen, dass KI im Spiel ist (Transparenzpflichten).",
        ),
        RiskClass::Minimal => (
            "Minimales Risiko",
            "minimal",
            "Der Einsatz ist erlaubt. Aus der KI-Verordnung gilt vor allem die Pflicht, Ihre Mitarbeitenden im Umgang mit KI zu schulen.",
        ),
    }
}

/// Role label and explanation.
fn role_words(role: Role) -> (&'static str, &'static str) {
    match role {
        Role::Provider => (
            "Anbieter",
            "Sie haben das KI-System entwickelt oder entwickeln lassen oder bieten es unter Ihrem Namen an. Anbieter tragen die meisten Pflichten.",
        ),
        Role::Deployer => (
            "Betreiber",
            "Sie setzen ein KI-System in Ihrem Unternehmen ein, das ein anderer herstellt. Betreiber haben weniger Pflichten als Anbieter.",
        ),
    }
}

/// Concrete next steps for the duties of a result.
fn next_steps(a: &Assessment, facts: &Value) -> Vec<NextStep> {
    const TEMPLATES_BELOW: Option<(&str, &str)> = Some(("#vorlagen", "Zur Textvorlage"));
    let mut out = Vec::new();
    let mut add = |text: &'static str, link: Option<(&'static str, &'static str)>| {
        if !out.iter().any(|s: &NextStep| s.text == text) {
            out.push(NextStep { text, link });
        }
    };
    for tag in a.tags() {
        match tag {
            Tag::Art5CeaseUse => {
                add(
                    "Den Einsatz sofort beenden bzw. das System nicht in Betrieb nehmen.",
                    None,
                );
                add(
                    "Sich rechtlich beraten lassen, bevor Sie eine andere Lösung planen.",
                    None,
                );
            }
            Tag::Art4Literacy => add(
                "Alle, die mit dem KI-System arbeiten, im Umgang damit schulen und die Schulung dokumentieren.",
                None,
            ),
            Tag::Art6_4Documentation | Tag::Art49_2Registration => add(
                "Schriftlich begründen, warum das System trotz Hochrisiko-Bereich nicht hochriskant ist, und es in der EU-Datenbank registrieren.",
                None,
            ),
            Tag::Art16ProviderHighRisk | Tag::Art25ProviderObligations => add(
                "Risikomanagement, technische Dokumentation und Qualitätsmanagement aufbauen und die Konformitätsbewertung planen.",
                None,
            ),
            Tag::Art26DeployerDuties => add(
                "Die Gebrauchsanweisung des Herstellers anfordern, eine verantwortliche Person für die menschliche Aufsicht benennen und die Protokolle mindestens sechs Monate aufbewahren.",
                None,
            ),
            Tag::Art26_7WorkerInformation | Tag::LabourLawCodetermination => add(
                "Betriebsrat und Beschäftigte vor dem Einsatz informieren; wo es einen Betriebsrat gibt, eine Betriebsvereinbarung abschließen.",
                TEMPLATES_BELOW,
            ),
            Tag::Art26_11AffectedPersonNotice => add(
                "Betroffene Personen informieren, dass ein KI-System bei der Entscheidung hilft.",
                TEMPLATES_BELOW,
            ),
            Tag::Art27Fria => add(
                "Vor dem ersten Einsatz eine Grundrechte-Folgenabschätzung durchführen und der Marktüberwachungsbehörde melden.",
                None,
            ),
            Tag::Art50ChatbotDisclosure => add(
                "Im Chatfenster bzw. zu Gesprächsbeginn deutlich sagen, dass eine KI antwortet.",
                TEMPLATES_BELOW,
            ),
            Tag::Art50SyntheticMarking => add(
                "KI-erzeugte Inhalte maschinenlesbar kennzeichnen lassen (z. B. Metadaten oder Wasserzeichen); fragen Sie Ihren Modellanbieter, was er dafür bietet.",
                None,
            ),
            Tag::Art50EmotionBiometricNotice => add(
                "Die betroffenen Personen vor der Erfassung über die Emotionserkennung bzw. biometrische Zuordnung informieren.",
                TEMPLATES_BELOW,
            ),
            Tag::Art50DeepfakeLabel => add(
                "KI-erzeugte Bilder, Videos und Tonaufnahmen direkt am Inhalt als KI-generiert kennzeichnen.",
                TEMPLATES_BELOW,
            ),
            Tag::Art50PublicInterestTextLabel => add(
                "KI-Texte zu Themen von öffentlichem Interesse kennzeichnen, außer eine Person prüft jeden Text redaktionell.",
                TEMPLATES_BELOW,
            ),
            Tag::AnnexISectoralConformity => add(
                "Mit dem Hersteller bzw. der benannten Stelle klären, wie die KI-Anforderungen in die Konformitätsbewertung des Produkts einfließen.",
                None,
            ),
            Tag::GdprBaseline => add(
                "Die Verarbeitung ins Verzeichnis der Verarbeitungstätigkeiten eintragen und die Datenschutzerklärung ergänzen.",
                None,
            ),
            Tag::GdprArt9Special => add(
                "Eine Ausnahme nach Art. 9 Abs. 2 DSGVO klären, z. B. eine ausdrückliche Einwilligung, bevor Gesundheits- oder andere sensible Daten verarbeitet werden.",
                None,
            ),
            Tag::GdprArt22 => add(
                "Einen Menschen jede Entscheidung inhaltlich prüfen lassen, oder die Voraussetzungen des Art. 22 DSGVO sichern und Betroffene über ihr Recht auf menschliches Eingreifen informieren.",
                None,
            ),
            Tag::GdprArt28Avv => add("AVV mit dem Anbieter abschließen.", None),
            Tag::GdprArt35Dpia => add(
                "Vor dem Start eine Datenschutz-Folgenabschätzung durchführen.",
                None,
            ),
            Tag::GdprArt44Transfer => add(
                "Prüfen, ob der Anbieter unter dem EU-US Data Privacy Framework zertifiziert ist; sonst Standardvertragsklauseln vereinbaren oder einen Anbieter in der EU wählen.",
                None,
            ),
        }
    }
    if facts.get("processes_personal_data") == Some(&Value::Bool(true))
        && a.risk_class != RiskClass::Prohibited
    {
        add(
            FIX_ANONYMIZE.text_de,
            Some(("/werkzeuge/anonymisieren", "Zum Anonymisierer")),
        );
    }
    out
}

/// The obligations as a to-do list, dated against `today` (ISO).
fn obligation_views(a: &Assessment, today: &str) -> Vec<ObligationView> {
    a.obligations
        .iter()
        .map(|o| {
            let already = o.applies_from <= today;
            let when = if already {
                format!("gilt bereits (seit {})", long_date(o.applies_from))
            } else {
                format!("gilt ab {}", long_date(o.applies_from))
            };
            ObligationView {
                title: o.title_de,
                legal_ref: o.legal_ref.to_string(),
                when,
                already,
            }
        })
        .collect()
}

fn reason_view(r: &::riskcheck::Reason) -> ReasonView {
    let mut text = r.text.trim().to_owned();
    if !text.ends_with(['.', '!', '?', ':']) {
        text.push('.');
    }
    ReasonView {
        text,
        article: r.article.to_string(),
        certainty: r.certainty.map_or("", certainty_de),
    }
}

/// Shows the result for the answers (or for the steps up to a prohibited practice).
fn result(answers: &Answers) -> Response {
    let full = walk(answers, None);
    let end = end_step(answers);
    if let Some(si) = (0..=end).find(|i| !full.missing(answers, *i).is_empty()) {
        return render_step(
            answers,
            si,
            Marks {
                errors: full.missing(answers, si).into_iter().collect(),
                new: HashSet::new(),
                notice: Some(NOTICE_EARLIER),
            },
        );
    }
    let used = walk(answers, Some(end));
    let a = match evaluate(&used) {
        Ok(a) => a,
        Err(message) => {
            tracing::warn!("wizard produced facts the engine rejects");
            return no_store(
                crate::error::AppError::BadRequest(format!(
                    "Ihre Antworten konnten nicht ausgewertet werden: {message} Bitte beginnen Sie den Check neu."
                ))
                .into_response(),
            );
        }
    };
    let early = a.risk_class == RiskClass::Prohibited
        && full.visible_steps().last().is_some_and(|&l| l > end);
    let facts = used.facts();
    let (class_label, badge, class_text) = class_words(a.risk_class);
    let (role_label, role_text) = role_words(a.role);
    let summary = a.reasons.iter().find(|r| r.id == "ERG").map(reason_view);
    let reasons = a
        .reasons
        .iter()
        .filter(|r| r.id != "ERG" && !r.is_disclaimer)
        .map(reason_view)
        .collect();
    let disclaimer = a
        .reasons
        .iter()
        .rev()
        .find(|r| r.is_disclaimer)
        .map(|r| r.text.to_string())
        .unwrap_or_default();
    let templates = ::riskcheck::templates_for(&a)
        .into_iter()
        .map(|t| TemplateView {
            id: format!("vorlage-{}", t.id.replace('_', "-")),
            title: t.title_de,
            legal_basis: t.legal_basis,
            usage: t.usage_de,
            text: t.text_de,
            rows: (t.text_de.chars().count() / 70 + 2).clamp(3, 10),
        })
        .collect();
    let steps = full
        .visible_steps()
        .into_iter()
        .filter(|&i| i <= end)
        .filter_map(|i| questionnaire().get(i))
        .map(|s: &Step| StepLink {
            id: s.id,
            title: s.title_de,
        })
        .collect();
    let obligations = obligation_views(&a, &today_vienna());
    let page = ResultPage {
        nav: "werkzeuge",
        early,
        class_label,
        badge,
        class_text,
        role_label,
        role_text,
        needs_review: a.needs_review,
        summary,
        reasons,
        register_query: register_query(badge, &obligations),
        obligations,
        next_steps: next_steps(&a, &facts),
        templates,
        disclaimer,
        ruleset: ::riskcheck::RULESET_VERSION,
        law: ::riskcheck::LAW_VERSION,
        stand: ::riskcheck::texts::STAND_DE,
        hidden: answers.hidden_fields(&HashSet::new()),
        steps,
        facts_json: serde_json::to_string_pretty(&facts).unwrap_or_default(),
        notice: answers.rejected.then_some(NOTICE_REJECTED),
    };
    no_store(page.into_response())
}

/// The answer as the report prints it.
fn answer_label(q: &Question, given: &Given) -> String {
    let label = |code: &str| -> String {
        let options: &[Opt] = match q.answer {
            Answer::Single { options, .. } | Answer::Multi { options } => options,
            _ => &[],
        };
        match options.iter().find(|o| option_code(o.value) == code) {
            Some(o) => o.label_de.to_owned(),
            None => YES_NO
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, l)| (*l).to_owned())
                .unwrap_or_else(|| code.to_owned()),
        }
    };
    match given {
        Given::One(code) => label(code),
        Given::Many(codes) => codes
            .iter()
            .map(|c| label(c))
            .collect::<Vec<_>>()
            .join(", "),
        Given::Text(text) => text.clone(),
    }
}

/// Longest name of the system or company printed on the report.
const REPORT_NAME_MAX: usize = 120;

/// „Bericht herunterladen“: the same evaluation as the result page, typeset as an A4 PDF.
async fn report(state: &AppState, answers: &Answers, form: &FormFields) -> Response {
    let full = walk(answers, None);
    let end = end_step(answers);
    if (0..=end).any(|i| !full.missing(answers, i).is_empty()) {
        return result(answers);
    }
    let used = walk(answers, Some(end));
    let Ok(a) = evaluate(&used) else {
        return result(answers);
    };
    let clip = |s: &str, default: &str| -> String {
        let t: String = s
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(REPORT_NAME_MAX)
            .collect();
        if t.is_empty() { default.to_owned() } else { t }
    };
    let system_name = clip(form.get("system_name"), "Ihr KI-System");
    let company = clip(form.get("company"), "");
    let mut answered = Vec::new();
    for (si, step) in questionnaire().iter().enumerate().take(end + 1) {
        let Some(Some(shown)) = used.steps.get(si) else {
            continue;
        };
        for qi in shown {
            if let Some(q) = step.questions.get(*qi)
                && let Some(given) = answers.get(q.id)
            {
                answered.push(
                    serde_json::json!({ "question": q.text_de, "answer": answer_label(q, given) }),
                );
            }
        }
    }
    let today = today_vienna();
    let (class_label, _, _) = class_words(a.risk_class);
    let obligations: Vec<Value> = obligation_views(&a, &today)
        .into_iter()
        .map(
            |o| serde_json::json!({ "title": o.title, "legal_ref": o.legal_ref, "status": o.when }),
        )
        .collect();
    let facts = used.facts();
    let steps: Vec<&str> = next_steps(&a, &facts).into_iter().map(|n| n.text).collect();
    let templates: Vec<Value> = ::riskcheck::templates_for(&a)
        .into_iter()
        .map(|t| serde_json::json!({ "title": t.title_de, "text": t.text_de }))
        .collect();
    let disclaimer = a
        .reasons
        .iter()
        .rev()
        .find(|r| r.is_disclaimer)
        .map(|r| r.text.to_string())
        .unwrap_or_default();
    let result_json = serde_json::to_value(&a).unwrap_or(Value::Null);
    let profile = match CompanyProfile::load(&state.db).await {
        Ok(p) => p,
        Err(e) => return crate::error::AppError::from(e).into_response(),
    };
    let imprint = profile.imprint_line();
    let data = serde_json::json!({
        "title": "KI-Risiko-Check",
        "system_name": system_name,
        "company": company,
        "created": long_date(&today),
        "ruleset_version": ::riskcheck::RULESET_VERSION,
        "answers": answered,
        "result": result_json,
        "risk_class_label": class_label,
        "obligations": obligations,
        "next_steps": steps,
        "templates": templates,
        "imprint": imprint,
        "disclaimer": disclaimer,
    });
    match tokio::task::spawn_blocking(move || documents::risk_report(&data)).await {
        Ok(Ok(doc)) => {
            let filename = format!("ki-risiko-check-{today}.pdf");
            no_store(
                (
                    [
                        (
                            axum::http::header::CONTENT_TYPE,
                            "application/pdf".to_owned(),
                        ),
                        (
                            axum::http::header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"{filename}\""),
                        ),
                    ],
                    doc.pdf,
                )
                    .into_response(),
            )
        }
        Ok(Err(e)) => {
            tracing::error!(details = %e.details(), "risk report failed");
            crate::error::AppError::BadRequest(e.to_string()).into_response()
        }
        Err(e) => crate::error::AppError::Internal(e.into()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        let body = serde_urlencoded::to_string(
            pairs
                .iter()
                .map(|(k, v)| (format!("{FIELD}{k}"), (*v).to_owned()))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        Answers::from_form(&FormFields::parse(body.as_bytes()))
    }

    #[test]
    fn question_ids_are_unique() {
        let mut seen = HashSet::new();
        for s in questionnaire() {
            for q in s.questions {
                assert!(seen.insert(q.id), "duplicate question id {}", q.id);
            }
        }
    }

    #[test]
    fn no_ai_system_skips_to_data_protection() {
        let a = answers(&[("A1", "nein"), ("A2", "ja")]);
        let w = walk(&a, None);
        let visible: Vec<&str> = w
            .visible_steps()
            .iter()
            .map(|i| questionnaire()[*i].id)
            .collect();
        assert_eq!(visible, ["ki_system", "datenschutz"]);
        assert_eq!(w.facts()["is_ai_system"], Value::Bool(false));
    }

    #[test]
    fn annex_points_collect_and_none_becomes_null() {
        let a = answers(&[
            ("A1", "ja"),
            ("F", "4"),
            ("F-4(a)", "ja"),
            ("F-4(b)", "weiss_nicht"),
        ]);
        let w = walk(&a, None);
        assert_eq!(
            w.facts()["annex_iii_point"],
            serde_json::json!(["4(a)", "4(b)"])
        );
        assert!(w.facts().get("ui_annex_iii_areas").is_none());
        let a = answers(&[("A1", "ja"), ("F", "none")]);
        assert_eq!(walk(&a, None).facts()["annex_iii_point"], Value::Null);
        let a = answers(&[
            ("A1", "ja"),
            ("F", "4"),
            ("F-4(a)", "nein"),
            ("F-4(b)", "nein"),
        ]);
        assert_eq!(walk(&a, None).facts()["annex_iii_point"], Value::Null);
        // The exceptions step appears only with a point.
        let a = answers(&[("A1", "ja"), ("F", "4"), ("F-4(a)", "ja")]);
        let w = walk(&a, None);
        let ausnahmen = questionnaire()
            .iter()
            .position(|s| s.id == "ausnahmen")
            .unwrap();
        assert!(w.visible(ausnahmen));
    }

    #[test]
    fn hidden_answers_of_skipped_questions_are_kept_but_not_used() {
        let a = answers(&[("A1", "ja"), ("C1", "nein"), ("C1c", "ja")]);
        let w = walk(&a, None);
        assert!(w.facts().get("also_used_in_own_operations").is_none());
        let hidden = a.hidden_fields(&HashSet::new());
        assert!(hidden.contains(&("a.C1c".to_owned(), "ja".to_owned())));
    }

    #[test]
    fn tampered_values_are_flagged_and_dropped() {
        let a = answers(&[
            ("A1", "vielleicht"),
            ("AT/DE", "FR"),
            ("C7", "aliens"),
            ("B1", "ja"),
        ]);
        assert!(a.rejected);
        assert!(a.get("A1").is_none());
        assert!(a.get("AT/DE").is_none());
        assert_eq!(a.get("C7"), Some(&Given::Many(Vec::new())));
        assert_eq!(a.get("B1"), Some(&Given::One("ja".to_owned())));
    }

    #[test]
    fn unknown_answers_are_omitted_and_single_choices_map_to_values() {
        let a = answers(&[
            ("AT/DE", "AT"),
            ("A1", "weiss_nicht"),
            ("D-b", "keine"),
            ("GPAI-2", "unknown"),
        ]);
        let f = walk(&a, None).facts();
        assert_eq!(f["country"], "AT");
        assert!(f.get("is_ai_system").is_none());
        assert_eq!(f["exploits_vulnerability"], Value::Null);
        assert!(::riskcheck::evaluate(&f).is_ok());
    }

    #[test]
    fn obligations_are_dated_against_today() {
        let a = ::riskcheck::evaluate(
            &serde_json::json!({"is_ai_system": true, "annex_iii_point": "4(a)"}),
        )
        .unwrap();
        let views = obligation_views(&a, "2026-12-01");
        let literacy = views
            .iter()
            .find(|v| v.title.contains("KI-Kompetenz"))
            .unwrap();
        assert!(literacy.already);
        assert_eq!(literacy.when, "gilt bereits (seit 2. Februar 2025)");
        let deployer = views
            .iter()
            .find(|v| v.title.starts_with("Betreiberpflichten"))
            .unwrap();
        assert!(!deployer.already);
        assert_eq!(deployer.when, "gilt ab 2. Dezember 2027");
    }
}
