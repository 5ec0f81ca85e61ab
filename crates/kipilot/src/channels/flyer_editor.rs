//! Back office: editing one event's flyer text with a live HTML preview.
//!
//! "Vorschau" shows the typed text without saving; "Speichern" first typesets the flyer in
//! A6 and A5 and only stores a text that fits both on one page, so a saved text can always
//! be printed. The PDF link renders exactly what `kipilot flyer` would write.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::flyer::{
    FlyerError, FlyerFrame, FlyerText, Format, MAX_BULLET, MAX_CTA, MAX_HEADLINE, MAX_INTRO,
    render_text,
};
use crate::admin::AdminCtx;
use crate::admin::auth::{AdminUser, Flash};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::formdata::FormFields;

/// What the editor's fields hold, as typed.
struct EditorForm {
    headline: String,
    intro: String,
    bullets: String,
    cta: String,
    crop_marks: bool,
}

impl EditorForm {
    fn from_text(text: &FlyerText) -> EditorForm {
        EditorForm {
            headline: text.headline.clone(),
            intro: text.intro.clone(),
            bullets: text.bullets.join("\n"),
            cta: text.cta.clone(),
            crop_marks: text.crop_marks,
        }
    }

    fn from_fields(fields: &FormFields) -> EditorForm {
        EditorForm {
            headline: fields.get("headline").to_owned(),
            intro: fields.get("intro").to_owned(),
            bullets: fields.get("bullets").to_owned(),
            cta: fields.get("cta").to_owned(),
            crop_marks: fields.is_set("crop_marks"),
        }
    }

    fn parse(&self) -> Result<FlyerText, String> {
        FlyerText::parse(
            &self.headline,
            &self.intro,
            &self.bullets,
            &self.cta,
            self.crop_marks,
        )
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/flyer.html")]
pub(crate) struct FlyerEditorPage {
    nav: &'static str,
    ctx: AdminCtx,
    code: String,
    form: EditorForm,
    /// The text the preview shows (the typed one when it parses, else the saved one).
    preview: FlyerText,
    frame: FlyerFrame,
    error: Option<String>,
    unsaved: bool,
    limits: [usize; 4],
}

/// How the page was reached: freshly loaded, previewing typed text, or refused with a reason.
enum Outcome {
    Saved,
    Preview,
    Refused(String),
}

fn page(
    user: &AdminUser,
    flash: Option<&'static str>,
    code: String,
    frame: FlyerFrame,
    form: EditorForm,
    preview: FlyerText,
    outcome: Outcome,
) -> FlyerEditorPage {
    let (error, unsaved) = match outcome {
        Outcome::Saved => (None, false),
        Outcome::Preview => (None, true),
        Outcome::Refused(message) => (Some(message), true),
    };
    FlyerEditorPage {
        nav: "links",
        ctx: AdminCtx::new(user, flash),
        code,
        form,
        preview,
        frame,
        error,
        unsaved,
        limits: [MAX_HEADLINE, MAX_INTRO, MAX_BULLET, MAX_CTA],
    }
}

async fn load_frame(state: &AppState, code: &str) -> AppResult<FlyerFrame> {
    match FlyerFrame::load(&state.db, &state.config.base_url, code).await {
        Ok(frame) => Ok(frame),
        Err(FlyerError::Store(e)) => Err(e.into()),
        Err(_) => Err(AppError::NotFound),
    }
}

/// `GET /admin/links/{code}/flyer`.
pub(super) async fn edit_form(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
    Path(code): Path<String>,
) -> AppResult<FlyerEditorPage> {
    let frame = load_frame(&state, &code).await?;
    let text = FlyerText::load(&state.db, &code).await?;
    Ok(page(
        &user,
        flash.0,
        code,
        frame,
        EditorForm::from_text(&text),
        text,
        Outcome::Saved,
    ))
}

/// `POST /admin/links/{code}/flyer` with `action=vorschau` (show, don't save) or
/// `action=speichern` (check the fit in A6 and A5, then save).
pub(super) async fn save(
    State(state): State<AppState>,
    user: AdminUser,
    Path(code): Path<String>,
    fields: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&fields)?;
    let frame = load_frame(&state, &code).await?;
    let form = EditorForm::from_fields(&fields);
    let text = match form.parse() {
        Ok(text) => text,
        Err(message) => {
            // The preview keeps showing the saved text while the typed one is refused.
            let saved = FlyerText::load(&state.db, &code).await?;
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(
                    &user,
                    None,
                    code,
                    frame,
                    form,
                    saved,
                    Outcome::Refused(message),
                ),
            )
                .into_response());
        }
    };
    if fields.get("action") != "speichern" {
        return Ok(page(&user, None, code, frame, form, text, Outcome::Preview).into_response());
    }
    for format in [Format::A6, Format::A5] {
        match render_text(&frame, &text, format).await {
            Ok(_) => {}
            Err(FlyerError::Store(e)) => return Err(e.into()),
            Err(e) => {
                return Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    page(
                        &user,
                        None,
                        code,
                        frame,
                        form,
                        text,
                        Outcome::Refused(e.to_string()),
                    ),
                )
                    .into_response());
            }
        }
    }
    text.save(&state.db, &code).await?;
    Ok(Redirect::to(&format!("/admin/links/{code}/flyer?ok=gespeichert")).into_response())
}

/// `GET /admin/links/{code}/qr.svg`: the event's QR code for the preview (and for slides).
pub(super) async fn qr_code(
    State(state): State<AppState>,
    _user: AdminUser,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let frame = load_frame(&state, &code).await?;
    let svg = documents::qr_svg(&frame.url).map_err(|e| {
        AppError::BadRequest(format!("Der QR-Code kann nicht erstellt werden: {e}"))
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        svg,
    )
        .into_response())
}
