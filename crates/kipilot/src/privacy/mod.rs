//! Data-subject rights for leads, and retention.
//!
//! A lead can ask for a link by e-mail (`/datenschutz`), and that link lets them download
//! everything stored about them as JSON or erase it. The request page never reveals whether
//! an address is registered. Retention deletes what is no longer needed on a timer.

use std::time::Duration;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::UnixMs;
use serde::Deserialize;
use storage::Db;
use storage::leads::{LeadRow, TokenState, purpose};

use crate::error::{AppError, AppResult};
use crate::leads::mails;
use crate::profile::CompanyProfile;
use crate::site::SimplePage;
use crate::state::AppState;
use crate::web::client::ClientIp;
use crate::web::formdata::FormFields;
use crate::web::tokens;

const FORM: &str = "datenschutz";

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/datenschutz", get(notice))
        .route("/datenschutz/anfrage", post(request_link))
        .route("/datenschutz/meine-daten", get(my_data))
        .route("/datenschutz/meine-daten/export", post(export))
        .route("/datenschutz/meine-daten/loeschen", post(erase))
}

#[derive(Template, WebTemplate)]
#[template(path = "site/datenschutz.html")]
struct NoticePage {
    nav: &'static str,
    p: CompanyProfile,
    form_token: String,
    stand: &'static str,
}

/// Date of the last change to what the product processes; bump it with every such change.
const NOTICE_STAND: &str = "27. November 2026";

async fn notice(State(state): State<AppState>) -> AppResult<NoticePage> {
    Ok(NoticePage {
        nav: "",
        p: CompanyProfile::load(&state.db).await?,
        form_token: state.forms.issue(FORM, UnixMs::now()),
        stand: NOTICE_STAND,
    })
}

async fn request_link(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form: FormFields,
) -> AppResult<Response> {
    let now = UnixMs::now();
    if !state.form_limiter.check(ip) {
        return Err(AppError::TooManyRequests);
    }
    if let Err(e) = state.forms.check(FORM, form.get("form_token"), now) {
        return Err(AppError::BadRequest(e.message().to_owned()));
    }
    let email = domain::Email::parse(form.get("email")).map_err(|e| {
        AppError::BadRequest(format!(
            "{e} Bitte gehen Sie zurück und korrigieren Sie die Adresse."
        ))
    })?;
    let profile = CompanyProfile::load(&state.db).await?;
    let token = tokens::new_token()?;
    let token_hash = tokens::hash(&token);
    let base = state.config.base_url.clone();
    storage::leads::request_privacy_link(&state.db, email.as_str(), &token_hash, now, |lead| {
        mails::privacy_link(&base, &profile, lead, &token, &token_hash)
    })
    .await?;
    state.mail_wakeup.notify_one();
    Ok(SimplePage {
        nav: "",
        title: "Bitte schauen Sie in Ihr Postfach".to_owned(),
        paragraphs: vec![
            "Wenn zu dieser Adresse Daten bei uns gespeichert sind, haben wir Ihnen gerade einen Link geschickt. Er ist 24 Stunden gültig.".to_owned(),
            "Aus Datenschutzgründen zeigen wir hier nicht an, ob die Adresse bei uns bekannt ist.".to_owned(),
        ],
        links: vec![("/".to_owned(), "Zur Startseite".to_owned())],
    }
    .into_response())
}

/// Resolves a privacy token to its lead, or a friendly error page.
async fn lead_for_token(db: &Db, token: &str) -> AppResult<Result<LeadRow, Response>> {
    let state = if tokens::looks_valid(token) {
        storage::leads::token_state(db, &tokens::hash(token), purpose::PRIVACY, UnixMs::now())
            .await?
    } else {
        TokenState::NotFound
    };
    if let TokenState::Valid(lead_id) = state
        && let Some(lead) = storage::leads::get(db, lead_id).await?
    {
        return Ok(Ok(lead));
    }
    let page = (
        StatusCode::NOT_FOUND,
        SimplePage {
            nav: "",
            title: "Dieser Link ist ungültig oder abgelaufen".to_owned(),
            paragraphs: vec![
                "Links zu Ihren Daten gelten 24 Stunden. Fordern Sie einfach einen neuen an."
                    .to_owned(),
            ],
            links: vec![(
                "/datenschutz#rechte".to_owned(),
                "Neuen Link anfordern".to_owned(),
            )],
        },
    )
        .into_response();
    Ok(Err(page))
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

struct LeadSummary {
    email: String,
    company: String,
    created: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "site/meine_daten.html")]
struct MyDataPage {
    nav: &'static str,
    lead: LeadSummary,
    token: String,
}

async fn my_data(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let token = q.token.unwrap_or_default();
    Ok(match lead_for_token(&state.db, &token).await? {
        Ok(lead) => MyDataPage {
            nav: "",
            lead: LeadSummary {
                email: lead.email,
                company: lead.company,
                created: UnixMs(lead.created_ms).format_long_date(),
            },
            token,
        }
        .into_response(),
        Err(page) => page,
    })
}

