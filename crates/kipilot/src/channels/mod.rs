//! Channels: tracked short links (`/l/{code}`), cookie-less page analytics and the
//! attribution report in the back office.
//!
//! A link visit is counted per day (bots apart) and redirects with the code as `source`, so
//! a form sent afterwards records where the lead came from. No cookie, no IP address and no
//! user agent is stored.

pub mod analytics;
pub mod flyer;
pub mod flyer_editor;
pub mod links;
pub mod posts;
pub mod posts_checks;
pub mod posts_templates;
pub mod report;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::UnixMs;

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Link channels with German labels.
pub const CHANNELS: [(&str, &str); 4] = [
    ("website", "Website"),
    ("linkedin", "LinkedIn"),
    ("flyer", "Flyer / WKO-Veranstaltung"),
    ("other", "Sonstiges"),
];

/// German label of a channel code.
pub fn channel_label(code: &str) -> &'static str {
    match code {
        "direkt" => "Direkt (ohne Link)",
        _ => CHANNELS
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, l)| *l)
            .unwrap_or("Sonstiges"),
    }
}

/// Public and back-office routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/l/{code}", get(follow))
        .route("/admin/links", get(links::list).post(links::create))
        .route("/admin/links/{id}/loeschen", post(links::delete))
        .route("/admin/links/{code}/flyer.pdf", get(flyer::download))
        .route(
            "/admin/links/{code}/flyer",
            get(flyer_editor::edit_form).post(flyer_editor::save),
        )
        .route("/admin/links/{code}/qr.svg", get(flyer_editor::qr_code))
        .route("/admin/auswertung", get(report::page))
        .route("/admin/auswertung.csv", get(report::csv))
        .route("/admin/posts", get(posts::list::page))
        .route(
            "/admin/posts/neu",
            get(posts::editor::new_form).post(posts::editor::create),
        )
        .route(
            "/admin/posts/vorlagen",
            get(posts::list::templates_form).post(posts::list::templates_save),
        )
        .route(
            "/admin/posts/{id}",
            get(posts::editor::edit_form).post(posts::editor::save),
        )
        .route("/admin/posts/{id}/export.txt", get(posts::after::export))
        .route("/admin/posts/{id}/status", post(posts::after::set_status))
        .route("/admin/posts/{id}/zahlen", post(posts::after::figures))
        .route(
            "/admin/posts/{id}/umfrage",
            post(posts::after::poll_results),
        )
        .route(
            "/admin/posts/{id}/kommentare",
            post(posts::after::add_comment),
        )
        .route(
            "/admin/posts/{id}/kommentare/{cid}/loeschen",
            post(posts::after::delete_comment),
        )
        .route("/admin/posts/{id}/loeschen", post(posts::after::delete))
}

/// `GET /l/{code}`: counts the visit and redirects to the target with `source=code`.
async fn follow(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    if code.len() > 64 || domain::application::parse_source(&code).is_none() {
        return Err(AppError::NotFound);
    }
    let Some(link) = storage::channels::active_link(&state.db, &code).await? else {
        return Err(AppError::NotFound);
    };
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    storage::channels::record_link_visit(
        &state.db,
        link.id,
        &UnixMs::now().format_iso_date(),
        analytics::is_bot(ua),
    )
    .await?;
    let separator = if link.target_path.contains('?') {
        '&'
    } else {
        '?'
    };
    let target = format!("{}{separator}source={}", link.target_path, link.code);
    let mut response = Redirect::to(&target).into_response();
    // 302 rather than 303 (browsers treat both alike for GET); never cached, so every scan of
    // a flyer's QR code is counted.
    *response.status_mut() = axum::http::StatusCode::FOUND;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
