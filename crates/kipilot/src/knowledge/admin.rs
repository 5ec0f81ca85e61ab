//! Back office of the knowledge base under `/admin/wissen`: Markdown editor with preview,
//! publish and unpublish, delete, and the one-time mail of an article to all participants.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::text::{TextRule, clean};
use domain::{FieldErrors, UnixMs};
use storage::knowledge::{Article, ArticleDraft, category};
use storage::outbox::NewMail;

use super::ArticleView;
use crate::admin::AdminCtx;
use crate::admin::auth::{AdminUser, Flash};
use crate::admin::updates::slugify;
use crate::error::{AppError, AppResult};
use crate::leads::mails::signature;
use crate::profile::CompanyProfile;
use crate::state::AppState;
use crate::web::formdata::FormFields;

struct Line {
    id: i64,
    slug: String,
    title: String,
    category: &'static str,
    date: String,
    public: bool,
    published: bool,
    mailed: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/wissen.html")]
pub(super) struct ListPage {
    nav: &'static str,
    ctx: AdminCtx,
    articles: Vec<Line>,
}

/// `GET /admin/wissen`.
pub(super) async fn list(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
) -> AppResult<ListPage> {
    let articles = storage::knowledge::all(&state.db)
        .await?
        .into_iter()
        .map(|a| Line {
            id: a.id,
            category: category::label(&a.category),
            date: UnixMs(a.dated_ms).format_long_date(),
            public: a.is_public == 1,
            published: a.published_ms.is_some(),
            mailed: a.mailed_ms.map(|t| UnixMs(t).format_short()),
            slug: a.slug,
            title: a.title,
        })
        .collect();
    Ok(ListPage {
        nav: "wissen",
        ctx: AdminCtx::new(&user, flash.0),
        articles,
    })
}

/// The editor's fields as typed.
#[derive(Debug, Default, Clone)]
struct EditForm {
    title: String,
    slug: String,
    category: String,
    date: String,
    summary: String,
    body_md: String,
    public: bool,
}

impl EditForm {
    fn from_fields(f: &FormFields) -> EditForm {
        EditForm {
            title: f.get("title").to_owned(),
            slug: f.get("slug").to_owned(),
            category: f.get("category").to_owned(),
            date: f.get("date").to_owned(),
            summary: f.get("summary").to_owned(),
            body_md: f.get("body_md").to_owned(),
            public: f.get("public") == "on",
        }
    }

    fn from_row(a: &Article) -> EditForm {
        EditForm {
            title: a.title.clone(),
            slug: a.slug.clone(),
            category: a.category.clone(),
            date: UnixMs(a.dated_ms).format_iso_date(),
            summary: a.summary.clone(),
            body_md: a.body_md.clone(),
            public: a.is_public == 1,
        }
    }

