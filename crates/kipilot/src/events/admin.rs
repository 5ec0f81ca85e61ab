//! Back office for round-tables: plan events (with the monthly helper), see and export
//! registrations, remove one, cancel an event, write minutes and record pain points, and
//! keep the managed tag list.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::events::{EventInput, MonthlyRule, format_event_time, vienna_date_time};
use domain::text::{TextRule, clean};
use domain::{FieldErrors, UnixMs};
use serde::Deserialize;
use storage::events::{
    EventWithCounts, PainPointRow, RegistrationListRow, SOURCE_EVENT, TagDelete, TagRow,
    UpdateOutcome, status,
};

use super::mails::Mailer;
use crate::admin::AdminCtx;
use crate::admin::auth::AdminUser;
use crate::admin::leads::csv_cell;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::formdata::FormFields;

/// Success message after a redirect, chosen by a short code (never free text from the URL).
pub struct EventFlash(Option<&'static str>);

#[derive(Deserialize)]
struct FlashQuery {
    ok: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for EventFlash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let code = Query::<FlashQuery>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|q| q.0.ok);
        Ok(EventFlash(code.as_deref().and_then(|c| match c {
            "gespeichert" => Some("Gespeichert."),
            "benachrichtigt" => Some("Gespeichert. Alle mit Platz bekommen die geänderte Einladung per E-Mail."),
            "abgesagt" => Some("Die Veranstaltung ist abgesagt. Alle Angemeldeten bekommen eine E-Mail, wer einen Platz hatte, mit der Absage für den Kalender."),
            "entfernt" => Some("Die Anmeldung ist storniert. Falls jemand auf der Warteliste stand, ist die Person nachgerückt und benachrichtigt."),
            "protokoll" => Some("Das Protokoll ist gespeichert."),
            "veroeffentlicht" => Some("Das Protokoll ist für die Angemeldeten freigegeben; sie bekommen eine E-Mail mit ihrem persönlichen Link."),
            "zurueckgezogen" => Some("Das Protokoll ist nicht mehr sichtbar."),
            "punkt" => Some("Der Punkt ist gespeichert."),
            "punkt-geloescht" => Some("Der Punkt ist gelöscht."),
            "schlagwort" => Some("Das Schlagwort ist angelegt."),
            "schlagwort-geloescht" => Some("Das Schlagwort ist gelöscht."),
            _ => None,
        })))
    }
}

/// One line of the event list.
pub struct EventLine {
    id: i64,
    title: String,
    when: String,
    slug: String,
    capacity: i64,
    seats: i64,
    waitlist: i64,
    unconfirmed: i64,
    cancelled: bool,
    past: bool,
    minutes_published: bool,
}

impl EventLine {
    fn new(e: &EventWithCounts, now: UnixMs) -> EventLine {
        EventLine {
            id: e.event.id,
            title: e.event.title.clone(),
            when: format_event_time(UnixMs(e.event.starts_ms), e.event.duration_min),
            slug: e.event.slug.clone(),
            capacity: e.event.capacity,
            seats: e.seats,
            waitlist: e.waitlist,
            unconfirmed: e.unconfirmed,
            cancelled: e.event.cancelled_ms.is_some(),
            past: e.event.starts_ms <= now.0,
            minutes_published: e.event.minutes_published_ms.is_some(),
        }
    }
}

