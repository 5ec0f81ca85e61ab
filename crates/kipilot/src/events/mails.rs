//! Texts of the round-table mails and their calendar invitations.
//!
//! Every mail after the confirmation carries the personal link (cancel, calendar file,
//! minutes). Invitations travel as an iCalendar part: `METHOD:REQUEST` with the event's
//! `SEQUENCE` for new and changed seats, `METHOD:CANCEL` with a higher `SEQUENCE` when a
//! seat ends, so calendars update the one entry instead of adding a second.

use std::sync::Arc;

use domain::UnixMs;
use domain::events::format_event_time;
use domain::ics::{IcsEvent, IcsMethod, IcsPerson, calendar};
use storage::events::{EventMails, EventRow, RegistrationRow};
use storage::outbox::NewMail;

use super::{LinkPurpose, link_token};
use crate::leads::mails::signature;
use crate::profile::CompanyProfile;
use crate::state::AppState;
use crate::web::forms::FormSigner;

/// Builds every round-table mail; one per request or worker run.
pub struct Mailer {
    base_url: String,
    host: String,
    profile: CompanyProfile,
    organizer: IcsPerson,
    forms: Arc<FormSigner>,
    now: UnixMs,
}

/// Mail subjects are single lines; a title with a line break must not inject headers.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Mailer {
    /// Loads the company profile (for signature and organizer) and binds the clock.
    pub async fn load(state: &AppState, now: UnixMs) -> Result<Mailer, storage::StoreError> {
        let profile = CompanyProfile::load(&state.db).await?;
        let host = state
            .config
            .base_host()
            .split(':')
            .next()
            .unwrap_or("localhost")
            .to_owned();
        let email = state
            .config
            .team_email
            .clone()
            .or_else(|| Some(profile.email.trim().to_owned()).filter(|e| !e.is_empty()))
            .unwrap_or_else(|| format!("noreply@{host}"));
        let name = Some(profile.full_name())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "KI-Pilotprojekt".to_owned());
        Ok(Mailer {
            base_url: state.config.base_url.clone(),
            host,
            organizer: IcsPerson { name, email },
            profile,
            forms: state.forms.clone(),
            now,
        })
    }

    /// The personal page of a registration.
    pub fn personal_url(&self, reg: &RegistrationRow) -> String {
        format!(
            "{}/veranstaltungen/anmeldung?token={}",
            self.base_url,
            link_token(&self.forms, LinkPurpose::Access, reg)
        )
    }

    fn confirm_url(&self, reg: &RegistrationRow) -> String {
        format!(
            "{}/veranstaltungen/anmeldung/bestaetigen?token={}",
            self.base_url,
            link_token(&self.forms, LinkPurpose::Confirm, reg)
        )
    }

    fn minutes_url(&self, reg: &RegistrationRow) -> String {
        format!(
            "{}/veranstaltungen/anmeldung/protokoll?token={}",
            self.base_url,
            link_token(&self.forms, LinkPurpose::Access, reg)
        )
    }

    /// The calendar entry of `reg`'s seat. The UID names event and registration (and the
    /// salt, so a renewed registration is a new entry); `SEQUENCE` is the event's.
    pub fn ics_event(&self, event: &EventRow, reg: &RegistrationRow, sequence: i64) -> IcsEvent {
        let salt: String = reg.link_salt.chars().take(8).collect();
        IcsEvent {
            uid: format!(
                "veranstaltung-{}-anmeldung-{}-{salt}@{}",
                event.id, reg.id, self.host
            ),
            sequence: u32::try_from(sequence.max(0)).unwrap_or(0),
            start: UnixMs(event.starts_ms),
            end: event.ends(),
            summary: event.title.clone(),
            description: format!(
                "Online-Treffen: {}\n\nAbsagen oder Details ansehen: {}",
                event.online_url,
                self.personal_url(reg)
            ),
            location: Some(event.online_url.clone()),
            url: Some(format!("{}/veranstaltungen/{}", self.base_url, event.slug)),
            organizer: self.organizer.clone(),
            attendee: Some(IcsPerson {
                name: reg.name.clone(),
                email: reg.email.clone(),
            }),
        }
    }

    /// The invitation file (`METHOD:REQUEST`) for a seat holder.
    pub fn invitation(&self, event: &EventRow, reg: &RegistrationRow) -> String {
        calendar(
            IcsMethod::Request,
            &self.ics_event(event, reg, event.ics_sequence),
            self.now,
        )
    }

    fn cancellation(&self, event: &EventRow, reg: &RegistrationRow, sequence: i64) -> String {
        calendar(
            IcsMethod::Cancel,
            &self.ics_event(event, reg, sequence),
            self.now,
        )
    }

    fn when(event: &EventRow) -> String {
        format_event_time(UnixMs(event.starts_ms), event.duration_min)
    }

    fn mail(
        &self,
        key: String,
        kind: &str,
        reg: &RegistrationRow,
        subject: String,
        body: String,
        ics: Option<String>,
    ) -> NewMail {
        NewMail {
            idempotency_key: key,
            kind: kind.to_owned(),
            lead_id: Some(reg.lead_id),
            to: reg.email.clone(),
            subject: one_line(&subject),
            body_text: format!("{body}\n\n{}\n", signature(&self.profile)),
            ics,
        }
    }

    fn footer(&self, reg: &RegistrationRow) -> String {
        format!(
            "Ihr persönlicher Link – zum Absagen, für den Kalendereintrag und später für das Protokoll:\n{}\n\nBitte geben Sie diesen Link nicht weiter.",
            self.personal_url(reg)
        )
    }
}