    /// Validates into a draft; a missing slug is derived from the title.
    fn parse(&self) -> Result<ArticleDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let rule = |label, missing, max, multiline| TextRule {
            label,
            missing,
            required: true,
            max_chars: max,
            multiline,
        };
        let title = clean(
            &self.title,
            rule("Der Titel", "Bitte geben Sie einen Titel an.", 200, false),
        )
        .map_err(|m| errors.add("title", m))
        .ok()
        .flatten();
        let summary = clean(
            &self.summary,
            rule(
                "Der Kurztext",
                "Bitte schreiben Sie einen Kurztext in ein bis zwei Sätzen.",
                600,
                true,
            ),
        )
        .map_err(|m| errors.add("summary", m))
        .ok()
        .flatten();
        let body_md = clean(
            &self.body_md,
            rule(
                "Der Text",
                "Bitte schreiben Sie den Text des Artikels.",
                50_000,
                true,
            ),
        )
        .map_err(|m| errors.add("body_md", m))
        .ok()
        .flatten();
        if self.slug.chars().count() > 80 {
            errors.add(
                "slug",
                "Die Adresse ist zu lang. Bitte kürzen Sie sie auf höchstens 80 Zeichen.",
            );
        }
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
        let category_code = category::ALL
            .iter()
            .map(|(c, _)| *c)
            .find(|c| *c == self.category)
            .unwrap_or(category::BEST_PRACTICE);
        let dated_ms = match UnixMs::from_vienna_date(self.date.trim()) {
            Some(t) => t.0,
            None => {
                errors.add(
                    "date",
                    "Bitte wählen Sie das Datum des Artikels im Kalender aus (bei AI-Act-Updates: der Stand).",
                );
                0
            }
        };
        match (title, summary, body_md) {
            (Some(title), Some(summary), Some(body_md)) if errors.is_empty() => Ok(ArticleDraft {
                slug,
                category: category_code.to_owned(),
                title,
                summary,
                body_md,
                dated_ms,
                is_public: self.public,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/wissen_edit.html")]
pub(super) struct EditPage {
    nav: &'static str,
    ctx: AdminCtx,
    id: Option<i64>,
    form: EditForm,
    errors: FieldErrors,
    categories: [(&'static str, &'static str); 2],
    preview_html: String,
    legal_note: Option<String>,
    published: bool,
    mailed: Option<String>,
    recipients: usize,
}

/// Status of a stored article, for the side panel.
#[derive(Default)]
struct Status {
    published: bool,
    mailed: Option<String>,
    recipients: usize,
}

impl Status {
    async fn load(state: &AppState, a: &Article) -> AppResult<Status> {
        Ok(Status {
            published: a.published_ms.is_some(),
            mailed: a.mailed_ms.map(|t| UnixMs(t).format_short()),
            recipients: storage::knowledge::mail_recipients(&state.db).await?.len(),
        })
    }
}

fn edit_page(
    user: &AdminUser,
    flash: Option<&'static str>,
    id: Option<i64>,
    form: EditForm,
    errors: FieldErrors,
    status: Status,
) -> EditPage {
    let date = UnixMs::from_vienna_date(form.date.trim())
        .map(|t| t.format_long_date())
        .unwrap_or_else(|| "(Datum fehlt)".to_owned());
    EditPage {
        nav: "wissen",
        ctx: AdminCtx::new(user, flash),
        id,
        preview_html: crate::markdown::to_safe_html(&form.body_md),
        legal_note: super::legal_note(&form.category, &date),
        form,
        errors,
        categories: category::ALL,
        published: status.published,
        mailed: status.mailed,
        recipients: status.recipients,
    }
}

fn slug_error() -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(
        "slug",
        "Diese Adresse ist schon vergeben. Bitte wählen Sie eine andere.",
    );
    errors
}

/// `GET /admin/wissen/neu`.
pub(super) async fn new_form(user: AdminUser) -> EditPage {
    edit_page(
        &user,
        None,
        None,
        EditForm {
            category: category::BEST_PRACTICE.to_owned(),
            date: UnixMs::now().format_iso_date(),
            ..EditForm::default()
        },
        FieldErrors::default(),
        Status::default(),
    )
}

/// `POST /admin/wissen/neu`: preview or create a draft.
pub(super) async fn create(
    State(state): State<AppState>,
    user: AdminUser,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let edit = EditForm::from_fields(&form);
    if form.get("action") == "preview" {
        return Ok(edit_page(
            &user,
            None,
            None,
            edit,
            FieldErrors::default(),
            Status::default(),
        )
        .into_response());
    }
    let draft = match edit.parse() {
        Ok(d) => d,
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                edit_page(&user, None, None, edit, errors, Status::default()),
            )
                .into_response());
        }
    };
    if storage::knowledge::slug_taken(&state.db, &draft.slug, None).await? {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            edit_page(&user, None, None, edit, slug_error(), Status::default()),
        )
            .into_response());
    }
    let id = storage::knowledge::create(&state.db, &draft, UnixMs::now()).await?;
    Ok(Redirect::to(&format!("/admin/wissen/{id}?ok=gespeichert")).into_response())
}

/// `GET /admin/wissen/{id}`.
pub(super) async fn edit_form(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
    Path(id): Path<i64>,
) -> AppResult<EditPage> {
    let row = storage::knowledge::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = Status::load(&state, &row).await?;
    Ok(edit_page(
        &user,
        flash.0,
        Some(id),
        EditForm::from_row(&row),
        FieldErrors::default(),
        status,
    ))
}

/// `POST /admin/wissen/{id}`: preview or save.
pub(super) async fn save(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let row = storage::knowledge::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = Status::load(&state, &row).await?;
    let edit = EditForm::from_fields(&form);
    if form.get("action") == "preview" {
        return Ok(
            edit_page(&user, None, Some(id), edit, FieldErrors::default(), status).into_response(),
        );
    }
    let draft = match edit.parse() {
        Ok(d) => d,
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                edit_page(&user, None, Some(id), edit, errors, status),
            )
                .into_response());
        }
    };
    if storage::knowledge::slug_taken(&state.db, &draft.slug, Some(id)).await? {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            edit_page(&user, None, Some(id), edit, slug_error(), status),
        )
            .into_response());
    }
    storage::knowledge::save(&state.db, id, &draft, UnixMs::now()).await?;
    Ok(Redirect::to(&format!("/admin/wissen/{id}?ok=gespeichert")).into_response())
}

