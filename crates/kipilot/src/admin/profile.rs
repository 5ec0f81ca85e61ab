//! Editing the company profile that feeds Impressum, privacy notice and mail signatures.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::UnixMs;
use domain::text::{TextRule, clean};

use super::AdminCtx;
use super::auth::{AdminUser, Flash};
use crate::error::AppResult;
use crate::profile::CompanyProfile;
use crate::state::AppState;
use crate::web::formdata::FormFields;

/// (field name, German label, hint) in form order.
const FIELDS: [(&str, &str, &str); 20] = [
    ("company_name", "Firmenname", "wie im Firmenbuch"),
    ("legal_form", "Rechtsform", "z. B. GmbH, e.U."),
    ("street", "Straße und Hausnummer", ""),
    ("postal_code", "Postleitzahl", ""),
    ("city", "Ort", ""),
    ("country", "Land", ""),
    (
        "email",
        "E-Mail-Adresse",
        "öffentlich; erhält auch Benachrichtigungen über neue Leads",
    ),
    ("phone", "Telefon", ""),
    ("vat_id", "UID-Nummer", "falls vorhanden"),
    ("register_number", "Firmenbuchnummer", "falls eingetragen"),
    ("register_court", "Firmenbuchgericht", ""),
    ("business_purpose", "Unternehmensgegenstand", ""),
    (
        "trade_licence",
        "Gewerbe",
        "z. B. Dienstleistungen in der automatischen Datenverarbeitung",
    ),
    (
        "supervisory_authority",
        "Aufsichtsbehörde",
        "z. B. Magistrat der Stadt Linz",
    ),
    (
        "chamber",
        "Kammerzugehörigkeit",
        "z. B. Wirtschaftskammer Oberösterreich",
    ),
    ("managing_directors", "Geschäftsführung", ""),
    (
        "responsible_person",
        "Für den Inhalt verantwortlich",
        "steht auch unter jeder E-Mail",
    ),
    ("editorial_line", "Blattlinie (§ 25 MedienG)", ""),
    (
        "hosting",
        "Hosting",
        "wer den Server betreibt, z. B. „eigener Server in Linz“",
    ),
    (
        "mail_provider",
        "E-Mail-Versand über",
        "Anbieter des SMTP-Servers, falls nicht selbst betrieben",
    ),
];

fn value_of<'a>(p: &'a CompanyProfile, name: &str) -> &'a str {
    match name {
        "company_name" => &p.company_name,
        "legal_form" => &p.legal_form,
        "street" => &p.street,
        "postal_code" => &p.postal_code,
        "city" => &p.city,
        "country" => &p.country,
        "email" => &p.email,
        "phone" => &p.phone,
        "vat_id" => &p.vat_id,
        "register_number" => &p.register_number,
        "register_court" => &p.register_court,
        "business_purpose" => &p.business_purpose,
        "trade_licence" => &p.trade_licence,
        "supervisory_authority" => &p.supervisory_authority,
        "chamber" => &p.chamber,
        "managing_directors" => &p.managing_directors,
        "responsible_person" => &p.responsible_person,
        "editorial_line" => &p.editorial_line,
        "hosting" => &p.hosting,
        _ => &p.mail_provider,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/profile.html")]
pub(super) struct ProfilePage {
    nav: &'static str,
    ctx: AdminCtx,
    fields: Vec<(&'static str, &'static str, String, &'static str)>,
    error: Option<String>,
}

impl ProfilePage {
    fn new(
        user: &AdminUser,
        flash: Option<&'static str>,
        values: impl Fn(&str) -> String,
        error: Option<String>,
    ) -> ProfilePage {
        ProfilePage {
            nav: "profil",
            ctx: AdminCtx::new(user, flash),
            fields: FIELDS
                .iter()
                .map(|(name, label, hint)| (*name, *label, values(name), *hint))
                .collect(),
            error,
        }
    }
}

/// `GET /admin/profil`.
pub(super) async fn form(
    State(state): State<AppState>,
    user: AdminUser,
    flash: Flash,
) -> AppResult<ProfilePage> {
    let p = CompanyProfile::load(&state.db).await?;
    Ok(ProfilePage::new(
        &user,
        flash.0,
        |name| value_of(&p, name).to_owned(),
        None,
    ))
}

/// `POST /admin/profil`.
pub(super) async fn save(
    State(state): State<AppState>,
    user: AdminUser,
    form: FormFields,
) -> AppResult<Response> {
    user.check_csrf(&form)?;
    let mut cleaned: Vec<(&str, String)> = Vec::new();
    for (name, label, _) in FIELDS {
        let rule = TextRule {
            label,
            missing: "",
            required: false,
            max_chars: 500,
            multiline: false,
        };
        match clean(form.get(name), rule) {
            Ok(v) => cleaned.push((name, v.unwrap_or_default())),
            Err(message) => {
                let page = (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ProfilePage::new(
                        &user,
                        None,
                        |n| form.get(n).to_owned(),
                        Some(format!("{label}: {message}")),
                    ),
                )
                    .into_response();
                return Ok(page);
            }
        }
    }
    if let Some((_, email)) = cleaned.iter().find(|(n, _)| *n == "email")
        && !email.is_empty()
        && domain::Email::parse(email).is_err()
    {
        let page = (
            StatusCode::UNPROCESSABLE_ENTITY,
            ProfilePage::new(
                &user,
                None,
                |n| form.get(n).to_owned(),
                Some("Die E-Mail-Adresse ist ungültig, z. B. office@firma.at.".to_owned()),
            ),
        )
            .into_response();
        return Ok(page);
    }
    let get = |n: &str| {
        cleaned
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let profile = CompanyProfile {
        company_name: get("company_name"),
        legal_form: get("legal_form"),
        street: get("street"),
        postal_code: get("postal_code"),
        city: get("city"),
        country: get("country"),
        email: get("email"),
        phone: get("phone"),
        vat_id: get("vat_id"),
        register_number: get("register_number"),
        register_court: get("register_court"),
        business_purpose: get("business_purpose"),
        trade_licence: get("trade_licence"),
        supervisory_authority: get("supervisory_authority"),
        chamber: get("chamber"),
        managing_directors: get("managing_directors"),
        responsible_person: get("responsible_person"),
        editorial_line: get("editorial_line"),
        hosting: get("hosting"),
        mail_provider: get("mail_provider"),
    };
    profile.save(&state.db).await?;
    storage::audit::record(
        &state.db,
        UnixMs::now(),
        &user.actor(),
        "Firmenprofil geändert",
        "profile",
    )
    .await?;
    Ok(Redirect::to("/admin/profil?ok=gespeichert").into_response())
}
