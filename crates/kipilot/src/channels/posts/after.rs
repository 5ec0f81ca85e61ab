//! What happens to a saved post: status changes, the export, hand-entered figures, poll
//! results and notable comments (both feed the pain-point list), deletion.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::text::{TextRule, clean};
use domain::{FieldErrors, UnixMs};
use storage::posts::{Figures, PollResult, PostRow, status};

use super::editor::{AfterInput, EditForm, render};
use super::{Assisted, Publication, Publisher, ready};
use crate::admin::auth::AdminUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::formdata::FormFields;

async fn load(state: &AppState, id: i64) -> AppResult<PostRow> {
    storage::posts::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Re-renders the editor with a message next to the follow-up form that failed.
async fn refuse(
    state: &AppState,
    user: &AdminUser,
    row: &PostRow,
    fields: &FormFields,
    field: &'static str,
    message: String,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    let page = render(
        state,
        user,
        None,
        Some(row.id),
        EditForm::from_row(row),
        FieldErrors::default(),
        AfterInput {
            errors,
            typed: fields.clone(),
        },
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn back(id: i64) -> Response {
    Redirect::to(&format!("/admin/posts/{id}?ok=gespeichert")).into_response()
}

/// Whether `url` points to LinkedIn (`linkedin.com` or its short host `lnkd.in`).
pub fn is_linkedin_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    url.chars().count() <= 500
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && (host == "linkedin.com" || host.ends_with(".linkedin.com") || host == "lnkd.in")
}

/// `POST /admin/posts/{id}/status`: Entwurf → geplant → veröffentlicht (with the post URL).
pub(crate) async fn set_status(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    fields: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&fields)?;
    let row = load(&state, id).await?;
    let now = UnixMs::now();
    match fields.get("status") {
        status::DRAFT => {
            storage::posts::set_status(&state.db, id, status::DRAFT, None, now).await?;
        }
        status::PLANNED => {
            if row.planned_ms.is_none() {
                return refuse(&state, &user, &row, &fields, "status", "Ein geplanter Post braucht ein Datum. Bitte tragen Sie oben ein Datum ein und speichern Sie.".to_owned()).await;
            }
            storage::posts::set_status(&state.db, id, status::PLANNED, None, now).await?;
        }
        status::PUBLISHED => {
            let url = fields.get("post_url").trim();
            if !is_linkedin_url(url) {
                return refuse(&state, &user, &row, &fields, "post_url", "Bitte tragen Sie die Adresse des Posts auf LinkedIn ein, z. B. https://www.linkedin.com/posts/… (zu finden über „Link zum Beitrag kopieren“).".to_owned()).await;
            }
            storage::posts::set_status(&state.db, id, status::PUBLISHED, Some(url), now).await?;
            storage::audit::record(
                &state.db,
                now,
                &user.actor(),
                "LinkedIn-Post als veröffentlicht markiert",
                &format!("post #{id}"),
            )
            .await?;
        }
        _ => {
            return refuse(
                &state,
                &user,
                &row,
                &fields,
                "status",
                "Bitte wählen Sie einen Status aus der Liste.".to_owned(),
            )
            .await;
        }
    }
    Ok(back(id))
}

/// `GET /admin/posts/{id}/export.txt`: the copy-ready text as a file.
pub(crate) async fn export(
    State(state): State<AppState>,
    _user: AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let row = load(&state, id).await?;
    let text = match Assisted
        .publish(&ready(&state, &row).await?)
        .await
        .map_err(AppError::Internal)?
    {
        Publication::CopyReady(text) => text,
        Publication::Live { url } => url,
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"linkedin-post-{id}.txt\""),
            ),
        ],
        text,
    )
        .into_response())
}

/// A hand-typed count: empty is "not known"; dots and spaces as thousands separators allowed.
fn parse_count(raw: &str) -> Result<Option<i64>, ()> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}' | '\''))
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    if digits.len() > 10 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(());
    }
    digits.parse::<i64>().map(Some).map_err(|_| ())
}

/// `POST /admin/posts/{id}/zahlen`: impressions, reactions, comments, reposts.
pub(crate) async fn figures(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    fields: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&fields)?;
    let row = load(&state, id).await?;
    if row.status != status::PUBLISHED {
        return refuse(
            &state,
            &user,
            &row,
            &fields,
            "status",
            "Zahlen können Sie eintragen, sobald der Post veröffentlicht ist.".to_owned(),
        )
        .await;
    }
    let mut values = [None; 4];
    for (i, (name, label)) in [
        ("impressions", "Impressionen"),
        ("reactions", "Reaktionen"),
        ("comments", "Kommentare"),
        ("reposts", "Reposts"),
    ]
    .into_iter()
    .enumerate()
    {
        match parse_count(fields.get(name)) {
            Ok(v) => values[i] = v,
            Err(()) => {
                return refuse(
                    &state,
                    &user,
                    &row,
                    &fields,
                    "figures",
                    format!(
                        "Bitte tragen Sie bei „{label}“ eine ganze Zahl ab 0 ein, z. B. 1.250."
                    ),
                )
                .await;
            }
        }
    }
    let [impressions, reactions, comments, reposts] = values;
    storage::posts::set_figures(
        &state.db,
        id,
        Figures {
            impressions,
            reactions,
            comments,
            reposts,
        },
        UnixMs::now(),
    )
    .await?;
    Ok(back(id))
}

