//! The planner's overview: month calendar with the cadence guard, all posts with their
//! figures, the pain points heard so far, and the template editor.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::UnixMs;
use domain::text::{TextRule, clean};
use storage::posts::PainPoint;

use super::{kind_label, status_css, status_label};
use crate::admin::AdminCtx;
use crate::admin::auth::{AdminUser, Flash};
use crate::channels::posts_checks::{self as checks, Gap, MAX_GAP_DAYS, PostKind};
use crate::channels::posts_templates as templates;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::formdata::FormFields;

/// A post in the calendar or the table.
pub(super) struct PostLine {
    id: i64,
    day: String,
    kind: &'static str,
    status: &'static str,
    status_css: &'static str,
    first_line: String,
    figures: String,
}

/// One day of the month grid.
pub(super) struct DayCell {
    day: i64,
    today: bool,
    posts: Vec<PostLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/posts.html")]
/// The page (crate-visible because the router names its handlers).
pub(crate) struct ListPage {
    nav: &'static str,
    ctx: AdminCtx,
    month_label: String,
    prev: String,
    next: String,
    weeks: Vec<Vec<Option<DayCell>>>,
    gaps: Vec<Gap>,
    dated: usize,
    max_gap: i64,
    posts: Vec<PostLine>,
    pain_points: Vec<PainPoint>,
    kinds: [PostKind; 5],
}

const MONTHS: [&str; 12] = [
    "Jänner",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

/// `(year, month)` from `?monat=YYYY-MM`, else the month of `today`.
fn month(raw: Option<&str>, today: &str) -> (i64, i64) {
    let parse = |s: &str| -> Option<(i64, i64)> {
        let (y, m) = s.trim().split_once('-')?;
        let (y, m) = (y.parse().ok()?, m.get(..2).unwrap_or(m).parse().ok()?);
        ((1970..=9999).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
    };
    raw.and_then(|r| serde_urlencoded::from_str::<Vec<(String, String)>>(r).ok())
        .and_then(|q| q.into_iter().find(|(k, _)| k == "monat").map(|(_, v)| v))
        .and_then(|v| parse(&v))
        .or_else(|| parse(today))
        .unwrap_or((2026, 1))
}

fn line(r: &storage::posts::PostRow) -> PostLine {
    let figures = match (r.impressions, r.reactions, r.comments, r.reposts) {
        (None, None, None, None) => String::new(),
        (i, re, c, rp) => {
            let n = |v: Option<i64>| {
                v.map_or("–".to_owned(), |v| {
                    checks::thousands(usize::try_from(v).unwrap_or(0))
                })
            };
            format!(
                "{} Impressionen · {} Reaktionen · {} Kommentare · {} Reposts",
                n(i),
                n(re),
                n(c),
                n(rp)
            )
        }
    };
    PostLine {
        id: r.id,
        day: r
            .planned_ms
            .map(|t| UnixMs(t).format_iso_date())
            .unwrap_or_default(),
        kind: kind_label(&r.kind),
        status: status_label(&r.status),
        status_css: status_css(&r.status),
        first_line: r
            .body
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(90)
            .collect(),
        figures,
    }
}

/// `GET /admin/posts?monat=YYYY-MM`.
pub(crate) async fn page(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
    RawQuery(raw): RawQuery,
) -> AppResult<ListPage> {
    let today = UnixMs::now().format_iso_date();
    let (y, m) = month(raw.as_deref(), &today);
    let rows = storage::posts::all(&state.db).await?;
    let posts: Vec<PostLine> = rows.iter().map(line).collect();
    let days: Vec<String> = posts
        .iter()
        .filter(|p| !p.day.is_empty())
        .map(|p| p.day.clone())
        .collect();
    let first = checks::day_number(&format!("{y:04}-{m:02}-01")).unwrap_or(0);
    let mut weeks = Vec::new();
    let mut week: Vec<Option<DayCell>> = (0..checks::weekday(first)).map(|_| None).collect();
    for d in 1..=checks::days_in_month(y, m) {
        let iso = format!("{y:04}-{m:02}-{d:02}");
        week.push(Some(DayCell {
            day: d,
            today: iso == today,
            posts: rows.iter().map(line).filter(|p| p.day == iso).collect(),
        }));
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
    }
    if !week.is_empty() {
        week.resize_with(7, || None);
        weeks.push(week);
    }
    let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    Ok(ListPage {
        nav: "posts",
        ctx: AdminCtx::new(&user, flash.0),
        month_label: format!(
            "{} {y}",
            MONTHS
                .get(usize::try_from(m - 1).unwrap_or(0))
                .copied()
                .unwrap_or("")
        ),
        prev: format!("{py:04}-{pm:02}"),
        next: format!("{ny:04}-{nm:02}"),
        weeks,
        gaps: checks::cadence_gaps(&days, &today),
        dated: days.len(),
        max_gap: MAX_GAP_DAYS,
        posts,
        pain_points: storage::posts::pain_points(&state.db).await?,
        kinds: PostKind::ALL,
    })
}

/// One template in the editor.
pub(super) struct TemplateBox {
    code: &'static str,
    label: &'static str,
    body: String,
    custom: bool,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/posts_templates.html")]
/// The page (crate-visible because the router names its handlers).
pub(crate) struct TemplatesPage {
    nav: &'static str,
    ctx: AdminCtx,
    boxes: Vec<TemplateBox>,
}

async fn templates_page(
    state: &AppState,
    user: &AdminUser,
    flash: Option<&'static str>,
    typed: Option<(PostKind, String, String)>,
) -> AppResult<TemplatesPage> {
    let mut boxes = Vec::new();
    for kind in PostKind::ALL {
        let stored = storage::posts::template(&state.db, kind.code()).await?;
        let mut b = TemplateBox {
            code: kind.code(),
            label: kind.label(),
            custom: stored.is_some(),
            body: stored.unwrap_or_else(|| templates::builtin(kind).to_owned()),
            error: None,
        };
        if let Some((k, body, error)) = &typed
            && *k == kind
        {
            b.body.clone_from(body);
            b.error = Some(error.clone());
        }
        boxes.push(b);
    }
    Ok(TemplatesPage {
        nav: "posts",
        ctx: AdminCtx::new(user, flash),
        boxes,
    })
}

/// `GET /admin/posts/vorlagen`.
pub(crate) async fn templates_form(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
) -> AppResult<TemplatesPage> {
    templates_page(&state, &user, flash.0, None).await
}

/// `POST /admin/posts/vorlagen`: saves one template, or resets it to the built-in text.
pub(crate) async fn templates_save(
    State(state): State<AppState>,
    user: AdminUser,
    fields: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&fields)?;
    let Some(kind) = PostKind::from_code(fields.get("kind")) else {
        return Err(crate::error::AppError::BadRequest(
            "Diese Vorlage gibt es nicht. Bitte laden Sie die Seite neu.".to_owned(),
        ));
    };
    let now = UnixMs::now();
    if fields.get("action") == "reset" {
        storage::posts::save_template(&state.db, kind.code(), None, now).await?;
        return Ok(Redirect::to("/admin/posts/vorlagen?ok=gespeichert").into_response());
    }
    let rule = TextRule {
        label: "Die Vorlage",
        missing: "Eine leere Vorlage hilft nicht weiter. Zum Zurücksetzen nutzen Sie „Standardtext wiederherstellen“.",
        required: true,
        max_chars: checks::MAX_CHARS,
        multiline: true,
    };
    match clean(fields.get("body"), rule) {
        Ok(Some(body)) => {
            storage::posts::save_template(&state.db, kind.code(), Some(&body), now).await?;
            Ok(Redirect::to("/admin/posts/vorlagen?ok=gespeichert").into_response())
        }
        Ok(None) => Ok(Redirect::to("/admin/posts/vorlagen").into_response()),
        Err(message) => {
            let page = templates_page(
                &state,
                &user,
                None,
                Some((kind, fields.get("body").to_owned(), message)),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_parameter_falls_back_to_today() {
        assert_eq!(month(Some("monat=2026-05"), "2026-11-27"), (2026, 5));
        assert_eq!(month(Some("monat=kaputt"), "2026-11-27"), (2026, 11));
        assert_eq!(month(Some("monat=2026-13"), "2026-11-27"), (2026, 11));
        assert_eq!(month(None, "2026-11-27"), (2026, 11));
    }
}
