//! The JSON API under `/api/v1/`, described by the OpenAPI document at
//! `/api/v1/openapi.json`.
//!
//! The API uses no cookies and no session, so it needs no CSRF token (the origin check in
//! [`crate::web::origin`] exempts `/api/`). Every error is a JSON object
//! `{"error": {"message": "<German text>", "key": <fact key or null>}}` with a 4xx status;
//! bad input never produces a 500.
//!
//! [`check_facts`] is shared with the `kipilot check FILE.json` command, so the command line
//! and the API answer the same input with the same bytes.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::state::AppState;

pub mod anonymize;

/// Largest accepted request body of the API (a fact object is a few KB).
pub const API_MAX_BODY_BYTES: usize = 64 * 1024;

/// The OpenAPI 3.1 document. Kept as a static file so later issues add their paths
/// (anonymize, deanonymize) next to the risk check.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/risk-check",
            post(risk_check).fallback(method_not_allowed),
        )
        .route("/api/v1/openapi.json", get(openapi))
        .layer(DefaultBodyLimit::max(API_MAX_BODY_BYTES))
        .merge(
            Router::new()
                .route(
                    "/api/v1/anonymize",
                    post(anonymize::anonymize_route).fallback(method_not_allowed),
                )
                .route(
                    "/api/v1/deanonymize",
                    post(anonymize::deanonymize_route).fallback(method_not_allowed),
                )
                .layer(DefaultBodyLimit::max(anonymize::MAX_BODY_BYTES)),
        )
}

/// Why a fact object was not evaluated: a German message and, where known, the fact key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    /// German message for the user.
    pub message: String,
    /// The fact key the message refers to.
    pub key: Option<String>,
}

impl CheckError {
    fn new(message: impl Into<String>) -> CheckError {
        CheckError {
            message: message.into(),
            key: None,
        }
    }
}

/// Evaluates a fact object given as JSON text and returns the result JSON (the five keys of
/// the output contract, in contract order).
pub fn check_facts(input: &[u8]) -> Result<String, CheckError> {
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(CheckError::new(
            "Die Eingabe ist leer. Erwartet wird ein JSON-Objekt mit den Fakten, z. B. {\"is_ai_system\": true}.",
        ));
    }
    // Parsed here first so that syntax errors get a German message with line and column;
    // riskcheck's own message carries serde's English detail.
    let value: serde_json::Value = serde_json::from_slice(input).map_err(json_error)?;
    if !value.is_object() {
        return Err(CheckError::new(
            "Die Eingabe muss ein JSON-Objekt sein, z. B. {\"is_ai_system\": true}.",
        ));
    }
    let text = std::str::from_utf8(input).map_err(|_| {
        CheckError::new("Die Eingabe ist nicht UTF-8-kodiert. Bitte speichern Sie sie als UTF-8.")
    })?;
    riskcheck::evaluate_to_string(text).map_err(|e| CheckError {
        message: e.to_string(),
        key: e.key().map(str::to_owned),
    })
}

/// German text for a JSON syntax error.
fn json_error(e: serde_json::Error) -> CheckError {
    use serde_json::error::Category;
    let (line, column) = (e.line(), e.column());
    let message = match e.classify() {
        Category::Eof => format!(
            "Die Eingabe ist kein vollständiges JSON: Sie endet unerwartet in Zeile {line}, Spalte {column}. Fehlt eine schließende Klammer oder ein Anführungszeichen?"
        ),
        Category::Syntax if e.to_string().contains("recursion limit") => format!(
            "Die Eingabe ist zu tief verschachtelt (Zeile {line}, Spalte {column}). Erwartet wird ein flaches JSON-Objekt mit den Fakten."
        ),
        Category::Syntax | Category::Data | Category::Io => format!(
            "Die Eingabe ist kein gültiges JSON: Fehler in Zeile {line}, Spalte {column}. Prüfen Sie Kommas, Anführungszeichen und Klammern."
        ),
    };
    CheckError::new(message)
}

/// `kipilot check FILE.json` (`-` reads standard input): prints the result JSON and returns
/// exit code 0; invalid or unreadable input gives exit code 2 and a German message on stderr.
pub fn check_command(file: &str) -> std::process::ExitCode {
    use std::io::{Read, Write};
    let input = if file == "-" {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf).map(|_| buf)
    } else {
        std::fs::read(file)
    };
    let input = match input {
        Ok(bytes) => bytes,
        Err(e) => {
            let what = if file == "-" {
                "Die Standardeingabe".to_owned()
            } else {
                format!("Die Datei „{file}“")
            };
            eprintln!("{what} kann nicht gelesen werden: {}.", io_reason(&e));
            return std::process::ExitCode::from(2);
        }
    };
    match check_facts(&input) {
        Ok(json) => {
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{json}").and_then(|()| out.flush()).is_err() {
                return std::process::ExitCode::FAILURE;
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", e.message);
            std::process::ExitCode::from(2)
        }
    }
}

