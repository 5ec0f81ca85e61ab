//! Data-subject rights in the participant area, and retention for inactive accounts.
//!
//! A participant downloads everything stored about them and their company as JSON, and can
//! ask for deletion of their account or (as Ansprechperson) of all company data. The team
//! executes the request in the back office; the audit log then keeps only ids.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{CompanySize, Industry, UnixMs};
use serde::Serialize;
use storage::Db;

use super::auth::{Participant, Role};
use super::{Flash, ParticipantCtx};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::formdata::FormFields;

/// Default: accounts without any login or activity for this many days are deleted (their
/// company's register and log stay with the company). The team can change it in the back
/// office within [`RETENTION_RANGE_DAYS`].
pub const INACTIVE_RETENTION_DAYS: i64 = 365;
/// Allowed range for the retention setting: long enough to survive a pilot pause, short
/// enough that forgotten accounts do not linger for years.
pub const RETENTION_RANGE_DAYS: (i64, i64) = (90, 1095);
/// Settings key of the retention period.
const RETENTION_KEY: &str = "participant_retention_days";

/// The retention period for inactive accounts in days (setting or default).
pub async fn inactive_days(db: &Db) -> Result<i64, storage::StoreError> {
    let stored = storage::settings::get(db, RETENTION_KEY).await?;
    Ok(stored
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|d| (RETENTION_RANGE_DAYS.0..=RETENTION_RANGE_DAYS.1).contains(d))
        .unwrap_or(INACTIVE_RETENTION_DAYS))
}

