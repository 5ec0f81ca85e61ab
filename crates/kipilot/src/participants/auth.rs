//! Participant login by magic link, and the participant session.
//!
//! No passwords: a participant types their address, gets a link that works once and for
//! [`LINK_MINUTES`] minutes, opens it and presses "Anmelden" (only the POST uses the link, so
//! mail scanners that prefetch links cannot burn it). The request form answers the same for
//! every address, so it cannot be used to find out who takes part.
//!
//! The session cookie is set only after a successful login, never for public visitors. It is
//! `HttpOnly`, `SameSite=Strict`, `Secure` with the `__Host-` prefix over HTTPS, and holds a
//! random token whose SHA-256 is the session key (like the back office, `admin::auth`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::UnixMs;
use serde::Deserialize;
use storage::participants::LinkState;

use super::mails;
use crate::error::{AppError, AppResult};
use crate::profile::CompanyProfile;
use crate::state::AppState;
use crate::web::client::ClientIp;
use crate::web::formdata::FormFields;
use crate::web::tokens;

/// How long a login link works.
pub const LINK_MINUTES: i64 = 15;
/// How long the link in an invitation works (people do not read mail within 15 minutes).
pub const INVITE_HOURS: i64 = 72;
/// Idle time after which a participant session ends.
const SESSION_HOURS: i64 = 8;
/// At most this many login links per account per [`LINK_MINUTES`].
const MAX_LINKS_PER_WINDOW: i64 = 3;
/// Form name of the signed token on the request form.
const REQUEST_FORM: &str = "teilnehmer-anmelden";
/// Form name of the signed token on the "Anmelden" button page.
const REDEEM_FORM: &str = "teilnehmer-link";

/// Where to go after login, if `raw` is a page of the participant area. Why so strict: the
/// value travels through a mail and a form, so anything else (another host, `//…`, a
/// backslash trick) must fall back to the start page instead of becoming an open redirect.
pub fn safe_return_path(raw: &str) -> Option<String> {
    let ok = (raw == "/teilnehmer"
        || raw.starts_with("/teilnehmer/")
        || raw.starts_with("/teilnehmer?"))
        && raw.len() <= 4096
        && !raw.contains("//")
        && !raw.contains('\\')
        && !raw.chars().any(|c| c.is_control() || c.is_whitespace());
    ok.then(|| raw.to_owned())
}

/// `?weiter=…` for the login pages, or nothing.
fn return_query(path: Option<&str>) -> String {
    path.map(|p| format!("weiter={}", form_urlencode(p)))
        .unwrap_or_default()
}

/// Percent-encodes a query value (everything but unreserved characters).
fn form_urlencode(value: &str) -> String {
    serde_urlencoded::to_string([("", value)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

fn cookie_name(state: &AppState) -> &'static str {
    if state.config.is_https() {
        "__Host-kipilot_teilnehmer"
    } else {
        "kipilot_teilnehmer"
    }
}

/// Role of a person in a participant company.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The company's contact for the pilot; gets review reminders, may ask to delete the
    /// company's data.
    Ansprechperson,
    /// Another employee.
    Mitarbeitende,
}

impl Role {
    /// Stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Role::Ansprechperson => "ansprechperson",
            Role::Mitarbeitende => "mitarbeitende",
        }
    }

    /// German label.
    pub fn label(self) -> &'static str {
        match self {
            Role::Ansprechperson => "Ansprechperson",
            Role::Mitarbeitende => "Mitarbeitende",
        }
    }

    /// Parses a stored or submitted code.
    pub fn from_code(code: &str) -> Option<Role> {
        match code {
            "ansprechperson" => Some(Role::Ansprechperson),
            "mitarbeitende" => Some(Role::Mitarbeitende),
            _ => None,
        }
    }
}

/// A logged-in participant; extracting it without a valid session redirects to the login
/// page. `lead_id` is the company: every query for company data uses it, never an id from
/// the request.
#[derive(Debug, Clone)]
pub struct Participant {
    /// Account id.
    pub id: i64,
    /// Company (lead) id.
    pub lead_id: i64,
    /// Name.
    pub name: String,
    /// Login e-mail.
    pub email: String,
    /// Role.
    pub role: Role,
    /// The session's CSRF token.
    pub csrf: String,
}

