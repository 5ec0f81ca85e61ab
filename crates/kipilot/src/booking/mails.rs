//! Mails around a booking, each with its calendar part where a calendar should change.
//!
//! The invitation's UID is `booking-{id}@{host}` for the booking's whole life; SEQUENCE is
//! the booking's counter (0 when booked, +1 per reschedule or cancellation), so calendars
//! update or remove the one entry instead of adding a second. Times are written in UTC by
//! [`domain::ics`]; texts name Vienna time explicitly.

use domain::UnixMs;
use domain::booking::{MeetingKind, Topic, vienna_long};
use domain::ics::{IcsEvent, IcsMethod, IcsPerson, calendar};
use storage::booking::{BookingRow, NewBooking};
use storage::outbox::NewMail;

use super::links::{Action, LinkSigner};
use crate::leads::mails::signature;
use crate::profile::CompanyProfile;

/// What every booking mail needs from the surroundings.
pub struct MailCtx<'a> {
    /// Public URL without trailing slash.
    pub base_url: &'a str,
    /// Host for UIDs.
    pub host: &'a str,
    /// Company profile (signature, organizer name).
    pub profile: &'a CompanyProfile,
    /// Team address for notifications and as organizer.
    pub team_email: Option<&'a str>,
    /// Link signer.
    pub signer: &'a LinkSigner,
    /// Hours an unconfirmed booking is held.
    pub confirm_hours: i64,
    /// The instant the mail is written (DTSTAMP).
    pub now: UnixMs,
}

/// The parts of a booking the mails show.
#[derive(Debug, Clone)]
pub struct Appointment {
    /// Booking id.
    pub id: i64,
    /// Meeting kind.
    pub kind: MeetingKind,
    /// Start.
    pub start: UnixMs,
    /// End.
    pub end: UnixMs,
    /// Name.
    pub name: String,
    /// Company.
    pub company: String,
    /// E-mail.
    pub email: String,
    /// Phone.
    pub phone: Option<String>,
    /// Topic codes, comma-separated.
    pub topics: String,
    /// Channel code.
    pub channel: String,
    /// Note.
    pub message: Option<String>,
    /// Where.
    pub location: String,
    /// Source.
    pub source: Option<String>,
    /// Current SEQUENCE.
    pub sequence: i64,
    /// The lead.
    pub lead_id: i64,
    /// Waiting for confirmation.
    pub pending: bool,
}

impl Appointment {
    /// From a stored booking.
    pub fn from_row(b: &BookingRow) -> Appointment {
        Appointment {
            id: b.id,
            kind: MeetingKind::from_code(&b.kind).unwrap_or(MeetingKind::Erstgespraech),
            start: UnixMs(b.start_ms),
            end: UnixMs(b.end_ms),
            name: b.name.clone(),
            company: b.company.clone(),
            email: b.email.clone(),
            phone: b.phone.clone(),
            topics: b.topics.clone(),
            channel: b.channel.clone(),
            message: b.message.clone(),
            location: b.location.clone(),
            source: b.source.clone(),
            sequence: b.sequence,
            lead_id: b.lead_id,
            pending: b.status == storage::booking::status::OFFEN,
        }
    }

    /// From a booking just inserted with `id`.
    pub fn from_new(n: &NewBooking, id: i64, lead_id: i64) -> Appointment {
        Appointment {
            id,
            kind: MeetingKind::from_code(&n.kind).unwrap_or(MeetingKind::Erstgespraech),
            start: n.start,
            end: n.end,
            name: n.name.clone(),
            company: n.company.clone(),
            email: n.email.clone(),
            phone: n.phone.clone(),
            topics: n.topics.clone(),
            channel: n.channel.clone(),
            message: n.message.clone(),
            location: n.location.clone(),
            source: n.source.clone(),
            sequence: 0,
            lead_id,
            pending: n.expires.is_some(),
        }
    }

    /// "Donnerstag, 3. Dezember 2026, 09:30 Uhr (Wiener Zeit)".
    pub fn when(&self) -> String {
        format!("{} (Wiener Zeit)", vienna_long(self.start))
    }

    /// Length in minutes.
    pub fn minutes(&self) -> i64 {
        (self.end.0 - self.start.0) / 60_000
    }

    /// Topic labels, or "–".
    pub fn topic_labels(&self) -> String {
        let list: Vec<&str> = self
            .topics
            .split(',')
            .filter_map(Topic::from_code)
            .map(Topic::label)
            .collect();
        if list.is_empty() {
            "–".to_owned()
        } else {
            list.join(", ")
        }
    }
}

