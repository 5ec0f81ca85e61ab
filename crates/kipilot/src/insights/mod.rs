//! Pain points and insights (issue 7): one list of obstacles and wishes from participants,
//! round-table minutes, the application form and LinkedIn; the team tags and classifies
//! them under `/admin/anliegen`; `/admin/erkenntnisse` counts them per tag, month, industry
//! and company size with server-rendered SVG charts and a CSV export. Participants write
//! theirs under `/teilnehmer/anliegen`.
//!
//! Breakdowns by company attributes go through [`stats::protect_small_groups`] (at least
//! three companies per cell), for the page and the CSV alike.

pub mod stats;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::text::{TextRule, clean};
use domain::{CompanySize, FieldErrors, Industry, UnixMs};
use storage::events::TagRow;
use storage::insights::{InsightRow, SOURCE_APPLICATION, SOURCE_PARTICIPANT};

use crate::admin::AdminCtx;
use crate::admin::auth::{AdminUser, Flash};
use crate::error::{AppError, AppResult};
use crate::participants::auth::Participant;
use crate::participants::{self, ParticipantCtx};
use crate::state::AppState;
use crate::web::formdata::FormFields;
use stats::{BarChart, Group, MonthCount, Point, TrendChart};

/// Longest pain point a participant can send.
pub const MAX_TEXT: usize = 1000;

/// Routes of the pain-point list, the dashboard and the participant form.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/anliegen", get(admin_list))
        .route("/admin/anliegen/{id}", post(admin_classify))
        .route("/admin/erkenntnisse", get(dashboard))
        .route("/admin/erkenntnisse.csv", get(dashboard_csv))
        .merge(
            Router::new()
                .route(
                    "/teilnehmer/anliegen",
                    get(participant_page).post(participant_submit),
                )
                // Company data must never sit in any cache.
                .layer(axum::middleware::map_response(no_store)),
        )
}

async fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// German label of where a point came from.
fn source_label(row: &InsightRow) -> String {
    let company = row.company.clone().unwrap_or_else(|| "–".to_owned());
    match row.source_kind.as_str() {
        storage::events::SOURCE_EVENT => format!(
            "Round-Table „{}“",
            row.event_title.clone().unwrap_or_else(|| "?".to_owned())
        ),
        SOURCE_PARTICIPANT => format!("Teilnehmerbereich · {company}"),
        SOURCE_APPLICATION => format!("Bewerbung (größtes Hindernis) · {company}"),
        other => other.to_owned(),
    }
}

struct ListRow {
    id: i64,
    date: String,
    source: String,
    text: String,
    tag_id: i64,
    /// Round-table points are grouped by tag in the minutes, so they always keep one.
    needs_tag: bool,
    wish: bool,
    feature_idea: bool,
}

struct LinkedInRow {
    post_id: i64,
    question: String,
    text: String,
    votes: i64,
}

/// The list's views: everything, untagged only, wishes, feature ideas.
const VIEWS: [(&str, &str); 4] = [
    ("", "Alle"),
    ("offen", "Ohne Schlagwort"),
    ("wuensche", "Wünsche"),
    ("ideen", "Feature-Ideen"),
];

