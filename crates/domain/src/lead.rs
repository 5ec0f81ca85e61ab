//! The lead pipeline: stages and opt-in status.
//!
//! Stages are stored as short ASCII codes so the database stays readable and stable while the
//! German labels can be reworded freely.

use std::fmt;
use std::str::FromStr;

/// Where a lead stands in OdoubleT's sales conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeadStage {
    /// Just arrived; nobody has talked to them yet.
    Neu,
    /// The team has reached out.
    Kontaktiert,
    /// A first call is booked or done.
    Erstgespraech,
    /// Takes part in the pilot.
    Teilnehmer,
    /// Participant who agreed to be named as a reference.
    Referenzkunde,
    /// Not a fit, or declined.
    Abgelehnt,
}

impl LeadStage {
    /// All stages in pipeline order, for select boxes and reports.
    pub const ALL: [LeadStage; 6] = [
        LeadStage::Neu,
        LeadStage::Kontaktiert,
        LeadStage::Erstgespraech,
        LeadStage::Teilnehmer,
        LeadStage::Referenzkunde,
        LeadStage::Abgelehnt,
    ];

    /// Stable code stored in the database and used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            LeadStage::Neu => "neu",
            LeadStage::Kontaktiert => "kontaktiert",
            LeadStage::Erstgespraech => "erstgespraech",
            LeadStage::Teilnehmer => "teilnehmer",
            LeadStage::Referenzkunde => "referenzkunde",
            LeadStage::Abgelehnt => "abgelehnt",
        }
    }

    /// German label for the back office.
    pub fn label(self) -> &'static str {
        match self {
            LeadStage::Neu => "neu",
            LeadStage::Kontaktiert => "kontaktiert",
            LeadStage::Erstgespraech => "Erstgespräch",
            LeadStage::Teilnehmer => "Teilnehmer",
            LeadStage::Referenzkunde => "Referenzkunde",
            LeadStage::Abgelehnt => "abgelehnt",
        }
    }
}

impl FromStr for LeadStage {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LeadStage::ALL
            .into_iter()
            .find(|st| st.code() == s)
            .ok_or(UnknownCode)
    }
}

impl fmt::Display for LeadStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Whether the lead has confirmed the double opt-in mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadStatus {
    /// The confirmation link has not been used yet; deleted after seven days.
    Unbestaetigt,
    /// The e-mail address is confirmed.
    Bestaetigt,
}

impl LeadStatus {
    /// Stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            LeadStatus::Unbestaetigt => "unbestaetigt",
            LeadStatus::Bestaetigt => "bestaetigt",
        }
    }

    /// German label.
    pub fn label(self) -> &'static str {
        match self {
            LeadStatus::Unbestaetigt => "unbestätigt",
            LeadStatus::Bestaetigt => "bestätigt",
        }
    }
}

impl FromStr for LeadStatus {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "unbestaetigt" => Ok(LeadStatus::Unbestaetigt),
            "bestaetigt" => Ok(LeadStatus::Bestaetigt),
            _ => Err(UnknownCode),
        }
    }
}

/// A stored or submitted code that names no known value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unbekannter Wert")]
pub struct UnknownCode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_code_parses_back() {
        for stage in LeadStage::ALL {
            assert_eq!(stage.code().parse::<LeadStage>(), Ok(stage));
        }
        assert!("Neu".parse::<LeadStage>().is_err());
    }
}
