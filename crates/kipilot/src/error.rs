//! One error type for all handlers, mapped to a German page in one place.
//!
//! Users never see internal messages: storage and mail failures are logged with context and
//! the visitor gets a calm "please try again" page. Bad input is not an error here — forms
//! re-render with messages next to the fields; this type covers what is left.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// What went wrong, by the status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 404: unknown page or record.
    #[error("not found")]
    NotFound,
    /// 400: a request we cannot use, with the German reason.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 403: refused (forged post, missing rights), with the German reason.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// 413: the body was larger than any form needs.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 429: too many attempts from this client.
    #[error("too many requests")]
    TooManyRequests,
    /// 503: storage or another dependency failed; details only in the log.
    #[error("internal: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<storage::StoreError> for AppError {
    fn from(e: storage::StoreError) -> Self {
        AppError::Internal(anyhow::Error::new(e))
    }
}

/// The German error page.
#[derive(Template, WebTemplate)]
#[template(path = "site/error.html")]
pub struct ErrorPage {
    /// Page title and heading.
    pub title: &'static str,
    /// What happened and what to do next.
    pub message: String,
    /// Navigation entry to highlight (none).
    pub nav: &'static str,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "Seite nicht gefunden",
                "Diese Seite gibt es nicht (mehr). Vielleicht hilft Ihnen die Projektseite weiter.".to_owned(),
            ),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Das hat leider nicht geklappt", m),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "Anfrage abgelehnt", m.to_owned()),
            AppError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Zu viel Text auf einmal",
                "Ihre Eingabe war zu groß für dieses Formular. Bitte kürzen Sie den Text und versuchen Sie es noch einmal.".to_owned(),
            ),
            AppError::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                "Bitte kurz warten",
                "Von Ihrem Anschluss kamen in kurzer Zeit sehr viele Anfragen. Bitte warten Sie ein paar Minuten und versuchen Sie es dann noch einmal.".to_owned(),
            ),
            AppError::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "internal error");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Kurze Störung",
                    "Gerade klemmt bei uns etwas. Ihre Eingaben sind nicht verloren gegangen, wenn Sie zurückgehen. Bitte versuchen Sie es in einer Minute noch einmal.".to_owned(),
                )
            }
        };
        (
            status,
            ErrorPage {
                title,
                message,
                nav: "",
            },
        )
            .into_response()
    }
}

/// Handler result type.
pub type AppResult<T> = Result<T, AppError>;