/// `POST /admin/wissen/{id}/veroeffentlichen`.
pub(super) async fn publish(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    if !storage::knowledge::publish(&state.db, id, UnixMs::now()).await? {
        return Err(AppError::NotFound);
    }
    storage::audit::record(
        &state.db,
        UnixMs::now(),
        &user.actor(),
        "Wissensartikel veröffentlicht",
        &format!("artikel #{id}"),
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/wissen/{id}?ok=artikel-veroeffentlicht")).into_response())
}

/// `POST /admin/wissen/{id}/zurueckziehen`.
pub(super) async fn unpublish(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    if !storage::knowledge::unpublish(&state.db, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/admin/wissen/{id}?ok=artikel-zurueckgezogen")).into_response())
}

/// `POST /admin/wissen/{id}/loeschen`.
pub(super) async fn delete(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    if !storage::knowledge::delete(&state.db, id).await? {
        return Err(AppError::NotFound);
    }
    storage::audit::record(
        &state.db,
        UnixMs::now(),
        &user.actor(),
        "Wissensartikel gelöscht",
        &format!("artikel #{id}"),
    )
    .await?;
    Ok(Redirect::to("/admin/wissen?ok=artikel-geloescht").into_response())
}

/// The article mail to one participant, with the personal unsubscribe link.
fn article_mail(
    state: &AppState,
    profile: &CompanyProfile,
    a: &Article,
    r: &storage::knowledge::Recipient,
) -> NewMail {
    let view = ArticleView::new(a);
    let note = view
        .legal_note
        .map(|n| format!("{n}\n\n"))
        .unwrap_or_default();
    // Public articles open without a login; the others behind the participant login.
    let link = if a.is_public == 1 {
        format!("{}/wissen/artikel/{}", state.config.base_url, a.slug)
    } else {
        format!(
            "{}/teilnehmer/wissen/{} (nach der Anmeldung im Teilnehmerbereich)",
            state.config.base_url, a.slug
        )
    };
    NewMail {
        // The `teilnehmer:{id}:` prefix lets account erasure delete a queued mail.
        idempotency_key: format!("teilnehmer:{}:artikel:{}", r.participant_id, a.id),
        kind: "wissen-artikel".to_owned(),
        lead_id: Some(r.lead_id),
        ics: None,
        to: r.email.clone(),
        subject: format!("Neu im Wissensbereich: {}", a.title),
        body_text: format!(
            "Guten Tag {},\n\n\
             im Wissensbereich des KI-Pilotprojekts gibt es einen neuen Artikel ({}):\n\n\
             {}\n\n{}\n\n{}\
             Zum Artikel: {link}\n\n\
             {}\n\n\
             Sie möchten keine E-Mails zu neuen Artikeln mehr? Hier abbestellen:\n{}\n",
            r.name,
            view.category,
            a.title,
            a.summary,
            note,
            signature(profile),
            super::unsubscribe_url(state, r.participant_id),
        ),
    }
}

/// `POST /admin/wissen/{id}/versenden`: queues the article mail for every participant who
/// has not opted out — once per article, however often the button is pressed.
pub(super) async fn send(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let article = storage::knowledge::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if article.published_ms.is_none() {
        return Err(AppError::BadRequest(
            "Bitte veröffentlichen Sie den Artikel zuerst. Danach können Sie ihn an alle Teilnehmenden senden.".to_owned(),
        ));
    }
    let now = UnixMs::now();
    let profile = CompanyProfile::load(&state.db).await?;
    let queued = storage::knowledge::mail_article(&state.db, id, now, |r| {
        article_mail(&state, &profile, &article, r)
    })
    .await?;
    let Some(queued) = queued else {
        return Ok(
            Redirect::to(&format!("/admin/wissen/{id}?ok=artikel-schon-versendet")).into_response(),
        );
    };
    storage::audit::record(
        &state.db,
        now,
        &user.actor(),
        "Wissensartikel an Teilnehmende versendet",
        &format!("artikel #{id}, {queued} Empfänger"),
    )
    .await?;
    state.mail_wakeup.notify_one();
    Ok(Redirect::to(&format!("/admin/wissen/{id}?ok=artikel-versendet")).into_response())
}
