//! The post editor: new and existing posts, "Prüfen" (checks without saving) and "Speichern".

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{FieldErrors, UnixMs};
use storage::posts::{PollResult, PostComment, PostRow};

pub(super) use super::form::EditForm;
use super::form::{ChosenLink, chosen_link, parse, run_checks, valid_target};
use super::{Assisted, Publisher, status_label};
use crate::admin::AdminCtx;
use crate::admin::auth::{AdminUser, Flash};
use crate::channels::posts_checks::{self as checks, Check, POLL_DAYS, PostKind};
use crate::channels::posts_templates as templates;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::formdata::FormFields;

/// One entry of the link choice.
pub(super) struct LinkOption {
    value: String,
    label: String,
}

/// Everything shown below the editor for a saved post.
#[derive(Default)]
pub(super) struct Saved {
    pub(super) row: Option<PostRow>,
    pub(super) results: Vec<PollResult>,
    pub(super) comments: Vec<PostComment>,
    pub(super) poll_closes: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/posts_edit.html")]
/// The page (crate-visible because the router names its handlers).
pub(crate) struct EditPage {
    nav: &'static str,
    ctx: AdminCtx,
    id: Option<i64>,
    form: EditForm,
    errors: FieldErrors,
    checks: Vec<Check>,
    hook: String,
    copy_text: String,
    kinds: [PostKind; 5],
    poll_days: [i64; 4],
    links: Vec<LinkOption>,
    publisher: &'static str,
    saved: Saved,
    status: &'static str,
    after_errors: FieldErrors,
    /// What was typed into a follow-up form that failed, to show it again.
    typed: FormFields,
}

/// A failed follow-up form (status, figures, results, comment): its messages and values.
#[derive(Default)]
pub(super) struct AfterInput {
    pub(super) errors: FieldErrors,
    pub(super) typed: FormFields,
}

/// Renders the editor for `form` with its checks.
pub(super) async fn render(
    state: &AppState,
    user: &AdminUser,
    flash: Option<&'static str>,
    id: Option<i64>,
    form: EditForm,
    errors: FieldErrors,
    after: AfterInput,
) -> AppResult<EditPage> {
    let link = chosen_link(state, id, &form).await?.ok().flatten();
    let all_checks = run_checks(&form, link.as_ref());
    let text = checks::expand(&form.body, link.as_ref().map(|l| l.url.as_str()));
    let mut links = vec![
        LinkOption {
            value: String::new(),
            label: "– kein Link –".to_owned(),
        },
        LinkOption {
            value: "neu".to_owned(),
            label: "Neuen Link für diesen Post anlegen (post-…)".to_owned(),
        },
    ];
    for l in storage::channels::links_with_visits(&state.db).await? {
        if l.channel == "linkedin" || form.link == l.id.to_string() {
            links.push(LinkOption {
                value: l.id.to_string(),
                label: format!("{} – {} ({} Besuche)", l.code, l.label, l.visits),
            });
        }
    }
    if let Some(l) = link.as_ref().filter(|l| {
        l.id.is_some()
            && !links
                .iter()
                .any(|o| Some(o.value.as_str()) == l.id.map(|i| i.to_string()).as_deref())
    }) {
        links.push(LinkOption {
            value: l.id.map(|i| i.to_string()).unwrap_or_default(),
            label: format!("{} (gelöscht)", l.code),
        });
    }
    let saved = match id {
        Some(id) => load_saved(state, id).await?,
        None => Saved::default(),
    };
    Ok(EditPage {
        nav: "posts",
        ctx: AdminCtx::new(user, flash),
        id,
        hook: checks::hook(text.trim_start()),
        copy_text: text,
        checks: all_checks,
        form,
        errors,
        kinds: PostKind::ALL,
        poll_days: POLL_DAYS,
        links,
        publisher: Assisted.description(),
        status: saved
            .row
            .as_ref()
            .map_or("Entwurf", |r| status_label(&r.status)),
        saved,
        after_errors: after.errors,
        typed: after.typed,
    })
}

async fn load_saved(state: &AppState, id: i64) -> AppResult<Saved> {
    let row = storage::posts::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let poll_closes = match (row.published_ms, row.poll_days) {
        (Some(p), Some(d)) => UnixMs(p).plus_hours(d * 24).format_short(),
        _ => String::new(),
    };
    Ok(Saved {
        results: storage::posts::poll_results(&state.db, id).await?,
        comments: storage::posts::comments(&state.db, id).await?,
        poll_closes,
        row: Some(row),
    })
}

/// `GET /admin/posts/neu?typ=umfrage`: a new post from the type's template.
pub(crate) async fn new_form(
    State(state): State<AppState>,
    user: AdminUser,
    RawQuery(raw): RawQuery,
) -> AppResult<EditPage> {
    let typ = raw
        .as_deref()
        .and_then(|r| serde_urlencoded::from_str::<Vec<(String, String)>>(r).ok())
        .and_then(|q| q.into_iter().find(|(k, _)| k == "typ").map(|(_, v)| v));
    let kind = typ
        .as_deref()
        .and_then(PostKind::from_code)
        .unwrap_or(PostKind::Ankuendigung);
    let body = match storage::posts::template(&state.db, kind.code()).await? {
        Some(t) => t,
        None => templates::builtin(kind).to_owned(),
    };
    let poll = kind == PostKind::Umfrage;
    let form = EditForm {
        kind: kind.code().to_owned(),
        body,
        link: "neu".to_owned(),
        link_target: "/mitmachen".to_owned(),
        poll_question: if poll {
            templates::DEFAULT_POLL_QUESTION.to_owned()
        } else {
            String::new()
        },
        poll_options: if poll {
            templates::DEFAULT_POLL_OPTIONS
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        } else {
            vec![String::new(); 4]
        },
        poll_days: templates::DEFAULT_POLL_DAYS.to_string(),
        planned: String::new(),
    };
    render(
        &state,
        &user,
        None,
        None,
        form,
        FieldErrors::default(),
        AfterInput::default(),
    )
    .await
}

/// `GET /admin/posts/{id}`.
pub(crate) async fn edit_form(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
    Path(id): Path<i64>,
) -> AppResult<EditPage> {
    let row = storage::posts::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    render(
        &state,
        &user,
        flash.0,
        Some(id),
        EditForm::from_row(&row),
        FieldErrors::default(),
        AfterInput::default(),
    )
    .await
}

/// `POST /admin/posts/neu`.
pub(crate) async fn create(
    State(state): State<AppState>,
    user: AdminUser,
    fields: FormFields,
) -> AppResult<Response> {
    submit(state, user, None, fields).await
}

/// `POST /admin/posts/{id}`.
pub(crate) async fn save(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    fields: FormFields,
) -> AppResult<Response> {
    storage::posts::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    submit(state, user, Some(id), fields).await
}

async fn submit(
    state: AppState,
    user: AdminUser,
    id: Option<i64>,
    fields: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&fields)?;
    let form = EditForm::from_fields(&fields);
    if fields.get("action") == "preview" {
        return Ok(render(
            &state,
            &user,
            None,
            id,
            form,
            FieldErrors::default(),
            AfterInput::default(),
        )
        .await?
        .into_response());
    }
    let link = chosen_link(&state, id, &form).await?;
    let mut errors = FieldErrors::default();
    if let Err(m) = &link {
        errors.add("link", *m);
    }
    let link = link.ok().flatten();
    if link.as_ref().is_some_and(|l| l.id.is_none()) && !valid_target(form.link_target.trim()) {
        errors.add("link", "Das Ziel des neuen Links muss eine Seite dieser Website sein und mit / beginnen, z. B. /mitmachen.");
    }
    let all_checks = run_checks(&form, link.as_ref());
    let mut draft = match parse(&form, &all_checks) {
        Ok(d) if errors.is_empty() => d,
        Ok(_) => return invalid(&state, &user, id, form, errors).await,
        Err(e) => {
            for (field, message) in e.iter() {
                errors.add(field, message);
            }
            return invalid(&state, &user, id, form, errors).await;
        }
    };
    let now = UnixMs::now();
    draft.link_id = match &link {
        None => None,
        Some(ChosenLink { id: Some(lid), .. }) => Some(*lid),
        Some(ChosenLink { id: None, code, .. }) => {
            let label = format!(
                "LinkedIn: {} {}",
                PostKind::from_code(&draft.kind).map_or("Post", PostKind::label),
                form.planned.trim()
            );
            match storage::channels::create_link(
                &state.db,
                code,
                form.link_target.trim(),
                "linkedin",
                label.trim(),
                now,
            )
            .await?
            {
                Ok(lid) => Some(lid),
                Err(_) => {
                    errors.add("link", format!("Den Kurzcode „{code}“ gibt es inzwischen schon. Bitte speichern Sie noch einmal."));
                    return invalid(&state, &user, id, form, errors).await;
                }
            }
        }
    };
    let id = match id {
        Some(id) => {
            storage::posts::save(&state.db, id, &draft, now).await?;
            id
        }
        None => storage::posts::create(&state.db, &draft, now).await?,
    };
    Ok(Redirect::to(&format!("/admin/posts/{id}?ok=gespeichert")).into_response())
}

async fn invalid(
    state: &AppState,
    user: &AdminUser,
    id: Option<i64>,
    form: EditForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let page = render(state, user, None, id, form, errors, AfterInput::default()).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
