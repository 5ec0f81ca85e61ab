//! Public pages of the campaign site.
//!
//! Everything here is read-only and works without JavaScript and without cookies. The
//! application form lives in [`crate::leads`], data-subject requests in [`crate::privacy`].

pub mod guides;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use domain::UnixMs;
use serde::Deserialize;
use storage::updates::{UpdateRow, kind};

use crate::error::{AppError, AppResult};
use crate::profile::CompanyProfile;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/ki-pilotprojekt", get(project))
        .route("/wissen", get(knowledge))
        .route("/wissen/{slug}", get(guides::show))
        .route("/wissen/{slug}/pdf", get(guides::pdf))
        .route("/updates", get(updates))
        .route("/updates.atom", get(feed))
        .route("/updates/{slug}", get(update))
        .route("/impressum", get(imprint))
        .route("/embed/teaser", get(embed_teaser))
        .route("/healthz", get(healthz))
}

/// An update as shown in lists.
pub struct UpdateCard {
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Teaser text.
    pub summary: String,
    /// German kind label.
    pub kind_label: &'static str,
    /// Publication date in words.
    pub date: String,
}

impl From<&UpdateRow> for UpdateCard {
    fn from(u: &UpdateRow) -> Self {
        UpdateCard {
            slug: u.slug.clone(),
            title: u.title.clone(),
            summary: u.summary.clone(),
            kind_label: kind::label(&u.kind),
            date: UnixMs(u.published_ms.unwrap_or(u.created_ms)).format_long_date(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "site/home.html")]
struct HomePage {
    nav: &'static str,
    updates: Vec<UpdateCard>,
    quote: Option<UpdateRow>,
    source: Option<String>,
}

#[derive(Deserialize)]
struct SourceQuery {
    source: Option<String>,
}

async fn home(State(state): State<AppState>, Query(q): Query<SourceQuery>) -> AppResult<HomePage> {
    let published = storage::updates::published(&state.db, 20).await?;
    let quote = published.iter().find(|u| u.kind == kind::QUOTE).cloned();
    let updates = published
        .iter()
        .filter(|u| u.kind != kind::QUOTE)
        .take(3)
        .map(UpdateCard::from)
        .collect();
    let source = q
        .source
        .as_deref()
        .and_then(domain::application::parse_source);
    Ok(HomePage {
        nav: "",
        updates,
        quote,
        source,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "site/content_page.html")]
struct ContentPage {
    nav: &'static str,
    title: &'static str,
    heading: &'static str,
    kind: &'static str,
    guides: &'static [guides::Guide],
}

async fn project() -> ContentPage {
    ContentPage {
        nav: "projekt",
        title: "Das KI-Pilotprojekt für KMU",
        heading: "Das KI-Pilotprojekt für KMU",
        kind: "projekt",
        guides: &[],
    }
}

async fn knowledge() -> ContentPage {
    ContentPage {
        nav: "wissen",
        title: "Wissen: DSGVO und KI-Verordnung",
        heading: "Wissen: DSGVO und KI-Verordnung einfach erklärt",
        kind: "wissen",
        guides: &guides::GUIDES,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "site/updates.html")]
struct UpdatesPage {
    nav: &'static str,
    updates: Vec<UpdateCard>,
}

async fn updates(State(state): State<AppState>) -> AppResult<UpdatesPage> {
    let rows = storage::updates::published(&state.db, 200).await?;
    Ok(UpdatesPage {
        nav: "updates",
        updates: rows.iter().map(UpdateCard::from).collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "site/update.html")]
struct UpdatePage {
    nav: &'static str,
    update: UpdateRow,
    kind_label: &'static str,
    date: String,
    body_html: String,
}

async fn update(State(state): State<AppState>, Path(slug): Path<String>) -> AppResult<UpdatePage> {
    let update = storage::updates::published_by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(UpdatePage {
        nav: "updates",
        kind_label: kind::label(&update.kind),
        date: UnixMs(update.published_ms.unwrap_or(update.created_ms)).format_long_date(),
        body_html: crate::markdown::to_safe_html(&update.body_md),
        update,
    })
}

struct FeedEntry {
    slug: String,
    title: String,
    summary: String,
    published: String,
    updated: String,
    html: String,
}

#[derive(Template)]
#[template(path = "site/feed.xml")]
struct Feed {
    base_url: String,
    updated: String,
    author: String,
    entries: Vec<FeedEntry>,
}

async fn feed(State(state): State<AppState>) -> AppResult<Response> {
    let rows = storage::updates::published(&state.db, 50).await?;
    let profile = CompanyProfile::load(&state.db).await?;
    let newest = rows
        .iter()
        .map(|u| u.updated_ms.max(u.published_ms.unwrap_or(0)))
        .max()
        .unwrap_or(0);
    let entries = rows
        .iter()
        .map(|u| FeedEntry {
            slug: u.slug.clone(),
            title: u.title.clone(),
            summary: u.summary.clone(),
            published: UnixMs(u.published_ms.unwrap_or(u.created_ms)).rfc3339(),
            updated: UnixMs(u.updated_ms.max(u.published_ms.unwrap_or(0))).rfc3339(),
            html: crate::markdown::to_safe_html(&u.body_md),
        })
        .collect();
    let body = Feed {
        base_url: state.config.base_url.clone(),
        updated: UnixMs(newest).rfc3339(),
        author: profile.full_name(),
        entries,
    }
    .render()
    .map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "site/impressum.html")]
struct ImprintPage {
    nav: &'static str,
    p: CompanyProfile,
    missing: Vec<&'static str>,
}

async fn imprint(State(state): State<AppState>) -> AppResult<ImprintPage> {
    let p = CompanyProfile::load(&state.db).await?;
    Ok(ImprintPage {
        nav: "",
        missing: p.missing_required(),
        p,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "site/embed_teaser.html")]
struct EmbedTeaser {
    base_url: String,
}

async fn embed_teaser(State(state): State<AppState>) -> EmbedTeaser {
    EmbedTeaser {
        base_url: state.config.base_url.clone(),
    }
}

/// A short page with a heading, paragraphs and buttons: used for confirmations and for
/// features that are announced but not built yet.
#[derive(Template, WebTemplate)]
#[template(path = "site/simple.html")]
pub struct SimplePage {
    /// Highlighted navigation entry.
    pub nav: &'static str,
    /// Heading and title.
    pub title: String,
    /// Paragraphs; the first is the lead.
    pub paragraphs: Vec<String>,
    /// Buttons: (href, label); the first is primary.
    pub links: Vec<(String, String)>,
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            format!(
                "{{\"status\":\"ok\",\"database\":\"{}\"}}",
                state.db.backend_name()
            ),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "application/json")],
                "{\"status\":\"database unavailable\"}",
            )
                .into_response()
        }
    }
}

/// Fallback for unknown paths: the friendly German 404 page.
pub async fn not_found() -> AppError {
    AppError::NotFound
}
