//! The application form "Jetzt Teil des KI-Pilotprojekts werden".
//!
//! Field names are fixed by PRODUCT.md (`company`, `name`, `email`, `phone`, `industry`,
//! `company_size`, `interests`, `message`, `consent`, `source`) because external checks post
//! to them. [`ApplicationInput`] holds exactly what was typed, so a form with errors can be
//! shown again unchanged; [`Application`] is the parsed, trusted result.

use crate::email::Email;
use crate::text::{FieldErrors, TextRule, clean};

/// Industries offered in the form. The seed's examples (construction, logistics, agencies,
/// retail) come first because they are what visitors recognise themselves in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Industry {
    /// Bau und Handwerk.
    Bau,
    /// Logistik und Transport.
    Logistik,
    /// Agentur, Marketing, Medien.
    Agentur,
    /// Handel.
    Handel,
    /// Produktion und Industrie.
    Produktion,
    /// Dienstleistung und Beratung.
    Dienstleistung,
    /// Gastronomie und Tourismus.
    Tourismus,
    /// Gesundheit und Soziales.
    Gesundheit,
    /// Anything else.
    Sonstige,
}

impl Industry {
    /// All industries in the order shown in the form.
    pub const ALL: [Industry; 9] = [
        Industry::Bau,
        Industry::Logistik,
        Industry::Agentur,
        Industry::Handel,
        Industry::Produktion,
        Industry::Dienstleistung,
        Industry::Tourismus,
        Industry::Gesundheit,
        Industry::Sonstige,
    ];

    /// Form value and database code.
    pub fn code(self) -> &'static str {
        match self {
            Industry::Bau => "bau",
            Industry::Logistik => "logistik",
            Industry::Agentur => "agentur",
            Industry::Handel => "handel",
            Industry::Produktion => "produktion",
            Industry::Dienstleistung => "dienstleistung",
            Industry::Tourismus => "tourismus",
            Industry::Gesundheit => "gesundheit",
            Industry::Sonstige => "sonstige",
        }
    }

    /// German label.
    pub fn label(self) -> &'static str {
        match self {
            Industry::Bau => "Bau und Handwerk",
            Industry::Logistik => "Logistik und Transport",
            Industry::Agentur => "Agentur, Marketing, Medien",
            Industry::Handel => "Handel",
            Industry::Produktion => "Produktion und Industrie",
            Industry::Dienstleistung => "Dienstleistung und Beratung",
            Industry::Tourismus => "Gastronomie und Tourismus",
            Industry::Gesundheit => "Gesundheit und Soziales",
            Industry::Sonstige => "Andere Branche",
        }
    }

    /// Parses a form value or database code.
    pub fn from_code(code: &str) -> Option<Industry> {
        Industry::ALL.into_iter().find(|i| i.code() == code)
    }
}

/// Company size bands as the EU SME definition counts employees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompanySize {
    /// 1–9 employees (micro enterprise).
    Micro,
    /// 10–49 employees (small enterprise).
    Small,
    /// 50–249 employees (medium enterprise).
    Medium,
    /// 250 or more.
    Large,
}

impl CompanySize {
    /// All bands in order.
    pub const ALL: [CompanySize; 4] = [
        CompanySize::Micro,
        CompanySize::Small,
        CompanySize::Medium,
        CompanySize::Large,
    ];

    /// Form value and database code.
    pub fn code(self) -> &'static str {
        match self {
            CompanySize::Micro => "1-9",
            CompanySize::Small => "10-49",
            CompanySize::Medium => "50-249",
            CompanySize::Large => "250+",
        }
    }

    /// German label.
    pub fn label(self) -> &'static str {
        match self {
            CompanySize::Micro => "1–9 Mitarbeitende",
            CompanySize::Small => "10–49 Mitarbeitende",
            CompanySize::Medium => "50–249 Mitarbeitende",
            CompanySize::Large => "250 oder mehr Mitarbeitende",
        }
    }

    /// Parses a form value or database code.
    pub fn from_code(code: &str) -> Option<CompanySize> {
        CompanySize::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// What the company would like to use AI for; the seed's four application areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Interest {
    /// Texte erstellen und prüfen.
    Texte,
    /// Daten und Dokumente analysieren.
    Analyse,
    /// Bilder und Medien erzeugen.
    Bilder,
    /// Assistenz bei Routineaufgaben.
    Assistenz,
}

impl Interest {
    /// All interests in form order.
    pub const ALL: [Interest; 4] = [
        Interest::Texte,
        Interest::Analyse,
        Interest::Bilder,
        Interest::Assistenz,
    ];