#[derive(serde::Deserialize)]
struct ViewQuery {
    zeige: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/anliegen.html")]
struct ListPage {
    nav: &'static str,
    ctx: AdminCtx,
    views: Vec<(&'static str, &'static str, bool)>,
    rows: Vec<ListRow>,
    tags: Vec<TagRow>,
    untagged: usize,
    linkedin: Vec<LinkedInRow>,
}

/// `GET /admin/anliegen`: every pain point with its source and the team's classification.
async fn admin_list(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
    Query(q): Query<ViewQuery>,
) -> AppResult<ListPage> {
    let all = storage::insights::all(&state.db).await?;
    let untagged = all.iter().filter(|r| r.tag_id.is_none()).count();
    // Unknown views fall back to "Alle".
    let view = VIEWS
        .iter()
        .map(|v| v.0)
        .find(|v| q.zeige.as_deref() == Some(*v))
        .unwrap_or("");
    let rows = all
        .iter()
        .filter(|r| match view {
            "offen" => r.tag_id.is_none(),
            "wuensche" => r.is_wish == 1,
            "ideen" => r.feature_idea == 1,
            _ => true,
        })
        .map(|r| ListRow {
            id: r.id,
            date: UnixMs(r.created_ms).format_short(),
            source: source_label(r),
            text: r.text.clone(),
            tag_id: r.tag_id.unwrap_or(0),
            needs_tag: r.source_kind == storage::events::SOURCE_EVENT,
            wish: r.is_wish == 1,
            feature_idea: r.feature_idea == 1,
        })
        .collect();
    let linkedin = storage::posts::pain_points(&state.db)
        .await?
        .into_iter()
        .map(|p| LinkedInRow {
            post_id: p.post_id,
            question: p.question,
            text: p.text,
            votes: p.votes,
        })
        .collect();
    Ok(ListPage {
        nav: "anliegen",
        ctx: AdminCtx::new(&user, flash.0),
        views: VIEWS
            .iter()
            .map(|(code, label)| (*code, *label, *code == view))
            .collect(),
        rows,
        tags: storage::events::tags(&state.db).await?,
        untagged,
        linkedin,
    })
}

/// `POST /admin/anliegen/{id}`: tag, wish or obstacle, feature idea.
async fn admin_classify(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let tag: i64 = form.get("tag_id").parse().unwrap_or(-1);
    if tag < 0 {
        return Err(AppError::BadRequest(
            "Bitte wählen Sie ein Schlagwort aus der Liste oder „noch kein Schlagwort“.".to_owned(),
        ));
    }
    let wish = match form.get("kind") {
        "wunsch" => true,
        "hindernis" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Bitte wählen Sie „Hindernis“ oder „Wunsch“.".to_owned(),
            ));
        }
    };
    let feature = form.get("feature_idea") == "on";
    let tag_id = (tag > 0).then_some(tag);
    if tag_id.is_none()
        && storage::insights::all(&state.db)
            .await?
            .iter()
            .any(|r| r.id == id && r.source_kind == storage::events::SOURCE_EVENT)
    {
        return Err(AppError::BadRequest(
            "Punkte aus Round-Tables brauchen ein Schlagwort, weil das Protokoll sie danach ordnet. Bitte wählen Sie eines aus der Liste.".to_owned(),
        ));
    }
    if !storage::insights::classify(&state.db, id, tag_id, wish, feature).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/admin/anliegen?ok=anliegen#p{id}")).into_response())
}

fn month_of(ms: i64) -> String {
    UnixMs(ms).format_iso_date().chars().take(7).collect()
}

fn points(rows: &[InsightRow]) -> Vec<Point> {
    rows.iter()
        .map(|r| Point {
            tag: r.tag_label.clone(),
            wish: r.is_wish == 1,
            month: month_of(r.created_ms),
            lead: r.lead_id,
            industry: r
                .industry
                .as_deref()
                .and_then(Industry::from_code)
                .map(|i| i.label().to_owned()),
            size: r
                .company_size
                .as_deref()
                .and_then(CompanySize::from_code)
                .map(|s| s.label().to_owned()),
        })
        .collect()
}

/// Everything the dashboard and its CSV show, computed once.
struct Insights {
    obstacles: Vec<(String, i64)>,
    wishes: Vec<(String, i64)>,
    months: Vec<MonthCount>,
    industries: Vec<Group>,
    sizes: Vec<Group>,
    total: usize,
    untagged: usize,
    feature_ideas: Vec<(String, String)>,
}

