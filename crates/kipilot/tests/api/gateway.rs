//! The privacy gateway against a real stub model server on loopback: what the upstream
//! receives (never the personal data), restoration of plain and streamed answers (one
//! character per event, each event split in two network writes), policy, keys, bad input,
//! upstream failures, the audit trail, the back office, and the official openai Python SDK.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::db_test;
use crate::helpers::{Options, TestApp, eventually};

/// The key the gateway must send upstream (and never anywhere else).
pub const UPSTREAM_KEY: &str = "sk-upstream-geheim-4711";

/// One request the stub received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub authorization: String,
    pub body: String,
}

/// A stub OpenAI-compatible model server. Behaviour by model name:
/// `stub-model` echoes the user messages ("Echo: a | b"), streamed one character per event;
/// `hang-model` never answers; `error-model` answers 500; `auth-model` answers 401;
/// `drop-model` streams a little and then breaks the connection; `stall-model` streams a
/// little and then goes silent.
#[derive(Debug, Clone)]
pub struct Stub {
    base: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Stub {
    /// Starts the stub on a random loopback port (callable from a sync expression inside
    /// the test runtime, e.g. the options of `db_test!`).
    pub fn start() -> Stub {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind stub");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/v1/models", get(stub_models))
            .route("/v1/chat/completions", post(stub_chat))
            .with_state(received.clone());
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Stub {
            base: format!("http://{addr}/v1"),
            received,
        }
    }

    /// A base URL where nothing listens.
    pub fn unreachable() -> Stub {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        Stub {
            base: format!("http://127.0.0.1:{port}/v1"),
            received: Arc::new(Mutex::new(Vec::new())),
        }
    }

    pub fn base_url(&self) -> String {
        self.base.clone()
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    pub fn chat_bodies(&self) -> Vec<String> {
        self.received()
            .into_iter()
            .filter(|r| r.path == "/v1/chat/completions")
            .map(|r| r.body)
            .collect()
    }
}

fn with_stub() -> Options {
    Options {
        gateway_stub: Some(Stub::start()),
        ..Options::default()
    }
}

fn with_stub_timeout(ms: u64) -> Options {
    Options {
        gateway_stub: Some(Stub::start()),
        gateway_timeout_ms: Some(ms),
        ..Options::default()
    }
}

async fn stub_models(
    State(received): State<Arc<Mutex<Vec<Received>>>>,
    headers: HeaderMap,
) -> Response {
    record(&received, "/v1/models", &headers, "");
    let ids = [
        "stub-model",
        "hang-model",
        "error-model",
        "auth-model",
        "drop-model",
        "stall-model",
    ];
    let data: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "object": "model", "created": 1, "owned_by": "stub"}))
        .collect();
    axum::Json(json!({"object": "list", "data": data})).into_response()
}

fn record(received: &Arc<Mutex<Vec<Received>>>, path: &str, headers: &HeaderMap, body: &str) {
    received.lock().expect("lock").push(Received {
        path: path.to_owned(),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
        body: body.to_owned(),
    });
}

