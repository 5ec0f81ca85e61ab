//! The OpenAI-compatible handlers: authentication, policy, pseudonymization, forwarding,
//! restoration, audit.
//!
//! Order of a chat request: key → rate limit → body → JSON → pseudonymize (and look for
//! special categories) → policy → model check → audit row committed → forward. Nothing
//! reaches the upstream without a committed audit row; if the row cannot be written the
//! request is refused (503).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anonymizer::{Label, Mapping, SpecialCategoryKind};
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::UnixMs;
use http_body_util::{BodyExt, Limited};
use serde_json::{Map, Value};
use storage::gateway::{AuditStart, GatewayKey, Usage};

use super::upstream::{Upstream, UpstreamFailure};
use super::{AI_MARKER, Gateway, KEY_PREFIX, MAX_BODY_BYTES, MAX_UPSTREAM_BODY_BYTES, error};
use crate::state::AppState;
use crate::web::client::ClientIp;

/// How long a client may take to send its request body.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// How long the model list is trusted before it is fetched again.
const MODELS_TTL: Duration = Duration::from_secs(60);

/// "Not configured", the same for every route.
fn not_configured() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "Das KI-Gateway ist nicht eingerichtet: Es ist kein Modell-Server hinterlegt. Die Betreiberin oder der Betreiber setzt dafür KIPILOT_GATEWAY_UPSTREAM (z. B. https://api.mistral.ai/v1) und startet kipilot neu.",
        "gateway_not_configured",
        "not_configured",
    )
}

/// The authenticated key, or the error response to send.
async fn authenticate(
    state: &AppState,
    ip: std::net::IpAddr,
    headers: &HeaderMap,
) -> Result<GatewayKey, Response> {
    let gateway = &state.gateway;
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let Some(token) = sent.filter(|t| !t.is_empty()) else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "Es fehlt der API-Schlüssel. Senden Sie ihn als „Authorization: Bearer kpg_…“; im openai-SDK ist das der Parameter api_key. Einen Schlüssel erhalten Sie vom Team im Backoffice.",
            "invalid_request_error",
            "missing_api_key",
        ));
    };
    let well_formed = token
        .strip_prefix(KEY_PREFIX)
        .is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()));
    let key = if well_formed {
        storage::gateway::key_by_hash(&state.db, &crate::web::tokens::hash(token))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "gateway key lookup failed");
                storage_unavailable()
            })?
    } else {
        None
    };
    let Some(key) = key else {
        if !gateway.auth_failures.check(ip) {
            return Err(error(
                StatusCode::TOO_MANY_REQUESTS,
                "Zu viele Anfragen mit ungültigem Schlüssel von Ihrem Anschluss. Bitte warten Sie 10 Minuten und prüfen Sie den Schlüssel.",
                "rate_limit_error",
                "too_many_invalid_keys",
            ));
        }
        tracing::warn!("gateway request with an unknown key");
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "Dieser API-Schlüssel ist ungültig. Prüfen Sie, ob er vollständig kopiert wurde (er beginnt mit kpg_ und hat 68 Zeichen).",
            "invalid_request_error",
            "invalid_api_key",
        ));
    };
    if key.revoked_ms.is_some() {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "Dieser API-Schlüssel wurde widerrufen. Bitte fragen Sie im Team nach einem neuen Schlüssel.",
            "invalid_request_error",
            "revoked_api_key",
        ));
    }
    if let Err(wait) = gateway.check_rate(key.id, key.rate_per_minute) {
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "Dieser Schlüssel darf höchstens {} Anfragen pro Minute stellen. Bitte warten Sie {wait} Sekunden.",
                key.rate_per_minute
            ),
            "rate_limit_error",
            "rate_limit_exceeded",
        );
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Err(response);
    }
    Ok(key)
}