impl Participant {
    /// Refuses a post whose form does not carry this session's CSRF token.
    pub fn check_csrf(&self, form: &FormFields) -> AppResult<()> {
        if tokens::same(form.get("csrf").as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.",
            ))
        }
    }

    /// How this person appears in the register history.
    pub fn history_actor(&self) -> storage::register::Actor {
        storage::register::Actor {
            participant_id: self.id,
            label: format!("{} ({})", self.name, self.role.label()),
        }
    }

    /// How this person appears in the audit log (no name: the log outlives erasure).
    pub fn audit_actor(&self) -> String {
        format!("teilnehmer #{}", self.id)
    }
}

impl FromRequestParts<AppState> for Participant {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // A page opened without a session (e.g. a link from a mail or the risk check's
        // "Ins KI-Verzeichnis übernehmen") is where the login leads back to.
        let back = (parts.method == axum::http::Method::GET)
            .then(|| parts.uri.path_and_query().map(|pq| pq.as_str().to_owned()))
            .flatten()
            .and_then(|p| safe_return_path(&p))
            .filter(|p| p != "/teilnehmer");
        let login = || {
            let query = return_query(back.as_deref());
            let to = if query.is_empty() {
                "/teilnehmer/anmelden".to_owned()
            } else {
                format!("/teilnehmer/anmelden?{query}")
            };
            Redirect::to(&to).into_response()
        };
        let Some(token) = tokens::session_cookie(&parts.headers, cookie_name(state)) else {
            return Err(login());
        };
        let hash = tokens::hash(&token);
        let now = UnixMs::now();
        let session = storage::participants::session(&state.db, &hash, now)
            .await
            .map_err(|e| AppError::from(e).into_response())?;
        let Some(session) = session else {
            return Err(login());
        };
        let Some(role) = Role::from_code(&session.role) else {
            return Err(login());
        };
        // Sliding expiry, refreshed at most every few minutes to spare writes.
        if session.expires_ms - now.plus_hours(SESSION_HOURS).0 < -300_000 {
            let _ = storage::participants::touch_session(
                &state.db,
                &hash,
                now.plus_hours(SESSION_HOURS),
                now,
            )
            .await;
        }
        Ok(Participant {
            id: session.participant_id,
            lead_id: session.lead_id,
            name: session.name,
            email: session.email,
            role,
            csrf: session.csrf_token,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "participants/login.html")]
pub(super) struct LoginPage {
    nav: &'static str,
    form_token: String,
    email: String,
    error: Option<&'static str>,
    sent: bool,
    minutes: i64,
    logged_out: bool,
    /// Page to return to after login (validated), carried in a hidden field.
    weiter: String,
}

#[derive(Deserialize)]
pub(super) struct LoginQuery {
    abgemeldet: Option<String>,
    weiter: Option<String>,
}

/// `GET /teilnehmer/anmelden`.
pub(super) async fn login_page(
    State(state): State<AppState>,
    Query(q): Query<LoginQuery>,
) -> LoginPage {
    LoginPage {
        nav: "",
        form_token: state.forms.issue(REQUEST_FORM, UnixMs::now()),
        email: String::new(),
        error: None,
        sent: false,
        minutes: LINK_MINUTES,
        logged_out: q.abgemeldet.is_some(),
        weiter: q
            .weiter
            .as_deref()
            .and_then(safe_return_path)
            .unwrap_or_default(),
    }
}

/// `POST /teilnehmer/anmelden`: queues a login link if the address has an account; the
/// answer is the same either way.
pub(super) async fn request_link(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form: FormFields,
) -> AppResult<Response> {
    let now = UnixMs::now();
    let typed: String = form.get("email").trim().chars().take(254).collect();
    let weiter = safe_return_path(form.get("weiter"));
    let page = |error: Option<&'static str>, sent: bool, email: String| LoginPage {
        nav: "",
        form_token: state.forms.issue(REQUEST_FORM, now),
        email,
        error,
        sent,
        minutes: LINK_MINUTES,
        logged_out: false,
        weiter: weiter.clone().unwrap_or_default(),
    };
    if !state.login_limiter.check(ip) {
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            page(
                Some("Von Ihrem Anschluss kamen sehr viele Anmeldeversuche. Bitte warten Sie 15 Minuten und versuchen Sie es dann noch einmal."),
                false,
                typed,
            ),
        )
            .into_response());
    }
    // Only proves the form came from our page; no minimum fill time (browsers autofill).
    if state
        .forms
        .check_origin_only(REQUEST_FORM, form.get("form_token"), now)
        .is_err()
    {
        return Ok((
            StatusCode::FORBIDDEN,
            page(
                Some("Die Seite war zu lange geöffnet. Bitte senden Sie das Formular noch einmal ab."),
                false,
                typed,
            ),
        )
            .into_response());
    }
    let email = match domain::Email::parse(&typed) {
        Ok(e) => e,
        Err(_) => {
            return Ok((
                StatusCode::BAD_REQUEST,
                page(
                    Some("Bitte geben Sie Ihre E-Mail-Adresse vollständig ein, z. B. anna.huber@tischlerei-huber.at."),
                    false,
                    typed,
                ),
            )
                .into_response());
        }
    };
    let token = tokens::new_token()?;
    let token_hash = tokens::hash(&token);
    let profile = CompanyProfile::load(&state.db).await?;
    let base = state.config.base_url.clone();
    let queued = storage::participants::request_login(
        &state.db,
        email.as_str(),
        &token_hash,
        now.plus_ms(LINK_MINUTES * 60_000),
        now.plus_ms(-LINK_MINUTES * 60_000),
        MAX_LINKS_PER_WINDOW,
        now,
        |account| {
            mails::login_link(
                &base,
                &profile,
                account,
                &token,
                &token_hash,
                &return_query(weiter.as_deref()),
            )
        },
    )
    .await?;
    if queued {
        state.mail_wakeup.notify_one();
    }
    Ok(page(None, true, String::new()).into_response())
}

