//! Updates editor: Markdown with preview, publish and unpublish; quotes need consent.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::text::{TextRule, clean};
use domain::{FieldErrors, UnixMs};
use storage::updates::{UpdateDraft, UpdateRow, kind};

use super::AdminCtx;
use super::auth::{AdminUser, Flash};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::formdata::FormFields;

struct UpdateLine {
    id: i64,
    slug: String,
    title: String,
    kind: &'static str,
    published: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/updates.html")]
pub(super) struct ListPage {
    nav: &'static str,
    ctx: AdminCtx,
    updates: Vec<UpdateLine>,
}

/// `GET /admin/updates`.
pub(super) async fn list(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
) -> AppResult<ListPage> {
    let updates = storage::updates::all(&state.db)
        .await?
        .into_iter()
        .map(|u| UpdateLine {
            id: u.id,
            kind: kind::label(&u.kind),
            published: u.published_ms.map(|t| UnixMs(t).format_short()),
            slug: u.slug,
            title: u.title,
        })
        .collect();
    Ok(ListPage {
        nav: "updates",
        ctx: AdminCtx::new(&user, flash.0),
        updates,
    })
}

/// The editor's fields as typed.
#[derive(Debug, Default, Clone)]
struct EditForm {
    title: String,
    slug: String,
    kind: String,
    summary: String,
    body_md: String,
    quote_author: String,
    consent_by: String,
    consent_date: String,
    consent_text: String,
}

impl EditForm {
    fn from_fields(f: &FormFields) -> EditForm {
        EditForm {
            title: f.get("title").to_owned(),
            slug: f.get("slug").to_owned(),
            kind: f.get("kind").to_owned(),
            summary: f.get("summary").to_owned(),
            body_md: f.get("body_md").to_owned(),
            quote_author: f.get("quote_author").to_owned(),
            consent_by: f.get("consent_by").to_owned(),
            consent_date: f.get("consent_date").to_owned(),
            consent_text: f.get("consent_text").to_owned(),
        }
    }

    fn from_row(u: &UpdateRow) -> EditForm {
        EditForm {
            title: u.title.clone(),
            slug: u.slug.clone(),
            kind: u.kind.clone(),
            summary: u.summary.clone(),
            body_md: u.body_md.clone(),
            quote_author: u.quote_author.clone().unwrap_or_default(),
            consent_by: u.consent_by.clone().unwrap_or_default(),
            consent_date: u
                .consent_ms
                .map(|t| UnixMs(t).format_iso_date())
                .unwrap_or_default(),
            consent_text: u.consent_text.clone().unwrap_or_default(),
        }
    }