fn storage_unavailable() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "Das Gateway kann gerade nicht auf seine Datenbank zugreifen. Die Anfrage wurde nicht weitergeleitet. Bitte versuchen Sie es in einer Minute noch einmal.",
        "server_error",
        "storage_unavailable",
    )
}

/// Texts in a request, pseudonymized in place with one mapping.
struct Pseudonymized {
    mapping: Mapping,
    entities: BTreeMap<Label, usize>,
    special: Vec<(SpecialCategoryKind, String)>,
}

impl Pseudonymized {
    fn entities_json(&self) -> String {
        let map: Map<String, Value> = self
            .entities
            .iter()
            .map(|(l, n)| (l.as_str().to_owned(), Value::from(*n)))
            .collect();
        Value::Object(map).to_string()
    }

    fn special_text(&self) -> String {
        let mut kinds: Vec<&str> = Vec::new();
        for (k, _) in &self.special {
            let code = special_code(*k);
            if !kinds.contains(&code) {
                kinds.push(code);
            }
        }
        kinds.join(",")
    }
}

/// Stable code of a special category for the audit log.
fn special_code(kind: SpecialCategoryKind) -> &'static str {
    match kind {
        SpecialCategoryKind::Health => "HEALTH",
        SpecialCategoryKind::Religion => "RELIGION",
        SpecialCategoryKind::UnionMembership => "UNION_MEMBERSHIP",
        SpecialCategoryKind::SexualOrientation => "SEXUAL_ORIENTATION",
        SpecialCategoryKind::EthnicOrigin => "ETHNIC_ORIGIN",
        SpecialCategoryKind::PoliticalOpinion => "POLITICAL_OPINION",
        SpecialCategoryKind::Biometric => "BIOMETRIC",
        SpecialCategoryKind::Genetic => "GENETIC",
    }
}

/// German name of a stored special-category code (for the back office).
pub fn special_german(code: &str) -> &'static str {
    use SpecialCategoryKind as K;
    let kind = match code {
        "HEALTH" => K::Health,
        "RELIGION" => K::Religion,
        "UNION_MEMBERSHIP" => K::UnionMembership,
        "SEXUAL_ORIENTATION" => K::SexualOrientation,
        "ETHNIC_ORIGIN" => K::EthnicOrigin,
        "POLITICAL_OPINION" => K::PoliticalOpinion,
        "BIOMETRIC" => K::Biometric,
        "GENETIC" => K::Genetic,
        _ => return "unbekannt",
    };
    kind.german_name()
}

/// Replaces personal data in every text of `messages`: string contents, text parts of
/// multi-part contents, participant names and tool-call arguments.
fn pseudonymize_messages(engine: &anonymizer::Anonymizer, messages: &mut [Value]) -> Pseudonymized {
    let mut out = Pseudonymized {
        mapping: Mapping::new(),
        entities: BTreeMap::new(),
        special: Vec::new(),
    };
    let apply = |text: &mut String, out: &mut Pseudonymized| {
        for hit in anonymizer::special_categories(text) {
            out.special.push((hit.category, hit.keyword));
        }
        let result = engine.pseudonymize_with(text, &mut out.mapping);
        for e in &result.entities {
            *out.entities.entry(e.label).or_default() += 1;
        }
        *text = result.text;
    };
    for message in messages.iter_mut() {
        let Some(message) = message.as_object_mut() else {
            continue;
        };
        match message.get_mut("content") {
            Some(Value::String(text)) => apply(text, &mut out),
            Some(Value::Array(parts)) => {
                for part in parts.iter_mut() {
                    if let Some(Value::String(text)) = part.get_mut("text") {
                        apply(text, &mut out);
                    }
                }
            }
            _ => {}
        }
        if let Some(Value::String(name)) = message.get_mut("name") {
            apply(name, &mut out);
            // The API allows only [A-Za-z0-9_-] in names: "PERSON_1" is still restorable.
            *name = name.replace(['[', ']'], "");
        }
        if let Some(Value::Array(calls)) = message.get_mut("tool_calls") {
            for call in calls.iter_mut() {
                if let Some(Value::String(args)) = call.pointer_mut("/function/arguments") {
                    apply(args, &mut out);
                }
            }
        }
    }
    out
}