/// The stub's answer to a request: the user messages, echoed.
fn echo_of(request: &Value) -> String {
    let users: Vec<String> = request["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter(|m| m["role"] == "user")
                .filter_map(|m| match &m["content"] {
                    Value::String(s) => Some(s.clone()),
                    Value::Array(parts) => Some(
                        parts
                            .iter()
                            .filter_map(|p| p["text"].as_str())
                            .collect::<Vec<_>>()
                            .join(""),
                    ),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    format!("Echo: {}", users.join(" | "))
}

struct StubBody(mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl http_body::Body for StubBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|o| o.map(|r| r.map(http_body::Frame::data)))
    }
}

fn chunk(content: Option<&str>, finish: Option<&str>) -> String {
    let mut delta = json!({});
    if let Some(c) = content {
        delta["content"] = json!(c);
    }
    json!({"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 1, "model": "stub-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    .to_string()
}

async fn stub_chat(
    State(received): State<Arc<Mutex<Vec<Received>>>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    record(&received, "/v1/chat/completions", &headers, &body);
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let model = request["model"].as_str().unwrap_or("").to_owned();
    match model.as_str() {
        "hang-model" => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return StatusCode::OK.into_response();
        }
        "error-model" => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                axum::Json(json!({"error": {"message": "boom", "type": "server_error"}})),
            )
                .into_response();
        }
        "auth-model" => {
            return (
                StatusCode::UNAUTHORIZED,
                axum::Json(
                    json!({"error": {"message": "Incorrect API key", "code": "invalid_api_key"}}),
                ),
            )
                .into_response();
        }
        _ => {}
    }
    let answer = echo_of(&request);
    if request["stream"] != json!(true) {
        return axum::Json(json!({
            "id": "chatcmpl-stub", "object": "chat.completion", "created": 1, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 22, "total_tokens": 33}
        }))
        .into_response();
    }
    let include_usage = request["stream_options"]["include_usage"] == json!(true);
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        let mut events = vec![
            json!({"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 1, "model": "stub-model",
                "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]})
            .to_string(),
        ];
        // One character per event: every placeholder is split across many events.
        events.extend(answer.chars().map(|c| chunk(Some(&c.to_string()), None)));
        let cut = match model.as_str() {
            "drop-model" | "stall-model" => Some(8),
            _ => None,
        };
        if cut.is_none() {
            events.push(chunk(None, Some("stop")));
            if include_usage {
                events.push(json!({"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 1, "model": "stub-model",
                    "choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": 22, "total_tokens": 33}}).to_string());
            }
            events.push("[DONE]".to_owned());
        }
        for (i, data) in events.iter().enumerate() {
            if cut == Some(i) {
                break;
            }
            // Each event in two writes, split in the middle (inside the JSON).
            let text = format!("data: {data}\n\n");
            let mid = text
                .char_indices()
                .map(|(i, _)| i)
                .find(|i| *i >= text.len() / 2)
                .unwrap_or(0);
            for part in [&text[..mid], &text[mid..]] {
                if tx.send(Ok(Bytes::from(part.to_owned()))).await.is_err() {
                    return;
                }
                tokio::task::yield_now().await;
            }
        }
        match model.as_str() {
            "drop-model" => {
                let _ = tx
                    .send(Err(std::io::Error::other("connection dropped")))
                    .await;
            }
            "stall-model" => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                drop(tx);
            }
            _ => {}
        }
    });
    (
        [("content-type", "text/event-stream")],
        Body::new(StubBody(rx)),
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------
// Helpers

/// Issues a key in the back office (all labels unless `labels` says otherwise); returns it.
async fn issue_key(
    app: &TestApp,
    cookie: &str,
    name: &str,
    extra: &[(&str, &str)],
) -> anyhow::Result<String> {
    let csrf = app.csrf(cookie).await?;
    let mut fields: Vec<(&str, &str)> = vec![("csrf", &csrf), ("name", name)];
    let has_labels = extra.iter().any(|(k, _)| *k == "labels");
    if !has_labels {
        for l in anonymizer::Label::ALL {
            fields.push(("labels", l.as_str()));
        }
    }
    if !extra.iter().any(|(k, _)| *k == "rate") {
        fields.push(("rate", "60"));
    }
    fields.extend_from_slice(extra);
    let r = app
        .post_form_with("/admin/gateway", &fields, Some(cookie))
        .await?;
    anyhow::ensure!(r.status().as_u16() == 201, "key not issued: {}", r.status());
    let html = r.text().await?;
    let start = html
        .find("kpg_")
        .ok_or_else(|| anyhow::anyhow!("no key on the page"))?;
    Ok(html[start..start + 68].to_owned())
}

async fn chat(app: &TestApp, key: Option<&str>, body: &Value) -> anyhow::Result<(u16, Value)> {
    let mut req = app
        .client
        .post(app.url("/v1/chat/completions"))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(k) = key {
        req = req.header("authorization", format!("Bearer {k}"));
    }
    let r = req.send().await?;
    let status = r.status().as_u16();
    let text = r.text().await?;
    let value =
        serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("not JSON ({e}): {text}"))?;
    Ok((status, value))
}

/// Sends a streaming request; returns the status, the assembled content and the raw events.
async fn chat_stream(
    app: &TestApp,
    key: &str,
    body: &Value,
) -> anyhow::Result<(u16, String, Vec<Value>)> {
    let r = app
        .client
        .post(app.url("/v1/chat/completions"))
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await?;
    let status = r.status().as_u16();
    let text = r.text().await?;
    let mut content = String::new();
    let mut events = Vec::new();
    for block in text.split("\n\n") {
        let Some(data) = block.strip_prefix("data: ") else {
            continue;
        };
        if data == "[DONE]" {
            events.push(json!("[DONE]"));
            continue;
        }
        let v: Value = serde_json::from_str(data)?;
        if let Some(c) = v
            .pointer("/choices/0/delta/content")
            .and_then(Value::as_str)
        {
            content.push_str(c);
        }
        events.push(v);
    }
    Ok((status, content, events))
}

