//! Booking meetings: the free first call (`/erstgespraech`) and 1:1 meetings for
//! participants, on one engine.
//!
//! Flow of a first call: `GET /erstgespraech` shows a week view (no JavaScript; the day is a
//! query parameter) and the form → `POST` checks anti-spam, parses the fields, re-checks the
//! slot against the engine ([`domain::booking`]) and books it in one transaction with the
//! lead, the consent and the confirmation mail (with the invitation) → the visitor confirms
//! by mail (`/termin/bestaetigen`), else the booking lapses after
//! `KIPILOT_BOOKING_CONFIRM_HOURS` and the slot is free again. Cancel and reschedule links are
//! signed ([`links`]). The worker ([`worker`]) lapses unconfirmed bookings and sends
//! reminders. The database guarantees that a slot is never booked twice
//! ([`storage::booking`]).
//!
//! Meeting kinds differ only in settings and access ([`domain::booking::Access`]): the 1:1
//! kind is gated by [`participant_for`], today a personal signed link, later the participant
//! login.

pub mod admin;
pub mod links;
pub mod mails;
pub mod worker;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::booking::{
    Availability, BookingInput, Busy, Channel, Date, DayBlock, DaySlots, MeetingKind, Slot,
    SlotQuery, Topic, WEEKDAYS, WEEKDAYS_SHORT, add_days, horizon_days, vienna_clock, vienna_date,
    vienna_long, weekday_index,
};
use domain::consent::BOOKING_V1;
use domain::{FieldErrors, LeadStage, UnixMs};
use serde::Deserialize;
use storage::Db;
use storage::booking::{BookOutcome, BookingRow, Change, NewBooking, NewTime};
use storage::leads::{ConsentGiven, LeadRow};

use crate::error::{AppError, AppResult};
use crate::profile::CompanyProfile;
use crate::site::SimplePage;
use crate::state::AppState;
use crate::web::client::ClientIp;
use crate::web::formdata::FormFields;
use links::{Action, LinkSigner};
use mails::{Appointment, MailCtx};

/// Name under which the first-call form's anti-forgery token is signed.
const FORM: &str = "erstgespraech";
/// Name for the participant form.
const FORM_PARTICIPANT: &str = "eins-zu-eins";
/// The message the issue asks for when someone else was faster.
pub const TAKEN: &str = "Dieser Termin ist leider gerade vergeben.";

/// Booking-wide state: the link signer and the confirmation window.
pub struct BookingConfig {
    /// Signs confirm/cancel/reschedule and access links.
    pub signer: LinkSigner,
    /// `KIPILOT_BOOKING_CONFIRM_HOURS`: unconfirmed bookings lapse after this.
    pub confirm_hours: i64,
}

impl BookingConfig {
    /// Built at start-up from the installation secret and the configuration.
    pub fn new(secret: &[u8], confirm_hours: i64) -> BookingConfig {
        BookingConfig {
            signer: LinkSigner::new(secret),
            confirm_hours,
        }
    }
}

/// Routes of this module (public and back office).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/erstgespraech", get(show_first_call).post(book_first_call))
        .route("/erstgespraech/danke", get(thanks))
        .route("/termin/bestaetigen", get(show_confirm).post(confirm))
        .route("/termin/absagen", get(show_cancel).post(cancel))
        .route("/termin/verschieben", get(show_reschedule).post(reschedule))
        .route(
            "/termin/eins-zu-eins",
            get(show_participant).post(book_participant),
        )
        .merge(admin::router())
}

/// The stored availability of `kind`, or its defaults if the team never saved any.
pub async fn availability(db: &Db, kind: MeetingKind) -> AppResult<Availability> {
    let key = storage::booking::settings_key(kind.code());
    Ok(match storage::settings::get(db, &key).await? {
        Some(json) => match serde_json::from_str(&json) {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, kind = kind.code(), "stored availability unreadable; using defaults");
                kind.default_availability()
            }
        },
        None => kind.default_availability(),
    })
}

/// Everything slot computation needs, loaded in three queries.
pub struct Calendar {
    /// The kind.
    pub kind: MeetingKind,
    /// Its settings.
    pub availability: Availability,
    /// Closed periods.
    pub blocks: Vec<DayBlock>,
    /// Taken ranges of all kinds.
    pub busy: Vec<Busy>,
    /// The instant of the request.
    pub now: UnixMs,
}

impl Calendar {
    /// Loads settings, closed periods and bookings around the horizon at `now`.
    pub async fn load(db: &Db, kind: MeetingKind, now: UnixMs) -> AppResult<Calendar> {
        let availability = availability(db, kind).await?;
        let today = vienna_date(now).to_string();
        let blocks = storage::booking::blocks(db, &today)
            .await?
            .iter()
            .filter_map(|b| {
                Some(DayBlock {
                    from: b.from_day.parse().ok()?,
                    to: b.to_day.parse().ok()?,
                })
            })
            .collect();
        let until = now.plus_ms((i64::from(availability.horizon_days) + 2) * 86_400_000);
        let busy = storage::booking::busy(db, now.minus_days(1), until, now)
            .await?
            .into_iter()
            .map(|(s, e)| Busy {
                start: UnixMs(s),
                end: UnixMs(e),
            })
            .collect();
        Ok(Calendar {
            kind,
            availability,
            blocks,
            busy,
            now,
        })
    }

    /// The engine's view of this calendar.
    pub fn query(&self) -> SlotQuery<'_> {
        SlotQuery {
            availability: &self.availability,
            blocked: &self.blocks,
            busy: &self.busy,
            now: self.now,
        }
    }

    /// All days of the horizon with their free slots.
    pub fn days(&self) -> Vec<DaySlots> {
        let (first, last) = horizon_days(&self.availability, self.now);
        domain::booking::free_slots(&self.query(), first, last)
    }

    /// Leaves one booking's own range out (rescheduling may move next to itself).
    fn without(mut self, own: &BookingRow) -> Calendar {
        self.busy
            .retain(|b| !(b.start.0 == own.block_start_ms && b.end.0 == own.block_end_ms));
        self
    }
}

