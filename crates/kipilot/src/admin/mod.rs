//! The back office under `/admin`: login, dashboard, leads, updates, outbox, profile.
//!
//! Every route except the login page requires a session ([`auth::AdminUser`]); every
//! state change requires the session's CSRF token in the form ([`auth::AdminUser::check_csrf`])
//! on top of the global cross-site check. The integration tests walk every route without a
//! session and assert it is refused.

pub mod auth;
pub mod event_contact;
pub mod leads;
pub mod outbox;
pub mod profile;
pub mod updates;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use domain::{LeadStage, UnixMs};
use storage::outbox::Backlog;

use crate::error::AppResult;
use crate::profile::CompanyProfile;
use crate::state::AppState;
use auth::{AdminUser, Flash};
use leads::LeadListRow;

/// What every back-office page shows in its frame.
pub struct AdminCtx {
    /// CSRF token of the session, for every form.
    pub csrf: String,
    /// Logged-in user, shown in the navigation.
    pub user_email: String,
    /// One-line success message after a redirect.
    pub flash: Option<&'static str>,
}

impl AdminCtx {
    /// The frame for `user`, with an optional flash message.
    pub fn new(user: &AdminUser, flash: Option<&'static str>) -> AdminCtx {
        AdminCtx {
            csrf: user.csrf.clone(),
            user_email: user.email.clone(),
            flash,
        }
    }
}

/// Routes of the back office.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(dashboard))
        .route("/admin/login", get(auth::login_page).post(auth::login))
        .route("/admin/logout", post(auth::logout))
        .route("/admin/leads", get(leads::list))
        .route("/admin/leads.csv", get(leads::csv))
        .route("/admin/leads/{id}", get(leads::detail))
        .route("/admin/leads/{id}/phase", post(leads::set_stage))
        .route("/admin/leads/{id}/notizen", post(leads::add_note))
        .route("/admin/leads/{id}/export.json", get(leads::export))
        .route("/admin/leads/{id}/loeschen", post(leads::erase))
        .route("/admin/updates", get(updates::list))
        .route(
            "/admin/updates/neu",
            get(updates::new_form).post(updates::create),
        )
        .route(
            "/admin/updates/{id}",
            get(updates::edit_form).post(updates::save),
        )
        .route(
            "/admin/updates/{id}/veroeffentlichen",
            post(updates::publish),
        )
        .route(
            "/admin/updates/{id}/zurueckziehen",
            post(updates::unpublish),
        )
        .route("/admin/updates/{id}/loeschen", post(updates::delete))
        .route("/admin/outbox", get(outbox::list))
        .route("/admin/outbox/{id}", get(outbox::show))
        .route("/admin/outbox/{id}/erneut", post(outbox::retry))
        .route("/admin/profil", get(profile::form).post(profile::save))
        .route(
            "/admin/kontakt",
            get(event_contact::form).post(event_contact::save),
        )
}

struct AuditLine {
    time: String,
    actor: String,
    action: String,
    subject: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    nav: &'static str,
    ctx: AdminCtx,
    stages: Vec<(&'static str, i64, &'static str)>,
    unconfirmed: i64,
    backlog: Backlog,
    smtp_configured: bool,
    leads: Vec<LeadListRow>,
    audit: Vec<AuditLine>,
    missing_profile: Vec<&'static str>,
    stale_guides: Vec<(String, String)>,
}

async fn dashboard(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
) -> AppResult<Dashboard> {
    let counts = storage::leads::counts(&state.db).await?;
    let stages = LeadStage::ALL
        .iter()
        .map(|stage| {
            let n = counts
                .iter()
                .filter(|(s, st, _)| s == stage.code() && st == "bestaetigt")
                .map(|(_, _, n)| n)
                .sum();
            (stage.label(), n, stage.code())
        })
        .collect();
    let unconfirmed = counts
        .iter()
        .filter(|(_, st, _)| st == "unbestaetigt")
        .map(|(_, _, n)| n)
        .sum();
    let recent =
        storage::leads::list(&state.db, &storage::leads::LeadFilter::default(), 10).await?;
    let audit = storage::audit::recent(&state.db, 15)
        .await?
        .into_iter()
        .map(|a| AuditLine {
            time: UnixMs(a.created_ms).format_short(),
            actor: a.actor,
            action: a.action,
            subject: a.subject,
        })
        .collect();
    Ok(Dashboard {
        nav: "start",
        ctx: AdminCtx::new(&user, flash.0),
        stages,
        unconfirmed,
        backlog: storage::outbox::backlog(&state.db).await?,
        smtp_configured: state.config.smtp_url.is_some(),
        leads: recent.iter().map(LeadListRow::from).collect(),
        audit,
        missing_profile: CompanyProfile::load(&state.db).await?.missing_required(),
        stale_guides: crate::site::guides::GUIDES
            .iter()
            .filter(|g| g.is_stale(UnixMs::now()))
            .map(|g| (g.title.clone(), g.stand_long()))
            .collect(),
    })
}