const MSG_1: &str = "Bitte schreib an Frau Elisabeth Haas, E-Mail elisabeth.haas@example.at, Telefon +43 664 1234567.";
const MSG_2: &str = "Frau Haas soll den Betrag auf IBAN AT61 1904 3002 3457 3201 überweisen.";
const PERSONAL: [&str; 5] = [
    "Haas",
    "elisabeth.haas@example.at",
    "1234567",
    "AT61",
    "3457 3201",
];

fn conversation(model: &str, stream: bool) -> Value {
    json!({
        "model": model,
        "stream": stream,
        "temperature": 0.2,
        "messages": [
            {"role": "system", "content": "Du schreibst Briefe für die Kanzlei."},
            {"role": "user", "content": MSG_1},
            {"role": "assistant", "content": "Gerne. Was soll drinstehen?"},
            {"role": "user", "content": [{"type": "text", "text": MSG_2}]}
        ]
    })
}

/// Everything in the gateway's tables, as text (to prove no content is stored).
async fn audit_dump(app: &TestApp) -> anyhow::Result<String> {
    let rows = storage::gateway::audit_recent(&app.db, 1000).await?;
    Ok(format!("{rows:?}"))
}

fn assert_no_personal_data(what: &str, text: &str) {
    for p in PERSONAL {
        assert!(!text.contains(p), "{what} contains {p:?}: {text}");
    }
}

// ---------------------------------------------------------------------------------------
// Tests

db_test!(
    without_upstream_the_routes_say_not_configured,
    Options::plain(),
    |app: TestApp| async move {
        let (status, body) = chat(&app, Some("kpg_x"), &conversation("m", false)).await?;
        assert_eq!(status, 503);
        assert_eq!(body["error"]["code"], "not_configured");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("KIPILOT_GATEWAY_UPSTREAM")
        );
        let r = app.get("/v1/models").await?;
        assert_eq!(r.status().as_u16(), 503);
        let v: Value = serde_json::from_str(&r.text().await?)?;
        assert_eq!(v["error"]["code"], "not_configured");
        Ok(())
    }
);

db_test!(
    upstream_never_sees_personal_data_and_the_answer_is_restored,
    with_stub(),
    |app: TestApp| async move {
        let stub = app.stub.clone().expect("stub");
        let cookie = app.login_admin("team@odoublet.test").await?;
        let key = issue_key(&app, &cookie, "Kanzlei-Skript", &[("block_special", "on")]).await?;
        let (status, body) = chat(&app, Some(&key), &conversation("stub-model", false)).await?;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["choices"][0]["message"]["content"],
            format!("Echo: {MSG_1} | {MSG_2}")
        );
        assert_eq!(body["usage"]["total_tokens"], 33);
        let bodies = stub.chat_bodies();
        assert_eq!(bodies.len(), 1);
        assert_no_personal_data("upstream request", &bodies[0]);
        // One mapping per request: "Elisabeth Haas" and "Frau Haas" are one person.
        let sent: Value = serde_json::from_str(&bodies[0])?;
        let first = sent["messages"][1]["content"].as_str().unwrap();
        let second = sent["messages"][3]["content"][0]["text"].as_str().unwrap();
        assert!(first.contains("[PERSON_1]"), "{first}");
        assert!(second.contains("[PERSON_1"), "{second}");
        assert!(second.contains("[IBAN_1]"), "{second}");
        assert_eq!(sent["temperature"], 0.2, "other parameters pass unchanged");
        // The upstream got the upstream key, not the client's.
        let received = stub.received();
        assert!(
            received
                .iter()
                .all(|r| r.authorization == format!("Bearer {UPSTREAM_KEY}"))
        );
        // The audit row: counts, tokens, no content, no key.
        let rows = eventually(Duration::from_secs(5), || async {
            let rows = storage::gateway::audit_recent(&app.db, 10).await?;
            Ok(rows.iter().all(|r| r.outcome == "ok").then_some(rows))
        })
        .await?;
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.outcome, "ok");
        assert_eq!(row.model, "stub-model");
        assert_eq!(row.http_status, Some(200));
        assert_eq!(
            (row.prompt_tokens, row.completion_tokens, row.total_tokens),
            (Some(11), Some(22), Some(33))
        );
        let entities: Value = serde_json::from_str(&row.entities)?;
        assert_eq!(entities["IBAN"], 1);
        assert_eq!(entities["EMAIL"], 1);
        assert!(entities["PERSON"].as_i64().unwrap() >= 2);
        let dump = audit_dump(&app).await?;
        assert_no_personal_data("audit log", &dump);
        assert!(!dump.contains(&key[4..]));
        Ok(())
    }
);