    /// Validates into a draft; a missing slug is derived from the title.
    fn parse(&self, now: UnixMs) -> Result<UpdateDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let line = |label, missing, max| TextRule {
            label,
            missing,
            required: true,
            max_chars: max,
            multiline: false,
        };
        let optional = |label, max, multiline| TextRule {
            label,
            missing: "",
            required: false,
            max_chars: max,
            multiline,
        };
        let title = clean(
            &self.title,
            line("Der Titel", "Bitte geben Sie einen Titel an.", 200),
        )
        .map_err(|m| errors.add("title", m))
        .ok()
        .flatten();
        let summary = clean(
            &self.summary,
            TextRule {
                multiline: true,
                ..line("Der Kurztext", "Bitte schreiben Sie einen Kurztext.", 600)
            },
        )
        .map_err(|m| errors.add("summary", m))
        .ok()
        .flatten();
        let body_md = clean(&self.body_md, optional("Der Text", 50_000, true))
            .map_err(|m| errors.add("body_md", m))
            .ok()
            .flatten();
        let slug_source = if self.slug.trim().is_empty() {
            title.clone().unwrap_or_default()
        } else {
            self.slug.clone()
        };
        let slug = slugify(&slug_source);
        if slug.is_empty() {
            errors.add(
                "slug",
                "Die Adresse braucht mindestens einen Buchstaben oder eine Ziffer.",
            );
        }
        let kind_code = kind::ALL
            .iter()
            .map(|(c, _)| *c)
            .find(|c| *c == self.kind)
            .unwrap_or(kind::REPORT);
        let quote_author = clean(
            &self.quote_author,
            optional("Der Name der zitierten Person", 200, false),
        )
        .map_err(|m| errors.add("quote_author", m))
        .ok()
        .flatten();
        let consent_by = clean(
            &self.consent_by,
            optional("Das Feld „Zugestimmt hat“", 200, false),
        )
        .map_err(|m| errors.add("consent_by", m))
        .ok()
        .flatten();
        let consent_text = clean(
            &self.consent_text,
            optional("Der Wortlaut der Zustimmung", 2000, true),
        )
        .map_err(|m| errors.add("consent_text", m))
        .ok()
        .flatten();
        let consent_ms = if self.consent_date.trim().is_empty() {
            None
        } else {
            match UnixMs::from_vienna_date(&self.consent_date) {
                Some(t) if t <= now => Some(t.0),
                Some(_) => {
                    errors.add("consent_date", "Das Datum der Zustimmung liegt in der Zukunft. Bitte tragen Sie den Tag ein, an dem zugestimmt wurde.");
                    None
                }
                None => {
                    errors.add("consent_date", "Das Datum der Zustimmung ist ungültig.");
                    None
                }
            }
        };
        if kind_code == kind::QUOTE && quote_author.is_none() {
            errors.add(
                "quote_author",
                "Bei einem Zitat geben Sie bitte an, wer zitiert wird.",
            );
        }
        match (title, summary) {
            (Some(title), Some(summary)) if errors.is_empty() => Ok(UpdateDraft {
                slug,
                kind: kind_code.to_owned(),
                title,
                summary,
                body_md: body_md.unwrap_or_default(),
                quote_author,
                consent_by,
                consent_ms,
                consent_text,
            }),
            _ => Err(errors),
        }
    }
}

/// Lower-case ASCII slug: umlauts transliterated, everything else collapsed to hyphens.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {
                if !out.ends_with('-') && !out.is_empty() {
                    out.push('-');
                }
            }
        }
    }
    out.trim_end_matches('-')
        .chars()
        .take(80)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/update_edit.html")]
pub(super) struct EditPage {
    nav: &'static str,
    ctx: AdminCtx,
    id: Option<i64>,
    form: EditForm,
    errors: FieldErrors,
    kinds: [(&'static str, &'static str); 3],
    preview_html: String,
    published: bool,
}

impl EditPage {
    fn new(
        user: &AdminUser,
        flash: Option<&'static str>,
        id: Option<i64>,
        form: EditForm,
        errors: FieldErrors,
        published: bool,
    ) -> EditPage {
        EditPage {
            nav: "updates",
            ctx: AdminCtx::new(user, flash),
            id,
            preview_html: crate::markdown::to_safe_html(&form.body_md),
            form,
            errors,
            kinds: kind::ALL,
            published,
        }
    }

    fn status(self, status: StatusCode) -> Response {
        (status, self).into_response()
    }
}

/// `GET /admin/updates/neu`.
pub(super) async fn new_form(user: AdminUser) -> EditPage {
    EditPage::new(
        &user,
        None,
        None,
        EditForm {
            kind: kind::STORY.to_owned(),
            ..EditForm::default()
        },
        FieldErrors::default(),
        false,
    )
}

/// `POST /admin/updates/neu`.
pub(super) async fn create(
    State(state): State<AppState>,
    user: AdminUser,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let edit = EditForm::from_fields(&form);
    if form.get("action") == "preview" {
        return Ok(
            EditPage::new(&user, None, None, edit, FieldErrors::default(), false).into_response(),
        );
    }
    let now = UnixMs::now();
    let draft = match edit.parse(now) {
        Ok(d) => d,
        Err(errors) => {
            return Ok(EditPage::new(&user, None, None, edit, errors, false)
                .status(StatusCode::UNPROCESSABLE_ENTITY));
        }
    };
    if storage::updates::slug_taken(&state.db, &draft.slug, None).await? {
        let mut errors = FieldErrors::default();
        errors.add(
            "slug",
            "Diese Adresse ist schon vergeben. Bitte wählen Sie eine andere.",
        );
        return Ok(EditPage::new(&user, None, None, edit, errors, false)
            .status(StatusCode::UNPROCESSABLE_ENTITY));
    }
    let id = storage::updates::create(&state.db, &draft, now).await?;
    Ok(Redirect::to(&format!("/admin/updates/{id}?ok=gespeichert")).into_response())
}

