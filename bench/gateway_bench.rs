//! Privacy-gateway benchmark (not a test): added latency for a 4 KB prompt, and concurrent
//! streaming throughput with memory, against a stub model server on loopback.
//!
//! Run: `bench/gateway.sh` (release build). Everything runs in this one process: a stub
//! upstream (answers at once; streams one character per event), kipilot with a fresh SQLite
//! database (or `KIPILOT_BENCH_DATABASE_URL`), and the client.
//!
//! 1. Latency: the same 4 KB request, sequentially, straight to the stub and through the
//!    gateway; added latency = gateway minus direct, per percentile.
//! 2. Streams: rounds of N concurrent streaming requests (default 200), each answer 400
//!    events; throughput, time to first event, and the process RSS before, during and after
//!    each round (memory must stay flat from round to round; `BENCH_ROUNDS`, default 10).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::mpsc;

const STREAM_EVENTS: usize = 400;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A 4 KB German business text with personal data in it.
fn prompt_4kb() -> String {
    let para = "Sehr geehrte Frau Elisabeth Haas, wie telefonisch besprochen (Tel. +43 664 1234567) \
        senden wir Ihnen die Unterlagen zum Projekt Lagerhalle Wels. Bitte überweisen Sie die \
        Anzahlung auf IBAN AT61 1904 3002 3457 3201 bis Monatsende. Rückfragen gerne an \
        thomas.gruber@bau-huber.at oder persönlich in der Industriestraße 12, 4600 Wels. ";
    let mut out = String::new();
    while out.len() < 4096 {
        out.push_str(para);
    }
    out.truncate(out.char_indices().take_while(|(i, _)| *i < 4096).count());
    out
}

struct StubBody(mpsc::Receiver<Bytes>);

impl http_body::Body for StubBody {
    type Data = Bytes;
    type Error = Infallible;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        self.0
            .poll_recv(cx)
            .map(|o| o.map(|b| Ok(http_body::Frame::data(b))))
    }
}

