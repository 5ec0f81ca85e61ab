//! Cookie-less page analytics: daily counts per page and referrer host.
//!
//! The method is Plausible's: a visitor is recognised within one day by a hash of their
//! address, browser string and our host, keyed with a random salt that exists only in memory
//! and is replaced every day (so yesterday's hashes cannot be recomputed, and nothing links a
//! visitor across days). Only the resulting *numbers* are written to the database; the hash
//! set lives in memory for the current day. Counts are buffered and flushed every few
//! seconds, so a page request never waits for a disk write (a crash loses at most those
//! seconds of counts, which is acceptable for statistics — unlike form submissions).

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use domain::UnixMs;
use sha2::{Digest, Sha256};
use storage::Db;
use storage::channels::PageViewKey;

use crate::state::AppState;
use crate::web::client::ClientIp;

/// How often buffered counts are written.
const FLUSH_EVERY: Duration = Duration::from_secs(10);
/// Upper bound of distinct visitors remembered per day (beyond it, uniques are undercounted
/// rather than memory growing without bound).
const MAX_SEEN: usize = 500_000;

/// In-memory state of the day.
#[derive(Default)]
pub struct Analytics {
    inner: Mutex<Day>,
}

#[derive(Default)]
struct Day {
    day: String,
    salt: [u8; 32],
    seen: HashSet<(u64, String)>,
    pending: HashMap<PageViewKey, (i64, i64)>,
}

/// Whether a user agent is a crawler, link preview or script rather than a person.
pub fn is_bot(user_agent: &str) -> bool {
    const MARKERS: [&str; 16] = [
        "bot",
        "crawl",
        "spider",
        "slurp",
        "preview",
        "facebookexternalhit",
        "embedly",
        "curl",
        "wget",
        "python",
        "go-http",
        "headless",
        "monitor",
        "lighthouse",
        "scan",
        "fetch",
    ];
    let ua = user_agent.to_ascii_lowercase();
    ua.is_empty() || MARKERS.iter().any(|m| ua.contains(m))
}

/// `(direkt)`, `(intern)` or the referring host.
pub fn referrer_host(referer: Option<&str>, own_hosts: &[&str]) -> String {
    let Some(referer) = referer.filter(|r| !r.is_empty()) else {
        return "(direkt)".to_owned();
    };
    let rest = referer.split_once("://").map_or(referer, |(_, r)| r);
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = host_port
        .rsplit('@')
        .next()
        .unwrap_or(host_port)
        .to_ascii_lowercase();
    if own_hosts.iter().any(|h| h.eq_ignore_ascii_case(&host_port)) {
        return "(intern)".to_owned();
    }
    let host = host_port.split(':').next().unwrap_or("");
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return "(unbekannt)".to_owned();
    }
    host.chars().take(100).collect()
}

