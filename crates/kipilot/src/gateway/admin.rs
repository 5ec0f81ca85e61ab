//! Back office for the gateway under `/admin/gateway`: issue, inspect and revoke keys, set
//! each key's policy, see usage per key and month, export the audit log as CSV.
//!
//! A new key is shown exactly once, on the page that answers the creating POST; only its
//! SHA-256 is stored. A plain hash is enough here (unlike passwords, which need Argon2): the
//! key is 256 bits from the OS random generator, so there is nothing to guess and no
//! dictionary to run; a slow hash would only slow down every API request.

use std::collections::BTreeMap;

use anonymizer::Label;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::UnixMs;
use serde::Deserialize;
use storage::gateway::{GatewayKey, KeyPolicy};

use super::{DEFAULT_RATE_PER_MINUTE, KEY_PREFIX, labels_text, parse_labels};
use crate::admin::AdminCtx;
use crate::admin::auth::{AdminUser, Flash};
use crate::admin::leads::csv_cell;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::formdata::FormFields;

/// Back-office routes of the gateway.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/gateway", get(list).post(create))
        .route("/admin/gateway/nutzung", get(usage))
        .route("/admin/gateway/audit.csv", get(audit_csv))
        .route("/admin/gateway/{id}", get(edit).post(save))
        .route("/admin/gateway/{id}/widerrufen", post(revoke))
}

/// One label checkbox.
struct LabelBox {
    code: &'static str,
    name: &'static str,
    checked: bool,
}

fn label_boxes(selected: &[Label]) -> Vec<LabelBox> {
    Label::ALL
        .iter()
        .map(|l| LabelBox {
            code: l.as_str(),
            name: l.german_name(),
            checked: selected.contains(l),
        })
        .collect()
}

/// The policy part of a form, as typed.
struct PolicyForm {
    labels: Vec<LabelBox>,
    block_special: bool,
    ai_marker: bool,
    rate: String,
}

impl PolicyForm {
    fn default_new() -> PolicyForm {
        PolicyForm {
            labels: label_boxes(&Label::ALL),
            block_special: true,
            ai_marker: false,
            rate: DEFAULT_RATE_PER_MINUTE.to_string(),
        }
    }

    fn of(key: &GatewayKey) -> PolicyForm {
        PolicyForm {
            labels: label_boxes(&parse_labels(&key.labels)),
            block_special: key.block_special == 1,
            ai_marker: key.ai_marker == 1,
            rate: key.rate_per_minute.to_string(),
        }
    }

    fn parse(form: &FormFields) -> (PolicyForm, Result<KeyPolicy, Vec<&'static str>>) {
        let chosen: Vec<Label> = form
            .all("labels")
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        let rate_text = form.get("rate").trim().to_owned();
        let typed = PolicyForm {
            labels: label_boxes(&chosen),
            block_special: form.is_set("block_special"),
            ai_marker: form.is_set("ai_marker"),
            rate: rate_text.clone(),
        };
        let mut errors = Vec::new();
        if chosen.is_empty() {
            errors.push("Bitte wählen Sie mindestens eine Art von Daten aus, die ersetzt wird. Sonst gingen alle Angaben unverändert an das Modell.");
        }
        let rate = rate_text
            .parse::<i64>()
            .ok()
            .filter(|r| (1..=10_000).contains(r));
        if rate.is_none() {
            errors.push(
                "Bitte geben Sie als Anfragen pro Minute eine Zahl zwischen 1 und 10000 ein.",
            );
        }
        let result = match (errors.is_empty(), rate) {
            (true, Some(rate)) => Ok(KeyPolicy {
                labels: labels_text(&chosen),
                block_special: typed.block_special,
                ai_marker: typed.ai_marker,
                rate_per_minute: rate,
            }),
            _ => Err(errors),
        };
        (typed, result)
    }
}

/// One key in the list.
struct KeyLine {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    last_use: String,
    revoked: Option<String>,
    policy: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/gateway.html")]
struct ListPage {
    nav: &'static str,
    ctx: AdminCtx,
    upstream: Option<String>,
    keys: Vec<KeyLine>,
    name: String,
    policy: PolicyForm,
    errors: Vec<&'static str>,
    created_key: Option<(String, String)>,
}

/// What the list shows about the upstream: scheme and host only, never a key or a path
/// with credentials.
fn upstream_display(state: &AppState) -> Option<String> {
    let url = state.config.gateway_upstream.as_deref()?;
    let uri: axum::http::Uri = url.parse().ok()?;
    Some(format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("http"),
        uri.host().unwrap_or("?")
    ))
}