/// Checks and stores a new retention period typed into the back office; the error is the
/// German message for the form.
pub async fn set_inactive_days(
    db: &Db,
    typed: &str,
) -> Result<Result<i64, String>, storage::StoreError> {
    let (min, max) = RETENTION_RANGE_DAYS;
    match typed.trim().parse::<i64>() {
        Ok(days) if (min..=max).contains(&days) => {
            storage::settings::put(db, RETENTION_KEY, &days.to_string()).await?;
            Ok(Ok(days))
        }
        _ => Ok(Err(format!(
            "Bitte geben Sie die Aufbewahrungsdauer als ganze Zahl von {min} bis {max} Tagen an, z. B. 365 für ein Jahr."
        ))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "participants/meine_daten.html")]
pub(super) struct MyDataPage {
    nav: &'static str,
    ctx: ParticipantCtx,
    email: String,
    role: &'static str,
    is_contact: bool,
    requested: Option<String>,
    retention_days: i64,
}

/// `GET /teilnehmer/meine-daten`.
pub(super) async fn page(
    State(state): State<AppState>,
    p: Participant,
    flash: Flash,
) -> AppResult<MyDataPage> {
    let account = storage::participants::get(&state.db, p.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(MyDataPage {
        nav: "daten",
        ctx: ParticipantCtx::load(&state, &p, flash.0).await?,
        email: p.email.clone(),
        role: p.role.label(),
        is_contact: p.role == Role::Ansprechperson,
        requested: account.deletion_requested_ms.map(|t| {
            let what = if account.deletion_scope.as_deref() == Some("unternehmen") {
                "aller Daten Ihres Unternehmens"
            } else {
                "Ihres Kontos"
            };
            format!(
                "Am {} haben Sie die Löschung {what} beantragt. Wir erledigen das innerhalb eines Monats.",
                UnixMs(t).format_short()
            )
        }),
        retention_days: inactive_days(&state.db).await?,
    })
}

#[derive(Serialize)]
struct Company {
    name: String,
    industry: &'static str,
    size: &'static str,
    stage: String,
}

#[derive(Serialize)]
struct Colleague {
    name: String,
    role: String,
}

#[derive(Serialize)]
struct Export {
    exported_at: String,
    note: &'static str,
    you: storage::participants::ParticipantRow,
    company: Company,
    colleagues: Vec<Colleague>,
    register: Vec<storage::register::RegisterEntry>,
    register_history: Vec<storage::register::HistoryRow>,
    literacy_log: Vec<storage::register::LiteracyEntry>,
    /// The company's entry in the peer directory, if it opted in.
    peer_directory: Option<storage::knowledge::DirectoryEntry>,
    /// Whether this account opted out of mails about new knowledge-base articles.
    article_mails_opted_out: bool,
    pain_points: Vec<storage::insights::InsightRow>,
}

/// `GET /teilnehmer/meine-daten/export.json`: everything about this person and company.
pub(super) async fn export(State(state): State<AppState>, p: Participant) -> AppResult<Response> {
    let db = &state.db;
    let you = storage::participants::get(db, p.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lead = storage::leads::get(db, p.lead_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = UnixMs::now();
    let data = Export {
        exported_at: now.rfc3339(),
        note: "Zeitangaben (…_ms) sind Millisekunden seit 1.1.1970 UTC. Die Anmeldedaten Ihrer Bewerbung erhalten Sie über /datenschutz.",
        company: Company {
            name: lead.company,
            industry: Industry::from_code(&lead.industry).map_or("", Industry::label),
            size: CompanySize::from_code(&lead.company_size).map_or("", CompanySize::label),
            stage: lead.stage,
        },
        colleagues: storage::participants::of_company(db, p.lead_id)
            .await?
            .into_iter()
            .filter(|a| a.id != p.id)
            .map(|a| Colleague {
                name: a.name,
                role: a.role,
            })
            .collect(),
        register: storage::register::list(db, p.lead_id).await?,
        register_history: storage::register::history(db, p.lead_id, i64::MAX).await?,
        literacy_log: storage::register::literacy_list(db, p.lead_id).await?,
        peer_directory: storage::knowledge::directory_entry(db, p.lead_id).await?,
        article_mails_opted_out: storage::knowledge::opted_out(db, p.id).await?,
        pain_points: storage::insights::of_company(db, p.lead_id).await?,
        you,
    };
    storage::audit::record(
        db,
        now,
        &p.audit_actor(),
        "Datenauskunft heruntergeladen (Teilnehmerbereich)",
        &format!("lead #{}", p.lead_id),
    )
    .await?;
    Ok(crate::privacy::json_download(
        &data,
        "meine-daten-teilnehmerbereich.json",
    ))
}

/// `POST /teilnehmer/meine-daten/loeschen`: records a deletion request for the team.
pub(super) async fn request_deletion(
    State(state): State<AppState>,
    p: Participant,
    form: FormFields,
) -> AppResult<Response> {
    p.check_csrf(&form)?;
    let scope = match form.get("scope") {
        "konto" => "konto",
        "unternehmen" if p.role == Role::Ansprechperson => "unternehmen",
        "unternehmen" => {
            return Err(AppError::BadRequest(
                "Die Löschung aller Unternehmensdaten kann nur die Ansprechperson Ihres Unternehmens beantragen. Sie können die Löschung Ihres eigenen Kontos beantragen.".to_owned(),
            ));
        }
        _ => {
            return Err(AppError::BadRequest(
                "Bitte wählen Sie, was wir löschen sollen: Ihr Konto oder alle Daten Ihres Unternehmens.".to_owned(),
            ));
        }
    };
    if form.get("confirm") != "on" {
        return Err(AppError::BadRequest(
            "Bitte setzen Sie das Häkchen „Ja, ich möchte die Löschung beantragen“, damit wir wissen, dass Sie das wirklich möchten.".to_owned(),
        ));
    }
    storage::participants::request_deletion(&state.db, p.id, scope, UnixMs::now()).await?;
    Ok(Redirect::to("/teilnehmer/meine-daten?ok=loeschantrag").into_response())
}

/// Retention for the participant area: expired links and sessions, and accounts inactive for
/// the configured number of days ([`inactive_days`]). Returns the number of deleted records.
pub async fn run_retention(db: &Db, now: UnixMs) -> Result<u64, storage::StoreError> {
    let mut deleted = storage::participants::delete_stale_links_and_sessions(db, now).await?;
    let days = inactive_days(db).await?;
    for id in storage::participants::inactive_since(db, now.minus_days(days)).await? {
        if storage::participants::erase(db, id, "system", "Aufbewahrungsfrist: inaktiv", now)
            .await?
        {
            deleted += 1;
        }
    }
    Ok(deleted)
}