db_test!(
    streamed_answers_are_restored_across_one_character_events,
    with_stub(),
    |app: TestApp| async move {
        let stub = app.stub.clone().expect("stub");
        let cookie = app.login_admin("team@odoublet.test").await?;
        let key = issue_key(&app, &cookie, "Chat-Werkzeug", &[]).await?;
        let (status, content, events) =
            chat_stream(&app, &key, &conversation("stub-model", true)).await?;
        assert_eq!(status, 200);
        assert_eq!(content, format!("Echo: {MSG_1} | {MSG_2}"));
        assert_eq!(events.last(), Some(&json!("[DONE]")));
        // The client did not ask for usage: the extra chunk the gateway requested stays away.
        assert!(events.iter().all(|e| e.get("usage").is_none()));
        // No event carries a placeholder fragment: held back, not leaked.
        for e in &events {
            let c = e
                .pointer("/choices/0/delta/content")
                .and_then(Value::as_str)
                .unwrap_or("");
            assert!(!c.contains('['), "placeholder fragment sent: {c:?}");
        }
        // Streaming really streams: many events, not one buffered answer.
        assert!(events.len() > 50, "{} events", events.len());
        let bodies = stub.chat_bodies();
        assert_no_personal_data("upstream request", &bodies[0]);
        let sent: Value = serde_json::from_str(&bodies[0])?;
        assert_eq!(sent["stream_options"]["include_usage"], true);
        let row = eventually(Duration::from_secs(5), || async {
            let rows = storage::gateway::audit_recent(&app.db, 10).await?;
            Ok(rows.into_iter().find(|r| r.outcome == "ok"))
        })
        .await?;
        assert_eq!(row.stream, 1);
        assert_eq!(row.total_tokens, Some(33));
        // A client that asks for usage gets it.
        let mut with_usage = conversation("stub-model", true);
        with_usage["stream_options"] = json!({"include_usage": true});
        let (_, _, events) = chat_stream(&app, &key, &with_usage).await?;
        assert!(
            events
                .iter()
                .any(|e| e.pointer("/usage/total_tokens") == Some(&json!(33)))
        );
        Ok(())
    }
);

db_test!(
    special_categories_are_blocked_per_policy_and_answers_can_be_marked,
    with_stub(),
    |app: TestApp| async move {
        let stub = app.stub.clone().expect("stub");
        let cookie = app.login_admin("team@odoublet.test").await?;
        let key = issue_key(
            &app,
            &cookie,
            "Personalabteilung",
            &[("block_special", "on")],
        )
        .await?;
        let request = json!({"model": "stub-model", "messages": [
            {"role": "user", "content": "Herr Gruber ist seit Montag im Krankenstand. Schreib eine Vertretungsregel."}
        ]});
        let (status, body) = chat(&app, Some(&key), &request).await?;
        assert_eq!(status, 400);
        assert_eq!(body["error"]["code"], "special_category_blocked");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("Art. 9 DSGVO"), "{message}");
        assert!(message.contains("Gesundheitsdaten"), "{message}");
        assert!(message.contains("Bitte entfernen Sie"), "{message}");
        assert!(
            stub.chat_bodies().is_empty(),
            "blocked request reached the model"
        );
        let rows = storage::gateway::audit_recent(&app.db, 10).await?;
        assert_eq!(rows[0].outcome, "blocked");
        assert_eq!(rows[0].special, "HEALTH");
        assert!(!audit_dump(&app).await?.contains("Krankenstand"));

        // The team allows Art. 9 data for this key and switches the AI marker on.
        let key_id = storage::gateway::keys(&app.db).await?[0].id;
        let csrf = app.csrf(&cookie).await?;
        let mut fields = vec![("csrf", csrf.as_str()), ("rate", "60"), ("ai_marker", "on")];
        for l in ["PERSON", "EMAIL"] {
            fields.push(("labels", l));
        }
        let r = app
            .post_form_with(&format!("/admin/gateway/{key_id}"), &fields, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let (status, body) = chat(&app, Some(&key), &request).await?;
        assert_eq!(status, 200, "{body}");
        let content = body["choices"][0]["message"]["content"].as_str().unwrap();
        assert!(content.contains("Herr Gruber ist seit Montag im Krankenstand."));
        assert!(content.ends_with("Dieser Text wurde mit Hilfe künstlicher Intelligenz erstellt."));
        let sent = stub.chat_bodies().pop().unwrap();
        assert!(!sent.contains("Gruber"), "{sent}");
        let (_, streamed, _) = chat_stream(
            &app,
            &key,
            &json!({"model": "stub-model", "stream": true, "messages": request["messages"].clone()}),
        )
        .await?;
        assert!(
            streamed.ends_with("Dieser Text wurde mit Hilfe künstlicher Intelligenz erstellt."),
            "{streamed}"
        );
        eventually(Duration::from_secs(5), || async {
            let rows = storage::gateway::audit_recent(&app.db, 10).await?;
            Ok(rows
                .iter()
                .any(|r| r.outcome == "ok" && r.special == "HEALTH")
                .then_some(()))
        })
        .await?;
        Ok(())
    }
);

