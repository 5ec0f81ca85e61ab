//! Streamed answers: read the upstream's server-sent events, restore the real values chunk by
//! chunk, pass the events on.
//!
//! A placeholder may be split across events (`[PERS` + `ON_1]`) or even arrive one
//! character at a time. Each choice (and each tool call) has its own
//! [`StreamingDeanonymizer`], which holds back only a possible placeholder prefix — never the
//! whole answer — and releases it with the choice's `finish_reason`. A task reads the
//! upstream and writes into a small channel that is the response body, so a slow client
//! slows the upstream read (backpressure) and a client that goes away ends the task; either
//! way the task completes the audit row.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use anonymizer::{Mapping, StreamingDeanonymizer};
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use http_body_util::BodyExt;
use serde_json::{Map, Value};
use storage::gateway::Usage;
use tokio::sync::mpsc;

use super::AI_MARKER;
use super::proxy::{AuditHandle, failure_parts, outcome_of, usage_of};
use super::upstream::UpstreamFailure;

/// Starts relaying `body` and returns the event-stream response at once.
pub(super) fn respond(
    body: hyper::body::Incoming,
    mapping: Mapping,
    marker: bool,
    client_wants_usage: bool,
    wait: Duration,
    audit: AuditHandle,
) -> Response {
    let (tx, rx) = mpsc::channel::<Bytes>(16);
    tokio::spawn(async move {
        let (outcome, usage) = relay(body, &mapping, marker, client_wants_usage, wait, &tx).await;
        audit.finish(outcome, StatusCode::OK, usage).await;
    });
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::HeaderName::from_static("x-accel-buffering"),
                HeaderValue::from_static("no"),
            ),
        ],
        Body::new(ChannelBody(rx)),
    )
        .into_response()
}

/// The response body: whatever the relay task sends.
struct ChannelBody(mpsc::Receiver<Bytes>);

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|b| Ok(Frame::data(b))))
    }
}

/// Reads, restores and forwards until the stream ends; returns the audit outcome.
async fn relay(
    body: hyper::body::Incoming,
    mapping: &Mapping,
    marker: bool,
    client_wants_usage: bool,
    wait: Duration,
    tx: &mpsc::Sender<Bytes>,
) -> (&'static str, Usage) {
    let mut body = body;
    let mut parser = SseParser::default();
    let mut restorer = Restorer::new(mapping, marker);
    let mut usage = Usage::default();
    macro_rules! send {
        ($bytes:expr) => {
            if tx.send($bytes).await.is_err() {
                return ("client_closed", usage);
            }
        };
    }
    loop {
        let frame = match tokio::time::timeout(wait, body.frame()).await {
            Err(_) => {
                send!(error_event(UpstreamFailure::Timeout));
                return (outcome_of(UpstreamFailure::Timeout), usage);
            }
            Ok(Some(Err(_))) => {
                send!(error_event(UpstreamFailure::Unreachable));
                return (outcome_of(UpstreamFailure::Unreachable), usage);
            }
            Ok(None) => {
                let mut events = Vec::new();
                if let Some(data) = parser.finish() {
                    events.push(data);
                }
                for data in events {
                    if let Some(out) = handle(&data, &mut restorer, &mut usage, client_wants_usage)
                    {
                        send!(out.bytes);
                        if out.done {
                            return ("ok", usage);
                        }
                    }
                }
                if let Some(chunk) = restorer.flush_all() {
                    send!(chunk);
                }
                if restorer.any_finished() {
                    return ("ok", usage);
                }
                send!(error_event(UpstreamFailure::Unreachable));
                return ("upstream_error", usage);
            }
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        for event in parser.push(&data) {
            if let Some(out) = handle(&event, &mut restorer, &mut usage, client_wants_usage) {
                send!(out.bytes);
                if out.done {
                    return (if out.error { "upstream_error" } else { "ok" }, usage);
                }
            }
        }
    }
}

/// What to send for one upstream event.
struct Out {
    bytes: Bytes,
    /// The stream is over (`[DONE]` or an error event).
    done: bool,
    /// The upstream reported an error.
    error: bool,
}

/// Turns one upstream event into what the client gets (`None`: nothing to send).
fn handle(
    data: &str,
    restorer: &mut Restorer<'_>,
    usage: &mut Usage,
    client_wants_usage: bool,
) -> Option<Out> {
    if data.trim() == "[DONE]" {
        let mut bytes = restorer.flush_all().map(|b| b.to_vec()).unwrap_or_default();
        bytes.extend_from_slice(b"data: [DONE]\n\n");
        return Some(Out {
            bytes: Bytes::from(bytes),
            done: true,
            error: false,
        });
    }
    let Ok(Value::Object(mut chunk)) = serde_json::from_str::<Value>(data) else {
        // Not JSON: nothing to restore; pass it on unchanged.
        return Some(Out {
            bytes: event(data),
            done: false,
            error: false,
        });
    };
    if chunk.contains_key("error") {
        return Some(Out {
            bytes: event(data),
            done: true,
            error: true,
        });
    }
    if let Some(u) = chunk.get("usage").filter(|u| u.is_object()) {
        *usage = usage_of(Some(u));
    }
    let has_choices = chunk
        .get("choices")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty());
    if !client_wants_usage {
        if !has_choices && chunk.get("usage").is_some_and(Value::is_object) {
            return None;
        }
        chunk.remove("usage");
    }
    restorer.apply(&mut chunk);
    Some(Out {
        bytes: event(&Value::Object(chunk).to_string()),
        done: false,
        error: false,
    })
}