fn policy_summary(key: &GatewayKey) -> String {
    let labels = parse_labels(&key.labels);
    let what = if labels.len() == Label::ALL.len() {
        "alle Datenarten".to_owned()
    } else {
        format!("{} von {} Datenarten", labels.len(), Label::ALL.len())
    };
    let special = if key.block_special == 1 {
        "Art. 9 gesperrt"
    } else {
        "Art. 9 erlaubt"
    };
    let marker = if key.ai_marker == 1 {
        ", KI-Hinweis"
    } else {
        ""
    };
    format!(
        "{what}, {special}{marker}, {} Anfragen/Min.",
        key.rate_per_minute
    )
}

async fn render_list(
    state: &AppState,
    user: &AdminUser,
    flash: Option<&'static str>,
    name: String,
    policy: PolicyForm,
    errors: Vec<&'static str>,
    created_key: Option<(String, String)>,
) -> AppResult<ListPage> {
    let last: BTreeMap<i64, i64> = storage::gateway::last_use(&state.db)
        .await?
        .into_iter()
        .collect();
    let keys = storage::gateway::keys(&state.db)
        .await?
        .into_iter()
        .map(|k| KeyLine {
            id: k.id,
            prefix: format!("{}…", k.token_prefix),
            created: UnixMs(k.created_ms).format_short(),
            last_use: last
                .get(&k.id)
                .map_or_else(|| "noch nie".to_owned(), |t| UnixMs(*t).format_short()),
            revoked: k.revoked_ms.map(|t| UnixMs(t).format_short()),
            policy: policy_summary(&k),
            name: k.name,
        })
        .collect();
    Ok(ListPage {
        nav: "gateway",
        ctx: AdminCtx::new(user, flash),
        upstream: upstream_display(state),
        keys,
        name,
        policy,
        errors,
        created_key,
    })
}

/// `GET /admin/gateway`.
async fn list(State(state): State<AppState>, user: AdminUser, flash: Flash) -> AppResult<ListPage> {
    render_list(
        &state,
        &user,
        flash.0,
        String::new(),
        PolicyForm::default_new(),
        Vec::new(),
        None,
    )
    .await
}

