//! Consent wording and its fingerprint.
//!
//! GDPR Art. 7(1) requires the controller to *demonstrate* consent. We therefore store, for
//! every consent, the exact wording's version and a SHA-256 hash of the text shown. When the
//! wording changes, add a new constant with a new version; never edit an old one, or the
//! stored hashes would no longer match anything.

use sha2::{Digest, Sha256};

/// One versioned consent text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentText {
    /// Version code stored with each consent record.
    pub version: &'static str,
    /// The exact German wording shown next to the checkbox.
    pub text: &'static str,
}

impl ConsentText {
    /// Hex SHA-256 of the wording, stored with the consent so the text can be proven later.
    pub fn hash(&self) -> String {
        crate::hex::encode(&Sha256::digest(self.text.as_bytes()))
    }
}

/// Consent for the application form.
pub const APPLICATION_V1: ConsentText = ConsentText {
    version: "mitmachen-2026-11-27",
    text: "Ich bin einverstanden, dass OdoubleT meine Angaben speichert, um mich zum KI-Pilotprojekt zu kontaktieren. \
Ich bestätige meine E-Mail-Adresse über den Link in der Bestätigungs-E-Mail. \
Meine Einwilligung kann ich jederzeit per E-Mail oder über den Link in der Datenschutzerklärung widerrufen.",
};

/// Consent of a person met in person (e.g. at a WKO event) who asked to be contacted; the
/// team records it, and the person confirms it through the double opt-in mail.
pub const EVENT_CONTACT_V1: ConsentText = ConsentText {
    version: "persoenlich-2026-11-27",
    text: "Im persönlichen Gespräch zugestimmt, von OdoubleT zum KI-Pilotprojekt kontaktiert zu werden. \
Die Zustimmung wird über den Link in der Bestätigungs-E-Mail bestätigt; ohne Bestätigung werden die Angaben nach 7 Tagen gelöscht.",
};

/// Consent for registering for a round-table: invitation, reminder, minutes, and the
/// registration kept with the person's contact in the pilot project's pipeline.
pub const EVENT_REGISTRATION_V1: ConsentText = ConsentText {
    version: "veranstaltung-2026-11-27",
    text: "Ich bin einverstanden, dass OdoubleT meinen Namen und meine E-Mail-Adresse speichert, um mir Einladung, Erinnerung, Änderungen und das Protokoll dieser Veranstaltung zu schicken und mich zum KI-Pilotprojekt zu kontaktieren. \
Ich bestätige meine E-Mail-Adresse über den Link in der Bestätigungs-E-Mail. \
Meine Einwilligung kann ich jederzeit widerrufen; absagen kann ich über den Link in jeder E-Mail.",
};

/// Consent for booking a first call on `/erstgespraech`.
pub const BOOKING_V1: ConsentText = ConsentText {
    version: "erstgespraech-2026-11-27",
    text: "Ich bin einverstanden, dass OdoubleT meine Angaben speichert, um das Erstgespräch mit mir zu führen und mich zum KI-Pilotprojekt zu kontaktieren. \
Ich bestätige den Termin über den Link in der E-Mail; ohne Bestätigung verfällt er. \
Meine Einwilligung kann ich jederzeit per E-Mail oder über den Link in der Datenschutzerklärung widerrufen.",
};

/// SHA-256 of any text as hex: used for consent wording of quotes, which the team types.
pub fn sha256_hex(text: &str) -> String {
    crate::hex::encode(&Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_matches_sha256_hex() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(APPLICATION_V1.hash(), sha256_hex(APPLICATION_V1.text));
    }
}
