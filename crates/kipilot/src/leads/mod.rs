//! The application form "Jetzt Teil des KI-Pilotprojekts werden" and its double opt-in.
//!
//! Flow: `GET /mitmachen` renders the form with a signed token → `POST /mitmachen` checks
//! anti-spam (honeypot, fill time, rate limit), parses the fields, stores the lead as
//! *unbestätigt* with its consent and queues the confirmation mail in one transaction →
//! `GET /mitmachen/bestaetigen?token=…` shows a button (a mail scanner's GET must not
//! confirm) → `POST` confirms, records the consent confirmation and queues the team mail.

pub mod mails;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::application::{ApplicationInput, CompanySize, Industry, Interest};
use domain::consent::APPLICATION_V1;
use domain::{FieldErrors, UnixMs};
use serde::Deserialize;
use storage::leads::{ConsentGiven, TokenState};

use crate::error::AppResult;
use crate::profile::CompanyProfile;
use crate::site::SimplePage;
use crate::state::AppState;
use crate::web::client::ClientIp;
use crate::web::formdata::FormFields;
use crate::web::tokens;

/// Name under which the form's anti-forgery token is signed.
const FORM: &str = "mitmachen";

/// Routes of this module.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mitmachen", get(show_form).post(submit))
        .route("/mitmachen/danke", get(thanks))
        .route("/mitmachen/bestaetigen", get(show_confirm).post(confirm))
}

#[derive(Template, WebTemplate)]
#[template(path = "site/mitmachen.html")]
struct FormPage {
    nav: &'static str,
    input: ApplicationInput,
    errors: FieldErrors,
    notice: Option<&'static str>,
    form_token: String,
    industries: [Industry; 9],
    sizes: [CompanySize; 4],
    interests: [Interest; 4],
    consent_text: &'static str,
}

impl FormPage {
    fn new(
        state: &AppState,
        input: ApplicationInput,
        errors: FieldErrors,
        notice: Option<&'static str>,
    ) -> FormPage {
        FormPage {
            nav: "mitmachen",
            input,
            errors,
            notice,
            form_token: state.forms.issue(FORM, UnixMs::now()),
            industries: Industry::ALL,
            sizes: CompanySize::ALL,
            interests: Interest::ALL,
            consent_text: APPLICATION_V1.text,
        }
    }

    fn interest_checked(&self, code: &str) -> bool {
        self.input.interests.iter().any(|i| i == code)
    }

    fn with_status(self, status: StatusCode) -> Response {
        (status, self).into_response()
    }
}

#[derive(Deserialize)]
struct FormQuery {
    source: Option<String>,
}

async fn show_form(State(state): State<AppState>, Query(q): Query<FormQuery>) -> Response {
    let input = ApplicationInput {
        source: q
            .source
            .as_deref()
            .and_then(domain::application::parse_source)
            .unwrap_or_default(),
        ..ApplicationInput::default()
    };
    FormPage::new(&state, input, FieldErrors::default(), None).into_response()
}

fn input_from(form: &FormFields) -> ApplicationInput {
    ApplicationInput {
        company: form.get("company").to_owned(),
        name: form.get("name").to_owned(),
        email: form.get("email").to_owned(),
        phone: form.get("phone").to_owned(),
        industry: form.get("industry").to_owned(),
        company_size: form.get("company_size").to_owned(),
        interests: form.all("interests"),
        message: form.get("message").to_owned(),
        consent: form.get("consent") == "on",
        source: form.get("source").to_owned(),
    }
}

async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    form: FormFields,
) -> AppResult<Response> {
    let now = UnixMs::now();
    let input = input_from(&form);
    if !state.form_limiter.check(ip) {
        return Ok(FormPage::new(&state, input, FieldErrors::default(), Some(
            "Von Ihrem Anschluss kamen gerade sehr viele Anmeldungen. Bitte warten Sie ein paar Minuten und senden Sie das Formular dann noch einmal ab – Ihre Eingaben sind noch da.",
        ))
        .with_status(StatusCode::TOO_MANY_REQUESTS));
    }
    if form.is_set("website") {
        // A bot filled the invisible field: pretend success, store nothing.
        tracing::info!("honeypot triggered on application form");
        return Ok(Redirect::to("/mitmachen/danke").into_response());
    }
    if let Err(e) = state.forms.check(FORM, form.get("form_token"), now) {
        return Ok(
            FormPage::new(&state, input, FieldErrors::default(), Some(e.message()))
                .with_status(StatusCode::UNPROCESSABLE_ENTITY),
        );
    }
    let application = match input.parse() {
        Ok(app) => app,
        Err(errors) => {
            return Ok(FormPage::new(&state, input, errors, None)
                .with_status(StatusCode::UNPROCESSABLE_ENTITY));
        }
    };

    let profile = CompanyProfile::load(&state.db).await?;
    let token = tokens::new_token()?;
    let token_hash = tokens::hash(&token);
    let base = &state.config.base_url;
    let confirm_mail = mails::confirmation(
        base,
        &profile,
        &application.name,
        &application.company,
        application.email.as_str(),
        &token,
        &token_hash,
    );
    let already_mail = mails::already_registered(
        base,
        &profile,
        &application.name,
        application.email.as_str(),
        now.0,
    );
    let consent = ConsentGiven {
        form: FORM,
        text_version: APPLICATION_V1.version,
        text_hash: &APPLICATION_V1.hash(),
    };
    let outcome = storage::leads::submit_application(
        &state.db,
        &application,
        consent,
        &token_hash,
        now,
        &confirm_mail,
        &already_mail,
    )
    .await?;
    tracing::info!(outcome = ?outcome, "application stored");
    state.mail_wakeup.notify_one();
    Ok(Redirect::to("/mitmachen/danke").into_response())
}

