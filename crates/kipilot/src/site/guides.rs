//! Practical guides under `/wissen/{slug}`: Markdown files with front matter in
//! `content/guides/`, embedded at build time (see `build.rs`).
//!
//! The front matter is a tiny, fixed subset of YAML (`key: value`, quoted strings, one
//! `[..]` list); a malformed guide is reported by the test suite, and skipped with a log
//! line at run time rather than taking the site down.

use std::sync::LazyLock;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Path;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::UnixMs;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use serde_json::{Value, json};

use crate::profile::CompanyProfile;
use crate::state::AppState;

use crate::error::{AppError, AppResult};

include!(concat!(env!("OUT_DIR"), "/guides.rs"));

/// A guide's front matter and rendered body.
#[derive(Debug, Clone)]
pub struct Guide {
    /// Title.
    pub title: String,
    /// URL slug.
    pub slug: String,
    /// One or two sentences for lists.
    pub summary: String,
    /// Legal status date, `YYYY-MM-DD`.
    pub stand: String,
    /// Estimated reading time.
    pub reading_minutes: u32,
    /// Path of the matching tool.
    pub tool: String,
    /// Research sources (internal references), shown in the back office.
    pub sources: Vec<String>,
    /// Markdown body.
    pub body_md: String,
}

impl Guide {
    /// "27. November 2026".
    pub fn stand_long(&self) -> String {
        UnixMs::from_vienna_date(&self.stand)
            .map(UnixMs::format_long_date)
            .unwrap_or_else(|| self.stand.clone())
    }

    /// Whether the legal status is older than six months at `now` (the back office flags it).
    pub fn is_stale(&self, now: UnixMs) -> bool {
        UnixMs::from_vienna_date(&self.stand).is_none_or(|t| t < now.minus_days(182))
    }

    /// German name of the matching tool.
    pub fn tool_label(&self) -> &'static str {
        if self.tool.contains("anonymisieren") {
            "Texte anonymisieren"
        } else {
            "KI-Risiko-Check"
        }
    }
}

/// Why a guide file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct GuideError {
    file: String,
    message: String,
}

fn unquote(value: &str) -> String {
    let v = value.trim();
    let v = v.split(" #").next().unwrap_or(v).trim();
    v.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(v)
        .to_owned()
}

/// Parses one guide file.
pub fn parse(file: &str, text: &str) -> Result<Guide, GuideError> {
    let err = |message: &str| GuideError {
        file: file.to_owned(),
        message: message.to_owned(),
    };
    let rest = text
        .strip_prefix("---\n")
        .ok_or_else(|| err("front matter must start with ---"))?;
    let (front, body) = rest
        .split_once("\n---\n")
        .ok_or_else(|| err("front matter must end with ---"))?;
    let mut g = Guide {
        title: String::new(),
        slug: String::new(),
        summary: String::new(),
        stand: String::new(),
        reading_minutes: 0,
        tool: String::new(),
        sources: Vec::new(),
        body_md: body.trim().to_owned(),
    };
    for line in front.lines().filter(|l| !l.trim().is_empty()) {
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| err(&format!("not a key: value line: {line}")))?;
        match key.trim() {
            "title" => g.title = unquote(value),
            "slug" => g.slug = unquote(value),
            "summary" => g.summary = unquote(value),
            "stand" => g.stand = unquote(value),
            "reading_minutes" => {
                g.reading_minutes = unquote(value)
                    .parse()
                    .map_err(|_| err("reading_minutes is not a number"))?
            }
            "tool" => g.tool = unquote(value),
            "sources" => {
                let list = value.trim().trim_start_matches('[').trim_end_matches(']');
                g.sources = list
                    .split("\", \"")
                    .map(|s| s.trim().trim_matches('"').to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
            }
            other => return Err(err(&format!("unknown key {other}"))),
        }
    }
    if g.title.is_empty() || g.summary.is_empty() || g.body_md.is_empty() {
        return Err(err("title, summary and body are required"));
    }
    if g.slug.is_empty()
        || !g
            .slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(err("slug must be lower-case ascii with hyphens"));
    }
    if UnixMs::from_vienna_date(&g.stand).is_none() {
        return Err(err("stand must be a date YYYY-MM-DD"));
    }
    if !g.tool.starts_with('/') {
        return Err(err("tool must be a site path"));
    }
    Ok(g)
}

/// All guides that parse, in file order.
pub static GUIDES: LazyLock<Vec<Guide>> = LazyLock::new(|| {
    GUIDE_FILES
        .iter()
        .filter_map(|(file, text)| match parse(file, text) {
            Ok(g) => Some(g),
            Err(e) => {
                tracing::error!(error = %e, "guide skipped");
                None
            }
        })
        .collect()
});

/// Markdown of a guide to HTML. Same safety rules as updates (raw HTML shown as text), plus
/// task-list boxes rendered as "☐" so the printed checklist can be ticked by hand without
/// unlabeled form controls on the page.
pub fn render_body(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS).map(
        |event| match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            Event::TaskListMarker(_) => Event::Text("☐ ".into()),
            other => other,
        },
    );
    let mut out = String::new();
    html::push_html(&mut out, parser);
    // Links in guides are site paths by the content rules; anything else is neutralised.
    out.replace("href=\"javascript:", "href=\"#")
}

#[derive(Template, WebTemplate)]
#[template(path = "site/guide.html")]
pub(crate) struct GuidePage {
    nav: &'static str,
    guide: Guide,
    body_html: String,
    stand: String,
}