/// German explanation why a request with special categories was refused.
fn special_blocked_message(special: &[(SpecialCategoryKind, String)]) -> String {
    let mut kinds: Vec<String> = Vec::new();
    for (kind, keyword) in special {
        let entry = format!("{} (z. B. „{keyword}“)", kind.german_name());
        if !kinds.iter().any(|k| k.starts_with(kind.german_name())) {
            kinds.push(entry);
        }
    }
    format!(
        "Die Anfrage wurde nicht an das KI-Modell weitergeleitet. Sie enthält Hinweise auf besondere Kategorien personenbezogener Daten nach Art. 9 DSGVO: {}. Solche Daten darf Ihr Unternehmen nur mit einer eigenen Rechtsgrundlage verarbeiten, etwa einer ausdrücklichen Einwilligung. Bitte entfernen Sie diese Angaben aus dem Text. Wenn die Verarbeitung erlaubt ist, kann das Team die Richtlinie Ihres Schlüssels im Backoffice ändern.",
        kinds.join(", ")
    )
}

/// `POST /v1/chat/completions`.
pub(super) async fn chat_completions(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    request: Request,
) -> Response {
    let Some(upstream) = state.gateway.upstream.as_ref() else {
        return not_configured();
    };
    let key = match authenticate(&state, ip, request.headers()).await {
        Ok(key) => key,
        Err(response) => return response,
    };
    // Bounded: these routes sit outside the site-wide request timeout.
    let body = match tokio::time::timeout(BODY_READ_TIMEOUT, Bytes::from_request(request, &()))
        .await
    {
        Err(_) => {
            return error(
                StatusCode::REQUEST_TIMEOUT,
                "Der Anfragetext kam zu langsam an. Bitte senden Sie die Anfrage noch einmal.",
                "invalid_request_error",
                "request_timeout",
            );
        }
        Ok(Ok(body)) => body,
        Ok(Err(rejection)) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return refuse(
                &state,
                &key,
                "",
                false,
                error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!(
                        "Die Anfrage ist zu groß: höchstens {} MB. Kürzen Sie den Text oder teilen Sie ihn auf mehrere Anfragen auf.",
                        MAX_BODY_BYTES / (1024 * 1024)
                    ),
                    "invalid_request_error",
                    "request_too_large",
                ),
            )
            .await;
        }
        Ok(Err(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "Der Anfragetext kam unvollständig an. Bitte senden Sie die Anfrage noch einmal.",
                "invalid_request_error",
                "incomplete_body",
            );
        }
    };
    let mut payload: Map<String, Value> = match serde_json::from_slice(&body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            return refuse(&state, &key, "", false, invalid(
                "Die Anfrage muss ein JSON-Objekt sein, z. B. {\"model\": \"…\", \"messages\": [{\"role\": \"user\", \"content\": \"…\"}]}.",
                "invalid_json",
            ))
            .await;
        }
        Err(e) => {
            return refuse(
                &state,
                &key,
                "",
                false,
                invalid(
                    &format!(
                        "Die Anfrage ist kein gültiges JSON (Zeile {}, Spalte {}). Prüfen Sie Kommas, Anführungszeichen und Klammern.",
                        e.line(),
                        e.column()
                    ),
                    "invalid_json",
                ),
            )
            .await;
        }
    };
    let model = match payload.get("model") {
        Some(Value::String(m)) if !m.trim().is_empty() => m.clone(),
        _ => {
            return refuse(
                &state,
                &key,
                "",
                false,
                invalid(
                    "Es fehlt das Feld „model“ mit dem Namen des Modells. Die verfügbaren Modelle liefert GET /v1/models.",
                    "missing_model",
                ),
            )
            .await;
        }
    };
    let model_for_audit: String = model.chars().take(200).collect();
    let stream = payload
        .get("stream")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let messages = match payload.get_mut("messages") {
        Some(Value::Array(messages)) if !messages.is_empty() => messages,
        _ => {
            return refuse(
                &state,
                &key,
                &model_for_audit,
                stream,
                invalid(
                    "Es fehlt das Feld „messages“ mit mindestens einer Nachricht, z. B. [{\"role\": \"user\", \"content\": \"…\"}].",
                    "missing_messages",
                ),
            )
            .await;
        }
    };
    let labels = super::parse_labels(&key.labels);
    let engine = state.gateway.engine(&labels);
    let masked = pseudonymize_messages(&engine, messages);
    let entities = masked.entities_json();
    let special = masked.special_text();
    if key.block_special == 1 && !masked.special.is_empty() {
        let response = error(
            StatusCode::BAD_REQUEST,
            &special_blocked_message(&masked.special),
            "invalid_request_error",
            "special_category_blocked",
        );
        return record_refusal(
            &state,
            &key,
            &model_for_audit,
            stream,
            "blocked",
            &entities,
            &special,
            response,
        )
        .await;
    }
    if let Some(known) = state.gateway.known_models(upstream).await
        && !known.contains(&model)
    {
        let response = error(
            StatusCode::NOT_FOUND,
            &format!(
                "Das Modell „{model_for_audit}“ gibt es auf dem Modell-Server nicht. Verfügbar: {}. Die Liste liefert auch GET /v1/models.",
                known.join(", ")
            ),
            "invalid_request_error",
            "model_not_found",
        );
        return record_refusal(
            &state,
            &key,
            &model_for_audit,
            stream,
            "invalid",
            &entities,
            &special,
            response,
        )
        .await;
    }
    // Ask for token counts in streams too (for the audit log); the extra chunk is passed on
    // only if the client asked for it.
    let client_wants_usage = payload
        .get("stream_options")
        .and_then(|o| o.get("include_usage"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if stream {
        let options = payload
            .entry("stream_options")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(options) = options.as_object_mut() {
            options.insert("include_usage".to_owned(), Value::Bool(true));
        }
    }
    let forward = match serde_json::to_vec(&Value::Object(payload)) {
        Ok(bytes) => Bytes::from(bytes),
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "Die Anfrage konnte nicht aufbereitet werden.",
                "invalid_request_error",
                "invalid_json",
            );
        }
    };
    let audit_id = match storage::gateway::audit_start(
        &state.db,
        &AuditStart {
            key_id: key.id,
            model: &model_for_audit,
            stream,
            outcome: "started",
            http_status: None,
            entities: &entities,
            special: &special,
        },
        UnixMs::now(),
    )
    .await
    {
        Ok(id) => id,
        Err(e) => {
            tracing::error!(error = %e, "gateway audit entry could not be written; request refused");
            return storage_unavailable();
        }
    };
    let audit = AuditHandle {
        db: state.db.clone(),
        id: audit_id,
        finished: false,
    };
    let answer = upstream
        .send(
            Method::POST,
            "/chat/completions",
            Some(forward),
            upstream.timeout(),
        )
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(failure) => {
            let response = failure_response(failure);
            audit
                .finish(outcome_of(failure), response.status(), Usage::default())
                .await;
            return response;
        }
    };
    let status = answer.status();
    let is_event_stream = answer
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if stream && status.is_success() && is_event_stream {
        let marker = key.ai_marker == 1;
        return super::stream::respond(
            answer.into_body(),
            masked.mapping,
            marker,
            client_wants_usage,
            upstream.timeout(),
            audit,
        );
    }
    // Not streamed (or the upstream answered a stream request with an error object).
    let body = match read_body(answer.into_body(), upstream.timeout()).await {
        Ok(body) => body,
        Err(failure) => {
            let response = failure_response(failure);
            audit
                .finish(outcome_of(failure), response.status(), Usage::default())
                .await;
            return response;
        }
    };
    if !status.is_success() {
        let response = upstream_error_response(status, &body);
        audit
            .finish("upstream_error", response.status(), Usage::default())
            .await;
        return response;
    }
    let Ok(Value::Object(mut completion)) = serde_json::from_slice::<Value>(&body) else {
        let response = error(
            StatusCode::BAD_GATEWAY,
            "Der Modell-Server hat keine lesbare Antwort geliefert. Bitte versuchen Sie es noch einmal oder wenden Sie sich an das Team.",
            "upstream_error",
            "upstream_invalid_response",
        );
        audit
            .finish("upstream_error", response.status(), Usage::default())
            .await;
        return response;
    };
    restore_completion(&mut completion, &masked.mapping, key.ai_marker == 1);
    let usage = usage_of(completion.get("usage"));
    // The row exists already; completing it need not delay the answer.
    tokio::spawn(audit.finish("ok", StatusCode::OK, usage));
    json(StatusCode::OK, &Value::Object(completion))
}

