//! Rejects state-changing requests that come from another site.
//!
//! Browsers send `Sec-Fetch-Site` and `Origin` with every form post. A post whose
//! `Sec-Fetch-Site` is `cross-site`, or whose `Origin` names neither this host nor the
//! configured public URL, is refused with 403 before any handler runs. Requests without
//! either header (curl, scripts, old browsers) pass here and still need the form's signed
//! token or the session's CSRF token. The JSON API under `/api/` and `/v1/` is exempt: it
//! uses no cookies, so there is no ambient authority to forge.

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::state::AppState;

/// The middleware.
pub async fn reject_cross_site(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let path = request.uri().path();
    let api = path.starts_with("/api/") || path.starts_with("/v1/");
    if safe || api || is_same_site(&state, &request) {
        return next.run(request).await;
    }
    tracing::warn!(path = %request.uri().path(), "cross-site form post refused");
    AppError::Forbidden(
        "Diese Anfrage kam nicht von unserer Website und wurde deshalb abgelehnt. Bitte öffnen Sie das Formular direkt auf unserer Seite.",
    )
    .into_response()
}

fn is_same_site(state: &AppState, request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if origin.trim_end_matches('/') == state.config.base_url {
        return true;
    }
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    !origin_host.is_empty() && (origin_host == host || origin_host == state.config.base_host())
}
