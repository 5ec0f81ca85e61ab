//! The editor's form: fields as typed, the link choice, the checks, validation into a draft.

use domain::text::{TextRule, clean};
use domain::{FieldErrors, UnixMs};
use storage::posts::{PostDraft, PostRow};

use super::link_url;
use crate::channels::posts_checks::{self as checks, Check, Level, PostKind, PostText};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::formdata::FormFields;

/// The editor's fields as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct EditForm {
    pub(super) kind: String,
    pub(super) planned: String,
    pub(super) body: String,
    /// "" (none), "neu" (create `post-<n>`) or a link id.
    pub(super) link: String,
    pub(super) link_target: String,
    pub(super) poll_question: String,
    pub(super) poll_options: Vec<String>,
    pub(super) poll_days: String,
}

impl EditForm {
    pub(super) fn from_fields(f: &FormFields) -> EditForm {
        let mut poll_options = f.all("poll_option");
        poll_options.resize(4, String::new());
        poll_options.truncate(4);
        EditForm {
            kind: f.get("kind").to_owned(),
            planned: f.get("planned").to_owned(),
            body: f.get("body").to_owned(),
            link: f.get("link").to_owned(),
            link_target: f.get("link_target").to_owned(),
            poll_question: f.get("poll_question").to_owned(),
            poll_options,
            poll_days: f.get("poll_days").to_owned(),
        }
    }

    pub(super) fn from_row(r: &PostRow) -> EditForm {
        let mut poll_options = r.options();
        poll_options.resize(4, String::new());
        EditForm {
            kind: r.kind.clone(),
            planned: r
                .planned_ms
                .map(|t| UnixMs(t).format_iso_date())
                .unwrap_or_default(),
            body: r.body.clone(),
            link: r.link_id.map(|i| i.to_string()).unwrap_or_default(),
            link_target: "/mitmachen".to_owned(),
            poll_question: r.poll_question.clone().unwrap_or_default(),
            poll_options,
            poll_days: r.poll_days.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    fn options(&self) -> Vec<String> {
        self.poll_options
            .iter()
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty())
            .collect()
    }

    fn kind(&self) -> PostKind {
        PostKind::from_code(&self.kind).unwrap_or(PostKind::Ankuendigung)
    }
}

/// The link the form names: its id (`None` for a new one) and URL.
pub(super) struct ChosenLink {
    pub(super) id: Option<i64>,
    pub(super) code: String,
    pub(super) url: String,
}

/// Resolves the link choice; `Err` with a German message for an unknown one.
pub(super) async fn chosen_link(
    state: &AppState,
    id: Option<i64>,
    form: &EditForm,
) -> AppResult<Result<Option<ChosenLink>, &'static str>> {
    match form.link.as_str() {
        "" => Ok(Ok(None)),
        "neu" => {
            let n = match id {
                Some(id) => id,
                None => storage::posts::next_number(&state.db).await?,
            };
            let mut code = format!("post-{n}");
            let mut i = 2;
            while storage::posts::link_code_taken(&state.db, &code).await? {
                code = format!("post-{n}-{i}");
                i += 1;
            }
            Ok(Ok(Some(ChosenLink {
                id: None,
                url: link_url(state, &code),
                code,
            })))
        }
        raw => match raw.parse::<i64>() {
            Ok(lid) => Ok(match storage::posts::link_by_id(&state.db, lid).await? {
                Some(l) => Ok(Some(ChosenLink {
                    id: Some(l.id),
                    url: link_url(state, &l.code),
                    code: l.code,
                })),
                None => Err("Diesen Link gibt es nicht. Bitte wählen Sie einen aus der Liste."),
            }),
            Err(_) => Ok(Err("Bitte wählen Sie einen Link aus der Liste.")),
        },
    }
}

/// The target of a new tracked link, as the link list checks it.
pub(super) fn valid_target(target: &str) -> bool {
    target.starts_with('/')
        && !target.starts_with("//")
        && target.chars().count() <= 200
        && !target.chars().any(|c| c.is_whitespace() || c.is_control())
        && !target.contains("source=")
}

/// The checks for the form as typed.
pub(super) fn run_checks(form: &EditForm, link: Option<&ChosenLink>) -> Vec<Check> {
    let options = form.options();
    checks::check_post(&PostText {
        kind: form.kind(),
        body: &form.body,
        link_url: link.map(|l| l.url.as_str()),
        poll_question: &form.poll_question,
        poll_options: &options,
        poll_days: form.poll_days.trim().parse().ok(),
    })
}

/// Validates into a draft (without the link id of a new link).
pub(super) fn parse(form: &EditForm, all_checks: &[Check]) -> Result<PostDraft, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = PostKind::from_code(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Bitte wählen Sie eine Art aus der Liste.");
    }
    // LinkedIn's limits first: their message is the one that helps.
    for c in all_checks.iter().filter(|c| c.level == Level::Error) {
        errors.add(c.field, c.message.clone());
    }
    let body = clean(
        &form.body,
        TextRule {
            label: "Der Text",
            missing: "Bitte schreiben Sie den Text des Posts.",
            required: true,
            max_chars: 20_000,
            multiline: true,
        },
    )
    .map_err(|m| errors.add("body", m))
    .ok()
    .flatten();
    let planned_ms = match form.planned.trim() {
        "" => None,
        day => match UnixMs::from_vienna_date(day) {
            Some(t) => Some(t.0),
            None => {
                errors.add(
                    "planned",
                    "Das Datum ist ungültig. Bitte wählen Sie einen Tag, z. B. 2026-03-12.",
                );
                None
            }
        },
    };
    let is_poll = kind == Some(PostKind::Umfrage);
    if is_poll {
        let single = TextRule {
            label: "Die Umfrage",
            missing: "",
            required: false,
            max_chars: 1000,
            multiline: false,
        };
        if let Err(m) = clean(&form.poll_question, single) {
            errors.add("poll_question", m);
        }
        for o in &form.poll_options {
            if let Err(m) = clean(
                o,
                TextRule {
                    label: "Eine Antwort",
                    ..single
                },
            ) {
                errors.add("poll_options", m);
            }
        }
    }
    match (kind, body) {
        (Some(kind), Some(body)) if errors.is_empty() => Ok(PostDraft {
            kind: kind.code().to_owned(),
            body,
            planned_ms,
            link_id: None,
            poll_question: is_poll.then(|| form.poll_question.trim().to_owned()),
            poll_options: if is_poll { form.options() } else { Vec::new() },
            poll_days: if is_poll {
                form.poll_days.trim().parse().ok()
            } else {
                None
            },
        }),
        _ => Err(errors),
    }
}