    /// Form value and database code.
    pub fn code(self) -> &'static str {
        match self {
            Interest::Texte => "texte",
            Interest::Analyse => "analyse",
            Interest::Bilder => "bilder",
            Interest::Assistenz => "assistenz",
        }
    }

    /// German label with an example, as shown next to the checkbox.
    pub fn label(self) -> &'static str {
        match self {
            Interest::Texte => "Texte erstellen und prüfen (z. B. Angebote, E-Mails, Verträge)",
            Interest::Analyse => {
                "Daten und Dokumente analysieren (z. B. Kundenfeedback, Lieferscheine)"
            }
            Interest::Bilder => "Bilder und Medien erzeugen (z. B. Social-Media-Grafiken)",
            Interest::Assistenz => {
                "Assistenz bei Routineaufgaben (z. B. Chatbot für Kundenanfragen)"
            }
        }
    }

    /// Short label for tables.
    pub fn short_label(self) -> &'static str {
        match self {
            Interest::Texte => "Texte",
            Interest::Analyse => "Analyse",
            Interest::Bilder => "Bilder",
            Interest::Assistenz => "Assistenz",
        }
    }

    /// Parses a form value or database code.
    pub fn from_code(code: &str) -> Option<Interest> {
        Interest::ALL.into_iter().find(|i| i.code() == code)
    }
}

/// Exactly what the visitor submitted, kept as text so the form can be re-rendered with the
/// user's input after an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationInput {
    /// `company`
    pub company: String,
    /// `name`
    pub name: String,
    /// `email`
    pub email: String,
    /// `phone`
    pub phone: String,
    /// `industry`
    pub industry: String,
    /// `company_size`
    pub company_size: String,
    /// `interests`, repeatable.
    pub interests: Vec<String>,
    /// `message`: the biggest obstacle.
    pub message: String,
    /// `consent` checkbox, `on` when ticked.
    pub consent: bool,
    /// `source` from a tracked link.
    pub source: String,
}

/// A valid application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// Company name.
    pub company: String,
    /// Contact person.
    pub name: String,
    /// Contact e-mail.
    pub email: Email,
    /// Optional phone number, normalised spacing.
    pub phone: Option<String>,
    /// Industry.
    pub industry: Industry,
    /// Company size band.
    pub company_size: CompanySize,
    /// Interests, sorted and without duplicates.
    pub interests: Vec<Interest>,
    /// Biggest obstacle, optional.
    pub message: Option<String>,
    /// Lead source code from a tracked link, if it looked like one.
    pub source: Option<String>,
}

const COMPANY: TextRule = TextRule {
    label: "Der Firmenname",
    missing: "Bitte geben Sie den Namen Ihres Unternehmens an.",
    required: true,
    max_chars: 150,
    multiline: false,
};
const NAME: TextRule = TextRule {
    label: "Der Name",
    missing: "Bitte geben Sie Ihren Namen an, damit wir Sie persönlich ansprechen können.",
    required: true,
    max_chars: 120,
    multiline: false,
};
const MESSAGE: TextRule = TextRule {
    label: "Ihre Nachricht",
    missing: "",
    required: false,
    max_chars: 4000,
    multiline: true,
};

/// Maximum length of a source code; longer values are not from our tracked links.
pub const MAX_SOURCE_CHARS: usize = 64;