db_test!(
    keys_missing_wrong_revoked_and_rate_limited,
    with_stub(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let key = issue_key(&app, &cookie, "Praktikant", &[("rate", "3")]).await?;
        let request = conversation("stub-model", false);
        let (status, body) = chat(&app, None, &request).await?;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("missing_api_key"))
        );
        let (status, body) = chat(&app, Some("sk-falsch"), &request).await?;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("invalid_api_key"))
        );
        let wrong = format!("kpg_{}", "a".repeat(64));
        let (status, _) = chat(&app, Some(&wrong), &request).await?;
        assert_eq!(status, 401);
        // Only the hash is stored.
        let stored = format!("{:?}", storage::gateway::keys(&app.db).await?);
        assert!(!stored.contains(&key[4..]));
        // Rate limit: 3 per minute.
        for _ in 0..3 {
            assert_eq!(chat(&app, Some(&key), &request).await?.0, 200);
        }
        let r = app
            .client
            .post(app.url("/v1/chat/completions"))
            .header("authorization", format!("Bearer {key}"))
            .body(request.to_string())
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 429);
        assert!(r.headers().contains_key("retry-after"));
        let v: Value = serde_json::from_str(&r.text().await?)?;
        assert_eq!(v["error"]["code"], "rate_limit_exceeded");
        // Revoked: refused at once.
        let id = storage::gateway::keys(&app.db).await?[0].id;
        let csrf = app.csrf(&cookie).await?;
        let r = app
            .post_form_with(
                &format!("/admin/gateway/{id}/widerrufen"),
                &[("csrf", &csrf), ("confirm", "on")],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let (status, body) = chat(&app, Some(&key), &request).await?;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("revoked_api_key"))
        );
        let r = app
            .client
            .get(app.url("/v1/models"))
            .header("authorization", format!("Bearer {key}"))
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 401);
        Ok(())
    }
);

db_test!(
    bad_input_gets_openai_errors_and_an_audit_entry,
    with_stub(),
    |app: TestApp| async move {
        let stub = app.stub.clone().expect("stub");
        let cookie = app.login_admin("team@odoublet.test").await?;
        let key = issue_key(&app, &cookie, "Test", &[]).await?;
        let send_raw = |body: Vec<u8>| {
            let req = app
                .client
                .post(app.url("/v1/chat/completions"))
                .header("authorization", format!("Bearer {key}"))
                .header("content-type", "application/json")
                .body(body);
            async move {
                let r = req.send().await?;
                let status = r.status().as_u16();
                let v: Value = serde_json::from_str(&r.text().await?)?;
                anyhow::Ok((status, v))
            }
        };
        let (status, v) = send_raw(b"{\"model\": \"stub-model\", \"messages\": [".to_vec()).await?;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (400, Some("invalid_json"))
        );
        assert!(v["error"]["message"].as_str().unwrap().contains("Zeile 1"));
        let (status, v) = send_raw(b"[1, 2]".to_vec()).await?;
        assert_eq!(status, 400, "{v}");
        let (status, v) =
            send_raw(br#"{"messages": [{"role": "user", "content": "x"}]}"#.to_vec()).await?;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (400, Some("missing_model"))
        );
        let (status, v) = send_raw(br#"{"model": "stub-model", "messages": []}"#.to_vec()).await?;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (400, Some("missing_messages"))
        );
        let (status, v) = chat(&app, Some(&key), &conversation("gpt-17-ultra", false)).await?;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (404, Some("model_not_found"))
        );
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("stub-model")
        );
        // Larger than the site's 256 KiB form limit is fine; larger than 1 MiB is not.
        let long = "Ein langer Vertrag. ".repeat(20_000);
        let (status, _) = chat(
            &app,
            Some(&key),
            &json!({"model": "stub-model", "messages": [{"role": "user", "content": long}]}),
        )
        .await?;
        assert_eq!(status, 200);
        let huge = format!(
            "{{\"model\": \"stub-model\", \"messages\": [{{\"role\": \"user\", \"content\": \"{}\"}}]}}",
            "x".repeat(2 * 1024 * 1024)
        );
        let (status, v) = send_raw(huge.into_bytes()).await?;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (413, Some("request_too_large"))
        );
        let r = app.get("/v1/chat/completions").await?;
        assert_eq!(r.status().as_u16(), 405);
        let v: Value = serde_json::from_str(&r.text().await?)?;
        assert_eq!(v["error"]["code"], "method_not_allowed");
        let r = app
            .client
            .post(app.url("/v1/embeddings"))
            .body("{}")
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 404);
        let v: Value = serde_json::from_str(&r.text().await?)?;
        assert_eq!(v["error"]["code"], "unknown_url");
        // Only the valid long request reached the model; every refusal has an audit entry.
        assert_eq!(stub.chat_bodies().len(), 1);
        let rows = storage::gateway::audit_recent(&app.db, 20).await?;
        assert_eq!(
            rows.iter().filter(|r| r.outcome == "invalid").count(),
            6,
            "{rows:?}"
        );
        assert_eq!(rows.len(), 7);
        Ok(())
    }
);