async fn compute(state: &AppState) -> AppResult<Insights> {
    let rows = storage::insights::all(&state.db).await?;
    let pts = points(&rows);
    Ok(Insights {
        obstacles: stats::top_tags(&pts, false),
        wishes: stats::top_tags(&pts, true),
        months: stats::trend(&pts, &month_of(UnixMs::now().0), 12),
        industries: stats::breakdown(&pts, |p| p.industry.as_deref()),
        sizes: stats::breakdown(&pts, |p| p.size.as_deref()),
        total: rows.len(),
        untagged: rows.iter().filter(|r| r.tag_id.is_none()).count(),
        feature_ideas: rows
            .iter()
            .filter(|r| r.feature_idea == 1)
            .map(|r| {
                (
                    r.text.clone(),
                    r.tag_label.clone().unwrap_or_else(|| "–".to_owned()),
                )
            })
            .collect(),
    })
}

/// A breakdown row for the page.
struct GroupLine {
    label: String,
    companies: usize,
    obstacles: i64,
    wishes: i64,
    top_tag: String,
}

fn lines(groups: &[Group]) -> Vec<GroupLine> {
    groups
        .iter()
        .map(|g| GroupLine {
            label: g.label.clone(),
            companies: g.companies.len(),
            obstacles: g.obstacles,
            wishes: g.wishes,
            top_tag: g.top_tag(),
        })
        .collect()
}

