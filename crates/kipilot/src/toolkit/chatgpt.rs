//! „Darf ich das in ChatGPT eingeben?“ at `/werkzeuge/ki-check/chatgpt`: one form with four
//! questions, answered by [`::riskcheck::chatgpt::quick_check`] on the same page.

use ::riskcheck::chatgpt::{
    DataCategory, Location, QuickCheckAnswer, QuickCheckInput, ToolPlan, Training, Verdict,
    quick_check,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::{certainty_de, no_store};
use crate::web::formdata::FormFields;

/// Data categories as (code, label, hint).
const DATA: [(&str, &str, &str); 5] = [
    (
        "none",
        "Nichts Vertrauliches",
        "keine Personendaten, keine Geschäftsgeheimnisse – z. B. ein allgemeiner Werbetext",
    ),
    (
        "business_secrets",
        "Geschäftsgeheimnisse",
        "z. B. Preise, Kalkulationen, Kundenlisten ohne Namen, Quellcode, Baupläne",
    ),
    (
        "customer_personal_data",
        "Daten von Kundinnen und Kunden",
        "z. B. Namen, E-Mail-Adressen, Bestellungen, Kundenanfragen",
    ),
    (
        "employee_personal_data",
        "Daten von Beschäftigten oder Bewerbenden",
        "z. B. Lebensläufe, Dienstpläne, Beurteilungen",
    ),
    (
        "special_categories",
        "Besonders sensible Daten",
        "Gesundheit, Religion, Herkunft, politische Meinung, Gewerkschaft, Sexualleben, biometrische Daten",
    ),
];

/// Tool plans as (code, label).
const PLANS: [(&str, &str); 4] = [
    (
        "consumer",
        "Kostenloser oder privater Tarif (z. B. ChatGPT Free oder Plus)",
    ),
    (
        "business_with_avv",
        "Business-, Team- oder Enterprise-Tarif mit Auftragsverarbeitungsvertrag (AVV)",
    ),
    (
        "api",
        "Zugang über die Programmierschnittstelle (API) des Anbieters",
    ),
    (
        "self_hosted",
        "Eigenes Modell auf eigenem oder selbst gemietetem Server",
    ),
];

/// Processing locations as (code, label).
const LOCATIONS: [(&str, &str); 4] = [
    ("eu", "In der EU bzw. im EWR"),
    (
        "us_dpf",
        "In den USA, der Anbieter ist unter dem EU-US Data Privacy Framework zertifiziert",
    ),
    (
        "other_third_country",
        "In einem anderen Land außerhalb der EU (oder in den USA ohne Zertifizierung)",
    ),
    ("unknown", "Weiß nicht"),
];

/// Training answers as (code, label).
const TRAINING: [(&str, &str); 3] = [
    (
        "no",
        "Nein – das Training ist ausgeschaltet oder vertraglich ausgeschlossen",
    ),
    ("yes", "Ja, der Anbieter trainiert mit meinen Eingaben"),
    ("unknown", "Weiß nicht"),
];

/// One option of a question.
pub struct Choice {
    /// Submitted value.
    pub value: &'static str,
    /// Label.
    pub label: &'static str,
    /// Hint ("" for none).
    pub hint: &'static str,
    /// Selected.
    pub checked: bool,
}

/// One question (a fieldset).
pub struct Group {
    /// Field name and HTML id.
    pub name: &'static str,
    /// Legend.
    pub legend: &'static str,
    /// Help text.
    pub help: &'static str,
    /// `radio` or `checkbox`.
    pub kind: &'static str,
    /// Options.
    pub choices: Vec<Choice>,
    /// Error, if any.
    pub error: Option<&'static str>,
}

/// A reason with its source.
pub struct Line {
    /// Text.
    pub text: String,
    /// Article.
    pub article: &'static str,
    /// Certainty in words.
    pub certainty: &'static str,
}

/// A fix, optionally with a link.
pub struct FixView {
    /// Text.
    pub text: &'static str,
    /// Link target and label.
    pub link: Option<(&'static str, &'static str)>,
}

/// The answer section.
pub struct AnswerView {
    /// „Ja“, „Ja, mit Auflagen“, „Nein, so nicht“.
    pub verdict: &'static str,
    /// Badge class.
    pub badge: &'static str,
    /// One sentence in plain words.
    pub plain: &'static str,
    /// Reasons.
    pub reasons: Vec<Line>,
    /// Fixes.
    pub fixes: Vec<FixView>,
    /// Disclaimer.
    pub disclaimer: String,
}

/// The page.
#[derive(Template, WebTemplate)]
#[template(path = "toolkit/chatgpt.html")]
pub struct QuickCheckPage {
    nav: &'static str,
    groups: Vec<Group>,
    errors: usize,
    answer: Option<AnswerView>,
}

fn groups(form: &FormFields, errors: &[(&'static str, &'static str)]) -> Vec<Group> {
    let error = |name: &str| {
        errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, message)| *message)
    };
    let picked = form.all("data");
    let radio = |name: &'static str, options: &[(&'static str, &'static str)]| {
        options
            .iter()
            .map(|(value, label)| Choice {
                value,
                label,
                hint: "",
                checked: form.get(name) == *value,
            })
            .collect::<Vec<_>>()
    };
    vec![
        Group {
            name: "data",
            legend: "Welche Daten möchten Sie eingeben?",
            help: "Mehrfachauswahl. Denken Sie auch an Anhänge und kopierte E-Mails.",
            kind: "checkbox",
            choices: DATA
                .iter()
                .map(|(value, label, hint)| Choice {
                    value,
                    label,
                    hint,
                    checked: picked.iter().any(|p| p == value),
                })
                .collect(),
            error: error("data"),
        },
        Group {
            name: "plan",
            legend: "Wie nutzen Sie das KI-Werkzeug?",
            help: "Den Tarif sehen Sie in den Kontoeinstellungen oder auf der Rechnung.",
            kind: "radio",
            choices: radio("plan", &PLANS),
            error: error("plan"),
        },
        Group {
            name: "location",
            legend: "Wo verarbeitet der Anbieter die Daten?",
            help: "Steht im Auftragsverarbeitungsvertrag oder in der Liste der Unterauftragsverarbeiter.",
            kind: "radio",
            choices: radio("location", &LOCATIONS),
            error: error("location"),
        },
        Group {
            name: "training",
            legend: "Trainiert der Anbieter seine KI mit Ihren Eingaben?",
            help: "Bei Gratis-Tarifen ist das oft voreingestellt; in den Einstellungen lässt es sich meist abschalten.",
            kind: "radio",
            choices: radio("training", &TRAINING),
            error: error("training"),
        },
    ]
}

