//! LinkedIn post planner (issue 6): posts with type, text, date, status and a tracked link,
//! checked while they are written ("Prüfen" re-renders the form with the results — the site
//! has no JavaScript), a calendar with a cadence guard, hand-entered figures, and poll results
//! and comments that feed the pain-point list.
//!
//! Publishing is assisted: kipilot prepares copy-ready text and an export, the team posts it
//! on LinkedIn by hand and enters the post URL. There is no LinkedIn API connection;
//! [`Publisher`] is the seam where one could be added later.

pub mod after;
pub mod editor;
pub mod form;
pub mod list;

use storage::posts::PostRow;

use super::posts_checks::{PostKind, expand};
use crate::error::AppResult;
use crate::state::AppState;

/// A post as it would go out: the final text and, for polls, the poll settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyPost {
    /// Text with `{link}` replaced by the tracked URL.
    pub text: String,
    /// Poll settings, for polls.
    pub poll: Option<ReadyPoll>,
}

/// The poll part of a [`ReadyPost`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyPoll {
    /// Question.
    pub question: String,
    /// Answer options.
    pub options: Vec<String>,
    /// Duration in days.
    pub days: i64,
}

/// What a [`Publisher`] did with a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Publication {
    /// Nothing was sent: this text is for the team to copy into LinkedIn.
    CopyReady(String),
    /// The post is live under this URL (what an API publisher would report).
    Live {
        /// URL of the live post.
        url: String,
    },
}

/// How a checked post reaches LinkedIn. Today only [`Assisted`] exists, because posting
/// through LinkedIn's API needs an approved app, tokens that expire and upkeep of monthly
/// API versions (see the reference brief §3.7). An API publisher would implement this trait
/// (escaping the text for the API's text format) and return [`Publication::Live`].
pub trait Publisher {
    /// One sentence for the UI saying how publishing works.
    fn description(&self) -> &'static str;
    /// Publishes or prepares `post`.
    fn publish(
        &self,
        post: &ReadyPost,
    ) -> impl std::future::Future<Output = anyhow::Result<Publication>> + Send;
}

/// Assisted publishing: prepares the text, the team posts it by hand.
#[derive(Debug, Clone, Copy, Default)]
pub struct Assisted;

impl Publisher for Assisted {
    fn description(&self) -> &'static str {
        "Assistiertes Veröffentlichen: kipilot ist nicht mit LinkedIn verbunden (keine LinkedIn-API) und postet nichts selbst. Kopieren Sie den Text, veröffentlichen Sie ihn auf LinkedIn und tragen Sie danach hier die Adresse des Posts ein."
    }

    async fn publish(&self, post: &ReadyPost) -> anyhow::Result<Publication> {
        Ok(Publication::CopyReady(export_text(post)))
    }
}

/// The export: the post text, and for polls what to enter in LinkedIn's poll dialog.
pub fn export_text(post: &ReadyPost) -> String {
    let mut out = post.text.clone();
    if let Some(poll) = &post.poll {
        out.push_str("\n\n--- Umfrage (in LinkedIn beim Erstellen des Posts hinzufügen) ---\n");
        out.push_str(&format!("Frage: {}\n", poll.question));
        for (i, o) in poll.options.iter().enumerate() {
            out.push_str(&format!("Antwort {}: {o}\n", i + 1));
        }
        out.push_str(&format!("Dauer: {} {}\n", poll.days, days_word(poll.days)));
    }
    out
}

/// "Tag" or "Tage".
pub fn days_word(days: i64) -> &'static str {
    if days == 1 { "Tag" } else { "Tage" }
}

/// The public URL of a tracked link code.
pub fn link_url(state: &AppState, code: &str) -> String {
    format!("{}/l/{code}", state.config.base_url)
}

/// The stored post as it would go out, with its tracked link's URL.
pub async fn ready(state: &AppState, row: &PostRow) -> AppResult<ReadyPost> {
    let url = match row.link_id {
        Some(id) => storage::posts::link_by_id(&state.db, id)
            .await?
            .map(|l| link_url(state, &l.code)),
        None => None,
    };
    let poll = (PostKind::from_code(&row.kind) == Some(PostKind::Umfrage)).then(|| ReadyPoll {
        question: row.poll_question.clone().unwrap_or_default(),
        options: row.options(),
        days: row.poll_days.unwrap_or(0),
    });
    Ok(ReadyPost {
        text: expand(&row.body, url.as_deref()),
        poll,
    })
}

/// German label of a status code.
pub fn status_label(code: &str) -> &'static str {
    match code {
        storage::posts::status::PLANNED => "geplant",
        storage::posts::status::PUBLISHED => "veröffentlicht",
        _ => "Entwurf",
    }
}

/// CSS class for a status badge.
pub fn status_css(code: &str) -> &'static str {
    match code {
        storage::posts::status::PUBLISHED => "ok",
        storage::posts::status::PLANNED => "",
        _ => "warn",
    }
}

/// German label of a type code.
pub fn kind_label(code: &str) -> &'static str {
    PostKind::from_code(code).map_or("Post", PostKind::label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn assisted_publishing_returns_copy_ready_text_with_the_poll() -> anyhow::Result<()> {
        let post = ReadyPost {
            text: "Was hindert euch?".into(),
            poll: Some(ReadyPoll {
                question: "Was hindert euch?".into(),
                options: vec!["Zeit".into(), "Recht".into()],
                days: 7,
            }),
        };
        let Publication::CopyReady(text) = Assisted.publish(&post).await? else {
            anyhow::bail!("assisted publishing never posts");
        };
        assert!(text.starts_with("Was hindert euch?\n\n--- Umfrage"));
        assert!(text.contains("Antwort 2: Recht\nDauer: 7 Tage"));
        Ok(())
    }
}