/// Why a requested start cannot be booked, in German, with what to do next.
pub fn refusal(cal: &Calendar, start: UnixMs) -> String {
    if start <= cal.now {
        return "Dieser Termin liegt in der Vergangenheit. Bitte wählen Sie einen der freien Termine.".to_owned();
    }
    let free_of_bookings = SlotQuery {
        busy: &[],
        ..cal.query()
    };
    if domain::booking::bookable(&free_of_bookings, start).is_some() {
        TAKEN.to_owned()
    } else {
        "Diesen Termin können wir nicht anbieten – er liegt außerhalb unserer Zeiten oder der Link war unvollständig. Bitte wählen Sie einen der freien Termine.".to_owned()
    }
}

/// One day button of the week view.
pub struct DayCell {
    /// Link to show this day.
    pub href: String,
    /// "Mo".
    pub weekday: &'static str,
    /// "30.11."
    pub date: String,
    /// Accessible name, e.g. "Montag, 30. November: 5 freie Termine".
    pub label: String,
    /// Free slots.
    pub count: usize,
    /// Shown day.
    pub selected: bool,
    /// Holiday or closed note.
    pub note: Option<&'static str>,
}

/// A slot as a radio button.
pub struct SlotOption {
    /// Form value (start in ms).
    pub id: String,
    /// "09:30" or "Do 3.12., 09:30".
    pub label: String,
    /// Pre-selected.
    pub checked: bool,
}

/// The no-JavaScript week view.
pub struct WeekView {
    /// "30. November – 6. Dezember 2026".
    pub title: String,
    /// Seven days.
    pub days: Vec<DayCell>,
    /// Link to the previous week, if within the horizon.
    pub prev: Option<String>,
    /// Link to the next week, if within the horizon.
    pub next: Option<String>,
    /// "Donnerstag, 3. Dezember" or empty when nothing is free.
    pub selected_label: String,
    /// Slots of the selected day.
    pub slots: Vec<SlotOption>,
    /// Whether anything is free in the whole horizon.
    pub any_free: bool,
}

fn long_day(day: Date) -> String {
    let full = UnixMs::from_vienna_date(&day.to_string())
        .map(UnixMs::format_long_date)
        .unwrap_or_default();
    // "3. Dezember 2026" → "3. Dezember"
    let without_year = full.rsplit_once(' ').map_or(full.as_str(), |(a, _)| a);
    format!("{}, {without_year}", WEEKDAYS[weekday_index(day)])
}

fn short_day(day: Date) -> String {
    format!("{}.{}.", day.day(), day.month())
}

/// "Do 3.12., 09:30" for slot lists spanning several days.
pub fn slot_label_with_day(start: UnixMs) -> String {
    let day = vienna_date(start);
    format!(
        "{} {}, {} Uhr",
        WEEKDAYS_SHORT[weekday_index(day)],
        short_day(day),
        vienna_clock(start)
    )
}

/// Builds the week view around `wanted` (or the first day with free slots); `href` makes
/// the link for a day from its ISO date.
pub fn week_view(
    days: &[DaySlots],
    wanted: Option<Date>,
    chosen: Option<UnixMs>,
    href: &dyn Fn(&str) -> String,
) -> WeekView {
    let any_free = days.iter().any(|d| !d.slots.is_empty());
    let first = days.first().map(|d| d.date);
    let last = days.last().map(|d| d.date);
    let in_range = |d: Date| first.is_some_and(|f| d >= f) && last.is_some_and(|l| d <= l);
    let selected = wanted
        .filter(|d| in_range(*d))
        .or_else(|| days.iter().find(|d| !d.slots.is_empty()).map(|d| d.date))
        .or(first);
    let Some(selected) = selected else {
        return WeekView {
            title: String::new(),
            days: Vec::new(),
            prev: None,
            next: None,
            selected_label: String::new(),
            slots: Vec::new(),
            any_free,
        };
    };
    let offset = i64::try_from(weekday_index(selected)).unwrap_or(0);
    let monday = add_days(selected, -offset);
    let mut cells = Vec::with_capacity(7);
    let mut day = monday;
    for _ in 0..7 {
        let entry = days.iter().find(|d| d.date == day);
        let count = entry.map_or(0, |d| d.slots.len());
        let note = entry.and_then(|d| d.closed);
        let label = match (note, count) {
            (Some(n), _) if n != "geschlossen" => format!("{}: {n}, keine Termine", long_day(day)),
            (_, 0) => format!("{}: keine freien Termine", long_day(day)),
            (_, 1) => format!("{}: 1 freier Termin", long_day(day)),
            (_, n) => format!("{}: {n} freie Termine", long_day(day)),
        };
        cells.push(DayCell {
            href: href(&day.to_string()),
            weekday: WEEKDAYS_SHORT[weekday_index(day)],
            date: short_day(day),
            label,
            count,
            selected: day == selected,
            note: note.filter(|n| *n != "geschlossen"),
        });
        day = day.tomorrow().unwrap_or(day);
    }
    let week_end = add_days(monday, 6);
    let prev_day = Some(add_days(monday, -7));
    let next_day = Some(add_days(monday, 7));
    let prev = prev_day
        .filter(|_| first.is_some_and(|f| f < monday))
        .map(|d| href(&d.max(first.unwrap_or(d)).to_string()));
    let next = next_day
        .filter(|d| last.is_some_and(|l| *d <= l))
        .map(|d| href(&d.to_string()));
    let slots = days
        .iter()
        .find(|d| d.date == selected)
        .map(|d| {
            d.slots
                .iter()
                .map(|s| SlotOption {
                    id: s.start.0.to_string(),
                    label: vienna_clock(s.start),
                    checked: chosen == Some(s.start),
                })
                .collect()
        })
        .unwrap_or_default();
    let title = format!(
        "{} – {}",
        long_day(monday).split_once(", ").map_or("", |(_, d)| d),
        UnixMs::from_vienna_date(&week_end.to_string())
            .map(UnixMs::format_long_date)
            .unwrap_or_default()
    );
    WeekView {
        title,
        days: cells,
        prev,
        next,
        selected_label: long_day(selected),
        slots,
        any_free,
    }
}