/// Puts the real values back into a non-streamed completion and adds the marker line.
fn restore_completion(completion: &mut Map<String, Value>, mapping: &Mapping, marker: bool) {
    let Some(Value::Array(choices)) = completion.get_mut("choices") else {
        return;
    };
    for choice in choices.iter_mut() {
        let Some(message) = choice.get_mut("message").and_then(Value::as_object_mut) else {
            continue;
        };
        if let Some(Value::String(content)) = message.get_mut("content") {
            let mut restored = anonymizer::deanonymize(content, mapping);
            if marker {
                restored.push_str(AI_MARKER);
            }
            *content = restored;
        }
        if let Some(Value::Array(calls)) = message.get_mut("tool_calls") {
            for call in calls.iter_mut() {
                if let Some(Value::String(args)) = call.pointer_mut("/function/arguments") {
                    *args = anonymizer::deanonymize(args, mapping);
                }
            }
        }
    }
}

/// Token counts from an OpenAI `usage` object.
pub(super) fn usage_of(usage: Option<&Value>) -> Usage {
    let get = |k: &str| usage.and_then(|u| u.get(k)).and_then(Value::as_i64);
    Usage {
        prompt: get("prompt_tokens"),
        completion: get("completion_tokens"),
        total: get("total_tokens"),
    }
}

