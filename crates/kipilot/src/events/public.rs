//! Public round-table pages: list, event page with registration, confirmation, personal
//! page (cancel, calendar file), minutes behind the personal link.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::consent::EVENT_REGISTRATION_V1;
use domain::events::{RegistrationInput, format_event_time};
use domain::text::{TextRule, clean};
use domain::{FieldErrors, UnixMs};
use serde::Deserialize;
use storage::events::{
    CancelOutcome, Closed, ConfirmOutcome, EventWithCounts, PainPointRow, RegistrationRow,
    SOURCE_EVENT, SubmitOutcome, status,
};
use storage::leads::ConsentGiven;

use super::mails::Mailer;
use super::{LinkPurpose, link_token, resolve};
use crate::error::{AppError, AppResult};
use crate::site::SimplePage;
use crate::state::AppState;
use crate::web::client::ClientIp;
use crate::web::formdata::FormFields;

/// Name under which the registration form's anti-forgery token is signed.
const FORM: &str = "veranstaltung";
/// Longest optional company name.
const MAX_COMPANY: usize = 150;

/// An event as the public pages show it.
pub struct EventView {
    /// Address part.
    pub slug: String,
    /// Title.
    pub title: String,
    /// "Dienstag, 8. Dezember 2026, 17:00–18:30 Uhr".
    pub when: String,
    /// Description rendered from Markdown (safe HTML).
    pub description_html: String,
    /// Seats in total.
    pub capacity: i64,
    /// Seats still free.
    pub free: i64,
    /// Whether the team cancelled it.
    pub cancelled: bool,
    /// Whether it has started or is over.
    pub past: bool,
}

impl EventView {
    fn new(e: &EventWithCounts, now: UnixMs) -> EventView {
        EventView {
            slug: e.event.slug.clone(),
            title: e.event.title.clone(),
            when: format_event_time(UnixMs(e.event.starts_ms), e.event.duration_min),
            description_html: crate::markdown::to_safe_html(&e.event.description_md),
            capacity: e.event.capacity,
            free: (e.event.capacity - e.seats).max(0),
            cancelled: e.event.cancelled_ms.is_some(),
            past: e.event.starts_ms <= now.0,
        }
    }

    /// Whether the registration form is shown.
    pub fn open(&self) -> bool {
        !self.cancelled && !self.past
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "site/events.html")]
pub(super) struct ListPage {
    nav: &'static str,
    events: Vec<EventView>,
}

/// `GET /veranstaltungen`.
pub(super) async fn list(State(state): State<AppState>) -> AppResult<ListPage> {
    let now = UnixMs::now();
    let events = storage::events::upcoming(&state.db, now)
        .await?
        .iter()
        .map(|e| EventView::new(e, now))
        .collect();
    Ok(ListPage {
        nav: "veranstaltungen",
        events,
    })
}

/// The form as typed, including the optional company.
#[derive(Debug, Clone, Default)]
struct Typed {
    input: RegistrationInput,
    company: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "site/event.html")]
struct EventPage {
    nav: &'static str,
    event: EventView,
    typed: Typed,
    errors: FieldErrors,
    notice: Option<&'static str>,
    form_token: String,
    consent_text: &'static str,
}

impl EventPage {
    fn new(
        state: &AppState,
        event: EventView,
        typed: Typed,
        errors: FieldErrors,
        notice: Option<&'static str>,
    ) -> EventPage {
        EventPage {
            nav: "veranstaltungen",
            event,
            typed,
            errors,
            notice,
            form_token: state.forms.issue(FORM, UnixMs::now()),
            consent_text: EVENT_REGISTRATION_V1.text,
        }
    }

    fn status(self, status: StatusCode) -> Response {
        (status, self).into_response()
    }
}

#[derive(Deserialize)]
pub(super) struct SourceQuery {
    source: Option<String>,
}

/// `GET /veranstaltungen/{slug}`.
pub(super) async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<SourceQuery>,
) -> AppResult<Response> {
    let event = storage::events::by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let typed = Typed {
        input: RegistrationInput {
            source: q
                .source
                .as_deref()
                .and_then(domain::application::parse_source)
                .unwrap_or_default(),
            ..RegistrationInput::default()
        },
        company: String::new(),
    };
    Ok(EventPage::new(
        &state,
        EventView::new(&event, UnixMs::now()),
        typed,
        FieldErrors::default(),
        None,
    )
    .into_response())
}