impl EventMails for Mailer {
    fn confirm(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail {
        self.mail(
            format!("veranstaltung-bestaetigung:{}:{}", reg.id, reg.link_salt),
            "veranstaltung-bestaetigung",
            reg,
            format!("Bitte bestätigen Sie Ihre Anmeldung: {}", event.title),
            format!(
                "Guten Tag {},\n\n\
                 über {}/veranstaltungen/{} wurde diese E-Mail-Adresse für folgende Veranstaltung angemeldet:\n\n\
                 {}\n{}\n\n\
                 Bitte bestätigen Sie Ihre Anmeldung über diesen Link:\n\n{}\n\n\
                 Der Link ist 72 Stunden gültig. Auf der Seite klicken Sie noch einmal auf „Anmeldung bestätigen“. \
                 Erst dann reservieren wir Ihren Platz (oder einen Platz auf der Warteliste, falls schon alle vergeben sind).\n\n\
                 Sie haben sich nicht angemeldet? Dann ignorieren Sie diese E-Mail einfach. Ohne Bestätigung löschen wir die Angaben nach 7 Tagen automatisch.",
                reg.name,
                self.base_url,
                event.slug,
                event.title,
                Self::when(event),
                self.confirm_url(reg)
            ),
            None,
        )
    }

    fn already_registered(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail {
        self.mail(
            format!("veranstaltung-bereits:{}:{}", reg.id, self.now.0),
            "veranstaltung-bereits-angemeldet",
            reg,
            format!("Sie sind bereits angemeldet: {}", event.title),
            format!(
                "Guten Tag {},\n\n\
                 Ihre Anmeldung zu „{}“ ({}) ist bereits bestätigt – Sie müssen nichts weiter tun.\n\
                 Stand: {}.\n\n{}",
                reg.name,
                event.title,
                Self::when(event),
                storage::events::status::label(&reg.status),
                self.footer(reg)
            ),
            None,
        )
    }

    fn seat(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail {
        self.mail(
            format!(
                "veranstaltung-platz:{}:{}",
                reg.id,
                reg.seat_ms.unwrap_or(self.now.0)
            ),
            "veranstaltung-einladung",
            reg,
            format!("Ihr Platz ist reserviert: {}", event.title),
            format!(
                "Guten Tag {},\n\n\
                 schön, dass Sie dabei sind! Ihr Platz ist reserviert.\n\n\
                 {}\n{}\nOnline-Treffen: {}\n\n\
                 Im Anhang finden Sie die Einladung für Ihren Kalender.{}\n\n\
                 Sie können doch nicht? Bitte sagen Sie kurz ab – dann rückt jemand von der Warteliste nach.\n\n{}",
                reg.name,
                event.title,
                Self::when(event),
                event.online_url,
                if event.invitation_is_reminder(self.now).is_some() {
                    ""
                } else {
                    " Einen Tag vorher erinnern wir Sie noch einmal."
                },
                self.footer(reg)
            ),
            Some(self.invitation(event, reg)),
        )
    }

    fn waitlisted(&self, event: &EventRow, reg: &RegistrationRow, position: i64) -> NewMail {
        self.mail(
            format!(
                "veranstaltung-warteliste:{}:{}",
                reg.id,
                reg.confirmed_ms.unwrap_or(self.now.0)
            ),
            "veranstaltung-warteliste",
            reg,
            format!("Sie stehen auf der Warteliste: {}", event.title),
            format!(
                "Guten Tag {},\n\n\
                 danke für Ihre Bestätigung. Alle Plätze für „{}“ ({}) sind gerade vergeben – Sie stehen auf Platz {position} der Warteliste.\n\n\
                 Sagt jemand ab, rücken Sie automatisch nach. Wir schicken Ihnen dann sofort eine E-Mail mit der Einladung.\n\n{}",
                reg.name,
                event.title,
                Self::when(event),
                self.footer(reg)
            ),
            None,
        )
    }

    fn promoted(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail {
        self.mail(
            format!(
                "veranstaltung-nachgerueckt:{}:{}",
                reg.id,
                reg.seat_ms.unwrap_or(self.now.0)
            ),
            "veranstaltung-nachgerueckt",
            reg,
            format!("Gute Nachricht: Sie haben einen Platz – {}", event.title),
            format!(
                "Guten Tag {},\n\n\
                 es ist ein Platz frei geworden, und er gehört jetzt Ihnen.\n\n\
                 {}\n{}\nOnline-Treffen: {}\n\n\
                 Im Anhang finden Sie die Einladung für Ihren Kalender. Falls Sie doch nicht können, sagen Sie bitte kurz ab – dann rückt die nächste Person nach.\n\n{}",
                reg.name,
                event.title,
                Self::when(event),
                event.online_url,
                self.footer(reg)
            ),
            Some(self.invitation(event, reg)),
        )
    }

    fn cancelled(
        &self,
        event: &EventRow,
        reg: &RegistrationRow,
        had_seat: bool,
        by_team: bool,
    ) -> NewMail {
        let what = if by_team {
            "das Team hat Ihre Anmeldung storniert. Falls das ein Versehen war, antworten Sie einfach auf diese E-Mail."
        } else {
            "Ihre Absage ist angekommen. Schade, dass Sie diesmal nicht dabei sein können."
        };
        self.mail(
            format!(
                "veranstaltung-abgesagt:{}:{}",
                reg.id,
                reg.cancelled_ms.unwrap_or(self.now.0)
            ),
            "veranstaltung-absage",
            reg,
            format!("Abgesagt: {}", event.title),
            format!(
                "Guten Tag {},\n\n{what}\n\n{}\n{}\n\n\
                 {}Sie möchten doch teilnehmen? Melden Sie sich einfach wieder an: {}/veranstaltungen/{}",
                reg.name,
                event.title,
                Self::when(event),
                if had_seat {
                    "Im Anhang finden Sie die Absage für Ihren Kalender; der Eintrag verschwindet damit.\n\n"
                } else {
                    ""
                },
                self.base_url,
                event.slug
            ),
            had_seat.then(|| self.cancellation(event, reg, event.ics_sequence + 1)),
        )
    }

    fn changed(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail {
        self.mail(
            format!("veranstaltung-geaendert:{}:{}", reg.id, event.ics_sequence),
            "veranstaltung-aenderung",
            reg,
            format!("Geänderter Termin: {}", event.title),
            format!(
                "Guten Tag {},\n\n\
                 bitte beachten Sie: „{}“ hat sich geändert. So gilt es jetzt:\n\n\
                 {}\nOnline-Treffen: {}\n\n\
                 Im Anhang finden Sie die aktualisierte Einladung; Ihr Kalender ersetzt damit den alten Eintrag. \
                 Passt der neue Termin nicht, sagen Sie bitte über Ihren Link ab.\n\n{}",
                reg.name,
                event.title,
                Self::when(event),
                event.online_url,
                self.footer(reg)
            ),
            Some(self.invitation(event, reg)),
        )
    }

    fn event_cancelled(&self, event: &EventRow, reg: &RegistrationRow, had_seat: bool) -> NewMail {
        self.mail(
            format!("veranstaltung-faellt-aus:{}:{}", reg.id, event.ics_sequence),
            "veranstaltung-faellt-aus",
            reg,
            format!("Fällt leider aus: {}", event.title),
            format!(
                "Guten Tag {},\n\n\
                 leider müssen wir „{}“ ({}) absagen. Es tut uns leid.\n\n\
                 {}Die nächsten Termine finden Sie hier: {}/veranstaltungen",
                reg.name,
                event.title,
                Self::when(event),
                if had_seat {
                    "Im Anhang finden Sie die Absage für Ihren Kalender; der Eintrag verschwindet damit.\n\n"
                } else {
                    ""
                },
                self.base_url
            ),
            had_seat.then(|| self.cancellation(event, reg, event.ics_sequence)),
        )
    }

    fn reminder(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail {
        self.mail(
            format!("veranstaltung-erinnerung:{}:{}", reg.id, event.starts_ms),
            "veranstaltung-erinnerung",
            reg,
            format!("Morgen: {}", event.title),
            format!(
                "Guten Tag {},\n\n\
                 eine kurze Erinnerung: Morgen ist es so weit.\n\n\
                 {}\n{}\nOnline-Treffen: {}\n\n\
                 Bringen Sie gern eine konkrete Frage aus Ihrem Betrieb mit. \
                 Falls Sie doch nicht können, sagen Sie bitte kurz ab – dann rückt jemand von der Warteliste nach.\n\n{}",
                reg.name,
                event.title,
                Self::when(event),
                event.online_url,
                self.footer(reg)
            ),
            None,
        )
    }

    fn minutes(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail {
        self.mail(
            format!("veranstaltung-protokoll:{}", reg.id),
            "veranstaltung-protokoll",
            reg,
            format!("Das Protokoll ist online: {}", event.title),
            format!(
                "Guten Tag {},\n\n\
                 das Protokoll von „{}“ ist online, mit den Schwierigkeiten und Wünschen, die in der Runde genannt wurden.\n\n\
                 Nur für Angemeldete, über Ihren persönlichen Link:\n{}\n\n\
                 Bitte geben Sie diesen Link nicht weiter. Danke fürs Mitmachen!",
                reg.name,
                event.title,
                self.minutes_url(reg)
            ),
            None,
        )
    }
}
