//! Texts of the mails around an application.
//!
//! The confirmation mail is deliberately neutral (no advertising): until the address is
//! confirmed, we may only ask for the confirmation. Every mail ends with the company's
//! identification, as § 14 UGB asks for business mail.

use storage::leads::LeadRow;
use storage::outbox::NewMail;

use crate::profile::CompanyProfile;

/// Signature block with the company details.
pub fn signature(p: &CompanyProfile) -> String {
    let mut lines = vec!["Freundliche Grüße".to_owned()];
    if !p.responsible_person.trim().is_empty() {
        lines.push(p.responsible_person.trim().to_owned());
    }
    lines.push(p.full_name());
    let address = p.address_line();
    if !address.is_empty() {
        lines.push(address);
    }
    let mut register = Vec::new();
    if !p.register_number.trim().is_empty() {
        register.push(format!("Firmenbuch {}", p.register_number.trim()));
    }
    if !p.register_court.trim().is_empty() {
        register.push(p.register_court.trim().to_owned());
    }
    if !register.is_empty() {
        lines.push(register.join(", "));
    }
    lines.join("\n")
}

/// The double opt-in mail.
pub fn confirmation(
    base_url: &str,
    p: &CompanyProfile,
    name: &str,
    company: &str,
    email: &str,
    token: &str,
    token_hash: &str,
) -> NewMail {
    NewMail {
        idempotency_key: format!("bestaetigung:{token_hash}"),
        kind: "bestaetigung".to_owned(),
        lead_id: None,
        to: email.to_owned(),
        subject: "Bitte bestätigen Sie Ihre Anmeldung zum KI-Pilotprojekt".to_owned(),
        body_text: format!(
            "Guten Tag {name},\n\n\
             über {base_url}/mitmachen wurde diese E-Mail-Adresse für das KI-Pilotprojekt angemeldet (Unternehmen: {company}).\n\n\
             Bitte bestätigen Sie Ihre Anmeldung über diesen Link:\n\n\
             {base_url}/mitmachen/bestaetigen?token={token}\n\n\
             Der Link ist 72 Stunden gültig. Auf der Seite klicken Sie noch einmal auf „Anmeldung bestätigen“.\n\n\
             Sie haben sich nicht angemeldet? Dann ignorieren Sie diese E-Mail einfach. Ohne Bestätigung löschen wir die Angaben nach 7 Tagen automatisch.\n\n\
             {}\n",
            signature(p)
        ),
        ics: None,
    }
}

/// The one neutral mail to a person met at an event: confirm before anything else is sent.
pub fn event_confirmation(
    base_url: &str,
    p: &CompanyProfile,
    name: &str,
    event: Option<&str>,
    email: &str,
    token: &str,
    token_hash: &str,
) -> NewMail {
    let met = match event {
        Some(e) => format!("danke für das Gespräch ({e})"),
        None => "danke für das Gespräch".to_owned(),
    };
    NewMail {
        idempotency_key: format!("bestaetigung:{token_hash}"),
        kind: "bestaetigung".to_owned(),
        lead_id: None,
        to: email.to_owned(),
        subject: "Bitte bestätigen Sie: Kontakt zum KI-Pilotprojekt".to_owned(),
        body_text: format!(
            "Guten Tag {name},\n\n\
             {met}! Sie waren einverstanden, dass wir Sie zum KI-Pilotprojekt kontaktieren. \
             Bevor wir Ihnen irgendetwas schicken, bitten wir Sie um eine kurze Bestätigung:\n\n\
             {base_url}/mitmachen/bestaetigen?token={token}\n\n\
             Der Link ist 72 Stunden gültig. Ohne Bestätigung löschen wir Ihre Angaben nach 7 Tagen automatisch und melden uns nicht mehr.\n\n\
             {}\n",
            signature(p)
        ),
        ics: None,
    }
}

/// Sent when a confirmed lead submits the form again.
pub fn already_registered(
    base_url: &str,
    p: &CompanyProfile,
    name: &str,
    email: &str,
    now_ms: i64,
) -> NewMail {
    NewMail {
        idempotency_key: format!("bereits-angemeldet:{}:{now_ms}", email.to_lowercase()),
        kind: "bereits-angemeldet".to_owned(),
        lead_id: None,
        to: email.to_owned(),
        subject: "Sie sind bereits für das KI-Pilotprojekt angemeldet".to_owned(),
        body_text: format!(
            "Guten Tag {name},\n\n\
             Ihre Anmeldung zum KI-Pilotprojekt ist bereits bestätigt – Sie müssen nichts weiter tun. \
             Ihre neue Nachricht haben wir erhalten; wir melden uns bei Ihnen.\n\n\
             Ihre gespeicherten Daten können Sie jederzeit hier abrufen oder löschen: {base_url}/datenschutz#rechte\n\n\
             {}\n",
            signature(p)
        ),
        ics: None,
    }
}

/// Notification to the team about a confirmed lead.
pub fn team_notification(base_url: &str, team_address: &str, lead: &LeadRow) -> NewMail {
    let industry = domain::Industry::from_code(&lead.industry)
        .map(|i| i.label())
        .unwrap_or("–");
    let size = domain::CompanySize::from_code(&lead.company_size)
        .map(|s| s.label())
        .unwrap_or("–");
    NewMail {
        idempotency_key: format!("team-neuer-lead:{}", lead.id),
        kind: "team-benachrichtigung".to_owned(),
        lead_id: Some(lead.id),
        to: team_address.to_owned(),
        subject: format!("Neue bestätigte Anmeldung: {}", one_line(&lead.company)),
        body_text: format!(
            "Eine neue Anmeldung zum KI-Pilotprojekt wurde bestätigt.\n\n\
             Unternehmen: {}\nName: {}\nE-Mail: {}\nTelefon: {}\nBranche: {industry}\nGröße: {size}\nQuelle: {}\n\n\
             Größtes Hindernis:\n{}\n\n\
             Im Backoffice ansehen: {base_url}/admin/leads/{}\n",
            lead.company,
            lead.name,
            lead.email,
            lead.phone.as_deref().unwrap_or("–"),
            lead.source.as_deref().unwrap_or("direkt"),
            lead.message.as_deref().unwrap_or("–"),
            lead.id
        ),
        ics: None,
    }
}

/// Link to export or erase one's data.
pub fn privacy_link(
    base_url: &str,
    p: &CompanyProfile,
    lead: &LeadRow,
    token: &str,
    token_hash: &str,
) -> NewMail {
    NewMail {
        idempotency_key: format!("datenschutz-link:{token_hash}"),
        kind: "datenschutz-link".to_owned(),
        lead_id: Some(lead.id),
        to: lead.email.clone(),
        subject: "Ihr Link zu Ihren Daten beim KI-Pilotprojekt".to_owned(),
        body_text: format!(
            "Guten Tag {},\n\n\
             Sie haben angefragt, Ihre bei uns gespeicherten Daten abzurufen oder zu löschen. Über diesen Link geht das in zwei Klicks:\n\n\
             {base_url}/datenschutz/meine-daten?token={token}\n\n\
             Der Link ist 24 Stunden gültig. Wenn Sie diese Anfrage nicht gestellt haben, ignorieren Sie diese E-Mail einfach.\n\n\
             {}\n",
            lead.name,
            signature(p)
        ),
        ics: None,
    }
}

/// Mail subjects are single lines; a company name with a line break must not inject headers.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