fn closed_message(why: Closed) -> &'static str {
    match why {
        Closed::Cancelled => {
            "Diese Veranstaltung wurde leider abgesagt. Die nächsten Termine finden Sie in der Übersicht der Round-Tables."
        }
        Closed::Past => {
            "Diese Veranstaltung hat schon begonnen oder ist vorbei. Die nächsten Termine finden Sie in der Übersicht der Round-Tables."
        }
        Closed::NotFound => "Diese Veranstaltung gibt es nicht (mehr).",
    }
}

/// `POST /veranstaltungen/{slug}/anmelden`.
pub(super) async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(slug): Path<String>,
    form: FormFields,
) -> AppResult<Response> {
    let now = UnixMs::now();
    let event = storage::events::by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let typed = Typed {
        input: RegistrationInput {
            name: form.get("name").to_owned(),
            email: form.get("email").to_owned(),
            consent: form.get("consent") == "on",
            source: form.get("source").to_owned(),
        },
        company: form.get("company").to_owned(),
    };
    let view = EventView::new(&event, now);
    if !state.form_limiter.check(ip) {
        return Ok(EventPage::new(&state, view, typed, FieldErrors::default(), Some(
            "Von Ihrem Anschluss kamen gerade sehr viele Anmeldungen. Bitte warten Sie ein paar Minuten und senden Sie das Formular dann noch einmal ab – Ihre Eingaben sind noch da.",
        ))
        .status(StatusCode::TOO_MANY_REQUESTS));
    }
    if form.is_set("website") {
        tracing::info!("honeypot triggered on event registration");
        return Ok(Redirect::to(&format!("/veranstaltungen/{slug}/danke")).into_response());
    }
    if let Err(e) = state.forms.check(FORM, form.get("form_token"), now) {
        return Ok(EventPage::new(
            &state,
            view,
            typed,
            FieldErrors::default(),
            Some(e.message()),
        )
        .status(StatusCode::UNPROCESSABLE_ENTITY));
    }
    if !view.open() {
        let why = if view.cancelled {
            Closed::Cancelled
        } else {
            Closed::Past
        };
        return Ok(EventPage::new(
            &state,
            view,
            typed,
            FieldErrors::default(),
            Some(closed_message(why)),
        )
        .status(StatusCode::CONFLICT));
    }
    let mut errors = FieldErrors::default();
    let company = clean(
        &typed.company,
        TextRule {
            label: "Der Firmenname",
            missing: "",
            required: false,
            max_chars: MAX_COMPANY,
            multiline: false,
        },
    )
    .map_err(|m| errors.add("company", m))
    .ok()
    .flatten();
    let registration = match typed.input.parse() {
        Ok(r) if errors.is_empty() => r,
        Ok(_) => {
            return Ok(EventPage::new(&state, view, typed, errors, None)
                .status(StatusCode::UNPROCESSABLE_ENTITY));
        }
        Err(more) => {
            for (field, message) in more.iter() {
                errors.add(field, message);
            }
            return Ok(EventPage::new(&state, view, typed, errors, None)
                .status(StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    let mailer = Mailer::load(&state, now).await?;
    let salt = crate::web::tokens::new_token()?;
    let consent = ConsentGiven {
        form: FORM,
        text_version: EVENT_REGISTRATION_V1.version,
        text_hash: &EVENT_REGISTRATION_V1.hash(),
    };
    let outcome = storage::events::submit(
        &state.db,
        event.event.id,
        &registration,
        company.as_deref(),
        consent,
        &salt,
        now,
        &mailer,
    )
    .await?;
    if let SubmitOutcome::Closed(why) = outcome {
        return Ok(EventPage::new(
            &state,
            view,
            typed,
            FieldErrors::default(),
            Some(closed_message(why)),
        )
        .status(StatusCode::CONFLICT));
    }
    tracing::info!(outcome = ?outcome, event_id = event.event.id, "event registration stored");
    state.mail_wakeup.notify_one();
    Ok(Redirect::to(&format!("/veranstaltungen/{slug}/danke")).into_response())
}

/// `GET /veranstaltungen/{slug}/danke`: the same page for every address.
pub(super) async fn thanks(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<SimplePage> {
    let event = storage::events::by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(SimplePage {
        nav: "veranstaltungen",
        title: "Danke! Bitte schauen Sie in Ihr Postfach".to_owned(),
        paragraphs: vec![
            format!(
                "Wir haben Ihnen eine E-Mail zu „{}“ geschickt. Bitte öffnen Sie den Link darin und bestätigen Sie Ihre Anmeldung – erst dann ist Ihr Platz reserviert.",
                event.event.title
            ),
            "Keine E-Mail bekommen? Schauen Sie bitte auch im Spam-Ordner nach. Der Link ist 72 Stunden gültig. Haben Sie sich vertippt, melden Sie sich einfach noch einmal an.".to_owned(),
        ],
        links: vec![
            ("/veranstaltungen".to_owned(), "Alle Round-Tables".to_owned()),
            ("/wissen".to_owned(), "In der Zwischenzeit: Wissen zu DSGVO und KI-Verordnung".to_owned()),
        ],
    })
}

#[derive(Deserialize)]
pub(super) struct TokenQuery {
    token: Option<String>,
}

/// The page for an unknown, forged or replaced link.
fn invalid_link() -> Response {
    (
        StatusCode::NOT_FOUND,
        SimplePage {
            nav: "veranstaltungen",
            title: "Dieser Link ist ungültig".to_owned(),
            paragraphs: vec![
                "Der Link ist unvollständig, wurde verändert oder durch einen neueren ersetzt. Bitte verwenden Sie den Link aus der neuesten E-Mail zu Ihrer Anmeldung.".to_owned(),
                "Sie finden die E-Mail nicht mehr? Melden Sie sich auf der Seite der Veranstaltung einfach noch einmal an – Sie bekommen dann einen neuen Link.".to_owned(),
            ],
            links: vec![("/veranstaltungen".to_owned(), "Zu den Round-Tables".to_owned())],
        },
    )
        .into_response()
}

fn message_page(
    status: StatusCode,
    title: &str,
    text: String,
    links: Vec<(String, String)>,
) -> Response {
    (
        status,
        SimplePage {
            nav: "veranstaltungen",
            title: title.to_owned(),
            paragraphs: vec![text],
            links,
        },
    )
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "site/event_confirm.html")]
struct ConfirmPage {
    nav: &'static str,
    title: String,
    when: String,
    token: String,
}

/// `GET /veranstaltungen/anmeldung/bestaetigen`: a button, because mail scanners open
/// links and must not confirm on the person's behalf.
pub(super) async fn show_confirm(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let token = q.token.unwrap_or_default();
    let Some(reg) = resolve(&state, LinkPurpose::Confirm, &token).await? else {
        return Ok(invalid_link());
    };
    let Some(event) = storage::events::get(&state.db, reg.event_id).await? else {
        return Ok(invalid_link());
    };
    if reg.status != status::UNCONFIRMED {
        return Ok(already_confirmed(&state, &reg));
    }
    Ok(ConfirmPage {
        nav: "veranstaltungen",
        title: event.event.title.clone(),
        when: format_event_time(UnixMs(event.event.starts_ms), event.event.duration_min),
        token,
    }
    .into_response())
}

fn personal_link(state: &AppState, reg: &RegistrationRow) -> String {
    format!(
        "/veranstaltungen/anmeldung?token={}",
        link_token(&state.forms, LinkPurpose::Access, reg)
    )
}

fn already_confirmed(state: &AppState, reg: &RegistrationRow) -> Response {
    if reg.status == status::CANCELLED {
        return invalid_link();
    }
    message_page(
        StatusCode::OK,
        "Ihre Anmeldung ist schon bestätigt",
        "Sie haben den Link bereits verwendet – alles erledigt. Auf Ihrer persönlichen Seite sehen Sie den Stand und können absagen.".to_owned(),
        vec![(personal_link(state, reg), "Zu Ihrer Anmeldung".to_owned())],
    )
}

/// `POST /veranstaltungen/anmeldung/bestaetigen`.
/// No rate limit here: the link's HMAC cannot be guessed, and a shared per-address budget
/// must not lock out colleagues behind one company router.
pub(super) async fn confirm(
    State(state): State<AppState>,
    form: FormFields,
) -> AppResult<Response> {
    let token = form.get("token");
    let Some(reg) = resolve(&state, LinkPurpose::Confirm, token).await? else {
        return Ok(invalid_link());
    };
    let now = UnixMs::now();
    let mailer = Mailer::load(&state, now).await?;
    let consent = ConsentGiven {
        form: FORM,
        text_version: EVENT_REGISTRATION_V1.version,
        text_hash: &EVENT_REGISTRATION_V1.hash(),
    };
    let outcome =
        storage::events::confirm(&state.db, reg.id, &reg.link_salt, consent, now, &mailer).await?;
    state.mail_wakeup.notify_one();
    let me = personal_link(&state, &reg);
    Ok(match outcome {
        ConfirmOutcome::Seat => message_page(
            StatusCode::OK,
            "Geschafft – Ihr Platz ist reserviert!",
            "Danke für Ihre Bestätigung. Die Einladung mit dem Link zum Online-Treffen ist per E-Mail unterwegs, einen Tag vorher erinnern wir Sie.".to_owned(),
            vec![(me, "Zu Ihrer Anmeldung".to_owned()), ("/veranstaltungen".to_owned(), "Alle Round-Tables".to_owned())],
        ),
        ConfirmOutcome::Waitlist(position) => message_page(
            StatusCode::OK,
            "Sie stehen auf der Warteliste",
            format!("Danke für Ihre Bestätigung. Alle Plätze sind gerade vergeben – Sie sind auf Platz {position} der Warteliste. Sagt jemand ab, rücken Sie automatisch nach und bekommen sofort eine E-Mail."),
            vec![(me, "Zu Ihrer Anmeldung".to_owned())],
        ),
        ConfirmOutcome::AlreadyConfirmed(_) => already_confirmed(&state, &reg),
        ConfirmOutcome::Expired => message_page(
            StatusCode::GONE,
            "Dieser Link ist abgelaufen",
            "Bestätigungslinks gelten 72 Stunden. Bitte melden Sie sich auf der Seite der Veranstaltung noch einmal an; Sie bekommen dann einen neuen Link.".to_owned(),
            vec![("/veranstaltungen".to_owned(), "Zu den Round-Tables".to_owned())],
        ),
        ConfirmOutcome::Invalid => invalid_link(),
        ConfirmOutcome::Closed(why) => message_page(
            StatusCode::CONFLICT,
            "Anmeldung nicht mehr möglich",
            closed_message(why).to_owned(),
            vec![("/veranstaltungen".to_owned(), "Zu den Round-Tables".to_owned())],
        ),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "site/event_personal.html")]
struct PersonalPage {
    nav: &'static str,
    event: EventView,
    name: String,
    status_code: String,
    status_label: &'static str,
    position: i64,
    token: String,
    minutes_ready: bool,
}

/// `GET /veranstaltungen/anmeldung?token=…`: status, cancel button, calendar file,
/// minutes.
pub(super) async fn personal_page(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let token = q.token.unwrap_or_default();
    let Some(reg) = resolve(&state, LinkPurpose::Access, &token).await? else {
        return Ok(invalid_link());
    };
    let Some(event) = storage::events::get(&state.db, reg.event_id).await? else {
        return Ok(invalid_link());
    };
    let position = if reg.status == status::WAITLIST {
        storage::events::waitlist_position(&state.db, &reg).await?
    } else {
        0
    };
    let confirmed = reg.status == status::SEAT || reg.status == status::WAITLIST;
    Ok(PersonalPage {
        nav: "veranstaltungen",
        minutes_ready: confirmed && event.event.minutes_published_ms.is_some(),
        event: EventView::new(&event, UnixMs::now()),
        name: reg.name.clone(),
        status_label: status::label(&reg.status),
        status_code: reg.status.clone(),
        position,
        token,
    }
    .into_response())
}

/// `POST /veranstaltungen/anmeldung/absagen`.
pub(super) async fn cancel(State(state): State<AppState>, form: FormFields) -> AppResult<Response> {
    let token = form.get("token");
    let Some(reg) = resolve(&state, LinkPurpose::Access, token).await? else {
        return Ok(invalid_link());
    };
    let now = UnixMs::now();
    let mailer = Mailer::load(&state, now).await?;
    let outcome =
        storage::events::cancel(&state.db, reg.id, Some(&reg.link_salt), now, &mailer).await?;
    state.mail_wakeup.notify_one();
    let back = (
        "/veranstaltungen".to_owned(),
        "Zu den Round-Tables".to_owned(),
    );
    Ok(match outcome {
        CancelOutcome::Cancelled { promoted } => {
            tracing::info!(registration_id = reg.id, promoted = promoted.len(), "event registration cancelled");
            message_page(
                StatusCode::OK,
                "Sie haben abgesagt",
                "Danke, dass Sie Bescheid gegeben haben – so kann jemand von der Warteliste nachrücken. Eine Bestätigung ist per E-Mail unterwegs.".to_owned(),
                vec![back],
            )
        }
        CancelOutcome::AlreadyCancelled => message_page(
            StatusCode::OK,
            "Sie haben bereits abgesagt",
            "Diese Anmeldung ist schon storniert – Sie müssen nichts weiter tun. Möchten Sie doch teilnehmen, melden Sie sich einfach neu an.".to_owned(),
            vec![back],
        ),
        CancelOutcome::Closed(why) => message_page(
            StatusCode::CONFLICT,
            "Absagen ist nicht mehr möglich",
            closed_message(why).to_owned(),
            vec![back],
        ),
        CancelOutcome::Invalid => invalid_link(),
    })
}

/// `GET /veranstaltungen/anmeldung/kalender.ics`: the invitation for a seat holder.
pub(super) async fn calendar_file(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let token = q.token.unwrap_or_default();
    let Some(reg) = resolve(&state, LinkPurpose::Access, &token).await? else {
        return Ok(invalid_link());
    };
    let Some(event) = storage::events::get(&state.db, reg.event_id).await? else {
        return Ok(invalid_link());
    };
    if reg.status != status::SEAT || event.event.cancelled_ms.is_some() {
        return Ok(message_page(
            StatusCode::NOT_FOUND,
            "Kein Kalendereintrag",
            "Einen Kalendereintrag gibt es nur mit einem reservierten Platz. Rücken Sie von der Warteliste nach, schicken wir Ihnen die Einladung per E-Mail.".to_owned(),
            vec![(personal_link(&state, &reg), "Zu Ihrer Anmeldung".to_owned())],
        ));
    }
    let mailer = Mailer::load(&state, UnixMs::now()).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8; method=REQUEST",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"round-table.ics\"",
            ),
        ],
        mailer.invitation(&event.event, &reg),
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "site/event_minutes.html")]
struct MinutesPage {
    nav: &'static str,
    event: EventView,
    minutes_html: String,
    pain_points: Vec<PainPointRow>,
    token: String,
}

/// `GET /veranstaltungen/anmeldung/protokoll`: only with the personal link of a confirmed
/// registrant, only once the team released the minutes.
pub(super) async fn minutes(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let token = q.token.unwrap_or_default();
    let Some(reg) = resolve(&state, LinkPurpose::Access, &token).await? else {
        return Ok(invalid_link());
    };
    let Some(event) = storage::events::get(&state.db, reg.event_id).await? else {
        return Ok(invalid_link());
    };
    let confirmed = reg.status == status::SEAT || reg.status == status::WAITLIST;
    if !confirmed {
        return Ok(message_page(
            StatusCode::FORBIDDEN,
            "Das Protokoll ist nur für Angemeldete",
            "Das Protokoll sehen alle, deren Anmeldung bestätigt ist. Ihre Anmeldung ist storniert oder noch nicht bestätigt.".to_owned(),
            vec![("/veranstaltungen".to_owned(), "Zu den Round-Tables".to_owned())],
        ));
    }
    if event.event.minutes_published_ms.is_none() {
        return Ok(message_page(
            StatusCode::OK,
            "Das Protokoll ist noch nicht online",
            "Wir schreiben das Protokoll nach der Veranstaltung und schicken Ihnen eine E-Mail, sobald es online ist.".to_owned(),
            vec![(personal_link(&state, &reg), "Zu Ihrer Anmeldung".to_owned())],
        ));
    }
    let pain_points =
        storage::events::pain_points_of(&state.db, SOURCE_EVENT, event.event.id).await?;
    Ok(MinutesPage {
        nav: "veranstaltungen",
        minutes_html: crate::markdown::to_safe_html(&event.event.minutes_md),
        event: EventView::new(&event, UnixMs::now()),
        pain_points,
        token,
    }
    .into_response())
}