fn group_chart(id: &'static str, title: &str, groups: &[Group]) -> BarChart {
    let rows: Vec<(String, i64)> = groups
        .iter()
        .map(|g| (g.label.clone(), g.obstacles + g.wishes))
        .collect();
    stats::bar_chart(id, title, &rows)
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/erkenntnisse.html")]
struct DashboardPage {
    nav: &'static str,
    ctx: AdminCtx,
    total: usize,
    untagged: usize,
    obstacles: Vec<(String, i64)>,
    wishes: Vec<(String, i64)>,
    obstacles_chart: BarChart,
    wishes_chart: BarChart,
    months: Vec<MonthCount>,
    trend: TrendChart,
    industries: Vec<GroupLine>,
    industries_chart: BarChart,
    sizes: Vec<GroupLine>,
    sizes_chart: BarChart,
    feature_ideas: Vec<(String, String)>,
    min_companies: usize,
}

/// `GET /admin/erkenntnisse`: the insights dashboard.
async fn dashboard(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
) -> AppResult<DashboardPage> {
    let i = compute(&state).await?;
    Ok(DashboardPage {
        nav: "erkenntnisse",
        ctx: AdminCtx::new(&user, flash.0),
        total: i.total,
        untagged: i.untagged,
        obstacles_chart: stats::bar_chart("c-hindernisse", "Häufigste Hindernisse", &i.obstacles),
        wishes_chart: stats::bar_chart("c-wuensche", "Häufigste Wünsche", &i.wishes),
        trend: stats::trend_chart(&i.months),
        industries_chart: group_chart("c-branche", "Nennungen nach Branche", &i.industries),
        sizes_chart: group_chart("c-groesse", "Nennungen nach Unternehmensgröße", &i.sizes),
        industries: lines(&i.industries),
        sizes: lines(&i.sizes),
        obstacles: i.obstacles,
        wishes: i.wishes,
        months: i.months,
        feature_ideas: i.feature_ideas,
        min_companies: stats::MIN_COMPANIES,
    })
}

/// `GET /admin/erkenntnisse.csv`: the dashboard's numbers, with the same small-group rule.
async fn dashboard_csv(State(state): State<AppState>, _user: AdminUser) -> AppResult<Response> {
    let i = compute(&state).await?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut tags: Vec<String> = i.obstacles.iter().map(|t| t.0.clone()).collect();
    for (w, _) in &i.wishes {
        if !tags.contains(w) {
            tags.push(w.clone());
        }
    }
    let count = |list: &[(String, i64)], tag: &str| {
        list.iter()
            .find(|t| t.0 == tag)
            .map_or(0, |t| t.1)
            .to_string()
    };
    for tag in &tags {
        rows.push(vec![
            "Schlagwort".to_owned(),
            tag.clone(),
            String::new(),
            count(&i.obstacles, tag),
            count(&i.wishes, tag),
            String::new(),
        ]);
    }
    for m in &i.months {
        rows.push(vec![
            "Monat".to_owned(),
            m.month.clone(),
            String::new(),
            m.obstacles.to_string(),
            m.wishes.to_string(),
            String::new(),
        ]);
    }
    for (area, groups) in [("Branche", &i.industries), ("Unternehmensgröße", &i.sizes)] {
        for g in groups {
            rows.push(vec![
                area.to_owned(),
                g.label.clone(),
                g.companies.len().to_string(),
                g.obstacles.to_string(),
                g.wishes.to_string(),
                g.top_tag(),
            ]);
        }
    }
    let mut response = participants::csv_download(
        "erkenntnisse.csv",
        &[
            "Bereich",
            "Bezeichnung",
            "Unternehmen",
            "Hindernisse",
            "Wünsche",
            "Häufigstes Schlagwort",
        ],
        &rows,
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

struct OwnLine {
    date: String,
    kind: &'static str,
    text: String,
    tag: String,
    from_application: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "participants/anliegen.html")]
struct ParticipantPage {
    nav: &'static str,
    ctx: ParticipantCtx,
    errors: FieldErrors,
    text: String,
    wish: bool,
    max: usize,
    own: Vec<OwnLine>,
}

impl ParticipantPage {
    async fn load(
        state: &AppState,
        p: &Participant,
        flash: Option<&'static str>,
        errors: FieldErrors,
        text: String,
        wish: bool,
    ) -> AppResult<ParticipantPage> {
        let own = storage::insights::of_company(&state.db, p.lead_id)
            .await?
            .into_iter()
            .map(|r| OwnLine {
                date: UnixMs(r.created_ms).format_long_date(),
                kind: if r.is_wish == 1 {
                    "Wunsch"
                } else {
                    "Hindernis"
                },
                from_application: r.source_kind == SOURCE_APPLICATION,
                text: r.text,
                tag: r.tag_label.unwrap_or_default(),
            })
            .collect();
        Ok(ParticipantPage {
            nav: "anliegen",
            ctx: ParticipantCtx::load(state, p, flash).await?,
            errors,
            text,
            wish,
            max: MAX_TEXT,
            own,
        })
    }
}

/// `GET /teilnehmer/anliegen`: "Was hindert Sie? Was wünschen Sie sich?" and the company's
/// earlier entries.
async fn participant_page(
    State(state): State<AppState>,
    p: Participant,
    flash: participants::Flash,
) -> AppResult<ParticipantPage> {
    ParticipantPage::load(
        &state,
        &p,
        flash.0,
        FieldErrors::default(),
        String::new(),
        false,
    )
    .await
}

/// `POST /teilnehmer/anliegen`: stores the point for the session's company, untagged.
async fn participant_submit(
    State(state): State<AppState>,
    p: Participant,
    form: FormFields,
) -> AppResult<Response> {
    p.check_csrf(&form)?;
    let raw = form.get("text").to_owned();
    let mut errors = FieldErrors::default();
    let wish = match form.get("kind") {
        "wunsch" => true,
        "hindernis" => false,
        _ => {
            errors.add(
                "kind",
                "Bitte wählen Sie, ob es ein Hindernis oder ein Wunsch ist.",
            );
            false
        }
    };
    let text = clean(
        &raw,
        TextRule {
            label: "Ihr Anliegen",
            missing: "Bitte schreiben Sie kurz, was Sie hindert oder was Sie sich wünschen, z. B. „Wir wissen nicht, ob Kundendaten in ChatGPT dürfen“.",
            required: true,
            max_chars: MAX_TEXT,
            multiline: true,
        },
    )
    .map_err(|m| errors.add("text", m))
    .ok()
    .flatten();
    if let Some(text) = text
        && errors.is_empty()
    {
        storage::insights::add_from_participant(
            &state.db,
            p.lead_id,
            p.id,
            &text,
            wish,
            UnixMs::now(),
        )
        .await?;
        return Ok(Redirect::to("/teilnehmer/anliegen?ok=anliegen").into_response());
    }
    let page = ParticipantPage::load(&state, &p, None, errors, raw, wish).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
