//! Team login: Argon2id passwords, server-side sessions, lockout and rate limits.
//!
//! The session cookie is the only cookie kipilot ever sets, and only after a team member
//! logs in. It is `HttpOnly`, `SameSite=Strict`, `Secure` over HTTPS (then with the
//! `__Host-` prefix) and holds a random token whose hash is the session key.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::UnixMs;
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::client::ClientIp;
use crate::web::formdata::FormFields;
use crate::web::tokens;

/// Idle time after which a session ends.
const SESSION_HOURS: i64 = 12;
/// Failed logins before the account is locked…
const MAX_FAILURES: i64 = 5;
/// …for this long.
const LOCK_MINUTES: i64 = 15;
/// Form name for the signed login token (prevents login CSRF).
const LOGIN_FORM: &str = "admin-login";

fn cookie_name(state: &AppState) -> &'static str {
    if state.config.is_https() {
        "__Host-kipilot_admin"
    } else {
        "kipilot_admin"
    }
}

/// A logged-in team member; extracting it from a request without a valid session redirects
/// to the login page.
#[derive(Debug, Clone)]
pub struct AdminUser {
    /// User id.
    pub id: i64,
    /// Login e-mail.
    pub email: String,
    /// The session's CSRF token.
    pub csrf: String,
}

impl AdminUser {
    /// Refuses a back-office post whose form does not carry this session's CSRF token.
    pub fn check_csrf(&self, form: &FormFields) -> AppResult<()> {
        if tokens::same(form.get("csrf").as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Das Formular ist abgelaufen oder stammt nicht aus dem Backoffice. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.",
            ))
        }
    }

    /// How this user appears in notes and the audit log.
    pub fn actor(&self) -> String {
        format!("admin #{}", self.id)
    }
}

/// Redirect to the login page.
pub struct LoginRequired;

impl IntoResponse for LoginRequired {
    fn into_response(self) -> Response {
        Redirect::to("/admin/login").into_response()
    }
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = tokens::session_cookie(&parts.headers, cookie_name(state)) else {
            return Err(LoginRequired.into_response());
        };
        let hash = tokens::hash(&token);
        let now = UnixMs::now();
        let session = storage::users::session(&state.db, &hash, now)
            .await
            .map_err(|e| AppError::from(e).into_response())?;
        let Some(session) = session else {
            return Err(LoginRequired.into_response());
        };
        // Sliding expiry, refreshed at most every few minutes to spare writes.
        if session.expires_ms - now.plus_hours(SESSION_HOURS).0 < -300_000 {
            let _ = storage::users::touch_session(&state.db, &hash, now.plus_hours(SESSION_HOURS))
                .await;
        }
        Ok(AdminUser {
            id: session.user_id,
            email: session.email,
            csrf: session.csrf_token,
        })
    }
}

