//! E-mail addresses as typed values.
//!
//! The check is deliberately pragmatic: it catches the typos people really make at a trade
//! fair booth ("max@firma", "max.firma.at", a space, a comma) without rejecting valid
//! addresses. The definitive test is the double opt-in mail itself.

use std::fmt;

/// A syntactically plausible e-mail address; the domain part is lower-cased so that
/// "Max@Firma.AT" and "Max@firma.at" are the same lead.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Why an address was rejected, as a German sentence that tells the user what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EmailError(&'static str);

impl Email {
    /// Parses user input. Surrounding whitespace is ignored.
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(EmailError("Bitte geben Sie Ihre E-Mail-Adresse an."));
        }
        if value.chars().count() > 254 {
            return Err(EmailError(
                "Diese E-Mail-Adresse ist zu lang (höchstens 254 Zeichen).",
            ));
        }
        if value.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    ',' | ';' | '<' | '>' | '"' | '(' | ')' | '[' | ']' | '\\'
                )
        }) {
            return Err(EmailError(
                "Die E-Mail-Adresse enthält Leerzeichen oder Sonderzeichen. Bitte prüfen Sie die Schreibweise, z. B. max.muster@firma.at.",
            ));
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return Err(EmailError(
                "Der E-Mail-Adresse fehlt das @-Zeichen. Bitte prüfen Sie die Schreibweise, z. B. max.muster@firma.at.",
            ));
        };
        if local.is_empty()
            || local.contains('@')
            || local.len() > 64
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
        {
            return Err(EmailError(
                "Der Teil vor dem @ ist ungültig. Bitte prüfen Sie die Schreibweise, z. B. max.muster@firma.at.",
            ));
        }
        let domain = domain.to_lowercase();
        let labels: Vec<&str> = domain.split('.').collect();
        let tld_ok = labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
        let labels_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !labels_ok || !tld_ok {
            return Err(EmailError(
                "Nach dem @ fehlt eine gültige Domain mit Endung, z. B. firma.at. Bitte prüfen Sie die Schreibweise.",
            ));
        }
        Ok(Email(format!("{local}@{domain}")))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_the_domain() {
        assert_eq!(
            Email::parse(" Max.Muster@Firma.AT ").map(|e| e.to_string()),
            Ok("Max.Muster@firma.at".into())
        );
        assert!(Email::parse("office@bau-huber.co.at").is_ok());
        assert!(Email::parse("anna+ki@müller.de").is_ok());
    }

    #[test]
    fn rejects_the_typos_people_make() {
        for bad in [
            "",
            "max",
            "max@firma",
            "max@@firma.at",
            "max firma@x.at",
            "max@firma.a",
            "max@.at",
            ".max@firma.at",
            "max@firma..at",
            "max@firma.at,",
            "<script>@x.at",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