async fn thanks() -> SimplePage {
    SimplePage {
        nav: "mitmachen",
        title: "Danke! Bitte schauen Sie in Ihr Postfach".to_owned(),
        paragraphs: vec![
            "Wir haben Ihnen eine E-Mail geschickt. Bitte öffnen Sie den Link darin und bestätigen Sie Ihre Anmeldung – erst dann sind Sie dabei.".to_owned(),
            "Keine E-Mail bekommen? Schauen Sie bitte auch im Spam-Ordner nach. Der Link ist 72 Stunden gültig. Haben Sie sich vertippt, füllen Sie das Formular einfach noch einmal aus.".to_owned(),
        ],
        links: vec![
            ("/wissen".to_owned(), "In der Zwischenzeit: Wissen zu DSGVO und KI-Verordnung".to_owned()),
            ("/".to_owned(), "Zur Startseite".to_owned()),
        ],
    }
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "site/bestaetigen.html")]
struct ConfirmPage {
    nav: &'static str,
    token: String,
}

async fn show_confirm(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let token = q.token.unwrap_or_default();
    let status = if tokens::looks_valid(&token) {
        storage::leads::token_state(
            &state.db,
            &tokens::hash(&token),
            storage::leads::purpose::CONFIRM,
            UnixMs::now(),
        )
        .await?
    } else {
        TokenState::NotFound
    };
    Ok(match status {
        TokenState::Valid(_) => ConfirmPage {
            nav: "mitmachen",
            token,
        }
        .into_response(),
        other => token_problem_page(&other).into_response(),
    })
}

async fn confirm(State(state): State<AppState>, form: FormFields) -> AppResult<Response> {
    let token = form.get("token");
    if !tokens::looks_valid(token) {
        return Ok(token_problem_page(&TokenState::NotFound).into_response());
    }
    let now = UnixMs::now();
    let profile = CompanyProfile::load(&state.db).await?;
    let team_address = state
        .config
        .team_email
        .clone()
        .or_else(|| Some(profile.email.clone()).filter(|e| !e.trim().is_empty()));
    let base = state.config.base_url.clone();
    let consent = ConsentGiven {
        form: FORM,
        text_version: APPLICATION_V1.version,
        text_hash: &APPLICATION_V1.hash(),
    };
    let result = storage::leads::confirm(&state.db, &tokens::hash(token), consent, now, |lead| {
        team_address
            .as_deref()
            .map(|to| mails::team_notification(&base, to, lead))
    })
    .await?;
    state.mail_wakeup.notify_one();
    Ok(match result {
        TokenState::Valid(lead_id) => {
            tracing::info!(lead_id, "application confirmed");
            SimplePage {
                nav: "mitmachen",
                title: "Geschafft – Sie sind dabei!".to_owned(),
                paragraphs: vec![
                    "Danke für Ihre Bestätigung. Ihre Anmeldung zum KI-Pilotprojekt ist jetzt vollständig.".to_owned(),
                    "Wir melden uns in den nächsten Tagen persönlich bei Ihnen, um Ihren Anwendungsfall kennenzulernen.".to_owned(),
                ],
                links: vec![("/wissen".to_owned(), "Schon mal einlesen: DSGVO und KI-Verordnung".to_owned()), ("/updates".to_owned(), "Updates aus dem Projekt".to_owned())],
            }
            .into_response()
        }
        other => token_problem_page(&other).into_response(),
    })
}

/// The friendly page for a used, expired or unknown confirmation link.
fn token_problem_page(state: &TokenState) -> Response {
    let (status, title, text) = match state {
        TokenState::Used => (
            StatusCode::OK,
            "Diese Anmeldung ist schon bestätigt",
            "Sie haben den Link bereits verwendet – alles erledigt. Wir melden uns bei Ihnen.",
        ),
        TokenState::Expired => (
            StatusCode::GONE,
            "Dieser Link ist abgelaufen",
            "Bestätigungslinks gelten 72 Stunden. Bitte füllen Sie das Formular noch einmal aus; Sie bekommen dann einen neuen Link.",
        ),
        _ => (
            StatusCode::NOT_FOUND,
            "Dieser Link ist ungültig",
            "Der Link ist unvollständig oder wurde durch einen neueren ersetzt. Bitte verwenden Sie den Link aus der neuesten E-Mail oder füllen Sie das Formular noch einmal aus.",
        ),
    };
    let page = SimplePage {
        nav: "mitmachen",
        title: title.to_owned(),
        paragraphs: vec![text.to_owned()],
        links: vec![
            ("/mitmachen".to_owned(), "Zum Anmeldeformular".to_owned()),
            ("/".to_owned(), "Zur Startseite".to_owned()),
        ],
    };
    (status, page).into_response()
}
