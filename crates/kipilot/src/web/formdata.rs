//! Reading `application/x-www-form-urlencoded` bodies into a simple field list.
//!
//! axum's `Form` cannot hold repeated keys (`interests=texte&interests=bilder`) and answers
//! bad bodies in English. This extractor keeps every pair, decodes invalid UTF-8 lossily
//! (a broken byte becomes "�" and the field validation speaks German about it) and maps
//! oversized or wrongly typed bodies to German error pages.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;

use crate::error::AppError;

/// All submitted fields in order.
#[derive(Debug, Clone, Default)]
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    /// Parses a body.
    pub fn parse(body: &[u8]) -> FormFields {
        FormFields(
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_else(|_| {
                // serde_urlencoded only fails on shapes we do not ask for; fall back to nothing.
                Vec::new()
            }),
        )
    }

    /// The first value of `key`, or "".
    pub fn get(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// All values of a repeatable `key`.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Whether `key` was sent with a non-empty value (checkboxes, honeypots).
    pub fn is_set(&self, key: &str) -> bool {
        !self.get(key).trim().is_empty()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(AppError::BadRequest(
                "Diese Anfrage enthielt keine Formulardaten. Bitte verwenden Sie das Formular auf unserer Website.".to_owned(),
            ));
        }
        let body = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest("Die Formulardaten kamen unvollständig an. Bitte senden Sie das Formular noch einmal ab.".to_owned())
            }
        })?;
        Ok(FormFields::parse(&body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_repeated_keys_and_survives_invalid_utf8() {
        let form = FormFields::parse(b"interests=texte&interests=bilder&name=M%FCller&x=%ZZ");
        assert_eq!(form.all("interests"), vec!["texte", "bilder"]);
        assert_eq!(form.get("name"), "M\u{FFFD}ller");
        assert_eq!(form.get("missing"), "");
    }
}