/// What kind of page the booking template renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// First call: all personal fields and consent.
    Public,
    /// Participant 1:1: known person, topics and note only.
    Participant,
    /// Moving an existing booking: slot only.
    Reschedule,
}

#[derive(Template, WebTemplate)]
#[template(path = "site/termin.html")]
struct BookingPage {
    nav: &'static str,
    mode: Mode,
    heading: String,
    intro: String,
    action: &'static str,
    hidden: Vec<(&'static str, String)>,
    week: WeekView,
    input: BookingInput,
    errors: FieldErrors,
    notice: Option<String>,
    alternatives: Vec<SlotOption>,
    topics: [Topic; 5],
    phone_option: bool,
    video_label: &'static str,
    consent_text: &'static str,
    duration_min: u16,
    person: Option<(String, String, String)>,
    current: Option<String>,
}

impl BookingPage {
    fn topic_checked(&self, code: &str) -> bool {
        self.input.topics.iter().any(|t| t == code)
    }

    fn channel_is(&self, code: &str) -> bool {
        self.input.channel == code || (self.input.channel.is_empty() && code == "video")
    }

    fn with_status(self, status: StatusCode) -> Response {
        (status, self).into_response()
    }
}

/// Query of the booking pages.
#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    tag: Option<String>,
    source: Option<String>,
    zugang: Option<String>,
    t: Option<String>,
}

fn query_source(q: &PageQuery) -> String {
    q.source
        .as_deref()
        .and_then(domain::application::parse_source)
        .unwrap_or_default()
}