/// One `data:` event.
fn event(data: &str) -> Bytes {
    let mut out = String::with_capacity(data.len() + 8);
    out.push_str("data: ");
    out.push_str(data);
    out.push_str("\n\n");
    Bytes::from(out)
}

/// An OpenAI-style error event (the SDKs raise it as an API error).
fn error_event(failure: UpstreamFailure) -> Bytes {
    let (_, message, code) = failure_parts(failure);
    let body = serde_json::json!({
        "error": { "message": message, "type": "upstream_error", "param": null, "code": code }
    });
    event(&body.to_string())
}

/// Splits a byte stream into server-sent events (the `data:` lines of each event joined by
/// newlines). Lines are decoded only when complete, so a UTF-8 character split across
/// network chunks is safe.
#[derive(Default)]
struct SseParser {
    buf: Vec<u8>,
    scanned: usize,
    data: String,
    has_data: bool,
}

impl SseParser {
    fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.buf.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut start = 0;
        let mut i = self.scanned;
        while i < self.buf.len() {
            if self.buf[i] == b'\n' {
                let mut end = i;
                if end > start && self.buf[end - 1] == b'\r' {
                    end -= 1;
                }
                let line = String::from_utf8_lossy(&self.buf[start..end]).into_owned();
                self.line(&line, &mut events);
                start = i + 1;
            }
            i += 1;
        }
        self.buf.drain(..start);
        self.scanned = self.buf.len();
        events
    }

    fn line(&mut self, line: &str, events: &mut Vec<String>) {
        if line.is_empty() {
            if self.has_data {
                events.push(std::mem::take(&mut self.data));
                self.has_data = false;
            }
            return;
        }
        if let Some(rest) = line.strip_prefix("data:") {
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            if self.has_data {
                self.data.push('\n');
            }
            self.data.push_str(rest);
            self.has_data = true;
        }
        // `event:`, `id:`, `retry:` and comments carry nothing to restore.
    }

    /// The last event if the stream ended without a blank line.
    fn finish(&mut self) -> Option<String> {
        if !self.buf.is_empty() {
            let line = String::from_utf8_lossy(&self.buf).into_owned();
            self.buf.clear();
            let mut ignored = Vec::new();
            self.line(&line, &mut ignored);
        }
        self.has_data.then(|| {
            self.has_data = false;
            std::mem::take(&mut self.data)
        })
    }
}

