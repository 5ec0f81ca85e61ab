//! Prometheus metrics: request counts and latency histograms per route, outbox backlog.
//!
//! Labels use the route *template* (`/updates/{slug}`), never the concrete path, so a
//! crawler cannot blow up the number of series, and tokens in paths never reach a metric.
//! A handful of series does not justify a metrics framework; this is a mutex-guarded map.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;
use crate::web::client::ClientIp;

/// Histogram bucket upper bounds in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// All request series.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut map) = self.latency.lock() {
            let h = map
                .entry((method.to_owned(), route.to_owned()))
                .or_default();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    h.counts[i] += 1;
                }
            }
            h.sum += seconds;
            h.count += 1;
        }
    }

    fn render(&self, out: &mut String) {
        out.push_str(
            "# HELP http_requests_total HTTP requests by method, route template and status.\n",
        );
        out.push_str("# TYPE http_requests_total counter\n");
        if let Ok(map) = self.requests.lock() {
            for ((method, route, status), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP http_request_duration_seconds Server time per request.\n");
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        if let Ok(map) = self.latency.lock() {
            for ((method, route), h) in map.iter() {
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"{bound}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_sum{{method=\"{method}\",route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_count{{method=\"{method}\",route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
    }
}

/// Records every request and writes one structured log line without personal data.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    state.metrics.observe(&method, &route, status, elapsed);
    tracing::info!(method = %method, route = %route, status, micros = (elapsed * 1e6) as u64, "request");
    response
}

/// `GET /metrics`: loopback clients, or anyone with `Authorization: Bearer
/// <KIPILOT_METRICS_TOKEN>`.
pub async fn endpoint(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
) -> Response {
    let token_ok = state.config.metrics_token.as_deref().is_some_and(|t| {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            == Some(format!("Bearer {t}").as_str())
    });
    if !(ip.is_loopback() || token_ok) {
        return (
            StatusCode::FORBIDDEN,
            "metrics are only served to loopback or with the metrics token",
        )
            .into_response();
    }
    let mut out = String::with_capacity(4096);
    state.metrics.render(&mut out);
    if let Ok(backlog) = storage::outbox::backlog(&state.db).await {
        let age = backlog
            .oldest_pending_ms
            .map(|t| ((domain::UnixMs::now().0 - t).max(0) as f64) / 1000.0)
            .unwrap_or(0.0);
        let _ = write!(
            out,
            "# HELP kipilot_outbox_pending Mails waiting for delivery.\n# TYPE kipilot_outbox_pending gauge\nkipilot_outbox_pending {}\n\
             # HELP kipilot_outbox_failed Mails given up after all retries.\n# TYPE kipilot_outbox_failed gauge\nkipilot_outbox_failed {}\n\
             # HELP kipilot_outbox_oldest_pending_seconds Age of the oldest waiting mail.\n# TYPE kipilot_outbox_oldest_pending_seconds gauge\nkipilot_outbox_oldest_pending_seconds {age}\n",
            backlog.pending, backlog.failed
        );
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