#[derive(Deserialize)]
pub(super) struct TokenQuery {
    token: Option<String>,
    weiter: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "participants/login_link.html")]
pub(super) struct LinkPage {
    nav: &'static str,
    form_token: String,
    token: String,
    weiter: String,
}

/// The friendly page for a link that does not (or no longer) work.
fn link_problem(state: LinkState) -> Response {
    let (title, text) = match state {
        LinkState::Used => (
            "Dieser Anmeldelink wurde schon verwendet",
            "Jeder Link funktioniert aus Sicherheitsgründen nur einmal. Fordern Sie einfach einen neuen an – das dauert eine Minute.",
        ),
        LinkState::Expired => (
            "Dieser Anmeldelink ist abgelaufen",
            "Anmeldelinks gelten 15 Minuten, Einladungslinks 72 Stunden. Fordern Sie einfach einen neuen an.",
        ),
        LinkState::Valid(_) | LinkState::Unknown => (
            "Dieser Anmeldelink ist ungültig",
            "Vielleicht wurde der Link beim Kopieren abgeschnitten, oder Sie haben inzwischen einen neueren angefordert. Fordern Sie einfach einen neuen an.",
        ),
    };
    (
        StatusCode::GONE,
        crate::site::SimplePage {
            nav: "",
            title: title.to_owned(),
            paragraphs: vec![text.to_owned()],
            links: vec![(
                "/teilnehmer/anmelden".to_owned(),
                "Neuen Anmeldelink anfordern".to_owned(),
            )],
        },
    )
        .into_response()
}