/// The audit row of one forwarded request, completed when the outcome is known. If the
/// request ends without an outcome (the client hung up and the handler was dropped), the
/// drop records `client_closed`.
pub(super) struct AuditHandle {
    db: storage::Db,
    id: i64,
    finished: bool,
}

impl Drop for AuditHandle {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let (db, id) = (self.db.clone(), self.id);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let written = storage::gateway::audit_finish(
                    &db,
                    id,
                    "client_closed",
                    499,
                    Usage::default(),
                    UnixMs::now(),
                )
                .await;
                if let Err(e) = written {
                    tracing::error!(error = %e, audit_id = id, "gateway audit outcome not written");
                }
            });
        }
    }
}

impl AuditHandle {
    /// Writes the outcome; a failure is logged (the row itself already exists).
    pub(super) async fn finish(mut self, outcome: &str, status: StatusCode, usage: Usage) {
        self.finished = true;
        if let Err(e) = storage::gateway::audit_finish(
            &self.db,
            self.id,
            outcome,
            i64::from(status.as_u16()),
            usage,
            UnixMs::now(),
        )
        .await
        {
            tracing::error!(error = %e, audit_id = self.id, "gateway audit outcome not written");
        }
    }
}

/// Audit code for an upstream failure.
pub(super) fn outcome_of(failure: UpstreamFailure) -> &'static str {
    match failure {
        UpstreamFailure::Unreachable => "upstream_error",
        UpstreamFailure::Timeout => "timeout",
    }
}