/// Per-choice and per-tool-call restorers of one stream.
struct Restorer<'m> {
    mapping: &'m Mapping,
    marker: bool,
    content: BTreeMap<u64, StreamingDeanonymizer<'m>>,
    tools: BTreeMap<(u64, u64), StreamingDeanonymizer<'m>>,
    seen: BTreeSet<u64>,
    finished: BTreeSet<u64>,
    template: Map<String, Value>,
}

impl<'m> Restorer<'m> {
    fn new(mapping: &'m Mapping, marker: bool) -> Self {
        Restorer {
            mapping,
            marker,
            content: BTreeMap::new(),
            tools: BTreeMap::new(),
            seen: BTreeSet::new(),
            finished: BTreeSet::new(),
            template: Map::new(),
        }
    }

    fn any_finished(&self) -> bool {
        !self.finished.is_empty()
    }

    /// Restores the texts of one chunk in place.
    fn apply(&mut self, chunk: &mut Map<String, Value>) {
        for k in ["id", "object", "created", "model", "system_fingerprint"] {
            if let Some(v) = chunk.get(k) {
                self.template.insert(k.to_owned(), v.clone());
            }
        }
        let Some(Value::Array(choices)) = chunk.get_mut("choices") else {
            return;
        };
        for choice in choices.iter_mut() {
            let Some(choice) = choice.as_object_mut() else {
                continue;
            };
            let idx = choice.get("index").and_then(Value::as_u64).unwrap_or(0);
            self.seen.insert(idx);
            let finish = choice
                .get("finish_reason")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let delta = choice
                .entry("delta")
                .or_insert_with(|| Value::Object(Map::new()));
            let Some(delta) = delta.as_object_mut() else {
                continue;
            };
            let mapping = self.mapping;
            if let Some(Value::String(text)) = delta.get_mut("content") {
                let restorer = self
                    .content
                    .entry(idx)
                    .or_insert_with(|| StreamingDeanonymizer::new(mapping));
                *text = restorer.push(text);
            }
            if let Some(Value::Array(calls)) = delta.get_mut("tool_calls") {
                for call in calls.iter_mut() {
                    let t = call.get("index").and_then(Value::as_u64).unwrap_or(0);
                    if let Some(Value::String(args)) = call.pointer_mut("/function/arguments") {
                        let restorer = self
                            .tools
                            .entry((idx, t))
                            .or_insert_with(|| StreamingDeanonymizer::new(mapping));
                        *args = restorer.push(args);
                    }
                }
            }
            if let Some(reason) = finish {
                self.finished.insert(idx);
                let mut tail = self
                    .content
                    .remove(&idx)
                    .map(StreamingDeanonymizer::finish)
                    .unwrap_or_default();
                if self.marker && reason != "tool_calls" {
                    tail.push_str(AI_MARKER);
                }
                if !tail.is_empty() {
                    match delta.get_mut("content") {
                        Some(Value::String(text)) => text.push_str(&tail),
                        _ => {
                            delta.insert("content".to_owned(), Value::String(tail));
                        }
                    }
                }
                let open: Vec<(u64, u64)> = self
                    .tools
                    .keys()
                    .filter(|(c, _)| *c == idx)
                    .copied()
                    .collect();
                for key in open {
                    let Some(restorer) = self.tools.remove(&key) else {
                        continue;
                    };
                    let rest = restorer.finish();
                    if rest.is_empty() {
                        continue;
                    }
                    let entry =
                        serde_json::json!({"index": key.1, "function": {"arguments": rest}});
                    match delta.get_mut("tool_calls") {
                        Some(Value::Array(calls)) => calls.push(entry),
                        _ => {
                            delta.insert("tool_calls".to_owned(), Value::Array(vec![entry]));
                        }
                    }
                }
            }
        }
    }