impl MailCtx<'_> {
    fn link(&self, action: Action, a: &Appointment) -> String {
        let path = match action {
            Action::Confirm => "bestaetigen",
            Action::Cancel => "absagen",
            Action::Reschedule => "verschieben",
        };
        format!(
            "{}/termin/{path}?t={}",
            self.base_url,
            self.signer.booking(action, a.id, a.sequence)
        )
    }

    fn organizer(&self) -> IcsPerson {
        IcsPerson {
            name: self.profile.full_name(),
            email: self
                .team_email
                .map(str::to_owned)
                .or_else(|| Some(self.profile.email.clone()).filter(|e| !e.trim().is_empty()))
                .unwrap_or_else(|| format!("noreply@{}", self.host)),
        }
    }

    /// The calendar for `a` with `method` at `sequence`.
    pub fn ics(&self, a: &Appointment, method: IcsMethod, sequence: i64) -> String {
        let mut description = format!(
            "{} mit {}.\nThemen: {}\n",
            a.kind.title(),
            self.profile.full_name(),
            a.topic_labels()
        );
        if method == IcsMethod::Request {
            description.push_str(&format!(
                "Verschieben: {}\nAbsagen: {}\n",
                self.link(Action::Reschedule, a),
                self.link(Action::Cancel, a)
            ));
        }
        let event = IcsEvent {
            uid: format!("booking-{}@{}", a.id, self.host),
            sequence: u32::try_from(sequence).unwrap_or(0),
            start: a.start,
            end: a.end,
            summary: a.kind.calendar_summary().to_owned(),
            description,
            location: Some(a.location.clone()),
            url: None,
            organizer: self.organizer(),
            attendee: Some(IcsPerson {
                name: a.name.clone(),
                email: a.email.clone(),
            }),
        };
        calendar(method, &event, self.now)
    }

    fn details(&self, a: &Appointment) -> String {
        format!(
            "Ihr Termin: {}, {} Minuten\nWo: {}\nThemen: {}",
            a.when(),
            a.minutes(),
            a.location,
            a.topic_labels()
        )
    }

    fn manage(&self, a: &Appointment) -> String {
        format!(
            "Termin verschieben: {}\nTermin absagen: {}",
            self.link(Action::Reschedule, a),
            self.link(Action::Cancel, a)
        )
    }

    /// To the visitor right after booking: confirm link (if pending), details, invitation.
    pub fn visitor_booked(&self, a: &Appointment) -> NewMail {
        let (subject, opening) = if a.pending {
            (
                format!(
                    "Bitte bestätigen Sie Ihr {}: {}",
                    a.kind.title(),
                    vienna_long(a.start)
                ),
                format!(
                    "danke für Ihre Buchung! Bitte bestätigen Sie den Termin mit einem Klick:\n\n{}\n\n\
                     Ohne Bestätigung innerhalb von {} Stunden geben wir den Termin wieder frei – so bleibt kein Termin für eine vertippte Adresse reserviert.",
                    self.link(Action::Confirm, a),
                    self.confirm_hours
                ),
            )
        } else {
            (
                format!(
                    "Ihr {} ist eingetragen: {}",
                    a.kind.title(),
                    vienna_long(a.start)
                ),
                "danke für Ihre Buchung! Ihr Termin ist fest eingetragen.".to_owned(),
            )
        };
        NewMail {
            idempotency_key: format!("termin-gebucht:{}:{}", a.id, a.sequence),
            kind: "termin-gebucht".to_owned(),
            lead_id: Some(a.lead_id),
            to: a.email.clone(),
            subject,
            body_text: format!(
                "Guten Tag {},\n\n{opening}\n\n{}\n\n\
                 Die Kalendereinladung hängt an dieser E-Mail. Einen Tag vorher erinnern wir Sie noch einmal.\n\n{}\n\n{}\n",
                a.name,
                self.details(a),
                self.manage(a),
                signature(self.profile)
            ),
            ics: Some(self.ics(a, IcsMethod::Request, a.sequence)),
        }
    }

    /// To the team when a booking is firm (confirmed, or a participant's 1:1).
    pub fn team_booked(&self, a: &Appointment) -> Option<NewMail> {
        let to = self.team_email?;
        Some(NewMail {
            idempotency_key: format!("termin-team:{}:{}", a.id, a.sequence),
            kind: "team-benachrichtigung".to_owned(),
            lead_id: Some(a.lead_id),
            to: to.to_owned(),
            subject: one_line(&format!(
                "Neuer Termin ({}): {}, {}",
                a.kind.title(),
                a.company,
                vienna_long(a.start)
            )),
            body_text: format!(
                "{} gebucht und bestätigt.\n\nWann: {}, {} Minuten\nWie: {}\nUnternehmen: {}\nName: {}\nE-Mail: {}\nTelefon: {}\nThemen: {}\nQuelle: {}\nNachricht:\n{}\n\n\
                 Im Backoffice: {}/admin/leads/{}\n",
                a.kind.title(),
                a.when(),
                a.minutes(),
                a.location,
                a.company,
                a.name,
                a.email,
                a.phone.as_deref().unwrap_or("–"),
                a.topic_labels(),
                a.source.as_deref().unwrap_or("direkt"),
                a.message.as_deref().unwrap_or("–"),
                self.base_url,
                a.lead_id
            ),
            ics: Some(self.ics(a, IcsMethod::Request, a.sequence)),
        })
    }

    /// To the visitor after a cancellation (`a.sequence` already raised).
    pub fn visitor_cancelled(&self, a: &Appointment, by_team: bool) -> NewMail {
        let why = if by_team {
            "leider müssen wir Ihren Termin absagen. Bitte entschuldigen Sie! Suchen Sie sich gern gleich einen neuen Termin aus:"
        } else {
            "Ihr Termin ist abgesagt. Wenn Sie doch noch sprechen möchten, wählen Sie einfach einen neuen Termin:"
        };
        let again = match a.kind {
            MeetingKind::EinsZuEins => {
                "Einen neuen 1:1-Termin buchen Sie über Ihren persönlichen Link aus unserer E-Mail."
                    .to_owned()
            }
            MeetingKind::Erstgespraech => format!("{}/erstgespraech", self.base_url),
        };
        NewMail {
            idempotency_key: format!("termin-abgesagt:{}:{}", a.id, a.sequence),
            kind: "termin-abgesagt".to_owned(),
            lead_id: Some(a.lead_id),
            to: a.email.clone(),
            subject: format!("Abgesagt: {} am {}", a.kind.title(), vienna_long(a.start)),
            body_text: format!(
                "Guten Tag {},\n\n{why}\n\n{again}\n\nAbgesagter Termin: {}\n\nDer Eintrag in Ihrem Kalender wird mit der angehängten Absage entfernt.\n\n{}\n",
                a.name,
                a.when(),
                signature(self.profile)
            ),
            ics: Some(self.ics(a, IcsMethod::Cancel, a.sequence)),
        }
    }

    /// To the team after the visitor cancelled.
    pub fn team_cancelled(&self, a: &Appointment) -> Option<NewMail> {
        let to = self.team_email?;
        Some(NewMail {
            idempotency_key: format!("termin-team-abgesagt:{}:{}", a.id, a.sequence),
            kind: "team-benachrichtigung".to_owned(),
            lead_id: Some(a.lead_id),
            to: to.to_owned(),
            subject: one_line(&format!(
                "Termin abgesagt: {}, {}",
                a.company,
                vienna_long(a.start)
            )),
            body_text: format!(
                "{} ({}) hat den Termin am {} abgesagt. Der Termin ist wieder frei.\n\nIm Backoffice: {}/admin/leads/{}\n",
                a.name,
                a.company,
                a.when(),
                self.base_url,
                a.lead_id
            ),
            ics: Some(self.ics(a, IcsMethod::Cancel, a.sequence)),
        })
    }

    /// To the visitor after a reschedule (same UID, raised SEQUENCE, new links).
    pub fn visitor_rescheduled(&self, a: &Appointment) -> NewMail {
        let confirm = if a.pending {
            format!(
                "\n\nBitte bestätigen Sie den Termin noch mit einem Klick:\n{}",
                self.link(Action::Confirm, a)
            )
        } else {
            String::new()
        };
        NewMail {
            idempotency_key: format!("termin-verschoben:{}:{}", a.id, a.sequence),
            kind: "termin-verschoben".to_owned(),
            lead_id: Some(a.lead_id),
            to: a.email.clone(),
            subject: format!("Verschoben: {} am {}", a.kind.title(), vienna_long(a.start)),
            body_text: format!(
                "Guten Tag {},\n\nIhr Termin ist verschoben.{confirm}\n\n{}\n\nDie angehängte Einladung aktualisiert den Eintrag in Ihrem Kalender. Links aus früheren E-Mails gelten nicht mehr.\n\n{}\n\n{}\n",
                a.name,
                self.details(a),
                self.manage(a),
                signature(self.profile)
            ),
            ics: Some(self.ics(a, IcsMethod::Request, a.sequence)),
        }
    }

    /// To the team after a reschedule of a confirmed booking.
    pub fn team_rescheduled(&self, a: &Appointment) -> Option<NewMail> {
        let to = self.team_email?;
        Some(NewMail {
            idempotency_key: format!("termin-team-verschoben:{}:{}", a.id, a.sequence),
            kind: "team-benachrichtigung".to_owned(),
            lead_id: Some(a.lead_id),
            to: to.to_owned(),
            subject: one_line(&format!(
                "Termin verschoben: {}, neu {}",
                a.company,
                vienna_long(a.start)
            )),
            body_text: format!(
                "{} ({}) hat den Termin verschoben. Neu: {}.\n\nIm Backoffice: {}/admin/leads/{}\n",
                a.name,
                a.company,
                a.when(),
                self.base_url,
                a.lead_id
            ),
            ics: Some(self.ics(a, IcsMethod::Request, a.sequence)),
        })
    }

    /// The reminder 24 hours before.
    pub fn reminder(&self, a: &Appointment) -> NewMail {
        NewMail {
            idempotency_key: format!("termin-erinnerung:{}:{}", a.id, a.sequence),
            kind: "termin-erinnerung".to_owned(),
            lead_id: Some(a.lead_id),
            to: a.email.clone(),
            subject: format!(
                "Erinnerung: {} morgen, {}",
                a.kind.title(),
                vienna_long(a.start)
            ),
            body_text: format!(
                "Guten Tag {},\n\nwir freuen uns auf das Gespräch mit Ihnen!\n\n{}\n\n\
                 Es passt doch nicht? Kein Problem – bitte verschieben oder sagen Sie den Termin ab, dann wird er für andere frei:\n\n{}\n\n{}\n",
                a.name,
                self.details(a),
                self.manage(a),
                signature(self.profile)
            ),
            ics: None,
        }
    }

    /// To the visitor when a new booking replaced their unconfirmed one (`a.sequence`
    /// already raised): withdraws the old invitation.
    pub fn replaced(&self, a: &Appointment) -> NewMail {
        NewMail {
            idempotency_key: format!("termin-ersetzt:{}:{}", a.id, a.sequence),
            kind: "termin-ersetzt".to_owned(),
            lead_id: Some(a.lead_id),
            to: a.email.clone(),
            subject: format!("Ersetzt: {} am {}", a.kind.title(), vienna_long(a.start)),
            body_text: format!(
                "Guten Tag {},\n\nSie haben einen neuen Termin gebucht. Der frühere, noch unbestätigte Termin am {} ist damit freigegeben; \
                 die angehängte Absage entfernt ihn aus Ihrem Kalender. Die Einladung zum neuen Termin kommt in einer eigenen E-Mail.\n\n{}\n",
                a.name,
                a.when(),
                signature(self.profile)
            ),
            ics: Some(self.ics(a, IcsMethod::Cancel, a.sequence)),
        }
    }

    /// To the visitor when an unconfirmed booking lapsed (METHOD:CANCEL at SEQUENCE + 1).
    pub fn lapsed(&self, a: &Appointment) -> NewMail {
        NewMail {
            idempotency_key: format!("termin-verfallen:{}", a.id),
            kind: "termin-verfallen".to_owned(),
            lead_id: Some(a.lead_id),
            to: a.email.clone(),
            subject: format!(
                "Nicht bestätigt: {} am {}",
                a.kind.title(),
                vienna_long(a.start)
            ),
            body_text: format!(
                "Guten Tag,\n\nder Termin am {} wurde nicht rechtzeitig bestätigt und ist deshalb wieder frei. \
                 Die angehängte Absage entfernt ihn aus Ihrem Kalender.\n\n\
                 Möchten Sie doch sprechen? Wählen Sie einfach einen neuen Termin: {}/erstgespraech\n\n\
                 Haben Sie nichts gebucht? Dann hat sich jemand bei der Adresse vertippt – Sie müssen nichts tun.\n\n{}\n",
                a.when(),
                self.base_url,
                signature(self.profile)
            ),
            ics: Some(self.ics(a, IcsMethod::Cancel, a.sequence + 1)),
        }
    }

    /// The personal 1:1 booking link for a participant, sent by the team.
    pub fn access_link(
        &self,
        lead_id: i64,
        name: &str,
        email: &str,
        url: &str,
        valid_until: UnixMs,
    ) -> NewMail {
        NewMail {
            idempotency_key: format!("eins-zu-eins-link:{lead_id}:{}", self.now.0),
            kind: "termin-link".to_owned(),
            lead_id: Some(lead_id),
            to: email.to_owned(),
            subject: "Ihr persönlicher Link für 1:1-Termine im KI-Pilotprojekt".to_owned(),
            body_text: format!(
                "Guten Tag {name},\n\nals Teilnehmerin oder Teilnehmer des KI-Pilotprojekts können Sie sich Ihre 1:1-Termine selbst aussuchen. \
                 Über diesen persönlichen Link geht das in einer Minute:\n\n{url}\n\n\
                 Der Link gilt bis {} und ist nur für Sie bestimmt – bitte nicht weitergeben.\n\n{}\n",
                valid_until.format_long_date(),
                signature(self.profile)
            ),
            ics: None,
        }
    }
}

/// Subjects are single lines.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