/// German message of an upstream failure, shared with the stream's error event.
pub(super) fn failure_parts(failure: UpstreamFailure) -> (StatusCode, &'static str, &'static str) {
    match failure {
        UpstreamFailure::Unreachable => (
            StatusCode::BAD_GATEWAY,
            "Der Modell-Server ist nicht erreichbar oder hat die Verbindung abgebrochen. Bitte versuchen Sie es in einer Minute noch einmal; hält das an, informieren Sie das Team.",
            "upstream_unreachable",
        ),
        UpstreamFailure::Timeout => (
            StatusCode::GATEWAY_TIMEOUT,
            "Der Modell-Server hat nicht rechtzeitig geantwortet. Bitte versuchen Sie es noch einmal, eventuell mit einem kürzeren Text.",
            "upstream_timeout",
        ),
    }
}

fn failure_response(failure: UpstreamFailure) -> Response {
    let (status, message, code) = failure_parts(failure);
    error(status, message, "upstream_error", code)
}

/// Reads a whole (bounded) upstream body; each piece must arrive within `wait`.
async fn read_body(body: hyper::body::Incoming, wait: Duration) -> Result<Bytes, UpstreamFailure> {
    let mut body = Limited::new(body, MAX_UPSTREAM_BODY_BYTES);
    let mut out = Vec::new();
    loop {
        match tokio::time::timeout(wait, body.frame()).await {
            Err(_) => return Err(UpstreamFailure::Timeout),
            Ok(None) => return Ok(Bytes::from(out)),
            Ok(Some(Err(_))) => return Err(UpstreamFailure::Unreachable),
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    out.extend_from_slice(&data);
                }
            }
        }
    }
}

/// Passes an upstream error on as an OpenAI error: client errors (bad parameters, unknown
/// model, upstream rate limit) keep their status and the upstream's message; the upstream
/// rejecting the gateway's own key or failing becomes 502, so clients do not blame their key.
fn upstream_error_response(status: StatusCode, body: &[u8]) -> Response {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let upstream_message = parsed
        .as_ref()
        .and_then(|v| {
            v.pointer("/error/message")
                .or_else(|| v.get("message"))
                .or_else(|| v.get("detail"))
                .or_else(|| v.get("error"))
        })
        .and_then(Value::as_str)
        .map(|m| m.chars().take(500).collect::<String>());
    let upstream_code = parsed
        .as_ref()
        .and_then(|v| v.pointer("/error/code"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    match status.as_u16() {
        401 | 403 => error(
            StatusCode::BAD_GATEWAY,
            "Der Modell-Server hat den Zugang des Gateways abgelehnt. Das liegt nicht an Ihrem Schlüssel: Bitte informieren Sie das Team (KIPILOT_GATEWAY_UPSTREAM_KEY prüfen).",
            "upstream_error",
            "upstream_auth_failed",
        ),
        400 | 404 | 409 | 413 | 422 | 429 => {
            let message = match upstream_message {
                Some(m) => format!("Der Modell-Server hat die Anfrage abgelehnt: {m}"),
                None => format!(
                    "Der Modell-Server hat die Anfrage abgelehnt (Status {}). Bitte prüfen Sie Modell und Parameter.",
                    status.as_u16()
                ),
            };
            let kind = if status == StatusCode::TOO_MANY_REQUESTS {
                "rate_limit_error"
            } else {
                "invalid_request_error"
            };
            error(
                status,
                &message,
                kind,
                upstream_code.as_deref().unwrap_or("upstream_rejected"),
            )
        }
        _ => error(
            StatusCode::BAD_GATEWAY,
            &format!(
                "Der Modell-Server hat einen Fehler gemeldet (Status {}). Bitte versuchen Sie es in einer Minute noch einmal.",
                status.as_u16()
            ),
            "upstream_error",
            "upstream_error",
        ),
    }
}

fn invalid(message: &str, code: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        message,
        "invalid_request_error",
        code,
    )
}

/// Records a request refused before forwarding (outcome `invalid`) and returns `response`.
async fn refuse(
    state: &AppState,
    key: &GatewayKey,
    model: &str,
    stream: bool,
    response: Response,
) -> Response {
    record_refusal(state, key, model, stream, "invalid", "{}", "", response).await
}

#[allow(clippy::too_many_arguments)]
async fn record_refusal(
    state: &AppState,
    key: &GatewayKey,
    model: &str,
    stream: bool,
    outcome: &str,
    entities: &str,
    special: &str,
    response: Response,
) -> Response {
    let written = storage::gateway::audit_start(
        &state.db,
        &AuditStart {
            key_id: key.id,
            model,
            stream,
            outcome,
            http_status: Some(i64::from(response.status().as_u16())),
            entities,
            special,
        },
        UnixMs::now(),
    )
    .await;
    if let Err(e) = written {
        tracing::error!(error = %e, "gateway audit entry for a refused request not written");
    }
    response
}

fn json(status: StatusCode, value: &Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        value.to_string(),
    )
        .into_response()
}