async fn stub_chat(body: String) -> Response {
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    if request["stream"] != json!(true) {
        return axum::Json(json!({
            "id": "b", "object": "chat.completion", "created": 1, "model": "bench",
            "choices": [{"index": 0, "message": {"role": "assistant",
                "content": "Gerne, Frau [PERSON_1]. Die IBAN [IBAN_1] ist vermerkt."}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1000, "completion_tokens": 20, "total_tokens": 1020}
        }))
        .into_response();
    }
    let (tx, rx) = mpsc::channel::<Bytes>(32);
    tokio::spawn(async move {
        let text = "Gerne, Frau [PERSON_1]. Ihre IBAN [IBAN_1] ist vermerkt. ";
        let chars: Vec<char> = text.chars().collect();
        for i in 0..STREAM_EVENTS {
            let c = chars[i % chars.len()];
            let event = format!(
                "data: {}\n\n",
                json!({"id": "b", "object": "chat.completion.chunk", "created": 1, "model": "bench",
                    "choices": [{"index": 0, "delta": {"content": c.to_string()}, "finish_reason": null}]})
            );
            if tx.send(Bytes::from(event)).await.is_err() {
                return;
            }
        }
        let end = format!(
            "data: {}\n\ndata: [DONE]\n\n",
            json!({"id": "b", "object": "chat.completion.chunk", "created": 1, "model": "bench",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        );
        let _ = tx.send(Bytes::from(end)).await;
    });
    (
        [("content-type", "text/event-stream")],
        Body::new(StubBody(rx)),
    )
        .into_response()
}

async fn start_stub() -> String {
    let app = Router::new()
        .route(
            "/v1/models",
            get(|| async { axum::Json(json!({"object": "list", "data": [{"id": "bench"}]})) }),
        )
        .route("/v1/chat/completions", post(stub_chat));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{addr}/v1")
}

async fn timed_post(client: &reqwest::Client, url: &str, key: &str, body: &str) -> f64 {
    let started = Instant::now();
    let r = client
        .post(url)
        .header("authorization", format!("Bearer {key}"))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "status {}", r.status());
    let _ = r.bytes().await.unwrap();
    started.elapsed().as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let requests: usize = std::env::var("BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let streams: usize = std::env::var("BENCH_STREAMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let upstream = start_stub().await;
    let dir = tempfile::tempdir()?;
    let database_url = std::env::var("KIPILOT_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}/bench.db", dir.path().display()));
    let config = kipilot::config::Config::from_lookup(|k| match k {
        "KIPILOT_LISTEN" => Some("127.0.0.1:0".to_owned()),
        "KIPILOT_DATABASE_URL" => Some(database_url.clone()),
        "KIPILOT_DEMO" => Some("0".to_owned()),
        "KIPILOT_GATEWAY_UPSTREAM" => Some(upstream.clone()),
        "KIPILOT_GATEWAY_UPSTREAM_KEY" => Some("sk-bench".to_owned()),
        _ => None,
    })?;
    let app = kipilot::startup::Application::build(config).await?;
    let gateway = format!("http://{}/v1", app.local_addr()?);
    let db = app.state().db.clone();
    tokio::spawn(async move {
        let _ = app.run().await;
    });
    let key = format!("kpg_{}", "ab".repeat(32));
    storage::gateway::create_key(
        &db,
        "bench",
        &kipilot::web::tokens::hash(&key),
        "kpg_abab",
        &storage::gateway::KeyPolicy {
            labels: kipilot::gateway::labels_text(&anonymizer::Label::ALL),
            block_special: false,
            ai_marker: false,
            rate_per_minute: 10_000_000,
        },
        "bench",
        domain::UnixMs::now(),
    )
    .await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .build()?;

    // 1. Added latency, 4 KB prompt.
    let prompt = prompt_4kb();
    let body =
        json!({"model": "bench", "messages": [{"role": "user", "content": prompt}]}).to_string();
    println!(
        "backend: {}, prompt: {} bytes, request body: {} bytes, requests: {requests}",
        db.backend_name(),
        prompt.len(),
        body.len()
    );
    let direct_url = format!("{upstream}/chat/completions");
    let gateway_url = format!("{gateway}/chat/completions");
    for _ in 0..100 {
        timed_post(&client, &direct_url, &key, &body).await;
        timed_post(&client, &gateway_url, &key, &body).await;
    }
    let mut direct = Vec::with_capacity(requests);
    let mut through = Vec::with_capacity(requests);
    for _ in 0..requests {
        direct.push(timed_post(&client, &direct_url, &key, &body).await);
        through.push(timed_post(&client, &gateway_url, &key, &body).await);
    }
    direct.sort_by(f64::total_cmp);
    through.sort_by(f64::total_cmp);
    // Pseudonymization alone (the CPU part of the added latency).
    let engine = anonymizer::Anonymizer::new();
    let mut anon = Vec::new();
    for _ in 0..requests {
        let started = Instant::now();
        let out = engine.pseudonymize(&prompt);
        std::hint::black_box(out);
        anon.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    anon.sort_by(f64::total_cmp);
    // The audit row alone: insert before forwarding, complete afterwards (two commits).
    let key_id = storage::gateway::keys(&db).await?[0].id;
    let mut audit = Vec::new();
    for _ in 0..requests.min(500) {
        let started = Instant::now();
        let id = storage::gateway::audit_start(
            &db,
            &storage::gateway::AuditStart {
                key_id,
                model: "bench",
                stream: false,
                outcome: "started",
                http_status: None,
                entities: "{\"PERSON\":3}",
                special: "",
            },
            domain::UnixMs::now(),
        )
        .await?;
        storage::gateway::audit_finish(
            &db,
            id,
            "ok",
            200,
            storage::gateway::Usage::default(),
            domain::UnixMs::now(),
        )
        .await?;
        audit.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    audit.sort_by(f64::total_cmp);
    println!("\n| path | p50 | p90 | p99 | max |\n|---|---|---|---|---|");
    for (name, v) in [
        ("direct to stub", &direct),
        ("through gateway", &through),
        ("of which: pseudonymize 4 KB", &anon),
        ("of which: audit row, 2 commits", &audit),
    ] {
        println!(
            "| {name} | {:.3} ms | {:.3} ms | {:.3} ms | {:.3} ms |",
            percentile(v, 0.5),
            percentile(v, 0.9),
            percentile(v, 0.99),
            v[v.len() - 1]
        );
    }
    println!(
        "| **added by the gateway** | {:.3} ms | {:.3} ms | {:.3} ms | |",
        percentile(&through, 0.5) - percentile(&direct, 0.5),
        percentile(&through, 0.9) - percentile(&direct, 0.9),
        percentile(&through, 0.99) - percentile(&direct, 0.99)
    );

    // 2. Concurrent streams.
    let stream_body = json!({"model": "bench", "stream": true,
        "messages": [{"role": "user", "content": "Schreib Frau Elisabeth Haas wegen IBAN AT61 1904 3002 3457 3201."}]})
    .to_string();
    println!(
        "\n{streams} concurrent streams per round, {STREAM_EVENTS} one-character events each\n"
    );
    println!(
        "| round | wall time | streams/s | events/s | first event p50 / p99 | RSS before → peak → after |\n|---|---|---|---|---|---|"
    );
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    for round in 1..=rounds {
        let before = rss_mb();
        let peak = Arc::new(AtomicU64::new((before * 1000.0) as u64));
        let sampler = {
            let peak = peak.clone();
            tokio::spawn(async move {
                loop {
                    let now = (rss_mb() * 1000.0) as u64;
                    peak.fetch_max(now, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        };
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..streams {
            let client = client.clone();
            let url = gateway_url.clone();
            let key = key.clone();
            let body = stream_body.clone();
            tasks.push(tokio::spawn(async move {
                let t0 = Instant::now();
                let mut r = client
                    .post(url)
                    .header("authorization", format!("Bearer {key}"))
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success());
                let mut first = None;
                let mut events = 0usize;
                let mut text = Vec::new();
                while let Some(chunk) = r.chunk().await.unwrap() {
                    if first.is_none() {
                        first = Some(t0.elapsed().as_secs_f64() * 1000.0);
                    }
                    events += chunk.windows(6).filter(|w| w == b"data: ").count();
                    text.extend_from_slice(&chunk);
                }
                let text = String::from_utf8_lossy(&text);
                assert!(!text.contains("PERSON_1"), "placeholder leaked");
                (first.unwrap_or(0.0), events)
            }));
        }
        let mut firsts = Vec::new();
        let mut events = 0usize;
        for t in tasks {
            let (first, n) = t.await?;
            firsts.push(first);
            events += n;
        }
        let wall = started.elapsed().as_secs_f64();
        sampler.abort();
        firsts.sort_by(f64::total_cmp);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let after = rss_mb();
        println!(
            "| {round} | {wall:.2} s | {:.0} | {:.0} | {:.1} / {:.1} ms | {before:.1} → {:.1} → {after:.1} MB |",
            streams as f64 / wall,
            events as f64 / wall,
            percentile(&firsts, 0.5),
            percentile(&firsts, 0.99),
            peak.load(Ordering::Relaxed) as f64 / 1000.0
        );
    }
    let rows = storage::gateway::audit_recent(&db, 1).await?;
    println!(
        "\naudit rows written: newest outcome {:?}",
        rows.first().map(|r| r.outcome.clone())
    );
    Ok(())
}