async fn export(State(state): State<AppState>, form: FormFields) -> AppResult<Response> {
    let lead = match lead_for_token(&state.db, form.get("token")).await? {
        Ok(lead) => lead,
        Err(page) => return Ok(page),
    };
    let data = storage::leads::export(&state.db, lead.id)
        .await?
        .ok_or(AppError::NotFound)?;
    storage::audit::record(
        &state.db,
        UnixMs::now(),
        &format!("lead #{}", lead.id),
        "Datenauskunft heruntergeladen",
        &format!("lead #{}", lead.id),
    )
    .await?;
    Ok(json_download(&data, "meine-daten-ki-pilotprojekt.json"))
}

/// A JSON attachment download.
pub fn json_download<T: serde::Serialize>(data: &T, filename: &str) -> Response {
    match serde_json::to_string_pretty(data) {
        Ok(json) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/json; charset=utf-8".to_owned(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            json,
        )
            .into_response(),
        Err(e) => AppError::Internal(e.into()).into_response(),
    }
}

async fn erase(State(state): State<AppState>, form: FormFields) -> AppResult<Response> {
    let lead = match lead_for_token(&state.db, form.get("token")).await? {
        Ok(lead) => lead,
        Err(page) => return Ok(page),
    };
    if form.get("confirm") != "on" {
        return Err(AppError::BadRequest(
            "Bitte setzen Sie das Häkchen „Ja, ich möchte alle meine Daten endgültig löschen“, damit wir wissen, dass Sie das wirklich möchten.".to_owned(),
        ));
    }
    storage::leads::erase(
        &state.db,
        lead.id,
        "betroffene Person",
        "Anfrage der betroffenen Person",
        UnixMs::now(),
    )
    .await?;
    Ok(SimplePage {
        nav: "",
        title: "Ihre Daten sind gelöscht".to_owned(),
        paragraphs: vec![
            "Wir haben Ihre Anmeldung mit allen zugehörigen Daten endgültig gelöscht.".to_owned(),
            "Falls Sie später doch mitmachen möchten, melden Sie sich einfach neu an.".to_owned(),
        ],
        links: vec![("/".to_owned(), "Zur Startseite".to_owned())],
    }
    .into_response())
}

/// Unconfirmed applications are deleted after this many days (issue: 7).
pub const UNCONFIRMED_RETENTION_DAYS: i64 = 7;
/// Delivered mails are deleted from the outbox after this many days.
pub const SENT_MAIL_RETENTION_DAYS: i64 = 30;
/// Cancelled and lapsed bookings are deleted this many days after their last change.
pub const INACTIVE_BOOKING_RETENTION_DAYS: i64 = 30;
/// Bookings whose meeting is over are deleted this many days after it ended (the lead's
/// history keeps a one-line note; the booking's copy of the contact data goes).
pub const PAST_BOOKING_RETENTION_DAYS: i64 = 90;

/// Deletes what is no longer needed. Returns the number of deleted records.
pub async fn run_retention(db: &Db, now: UnixMs) -> Result<u64, storage::StoreError> {
    let leads = storage::leads::delete_unconfirmed_before(
        db,
        now.minus_days(UNCONFIRMED_RETENTION_DAYS),
        now,
    )
    .await?;
    let registrations = storage::events::delete_unconfirmed_before(
        db,
        now.minus_days(UNCONFIRMED_RETENTION_DAYS),
        now,
    )
    .await?;
    let tokens = storage::leads::delete_stale_tokens(db, now).await?;
    let sessions = storage::users::delete_expired_sessions(db, now).await?;
    let mails =
        storage::outbox::delete_sent_before(db, now.minus_days(SENT_MAIL_RETENTION_DAYS)).await?;
    let bookings = storage::booking::delete_old(
        db,
        now.minus_days(INACTIVE_BOOKING_RETENTION_DAYS),
        now.minus_days(PAST_BOOKING_RETENTION_DAYS),
    )
    .await?;
    let participants = crate::participants::privacy::run_retention(db, now).await?;
    tracing::info!(
        leads,
        registrations,
        tokens,
        sessions,
        mails,
        bookings,
        participants,
        "retention run"
    );
    Ok(leads + registrations + tokens + sessions + mails + bookings + participants)
}

/// Runs retention a minute after start (not during start-up, when the server should be
/// answering its first requests) and then every hour.
pub async fn retention_loop(db: Db) {
    let first = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut interval = tokio::time::interval_at(first, Duration::from_secs(3600));
    loop {
        interval.tick().await;
        if let Err(e) = run_retention(&db, UnixMs::now()).await {
            tracing::error!(error = %e, "retention run failed");
        }
    }
}
