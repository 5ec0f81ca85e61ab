//! Back office for bookings: the list with cancel, availability per meeting kind, closed
//! periods with the coming public holidays, and the participant's 1:1 link.
//!
//! Every route requires a session; every post the session's CSRF token.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::booking::{
    AvailabilityInput, Date, MeetingKind, WEEKDAYS, austrian_holidays, limits, vienna_date,
};
use domain::{FieldErrors, LeadStage, UnixMs};
use serde::Deserialize;
use storage::booking::{BookingRow, Change, ListFilter, status};
use storage::leads::LeadRow;

use super::links::ACCESS_LINK_DAYS;
use super::mails::Appointment;
use super::{mail_ctx, team_address, uid_host};
use crate::admin::AdminCtx;
use crate::admin::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::profile::CompanyProfile;
use crate::state::AppState;
use crate::web::formdata::FormFields;

/// Back-office routes of bookings.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/termine", get(list))
        .route("/admin/termine/{id}/absagen", post(cancel))
        .route(
            "/admin/termine/einstellungen/{kind}",
            get(settings_form).post(save_settings),
        )
        .route(
            "/admin/termine/sperrzeiten",
            get(blocks_page).post(add_block),
        )
        .route(
            "/admin/termine/sperrzeiten/{id}/loeschen",
            post(delete_block),
        )
        .route("/admin/leads/{id}/termin-link", post(send_access_link))
}

/// `?ok=` codes of this module's redirects, as flash messages.
fn flash(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "abgesagt" => {
            Some("Der Termin ist abgesagt; die Absage mit Kalender-Update ist unterwegs.")
        }
        "gespeichert" => Some("Die Einstellungen sind gespeichert und gelten ab sofort."),
        "sperrzeit" => Some("Die Sperrzeit ist eingetragen."),
        "sperrzeit-geloescht" => Some("Die Sperrzeit ist gelöscht."),
        "termin-link" => Some("Der persönliche 1:1-Link ist per E-Mail unterwegs."),
        _ => None,
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    ok: Option<String>,
    alle: Option<String>,
}

/// A booking as one table row.
pub struct BookingLine {
    /// Id.
    pub id: i64,
    /// "03.12.2026, 09:30".
    pub when: String,
    /// Kind title.
    pub kind: &'static str,
    /// Company and name.
    pub who: String,
    /// E-mail.
    pub email: String,
    /// Lead id.
    pub lead_id: i64,
    /// Topics.
    pub topics: String,
    /// Video or phone, with phone number.
    pub channel: String,
    /// Status label.
    pub status: &'static str,
    /// CSS class for the status.
    pub status_class: &'static str,
    /// Whether the team can still cancel.
    pub can_cancel: bool,
}

