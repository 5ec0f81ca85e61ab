//! The company profile: one record from which the Impressum, the privacy notice, mail
//! footers and (later) the flyer imprint are generated.
//!
//! Austrian law asks for the same facts in several places (§ 5 ECG for the website,
//! § 25 MedienG for the "Offenlegung", § 14 UGB for business letters and mails). Keeping them
//! in one record means one edit updates every place.

use serde::{Deserialize, Serialize};
use storage::Db;

const SETTINGS_KEY: &str = "company_profile";

/// Imprint facts of the company that runs the pilot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct CompanyProfile {
    /// Company name as registered, e.g. "OdoubleT GmbH".
    pub company_name: String,
    /// Legal form, e.g. "GmbH" or "Einzelunternehmen".
    pub legal_form: String,
    /// Street and number.
    pub street: String,
    /// Postcode.
    pub postal_code: String,
    /// City.
    pub city: String,
    /// Country.
    pub country: String,
    /// Public contact e-mail.
    pub email: String,
    /// Public phone number.
    pub phone: String,
    /// UID-Nummer (VAT id), if any.
    pub vat_id: String,
    /// Firmenbuchnummer, if registered.
    pub register_number: String,
    /// Firmenbuchgericht.
    pub register_court: String,
    /// Business purpose (Unternehmensgegenstand).
    pub business_purpose: String,
    /// Trade licence (Gewerbe) and the authority that granted it.
    pub trade_licence: String,
    /// Supervisory authority (Aufsichtsbehörde), usually the Bezirkshauptmannschaft/Magistrat.
    pub supervisory_authority: String,
    /// Chamber membership, e.g. "Wirtschaftskammer Oberösterreich".
    pub chamber: String,
    /// Managing director(s).
    pub managing_directors: String,
    /// Person responsible for content (and named in mails).
    pub responsible_person: String,
    /// Editorial line (Blattlinie) for § 25 MedienG.
    pub editorial_line: String,
    /// Who hosts the server (named in the privacy notice as processor), e.g. "eigener Server in Linz".
    pub hosting: String,
    /// Which SMTP provider delivers mails (named as processor), if any.
    pub mail_provider: String,
}

impl Default for CompanyProfile {
    fn default() -> Self {
        CompanyProfile {
            company_name: "OdoubleT".to_owned(),
            legal_form: String::new(),
            street: String::new(),
            postal_code: String::new(),
            city: String::new(),
            country: "Österreich".to_owned(),
            email: String::new(),
            phone: String::new(),
            vat_id: String::new(),
            register_number: String::new(),
            register_court: String::new(),
            business_purpose: "Softwareentwicklung und IT-Dienstleistungen".to_owned(),
            trade_licence: String::new(),
            supervisory_authority: String::new(),
            chamber: String::new(),
            managing_directors: String::new(),
            responsible_person: "Thomas Ott".to_owned(),
            editorial_line: "Information über das KI-Pilotprojekt von OdoubleT und über den datenschutzkonformen Einsatz von KI in kleinen und mittleren Unternehmen.".to_owned(),
            hosting: String::new(),
            mail_provider: String::new(),
        }
    }
}

impl CompanyProfile {
    /// Loads the stored profile, or the defaults if none was saved yet.
    pub async fn load(db: &Db) -> Result<CompanyProfile, storage::StoreError> {
        Ok(match storage::settings::get(db, SETTINGS_KEY).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => CompanyProfile::default(),
        })
    }

    /// Stores the profile.
    pub async fn save(&self, db: &Db) -> Result<(), storage::StoreError> {
        let json =
            serde_json::to_string(self).map_err(|e| storage::StoreError::Corrupt(e.to_string()))?;
        storage::settings::put(db, SETTINGS_KEY, &json).await
    }

    /// Fields the Impressum needs by law that are still empty, as German labels; the
    /// back office shows them as a to-do list.
    pub fn missing_required(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        let checks: [(&str, &'static str); 5] = [
            (&self.street, "Straße und Hausnummer"),
            (&self.postal_code, "Postleitzahl"),
            (&self.city, "Ort"),
            (&self.email, "E-Mail-Adresse"),
            (&self.business_purpose, "Unternehmensgegenstand"),
        ];
        for (value, label) in checks {
            if value.trim().is_empty() {
                missing.push(label);
            }
        }
        missing
    }

    /// "Straße 1, 4020 Linz, Österreich" with empty parts left out.
    pub fn address_line(&self) -> String {
        let city = format!("{} {}", self.postal_code.trim(), self.city.trim())
            .trim()
            .to_owned();
        [self.street.trim(), city.as_str(), self.country.trim()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// "OdoubleT GmbH, Hauptplatz 1, 4020 Linz, Österreich": the footer line of PDFs.
    pub fn imprint_line(&self) -> String {
        let address = self.address_line();
        if address.is_empty() {
            self.full_name()
        } else {
            format!("{}, {address}", self.full_name())
        }
    }

    /// The name with legal form, e.g. "OdoubleT GmbH" (without doubling it).
    pub fn full_name(&self) -> String {
        let name = self.company_name.trim();
        let form = self.legal_form.trim();
        if form.is_empty() || name.ends_with(form) {
            name.to_owned()
        } else {
            format!("{name} {form}")
        }
    }
}