db_test!(
    upstream_failures_become_openai_errors_and_are_audited,
    with_stub_timeout(700),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let key = issue_key(&app, &cookie, "Test", &[]).await?;
        let started = std::time::Instant::now();
        let (status, v) = chat(&app, Some(&key), &conversation("hang-model", false)).await?;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (504, Some("upstream_timeout"))
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        let (status, v) = chat(&app, Some(&key), &conversation("error-model", false)).await?;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (502, Some("upstream_error"))
        );
        assert!(!v.to_string().contains("boom"));
        let (status, v) = chat(&app, Some(&key), &conversation("auth-model", false)).await?;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (502, Some("upstream_auth_failed"))
        );
        assert!(!v.to_string().contains(UPSTREAM_KEY));
        // Streams: a hang before the first byte, a break and a stall in the middle.
        let (status, v) = chat(&app, Some(&key), &conversation("hang-model", true)).await?;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (504, Some("upstream_timeout"))
        );
        let (status, content, events) =
            chat_stream(&app, &key, &conversation("drop-model", true)).await?;
        assert_eq!(status, 200);
        assert!(content.starts_with("Echo"));
        let last = events.last().unwrap();
        assert_eq!(last["error"]["code"], "upstream_unreachable", "{events:?}");
        let (_, _, events) = chat_stream(&app, &key, &conversation("stall-model", true)).await?;
        assert_eq!(events.last().unwrap()["error"]["code"], "upstream_timeout");
        let rows = eventually(Duration::from_secs(5), || async {
            let rows = storage::gateway::audit_recent(&app.db, 20).await?;
            Ok((rows.len() == 6 && rows.iter().all(|r| r.finished_ms.is_some())).then_some(rows))
        })
        .await?;
        let mut outcomes: Vec<&str> = rows.iter().map(|r| r.outcome.as_str()).collect();
        outcomes.sort_unstable();
        assert_eq!(
            outcomes,
            [
                "timeout",
                "timeout",
                "timeout",
                "upstream_error",
                "upstream_error",
                "upstream_error"
            ]
        );
        Ok(())
    }
);

db_test!(
    an_unreachable_upstream_is_a_502,
    Options {
        gateway_stub: Some(Stub::unreachable()),
        ..Options::default()
    },
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let key = issue_key(&app, &cookie, "Test", &[]).await?;
        let (status, v) = chat(&app, Some(&key), &conversation("stub-model", false)).await?;
        assert_eq!(
            (status, v["error"]["code"].as_str()),
            (502, Some("upstream_unreachable"))
        );
        let r = app
            .client
            .get(app.url("/v1/models"))
            .header("authorization", format!("Bearer {key}"))
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 502);
        let rows = storage::gateway::audit_recent(&app.db, 10).await?;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].outcome, "upstream_error");
        assert_eq!(rows[0].http_status, Some(502));
        Ok(())
    }
);