/// `POST /admin/gateway`: issues a key and shows it once.
async fn create(
    State(state): State<AppState>,
    user: AdminUser,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let name = form.get("name").trim().to_owned();
    let (typed, policy) = PolicyForm::parse(&form);
    let mut errors = match &policy {
        Ok(_) => Vec::new(),
        Err(e) => e.clone(),
    };
    if name.is_empty() || name.chars().count() > 100 {
        errors.insert(0, "Bitte geben Sie an, für wen oder welches Werkzeug der Schlüssel ist (höchstens 100 Zeichen).");
    }
    let policy = match policy {
        Ok(p) if errors.is_empty() => p,
        _ => {
            let page = render_list(&state, &user, None, name, typed, errors, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let key = format!("{KEY_PREFIX}{}", crate::web::tokens::new_token()?);
    let prefix: String = key.chars().take(KEY_PREFIX.len() + 6).collect();
    let id = storage::gateway::create_key(
        &state.db,
        &name,
        &crate::web::tokens::hash(&key),
        &prefix,
        &policy,
        &user.actor(),
        UnixMs::now(),
    )
    .await?;
    tracing::info!(key_id = id, "gateway key issued");
    let page = render_list(
        &state,
        &user,
        None,
        String::new(),
        PolicyForm::default_new(),
        Vec::new(),
        Some((name, key)),
    )
    .await?;
    Ok((StatusCode::CREATED, page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/gateway_key.html")]
struct KeyPage {
    nav: &'static str,
    ctx: AdminCtx,
    id: i64,
    name: String,
    prefix: String,
    created: String,
    revoked: Option<String>,
    policy: PolicyForm,
    errors: Vec<&'static str>,
}

fn key_page(
    user: &AdminUser,
    flash: Option<&'static str>,
    key: &GatewayKey,
    policy: PolicyForm,
    errors: Vec<&'static str>,
) -> KeyPage {
    KeyPage {
        nav: "gateway",
        ctx: AdminCtx::new(user, flash),
        id: key.id,
        name: key.name.clone(),
        prefix: format!("{}…", key.token_prefix),
        created: format!(
            "{} von {}",
            UnixMs(key.created_ms).format_short(),
            key.created_by
        ),
        revoked: key.revoked_ms.map(|t| UnixMs(t).format_short()),
        policy,
        errors,
    }
}

/// `GET /admin/gateway/{id}`: the key's policy.
async fn edit(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
    Path(id): Path<i64>,
) -> AppResult<KeyPage> {
    let key = storage::gateway::key(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(key_page(
        &user,
        flash.0,
        &key,
        PolicyForm::of(&key),
        Vec::new(),
    ))
}

/// `POST /admin/gateway/{id}`: saves the policy (effective with the next request).
async fn save(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let key = storage::gateway::key(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (typed, policy) = PolicyForm::parse(&form);
    let policy = match policy {
        Ok(p) => p,
        Err(errors) => {
            let page = key_page(&user, None, &key, typed, errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if !storage::gateway::update_policy(&state.db, id, &policy, &user.actor(), UnixMs::now())
        .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/admin/gateway/{id}?ok=gateway-richtlinie")).into_response())
}

/// `POST /admin/gateway/{id}/widerrufen`: the key stops working at once, its history stays.
async fn revoke(
    State(state): State<AppState>,
    user: AdminUser,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    if storage::gateway::key(&state.db, id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    storage::gateway::revoke(&state.db, id, &user.actor(), UnixMs::now()).await?;
    Ok(Redirect::to("/admin/gateway?ok=gateway-widerrufen").into_response())
}

/// Requests of one key in one month.
#[derive(Default)]
struct UsageLine {
    month: String,
    key: String,
    requests: i64,
    ok: i64,
    blocked: i64,
    failed: i64,
    prompt_tokens: i64,
    completion_tokens: i64,
    entities: i64,
    top_entities: String,
}

struct AuditLine {
    time: String,
    key: String,
    model: String,
    outcome: &'static str,
    tokens: String,
    entities: String,
    special: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/gateway_usage.html")]
struct UsagePage {
    nav: &'static str,
    ctx: AdminCtx,
    lines: Vec<UsageLine>,
    recent: Vec<AuditLine>,
    months: Vec<String>,
}

/// German text of an outcome code.
fn outcome_label(code: &str) -> &'static str {
    match code {
        "ok" => "beantwortet",
        "started" => "läuft / abgebrochen",
        "blocked" => "gesperrt (Art. 9)",
        "invalid" => "ungültige Anfrage",
        "upstream_error" => "Fehler beim Modell-Server",
        "timeout" => "Zeitüberschreitung",
        "client_closed" => "vom Programm abgebrochen",
        _ => "unbekannt",
    }
}

/// Entity counts of a stored JSON object, by label code.
fn entity_counts(json: &str) -> BTreeMap<String, i64> {
    serde_json::from_str::<BTreeMap<String, i64>>(json).unwrap_or_default()
}

fn entities_text(counts: &BTreeMap<String, i64>) -> String {
    let mut list: Vec<(&String, &i64)> = counts.iter().collect();
    list.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    list.iter()
        .map(|(code, n)| {
            let name = code
                .parse::<Label>()
                .map(Label::german_name)
                .unwrap_or("unbekannt");
            format!("{name}: {n}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn special_text(codes: &str) -> String {
    codes
        .split(',')
        .filter(|c| !c.is_empty())
        .map(super::proxy::special_german)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `YYYY-MM` of an instant in Vienna time.
fn month_of(ms: i64) -> String {
    UnixMs(ms).format_iso_date().chars().take(7).collect()
}

/// `GET /admin/gateway/nutzung`: requests, tokens and masked entities per key and month
/// (last 12 months), plus the newest audit entries.
async fn usage(State(state): State<AppState>, user: AdminUser) -> AppResult<UsagePage> {
    let now = UnixMs::now();
    let rows =
        storage::gateway::audit_between(&state.db, now.minus_days(370), now.plus_ms(1), 1_000_000)
            .await?;
    let mut by: BTreeMap<(String, i64), (UsageLine, BTreeMap<String, i64>)> = BTreeMap::new();
    for r in &rows {
        let (line, counts) = by
            .entry((month_of(r.created_ms), r.key_id))
            .or_insert_with(|| {
                (
                    UsageLine {
                        month: month_of(r.created_ms),
                        key: r.key_name.clone(),
                        ..UsageLine::default()
                    },
                    BTreeMap::new(),
                )
            });
        line.requests += 1;
        match r.outcome.as_str() {
            "ok" => line.ok += 1,
            "blocked" => line.blocked += 1,
            _ => line.failed += 1,
        }
        line.prompt_tokens += r.prompt_tokens.unwrap_or(0);
        line.completion_tokens += r.completion_tokens.unwrap_or(0);
        for (label, n) in entity_counts(&r.entities) {
            line.entities += n;
            *counts.entry(label).or_default() += n;
        }
    }
    let mut lines: Vec<UsageLine> = by
        .into_values()
        .map(|(mut line, counts)| {
            line.top_entities = entities_text(&counts);
            line
        })
        .collect();
    lines.sort_by(|a, b| b.month.cmp(&a.month).then(a.key.cmp(&b.key)));
    let mut months: Vec<String> = lines.iter().map(|l| l.month.clone()).collect();
    months.dedup();
    let recent = storage::gateway::audit_recent(&state.db, 50)
        .await?
        .into_iter()
        .map(|r| AuditLine {
            time: UnixMs(r.created_ms).format_short(),
            key: r.key_name,
            model: r.model,
            outcome: outcome_label(&r.outcome),
            tokens: r
                .total_tokens
                .map_or_else(|| "–".to_owned(), |t| t.to_string()),
            entities: entities_text(&entity_counts(&r.entities)),
            special: special_text(&r.special),
        })
        .collect();
    Ok(UsagePage {
        nav: "gateway",
        ctx: AdminCtx::new(&user, None),
        lines,
        recent,
        months,
    })
}

#[derive(Deserialize)]
struct CsvQuery {
    monat: Option<String>,
}

/// `[start, end)` of a `YYYY-MM` month in Vienna time.
fn month_range(month: &str) -> Option<(UnixMs, UnixMs)> {
    let (y, m) = month.split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    if !(1..=12).contains(&m) || !(2000..=9999).contains(&y) {
        return None;
    }
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let start = UnixMs::from_vienna_date(&format!("{y:04}-{m:02}-01"))?;
    let end = UnixMs::from_vienna_date(&format!("{ny:04}-{nm:02}-01"))?;
    Some((start, end))
}

/// `GET /admin/gateway/audit.csv[?monat=YYYY-MM]`: the audit log as evidence for the
/// records of processing (semicolon-separated, UTF-8 BOM, formulas neutralised).
async fn audit_csv(
    State(state): State<AppState>,
    _user: AdminUser,
    Query(query): Query<CsvQuery>,
) -> AppResult<Response> {
    let month = query.monat.filter(|m| !m.trim().is_empty());
    let (from, to, name) = match month.as_deref() {
        Some(m) => {
            let (from, to) = month_range(m.trim()).ok_or_else(|| {
                AppError::BadRequest(
                    "Der Monat ist ungültig. Bitte geben Sie ihn als JJJJ-MM an, z. B. 2026-11."
                        .to_owned(),
                )
            })?;
            (from, to, format!("gateway-audit-{}.csv", m.trim()))
        }
        None => (
            UnixMs(0),
            UnixMs::now().plus_ms(1),
            "gateway-audit.csv".to_owned(),
        ),
    };
    let rows = storage::gateway::audit_between(&state.db, from, to, 1_000_000).await?;
    let mut out = String::from("\u{feff}");
    out.push_str("Nr.;Zeitpunkt;Schlüssel-Nr.;Schlüssel;Modell;Streaming;Ergebnis;HTTP-Status;Prompt-Tokens;Antwort-Tokens;Tokens gesamt;Ersetzte Angaben;Besondere Kategorien (Art. 9)\n");
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    for r in &rows {
        let counts = entity_counts(&r.entities);
        let cells = [
            r.id.to_string(),
            UnixMs(r.created_ms).format_short(),
            r.key_id.to_string(),
            r.key_name.clone(),
            r.model.clone(),
            if r.stream == 1 { "ja" } else { "nein" }.to_owned(),
            outcome_label(&r.outcome).to_owned(),
            opt(r.http_status),
            opt(r.prompt_tokens),
            opt(r.completion_tokens),
            opt(r.total_tokens),
            entities_text(&counts),
            special_text(&r.special),
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
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_ranges_in_vienna() {
        let (from, to) = month_range("2026-12").unwrap();
        assert_eq!(from.format_iso_date(), "2026-12-01");
        assert_eq!(to.format_iso_date(), "2027-01-01");
        assert!(month_range("2026-13").is_none());
        assert!(month_range("=cmd").is_none());
    }

    #[test]
    fn entities_read_in_german_most_first() {
        let text = entities_text(&entity_counts(r#"{"IBAN":1,"PERSON":3}"#));
        assert_eq!(text, "Person: 3, IBAN: 1");
        assert_eq!(
            special_text("HEALTH,RELIGION"),
            "Gesundheitsdaten, Religion/Weltanschauung"
        );
    }
}
