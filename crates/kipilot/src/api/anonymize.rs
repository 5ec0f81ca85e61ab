//! `POST /api/v1/anonymize` and `POST /api/v1/deanonymize`: the anonymizer for scripts.
//!
//! Text lives only in the request: nothing is stored, and the request log carries the route
//! and status only. Offsets in `entities` are Unicode code points of the input text.

use anonymizer::{Label, Mapping};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::{error_response, is_json, json_response};

/// Largest body the anonymizer routes accept.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnonymizeRequest {
    text: String,
    #[serde(default)]
    mode: Mode,
}

/// What to do with personal data found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Consistent, reversible placeholders (`[PERSON_1]`).
    #[default]
    Pseudonymize,
    /// Irreversible labels (`[PERSON]`).
    Mask,
}

/// One entity as the API and the CLI report it.
#[derive(Debug, Clone, Serialize)]
pub struct EntityOut {
    /// Start, in code points.
    pub start: usize,
    /// End (exclusive), in code points.
    pub end: usize,
    /// Kind, e.g. `PERSON`.
    pub label: Label,
    /// Replacement text.
    pub placeholder: String,
}

/// Result of anonymizing one text.
#[derive(Debug, Clone, Serialize)]
pub struct AnonymizeResponse {
    /// Text with personal data replaced.
    pub text: String,
    /// What was replaced.
    pub entities: Vec<EntityOut>,
    /// Placeholder → original value (empty in mask mode).
    pub mapping: Mapping,
}

/// Runs the shared engine in `mode` on `text`.
pub fn anonymize(text: &str, mode: Mode) -> AnonymizeResponse {
    let engine = crate::toolkit::anonymize::engine();
    let result = match mode {
        Mode::Pseudonymize => engine.pseudonymize(text),
        Mode::Mask => engine.mask(text),
    };
    AnonymizeResponse {
        entities: result
            .entities
            .into_iter()
            .map(|e| EntityOut {
                start: e.start,
                end: e.end,
                label: e.label,
                placeholder: e.placeholder,
            })
            .collect(),
        text: result.text,
        mapping: result.mapping,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeanonymizeRequest {
    text: String,
    mapping: Mapping,
}

/// Reads a JSON body or answers with the API's German error object.
async fn json_body<T: serde::de::DeserializeOwned>(
    request: Request,
    example: &str,
) -> Result<T, Response> {
    if !is_json(&request) {
        return Err(error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Bitte senden Sie die Anfrage als JSON mit dem Header „Content-Type: application/json“.",
            None,
        ));
    }
    let body = Bytes::from_request(request, &()).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("Die Anfrage ist zu groß: höchstens {} MB pro Anfrage. Teilen Sie längere Texte bitte auf.", MAX_BODY_BYTES / (1024 * 1024)),
                None,
            )
        } else {
            error_response(StatusCode::BAD_REQUEST, "Der Anfragetext kam unvollständig an. Bitte senden Sie die Anfrage noch einmal.", None)
        }
    })?;
    serde_json::from_slice(&body).map_err(|e| {
        error_response(
            StatusCode::BAD_REQUEST,
            &format!("Die Anfrage ist kein gültiges JSON der erwarteten Form (Zeile {}, Spalte {}). Erwartet wird z. B. {example}.", e.line(), e.column()),
            None,
        )
    })
}

/// `POST /api/v1/anonymize`.
pub async fn anonymize_route(request: Request) -> Response {
    let req: AnonymizeRequest =
        match json_body(request, r#"{"text": "…", "mode": "pseudonymize"}"#).await {
            Ok(r) => r,
            Err(response) => return response,
        };
    let out = anonymize(&req.text, req.mode);
    match serde_json::to_string(&out) {
        Ok(json) => json_response(StatusCode::OK, json),
        Err(_) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Das Ergebnis konnte nicht erstellt werden.",
            None,
        ),
    }
}

/// `POST /api/v1/deanonymize`.
pub async fn deanonymize_route(request: Request) -> Response {
    let req: DeanonymizeRequest =
        match json_body(request, r#"{"text": "…", "mapping": {"[PERSON_1]": "…"}}"#).await {
            Ok(r) => r,
            Err(response) => return response,
        };
    let text = anonymizer::deanonymize(&req.text, &req.mapping);
    json_response(
        StatusCode::OK,
        serde_json::json!({ "text": text }).to_string(),
    )
}
