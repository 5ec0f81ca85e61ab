//! The toolkit pages: the guided KI-Risiko-Check ([`riskcheck`]) and the quick check
//! „Darf ich das in ChatGPT eingeben?“ ([`chatgpt`]).
//!
//! Both run on the `riskcheck` engine and keep nothing: no cookie, no database row. The
//! wizard's answers travel as hidden fields in the page itself, so back and forward never
//! lose them and a reload of the result shows the same result.

pub mod anonymize;
pub mod anonymize_cli;
pub mod chatgpt;
pub mod riskcheck;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use domain::UnixMs;

use crate::state::AppState;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/werkzeuge/ki-check",
            get(riskcheck::start).post(riskcheck::submit),
        )
        .route(
            "/werkzeuge/anonymisieren",
            get(anonymize::show).post(anonymize::submit),
        )
        .route(
            "/werkzeuge/ki-check/chatgpt",
            get(chatgpt::show).post(chatgpt::submit),
        )
}

/// Answers may describe a company's internals: never keep them in any cache.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// "2. Dezember 2027" for an ISO date; the ISO text itself if it cannot be read.
pub fn long_date(iso: &str) -> String {
    UnixMs::from_vienna_date(iso)
        .map(UnixMs::format_long_date)
        .unwrap_or_else(|| iso.to_owned())
}

/// Today in Vienna as `YYYY-MM-DD`, for comparing with the engine's ISO dates.
pub fn today_vienna() -> String {
    UnixMs::now().format_iso_date()
}

/// German label of a certainty label of the rule set.
pub fn certainty_de(c: ::riskcheck::Certainty) -> &'static str {
    use ::riskcheck::Certainty;
    match c {
        Certainty::Law => "Gesetzestext",
        Certainty::LawAmended => "Gesetzestext idF VO (EU) 2026/1744",
        Certainty::Guidance => "Leitlinien der Kommission",
        Certainty::Draft => "Entwurf",
        Certainty::Proposed => "Gesetzesvorschlag",
        Certainty::Verify => "noch zu prüfen",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_in_german() {
        assert_eq!(long_date("2027-12-02"), "2. Dezember 2027");
        assert_eq!(long_date("2025-01-02"), "2. Jänner 2025");
        assert_eq!(long_date("kein Datum"), "kein Datum");
        assert_eq!(today_vienna().len(), 10);
    }
}