/// Success message after a redirect, chosen by a short code in `?ok=` (never free text, so
/// the URL cannot be used to put words into the back office).
#[derive(Debug, Clone, Copy, Default)]
pub struct Flash(pub Option<&'static str>);

#[derive(Deserialize)]
struct FlashQuery {
    ok: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Flash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let code = Query::<FlashQuery>::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|q| q.0.ok);
        Ok(Flash(code.as_deref().and_then(|c| match c {
            "phase" => Some("Die Phase wurde gespeichert."),
            "notiz" => Some("Die Notiz wurde gespeichert."),
            "geloescht" => Some("Der Lead wurde mit allen Daten gelöscht."),
            "gespeichert" => Some("Gespeichert."),
            "veroeffentlicht" => Some("Das Update ist jetzt öffentlich."),
            "zurueckgezogen" => Some("Das Update ist nicht mehr öffentlich."),
            "update-geloescht" => Some("Das Update wurde gelöscht."),
            "artikel-veroeffentlicht" => Some("Der Artikel ist jetzt für Teilnehmende sichtbar (und öffentlich, wenn so markiert)."),
            "artikel-zurueckgezogen" => Some("Der Artikel ist nicht mehr sichtbar."),
            "artikel-geloescht" => Some("Der Artikel wurde gelöscht."),
            "artikel-versendet" => Some("Die E-Mails an die Teilnehmenden liegen im Postausgang und gehen gleich hinaus."),
            "artikel-schon-versendet" => Some("Dieser Artikel wurde schon versendet. Jeder Artikel geht nur einmal hinaus."),
            "erneut" => Some("Die E-Mail wird gleich erneut versendet."),
            "termin-link" => Some("Der persönliche 1:1-Link ist per E-Mail unterwegs."),
            "kontakt" => Some("Kontakt gespeichert – die Bitte um Bestätigung ist unterwegs."),
            "kontakt-bekannt" => Some("Diese Adresse ist schon bekannt: Wir haben Ihre Notiz beim bestehenden Lead gespeichert und keine weitere E-Mail geschickt."),
            "gateway-richtlinie" => Some("Die Richtlinie ist gespeichert und gilt ab der nächsten Anfrage."),
            "anliegen" => Some("Gespeichert. Die Einordnung zählt ab sofort in den Erkenntnissen."),
            "gateway-widerrufen" => Some("Der Schlüssel ist widerrufen und funktioniert nicht mehr."),
            _ => None,
        })))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/login.html")]
struct LoginPage {
    form_token: String,
    email: String,
    error: Option<&'static str>,
    no_users: bool,
}

impl LoginPage {
    async fn render(
        state: &AppState,
        email: String,
        error: Option<&'static str>,
        status: StatusCode,
    ) -> AppResult<Response> {
        let no_users = storage::users::count(&state.db).await? == 0;
        let response = (
            status,
            LoginPage {
                form_token: state.forms.issue(LOGIN_FORM, UnixMs::now()),
                email,
                error,
                no_users,
            },
        )
            .into_response();
        Ok(response)
    }
}

/// `GET /admin/login`.
pub(super) async fn login_page(State(state): State<AppState>) -> AppResult<Response> {
    LoginPage::render(&state, String::new(), None, StatusCode::OK).await
}

/// `POST /admin/login`.
pub(super) async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form: FormFields,
) -> AppResult<Response> {
    let email = form.get("email").trim().to_lowercase();
    if !state.login_limiter.check(ip) {
        return LoginPage::render(
            &state,
            email,
            Some("Zu viele Anmeldeversuche von Ihrem Anschluss. Bitte warten Sie 15 Minuten."),
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let now = UnixMs::now();
    // The login token only proves the form came from our page; no minimum fill time here
    // (password managers fill instantly).
    if state
        .forms
        .check_origin_only(LOGIN_FORM, form.get("form_token"), now)
        .is_err()
    {
        return LoginPage::render(
            &state,
            email,
            Some("Die Anmeldeseite war zu lange geöffnet. Bitte versuchen Sie es noch einmal."),
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let user = storage::users::find_by_email(&state.db, &email).await?;
    if let Some(u) = &user
        && u.locked_until_ms.is_some_and(|t| t > now.0)
    {
        return LoginPage::render(
            &state,
            email,
            Some("Nach mehreren Fehlversuchen ist dieses Konto für 15 Minuten gesperrt. Bitte versuchen Sie es danach noch einmal."),
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await;
    }
    let ok = crate::password::verify(
        form.get("password").to_owned(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await;
    let Some(user) = user.filter(|_| ok) else {
        if let Some(u) = storage::users::find_by_email(&state.db, &email).await? {
            storage::users::record_failed_login(
                &state.db,
                u.id,
                MAX_FAILURES,
                now.plus_ms(LOCK_MINUTES * 60_000),
            )
            .await?;
        }
        tracing::warn!("failed back-office login");
        return LoginPage::render(
            &state,
            email,
            Some("E-Mail-Adresse oder Passwort stimmen nicht."),
            StatusCode::UNAUTHORIZED,
        )
        .await;
    };
    storage::users::record_successful_login(&state.db, user.id).await?;
    let token = tokens::new_token()?;
    let csrf = tokens::new_token()?;
    storage::users::create_session(
        &state.db,
        &tokens::hash(&token),
        user.id,
        &csrf,
        now,
        now.plus_hours(SESSION_HOURS),
    )
    .await?;
    storage::audit::record(
        &state.db,
        now,
        &format!("admin #{}", user.id),
        "Anmeldung im Backoffice",
        "sessions",
    )
    .await?;
    let secure = if state.config.is_https() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        cookie_name(&state),
        SESSION_HOURS * 3600
    );
    let mut response = Redirect::to("/admin").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.into()))?,
    );
    Ok(response)
}

/// `POST /admin/logout`.
pub(super) async fn logout(
    State(state): State<AppState>,
    user: AdminUser,
    parts: LogoutCookie,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    if let Some(token) = parts.0 {
        storage::users::delete_session(&state.db, &tokens::hash(&token)).await?;
    }
    let secure = if state.config.is_https() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        cookie_name(&state)
    );
    let mut response = Redirect::to("/admin/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.into()))?,
    );
    Ok(response)
}

/// The raw session token, for logout.
pub struct LogoutCookie(Option<String>);

impl FromRequestParts<AppState> for LogoutCookie {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(LogoutCookie(tokens::session_cookie(
            &parts.headers,
            cookie_name(state),
        )))
    }
}