impl ApplicationInput {
    /// Checks every field and returns either the parsed application or one German message
    /// per faulty field. All fields are checked, so the user fixes everything in one go.
    pub fn parse(&self) -> Result<Application, FieldErrors> {
        let mut errors = FieldErrors::default();
        let company = clean(&self.company, COMPANY)
            .map_err(|m| errors.add("company", m))
            .ok()
            .flatten();
        let name = clean(&self.name, NAME)
            .map_err(|m| errors.add("name", m))
            .ok()
            .flatten();
        let email = Email::parse(&self.email)
            .map_err(|e| errors.add("email", e.to_string()))
            .ok();
        let phone = parse_phone(&self.phone)
            .map_err(|m| errors.add("phone", m))
            .ok()
            .flatten();
        let industry = match Industry::from_code(self.industry.trim()) {
            Some(i) => Some(i),
            None => {
                errors.add("industry", "Bitte wählen Sie Ihre Branche aus der Liste.");
                None
            }
        };
        let company_size = match CompanySize::from_code(self.company_size.trim()) {
            Some(s) => Some(s),
            None => {
                errors.add(
                    "company_size",
                    "Bitte wählen Sie die Größe Ihres Unternehmens aus.",
                );
                None
            }
        };
        let mut interests = Vec::new();
        for raw in &self.interests {
            match Interest::from_code(raw.trim()) {
                Some(i) => interests.push(i),
                None => errors.add(
                    "interests",
                    "Bitte wählen Sie nur aus den angebotenen Themen.",
                ),
            }
        }
        interests.sort();
        interests.dedup();
        let message = clean(&self.message, MESSAGE)
            .map_err(|m| errors.add("message", m))
            .ok()
            .flatten();
        if !self.consent {
            errors.add(
                "consent",
                "Bitte bestätigen Sie, dass wir Ihre Angaben für das Pilotprojekt verwenden dürfen. Ohne Ihre Zustimmung können wir Sie nicht kontaktieren.",
            );
        }
        let source = parse_source(&self.source);

        match (company, name, email, industry, company_size) {
            (Some(company), Some(name), Some(email), Some(industry), Some(company_size))
                if errors.is_empty() =>
            {
                Ok(Application {
                    company,
                    name,
                    email,
                    phone,
                    industry,
                    company_size,
                    interests,
                    message,
                    source,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Accepts the ways people write phone numbers in AT/DE/CH ("+43 664 123 45 67",
/// "0664/1234567", "(0)1 234-56 78") and normalises runs of spaces.
pub fn parse_phone(raw: &str) -> Result<Option<String>, String> {
    let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if value.is_empty() {
        return Ok(None);
    }
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '/' | '-' | '(' | ')' | '.'));
    let plus_ok = value.rfind('+').is_none_or(|p| p == 0);
    if !allowed || !plus_ok || !(6..=15).contains(&digits) || value.len() > 30 {
        return Err("Diese Telefonnummer können wir nicht lesen. Bitte nur Ziffern, Leerzeichen und +, z. B. +43 664 1234567. Das Feld ist freiwillig.".to_owned());
    }
    Ok(Some(value))
}

/// Keeps a source code only if it looks like one of ours (letters, digits, `-`, `_`, `.`);
/// anything else is dropped silently because the visitor never typed it.
pub fn parse_source(raw: &str) -> Option<String> {
    let value = raw.trim();
    let ok = !value.is_empty()
        && value.chars().count() <= MAX_SOURCE_CHARS
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then(|| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ApplicationInput {
        ApplicationInput {
            company: "Bau Huber GmbH".into(),
            name: "Anna Huber".into(),
            email: "anna@bau-huber.at".into(),
            phone: "+43 664  1234567".into(),
            industry: "bau".into(),
            company_size: "10-49".into(),
            interests: vec!["texte".into(), "analyse".into(), "texte".into()],
            message: "Datenschutz\r\nbeim Bautagebuch".into(),
            consent: true,
            source: "wko-linz".into(),
        }
    }

    #[test]
    fn a_complete_form_parses_into_typed_values() {
        let app = valid().parse().expect("valid");
        assert_eq!(app.industry, Industry::Bau);
        assert_eq!(app.interests, vec![Interest::Texte, Interest::Analyse]);
        assert_eq!(app.phone.as_deref(), Some("+43 664 1234567"));
        assert_eq!(
            app.message.as_deref(),
            Some("Datenschutz\nbeim Bautagebuch")
        );
        assert_eq!(app.source.as_deref(), Some("wko-linz"));
    }

    #[test]
    fn every_faulty_field_gets_its_own_message() {
        let input = ApplicationInput {
            email: "anna@".into(),
            consent: false,
            industry: "x".into(),
            ..ApplicationInput::default()
        };
        let errors = input.parse().expect_err("invalid");
        for field in [
            "company",
            "name",
            "email",
            "industry",
            "company_size",
            "consent",
        ] {
            assert!(errors.get(field).is_some(), "missing message for {field}");
        }
        assert!(errors.get("phone").is_none());
    }

    #[test]
    fn a_foreign_source_is_dropped_not_rejected() {
        let input = ApplicationInput {
            source: "<script>".into(),
            ..valid()
        };
        assert_eq!(input.parse().expect("valid").source, None);
    }

    #[test]
    fn phone_numbers_in_common_formats_are_accepted() {
        for ok in ["0664/1234567", "+49 (0)30 123456-7", "+41 44 668 18 00"] {
            assert!(parse_phone(ok).is_ok(), "{ok}");
        }
        for bad in ["abc", "12", "+43 +664 123456", "0664 1234567 Durchwahl 3"] {
            assert!(parse_phone(bad).is_err(), "{bad}");
        }
    }
}