fn enc(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

struct PageSpec {
    mode: Mode,
    action: &'static str,
    /// Extra query for day links: `&source=…`, `&zugang=…` or `&t=…`.
    extra: String,
    hidden: Vec<(&'static str, String)>,
    person: Option<(String, String, String)>,
    current: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn render(
    state: &AppState,
    cal: &Calendar,
    spec: PageSpec,
    wanted: Option<Date>,
    input: BookingInput,
    errors: FieldErrors,
    notice: Option<String>,
    with_alternatives: bool,
) -> BookingPage {
    let days = cal.days();
    let chosen = domain::booking::parse_slot_id(&input.slot);
    let wanted = wanted.or_else(|| chosen.map(vienna_date));
    let action = spec.action;
    let extra = spec.extra.clone();
    let week = week_view(&days, wanted, chosen, &|iso| {
        format!("{action}?tag={iso}{extra}#termine")
    });
    let alternatives = if with_alternatives {
        domain::booking::next_free(&cal.query(), 5)
            .into_iter()
            .map(|s: Slot| SlotOption {
                id: s.start.0.to_string(),
                label: slot_label_with_day(s.start),
                checked: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    let a = &cal.availability;
    let (heading, intro) = match spec.mode {
        Mode::Public => (
            "Unverbindliches Erstgespräch vereinbaren".to_owned(),
            format!(
                "Wählen Sie einen freien Termin für ein kostenloses Gespräch ({} Minuten). Wir klären gemeinsam, wo Sie stehen und ob das KI-Pilotprojekt zu Ihnen passt. Alle Zeiten in Wiener Zeit.",
                a.duration_min
            ),
        ),
        Mode::Participant => (
            "1:1-Termin vereinbaren".to_owned(),
            format!(
                "Wählen Sie einen Termin für Ihr persönliches Gespräch ({} Minuten). Alle Zeiten in Wiener Zeit.",
                a.duration_min
            ),
        ),
        Mode::Reschedule => (
            "Termin verschieben".to_owned(),
            "Wählen Sie einfach einen neuen Termin. Ihr bisheriger Termin wird dabei freigegeben. Alle Zeiten in Wiener Zeit.".to_owned(),
        ),
    };
    let mut hidden = spec.hidden;
    let form_name = match spec.mode {
        Mode::Public => Some(FORM),
        Mode::Participant => Some(FORM_PARTICIPANT),
        Mode::Reschedule => None,
    };
    if let Some(name) = form_name {
        hidden.insert(0, ("form_token", state.forms.issue(name, UnixMs::now())));
    }
    BookingPage {
        nav: "",
        mode: spec.mode,
        heading,
        intro,
        action,
        hidden,
        week,
        input,
        errors,
        notice,
        alternatives,
        topics: Topic::ALL,
        phone_option: a.phone_option,
        video_label: Channel::Video.label(),
        consent_text: BOOKING_V1.text,
        duration_min: a.duration_min,
        person: spec.person,
        current: spec.current,
    }
}

fn parse_day(text: Option<&str>) -> Option<Date> {
    text.and_then(|t| t.trim().parse::<Date>().ok())
}

fn public_spec(source: &str) -> PageSpec {
    PageSpec {
        mode: Mode::Public,
        action: "/erstgespraech",
        extra: if source.is_empty() {
            String::new()
        } else {
            format!("&source={}", enc(source))
        },
        hidden: vec![("source", source.to_owned())],
        person: None,
        current: None,
    }
}

async fn show_first_call(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let cal = Calendar::load(&state.db, MeetingKind::Erstgespraech, UnixMs::now()).await?;
    let source = query_source(&q);
    let input = BookingInput {
        source: source.clone(),
        ..BookingInput::default()
    };
    Ok(render(
        &state,
        &cal,
        public_spec(&source),
        parse_day(q.tag.as_deref()),
        input,
        FieldErrors::default(),
        None,
        false,
    )
    .into_response())
}

fn input_from(form: &FormFields) -> BookingInput {
    BookingInput {
        slot: form.get("slot").to_owned(),
        name: form.get("name").to_owned(),
        company: form.get("company").to_owned(),
        email: form.get("email").to_owned(),
        phone: form.get("phone").to_owned(),
        topics: form.all("topics"),
        channel: form.get("channel").to_owned(),
        message: form.get("message").to_owned(),
        consent: form.get("consent") == "on",
        source: form.get("source").to_owned(),
    }
}

/// Mail context for this request.
fn mail_ctx<'a>(
    state: &'a AppState,
    profile: &'a CompanyProfile,
    team: Option<&'a str>,
    host: &'a str,
    now: UnixMs,
) -> MailCtx<'a> {
    MailCtx {
        base_url: &state.config.base_url,
        host,
        profile,
        team_email: team,
        signer: &state.booking.signer,
        confirm_hours: state.booking.confirm_hours,
        now,
    }
}

/// The team's address: `KIPILOT_TEAM_EMAIL`, else the profile's.
pub fn team_address(state: &AppState, profile: &CompanyProfile) -> Option<String> {
    state
        .config
        .team_email
        .clone()
        .or_else(|| Some(profile.email.clone()).filter(|e| !e.trim().is_empty()))
}

/// Host name for calendar UIDs.
pub fn uid_host(state: &AppState) -> String {
    state
        .config
        .base_host()
        .split(':')
        .next()
        .unwrap_or("localhost")
        .to_owned()
}

fn location(a: &Availability, channel: Channel, phone: Option<&str>) -> String {
    match channel {
        Channel::Telefon => format!(
            "Telefon: Wir rufen Sie unter {} an.",
            phone.unwrap_or("Ihrer Nummer")
        ),
        Channel::Video if !a.video_url.is_empty() => format!("Videocall: {}", a.video_url),
        Channel::Video => "Videocall – den Link schicken wir Ihnen vor dem Termin.".to_owned(),
    }
}

/// Books for a parsed request; shared by the public and the participant form.
async fn make_booking(
    state: &AppState,
    cal: &Calendar,
    req: &domain::booking::BookingRequest,
    slot: Slot,
    lead_id: Option<i64>,
    now: UnixMs,
) -> AppResult<BookOutcome> {
    let a = &cal.availability;
    let blocked = slot.blocked(a);
    let pending = cal.kind.access() == domain::booking::Access::Public;
    let interests = req
        .topics
        .iter()
        .filter(|t| **t != Topic::Sonstiges)
        .map(|t| t.code())
        .collect::<Vec<_>>()
        .join(",");
    let new = NewBooking {
        kind: cal.kind.code().to_owned(),
        start: slot.start,
        end: slot.end,
        block_start: blocked.start,
        block_end: blocked.end,
        name: req.name.clone(),
        company: req.company.clone(),
        email: req.email.as_str().to_owned(),
        phone: req.phone.clone(),
        topics: req
            .topics
            .iter()
            .map(|t| t.code())
            .collect::<Vec<_>>()
            .join(","),
        interests,
        channel: req.channel.code().to_owned(),
        message: req.message.clone(),
        source: req.source.clone(),
        location: location(a, req.channel, req.phone.as_deref()),
        expires: pending.then(|| {
            domain::booking::confirm_deadline(slot.start, now, state.booking.confirm_hours)
        }),
        reminder_at: domain::booking::reminder_at(slot.start, now),
        lead_id,
        note: format!(
            "{} gebucht für {}{}",
            cal.kind.title(),
            slot.start.format_short(),
            if pending {
                " (wartet auf Bestätigung per E-Mail)"
            } else {
                ""
            }
        ),
    };
    let profile = CompanyProfile::load(&state.db).await?;
    let team = team_address(state, &profile);
    let host = uid_host(state);
    let ctx = mail_ctx(state, &profile, team.as_deref(), &host, now);
    let consent = ConsentGiven {
        form: FORM,
        text_version: BOOKING_V1.version,
        text_hash: &BOOKING_V1.hash(),
    };
    let outcome = storage::booking::book(
        &state.db,
        &new,
        pending.then_some(consent),
        now,
        |booking_id, lead_id, superseded| {
            let appt = Appointment::from_new(&new, booking_id, lead_id);
            let mut out: Vec<_> = superseded
                .iter()
                .map(|old| ctx.replaced(&Appointment::from_row(old)))
                .collect();
            out.push(ctx.visitor_booked(&appt));
            if !pending {
                out.extend(ctx.team_booked(&appt));
            }
            out
        },
    )
    .await?;
    if matches!(outcome, BookOutcome::Booked { .. }) {
        state.mail_wakeup.notify_one();
    }
    Ok(outcome)
}

async fn book_first_call(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form: FormFields,
) -> AppResult<Response> {
    let now = UnixMs::now();
    let input = input_from(&form);
    let source = domain::application::parse_source(&input.source).unwrap_or_default();
    let mut cal = Calendar::load(&state.db, MeetingKind::Erstgespraech, now).await?;
    // The visitor's own unconfirmed booking is replaced by a new one, so it does not block.
    if let Ok(email) = domain::Email::parse(&input.email) {
        let kind = MeetingKind::Erstgespraech.code();
        for own in storage::booking::pending_for_email(&state.db, kind, email.as_str(), now).await?
        {
            cal = cal.without(&own);
        }
    }
    let page = |input: BookingInput, errors: FieldErrors, notice: Option<String>, alt: bool| {
        render(
            &state,
            &cal,
            public_spec(&source),
            None,
            input,
            errors,
            notice,
            alt,
        )
    };
    if !state.form_limiter.check(ip) {
        return Ok(page(input, FieldErrors::default(), Some(
            "Von Ihrem Anschluss kamen gerade sehr viele Buchungen. Bitte warten Sie ein paar Minuten und senden Sie das Formular dann noch einmal ab – Ihre Eingaben sind noch da.".to_owned(),
        ), false)
        .with_status(StatusCode::TOO_MANY_REQUESTS));
    }
    if form.is_set("website") {
        tracing::info!("honeypot triggered on booking form");
        return Ok(Redirect::to("/erstgespraech/danke").into_response());
    }
    if let Err(e) = state.forms.check(FORM, form.get("form_token"), now) {
        return Ok(page(
            input,
            FieldErrors::default(),
            Some(e.message().to_owned()),
            false,
        )
        .with_status(StatusCode::UNPROCESSABLE_ENTITY));
    }
    let req = match input.parse(true, cal.availability.phone_option) {
        Ok(r) => r,
        Err(errors) => {
            return Ok(
                page(input, errors, None, false).with_status(StatusCode::UNPROCESSABLE_ENTITY)
            );
        }
    };
    let Some(slot) = domain::booking::bookable(&cal.query(), req.start) else {
        let message = refusal(&cal, req.start);
        let taken = message == TAKEN;
        let mut errors = FieldErrors::default();
        errors.add("slot", message.clone());
        let status = if taken {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok(page(input, errors, taken.then(taken_notice), true).with_status(status));
    };
    match make_booking(&state, &cal, &req, slot, None, now).await? {
        BookOutcome::Booked { booking_id, .. } => {
            tracing::info!(booking_id, "first call booked");
            Ok(Redirect::to("/erstgespraech/danke").into_response())
        }
        _ => {
            // Someone else committed first: reload, so the taken slot disappears.
            let cal = Calendar::load(&state.db, MeetingKind::Erstgespraech, UnixMs::now()).await?;
            let mut errors = FieldErrors::default();
            errors.add("slot", TAKEN);
            Ok(render(
                &state,
                &cal,
                public_spec(&source),
                None,
                input,
                errors,
                Some(taken_notice()),
                true,
            )
            .with_status(StatusCode::CONFLICT))
        }
    }
}

fn taken_notice() -> String {
    format!(
        "{TAKEN} Jemand war ein paar Sekunden schneller. Bitte wählen Sie einen der nächsten freien Termine – Ihre Angaben sind noch da."
    )
}

async fn thanks(State(state): State<AppState>) -> SimplePage {
    SimplePage {
        nav: "",
        title: "Fast geschafft: Bitte bestätigen Sie Ihren Termin".to_owned(),
        paragraphs: vec![
            "Wir haben Ihnen eine E-Mail mit einem Bestätigungslink und der Kalendereinladung geschickt. Bitte klicken Sie auf den Link – erst dann ist der Termin fest.".to_owned(),
            format!(
                "Ohne Bestätigung innerhalb von {} Stunden geben wir den Termin wieder frei. Keine E-Mail bekommen? Schauen Sie bitte auch im Spam-Ordner nach. Haben Sie sich vertippt, buchen Sie einfach noch einmal.",
                state.booking.confirm_hours
            ),
        ],
        links: vec![
            ("/wissen".to_owned(), "In der Zwischenzeit: Wissen zu DSGVO und KI-Verordnung".to_owned()),
            ("/".to_owned(), "Zur Startseite".to_owned()),
        ],
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "site/termin_aktion.html")]
struct ActionPage {
    nav: &'static str,
    heading: &'static str,
    lead: String,
    details: Vec<(&'static str, String)>,
    action: &'static str,
    token: String,
    button: &'static str,
    danger: bool,
    after: String,
    alt: Option<(String, &'static str)>,
}

fn details_of(b: &BookingRow) -> Vec<(&'static str, String)> {
    let a = Appointment::from_row(b);
    vec![
        ("Termin", a.when()),
        ("Dauer", format!("{} Minuten", a.minutes())),
        ("Wo", a.location.clone()),
        ("Themen", a.topic_labels()),
    ]
}

/// The page for a link that cannot (or no longer) do anything.
fn link_problem(status: StatusCode, title: &str, text: &str) -> Response {
    (
        status,
        SimplePage {
            nav: "",
            title: title.to_owned(),
            paragraphs: vec![text.to_owned()],
            links: vec![
                (
                    "/erstgespraech".to_owned(),
                    "Neuen Termin wählen".to_owned(),
                ),
                ("/".to_owned(), "Zur Startseite".to_owned()),
            ],
        },
    )
        .into_response()
}

fn invalid_link() -> Response {
    link_problem(
        StatusCode::NOT_FOUND,
        "Dieser Link ist ungültig",
        "Der Link ist unvollständig oder wurde verändert. Bitte verwenden Sie den Link aus der neuesten E-Mail zu Ihrem Termin.",
    )
}

fn outdated_link() -> Response {
    link_problem(
        StatusCode::GONE,
        "Dieser Link gilt nicht mehr",
        "Der Termin wurde inzwischen verschoben. Bitte verwenden Sie die Links aus der neuesten E-Mail zu Ihrem Termin.",
    )
}

/// Answers for the states a link can meet; `None` means "go ahead".
fn change_problem(change: &Change, action: Action) -> Option<Response> {
    match change {
        Change::NotFound => Some(invalid_link()),
        Change::Outdated => Some(outdated_link()),
        Change::Taken => None,
        Change::Past(_) => Some(link_problem(
            StatusCode::GONE,
            "Dieser Termin liegt in der Vergangenheit",
            "Für vergangene Termine lässt sich nichts mehr ändern. Möchten Sie wieder sprechen? Wählen Sie einfach einen neuen Termin.",
        )),
        // An unconfirmed booking that is inactive has lapsed (swept or not yet).
        Change::Inactive(b)
            if b.status == storage::booking::status::VERFALLEN
                || b.status == storage::booking::status::OFFEN =>
        {
            Some(link_problem(
                StatusCode::GONE,
                "Dieser Termin ist verfallen",
                "Der Termin wurde nicht rechtzeitig bestätigt und ist wieder frei. Wählen Sie einfach einen neuen Termin.",
            ))
        }
        Change::Inactive(_) | Change::AlreadyDone(_) if action != Action::Confirm => {
            Some(link_problem(
                StatusCode::OK,
                "Dieser Termin ist bereits abgesagt",
                "Sie müssen nichts weiter tun. Möchten Sie doch sprechen? Wählen Sie einfach einen neuen Termin.",
            ))
        }
        Change::Inactive(_) => Some(link_problem(
            StatusCode::GONE,
            "Dieser Termin ist abgesagt",
            "Dieser Termin findet nicht statt. Wählen Sie einfach einen neuen Termin.",
        )),
        _ => None,
    }
}

/// Looks up the booking a link names and classifies it without changing anything.
async fn peek(
    state: &AppState,
    action: Action,
    token: &str,
    now: UnixMs,
) -> AppResult<Result<BookingRow, Response>> {
    let Some(link) = state.booking.signer.check_booking(action, token) else {
        return Ok(Err(invalid_link()));
    };
    let Some(b) = storage::booking::get(&state.db, link.booking_id).await? else {
        return Ok(Err(invalid_link()));
    };
    let status = b.status.as_str();
    let change = if status == storage::booking::status::ABGESAGT {
        if action == Action::Confirm {
            Change::Inactive(Box::new(b.clone()))
        } else {
            Change::AlreadyDone(Box::new(b.clone()))
        }
    } else if status == storage::booking::status::VERFALLEN
        || (status == storage::booking::status::OFFEN && b.expires_ms.is_some_and(|e| e <= now.0))
    {
        Change::Inactive(Box::new(BookingRow {
            status: storage::booking::status::VERFALLEN.to_owned(),
            ..b.clone()
        }))
    } else if b.sequence != link.sequence {
        Change::Outdated
    } else if b.start_ms <= now.0 {
        Change::Past(Box::new(b.clone()))
    } else {
        return Ok(Ok(b));
    };
    Ok(Err(
        change_problem(&change, action).unwrap_or_else(invalid_link)
    ))
}

#[derive(Deserialize)]
struct TokenQuery {
    t: Option<String>,
}

async fn show_confirm(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let token = q.t.unwrap_or_default();
    let b = match peek(&state, Action::Confirm, &token, UnixMs::now()).await? {
        Ok(b) => b,
        Err(page) => return Ok(page),
    };
    if b.status == storage::booking::status::BESTAETIGT {
        return Ok(confirmed_page(&state, &b, "Ihr Termin ist bereits bestätigt").into_response());
    }
    Ok(ActionPage {
        nav: "",
        heading: "Bitte bestätigen Sie Ihren Termin",
        lead: "Mit einem Klick ist der Termin fest eingetragen.".to_owned(),
        details: details_of(&b),
        action: "/termin/bestaetigen",
        token,
        button: "Termin bestätigen",
        danger: false,
        after: "Sie haben nichts gebucht? Dann schließen Sie diese Seite einfach – ohne Bestätigung verfällt der Termin.".to_owned(),
        alt: None,
    }
    .into_response())
}

fn confirmed_page(state: &AppState, b: &BookingRow, title: &str) -> SimplePage {
    let a = Appointment::from_row(b);
    let signer = &state.booking.signer;
    SimplePage {
        nav: "",
        title: title.to_owned(),
        paragraphs: vec![
            format!(
                "Wir freuen uns auf das Gespräch: {}, {} Minuten.",
                a.when(),
                a.minutes()
            ),
            format!(
                "{} Einen Tag vorher erinnern wir Sie per E-Mail.",
                a.location
            ),
        ],
        links: vec![
            ("/".to_owned(), "Zur Startseite".to_owned()),
            (
                format!(
                    "/termin/verschieben?t={}",
                    signer.booking(Action::Reschedule, b.id, b.sequence)
                ),
                "Termin verschieben".to_owned(),
            ),
            (
                format!(
                    "/termin/absagen?t={}",
                    signer.booking(Action::Cancel, b.id, b.sequence)
                ),
                "Termin absagen".to_owned(),
            ),
        ],
    }
}

async fn confirm(State(state): State<AppState>, form: FormFields) -> AppResult<Response> {
    let now = UnixMs::now();
    let Some(link) = state
        .booking
        .signer
        .check_booking(Action::Confirm, form.get("t"))
    else {
        return Ok(invalid_link());
    };
    let profile = CompanyProfile::load(&state.db).await?;
    let team = team_address(&state, &profile);
    let host = uid_host(&state);
    let ctx = mail_ctx(&state, &profile, team.as_deref(), &host, now);
    let consent = ConsentGiven {
        form: FORM,
        text_version: BOOKING_V1.version,
        text_hash: &BOOKING_V1.hash(),
    };
    let change = storage::booking::confirm(
        &state.db,
        link.booking_id,
        link.sequence,
        Some(consent),
        now,
        |b| {
            ctx.team_booked(&Appointment::from_row(b))
                .into_iter()
                .collect()
        },
    )
    .await?;
    Ok(match change {
        Change::Done(b) => {
            state.mail_wakeup.notify_one();
            tracing::info!(booking_id = b.id, "booking confirmed");
            confirmed_page(&state, &b, "Ihr Termin ist bestätigt").into_response()
        }
        Change::AlreadyDone(b) => {
            confirmed_page(&state, &b, "Ihr Termin ist bereits bestätigt").into_response()
        }
        other => change_problem(&other, Action::Confirm).unwrap_or_else(invalid_link),
    })
}

async fn show_cancel(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let token = q.t.unwrap_or_default();
    let b = match peek(&state, Action::Cancel, &token, UnixMs::now()).await? {
        Ok(b) => b,
        Err(page) => return Ok(page),
    };
    Ok(ActionPage {
        nav: "",
        heading: "Termin absagen",
        lead: "Passt es doch nicht? Kein Problem. Mit einem Klick sagen Sie ab, und der Termin wird für andere frei.".to_owned(),
        details: details_of(&b),
        action: "/termin/absagen",
        token,
        button: "Termin absagen",
        danger: true,
        after: "Lieber verschieben?".to_owned(),
        alt: Some((
            format!(
                "/termin/verschieben?t={}",
                state.booking.signer.booking(Action::Reschedule, b.id, b.sequence)
            ),
            "Neuen Termin wählen",
        )),
    }
    .into_response())
}

async fn cancel(State(state): State<AppState>, form: FormFields) -> AppResult<Response> {
    let now = UnixMs::now();
    let Some(link) = state
        .booking
        .signer
        .check_booking(Action::Cancel, form.get("t"))
    else {
        return Ok(invalid_link());
    };
    let profile = CompanyProfile::load(&state.db).await?;
    let team = team_address(&state, &profile);
    let host = uid_host(&state);
    let ctx = mail_ctx(&state, &profile, team.as_deref(), &host, now);
    let change = storage::booking::cancel(
        &state.db,
        link.booking_id,
        Some(link.sequence),
        "kunde",
        now,
        |b| {
            let a = Appointment::from_row(b);
            let mut out = vec![ctx.visitor_cancelled(&a, false)];
            // The team only heard of confirmed bookings.
            if b.confirmed_ms.is_some() {
                out.extend(ctx.team_cancelled(&a));
            }
            out
        },
    )
    .await?;
    Ok(match change {
        Change::Done(b) => {
            state.mail_wakeup.notify_one();
            tracing::info!(booking_id = b.id, "booking cancelled by visitor");
            SimplePage {
                nav: "",
                title: "Ihr Termin ist abgesagt".to_owned(),
                paragraphs: vec![
                    "Danke, dass Sie Bescheid geben – so wird der Termin für andere frei. Sie bekommen eine kurze Bestätigung per E-Mail, die den Eintrag aus Ihrem Kalender entfernt.".to_owned(),
                    "Möchten Sie später doch sprechen? Wählen Sie einfach einen neuen Termin.".to_owned(),
                ],
                links: vec![
                    ("/erstgespraech".to_owned(), "Neuen Termin wählen".to_owned()),
                    ("/".to_owned(), "Zur Startseite".to_owned()),
                ],
            }
            .into_response()
        }
        other => change_problem(&other, Action::Cancel).unwrap_or_else(invalid_link),
    })
}

async fn show_reschedule(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let now = UnixMs::now();
    let token = q.t.clone().unwrap_or_default();
    let b = match peek(&state, Action::Reschedule, &token, now).await? {
        Ok(b) => b,
        Err(page) => return Ok(page),
    };
    let kind = MeetingKind::from_code(&b.kind).unwrap_or(MeetingKind::Erstgespraech);
    let cal = Calendar::load(&state.db, kind, now).await?.without(&b);
    Ok(render(
        &state,
        &cal,
        reschedule_spec(&token, &b),
        parse_day(q.tag.as_deref()),
        BookingInput::default(),
        FieldErrors::default(),
        None,
        false,
    )
    .into_response())
}

fn reschedule_spec(token: &str, b: &BookingRow) -> PageSpec {
    PageSpec {
        mode: Mode::Reschedule,
        action: "/termin/verschieben",
        extra: format!("&t={}", enc(token)),
        hidden: vec![("t", token.to_owned())],
        person: None,
        current: Some(vienna_long(UnixMs(b.start_ms))),
    }
}

async fn reschedule(State(state): State<AppState>, form: FormFields) -> AppResult<Response> {
    let now = UnixMs::now();
    let token = form.get("t").to_owned();
    let b = match peek(&state, Action::Reschedule, &token, now).await? {
        Ok(b) => b,
        Err(page) => return Ok(page),
    };
    let kind = MeetingKind::from_code(&b.kind).unwrap_or(MeetingKind::Erstgespraech);
    let cal = Calendar::load(&state.db, kind, now).await?.without(&b);
    let input = BookingInput {
        slot: form.get("slot").to_owned(),
        ..BookingInput::default()
    };
    let refuse = |cal: &Calendar, message: String, taken: bool| {
        let mut errors = FieldErrors::default();
        errors.add("slot", message);
        render(
            &state,
            cal,
            reschedule_spec(&token, &b),
            None,
            input.clone(),
            errors,
            taken.then(taken_notice),
            true,
        )
        .with_status(if taken {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        })
    };
    let Some(start) = domain::booking::parse_slot_id(&input.slot) else {
        return Ok(refuse(
            &cal,
            "Bitte wählen Sie einen freien Termin aus.".to_owned(),
            false,
        ));
    };
    let Some(slot) = domain::booking::bookable(&cal.query(), start) else {
        let message = refusal(&cal, start);
        let taken = message == TAKEN;
        return Ok(refuse(&cal, message, taken));
    };
    let blocked = slot.blocked(&cal.availability);
    let profile = CompanyProfile::load(&state.db).await?;
    let team = team_address(&state, &profile);
    let host = uid_host(&state);
    let ctx = mail_ctx(&state, &profile, team.as_deref(), &host, now);
    let change = storage::booking::reschedule(
        &state.db,
        b.id,
        b.sequence,
        NewTime {
            start: slot.start,
            end: slot.end,
            block_start: blocked.start,
            block_end: blocked.end,
            reminder_at: domain::booking::reminder_at(slot.start, now),
        },
        now,
        |row| {
            let a = Appointment::from_row(row);
            let mut out = vec![ctx.visitor_rescheduled(&a)];
            if row.confirmed_ms.is_some() {
                out.extend(ctx.team_rescheduled(&a));
            }
            out
        },
    )
    .await?;
    Ok(match change {
        Change::Done(row) => {
            state.mail_wakeup.notify_one();
            tracing::info!(booking_id = row.id, "booking rescheduled");
            let title = if row.status == storage::booking::status::OFFEN {
                "Verschoben – bitte noch bestätigen"
            } else {
                "Ihr Termin ist verschoben"
            };
            let mut page = confirmed_page(&state, &row, title);
            page.paragraphs.push("Sie bekommen eine E-Mail mit der aktualisierten Kalendereinladung. Links aus früheren E-Mails gelten nicht mehr.".to_owned());
            page.into_response()
        }
        Change::Taken => {
            let cal = Calendar::load(&state.db, kind, UnixMs::now())
                .await?
                .without(&b);
            refuse(&cal, TAKEN.to_owned(), true)
        }
        other => change_problem(&other, Action::Reschedule).unwrap_or_else(invalid_link),
    })
}

/// The participant allowed to book `kind`, if the request carries a valid access link for
/// a lead at stage Teilnehmer (or Referenzkunde). This is the one place the participant
/// login of a later issue plugs in: it will resolve the session instead of the link.
pub async fn participant_for(
    state: &AppState,
    kind: MeetingKind,
    access: &str,
    now: UnixMs,
) -> AppResult<Option<LeadRow>> {
    let Some(lead_id) = state.booking.signer.check_access(kind.code(), access, now) else {
        return Ok(None);
    };
    let Some(lead) = storage::leads::get(&state.db, lead_id).await? else {
        return Ok(None);
    };
    let stage = lead.stage.parse::<LeadStage>().ok();
    Ok(matches!(
        stage,
        Some(LeadStage::Teilnehmer | LeadStage::Referenzkunde)
    )
    .then_some(lead))
}

fn participant_spec(access: &str, lead: &LeadRow) -> PageSpec {
    PageSpec {
        mode: Mode::Participant,
        action: "/termin/eins-zu-eins",
        extra: format!("&zugang={}", enc(access)),
        hidden: vec![("zugang", access.to_owned())],
        person: Some((lead.name.clone(), lead.company.clone(), lead.email.clone())),
        current: None,
    }
}

fn no_access() -> Response {
    (
        StatusCode::FORBIDDEN,
        SimplePage {
            nav: "",
            title: "Dieser Link gilt nicht (mehr)".to_owned(),
            paragraphs: vec![
                "1:1-Termine sind für Teilnehmerinnen und Teilnehmer des KI-Pilotprojekts. Bitte verwenden Sie den persönlichen Link aus unserer E-Mail; ist er abgelaufen, schicken wir Ihnen gern einen neuen.".to_owned(),
                "Sie sind noch nicht dabei? Vereinbaren Sie zuerst ein unverbindliches Erstgespräch.".to_owned(),
            ],
            links: vec![
                ("/erstgespraech".to_owned(), "Erstgespräch vereinbaren".to_owned()),
                ("/".to_owned(), "Zur Startseite".to_owned()),
            ],
        },
    )
        .into_response()
}

async fn show_participant(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let now = UnixMs::now();
    let access = q.zugang.clone().unwrap_or_default();
    let Some(lead) = participant_for(&state, MeetingKind::EinsZuEins, &access, now).await? else {
        return Ok(no_access());
    };
    let cal = Calendar::load(&state.db, MeetingKind::EinsZuEins, now).await?;
    let input = BookingInput {
        phone: lead.phone.clone().unwrap_or_default(),
        ..BookingInput::default()
    };
    Ok(render(
        &state,
        &cal,
        participant_spec(&access, &lead),
        parse_day(q.tag.as_deref()),
        input,
        FieldErrors::default(),
        None,
        false,
    )
    .into_response())
}

async fn book_participant(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form: FormFields,
) -> AppResult<Response> {
    let now = UnixMs::now();
    let access = form.get("zugang").to_owned();
    let Some(lead) = participant_for(&state, MeetingKind::EinsZuEins, &access, now).await? else {
        return Ok(no_access());
    };
    let cal = Calendar::load(&state.db, MeetingKind::EinsZuEins, now).await?;
    // Name, company and address come from the lead, not from the form.
    let input = BookingInput {
        name: lead.name.clone(),
        company: lead.company.clone(),
        email: lead.email.clone(),
        source: String::new(),
        consent: true,
        ..input_from(&form)
    };
    let spec = || participant_spec(&access, &lead);
    if !state.form_limiter.check(ip) {
        return Err(AppError::TooManyRequests);
    }
    if let Err(e) = state
        .forms
        .check(FORM_PARTICIPANT, form.get("form_token"), now)
    {
        return Ok(render(
            &state,
            &cal,
            spec(),
            None,
            input,
            FieldErrors::default(),
            Some(e.message().to_owned()),
            false,
        )
        .with_status(StatusCode::UNPROCESSABLE_ENTITY));
    }
    let req = match input.parse(false, cal.availability.phone_option) {
        Ok(r) => r,
        Err(errors) => {
            return Ok(
                render(&state, &cal, spec(), None, input, errors, None, false)
                    .with_status(StatusCode::UNPROCESSABLE_ENTITY),
            );
        }
    };
    let Some(slot) = domain::booking::bookable(&cal.query(), req.start) else {
        let message = refusal(&cal, req.start);
        let taken = message == TAKEN;
        let mut errors = FieldErrors::default();
        errors.add("slot", message);
        return Ok(render(
            &state,
            &cal,
            spec(),
            None,
            input,
            errors,
            taken.then(taken_notice),
            true,
        )
        .with_status(if taken {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }));
    };
    match make_booking(&state, &cal, &req, slot, Some(lead.id), now).await? {
        BookOutcome::Booked { booking_id, .. } => {
            tracing::info!(booking_id, "1:1 booked");
            Ok(SimplePage {
                nav: "",
                title: "Ihr 1:1-Termin ist eingetragen".to_owned(),
                paragraphs: vec![
                    format!("Wir freuen uns auf das Gespräch: {}.", vienna_long(slot.start)),
                    "Die Kalendereinladung und die Links zum Verschieben oder Absagen kommen gleich per E-Mail.".to_owned(),
                ],
                links: vec![("/".to_owned(), "Zur Startseite".to_owned())],
            }
            .into_response())
        }
        BookOutcome::NoLead => Ok(no_access()),
        BookOutcome::Taken => {
            let cal = Calendar::load(&state.db, MeetingKind::EinsZuEins, UnixMs::now()).await?;
            let mut errors = FieldErrors::default();
            errors.add("slot", TAKEN);
            Ok(render(
                &state,
                &cal,
                spec(),
                None,
                input,
                errors,
                Some(taken_notice()),
                true,
            )
            .with_status(StatusCode::CONFLICT))
        }
    }
}