/// `POST /admin/posts/{id}/umfrage`: votes per option after the poll closed; options marked
/// as pain points go to the pain-point list.
pub(crate) async fn poll_results(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    fields: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&fields)?;
    let row = load(&state, id).await?;
    if row.status != status::PUBLISHED || row.options().is_empty() {
        return refuse(
            &state,
            &user,
            &row,
            &fields,
            "status",
            "Ergebnisse gibt es nur für veröffentlichte Umfragen.".to_owned(),
        )
        .await;
    }
    let mut results = Vec::new();
    for (i, option) in row.options().into_iter().enumerate() {
        let votes = match parse_count(fields.get(&format!("votes_{i}"))) {
            Ok(v) => v.unwrap_or(0),
            Err(()) => {
                return refuse(
                    &state,
                    &user,
                    &row,
                    &fields,
                    "results",
                    format!("Bitte tragen Sie bei „{option}“ die Stimmen als ganze Zahl ab 0 ein."),
                )
                .await;
            }
        };
        results.push(PollResult {
            position: i as i64,
            option_text: option,
            votes,
            pain_point: i64::from(fields.is_set(&format!("pain_{i}"))),
        });
    }
    storage::posts::save_poll_results(&state.db, id, &results).await?;
    Ok(back(id))
}

/// `POST /admin/posts/{id}/kommentare`: a notable comment (without its author).
pub(crate) async fn add_comment(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    fields: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&fields)?;
    let row = load(&state, id).await?;
    if row.status != status::PUBLISHED {
        return refuse(
            &state,
            &user,
            &row,
            &fields,
            "status",
            "Kommentare können Sie festhalten, sobald der Post veröffentlicht ist.".to_owned(),
        )
        .await;
    }
    let body = clean(
        fields.get("comment"),
        TextRule {
            label: "Der Kommentar",
            missing: "Bitte tragen Sie den Kommentar ein (ohne Namen).",
            required: true,
            max_chars: 2000,
            multiline: true,
        },
    );
    let pain = clean(
        fields.get("pain_point"),
        TextRule {
            label: "Die Hürde",
            missing: "",
            required: false,
            max_chars: 200,
            multiline: false,
        },
    );
    match (body, pain) {
        (Ok(Some(body)), Ok(pain)) => {
            storage::posts::add_comment(&state.db, id, &body, pain.as_deref(), UnixMs::now())
                .await?;
            Ok(back(id))
        }
        (Err(m), _) | (_, Err(m)) => refuse(&state, &user, &row, &fields, "comment", m).await,
        (Ok(None), _) => {
            refuse(
                &state,
                &user,
                &row,
                &fields,
                "comment",
                "Bitte tragen Sie den Kommentar ein (ohne Namen).".to_owned(),
            )
            .await
        }
    }
}

/// `POST /admin/posts/{id}/kommentare/{cid}/loeschen`.
pub(crate) async fn delete_comment(
    State(state): State<AppState>,
    user: AdminUser,
    Path((id, cid)): Path<(i64, i64)>,
    fields: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&fields)?;
    if !storage::posts::delete_comment(&state.db, id, cid).await? {
        return Err(AppError::NotFound);
    }
    Ok(back(id))
}

/// `POST /admin/posts/{id}/loeschen`: the post with its results and comments; its tracked
/// link stays (its visits belong to the report).
pub(crate) async fn delete(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    fields: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&fields)?;
    if !storage::posts::delete(&state.db, id).await? {
        return Err(AppError::NotFound);
    }
    storage::audit::record(
        &state.db,
        UnixMs::now(),
        &user.actor(),
        "LinkedIn-Post gelöscht",
        &format!("post #{id}"),
    )
    .await?;
    Ok(Redirect::to("/admin/posts").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linkedin_urls_only() {
        assert!(is_linkedin_url(
            "https://www.linkedin.com/posts/thomas-ott_ki-activity-1"
        ));
        assert!(is_linkedin_url("https://lnkd.in/abc"));
        assert!(!is_linkedin_url("http://www.linkedin.com/posts/x"));
        assert!(!is_linkedin_url("https://linkedin.com.evil.example/x"));
        assert!(!is_linkedin_url("javascript:alert(1)"));
    }

    #[test]
    fn counts_accept_thousands_separators() {
        assert_eq!(parse_count(""), Ok(None));
        assert_eq!(parse_count("1.250"), Ok(Some(1250)));
        assert_eq!(parse_count("-3"), Err(()));
        assert_eq!(parse_count("12345678901"), Err(()));
    }
}