/// `GET /werkzeuge/ki-check/chatgpt`.
pub async fn show() -> QuickCheckPage {
    QuickCheckPage {
        nav: "werkzeuge",
        groups: groups(&FormFields::default(), &[]),
        errors: 0,
        answer: None,
    }
}

/// Parses one enum value by its serde spelling.
fn parse<T: DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

/// Reads the form; errors are (field, German message).
fn read(form: &FormFields) -> Result<QuickCheckInput, Vec<(&'static str, &'static str)>> {
    let mut errors = Vec::new();
    let codes = form.all("data");
    let data: Vec<DataCategory> = codes.iter().filter_map(|c| parse(c)).collect();
    if codes.is_empty() {
        errors.push((
            "data",
            "Bitte wählen Sie aus, welche Daten Sie eingeben möchten, notfalls „Nichts Vertrauliches“.",
        ));
    } else if data.len() != codes.len() {
        errors.push((
            "data",
            "Eine Auswahl war ungültig. Bitte wählen Sie die Daten noch einmal aus.",
        ));
    }
    let plan: Option<ToolPlan> = parse(form.get("plan"));
    if plan.is_none() {
        errors.push(("plan", "Bitte wählen Sie aus, wie Sie das Werkzeug nutzen."));
    }
    let location: Option<Location> = parse(form.get("location"));
    if location.is_none() {
        errors.push((
            "location",
            "Bitte wählen Sie den Verarbeitungsort, notfalls „Weiß nicht“.",
        ));
    }
    let training: Option<Training> = parse(form.get("training"));
    if training.is_none() {
        errors.push((
            "training",
            "Bitte wählen Sie eine Antwort zum Training, notfalls „Weiß nicht“.",
        ));
    }
    match (plan, location, training) {
        (Some(plan), Some(location), Some(training)) if errors.is_empty() => Ok(QuickCheckInput {
            data,
            plan,
            location,
            training,
        }),
        _ => Err(errors),
    }
}

fn answer_view(a: &QuickCheckAnswer) -> AnswerView {
    let (badge, plain) = match a.verdict {
        Verdict::Ja => ("minimal", "Das dürfen Sie so eingeben."),
        Verdict::JaMitAuflagen => (
            "begrenzt",
            "Das dürfen Sie eingeben, wenn Sie die folgenden Punkte erfüllen.",
        ),
        Verdict::NeinSoNicht => (
            "verboten",
            "So sollten Sie das nicht eingeben. Mit den Lösungen unten kann es trotzdem gehen.",
        ),
    };
    AnswerView {
        verdict: a.verdict_de,
        badge,
        plain,
        reasons: a
            .reasons
            .iter()
            .map(|r| Line {
                text: r.text_de.clone(),
                article: r.article,
                certainty: certainty_de(r.certainty),
            })
            .collect(),
        fixes: a
            .fixes
            .iter()
            .map(|f| FixView {
                text: f.text_de,
                link: (f.id == "anonymize")
                    .then_some(("/werkzeuge/anonymisieren", "Zum Anonymisierer")),
            })
            .collect(),
        disclaimer: a.disclaimer_de.clone(),
    }
}

/// `POST /werkzeuge/ki-check/chatgpt`.
pub async fn submit(form: FormFields) -> Response {
    let (errors, answer, status) = match read(&form) {
        Ok(input) => (
            Vec::new(),
            Some(answer_view(&quick_check(&input))),
            StatusCode::OK,
        ),
        Err(errors) => (errors, None, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let page = QuickCheckPage {
        nav: "werkzeuge",
        groups: groups(&form, &errors),
        errors: errors.len(),
        answer,
    };
    let mut response = page.into_response();
    *response.status_mut() = status;
    no_store(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_offered_code_parses() {
        for (code, _, _) in DATA {
            assert!(parse::<DataCategory>(code).is_some(), "{code}");
        }
        for (code, _) in PLANS {
            assert!(parse::<ToolPlan>(code).is_some(), "{code}");
        }
        for (code, _) in LOCATIONS {
            assert!(parse::<Location>(code).is_some(), "{code}");
        }
        for (code, _) in TRAINING {
            assert!(parse::<Training>(code).is_some(), "{code}");
        }
        assert!(parse::<ToolPlan>("gratis").is_none());
    }
}