/// `GET /admin/updates/{id}`.
pub(super) async fn edit_form(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
    Path(id): Path<i64>,
) -> AppResult<EditPage> {
    let row = storage::updates::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(EditPage::new(
        &user,
        flash.0,
        Some(id),
        EditForm::from_row(&row),
        FieldErrors::default(),
        row.published_ms.is_some(),
    ))
}

/// `POST /admin/updates/{id}`.
pub(super) async fn save(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let row = storage::updates::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let published = row.published_ms.is_some();
    let edit = EditForm::from_fields(&form);
    if form.get("action") == "preview" {
        return Ok(EditPage::new(
            &user,
            None,
            Some(id),
            edit,
            FieldErrors::default(),
            published,
        )
        .into_response());
    }
    let now = UnixMs::now();
    let draft = match edit.parse(now) {
        Ok(d) => d,
        Err(errors) => {
            return Ok(
                EditPage::new(&user, None, Some(id), edit, errors, published)
                    .status(StatusCode::UNPROCESSABLE_ENTITY),
            );
        }
    };
    if storage::updates::slug_taken(&state.db, &draft.slug, Some(id)).await? {
        let mut errors = FieldErrors::default();
        errors.add(
            "slug",
            "Diese Adresse ist schon vergeben. Bitte wählen Sie eine andere.",
        );
        return Ok(
            EditPage::new(&user, None, Some(id), edit, errors, published)
                .status(StatusCode::UNPROCESSABLE_ENTITY),
        );
    }
    storage::updates::save(&state.db, id, &draft, now).await?;
    Ok(Redirect::to(&format!("/admin/updates/{id}?ok=gespeichert")).into_response())
}

/// `POST /admin/updates/{id}/veroeffentlichen`.
pub(super) async fn publish(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let row = storage::updates::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !storage::updates::publish(&state.db, id, UnixMs::now()).await? {
        let mut errors = FieldErrors::default();
        errors.add(
            "consent_by",
            "Dieses Zitat kann noch nicht veröffentlicht werden: Bitte tragen Sie ein, wer wann welchem Wortlaut zugestimmt hat, und speichern Sie.",
        );
        return Ok(EditPage::new(
            &user,
            None,
            Some(id),
            EditForm::from_row(&row),
            errors,
            false,
        )
        .status(StatusCode::UNPROCESSABLE_ENTITY));
    }
    storage::audit::record(
        &state.db,
        UnixMs::now(),
        &user.actor(),
        "Update veröffentlicht",
        &format!("update #{id}"),
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/updates/{id}?ok=veroeffentlicht")).into_response())
}

/// `POST /admin/updates/{id}/zurueckziehen`.
pub(super) async fn unpublish(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    if !storage::updates::unpublish(&state.db, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/admin/updates/{id}?ok=zurueckgezogen")).into_response())
}

/// `POST /admin/updates/{id}/loeschen`.
pub(super) async fn delete(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    if !storage::updates::delete(&state.db, id).await? {
        return Err(AppError::NotFound);
    }
    storage::audit::record(
        &state.db,
        UnixMs::now(),
        &user.actor(),
        "Update gelöscht",
        &format!("update #{id}"),
    )
    .await?;
    Ok(Redirect::to("/admin/updates?ok=update-geloescht").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_and_readable() {
        assert_eq!(
            slugify("Erste Erkenntnisse: Größe & Übersicht!"),
            "erste-erkenntnisse-groesse-uebersicht"
        );
        assert_eq!(slugify("<script>"), "script");
        assert_eq!(slugify("!!!"), "");
    }
}