db_test!(
    a_client_that_leaves_mid_stream_still_leaves_an_audit_entry,
    with_stub_timeout(30_000),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let key = issue_key(&app, &cookie, "Test", &[]).await?;
        let mut r = app
            .client
            .post(app.url("/v1/chat/completions"))
            .header("authorization", format!("Bearer {key}"))
            .body(conversation("stall-model", true).to_string())
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        let _first = r.chunk().await?;
        drop(r);
        // The row exists from before forwarding; the stalled upstream never finishes, so
        // the outcome stays "started" until the client is noticed gone or the timeout hits.
        let rows = storage::gateway::audit_recent(&app.db, 10).await?;
        assert_eq!(rows.len(), 1);
        assert!(matches!(
            rows[0].outcome.as_str(),
            "started" | "client_closed"
        ));
        Ok(())
    }
);

db_test!(
    a_client_that_gives_up_waiting_is_recorded_as_gone,
    with_stub_timeout(30_000),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let key = issue_key(&app, &cookie, "Test", &[]).await?;
        let r = app
            .client
            .post(app.url("/v1/chat/completions"))
            .header("authorization", format!("Bearer {key}"))
            .timeout(Duration::from_millis(500))
            .body(conversation("hang-model", false).to_string())
            .send()
            .await;
        assert!(r.is_err(), "the hanging upstream cannot have answered");
        let row = eventually(Duration::from_secs(5), || async {
            let rows = storage::gateway::audit_recent(&app.db, 10).await?;
            Ok(rows.into_iter().find(|r| r.outcome == "client_closed"))
        })
        .await?;
        assert_eq!(row.http_status, Some(499));
        assert!(row.finished_ms.is_some());
        Ok(())
    }
);

db_test!(
    models_are_listed_for_valid_keys,
    with_stub(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let key = issue_key(&app, &cookie, "Test", &[]).await?;
        let r = app.get("/v1/models").await?;
        assert_eq!(r.status().as_u16(), 401);
        let r = app
            .client
            .get(app.url("/v1/models"))
            .header("authorization", format!("Bearer {key}"))
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        let v: Value = serde_json::from_str(&r.text().await?)?;
        assert_eq!(v["object"], "list");
        assert_eq!(v["data"][0]["id"], "stub-model");
        // Bearer clients are not browsers: the cross-site form check does not apply.
        let r = app
            .client
            .post(app.url("/v1/chat/completions"))
            .header("authorization", format!("Bearer {key}"))
            .header("origin", "https://elsewhere.example")
            .header("sec-fetch-site", "cross-site")
            .body(conversation("stub-model", false).to_string())
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "application/json");
        let r = app
            .client
            .get(app.url("/v1/models/stub-model"))
            .header("authorization", format!("Bearer {key}"))
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        Ok(())
    }
);

/// Every back-office route of the gateway; kept in step with `gateway::admin::router()`.
const ADMIN_GET: [&str; 4] = [
    "/admin/gateway",
    "/admin/gateway/nutzung",
    "/admin/gateway/audit.csv",
    "/admin/gateway/1",
];
const ADMIN_POST: [&str; 3] = [
    "/admin/gateway",
    "/admin/gateway/1",
    "/admin/gateway/1/widerrufen",
];

db_test!(
    gateway_back_office_requires_a_session_and_the_csrf_token,
    with_stub(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        issue_key(&app, &cookie, "Bestand", &[]).await?;
        for path in ADMIN_GET {
            for c in [
                "",
                "kipilot_admin=0000000000000000000000000000000000000000000000000000000000000000",
            ] {
                let r = app.get_with_cookie(path, c).await?;
                assert_eq!(r.status().as_u16(), 303, "GET {path}");
                assert_eq!(r.headers()["location"], "/admin/login");
            }
        }
        for path in ADMIN_POST {
            let r = app
                .post_form(
                    path,
                    &[
                        ("name", "Hacker"),
                        ("labels", "PERSON"),
                        ("rate", "5"),
                        ("confirm", "on"),
                    ],
                )
                .await?;
            assert_eq!(r.status().as_u16(), 303, "POST {path}");
            assert_eq!(r.headers()["location"], "/admin/login");
            // Logged in, but without the CSRF token.
            let r = app
                .post_form_with(
                    path,
                    &[
                        ("name", "Hacker"),
                        ("labels", "PERSON"),
                        ("rate", "5"),
                        ("confirm", "on"),
                    ],
                    Some(&cookie),
                )
                .await?;
            assert_eq!(r.status().as_u16(), 403, "POST {path} without csrf");
        }
        let keys = storage::gateway::keys(&app.db).await?;
        assert_eq!(keys.len(), 1);
        assert!(keys[0].revoked_ms.is_none());
        assert_eq!(keys[0].labels.split(',').count(), 16);
        Ok(())
    }
);

