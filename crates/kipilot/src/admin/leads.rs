//! Back-office lead pipeline: list with filters, detail, stage, notes, CSV, export, erase.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{CompanySize, Industry, Interest, LeadStage, LeadStatus, UnixMs};
use serde::Deserialize;
use storage::leads::{LeadFilter, LeadRow};

use super::AdminCtx;
use super::auth::{AdminUser, Flash};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::formdata::FormFields;

/// Most rows one list or CSV shows.
const LIST_LIMIT: i64 = 1000;

/// A lead as one table row, with German labels.
pub struct LeadListRow {
    /// Id.
    pub id: i64,
    /// Received at.
    pub created: String,
    /// Company.
    pub company: String,
    /// Contact.
    pub name: String,
    /// Industry label.
    pub industry: &'static str,
    /// Source or "direkt".
    pub source: String,
    /// Opt-in status label.
    pub status: &'static str,
    /// Whether confirmed.
    pub confirmed: bool,
    /// Stage label.
    pub stage: &'static str,
}

fn status_label(code: &str) -> &'static str {
    code.parse::<LeadStatus>()
        .map(LeadStatus::label)
        .unwrap_or("?")
}

impl From<&LeadRow> for LeadListRow {
    fn from(l: &LeadRow) -> Self {
        LeadListRow {
            id: l.id,
            created: UnixMs(l.created_ms).format_short(),
            company: l.company.clone(),
            name: l.name.clone(),
            industry: Industry::from_code(&l.industry)
                .map(Industry::label)
                .unwrap_or("–"),
            source: l.source.clone().unwrap_or_else(|| "direkt".to_owned()),
            status: status_label(&l.status),
            confirmed: l.status == LeadStatus::Bestaetigt.code(),
            stage: l
                .stage
                .parse::<LeadStage>()
                .map(LeadStage::label)
                .unwrap_or("?"),
        }
    }
}

/// Filter values as typed into the form (kept for re-rendering).
#[derive(Debug, Default, Deserialize)]
pub struct FilterQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    industry: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl FilterQuery {
    fn parse(raw: Option<&str>) -> FilterQuery {
        raw.and_then(|q| serde_urlencoded::from_str(q).ok())
            .unwrap_or_default()
    }

