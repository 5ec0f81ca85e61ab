//! Knowledge base and peer exchange (issue 7): articles by the team for participants or
//! the public, the one-time article mail with a signed unsubscribe link, and the opt-in
//! directory of participating companies.
//!
//! Participant pages use the session's `lead_id` only for the company's own directory
//! entry; the article list is the same for every participant. The directory shows only
//! companies with a row in `peer_directory` (opt-in), and only to logged-in participants.

pub mod admin;
pub mod directory;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::UnixMs;
use serde::Deserialize;
use storage::knowledge::{Article, category};

use crate::error::{AppError, AppResult};
use crate::participants::auth::Participant;
use crate::participants::{Flash, ParticipantCtx};
use crate::state::AppState;
use crate::web::formdata::FormFields;

/// Purpose string of the signed unsubscribe link; changing it invalidates all old links.
const UNSUBSCRIBE_PURPOSE: &str = "wissen-abmelden";
/// Form name of the unsubscribe button page.
const UNSUBSCRIBE_FORM: &str = "wissen-abmelden";

/// Routes of the knowledge base, the directory and their back-office pages.
pub fn router() -> Router<AppState> {
    let area = Router::new()
        .route("/teilnehmer/wissen", get(participant_list))
        .route("/teilnehmer/wissen/{slug}", get(participant_article))
        .route(
            "/teilnehmer/austausch",
            get(directory::page).post(directory::save),
        )
        .route("/teilnehmer/austausch/austreten", post(directory::leave))
        .route("/teilnehmer/wissen-mails", post(resubscribe))
        .layer(axum::middleware::map_response(
            crate::participants::no_store,
        ));
    area.route("/wissen/artikel/{slug}", get(public_article))
        .route("/wissen/abmelden", get(unsubscribe_page).post(unsubscribe))
        .route("/admin/wissen", get(admin::list))
        .route(
            "/admin/wissen/neu",
            get(admin::new_form).post(admin::create),
        )
        .route(
            "/admin/wissen/{id}",
            get(admin::edit_form).post(admin::save),
        )
        .route("/admin/wissen/{id}/veroeffentlichen", post(admin::publish))
        .route("/admin/wissen/{id}/zurueckziehen", post(admin::unpublish))
        .route("/admin/wissen/{id}/versenden", post(admin::send))
        .route("/admin/wissen/{id}/loeschen", post(admin::delete))
}

/// An article ready for a template: the legal note is part of the view, so no page can
/// forget it for an AI-Act update.
pub struct ArticleView {
    /// URL slug.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Teaser.
    pub summary: String,
    /// German category label.
    pub category: &'static str,
    /// Date in words.
    pub date: String,
    /// Whether it is listed publicly.
    pub public: bool,
    /// Sanitised HTML of the body.
    pub body_html: String,
    /// For AI-Act updates: "Stand …, keine Rechtsberatung".
    pub legal_note: Option<String>,
}

impl ArticleView {
    /// Builds the view, rendering the Markdown through [`crate::markdown::to_safe_html`].
    pub fn new(a: &Article) -> ArticleView {
        let date = UnixMs(a.dated_ms).format_long_date();
        ArticleView {
            slug: a.slug.clone(),
            title: a.title.clone(),
            summary: a.summary.clone(),
            category: category::label(&a.category),
            legal_note: legal_note(&a.category, &date),
            date,
            public: a.is_public == 1,
            body_html: crate::markdown::to_safe_html(&a.body_md),
        }
    }
}