db_test!(
    back_office_shows_usage_and_exports_a_guarded_csv,
    with_stub(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        // Form errors keep what was typed.
        let csrf = app.csrf(&cookie).await?;
        let r = app
            .post_form_with(
                "/admin/gateway",
                &[("csrf", &csrf), ("name", "Ohne Auswahl"), ("rate", "0")],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(html.contains("mindestens eine Art von Daten"));
        assert!(html.contains("value=\"Ohne Auswahl\""));
        let key = issue_key(&app, &cookie, "=HYPERLINK(\"http://x\")", &[]).await?;
        chat(&app, Some(&key), &conversation("stub-model", false)).await?;
        eventually(Duration::from_secs(5), || async {
            let rows = storage::gateway::audit_recent(&app.db, 10).await?;
            Ok(rows.iter().any(|r| r.outcome == "ok").then_some(()))
        })
        .await?;
        let html = app
            .get_with_cookie("/admin/gateway", &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("KI-Gateway"));
        assert!(
            html.contains("&#61;HYPERLINK")
                || html.contains("=HYPERLINK(&#34;")
                || html.contains("=HYPERLINK(&quot;"),
            "name escaped"
        );
        assert!(!html.contains(&key), "the key is shown only once");
        let r = app
            .get_with_cookie("/admin/gateway/nutzung", &cookie)
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await?;
        assert!(html.contains("stub-model"));
        assert!(html.contains("IBAN: 1"), "{html}");
        assert_no_personal_data("usage page", &html);
        let r = app
            .get_with_cookie("/admin/gateway/audit.csv", &cookie)
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()?
                .starts_with("text/csv")
        );
        let csv = r.text().await?;
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("\"'=HYPERLINK"), "formula guarded: {csv}");
        assert!(csv.contains("\"beantwortet\""));
        assert!(csv.contains("\"33\""));
        assert_no_personal_data("audit CSV", &csv);
        let month = domain::UnixMs::now().format_iso_date()[..7].to_owned();
        let r = app
            .get_with_cookie(&format!("/admin/gateway/audit.csv?monat={month}"), &cookie)
            .await?;
        assert!(r.text().await?.contains("stub-model"));
        let r = app
            .get_with_cookie("/admin/gateway/audit.csv?monat=2026-13", &cookie)
            .await?;
        assert_eq!(r.status().as_u16(), 400);
        Ok(())
    }
);

/// The interpreter of the test venv (scripts/install-test-deps.sh).
fn python() -> String {
    let path = std::env::var("KIPILOT_TEST_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "/var/tmp/kipilot-pyenv/bin/python".to_owned());
    assert!(
        std::path::Path::new(&path).exists(),
        "Python for the openai SDK test not found at {path}: run scripts/install-test-deps.sh (or set KIPILOT_TEST_PYTHON)"
    );
    path
}

db_test!(
    openai_python_sdk_works_unchanged_against_the_gateway,
    with_stub(),
    |app: TestApp| async move {
        let stub = app.stub.clone().expect("stub");
        let cookie = app.login_admin("team@odoublet.test").await?;
        let key = issue_key(&app, &cookie, "Python-Skript", &[]).await?;
        let python = python();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/gateway_client.py");
        let base = app.url("/v1");
        let output = tokio::task::spawn_blocking(move || {
            std::process::Command::new(python)
                .arg(script)
                .arg(base)
                .arg(key)
                .arg("stub-model")
                .current_dir("/")
                .output()
        })
        .await??;
        assert!(
            output.status.success(),
            "gateway_client.py failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let v: Value = serde_json::from_slice(&output.stdout)?;
        let expected =
            "Echo: Bitte schreib an Frau Elisabeth Haas, E-Mail elisabeth.haas@example.at.";
        assert_eq!(v["plain"], expected);
        assert_eq!(v["streamed"], expected);
        assert_eq!(v["plain_usage"], 33);
        assert!(v["chunks"].as_i64().unwrap() > 20);
        assert!(
            v["models"]
                .as_array()
                .unwrap()
                .contains(&json!("stub-model"))
        );
        assert_eq!(v["error"]["status"], 401);
        for body in stub.chat_bodies() {
            assert!(
                !body.contains("Haas") && !body.contains("example.at"),
                "{body}"
            );
        }
        let rows = eventually(Duration::from_secs(5), || async {
            let rows = storage::gateway::audit_recent(&app.db, 10).await?;
            Ok((rows.iter().filter(|r| r.outcome == "ok").count() == 2).then_some(rows))
        })
        .await?;
        assert!(rows.iter().any(|r| r.stream == 1));
        Ok(())
    }
);