    /// The storage filter, or a German message for a date that cannot be read.
    fn to_filter(&self) -> (LeadFilter, Option<&'static str>) {
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let mut error = None;
        let mut date = |s: &str, plus_days: i64| -> Option<UnixMs> {
            if s.trim().is_empty() {
                return None;
            }
            match UnixMs::from_vienna_date(s) {
                Some(t) => Some(t.plus_ms(plus_days * 86_400_000)),
                None => {
                    error = Some(
                        "Ein Datum im Filter ist ungültig. Bitte im Format TT.MM.JJJJ auswählen.",
                    );
                    None
                }
            }
        };
        let filter = LeadFilter {
            stage: opt(&self.stage),
            status: opt(&self.status),
            source: opt(&self.source),
            industry: opt(&self.industry),
            from: date(&self.from, 0),
            until: date(&self.to, 1),
            query: opt(&self.q).map(|q| q.chars().take(200).collect()),
        };
        (filter, error)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/leads.html")]
pub(super) struct ListPage {
    nav: &'static str,
    ctx: AdminCtx,
    f: FilterQuery,
    leads: Vec<LeadListRow>,
    sources: Vec<String>,
    stage_options: Vec<(&'static str, &'static str)>,
    industry_options: Vec<(&'static str, &'static str)>,
    query_string: String,
    filter_error: Option<&'static str>,
}

fn stage_options() -> Vec<(&'static str, &'static str)> {
    LeadStage::ALL
        .iter()
        .map(|s| (s.code(), s.label()))
        .collect()
}

/// `GET /admin/leads`.
pub(super) async fn list(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
    RawQuery(raw): RawQuery,
) -> AppResult<ListPage> {
    let f = FilterQuery::parse(raw.as_deref());
    let (filter, filter_error) = f.to_filter();
    let rows = storage::leads::list(&state.db, &filter, LIST_LIMIT).await?;
    Ok(ListPage {
        nav: "leads",
        ctx: AdminCtx::new(&user, flash.0),
        leads: rows.iter().map(LeadListRow::from).collect(),
        sources: storage::leads::sources(&state.db).await?,
        stage_options: stage_options(),
        industry_options: Industry::ALL
            .iter()
            .map(|i| (i.code(), i.label()))
            .collect(),
        query_string: raw.unwrap_or_default(),
        filter_error,
        f,
    })
}

/// Neutralises spreadsheet formulas: a cell starting with `= + - @` (or a tab/CR) would be
/// executed by Excel or LibreOffice, so it is prefixed with an apostrophe.
pub fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

/// `GET /admin/leads.csv`: the filtered list, semicolon-separated with a UTF-8 BOM so that
/// German Excel opens it with umlauts intact.
pub(super) async fn csv(
    State(state): State<AppState>,
    _user: AdminUser,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let (filter, _) = FilterQuery::parse(raw.as_deref()).to_filter();
    let rows = storage::leads::list(&state.db, &filter, 100_000).await?;
    let mut out = String::from("\u{feff}");
    out.push_str("Eingang;Unternehmen;Name;E-Mail;Telefon;Branche;Größe;Interessen;Größtes Hindernis;Quelle;Status;Phase\n");
    for l in &rows {
        let interests = l
            .interests
            .split(',')
            .filter_map(Interest::from_code)
            .map(Interest::short_label)
            .collect::<Vec<_>>()
            .join(", ");
        let cells = [
            UnixMs(l.created_ms).format_short(),
            l.company.clone(),
            l.name.clone(),
            l.email.clone(),
            l.phone.clone().unwrap_or_default(),
            Industry::from_code(&l.industry)
                .map(Industry::label)
                .unwrap_or("")
                .to_owned(),
            CompanySize::from_code(&l.company_size)
                .map(CompanySize::label)
                .unwrap_or("")
                .to_owned(),
            interests,
            l.message.clone().unwrap_or_default(),
            l.source.clone().unwrap_or_default(),
            status_label(&l.status).to_owned(),
            l.stage
                .parse::<LeadStage>()
                .map(LeadStage::label)
                .unwrap_or("")
                .to_owned(),
        ];
        out.push_str(
            &cells
                .iter()
                .map(|c| csv_cell(c))
                .collect::<Vec<_>>()
                .join(";"),
        );
        out.push('\n');
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"leads.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

struct NoteLine {
    time: String,
    kind: &'static str,
    author: String,
    body: String,
}

struct ConsentLine {
    time: String,
    event: String,
    form: String,
    version: String,
    hash: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/lead.html")]
pub(super) struct DetailPage {
    nav: &'static str,
    ctx: AdminCtx,
    lead: LeadRow,
    phone: String,
    industry: &'static str,
    size: &'static str,
    interests: String,
    source: String,
    created: String,
    status: &'static str,
    confirmed: bool,
    confirmed_at: Option<String>,
    message: String,
    notes: Vec<NoteLine>,
    consents: Vec<ConsentLine>,
    stage_options: Vec<(&'static str, &'static str)>,
    booking: crate::booking::admin::LeadPanel,
}

/// `GET /admin/leads/{id}`.
pub(super) async fn detail(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
    Path(id): Path<i64>,
) -> AppResult<DetailPage> {
    let lead = storage::leads::get(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let notes = storage::leads::notes(&state.db, id)
        .await?
        .into_iter()
        .map(|n| NoteLine {
            time: UnixMs(n.created_ms).format_short(),
            kind: match n.kind.as_str() {
                "phase" => "Phasenwechsel",
                "formular" => "Formular",
                "termin" => "Termin",
                _ => "Notiz",
            },
            author: n.author,
            body: n.body,
        })
        .collect();
    let consents = storage::leads::consents(&state.db, id)
        .await?
        .into_iter()
        .map(|c| ConsentLine {
            time: UnixMs(c.created_ms).format_short(),
            event: c.event,
            form: c.form,
            version: c.text_version,
            hash: c.text_hash,
        })
        .collect();
    Ok(DetailPage {
        nav: "leads",
        ctx: AdminCtx::new(&user, flash.0),
        phone: lead.phone.clone().unwrap_or_else(|| "–".to_owned()),
        industry: Industry::from_code(&lead.industry)
            .map(Industry::label)
            .unwrap_or("–"),
        size: CompanySize::from_code(&lead.company_size)
            .map(CompanySize::label)
            .unwrap_or("–"),
        interests: {
            let list = lead
                .interests
                .split(',')
                .filter_map(Interest::from_code)
                .map(Interest::short_label)
                .collect::<Vec<_>>();
            if list.is_empty() {
                "–".to_owned()
            } else {
                list.join(", ")
            }
        },
        source: lead.source.clone().unwrap_or_else(|| "direkt".to_owned()),
        created: UnixMs(lead.created_ms).format_short(),
        status: status_label(&lead.status),
        confirmed: lead.status == LeadStatus::Bestaetigt.code(),
        confirmed_at: lead.confirmed_ms.map(|t| UnixMs(t).format_short()),
        message: lead.message.clone().unwrap_or_else(|| "–".to_owned()),
        notes,
        consents,
        stage_options: stage_options(),
        booking: crate::booking::admin::lead_panel(&state, &lead).await?,
        lead,
    })
}

/// `POST /admin/leads/{id}/phase`.
pub(super) async fn set_stage(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let stage: LeadStage = form.get("stage").parse().map_err(|_| {
        AppError::BadRequest(
            "Diese Phase gibt es nicht. Bitte wählen Sie eine Phase aus der Liste.".to_owned(),
        )
    })?;
    if !storage::leads::set_stage(&state.db, id, stage, &user.email, UnixMs::now()).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/admin/leads/{id}?ok=phase")).into_response())
}

/// `POST /admin/leads/{id}/notizen`.
pub(super) async fn add_note(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let rule = domain::text::TextRule {
        label: "Die Notiz",
        missing: "Bitte schreiben Sie etwas in die Notiz.",
        required: true,
        max_chars: 4000,
        multiline: true,
    };
    let body = domain::text::clean(form.get("body"), rule)
        .map_err(AppError::BadRequest)?
        .unwrap_or_default();
    if !storage::leads::add_note(&state.db, id, &user.email, &body, UnixMs::now()).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/admin/leads/{id}?ok=notiz")).into_response())
}

/// `GET /admin/leads/{id}/export.json`.
pub(super) async fn export(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let data = storage::leads::export(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    storage::audit::record(
        &state.db,
        UnixMs::now(),
        &user.actor(),
        "Datenexport erstellt",
        &format!("lead #{id}"),
    )
    .await?;
    Ok(crate::privacy::json_download(
        &data,
        &format!("lead-{id}.json"),
    ))
}

/// `POST /admin/leads/{id}/loeschen`.
pub(super) async fn erase(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    if form.get("confirm") != "on" {
        return Err(AppError::BadRequest(
            "Bitte bestätigen Sie das Löschen mit dem Häkchen.".to_owned(),
        ));
    }
    if !storage::leads::erase(
        &state.db,
        id,
        &user.actor(),
        "durch das Team",
        UnixMs::now(),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/admin/leads?ok=geloescht").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_neutralise_formulas_and_quote() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+43 664"), "\"'+43 664\"");
        assert_eq!(csv_cell("Bau; Huber"), "\"Bau; Huber\"");
    }
}