/// The note every AI-Act update carries.
pub fn legal_note(category_code: &str, date: &str) -> Option<String> {
    (category_code == category::AI_ACT).then(|| {
        format!(
            "Stand: {date}. Keine Rechtsberatung: Dieser Beitrag fasst die Rechtslage vereinfacht zusammen. Im Einzelfall fragen Sie bitte eine Rechtsberaterin oder einen Rechtsberater."
        )
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "participants/wissen.html")]
struct ParticipantListPage {
    nav: &'static str,
    ctx: ParticipantCtx,
    articles: Vec<ArticleView>,
    opted_out: bool,
}

/// `GET /teilnehmer/wissen`: all published articles, participant-only and public.
async fn participant_list(
    State(state): State<AppState>,
    p: Participant,
    flash: Flash,
) -> AppResult<ParticipantListPage> {
    let articles = storage::knowledge::published(&state.db, false).await?;
    Ok(ParticipantListPage {
        nav: "wissen",
        ctx: ParticipantCtx::load(&state, &p, flash.0).await?,
        articles: articles.iter().map(ArticleView::new).collect(),
        opted_out: storage::knowledge::opted_out(&state.db, p.id).await?,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "participants/wissen_artikel.html")]
struct ParticipantArticlePage {
    nav: &'static str,
    ctx: ParticipantCtx,
    article: ArticleView,
}

/// `GET /teilnehmer/wissen/{slug}`.
async fn participant_article(
    State(state): State<AppState>,
    p: Participant,
    Path(slug): Path<String>,
) -> AppResult<ParticipantArticlePage> {
    let article = storage::knowledge::published_by_slug(&state.db, &slug, false)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(ParticipantArticlePage {
        nav: "wissen",
        ctx: ParticipantCtx::load(&state, &p, None).await?,
        article: ArticleView::new(&article),
    })
}

/// `POST /teilnehmer/wissen-mails`: switch article mails on or off from the list page.
async fn resubscribe(
    State(state): State<AppState>,
    p: Participant,
    form: FormFields,
) -> AppResult<Response> {
    p.check_csrf(&form)?;
    if form.get("mails") == "an" {
        storage::knowledge::opt_in(&state.db, p.id).await?;
        Ok(axum::response::Redirect::to("/teilnehmer/wissen?ok=wissen-mails-an").into_response())
    } else {
        storage::knowledge::opt_out(&state.db, p.id, UnixMs::now()).await?;
        Ok(axum::response::Redirect::to("/teilnehmer/wissen?ok=wissen-mails-aus").into_response())
    }
}

/// A public article as a site page.
#[derive(Template, WebTemplate)]
#[template(path = "site/wissen_artikel.html")]
struct PublicArticlePage {
    nav: &'static str,
    article: ArticleView,
}

/// `GET /wissen/artikel/{slug}`: only public, published articles; everything else is 404.
async fn public_article(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<PublicArticlePage> {
    let article = storage::knowledge::published_by_slug(&state.db, &slug, true)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(PublicArticlePage {
        nav: "wissen",
        article: ArticleView::new(&article),
    })
}

/// Public articles for the `/wissen` page.
pub async fn public_cards(state: &AppState) -> AppResult<Vec<ArticleView>> {
    let rows = storage::knowledge::published(&state.db, true).await?;
    Ok(rows.iter().map(ArticleView::new).collect())
}

/// The unsubscribe link for one account: its id and an HMAC over it, so nobody can
/// unsubscribe someone else by changing the number.
pub fn unsubscribe_url(state: &AppState, participant_id: i64) -> String {
    let payload = participant_id.to_string();
    let sig = state.forms.sign_link(UNSUBSCRIBE_PURPOSE, &payload);
    format!(
        "{}/wissen/abmelden?k={payload}&sig={sig}",
        state.config.base_url
    )
}

#[derive(Deserialize)]
struct UnsubscribeQuery {
    k: Option<String>,
    sig: Option<String>,
}

/// The account id of a correctly signed link, or `None`.
fn verified(state: &AppState, k: &str, sig: &str) -> Option<i64> {
    let id = k.parse::<i64>().ok().filter(|id| *id > 0)?;
    state
        .forms
        .verify_link(UNSUBSCRIBE_PURPOSE, &id.to_string(), sig)
        .then_some(id)
}

#[derive(Template, WebTemplate)]
#[template(path = "site/wissen_abmelden.html")]
struct UnsubscribePage {
    nav: &'static str,
    /// `bestaetigen`, `erledigt`, `schon` or `ungueltig`.
    state: &'static str,
    k: String,
    sig: String,
    form_token: String,
}

fn invalid_link() -> Response {
    (
        axum::http::StatusCode::NOT_FOUND,
        UnsubscribePage {
            nav: "",
            state: "ungueltig",
            k: String::new(),
            sig: String::new(),
            form_token: String::new(),
        },
    )
        .into_response()
}

/// `GET /wissen/abmelden?k=…&sig=…`: shows a button; a GET alone never changes anything
/// (mail scanners open links).
async fn unsubscribe_page(
    State(state): State<AppState>,
    Query(q): Query<UnsubscribeQuery>,
) -> AppResult<Response> {
    let (k, sig) = (q.k.unwrap_or_default(), q.sig.unwrap_or_default());
    let Some(id) = verified(&state, &k, &sig) else {
        return Ok(invalid_link());
    };
    let already = storage::knowledge::opted_out(&state.db, id).await?;
    Ok(UnsubscribePage {
        nav: "",
        state: if already { "schon" } else { "bestaetigen" },
        form_token: state.forms.issue(UNSUBSCRIBE_FORM, UnixMs::now()),
        k,
        sig,
    }
    .into_response())
}

/// `POST /wissen/abmelden`: records the opt-out; a repeated post just confirms it again.
async fn unsubscribe(State(state): State<AppState>, form: FormFields) -> AppResult<Response> {
    let now = UnixMs::now();
    if state
        .forms
        .check_origin_only(UNSUBSCRIBE_FORM, form.get("form_token"), now)
        .is_err()
    {
        return Err(AppError::Forbidden(
            "Die Seite war zu lange geöffnet. Bitte öffnen Sie den Link aus der E-Mail noch einmal.",
        ));
    }
    let Some(id) = verified(&state, form.get("k"), form.get("sig")) else {
        return Ok(invalid_link());
    };
    let already = storage::knowledge::opted_out(&state.db, id).await?;
    if !storage::knowledge::opt_out(&state.db, id, now).await? {
        return Ok(invalid_link());
    }
    Ok(UnsubscribePage {
        nav: "",
        state: if already { "schon" } else { "erledigt" },
        k: String::new(),
        sig: String::new(),
        form_token: String::new(),
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ai_act_updates_carry_the_legal_note() {
        let note = legal_note(category::AI_ACT, "20. November 2026").unwrap_or_default();
        assert!(note.starts_with("Stand: 20. November 2026."), "{note}");
        assert!(note.contains("Keine Rechtsberatung"));
        assert!(legal_note(category::BEST_PRACTICE, "20. November 2026").is_none());
    }
}
