//! Texts of the participant-area mails: invitation, login link, review reminder.
//!
//! Idempotency keys start with `teilnehmer:{account id}:` so deleting an account can delete
//! its queued mails; `lead_id` is set so erasing the company deletes them too.

use storage::outbox::NewMail;
use storage::participants::ParticipantRow;

use super::auth::{INVITE_HOURS, LINK_MINUTES};
use crate::leads::mails::signature;
use crate::profile::CompanyProfile;

/// The invitation with a first login link (valid [`INVITE_HOURS`]).
#[allow(clippy::too_many_arguments)]
pub fn invitation(
    base_url: &str,
    p: &CompanyProfile,
    participant_id: i64,
    lead_id: i64,
    name: &str,
    company: &str,
    email: &str,
    token: &str,
    token_hash: &str,
) -> NewMail {
    NewMail {
        idempotency_key: format!("teilnehmer:{participant_id}:einladung:{token_hash}"),
        kind: "teilnehmer-einladung".to_owned(),
        lead_id: Some(lead_id),
        ics: None,
        to: email.to_owned(),
        subject: "Ihr Zugang zum Teilnehmerbereich des KI-Pilotprojekts".to_owned(),
        body_text: format!(
            "Guten Tag {name},\n\n\
             Sie sind als Teil von {company} im KI-Pilotprojekt dabei. Im Teilnehmerbereich führen Sie Ihr KI-Verzeichnis und dokumentieren Schulungen zur KI-Kompetenz – beides können Sie jederzeit als PDF für Prüfungen herunterladen.\n\n\
             Mit diesem Link melden Sie sich das erste Mal an:\n\n\
             {base_url}/teilnehmer/anmelden/link?token={token}\n\n\
             Der Link ist {INVITE_HOURS} Stunden gültig und funktioniert einmal. Ein Passwort brauchen Sie nicht: Später fordern Sie unter {base_url}/teilnehmer/anmelden einfach einen neuen Link an.\n\n\
             Sie erwarten diese E-Mail nicht? Dann antworten Sie kurz, wir löschen den Zugang.\n\n\
             {}\n",
            signature(p)
        ),
    }
}

/// A login link (valid [`LINK_MINUTES`]); `return_query` (`weiter=…`, already validated and
/// encoded) brings the participant back to the page that asked for the login.
pub fn login_link(
    base_url: &str,
    p: &CompanyProfile,
    account: &ParticipantRow,
    token: &str,
    token_hash: &str,
    return_query: &str,
) -> NewMail {
    let back = if return_query.is_empty() {
        String::new()
    } else {
        format!("&{return_query}")
    };
    NewMail {
        idempotency_key: format!("teilnehmer:{}:anmeldung:{token_hash}", account.id),
        kind: "teilnehmer-anmeldung".to_owned(),
        lead_id: Some(account.lead_id),
        ics: None,
        to: account.email.clone(),
        subject: "Ihr Anmeldelink für das KI-Pilotprojekt".to_owned(),
        body_text: format!(
            "Guten Tag {},\n\n\
             mit diesem Link melden Sie sich im Teilnehmerbereich an:\n\n\
             {base_url}/teilnehmer/anmelden/link?token={token}{back}\n\n\
             Der Link ist {LINK_MINUTES} Minuten gültig und funktioniert einmal.\n\n\
             Sie haben keinen Link angefordert? Dann ignorieren Sie diese E-Mail einfach; ohne den Link kann sich niemand anmelden.\n\n\
             {}\n",
            account.name,
            signature(p)
        ),
    }
}

/// Reminder that an AI system in the register is due for review.
pub fn review_reminder(
    base_url: &str,
    p: &CompanyProfile,
    account: &ParticipantRow,
    entry_id: i64,
    entry_name: &str,
    review_date: &str,
    review_ms: i64,
) -> NewMail {
    NewMail {
        idempotency_key: format!("teilnehmer:{}:pruefung:{entry_id}:{review_ms}", account.id),
        kind: "teilnehmer-pruefung".to_owned(),
        lead_id: Some(account.lead_id),
        ics: None,
        to: account.email.clone(),
        subject: format!("KI-Verzeichnis: „{entry_name}“ ist zur Prüfung fällig"),
        body_text: format!(
            "Guten Tag {},\n\n\
             für „{entry_name}“ haben Sie im KI-Verzeichnis den {review_date} als Prüftermin eingetragen.\n\n\
             Bitte sehen Sie kurz nach, ob die Angaben noch stimmen: Wird das Werkzeug noch so genutzt? Gehen neue Daten hinein? Hat der Anbieter etwas geändert? Danach tragen Sie den nächsten Prüftermin ein, z. B. in einem Jahr.\n\n\
             {base_url}/teilnehmer/verzeichnis/{entry_id}\n\n\
             {}\n",
            account.name,
            signature(p)
        ),
    }
}