impl BookingLine {
    fn new(b: &BookingRow, now: UnixMs) -> BookingLine {
        let a = Appointment::from_row(b);
        let lapsed = b.status == status::OFFEN && b.expires_ms.is_some_and(|e| e <= now.0);
        let code = if lapsed {
            status::VERFALLEN
        } else {
            b.status.as_str()
        };
        BookingLine {
            id: b.id,
            when: UnixMs(b.start_ms).format_short(),
            kind: a.kind.title(),
            who: format!("{} ({})", b.company, b.name),
            email: b.email.clone(),
            lead_id: b.lead_id,
            topics: a.topic_labels(),
            channel: if b.channel == "telefon" {
                format!("Telefon {}", b.phone.as_deref().unwrap_or(""))
            } else {
                "Videocall".to_owned()
            },
            status: status::label(code),
            status_class: match code {
                status::BESTAETIGT => "ok",
                status::OFFEN => "warn",
                _ => "err",
            },
            can_cancel: !lapsed
                && (b.status == status::OFFEN || b.status == status::BESTAETIGT)
                && b.start_ms > now.0,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/termine.html")]
struct ListPage {
    nav: &'static str,
    ctx: AdminCtx,
    all: bool,
    rows: Vec<BookingLine>,
    kinds: [MeetingKind; 2],
}

async fn list(
    State(state): State<AppState>,
    user: AdminUser,
    Query(q): Query<ListQuery>,
) -> AppResult<ListPage> {
    let now = UnixMs::now();
    let all = q.alle.is_some();
    let filter = if all {
        ListFilter::All
    } else {
        ListFilter::Upcoming
    };
    let rows = storage::booking::list(&state.db, filter, now, 500)
        .await?
        .iter()
        .map(|b| BookingLine::new(b, now))
        .collect();
    Ok(ListPage {
        nav: "termine",
        ctx: AdminCtx::new(&user, flash(q.ok.as_deref())),
        all,
        rows,
        kinds: MeetingKind::ALL,
    })
}

async fn cancel(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let now = UnixMs::now();
    let profile = CompanyProfile::load(&state.db).await?;
    let team = team_address(&state, &profile);
    let host = uid_host(&state);
    let ctx = mail_ctx(&state, &profile, team.as_deref(), &host, now);
    let change = storage::booking::cancel(&state.db, id, None, &user.email, now, |b| {
        vec![ctx.visitor_cancelled(&Appointment::from_row(b), true)]
    })
    .await?;
    match change {
        Change::Done(_) | Change::AlreadyDone(_) => {
            state.mail_wakeup.notify_one();
            Ok(Redirect::to("/admin/termine?ok=abgesagt").into_response())
        }
        Change::NotFound => Err(AppError::NotFound),
        _ => Err(AppError::BadRequest(
            "Dieser Termin ist schon vorbei oder nicht mehr aktiv und kann nicht abgesagt werden."
                .to_owned(),
        )),
    }
}

fn kind_from_path(code: &str) -> AppResult<MeetingKind> {
    MeetingKind::from_code(code).ok_or(AppError::NotFound)
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/termine_einstellungen.html")]
struct SettingsPage {
    nav: &'static str,
    ctx: AdminCtx,
    kind: MeetingKind,
    kinds: [MeetingKind; 2],
    input: AvailabilityInput,
    errors: FieldErrors,
    weekdays: [&'static str; 7],
    max_buffer: u16,
    duration_limits: (u16, u16),
    horizon_limits: (u16, u16),
    max_notice_hours: u32,
}

impl SettingsPage {
    fn day_field(&self, i: &usize) -> String {
        format!("day{i}")
    }

    fn day_value(&self, i: &usize) -> &str {
        self.input.weekly.get(*i).map(String::as_str).unwrap_or("")
    }

    fn day_error(&self, i: &usize) -> Option<&str> {
        self.errors.get(&format!("day{i}"))
    }
}

fn settings_page(
    user: &AdminUser,
    flash: Option<&'static str>,
    kind: MeetingKind,
    input: AvailabilityInput,
    errors: FieldErrors,
) -> SettingsPage {
    SettingsPage {
        nav: "termine",
        ctx: AdminCtx::new(user, flash),
        kind,
        kinds: MeetingKind::ALL,
        input,
        errors,
        weekdays: WEEKDAYS,
        max_buffer: limits::BUFFER_MAX,
        duration_limits: limits::DURATION_MIN,
        horizon_limits: limits::HORIZON_DAYS,
        max_notice_hours: limits::NOTICE_MAX_HOURS,
    }
}

async fn settings_form(
    State(state): State<AppState>,
    user: AdminUser,
    Path(kind): Path<String>,
    Query(q): Query<ListQuery>,
) -> AppResult<SettingsPage> {
    let kind = kind_from_path(&kind)?;
    let a = super::availability(&state.db, kind).await?;
    Ok(settings_page(
        &user,
        flash(q.ok.as_deref()),
        kind,
        AvailabilityInput::from_availability(&a),
        FieldErrors::default(),
    ))
}

async fn save_settings(
    State(state): State<AppState>,
    user: AdminUser,
    Path(kind): Path<String>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let kind = kind_from_path(&kind)?;
    let input = AvailabilityInput {
        duration_min: form.get("duration").to_owned(),
        buffer_before_min: form.get("buffer_before").to_owned(),
        buffer_after_min: form.get("buffer_after").to_owned(),
        min_notice_hours: form.get("notice").to_owned(),
        horizon_days: form.get("horizon").to_owned(),
        weekly: (0..7)
            .map(|i| form.get(&format!("day{i}")).to_owned())
            .collect(),
        block_holidays: form.get("block_holidays") == "on",
        video_url: form.get("video_url").to_owned(),
        phone_option: form.get("phone_option") == "on",
    };
    match input.parse() {
        Ok(a) => {
            let json = serde_json::to_string(&a).map_err(|e| AppError::Internal(e.into()))?;
            storage::settings::put(
                &state.db,
                &storage::booking::settings_key(kind.code()),
                &json,
            )
            .await?;
            storage::audit::record(
                &state.db,
                UnixMs::now(),
                &user.email,
                "Termin-Einstellungen gespeichert",
                kind.code(),
            )
            .await?;
            Ok(Redirect::to(&format!(
                "/admin/termine/einstellungen/{}?ok=gespeichert",
                kind.code()
            ))
            .into_response())
        }
        Err(errors) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            settings_page(&user, None, kind, input, errors),
        )
            .into_response()),
    }
}

struct BlockLine {
    id: i64,
    range: String,
    note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/termine_sperrzeiten.html")]
struct BlocksPage {
    nav: &'static str,
    ctx: AdminCtx,
    blocks: Vec<BlockLine>,
    holidays: Vec<(String, &'static str)>,
    error: Option<String>,
    from: String,
    to: String,
    note: String,
}

fn german_date(day: &str) -> String {
    day.parse::<Date>()
        .ok()
        .and_then(|d| UnixMs::from_vienna_date(&d.to_string()))
        .map(UnixMs::format_long_date)
        .unwrap_or_else(|| day.to_owned())
}

async fn blocks_view(
    state: &AppState,
    user: &AdminUser,
    flash_msg: Option<&'static str>,
    error: Option<String>,
    from: String,
    to: String,
    note: String,
) -> AppResult<BlocksPage> {
    let now = UnixMs::now();
    let today = vienna_date(now);
    let blocks = storage::booking::blocks(&state.db, &today.to_string())
        .await?
        .into_iter()
        .map(|b| BlockLine {
            id: b.id,
            range: if b.from_day == b.to_day {
                german_date(&b.from_day)
            } else {
                format!("{} – {}", german_date(&b.from_day), german_date(&b.to_day))
            },
            note: b.note,
        })
        .collect();
    let mut holidays: Vec<(String, &'static str)> = Vec::new();
    for year in [today.year(), today.year().saturating_add(1)] {
        for (d, name) in austrian_holidays(year) {
            if d >= today && holidays.len() < 14 {
                holidays.push((german_date(&d.to_string()), name));
            }
        }
    }
    Ok(BlocksPage {
        nav: "termine",
        ctx: AdminCtx::new(user, flash_msg),
        blocks,
        holidays,
        error,
        from,
        to,
        note,
    })
}

async fn blocks_page(
    State(state): State<AppState>,
    user: AdminUser,
    Query(q): Query<ListQuery>,
) -> AppResult<BlocksPage> {
    blocks_view(
        &state,
        &user,
        flash(q.ok.as_deref()),
        None,
        String::new(),
        String::new(),
        String::new(),
    )
    .await
}

async fn add_block(
    State(state): State<AppState>,
    user: AdminUser,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let from_raw = form.get("from").trim().to_owned();
    let to_raw = form.get("to").trim().to_owned();
    let note_raw = form.get("note").to_owned();
    let from = from_raw.parse::<Date>().ok();
    let to = if to_raw.is_empty() {
        from
    } else {
        to_raw.parse::<Date>().ok()
    };
    let note = domain::text::clean(
        &note_raw,
        domain::text::TextRule {
            label: "Die Notiz",
            missing: "",
            required: false,
            max_chars: 200,
            multiline: false,
        },
    );
    let error = match (from, to, &note) {
        (None, _, _) => Some("Bitte wählen Sie den ersten gesperrten Tag.".to_owned()),
        (_, None, _) => Some("Das Datum „bis“ ist ungültig. Bitte wählen Sie einen Tag oder lassen Sie das Feld leer.".to_owned()),
        (Some(f), Some(t), _) if t < f => Some("Der letzte Tag liegt vor dem ersten. Bitte tauschen Sie die Daten.".to_owned()),
        (_, _, Err(m)) => Some(m.clone()),
        _ => None,
    };
    if let (None, Some(f), Some(t)) = (&error, from, to) {
        let note = note.ok().flatten().unwrap_or_default();
        storage::booking::add_block(
            &state.db,
            &f.to_string(),
            &t.to_string(),
            &note,
            UnixMs::now(),
        )
        .await?;
        return Ok(Redirect::to("/admin/termine/sperrzeiten?ok=sperrzeit").into_response());
    }
    let page = blocks_view(&state, &user, None, error, from_raw, to_raw, note_raw).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn delete_block(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    if !storage::booking::delete_block(&state.db, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/admin/termine/sperrzeiten?ok=sperrzeit-geloescht").into_response())
}

/// The bookings block of the lead detail page.
pub struct LeadPanel {
    /// The lead's bookings.
    pub bookings: Vec<BookingLine>,
    /// The personal 1:1 link, for leads at stage Teilnehmer or Referenzkunde.
    pub access_link: Option<String>,
    /// Until when the link works.
    pub access_until: String,
}

/// Builds the lead page's bookings block (called from the lead detail handler).
pub async fn lead_panel(state: &AppState, lead: &LeadRow) -> AppResult<LeadPanel> {
    let now = UnixMs::now();
    let bookings = storage::booking::for_lead(&state.db, lead.id)
        .await?
        .iter()
        .map(|b| BookingLine::new(b, now))
        .collect();
    let (access_link, until) = match access_link(state, lead, now) {
        Some((link, until)) => (Some(link), until.format_long_date()),
        None => (None, String::new()),
    };
    Ok(LeadPanel {
        bookings,
        access_link,
        access_until: until,
    })
}

fn access_link(state: &AppState, lead: &LeadRow, now: UnixMs) -> Option<(String, UnixMs)> {
    let stage = lead.stage.parse::<LeadStage>().ok()?;
    if !matches!(stage, LeadStage::Teilnehmer | LeadStage::Referenzkunde) {
        return None;
    }
    // Valid until the end of the day, so links made on one day are identical.
    let until = UnixMs::from_vienna_date(
        &vienna_date(now.plus_ms(ACCESS_LINK_DAYS * 86_400_000)).to_string(),
    )?;
    let token = state
        .booking
        .signer
        .access(MeetingKind::EinsZuEins.code(), lead.id, until);
    Some((
        format!(
            "{}/termin/eins-zu-eins?zugang={token}",
            state.config.base_url
        ),
        until,
    ))
}

async fn send_access_link(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let lead = storage::leads::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = UnixMs::now();
    let Some((link, until)) = access_link(&state, &lead, now) else {
        return Err(AppError::BadRequest(
            "Den 1:1-Link gibt es nur für Leads in der Phase „Teilnehmer“ oder „Referenzkunde“. Bitte ändern Sie zuerst die Phase.".to_owned(),
        ));
    };
    let profile = CompanyProfile::load(&state.db).await?;
    let team = team_address(&state, &profile);
    let host = uid_host(&state);
    let ctx = mail_ctx(&state, &profile, team.as_deref(), &host, now);
    let mail = ctx.access_link(lead.id, &lead.name, &lead.email, &link, until);
    storage::outbox::enqueue(&state.db, &mail, now).await?;
    storage::leads::add_note(
        &state.db,
        lead.id,
        &user.email,
        "Persönlichen 1:1-Termin-Link per E-Mail geschickt.",
        now,
    )
    .await?;
    state.mail_wakeup.notify_one();
    Ok(Redirect::to(&format!("/admin/leads/{id}?ok=termin-link#termine")).into_response())
}