/// `GET /teilnehmer/anmelden/link?token=…`: shows the "Anmelden" button; does not use the
/// link.
pub(super) async fn link_page(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let token = q.token.unwrap_or_default();
    let now = UnixMs::now();
    let link = if tokens::looks_valid(&token) {
        storage::participants::link_state(&state.db, &tokens::hash(&token), now).await?
    } else {
        LinkState::Unknown
    };
    if !matches!(link, LinkState::Valid(_)) {
        return Ok(link_problem(link));
    }
    Ok(LinkPage {
        nav: "",
        form_token: state.forms.issue(REDEEM_FORM, now),
        token,
        weiter: q
            .weiter
            .as_deref()
            .and_then(safe_return_path)
            .unwrap_or_default(),
    }
    .into_response())
}

/// `POST /teilnehmer/anmelden/link`: uses the link once, opens a session, sets the cookie.
pub(super) async fn redeem(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form: FormFields,
) -> AppResult<Response> {
    if !state.login_limiter.check(ip) {
        return Err(AppError::TooManyRequests);
    }
    let now = UnixMs::now();
    if state
        .forms
        .check_origin_only(REDEEM_FORM, form.get("form_token"), now)
        .is_err()
    {
        return Err(AppError::Forbidden(
            "Die Seite war zu lange geöffnet. Bitte öffnen Sie den Link aus der E-Mail noch einmal.",
        ));
    }
    let token = form.get("token");
    if !tokens::looks_valid(token) {
        return Ok(link_problem(LinkState::Unknown));
    }
    let session = tokens::new_token()?;
    let csrf = tokens::new_token()?;
    let redeemed = storage::participants::redeem_link(
        &state.db,
        &tokens::hash(token),
        &tokens::hash(&session),
        &csrf,
        now.plus_hours(SESSION_HOURS),
        now,
    )
    .await?;
    if let Err(problem) = redeemed {
        return Ok(link_problem(problem));
    }
    let secure = if state.config.is_https() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={session}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        cookie_name(&state),
        SESSION_HOURS * 3600
    );
    let to = safe_return_path(form.get("weiter")).unwrap_or_else(|| "/teilnehmer".to_owned());
    let mut response = Redirect::to(&to).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.into()))?,
    );
    Ok(response)
}

/// The raw session token, for logout.
pub struct SessionCookie(Option<String>);

impl FromRequestParts<AppState> for SessionCookie {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(SessionCookie(tokens::session_cookie(
            &parts.headers,
            cookie_name(state),
        )))
    }
}

/// `POST /teilnehmer/abmelden`.
pub(super) async fn logout(
    State(state): State<AppState>,
    participant: Participant,
    cookie: SessionCookie,
    form: FormFields,
) -> AppResult<Response> {
    participant.check_csrf(&form)?;
    if let Some(token) = cookie.0 {
        storage::participants::delete_session(&state.db, &tokens::hash(&token)).await?;
    }
    Ok(clear_cookie(&state, "/teilnehmer/anmelden?abgemeldet=1"))
}

/// A redirect that also deletes the session cookie.
pub(super) fn clear_cookie(state: &AppState, to: &str) -> Response {
    let secure = if state.config.is_https() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        cookie_name(state)
    );
    let mut response = Redirect::to(to).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod return_path_tests {
    use super::*;

    #[test]
    fn only_pages_of_the_participant_area_are_return_paths() {
        for ok in [
            "/teilnehmer",
            "/teilnehmer/wissen/ki-kompetenz",
            "/teilnehmer/verzeichnis/neu?risiko=hoch&pflichten=Art.%204",
        ] {
            assert_eq!(safe_return_path(ok).as_deref(), Some(ok));
        }
        for bad in [
            "",
            "https://evil.example/teilnehmer",
            "//evil.example/teilnehmer/",
            "/teilnehmer//evil.example",
            "/teilnehmer/\\evil",
            "/teilnehmerx",
            "/admin",
            "/teilnehmer/a b",
            "/teilnehmer/\r\nSet-Cookie:x",
        ] {
            assert_eq!(safe_return_path(bad), None, "{bad:?}");
        }
        assert_eq!(
            return_query(Some("/teilnehmer/verzeichnis/neu?risiko=hoch")),
            "weiter=%2Fteilnehmer%2Fverzeichnis%2Fneu%3Frisiko%3Dhoch"
        );
    }
}
