//! Back office: creating, listing and deleting tracked links.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::UnixMs;
use domain::text::{TextRule, clean};

use super::{CHANNELS, channel_label};
use crate::admin::AdminCtx;
use crate::admin::auth::{AdminUser, Flash};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::formdata::FormFields;

struct LinkLine {
    id: i64,
    code: String,
    url: String,
    target: String,
    channel: &'static str,
    label: String,
    created: String,
    visits: i64,
    bot_visits: i64,
}

/// Form values as typed, for re-rendering after an error.
#[derive(Default)]
struct LinkForm {
    code: String,
    target: String,
    channel: String,
    label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/links.html")]
pub(crate) struct LinksPage {
    nav: &'static str,
    ctx: AdminCtx,
    links: Vec<LinkLine>,
    form: LinkForm,
    error: Option<String>,
    channels: [(&'static str, &'static str); 4],
}

async fn render(
    state: &AppState,
    user: &AdminUser,
    flash: Option<&'static str>,
    form: LinkForm,
    error: Option<String>,
) -> AppResult<LinksPage> {
    let links = storage::channels::links_with_visits(&state.db)
        .await?
        .into_iter()
        .map(|l| LinkLine {
            id: l.id,
            url: format!("{}/l/{}", state.config.base_url, l.code),
            code: l.code,
            target: l.target_path,
            channel: channel_label(&l.channel),
            label: l.label,
            created: UnixMs(l.created_ms).format_short(),
            visits: l.visits,
            bot_visits: l.bot_visits,
        })
        .collect();
    Ok(LinksPage {
        nav: "links",
        ctx: AdminCtx::new(user, flash),
        links,
        form,
        error,
        channels: CHANNELS,
    })
}

/// `GET /admin/links`.
pub(super) async fn list(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
) -> AppResult<LinksPage> {
    render(
        &state,
        &user,
        flash.0,
        LinkForm {
            target: "/mitmachen".to_owned(),
            channel: "linkedin".to_owned(),
            ..LinkForm::default()
        },
        None,
    )
    .await
}

/// A random, readable code (no look-alike characters) for links created without one.
fn random_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 7];
    let _ = getrandom::fill(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// Checks the form; returns (code, target, channel, label) or a German message.
fn parse(form: &LinkForm) -> Result<(String, String, String, String), String> {
    let code = form.code.trim().to_lowercase();
    let code = if code.is_empty() { random_code() } else { code };
    if code.chars().count() > 40
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err("Der Kurzcode darf nur Kleinbuchstaben, Ziffern und Bindestriche enthalten (höchstens 40 Zeichen), z. B. wko-linz-maerz.".to_owned());
    }
    let target = form.target.trim().to_owned();
    if !target.starts_with('/')
        || target.starts_with("//")
        || target.len() > 200
        || target.chars().any(|c| c.is_whitespace() || c.is_control())
        || target.contains("source=")
    {
        return Err("Das Ziel muss eine Seite dieser Website sein und mit / beginnen, z. B. /mitmachen oder /ki-pilotprojekt.".to_owned());
    }
    if !CHANNELS.iter().any(|(c, _)| *c == form.channel) {
        return Err("Bitte wählen Sie einen Kanal aus der Liste.".to_owned());
    }
    let rule = TextRule {
        label: "Die Bezeichnung",
        missing: "Bitte geben Sie eine Bezeichnung an, z. B. „WKO Linz 12.03.“.",
        required: true,
        max_chars: 120,
        multiline: false,
    };
    let label = clean(&form.label, rule)?.unwrap_or_default();
    Ok((code, target, form.channel.clone(), label))
}

/// `POST /admin/links`.
pub(super) async fn create(
    State(state): State<AppState>,
    user: AdminUser,
    fields: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&fields)?;
    let form = LinkForm {
        code: fields.get("code").to_owned(),
        target: fields.get("target").to_owned(),
        channel: fields.get("channel").to_owned(),
        label: fields.get("label").to_owned(),
    };
    let (code, target, channel, label) = match parse(&form) {
        Ok(v) => v,
        Err(message) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&state, &user, None, form, Some(message)).await?,
            )
                .into_response());
        }
    };
    match storage::channels::create_link(&state.db, &code, &target, &channel, &label, UnixMs::now())
        .await?
    {
        Ok(_) => Ok(Redirect::to("/admin/links?ok=gespeichert").into_response()),
        Err(storage::channels::CreateLinkError::DuplicateCode) => {
            let message = format!(
                "Den Kurzcode „{code}“ gibt es schon (auch gelöschte Codes werden nicht wieder vergeben). Bitte wählen Sie einen anderen."
            );
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&state, &user, None, form, Some(message)).await?,
            )
                .into_response())
        }
    }
}

/// `POST /admin/links/{id}/loeschen`.
pub(super) async fn delete(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    fields: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&fields)?;
    if !storage::channels::delete_link(&state.db, id, UnixMs::now()).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/admin/links?ok=gespeichert").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(code: &str, target: &str) -> LinkForm {
        LinkForm {
            code: code.into(),
            target: target.into(),
            channel: "flyer".into(),
            label: "WKO Linz".into(),
        }
    }

    #[test]
    fn codes_and_targets_are_checked() {
        assert!(parse(&form("wko-linz", "/mitmachen")).is_ok());
        assert_eq!(parse(&form("", "/")).map(|v| v.0.len()), Ok(7));
        assert!(parse(&form("wko linz", "/mitmachen")).is_err());
        assert!(parse(&form("x", "https://evil.example")).is_err());
        assert!(parse(&form("x", "//evil.example")).is_err());
        assert!(parse(&form("x", "/mitmachen?source=y")).is_err());
    }
}
