//! Entity labels: the kinds of personal data the anonymizer knows.
//!
//! Labels serialize as the upper-case names used in placeholders
//! (`PERSON`, `EMAIL`, …) so that JSON output, placeholders and policy
//! configuration all use one vocabulary.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The kind of personal data an [`crate::Entity`] holds.
///
/// Why: callers (gateway policies, UI, JSON API) need a stable, closed set of
/// types to filter on and to show to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Label {
    /// A person's name (first name, surname or both), without salutation or title.
    Person,
    /// An e-mail address.
    Email,
    /// A phone or fax number (AT/DE/CH, national or international).
    Phone,
    /// An IBAN that passes the mod-97 check.
    Iban,
    /// A BIC/SWIFT code in a banking context.
    Bic,
    /// A payment card number that passes Luhn and a known issuer range.
    CreditCard,
    /// Street and house number.
    Address,
    /// Postcode and place name.
    PostalCity,
    /// Social security number (AT SVNR, CH AHV).
    Svnr,
    /// Tax identifier (DE Steuer-ID, tax numbers in context).
    TaxId,
    /// VAT identifier (ATU…, DE…, CHE…), check digit verified.
    VatId,
    /// Vehicle licence plate (AT/DE/CH).
    LicensePlate,
    /// IPv4 or IPv6 address.
    IpAddress,
    /// A date in a birth context.
    DateOfBirth,
    /// Passport or ID card number in context.
    IdNumber,
    /// A URL that identifies a person (profile pages, personal paths).
    Url,
}

/// Error returned when a string is not a known label.
///
/// Why: policies are read from configuration; unknown names must be reported, not ignored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown entity label: {0}")]
pub struct UnknownLabel(pub String);

impl Label {
    /// All labels in a fixed order.
    ///
    /// Why: the default configuration enables all of them, and UIs list them.
    pub const ALL: [Label; 16] = [
        Label::Person,
        Label::Email,
        Label::Phone,
        Label::Iban,
        Label::Bic,
        Label::CreditCard,
        Label::Address,
        Label::PostalCity,
        Label::Svnr,
        Label::TaxId,
        Label::VatId,
        Label::LicensePlate,
        Label::IpAddress,
        Label::DateOfBirth,
        Label::IdNumber,
        Label::Url,
    ];

    /// The upper-case name used in JSON and placeholders, e.g. `CREDIT_CARD`.
    ///
    /// Why: one canonical spelling for serialization and placeholder text.
    pub const fn as_str(self) -> &'static str {
        match self {
            Label::Person => "PERSON",
            Label::Email => "EMAIL",
            Label::Phone => "PHONE",
            Label::Iban => "IBAN",
            Label::Bic => "BIC",
            Label::CreditCard => "CREDIT_CARD",
            Label::Address => "ADDRESS",
            Label::PostalCity => "POSTAL_CITY",
            Label::Svnr => "SVNR",
            Label::TaxId => "TAX_ID",
            Label::VatId => "VAT_ID",
            Label::LicensePlate => "LICENSE_PLATE",
            Label::IpAddress => "IP_ADDRESS",
            Label::DateOfBirth => "DATE_OF_BIRTH",
            Label::IdNumber => "ID_NUMBER",
            Label::Url => "URL",
        }
    }

    /// German display name for the UI, e.g. "Telefonnummer".
    ///
    /// Why: the product's users read German.
    pub const fn german_name(self) -> &'static str {
        match self {
            Label::Person => "Person",
            Label::Email => "E-Mail-Adresse",
            Label::Phone => "Telefonnummer",
            Label::Iban => "IBAN",
            Label::Bic => "BIC",
            Label::CreditCard => "Kreditkartennummer",
            Label::Address => "Adresse",
            Label::PostalCity => "Postleitzahl und Ort",
            Label::Svnr => "Sozialversicherungsnummer",
            Label::TaxId => "Steuer-Identifikationsnummer",
            Label::VatId => "UID-Nummer",
            Label::LicensePlate => "Kfz-Kennzeichen",
            Label::IpAddress => "IP-Adresse",
            Label::DateOfBirth => "Geburtsdatum",
            Label::IdNumber => "Ausweisnummer",
            Label::Url => "Personenbezogene URL",
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Label {
    type Err = UnknownLabel;

    /// Parses the upper-case name; case-insensitive, `-` and `_` are equivalent.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm: String = s
            .trim()
            .chars()
            .map(|c| {
                if c == '-' {
                    '_'
                } else {
                    c.to_ascii_uppercase()
                }
            })
            .collect();
        Label::ALL
            .iter()
            .copied()
            .find(|l| l.as_str() == norm)
            .ok_or_else(|| UnknownLabel(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_names() {
        for l in Label::ALL {
            assert_eq!(l.as_str().parse::<Label>(), Ok(l));
            let json = serde_json::to_string(&l).unwrap();
            assert_eq!(json, format!("\"{}\"", l.as_str()));
            assert!(!l.german_name().is_empty());
        }
        assert_eq!("credit-card".parse::<Label>(), Ok(Label::CreditCard));
        assert!("NOPE".parse::<Label>().is_err());
    }
}