    /// Releases text still held for choices that never sent a `finish_reason`.
    fn flush_all(&mut self) -> Option<Bytes> {
        let mut choices = Vec::new();
        let open: Vec<u64> = self
            .seen
            .iter()
            .filter(|i| !self.finished.contains(i))
            .copied()
            .collect();
        for idx in open {
            self.finished.insert(idx);
            let mut text = self
                .content
                .remove(&idx)
                .map(StreamingDeanonymizer::finish)
                .unwrap_or_default();
            if self.marker {
                text.push_str(AI_MARKER);
            }
            let mut delta = Map::new();
            if !text.is_empty() {
                delta.insert("content".to_owned(), Value::String(text));
            }
            let calls: Vec<Value> = self
                .tools
                .keys()
                .filter(|(c, _)| *c == idx)
                .copied()
                .collect::<Vec<_>>()
                .into_iter()
                .filter_map(|key| {
                    let rest = self.tools.remove(&key)?.finish();
                    (!rest.is_empty()).then(
                        || serde_json::json!({"index": key.1, "function": {"arguments": rest}}),
                    )
                })
                .collect();
            if !calls.is_empty() {
                delta.insert("tool_calls".to_owned(), Value::Array(calls));
            }
            if !delta.is_empty() {
                choices
                    .push(serde_json::json!({"index": idx, "delta": delta, "finish_reason": null}));
            }
        }
        if choices.is_empty() {
            return None;
        }
        let mut chunk = self.template.clone();
        chunk.insert("choices".to_owned(), Value::Array(choices));
        Some(event(&Value::Object(chunk).to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(content: &str) -> String {
        serde_json::json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]})
        .to_string()
    }

    #[test]
    fn parser_handles_any_split_and_crlf() {
        let text = "data: {\"a\":1}\r\n\r\n: comment\n\ndata: ä\ndata: ö\n\ndata: [DONE]\n\n";
        let bytes = text.as_bytes();
        let mut parser = SseParser::default();
        let mut events = Vec::new();
        for b in bytes {
            events.extend(parser.push(std::slice::from_ref(b)));
        }
        assert_eq!(events, vec!["{\"a\":1}", "ä\nö", "[DONE]"]);
        let mut parser = SseParser::default();
        assert!(parser.push(b"data: x").is_empty());
        assert_eq!(parser.finish().as_deref(), Some("x"));
    }

    #[test]
    fn restores_placeholders_split_across_one_character_chunks() {
        let mut mapping = Mapping::new();
        let engine = anonymizer::Anonymizer::new();
        let masked = engine.pseudonymize_with("Frau Elisabeth Haas", &mut mapping);
        assert!(masked.text.contains("[PERSON_1]"));
        let answer = "Liebe [PERSON_1], danke.";
        let mut restorer = Restorer::new(&mapping, true);
        let mut usage = Usage::default();
        let mut out = String::new();
        for c in answer.chars() {
            let sent = handle(&chunk(&c.to_string()), &mut restorer, &mut usage, false).unwrap();
            out.push_str(std::str::from_utf8(&sent.bytes).unwrap());
        }
        let finish = serde_json::json!({"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}).to_string();
        out.push_str(
            std::str::from_utf8(
                &handle(&finish, &mut restorer, &mut usage, false)
                    .unwrap()
                    .bytes,
            )
            .unwrap(),
        );
        let usage_chunk = serde_json::json!({"id": "c1", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}}).to_string();
        assert!(handle(&usage_chunk, &mut restorer, &mut usage, false).is_none());
        assert_eq!(usage.total, Some(7));
        let done = handle("[DONE]", &mut restorer, &mut usage, false).unwrap();
        assert!(done.done);
        out.push_str(std::str::from_utf8(&done.bytes).unwrap());
        let mut text = String::new();
        for line in out.lines() {
            if let Some(data) = line.strip_prefix("data: ")
                && let Ok(v) = serde_json::from_str::<Value>(data)
                && let Some(c) = v
                    .pointer("/choices/0/delta/content")
                    .and_then(Value::as_str)
            {
                text.push_str(c);
            }
        }
        assert_eq!(text, format!("Liebe Elisabeth Haas, danke.{AI_MARKER}"));
        assert!(!out.contains("PERSON"));
    }
}
