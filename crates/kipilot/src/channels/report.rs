//! The attribution report: visits, applications, confirmed leads, booked first calls and participants per
//! channel and per link over a chosen period, with a server-rendered SVG chart and CSV.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::UnixMs;
use serde::Deserialize;
use storage::channels::{AttributionRow, ViewCount};

use super::channel_label;
use crate::admin::AdminCtx;
use crate::admin::auth::{AdminUser, Flash};
use crate::admin::leads::csv_cell;
use crate::error::AppResult;
use crate::state::AppState;

#[derive(Deserialize, Default)]
struct PeriodQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// A period as typed and as instants.
struct Period {
    from_day: String,
    to_day: String,
    from: UnixMs,
    until: UnixMs,
    error: Option<&'static str>,
}

fn period(raw: Option<&str>) -> Period {
    let q: PeriodQuery = raw
        .and_then(|r| serde_urlencoded::from_str(r).ok())
        .unwrap_or_default();
    let now = UnixMs::now();
    let mut error = None;
    let mut day = |text: &str, default: UnixMs| match UnixMs::from_vienna_date(text) {
        Some(t) => t.format_iso_date(),
        None => {
            if !text.trim().is_empty() {
                error = Some("Ein Datum ist ungültig; angezeigt werden die letzten 30 Tage.");
            }
            default.format_iso_date()
        }
    };
    let mut from_day = day(&q.from, now.minus_days(30));
    let mut to_day = day(&q.to, now);
    if from_day > to_day {
        std::mem::swap(&mut from_day, &mut to_day);
    }
    let from = UnixMs::from_vienna_date(&from_day).unwrap_or(now.minus_days(30));
    let until = UnixMs::from_vienna_date(&to_day)
        .map(|t| t.plus_ms(86_400_000))
        .unwrap_or(now);
    Period {
        from_day,
        to_day,
        from,
        until,
        error,
    }
}

/// Height of one channel's bar group in the chart (four bars of 16 + gaps).
const BAR_GROUP_HEIGHT: i64 = 90;

/// One bar group of the chart.
struct ChannelBar {
    label: &'static str,
    visits: i64,
    applications: i64,
    confirmed: i64,
    bookings: i64,
    participants: i64,
    /// Bar widths in SVG units (0–400).
    w_visits: i64,
    w_applications: i64,
    w_confirmed: i64,
    w_bookings: i64,
    y: i64,
}

struct Line {
    source: String,
    label: String,
    channel: &'static str,
    visits: i64,
    applications: i64,
    confirmed: i64,
    bookings: i64,
    participants: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/report.html")]
pub(crate) struct ReportPage {
    nav: &'static str,
    ctx: AdminCtx,
    from_day: String,
    to_day: String,
    query: String,
    error: Option<&'static str>,
    bars: Vec<ChannelBar>,
    chart_height: i64,
    lines: Vec<Line>,
    pages: Vec<ViewCount>,
    referrers: Vec<ViewCount>,
}

fn bars(rows: &[AttributionRow]) -> Vec<ChannelBar> {
    let mut groups: Vec<(&'static str, [i64; 5])> = Vec::new();
    for r in rows {
        let label = channel_label(&r.channel);
        let idx = match groups.iter().position(|(l, _)| *l == label) {
            Some(i) => i,
            None => {
                groups.push((label, [0; 5]));
                groups.len() - 1
            }
        };
        let g = &mut groups[idx].1;
        g[0] += r.visits;
        g[1] += r.applications;
        g[2] += r.confirmed;
        g[3] += r.participants;
        g[4] += r.bookings;
    }
    let max = groups
        .iter()
        .map(|(_, g)| g[0].max(g[1]))
        .max()
        .unwrap_or(0)
        .max(1);
    groups
        .into_iter()
        .enumerate()
        .map(|(i, (label, g))| ChannelBar {
            label,
            visits: g[0],
            applications: g[1],
            confirmed: g[2],
            participants: g[3],
            bookings: g[4],
            w_visits: g[0] * 400 / max,
            w_applications: g[1] * 400 / max,
            w_confirmed: g[2] * 400 / max,
            w_bookings: g[4] * 400 / max,
            y: i as i64 * BAR_GROUP_HEIGHT,
        })
        .collect()
}

/// `GET /admin/auswertung?from=YYYY-MM-DD&to=YYYY-MM-DD`.
pub(super) async fn page(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
    RawQuery(raw): RawQuery,
) -> AppResult<ReportPage> {
    let p = period(raw.as_deref());
    // Counts still in memory belong in the report.
    let _ = state.analytics.flush(&state.db).await;
    let rows =
        storage::channels::attribution(&state.db, &p.from_day, &p.to_day, p.from, p.until).await?;
    let bars = bars(&rows);
    Ok(ReportPage {
        nav: "report",
        ctx: AdminCtx::new(&user, flash.0),
        query: serde_urlencoded::to_string([
            ("from", p.from_day.as_str()),
            ("to", p.to_day.as_str()),
        ])
        .unwrap_or_default(),
        chart_height: (bars.len() as i64 * BAR_GROUP_HEIGHT).max(BAR_GROUP_HEIGHT),
        bars,
        lines: rows
            .into_iter()
            .map(|r| Line {
                channel: channel_label(&r.channel),
                source: if r.source.is_empty() {
                    "–".to_owned()
                } else {
                    r.source
                },
                label: r.label,
                visits: r.visits,
                applications: r.applications,
                confirmed: r.confirmed,
                bookings: r.bookings,
                participants: r.participants,
            })
            .collect(),
        pages: storage::channels::views_by_path(&state.db, &p.from_day, &p.to_day).await?,
        referrers: storage::channels::views_by_referrer(&state.db, &p.from_day, &p.to_day).await?,
        from_day: p.from_day,
        to_day: p.to_day,
        error: p.error,
    })
}

/// `GET /admin/auswertung.csv`: the per-link table of the report.
pub(super) async fn csv(
    State(state): State<AppState>,
    _user: AdminUser,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let p = period(raw.as_deref());
    let rows =
        storage::channels::attribution(&state.db, &p.from_day, &p.to_day, p.from, p.until).await?;
    let mut out = String::from(
        "\u{feff}Quelle;Bezeichnung;Kanal;Besuche;Anmeldungen;Bestätigt;Erstgespräche;Teilnehmer\n",
    );
    for r in rows {
        let cells = [
            csv_cell(&r.source),
            csv_cell(&r.label),
            csv_cell(channel_label(&r.channel)),
            r.visits.to_string(),
            r.applications.to_string(),
            r.confirmed.to_string(),
            r.bookings.to_string(),
            r.participants.to_string(),
        ];
        out.push_str(&cells.join(";"));
        out.push('\n');
    }
    let filename = format!("attribution-{}-{}.csv", p.from_day, p.to_day);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        out,
    )
        .into_response())
}
