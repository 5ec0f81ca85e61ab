//! Back-office pages of the participant area: invite people of a participant company,
//! see who has access and who asked for deletion, delete accounts.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::text::{TextRule, clean};
use domain::{FieldErrors, LeadStage, UnixMs};
use storage::participants::{Invite, ParticipantRow};

use super::Flash;
use super::auth::{INVITE_HOURS, Role};
use crate::admin::AdminCtx;
use crate::admin::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::profile::CompanyProfile;
use crate::state::AppState;
use crate::web::formdata::FormFields;
use crate::web::tokens;

/// An account as one table row.
pub struct AccountLine {
    /// Id.
    pub id: i64,
    /// Company (lead) id.
    pub lead_id: i64,
    /// Company name.
    pub company: String,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role label.
    pub role: &'static str,
    /// Last login, or "noch nie".
    pub last_login: String,
    /// German description of a pending deletion request.
    pub deletion: Option<String>,
}

fn line(a: ParticipantRow, company: String) -> AccountLine {
    AccountLine {
        id: a.id,
        lead_id: a.lead_id,
        company,
        role: Role::from_code(&a.role).map_or("?", Role::label),
        last_login: a
            .last_login_ms
            .map_or_else(|| "noch nie".to_owned(), |t| UnixMs(t).format_short()),
        deletion: a.deletion_requested_ms.map(|t| {
            let what = if a.deletion_scope.as_deref() == Some("unternehmen") {
                "alle Unternehmensdaten"
            } else {
                "das eigene Konto"
            };
            format!("Löschung beantragt am {}: {what}", UnixMs(t).format_short())
        }),
        name: a.name,
        email: a.email,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/participants.html")]
pub(super) struct OverviewPage {
    nav: &'static str,
    ctx: AdminCtx,
    accounts: Vec<AccountLine>,
    companies: Vec<(i64, String)>,
    retention_days: String,
    retention_error: Option<String>,
    retention_range: (i64, i64),
}

/// `GET /admin/teilnehmer`: all participant accounts, deletion requests first.
pub(super) async fn overview(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
) -> AppResult<OverviewPage> {
    let days = super::privacy::inactive_days(&state.db).await?;
    overview_page(&state, &user, flash.0, days.to_string(), None).await
}

/// `POST /admin/teilnehmer/aufbewahrung`: how long inactive accounts are kept.
pub(super) async fn save_retention(
    State(state): State<AppState>,
    user: AdminUser,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let typed: String = form.get("days").chars().take(20).collect();
    match super::privacy::set_inactive_days(&state.db, &typed).await? {
        Ok(days) => {
            storage::audit::record(
                &state.db,
                UnixMs::now(),
                &user.actor(),
                &format!("Aufbewahrung inaktiver Teilnehmer-Konten: {days} Tage"),
                "settings",
            )
            .await?;
            Ok(Redirect::to("/admin/teilnehmer?ok=gespeichert").into_response())
        }
        Err(message) => {
            let page = overview_page(&state, &user, None, typed, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn overview_page(
    state: &AppState,
    user: &AdminUser,
    flash: Option<&'static str>,
    retention_days: String,
    retention_error: Option<String>,
) -> AppResult<OverviewPage> {
    let mut accounts = Vec::new();
    for a in storage::participants::all(&state.db).await? {
        let company = storage::leads::get(&state.db, a.lead_id)
            .await?
            .map(|l| l.company)
            .unwrap_or_default();
        accounts.push(line(a, company));
    }
    accounts.sort_by_key(|a| a.deletion.is_none());
    let filter = storage::leads::LeadFilter {
        stage: Some(LeadStage::Teilnehmer.code().to_owned()),
        ..storage::leads::LeadFilter::default()
    };
    let companies = storage::leads::list(&state.db, &filter, 1000)
        .await?
        .into_iter()
        .map(|l| (l.id, l.company))
        .collect();
    Ok(OverviewPage {
        nav: "teilnehmer",
        ctx: AdminCtx::new(user, flash),
        accounts,
        companies,
        retention_days,
        retention_error,
        retention_range: super::privacy::RETENTION_RANGE_DAYS,
    })
}

#[derive(Default)]
pub(super) struct InviteForm {
    name: String,
    email: String,
    role: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/participants_company.html")]
pub(super) struct CompanyPage {
    nav: &'static str,
    ctx: AdminCtx,
    lead_id: i64,
    company: String,
    is_participant: bool,
    accounts: Vec<AccountLine>,
    form: InviteForm,
    errors: FieldErrors,
    invite_hours: i64,
}

async fn company_page(
    state: &AppState,
    user: &AdminUser,
    flash: Option<&'static str>,
    lead_id: i64,
    form: InviteForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let lead = storage::leads::get(&state.db, lead_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let accounts = storage::participants::of_company(&state.db, lead_id)
        .await?
        .into_iter()
        .map(|a| line(a, lead.company.clone()))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CompanyPage {
        nav: "teilnehmer",
        ctx: AdminCtx::new(user, flash),
        lead_id,
        is_participant: lead.stage == LeadStage::Teilnehmer.code()
            || lead.stage == LeadStage::Referenzkunde.code(),
        company: lead.company,
        accounts,
        form,
        errors,
        invite_hours: INVITE_HOURS,
    };
    Ok((status, page).into_response())
}

/// `GET /admin/leads/{id}/teilnehmer`.
pub(super) async fn company(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let form = InviteForm {
        role: Role::Mitarbeitende.code().to_owned(),
        ..InviteForm::default()
    };
    company_page(&state, &user, flash.0, id, form, FieldErrors::default()).await
}

/// `POST /admin/leads/{id}/teilnehmer`: invites a person of this company.
pub(super) async fn invite(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let lead = storage::leads::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let typed = InviteForm {
        name: form.get("name").to_owned(),
        email: form.get("email").to_owned(),
        role: form.get("role").to_owned(),
    };
    let mut errors = FieldErrors::default();
    if lead.stage != LeadStage::Teilnehmer.code() && lead.stage != LeadStage::Referenzkunde.code() {
        errors.add(
            "name",
            "Dieses Unternehmen ist noch nicht in der Phase „Teilnehmer“. Bitte setzen Sie zuerst auf der Lead-Seite die Phase, dann können Sie Personen einladen.",
        );
    }
    let name = clean(
        &typed.name,
        TextRule {
            label: "Der Name",
            missing: "Bitte geben Sie den Namen der Person an, z. B. „Anna Huber“.",
            required: true,
            max_chars: 120,
            multiline: false,
        },
    )
    .unwrap_or_else(|m| {
        errors.add("name", m);
        None
    })
    .unwrap_or_default();
    let email = match domain::Email::parse(&typed.email) {
        Ok(e) => Some(e),
        Err(e) => {
            errors.add("email", format!("{e} Bitte prüfen Sie die Adresse."));
            None
        }
    };
    let role = Role::from_code(&typed.role).unwrap_or_else(|| {
        errors.add(
            "role",
            "Bitte wählen Sie eine Rolle: Ansprechperson oder Mitarbeitende.",
        );
        Role::Mitarbeitende
    });
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return company_page(&state, &user, None, id, typed, errors).await;
    };
    let now = UnixMs::now();
    let token = tokens::new_token()?;
    let token_hash = tokens::hash(&token);
    let profile = CompanyProfile::load(&state.db).await?;
    let base = state.config.base_url.clone();
    let result = storage::participants::invite(
        &state.db,
        id,
        email.as_str(),
        &name,
        role.code(),
        &token_hash,
        now.plus_hours(INVITE_HOURS),
        &user.actor(),
        now,
        |pid| {
            super::mails::invitation(
                &base,
                &profile,
                pid,
                id,
                &name,
                &lead.company,
                email.as_str(),
                &token,
                &token_hash,
            )
        },
    )
    .await?;
    match result {
        Invite::Created(_) => {
            state.mail_wakeup.notify_one();
            Ok(
                Redirect::to(&format!("/admin/leads/{id}/teilnehmer?ok=eingeladen"))
                    .into_response(),
            )
        }
        Invite::EmailTaken => {
            errors.add(
                "email",
                "Für diese Adresse gibt es schon einen Zugang (bei diesem oder einem anderen Unternehmen). Jede Adresse kann nur einen Zugang haben.",
            );
            company_page(&state, &user, None, id, typed, errors).await
        }
        Invite::NoLead => Err(AppError::NotFound),
    }
}

/// `POST /admin/teilnehmer/{id}/loeschen`: deletes an account (e.g. on request), leaving an
/// anonymous audit entry.
pub(super) async fn erase_account(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    if form.get("confirm") != "on" {
        return Err(AppError::BadRequest(
            "Bitte bestätigen Sie das Löschen mit dem Häkchen.".to_owned(),
        ));
    }
    let account = storage::participants::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reason = if account.deletion_requested_ms.is_some() {
        "Anfrage der betroffenen Person"
    } else {
        "durch das Team"
    };
    storage::participants::erase(&state.db, id, &user.actor(), reason, UnixMs::now()).await?;
    Ok(Redirect::to(&format!(
        "/admin/leads/{}/teilnehmer?ok=konto-geloescht",
        account.lead_id
    ))
    .into_response())
}
