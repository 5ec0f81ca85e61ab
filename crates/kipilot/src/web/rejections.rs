//! German pages for the framework's own rejections.
//!
//! axum answers a malformed path parameter (`/admin/leads/abc`) with an English plain-text
//! 400, and a wrong method with an empty 405. Visitors and the team should read German and
//! get a way on, so this middleware replaces those bodies with the site's error page. The
//! JSON API keeps its own JSON errors.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// The middleware.
pub async fn germanize(request: Request, next: Next) -> Response {
    let api = {
        let path = request.uri().path();
        path.starts_with("/api/") || path.starts_with("/v1/")
    };
    let response = next.run(request).await;
    if api {
        return response;
    }
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    let message = match status {
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY if plain => {
            "Diese Adresse oder Anfrage ist ungültig. Bitte prüfen Sie den Link oder gehen Sie zurück zur vorherigen Seite."
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            "Diese Seite lässt sich so nicht aufrufen. Bitte öffnen Sie sie über einen Link auf unserer Website."
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE if plain => {
            "Diese Anfrage enthielt keine Formulardaten. Bitte verwenden Sie das Formular auf unserer Website."
        }
        _ => return response,
    };
    (status, AppError::BadRequest(message.to_owned())).into_response()
}