impl Analytics {
    /// Counts one page view.
    pub fn record(&self, day: &str, path: &str, referrer: String, visitor_material: &[&[u8]]) {
        let Ok(mut state) = self.inner.lock() else {
            return;
        };
        if state.day != day {
            // A new day: a new salt; yesterday's salt and hashes are gone for good.
            state.day = day.to_owned();
            let _ = getrandom::fill(&mut state.salt);
            state.seen.clear();
        }
        let mut hasher = Sha256::new();
        hasher.update(state.salt);
        for part in visitor_material {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        let digest = hasher.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let visitor = u64::from_le_bytes(first);
        let is_new = state.seen.len() < MAX_SEEN && state.seen.insert((visitor, path.to_owned()));
        let key = PageViewKey {
            day: day.to_owned(),
            path: path.to_owned(),
            referrer_host: referrer,
        };
        let entry = state.pending.entry(key).or_insert((0, 0));
        entry.0 += 1;
        entry.1 += i64::from(is_new);
    }

    /// Writes the buffered counts. On failure they are put back for the next try.
    pub async fn flush(&self, db: &Db) -> Result<(), storage::StoreError> {
        let batch: Vec<(PageViewKey, i64, i64)> = match self.inner.lock() {
            Ok(mut state) => state.pending.drain().map(|(k, (v, u))| (k, v, u)).collect(),
            Err(_) => return Ok(()),
        };
        if let Err(e) = storage::channels::add_page_views(db, &batch).await {
            if let Ok(mut state) = self.inner.lock() {
                for (k, v, u) in batch {
                    let entry = state.pending.entry(k).or_insert((0, 0));
                    entry.0 += v;
                    entry.1 += u;
                }
            }
            return Err(e);
        }
        Ok(())
    }
}

/// Flushes the counters every few seconds.
pub async fn flush_loop(state: AppState) {
    let mut interval = tokio::time::interval(FLUSH_EVERY);
    loop {
        interval.tick().await;
        if let Err(e) = state.analytics.flush(&state.db).await {
            tracing::warn!(error = %e, "page view flush failed; will retry");
        }
    }
}

/// Paths that are not public pages (or must not be counted).
fn counted(path: &str) -> bool {
    ![
        "/admin",
        "/static/",
        "/metrics",
        "/healthz",
        "/api/",
        "/v1/",
        "/l/",
        "/embed/",
        "/updates.atom",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// Middleware: counts successful HTML page views by people.
pub async fn count_page_view(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::GET || !counted(request.uri().path()) {
        return next.run(request).await;
    }
    // Copied out before the handler runs: the request moves into `next`, and a borrow of it
    // must not live across the await (the body is not `Sync`).
    let (path, ua, host, referer) = {
        let text = |name| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let path: String = request.uri().path().chars().take(200).collect();
        (
            path,
            text(header::USER_AGENT),
            text(header::HOST),
            text(header::REFERER),
        )
    };
    let response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html || !response.status().is_success() || is_bot(&ua) {
        return response;
    }
    let referrer = referrer_host(Some(&referer), &[&host, state.config.base_host()]);
    let day = UnixMs::now().format_iso_date();
    let ip_text = ip.to_string();
    state.analytics.record(
        &day,
        &path,
        referrer,
        &[ip_text.as_bytes(), ua.as_bytes(), host.as_bytes()],
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referrers_are_reduced_to_hosts() {
        let own = ["kipilot.test", "127.0.0.1:8080"];
        assert_eq!(referrer_host(None, &own), "(direkt)");
        assert_eq!(
            referrer_host(Some("https://www.linkedin.com/feed/update/123?x=1"), &own),
            "www.linkedin.com"
        );
        assert_eq!(
            referrer_host(Some("http://kipilot.test/wissen"), &own),
            "(intern)"
        );
        assert_eq!(
            referrer_host(Some("https://user:pw@evil.example:8443/x"), &own),
            "evil.example"
        );
        assert_eq!(referrer_host(Some("<script>"), &own), "(unbekannt)");
    }

    #[test]
    fn one_visitor_counts_once_per_page_and_day_but_every_view_counts() {
        let a = Analytics::default();
        a.record(
            "2026-11-27",
            "/",
            "(direkt)".into(),
            &[b"1.2.3.4", b"Firefox"],
        );
        a.record(
            "2026-11-27",
            "/",
            "(direkt)".into(),
            &[b"1.2.3.4", b"Firefox"],
        );
        a.record(
            "2026-11-27",
            "/",
            "(direkt)".into(),
            &[b"5.6.7.8", b"Firefox"],
        );
        let state = a.inner.lock().expect("lock");
        let (views, uniques) = state.pending.values().next().copied().expect("counted");
        assert_eq!((views, uniques), (3, 2));
    }

    #[test]
    fn bots_and_scripts_are_recognised() {
        assert!(is_bot("Mozilla/5.0 (compatible; Googlebot/2.1)"));
        assert!(is_bot("LinkedInBot/1.0 (compatible; Mozilla/5.0)"));
        assert!(is_bot("curl/8.0"));
        assert!(is_bot(""));
        assert!(!is_bot(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36"
        ));
    }
}
