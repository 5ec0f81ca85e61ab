//! `/werkzeuge/anonymisieren`: paste a text, get it back with personal data replaced by
//! placeholders, copy it into any AI tool, then paste the AI's answer to put the real values
//! back.
//!
//! Works without JavaScript. The text and the mapping live only in the request and in the
//! page: nothing is stored on the server, and the request log records the route and status
//! only (see `web::metrics::track`). The page says so, and this module keeps it true.

use std::sync::LazyLock;

use anonymizer::{Anonymizer, Label, Mapping};
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::api::anonymize::{Mode, anonymize};
use crate::web::formdata::FormFields;

static ENGINE: LazyLock<Anonymizer> = LazyLock::new(Anonymizer::new);

/// The shared, immutable anonymizer (built once; its gazetteers are read-only).
pub fn engine() -> &'static Anonymizer {
    &ENGINE
}

/// Longest text the web tool accepts, in characters.
const MAX_CHARS: usize = 50_000;

/// A run of the input text, marked if it is personal data.
pub struct Segment {
    /// The text.
    pub text: String,
    /// German label if this run is personal data.
    pub label: Option<&'static str>,
    /// Placeholder that replaces it.
    pub placeholder: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "toolkit/anonymisieren.html")]
struct ToolPage {
    nav: &'static str,
    text: String,
    mask: bool,
    error: Option<String>,
    result: Option<ResultView>,
    answer: String,
    restored: Option<String>,
}

struct ResultView {
    anonymized: String,
    segments: Vec<Segment>,
    mapping_rows: Vec<(String, String)>,
    mapping_json: String,
    counts: Vec<(&'static str, usize)>,
}

impl ToolPage {
    fn empty() -> ToolPage {
        ToolPage {
            nav: "werkzeuge",
            text: String::new(),
            mask: false,
            error: None,
            result: None,
            answer: String::new(),
            restored: None,
        }
    }
}

/// Personal data must never sit in a cache: this page carries it.
fn no_store(page: ToolPage, status: StatusCode) -> Response {
    super::no_store((status, page).into_response())
}

/// `GET /werkzeuge/anonymisieren`.
pub async fn show() -> Response {
    no_store(ToolPage::empty(), StatusCode::OK)
}

/// `POST /werkzeuge/anonymisieren`: `step=anonymize` or `step=restore`.
pub async fn submit(form: FormFields) -> Response {
    let mut page = ToolPage::empty();
    page.text = form.get("text").replace("\r\n", "\n");
    page.mask = form.get("mode") == "mask";
    if page.text.trim().is_empty() {
        page.error = Some(
            "Bitte fügen Sie zuerst einen Text ein, z. B. eine E-Mail an einen Kunden.".to_owned(),
        );
        return no_store(page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let chars = page.text.chars().count();
    if chars > MAX_CHARS {
        page.error = Some(format!(
            "Der Text ist zu lang ({chars} Zeichen, höchstens {MAX_CHARS}). Bitte teilen Sie ihn auf oder nutzen Sie für große Mengen die Kommandozeile (kipilot anonymize)."
        ));
        return no_store(page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let mode = if page.mask {
        Mode::Mask
    } else {
        Mode::Pseudonymize
    };
    let out = anonymize(&page.text, mode);
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for e in &out.entities {
        let name = e.label.german_name();
        match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, c)) => *c += 1,
            None => counts.push((name, 1)),
        }
    }
    let segments = segments(
        &page.text,
        &out.entities
            .iter()
            .map(|e| (e.start, e.end, e.label, e.placeholder.clone()))
            .collect::<Vec<_>>(),
    );
    let mapping_rows = out
        .mapping
        .iter()
        .map(|(p, v)| (p.to_owned(), v.to_owned()))
        .collect();
    let mapping_json = serde_json::to_string(&out.mapping).unwrap_or_else(|_| "{}".to_owned());

    if form.get("step") == "restore" {
        // The mapping comes back from the page itself; a tampered one restores nonsense at
        // worst, for the person who tampered with it.
        let mapping: Mapping = match serde_json::from_str(form.get("mapping")) {
            Ok(m) => m,
            Err(_) => {
                page.error = Some("Die Zuordnung der Platzhalter ist verloren gegangen. Bitte anonymisieren Sie den Text noch einmal.".to_owned());
                return no_store(page, StatusCode::UNPROCESSABLE_ENTITY);
            }
        };
        page.answer = form.get("answer").replace("\r\n", "\n");
        if page.answer.trim().is_empty() {
            page.error = Some("Bitte fügen Sie die Antwort der KI ein, damit wir die Platzhalter ersetzen können.".to_owned());
        } else if page.answer.chars().count() > MAX_CHARS {
            page.error = Some(format!(
                "Die Antwort ist zu lang (höchstens {MAX_CHARS} Zeichen)."
            ));
        } else {
            page.restored = Some(anonymizer::deanonymize(&page.answer, &mapping));
        }
    }
    page.result = Some(ResultView {
        anonymized: out.text,
        segments,
        mapping_rows,
        mapping_json,
        counts,
    });
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    no_store(page, status)
}

/// Splits `text` at the entities' code-point offsets into marked and unmarked runs.
fn segments(text: &str, entities: &[(usize, usize, Label, String)]) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut pos = 0;
    for (start, end, label, placeholder) in entities {
        let (start, end) = ((*start).min(chars.len()), (*end).min(chars.len()));
        if start < pos || end <= start {
            continue;
        }
        if start > pos {
            out.push(Segment {
                text: chars[pos..start].iter().collect(),
                label: None,
                placeholder: String::new(),
            });
        }
        out.push(Segment {
            text: chars[start..end].iter().collect(),
            label: Some(label.german_name()),
            placeholder: placeholder.clone(),
        });
        pos = end;
    }
    if pos < chars.len() {
        out.push(Segment {
            text: chars[pos..].iter().collect(),
            label: None,
            placeholder: String::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_the_text_exactly_once() {
        let text = "Grüße an Frau Haas aus Wien";
        let segs = segments(text, &[(9, 18, Label::Person, "[PERSON_1]".into())]);
        assert_eq!(
            segs.iter().map(|s| s.text.as_str()).collect::<String>(),
            text
        );
        assert_eq!(segs[1].text, "Frau Haas");
        assert!(segs[1].label.is_some());
    }
}