impl Gateway {
    /// Model ids the upstream offers, cached for a minute; `None` when the upstream does not
    /// list its models (then the upstream itself judges the model name).
    async fn known_models(&self, upstream: &Upstream) -> Option<Arc<Vec<String>>> {
        if let Ok(cache) = self.models.lock()
            && let Some((at, models)) = cache.as_ref()
            && at.elapsed() < MODELS_TTL
        {
            return models.clone();
        }
        let wait = upstream.timeout().min(Duration::from_secs(5));
        let fetched = match upstream.send(Method::GET, "/models", None, wait).await {
            Ok(r) if r.status().is_success() => read_body(r.into_body(), wait)
                .await
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .and_then(|v| {
                    v.get("data").and_then(Value::as_array).map(|list| {
                        list.iter()
                            .filter_map(|m| m.get("id").and_then(Value::as_str))
                            .map(str::to_owned)
                            .collect::<Vec<_>>()
                    })
                })
                .filter(|list| !list.is_empty())
                .map(Arc::new),
            _ => None,
        };
        if let Ok(mut cache) = self.models.lock() {
            *cache = Some((Instant::now(), fetched.clone()));
        }
        fetched
    }
}

/// `GET /v1/models`: the upstream's models, in the OpenAI list format.
pub(super) async fn models(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> Response {
    let Some(upstream) = state.gateway.upstream.as_ref() else {
        return not_configured();
    };
    if let Err(response) = authenticate(&state, ip, &headers).await {
        return response;
    }
    match fetch_models(upstream).await {
        Ok(list) => json(
            StatusCode::OK,
            &serde_json::json!({ "object": "list", "data": list }),
        ),
        Err(response) => response,
    }
}

/// `GET /v1/models/{id}`.
pub(super) async fn model(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(upstream) = state.gateway.upstream.as_ref() else {
        return not_configured();
    };
    if let Err(response) = authenticate(&state, ip, &headers).await {
        return response;
    }
    match fetch_models(upstream).await {
        Ok(list) => match list
            .into_iter()
            .find(|m| m.get("id").and_then(Value::as_str) == Some(id.as_str()))
        {
            Some(m) => json(StatusCode::OK, &m),
            None => error(
                StatusCode::NOT_FOUND,
                "Dieses Modell gibt es auf dem Modell-Server nicht. Die verfügbaren Modelle liefert GET /v1/models.",
                "invalid_request_error",
                "model_not_found",
            ),
        },
        Err(response) => response,
    }
}

/// The upstream's model objects (id, object, created, owned_by only).
async fn fetch_models(upstream: &Upstream) -> Result<Vec<Value>, Response> {
    let answer = upstream
        .send(Method::GET, "/models", None, upstream.timeout())
        .await
        .map_err(failure_response)?;
    let status = answer.status();
    let body = read_body(answer.into_body(), upstream.timeout())
        .await
        .map_err(failure_response)?;
    if !status.is_success() {
        return Err(upstream_error_response(status, &body));
    }
    let parsed: Value = serde_json::from_slice(&body).map_err(|_| {
        error(
            StatusCode::BAD_GATEWAY,
            "Der Modell-Server hat keine lesbare Modell-Liste geliefert.",
            "upstream_error",
            "upstream_invalid_response",
        )
    })?;
    let list = parsed
        .get("data")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok(list
        .into_iter()
        .filter_map(|m| {
            let id = m.get("id")?.as_str()?.to_owned();
            Some(serde_json::json!({
                "id": id,
                "object": "model",
                "created": m.get("created").and_then(Value::as_i64).unwrap_or(0),
                "owned_by": m.get("owned_by").and_then(Value::as_str).unwrap_or("upstream"),
            }))
        })
        .collect())
}

/// Any other method on `/v1/chat/completions`.
pub(super) async fn method_not_allowed() -> Response {
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Diese Adresse nimmt nur POST-Anfragen an (OpenAI-kompatibel: Chat Completions).",
        "invalid_request_error",
        "method_not_allowed",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

/// Any other path under `/v1/`.
pub(super) async fn unknown_route() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "Diese Schnittstelle bietet das Gateway nicht an. Unterstützt werden POST /v1/chat/completions und GET /v1/models.",
        "invalid_request_error",
        "unknown_url",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_person_same_placeholder_across_messages() {
        let engine = anonymizer::Anonymizer::new();
        let mut messages = vec![
            serde_json::json!({"role": "system", "content": "Du hilfst Frau Elisabeth Haas."}),
            serde_json::json!({"role": "user", "content": [{"type": "text", "text": "Schreib an Frau Haas, IBAN AT61 1904 3002 3457 3201."}]}),
        ];
        let out = pseudonymize_messages(&engine, &mut messages);
        let all = serde_json::to_string(&messages).unwrap();
        assert!(!all.contains("Haas"), "{all}");
        assert!(!all.contains("AT61"), "{all}");
        assert!(all.contains("[PERSON_1"), "{all}");
        assert_eq!(out.entities.get(&Label::Iban), Some(&1));
        assert!(out.special.is_empty());
        let mut completion = serde_json::json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "Liebe Frau [PERSON_1.2], Ihre IBAN [IBAN_1]."}}]});
        restore_completion(completion.as_object_mut().unwrap(), &out.mapping, true);
        let text = completion
            .pointer("/choices/0/message/content")
            .unwrap()
            .as_str()
            .unwrap();
        assert!(
            text.starts_with("Liebe Frau Haas, Ihre IBAN AT61 1904 3002 3457 3201."),
            "{text}"
        );
        assert!(text.ends_with(AI_MARKER));
    }

    #[test]
    fn special_categories_are_named_in_german() {
        let engine = anonymizer::Anonymizer::new();
        let mut messages = vec![
            serde_json::json!({"role": "user", "content": "Herr Gruber ist im Krankenstand."}),
        ];
        let out = pseudonymize_messages(&engine, &mut messages);
        assert_eq!(out.special_text(), "HEALTH");
        let message = special_blocked_message(&out.special);
        assert!(message.contains("Art. 9 DSGVO"));
        assert!(message.contains("Gesundheitsdaten"));
        assert_eq!(special_german("HEALTH"), "Gesundheitsdaten");
    }

    #[test]
    fn upstream_errors_never_blame_the_client_key() {
        let r = upstream_error_response(StatusCode::UNAUTHORIZED, b"{}");
        assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
        let r = upstream_error_response(StatusCode::INTERNAL_SERVER_ERROR, b"oops");
        assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
        let r = upstream_error_response(
            StatusCode::BAD_REQUEST,
            br#"{"error": {"message": "temperature too high", "code": "bad_param"}}"#,
        );
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
}
