//! The privacy gateway: an OpenAI-compatible proxy (`POST /v1/chat/completions`,
//! `GET /v1/models`) that pseudonymizes every message before the upstream model sees it and
//! restores the real values in the answer, streamed or not.
//!
//! - Clients authenticate with a per-employee or per-tool key (`Authorization: Bearer
//!   kpg_…`) issued in the back office ([`admin`]); only its SHA-256 is stored. The key
//!   carries the policy: which entity types to replace, whether texts with special categories
//!   of data (GDPR Art. 9) are refused, whether answers get an AI-generated marker line.
//! - One mapping per request, in memory only: the same person in two messages gets the same
//!   placeholder, and nothing of it outlives the request.
//! - Every authenticated request leaves an audit row (counts, never content), written before
//!   the request is forwarded ([`storage::gateway`]).
//! - Errors are OpenAI-style objects `{"error": {"message", "type", "code"}}` with German
//!   messages, so SDKs raise their usual exceptions and people read what to do next.
//!
//! The routes carry their own middleware stack (see [`router`]): no 30-second request
//! timeout (model answers may take minutes; the gateway has its own upstream timeouts), a
//! 1 MiB body limit, bearer authentication instead of cookies and CSRF tokens.

pub mod admin;
mod proxy;
mod stream;
pub mod upstream;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anonymizer::{Anonymizer, Label};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;

use crate::config::Config;
use crate::state::AppState;
use crate::web::ratelimit::RateLimiter;
use upstream::Upstream;

/// Largest request body the gateway accepts. Larger than the site's 256 KiB form limit:
/// a prompt may carry a long document.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Largest non-streamed answer read from the upstream.
const MAX_UPSTREAM_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Prefix of every gateway key, so a leaked key is recognisable (secret scanners, people).
pub const KEY_PREFIX: &str = "kpg_";

/// The line appended to answers when a key's policy asks for the AI-generated marker
/// (help for the transparency duty of AI Act Art. 50 when texts go out).
pub const AI_MARKER: &str =
    "\n\n— Hinweis: Dieser Text wurde mit Hilfe künstlicher Intelligenz erstellt.";

/// Default requests per minute for a new key.
pub const DEFAULT_RATE_PER_MINUTE: i64 = 60;

/// When the upstream's model list was fetched, and the ids (`None`: the upstream does not
/// list its models).
type ModelCache = (Instant, Option<Arc<Vec<String>>>);

/// Gateway state shared by all requests: the upstream client, limiters and caches.
pub struct Gateway {
    upstream: Option<Upstream>,
    key_windows: Mutex<HashMap<i64, (Instant, i64)>>,
    auth_failures: RateLimiter,
    engines: Mutex<HashMap<u16, Arc<Anonymizer>>>,
    models: Mutex<Option<ModelCache>>,
}

impl Gateway {
    /// Builds the gateway from the configuration; without `KIPILOT_GATEWAY_UPSTREAM` it
    /// answers every request with "not configured".
    pub fn new(config: &Config) -> anyhow::Result<Gateway> {
        let upstream = match &config.gateway_upstream {
            Some(url) => Some(Upstream::new(
                url,
                config.gateway_upstream_key.as_ref(),
                config.gateway_timeout,
            )?),
            None => None,
        };
        Ok(Gateway {
            upstream,
            key_windows: Mutex::new(HashMap::new()),
            auth_failures: RateLimiter::new(30, Duration::from_secs(600)),
            engines: Mutex::new(HashMap::new()),
            models: Mutex::new(None),
        })
    }

    /// Counts one request of key `id` against `per_minute`; `Err(seconds)` until the
    /// window resets when the key is over its limit.
    fn check_rate(&self, id: i64, per_minute: i64) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(mut windows) = self.key_windows.lock() else {
            return Ok(());
        };
        let entry = windows.entry(id).or_insert((now, 0));
        let elapsed = now.duration_since(entry.0);
        if elapsed >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 <= per_minute.max(1) {
            Ok(())
        } else {
            Err(60u64
                .saturating_sub(now.duration_since(entry.0).as_secs())
                .max(1))
        }
    }

    /// The anonymizer for a set of labels (built once per distinct policy: building loads
    /// the word lists, a few milliseconds).
    fn engine(&self, labels: &[Label]) -> Arc<Anonymizer> {
        let mask = labels_mask(labels);
        if let Ok(mut engines) = self.engines.lock() {
            if let Some(e) = engines.get(&mask) {
                return e.clone();
            }
            // Few distinct policies exist in practice; the bound keeps memory predictable.
            if engines.len() >= 16 {
                engines.clear();
            }
            let e = Arc::new(Anonymizer::with_labels(labels));
            engines.insert(mask, e.clone());
            return e;
        }
        Arc::new(Anonymizer::with_labels(labels))
    }
}

/// A bit per label in [`Label::ALL`] order.
fn labels_mask(labels: &[Label]) -> u16 {
    Label::ALL
        .iter()
        .enumerate()
        .filter(|(_, l)| labels.contains(l))
        .fold(0u16, |m, (i, _)| m | (1 << i))
}

/// Parses the stored comma-separated label list (unknown names are skipped).
pub fn parse_labels(text: &str) -> Vec<Label> {
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// The stored form of a label list.
pub fn labels_text(labels: &[Label]) -> String {
    labels
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Routes of the gateway with their own middleware (merged after the site-wide layers, so
/// the site's 30-second timeout and 256 KiB limit do not apply here).
pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/v1/chat/completions",
            post(proxy::chat_completions).fallback(proxy::method_not_allowed),
        )
        .route("/v1/models", get(proxy::models))
        .route("/v1/models/{*id}", get(proxy::model))
        .route("/v1/{*rest}", axum::routing::any(proxy::unknown_route))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::web::metrics::track,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(|_| {
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Im Gateway ist ein unerwarteter Fehler aufgetreten. Bitte versuchen Sie es noch einmal.",
                "server_error",
                "internal_error",
            )
        }))
        .layer(middleware::from_fn_with_state(
            state,
            crate::web::headers::security_headers,
        ))
}

/// An OpenAI-style error object with `status`.
pub fn error(status: StatusCode, message: &str, kind: &str, code: &str) -> Response {
    let body = serde_json::json!({
        "error": { "message": message, "type": kind, "param": null, "code": code }
    });
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_lists_round_trip() {
        let labels = vec![Label::Person, Label::Iban, Label::Email];
        assert_eq!(parse_labels(&labels_text(&labels)), labels);
        assert_eq!(
            parse_labels("PERSON,,NOPE,IBAN"),
            vec![Label::Person, Label::Iban]
        );
        assert_eq!(labels_mask(&Label::ALL), u16::MAX);
        assert_eq!(labels_mask(&[]), 0);
    }

    #[test]
    fn rate_limit_per_key() {
        let config = Config::from_lookup(|_| None).unwrap();
        let g = Gateway::new(&config).unwrap();
        assert!(g.check_rate(1, 2).is_ok());
        assert!(g.check_rate(1, 2).is_ok());
        let wait = g.check_rate(1, 2).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(g.check_rate(2, 2).is_ok());
    }
}