/// A date the monthly helper proposes.
pub struct Proposal {
    label: String,
    href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/events.html")]
pub(super) struct ListPage {
    nav: &'static str,
    ctx: AdminCtx,
    events: Vec<EventLine>,
    rule: Option<String>,
    proposals: Vec<Proposal>,
}

/// The next dates following the latest round-table's rhythm.
async fn proposals(state: &AppState, now: UnixMs) -> AppResult<(Option<String>, Vec<Proposal>)> {
    let Some(last) = storage::events::latest(&state.db).await? else {
        return Ok((None, Vec::new()));
    };
    let Some(rule) = MonthlyRule::from_start(UnixMs(last.starts_ms)) else {
        return Ok((None, Vec::new()));
    };
    let after = UnixMs(last.starts_ms.max(now.0));
    let list = rule
        .next_after(after, 3)
        .into_iter()
        .map(|at| {
            let (date, time) = vienna_date_time(at);
            Proposal {
                label: format_event_time(at, last.duration_min),
                href: format!(
                    "/admin/veranstaltungen/neu?vorlage={}&datum={date}&zeit={time}",
                    last.id
                ),
            }
        })
        .collect();
    Ok((Some(rule.label()), list))
}

/// `GET /admin/veranstaltungen`.
pub(super) async fn list(
    State(state): State<AppState>,
    user: AdminUser,
    flash: EventFlash,
) -> AppResult<ListPage> {
    let now = UnixMs::now();
    let events = storage::events::all(&state.db, now)
        .await?
        .iter()
        .map(|e| EventLine::new(e, now))
        .collect();
    let (rule, proposals) = proposals(&state, now).await?;
    Ok(ListPage {
        nav: "veranstaltungen",
        ctx: AdminCtx::new(&user, flash.0),
        events,
        rule,
        proposals,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/event_edit.html")]
pub(super) struct EditPage {
    nav: &'static str,
    ctx: AdminCtx,
    id: Option<i64>,
    form: EventInput,
    errors: FieldErrors,
    preview_html: String,
    summary: Option<EventLine>,
}

impl EditPage {
    fn new(
        user: &AdminUser,
        flash: Option<&'static str>,
        id: Option<i64>,
        form: EventInput,
        errors: FieldErrors,
        summary: Option<EventLine>,
    ) -> EditPage {
        EditPage {
            nav: "veranstaltungen",
            ctx: AdminCtx::new(user, flash),
            id,
            preview_html: crate::markdown::to_safe_html(&form.description_md),
            form,
            errors,
            summary,
        }
    }

    fn status(self, status: StatusCode) -> Response {
        (status, self).into_response()
    }
}

fn input_from(f: &FormFields) -> EventInput {
    EventInput {
        title: f.get("title").to_owned(),
        slug: f.get("slug").to_owned(),
        date: f.get("date").to_owned(),
        time: f.get("time").to_owned(),
        duration_min: f.get("duration_min").to_owned(),
        online_url: f.get("online_url").to_owned(),
        capacity: f.get("capacity").to_owned(),
        description_md: f.get("description_md").to_owned(),
    }
}

fn input_of(e: &storage::events::EventRow) -> EventInput {
    let (date, time) = vienna_date_time(UnixMs(e.starts_ms));
    EventInput {
        title: e.title.clone(),
        slug: e.slug.clone(),
        date,
        time,
        duration_min: e.duration_min.to_string(),
        online_url: e.online_url.clone(),
        capacity: e.capacity.to_string(),
        description_md: e.description_md.clone(),
    }
}

#[derive(Deserialize)]
pub(super) struct NewQuery {
    vorlage: Option<i64>,
    datum: Option<String>,
    zeit: Option<String>,
}

/// `GET /admin/veranstaltungen/neu`, optionally prefilled from a template event and a
/// proposed date.
pub(super) async fn new_form(
    State(state): State<AppState>,
    user: AdminUser,
    Query(q): Query<NewQuery>,
) -> AppResult<EditPage> {
    let mut form = EventInput {
        title: "Round-Table KI-Pilotprojekt".to_owned(),
        time: "17:00".to_owned(),
        duration_min: "90".to_owned(),
        capacity: "12".to_owned(),
        ..EventInput::default()
    };
    if let Some(id) = q.vorlage
        && let Some(template) = storage::events::get(&state.db, id).await?
    {
        form = EventInput {
            slug: String::new(),
            ..input_of(&template.event)
        };
    }
    if let Some(date) = q.datum {
        form.date = date.chars().take(10).collect();
    }
    if let Some(time) = q.zeit {
        form.time = time.chars().take(5).collect();
    }
    Ok(EditPage::new(
        &user,
        None,
        None,
        form,
        FieldErrors::default(),
        None,
    ))
}

fn slug_taken_errors() -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(
        "slug",
        "Diese Adresse ist schon vergeben. Bitte wählen Sie eine andere, z. B. mit dem Datum.",
    );
    errors
}

/// Whether `slug` is taken by another event or names a fixed page (`anmeldung`).
async fn slug_unavailable(state: &AppState, slug: &str, except: Option<i64>) -> AppResult<bool> {
    Ok(slug == "anmeldung" || storage::events::slug_taken(&state.db, slug, except).await?)
}

/// `POST /admin/veranstaltungen/neu`.
pub(super) async fn create(
    State(state): State<AppState>,
    user: AdminUser,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let input = input_from(&form);
    if form.get("action") == "preview" {
        return Ok(
            EditPage::new(&user, None, None, input, FieldErrors::default(), None).into_response(),
        );
    }
    let now = UnixMs::now();
    let draft = match input.parse(now, None) {
        Ok(d) => d,
        Err(errors) => {
            return Ok(EditPage::new(&user, None, None, input, errors, None)
                .status(StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    if slug_unavailable(&state, &draft.slug, None).await? {
        return Ok(
            EditPage::new(&user, None, None, input, slug_taken_errors(), None)
                .status(StatusCode::UNPROCESSABLE_ENTITY),
        );
    }
    let id = storage::events::create_event(&state.db, &draft, now).await?;
    storage::audit::record(
        &state.db,
        now,
        &user.actor(),
        "Veranstaltung angelegt",
        &format!("event #{id}"),
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/veranstaltungen/{id}?ok=gespeichert")).into_response())
}

async fn load(state: &AppState, id: i64) -> AppResult<EventWithCounts> {
    storage::events::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// `GET /admin/veranstaltungen/{id}`.
pub(super) async fn edit_form(
    State(state): State<AppState>,
    user: AdminUser,
    flash: EventFlash,
    Path(id): Path<i64>,
) -> AppResult<EditPage> {
    let event = load(&state, id).await?;
    Ok(EditPage::new(
        &user,
        flash.0,
        Some(id),
        input_of(&event.event),
        FieldErrors::default(),
        Some(EventLine::new(&event, UnixMs::now())),
    ))
}

/// `POST /admin/veranstaltungen/{id}`.
pub(super) async fn save(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let event = load(&state, id).await?;
    let now = UnixMs::now();
    let summary = || Some(EventLine::new(&event, now));
    let input = input_from(&form);
    if form.get("action") == "preview" {
        return Ok(EditPage::new(
            &user,
            None,
            Some(id),
            input,
            FieldErrors::default(),
            summary(),
        )
        .into_response());
    }
    let draft = match input.parse(now, Some(UnixMs(event.event.starts_ms))) {
        Ok(d) => d,
        Err(errors) => {
            return Ok(
                EditPage::new(&user, None, Some(id), input, errors, summary())
                    .status(StatusCode::UNPROCESSABLE_ENTITY),
            );
        }
    };
    if slug_unavailable(&state, &draft.slug, Some(id)).await? {
        return Ok(
            EditPage::new(&user, None, Some(id), input, slug_taken_errors(), summary())
                .status(StatusCode::UNPROCESSABLE_ENTITY),
        );
    }
    let mailer = Mailer::load(&state, now).await?;
    let outcome = storage::events::update_event(&state.db, id, &draft, now, &mailer).await?;
    state.mail_wakeup.notify_one();
    match outcome {
        UpdateOutcome::Saved { notified, .. } => {
            let code = if notified > 0 {
                "benachrichtigt"
            } else {
                "gespeichert"
            };
            Ok(Redirect::to(&format!("/admin/veranstaltungen/{id}?ok={code}")).into_response())
        }
        UpdateOutcome::CapacityBelowSeats(seats) => {
            let mut errors = FieldErrors::default();
            errors.add(
                "capacity",
                format!(
                    "{seats} Personen haben schon einen Platz. Bitte geben Sie mindestens {seats} Plätze an oder nehmen Sie vorher jemanden von der Liste."
                ),
            );
            Ok(
                EditPage::new(&user, None, Some(id), input, errors, summary())
                    .status(StatusCode::UNPROCESSABLE_ENTITY),
            )
        }
        UpdateOutcome::NotFound => Err(AppError::NotFound),
    }
}

/// `POST /admin/veranstaltungen/{id}/absagen`.
pub(super) async fn cancel_event(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    if form.get("confirm") != "on" {
        return Err(AppError::BadRequest(
            "Bitte bestätigen Sie das Absagen mit dem Häkchen. Alle Angemeldeten bekommen dann eine E-Mail.".to_owned(),
        ));
    }
    let now = UnixMs::now();
    let mailer = Mailer::load(&state, now).await?;
    let Some(mailed) = storage::events::cancel_event(&state.db, id, now, &mailer).await? else {
        return Err(AppError::BadRequest(
            "Diese Veranstaltung ist schon abgesagt oder existiert nicht.".to_owned(),
        ));
    };
    state.mail_wakeup.notify_one();
    storage::audit::record(
        &state.db,
        now,
        &user.actor(),
        &format!("Veranstaltung abgesagt ({mailed} E-Mails)"),
        &format!("event #{id}"),
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/veranstaltungen/{id}?ok=abgesagt")).into_response())
}

/// A registration as a table row.
pub struct RegLine {
    id: i64,
    lead_id: i64,
    name: String,
    email: String,
    company: String,
    source: String,
    status: &'static str,
    status_code: String,
    registered: String,
    confirmed: String,
}

impl From<&RegistrationListRow> for RegLine {
    fn from(r: &RegistrationListRow) -> Self {
        RegLine {
            id: r.reg.id,
            lead_id: r.reg.lead_id,
            name: r.reg.name.clone(),
            email: r.reg.email.clone(),
            company: r.company.clone(),
            source: r.source.clone().unwrap_or_else(|| "direkt".to_owned()),
            status: status::label(&r.reg.status),
            status_code: r.reg.status.clone(),
            registered: UnixMs(r.reg.created_ms).format_short(),
            confirmed: r
                .reg
                .confirmed_ms
                .map(|t| UnixMs(t).format_short())
                .unwrap_or_default(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/event_registrations.html")]
pub(super) struct RegistrationsPage {
    nav: &'static str,
    ctx: AdminCtx,
    event: EventLine,
    regs: Vec<RegLine>,
}

/// `GET /admin/veranstaltungen/{id}/anmeldungen`.
pub(super) async fn registrations(
    State(state): State<AppState>,
    user: AdminUser,
    flash: EventFlash,
    Path(id): Path<i64>,
) -> AppResult<RegistrationsPage> {
    let event = load(&state, id).await?;
    let regs = storage::events::registrations(&state.db, id).await?;
    Ok(RegistrationsPage {
        nav: "veranstaltungen",
        ctx: AdminCtx::new(&user, flash.0),
        event: EventLine::new(&event, UnixMs::now()),
        regs: regs.iter().map(RegLine::from).collect(),
    })
}

/// `GET /admin/veranstaltungen/{id}/anmeldungen.csv`: semicolon-separated with a UTF-8
/// BOM (German Excel), every cell quoted and guarded against formulas.
pub(super) async fn registrations_csv(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let event = load(&state, id).await?;
    let regs = storage::events::registrations(&state.db, id).await?;
    let mut out = String::from("\u{feff}");
    out.push_str("Status;Name;Unternehmen;E-Mail;Quelle;Angemeldet;Bestätigt;Abgesagt\n");
    for r in &regs {
        let line = RegLine::from(r);
        let cells = [
            line.status.to_owned(),
            line.name,
            line.company,
            line.email,
            line.source,
            line.registered,
            line.confirmed,
            r.reg
                .cancelled_ms
                .map(|t| UnixMs(t).format_short())
                .unwrap_or_default(),
        ];
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(";"),
        );
        out.push('\n');
    }
    storage::audit::record(
        &state.db,
        UnixMs::now(),
        &user.actor(),
        "Anmeldeliste exportiert",
        &format!("event #{id}"),
    )
    .await?;
    let filename = format!("anmeldungen-{}.csv", event.event.slug);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        out,
    )
        .into_response())
}

/// `POST /admin/veranstaltungen/{id}/anmeldungen/{rid}/entfernen`.
pub(super) async fn remove_registration(
    State(state): State<AppState>,
    user: AdminUser,
    Path((id, rid)): Path<(i64, i64)>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let reg = storage::events::registration(&state.db, rid)
        .await?
        .filter(|r| r.event_id == id)
        .ok_or(AppError::NotFound)?;
    let now = UnixMs::now();
    let mailer = Mailer::load(&state, now).await?;
    storage::events::cancel(&state.db, reg.id, None, now, &mailer).await?;
    state.mail_wakeup.notify_one();
    storage::audit::record(
        &state.db,
        now,
        &user.actor(),
        "Anmeldung storniert",
        &format!("event #{id}, registration #{rid}"),
    )
    .await?;
    Ok(Redirect::to(&format!(
        "/admin/veranstaltungen/{id}/anmeldungen?ok=entfernt"
    ))
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/event_minutes.html")]
pub(super) struct MinutesPage {
    nav: &'static str,
    ctx: AdminCtx,
    event: EventLine,
    minutes_md: String,
    preview_html: String,
    published: bool,
    pain_points: Vec<PainPointRow>,
    tags: Vec<TagRow>,
    errors: FieldErrors,
    pain_text: String,
    pain_tag: i64,
    pain_wish: bool,
}

impl MinutesPage {
    async fn render(
        state: &AppState,
        user: &AdminUser,
        flash: Option<&'static str>,
        event: &EventWithCounts,
        minutes_md: Option<String>,
        errors: FieldErrors,
        pain: (String, i64, bool),
    ) -> AppResult<MinutesPage> {
        let minutes_md = minutes_md.unwrap_or_else(|| event.event.minutes_md.clone());
        Ok(MinutesPage {
            nav: "veranstaltungen",
            ctx: AdminCtx::new(user, flash),
            event: EventLine::new(event, UnixMs::now()),
            preview_html: crate::markdown::to_safe_html(&minutes_md),
            minutes_md,
            published: event.event.minutes_published_ms.is_some(),
            pain_points: storage::events::pain_points_of(&state.db, SOURCE_EVENT, event.event.id)
                .await?,
            tags: storage::events::tags(&state.db).await?,
            errors,
            pain_text: pain.0,
            pain_tag: pain.1,
            pain_wish: pain.2,
        })
    }
}

/// `GET /admin/veranstaltungen/{id}/protokoll`.
pub(super) async fn minutes_form(
    State(state): State<AppState>,
    user: AdminUser,
    flash: EventFlash,
    Path(id): Path<i64>,
) -> AppResult<MinutesPage> {
    let event = load(&state, id).await?;
    MinutesPage::render(
        &state,
        &user,
        flash.0,
        &event,
        None,
        FieldErrors::default(),
        (String::new(), 0, false),
    )
    .await
}

/// `POST /admin/veranstaltungen/{id}/protokoll` with `action` = `save`, `preview`,
/// `publish` (save and release to the registrants) or `unpublish`.
pub(super) async fn save_minutes(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let event = load(&state, id).await?;
    let now = UnixMs::now();
    let action = form.get("action");
    if action == "unpublish" {
        storage::events::unpublish_minutes(&state.db, id, now).await?;
        return Ok(Redirect::to(&format!(
            "/admin/veranstaltungen/{id}/protokoll?ok=zurueckgezogen"
        ))
        .into_response());
    }
    let typed = form.get("minutes_md").to_owned();
    let rule = TextRule {
        label: "Das Protokoll",
        missing: "Bitte schreiben Sie das Protokoll, bevor Sie es freigeben.",
        required: action == "publish",
        max_chars: domain::events::MAX_MARKDOWN,
        multiline: true,
    };
    let cleaned = match clean(&typed, rule) {
        Ok(c) => c.unwrap_or_default(),
        Err(message) => {
            let mut errors = FieldErrors::default();
            errors.add("minutes_md", message);
            let page = MinutesPage::render(
                &state,
                &user,
                None,
                &event,
                Some(typed),
                errors,
                (String::new(), 0, false),
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if action == "preview" {
        let page = MinutesPage::render(
            &state,
            &user,
            None,
            &event,
            Some(cleaned),
            FieldErrors::default(),
            (String::new(), 0, false),
        )
        .await?;
        return Ok(page.into_response());
    }
    if action == "publish" && event.event.starts_ms > now.0 {
        let mut errors = FieldErrors::default();
        errors.add(
            "minutes_md",
            "Die Veranstaltung hat noch nicht stattgefunden. Sie können das Protokoll schon speichern und nach dem Termin freigeben.",
        );
        let page = MinutesPage::render(
            &state,
            &user,
            None,
            &event,
            Some(cleaned),
            errors,
            (String::new(), 0, false),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    storage::events::save_minutes(&state.db, id, &cleaned, now).await?;
    if action == "publish" {
        let mailer = Mailer::load(&state, now).await?;
        let mailed = storage::events::publish_minutes(&state.db, id, now, &mailer)
            .await?
            .unwrap_or(0);
        state.mail_wakeup.notify_one();
        storage::audit::record(
            &state.db,
            now,
            &user.actor(),
            &format!("Protokoll freigegeben ({mailed} E-Mails)"),
            &format!("event #{id}"),
        )
        .await?;
        return Ok(Redirect::to(&format!(
            "/admin/veranstaltungen/{id}/protokoll?ok=veroeffentlicht"
        ))
        .into_response());
    }
    Ok(Redirect::to(&format!(
        "/admin/veranstaltungen/{id}/protokoll?ok=protokoll"
    ))
    .into_response())
}

/// `POST /admin/veranstaltungen/{id}/schmerzpunkte`.
pub(super) async fn add_pain_point(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let event = load(&state, id).await?;
    let text = form.get("text").to_owned();
    let tag: i64 = form.get("tag_id").parse().unwrap_or(0);
    let wish = form.get("is_wish") == "on";
    let mut errors = FieldErrors::default();
    let cleaned = clean(
        &text,
        TextRule {
            label: "Der Punkt",
            missing: "Bitte beschreiben Sie kurz, was genannt wurde, z. B. „Unklar, ob Kundendaten in ChatGPT dürfen“.",
            required: true,
            max_chars: 500,
            multiline: false,
        },
    )
    .map_err(|m| errors.add("text", m))
    .ok()
    .flatten();
    if let Some(text) = cleaned
        && errors.is_empty()
        && storage::events::add_pain_point(
            &state.db,
            &text,
            tag,
            wish,
            SOURCE_EVENT,
            id,
            UnixMs::now(),
        )
        .await?
    {
        return Ok(Redirect::to(&format!(
            "/admin/veranstaltungen/{id}/protokoll?ok=punkt#schmerzpunkte"
        ))
        .into_response());
    }
    if errors.is_empty() {
        errors.add("tag_id", "Bitte wählen Sie ein Schlagwort aus der Liste.");
    }
    let page =
        MinutesPage::render(&state, &user, None, &event, None, errors, (text, tag, wish)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /admin/veranstaltungen/{id}/schmerzpunkte/{pid}/loeschen`.
pub(super) async fn delete_pain_point(
    State(state): State<AppState>,
    user: AdminUser,
    Path((id, pid)): Path<(i64, i64)>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    if !storage::events::delete_pain_point(&state.db, pid, SOURCE_EVENT, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!(
        "/admin/veranstaltungen/{id}/protokoll?ok=punkt-geloescht#schmerzpunkte"
    ))
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/pain_tags.html")]
pub(super) struct TagsPage {
    nav: &'static str,
    ctx: AdminCtx,
    tags: Vec<TagRow>,
    label: String,
    error: Option<String>,
}

/// `GET /admin/veranstaltungen/schlagworte`.
pub(super) async fn tags(
    State(state): State<AppState>,
    user: AdminUser,
    flash: EventFlash,
) -> AppResult<TagsPage> {
    Ok(TagsPage {
        nav: "veranstaltungen",
        ctx: AdminCtx::new(&user, flash.0),
        tags: storage::events::tags(&state.db).await?,
        label: String::new(),
        error: None,
    })
}

async fn tags_error(
    state: &AppState,
    user: &AdminUser,
    label: String,
    error: String,
) -> AppResult<Response> {
    let page = TagsPage {
        nav: "veranstaltungen",
        ctx: AdminCtx::new(user, None),
        tags: storage::events::tags(&state.db).await?,
        label,
        error: Some(error),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /admin/veranstaltungen/schlagworte`.
pub(super) async fn add_tag(
    State(state): State<AppState>,
    user: AdminUser,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let typed = form.get("label").to_owned();
    let rule = TextRule {
        label: "Das Schlagwort",
        missing: "Bitte geben Sie ein Schlagwort ein, z. B. „Schulung“.",
        required: true,
        max_chars: 60,
        multiline: false,
    };
    let label = match clean(&typed, rule) {
        Ok(Some(l)) => l,
        Ok(None) => return tags_error(&state, &user, typed, rule.missing.to_owned()).await,
        Err(m) => return tags_error(&state, &user, typed, m).await,
    };
    if !storage::events::add_tag(&state.db, &label, UnixMs::now()).await? {
        return tags_error(
            &state,
            &user,
            typed,
            "Dieses Schlagwort gibt es schon.".to_owned(),
        )
        .await;
    }
    Ok(Redirect::to("/admin/veranstaltungen/schlagworte?ok=schlagwort").into_response())
}

/// `POST /admin/veranstaltungen/schlagworte/{id}/loeschen`.
pub(super) async fn delete_tag(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    match storage::events::delete_tag(&state.db, id).await? {
        TagDelete::Deleted => {
            Ok(Redirect::to("/admin/veranstaltungen/schlagworte?ok=schlagwort-geloescht")
                .into_response())
        }
        TagDelete::InUse(n) => tags_error(
            &state,
            &user,
            String::new(),
            format!("Dieses Schlagwort tragen noch {n} Punkte. Bitte ordnen Sie diese zuerst einem anderen Schlagwort zu oder löschen Sie sie."),
        )
        .await,
        TagDelete::NotFound => Err(AppError::NotFound),
    }
}