/// German reason for a read error.
fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "Sie existiert nicht".to_owned(),
        ErrorKind::PermissionDenied => "Es fehlt die Leseberechtigung".to_owned(),
        ErrorKind::IsADirectory => "Das ist ein Verzeichnis, keine Datei".to_owned(),
        ErrorKind::InvalidData => "Der Inhalt ist nicht lesbar".to_owned(),
        _ => format!("Systemmeldung: {e}"),
    }
}

/// A JSON response with `status`.
fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// The error object of the API.
pub fn error_response(status: StatusCode, message: &str, key: Option<&str>) -> Response {
    let body = serde_json::json!({ "error": { "message": message, "key": key } });
    json_response(status, body.to_string())
}

/// Whether the request declares a JSON body (`application/json` or `…+json`).
fn is_json(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|essence| essence == "application/json" || essence.ends_with("+json"))
}

/// `POST /api/v1/risk-check`: the fact object in, the result JSON out.
async fn risk_check(request: Request) -> Response {
    if !is_json(&request) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Bitte senden Sie die Fakten als JSON mit dem Header „Content-Type: application/json“.",
            None,
        );
    }
    let body = match Bytes::from_request(request, &()).await {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "Die Anfrage ist zu groß: höchstens {} KB. Ein Fakten-Objekt ist normalerweise nur wenige KB groß.",
                    API_MAX_BODY_BYTES / 1024
                ),
                None,
            );
        }
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "Der Anfragetext kam unvollständig an. Bitte senden Sie die Anfrage noch einmal.",
                None,
            );
        }
    };
    match check_facts(&body) {
        Ok(json) => json_response(StatusCode::OK, json),
        Err(e) => error_response(StatusCode::BAD_REQUEST, &e.message, e.key.as_deref()),
    }
}

/// Any other method on an API route.
async fn method_not_allowed() -> Response {
    let mut response = error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "Diese Adresse nimmt nur POST-Anfragen mit einem JSON-Objekt an. Die Beschreibung der Schnittstelle finden Sie unter /api/v1/openapi.json.",
        None,
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

/// `GET /api/v1/openapi.json`.
async fn openapi() -> Response {
    json_response(StatusCode::OK, OPENAPI_JSON.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_facts_answers_in_contract_order() {
        let out = check_facts(br#"{"is_ai_system": true, "annex_iii_point": "4(a)"}"#).unwrap();
        let risk = out.find("\"risk_class\"").unwrap();
        let role = out.find("\"role\"").unwrap();
        let obligations = out.find("\"obligations\"").unwrap();
        let review = out.find("\"needs_review\"").unwrap();
        let reasons = out.find("\"reasons\"").unwrap();
        assert!(risk < role && role < obligations && obligations < review && review < reasons);
        assert!(out.contains("\"high\""));
    }

    #[test]
    fn check_facts_speaks_german_about_bad_input() {
        let e = check_facts(b"{\"is_ai_system\": tru").unwrap_err();
        assert!(e.message.contains("kein gültiges JSON") || e.message.contains("vollständiges"));
        assert!(e.message.contains("Zeile 1"));
        let e = check_facts(b"{\"is_ai_system\": ").unwrap_err();
        assert!(e.message.contains("endet unerwartet"), "{}", e.message);
        let e = check_facts(b"  ").unwrap_err();
        assert!(e.message.contains("leer"));
        let e = check_facts(b"[1]").unwrap_err();
        assert!(e.message.contains("JSON-Objekt"));
        let e = check_facts(br#"{"is_ai_system": "ja"}"#).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("is_ai_system"));
        let e = check_facts(br#"{"biometric_mode": "xyz"}"#).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("biometric_mode"));
        assert!(e.message.contains("unbekannten Wert"));
        let deep = "[".repeat(500);
        let e = check_facts(deep.as_bytes()).unwrap_err();
        assert!(e.message.contains("verschachtelt"), "{}", e.message);
        let e = check_facts(b"{\"a\": \"\xff\"}").unwrap_err();
        assert!(!e.message.is_empty());
    }

    #[test]
    fn openapi_document_is_valid_json_and_lists_every_fact_key() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"]["/api/v1/risk-check"]["post"].is_object());
        let props = doc["components"]["schemas"]["RiskCheckFacts"]["properties"]
            .as_object()
            .unwrap();
        for key in riskcheck::facts_keys::KNOWN_KEYS {
            assert!(
                props.contains_key(*key),
                "fact key {key} missing in openapi.json"
            );
        }
        assert_eq!(props.len(), riskcheck::facts_keys::KNOWN_KEYS.len());
        let tags = doc["components"]["schemas"]["Obligation"]["properties"]["tag"]["enum"]
            .as_array()
            .unwrap();
        let names: Vec<&str> = riskcheck::obligations::SPECS
            .iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(
            tags.iter().filter_map(|t| t.as_str()).collect::<Vec<_>>(),
            names
        );
    }
}