/// `GET /wissen/{slug}`.
pub(crate) async fn show(Path(slug): Path<String>) -> AppResult<GuidePage> {
    let guide = GUIDES
        .iter()
        .find(|g| g.slug == slug)
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok(GuidePage {
        nav: "wissen",
        body_html: render_body(&guide.body_md),
        stand: guide.stand_long(),
        guide,
    })
}

/// Flattens a guide's Markdown into plain blocks for the PDF template: headings,
/// paragraphs, lists and the checklist, with inline formatting reduced to text (links keep
/// their text). Typst never sees Markdown or markup from the content file.
pub fn pdf_blocks(markdown: &str) -> Vec<Value> {
    let mut blocks = Vec::new();
    let mut text = String::new();
    let mut items: Vec<String> = Vec::new();
    let mut list_kind: Vec<&'static str> = Vec::new();
    let mut in_item = false;
    let mut task_list = false;
    for event in Parser::new_ext(markdown, Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) | Event::Start(Tag::Paragraph) if !in_item => {
                text.clear()
            }
            Event::End(TagEnd::Heading(level)) => {
                let kind = if level == HeadingLevel::H2 {
                    "h2"
                } else {
                    "h3"
                };
                blocks.push(json!({ "kind": kind, "text": text.trim() }));
                text.clear();
            }
            Event::End(TagEnd::Paragraph) if !in_item => {
                if !text.trim().is_empty() {
                    blocks.push(json!({ "kind": "p", "text": text.trim() }));
                }
                text.clear();
            }
            Event::Start(Tag::List(start)) => {
                list_kind.push(if start.is_some() { "ol" } else { "ul" });
                items.clear();
                task_list = false;
            }
            Event::End(TagEnd::List(_)) => {
                let kind = list_kind.pop().unwrap_or("ul");
                let kind = if task_list { "check" } else { kind };
                blocks.push(json!({ "kind": kind, "items": std::mem::take(&mut items) }));
            }
            Event::Start(Tag::Item) => {
                in_item = true;
                text.clear();
            }
            Event::End(TagEnd::Item) => {
                in_item = false;
                items.push(text.trim().to_owned());
                text.clear();
            }
            Event::TaskListMarker(_) => task_list = true,
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    blocks
}

/// `GET /wissen/{slug}/pdf`: the guide as a print-ready A4
/// PDF with the company's imprint.
pub(crate) async fn pdf(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let guide = GUIDES
        .iter()
        .find(|g| g.slug == slug)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let profile = CompanyProfile::load(&state.db).await?;
    let imprint = profile.imprint_line();
    let data = json!({
        "title": guide.title,
        "summary": guide.summary,
        "stand": guide.stand_long(),
        "stand_iso": guide.stand,
        "url": format!("{}/wissen/{}", state.config.base_url, guide.slug),
        "imprint": imprint,
        "blocks": pdf_blocks(&guide.body_md),
    });
    let doc = tokio::task::spawn_blocking(move || documents::guide(&data))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| {
            tracing::error!(details = %e.details(), "guide pdf failed");
            AppError::BadRequest(e.to_string())
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.pdf\"", guide.slug),
            ),
        ],
        doc.pdf,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_guide_file_parses_with_a_checklist_and_the_disclaimer() {
        assert!(GUIDE_FILES.len() >= 6, "six guides expected");
        for (file, text) in GUIDE_FILES {
            let g = parse(file, text).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                g.body_md.contains("## Checkliste"),
                "{file} lacks its checklist"
            );
            assert!(
                g.body_md.contains("keine Rechtsberatung"),
                "{file} lacks the disclaimer"
            );
            let html = render_body(&g.body_md);
            assert!(
                !html.contains("<input"),
                "{file}: checklists render without form controls"
            );
        }
    }

    #[test]
    fn malformed_front_matter_is_reported() {
        assert!(parse("x.md", "no front matter").is_err());
        assert!(parse("x.md", "---\ntitle: \"T\"\nslug: Bad Slug\nsummary: s\nstand: 2026-11-27\ntool: /x\n---\nbody").is_err());
        assert!(
            parse(
                "x.md",
                "---\ntitle: \"T\"\nslug: ok\nsummary: s\nstand: 2026-13-01\ntool: /x\n---\nbody"
            )
            .is_err()
        );
    }

    #[test]
    fn pdf_blocks_keep_headings_paragraphs_and_the_checklist() {
        let blocks = pdf_blocks(
            "## Eins\n\nText mit **fett** und [Link](/wissen).\n\n- a\n- b\n\n## Checkliste\n\n- [ ] Prüfen\n- [ ] Fertig\n",
        );
        assert_eq!(blocks[0], json!({"kind": "h2", "text": "Eins"}));
        assert_eq!(
            blocks[1],
            json!({"kind": "p", "text": "Text mit fett und Link."})
        );
        assert_eq!(blocks[2], json!({"kind": "ul", "items": ["a", "b"]}));
        assert_eq!(
            blocks[4],
            json!({"kind": "check", "items": ["Prüfen", "Fertig"]})
        );
    }

    #[test]
    fn stale_guides_are_recognised() {
        let mut g = parse("x.md", "---\ntitle: T\nslug: ok\nsummary: s\nstand: 2026-01-01\nreading_minutes: 3\ntool: /werkzeuge/ki-check\n---\nbody").expect("guide");
        assert!(g.is_stale(UnixMs::from_vienna_date("2026-11-27").expect("date")));
        g.stand = "2026-11-01".into();
        assert!(!g.is_stale(UnixMs::from_vienna_date("2026-11-27").expect("date")));
    }
}
