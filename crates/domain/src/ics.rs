//! iCalendar (RFC 5545) invitations for booked calls and round-tables.
//!
//! Times are written in UTC (`DTSTART:20260329T080000Z`), which RFC 5545 §3.3.5 allows and
//! every calendar converts to the reader's zone; that sidesteps a hand-written `VTIMEZONE`
//! that could drift from the tz database. The writer escapes text (§3.3.11), folds lines at
//! 75 octets without splitting a UTF-8 character (§3.1) and ends every line with CRLF.
//! Updates and cancellations reuse the `UID` with a higher `SEQUENCE` (RFC 5546 §2.1.4), so
//! calendars replace the entry instead of adding a second one.

use std::fmt::Write as _;

use jiff::Timestamp;

use crate::UnixMs;

/// What the receiving calendar should do with the event (RFC 5546 iTIP method).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcsMethod {
    /// Add or update the event (`METHOD:REQUEST`).
    Request,
    /// Remove the event (`METHOD:CANCEL`, `STATUS:CANCELLED`).
    Cancel,
}

/// A person on the invitation, organizer or attendee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsPerson {
    /// Display name (`CN`), may be empty.
    pub name: String,
    /// E-mail address, written as a `mailto:` URI.
    pub email: String,
}

/// One calendar event, as handed to the mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcsEvent {
    /// Globally unique and stable over the event's life, e.g. `booking-42@kipilot.example`.
    pub uid: String,
    /// Incremented on every change (reschedule, cancel), starting at 0.
    pub sequence: u32,
    /// Start instant.
    pub start: UnixMs,
    /// End instant (after `start`).
    pub end: UnixMs,
    /// Title shown in the calendar.
    pub summary: String,
    /// Body text; may contain line breaks.
    pub description: String,
    /// Where: a video-call URL, a phone note or an address.
    pub location: Option<String>,
    /// A link to the event's page (cancel/reschedule links live in the description).
    pub url: Option<String>,
    /// Who sends the invitation.
    pub organizer: IcsPerson,
    /// Who receives it.
    pub attendee: Option<IcsPerson>,
}

/// Renders a complete `VCALENDAR` with one event for `method`, stamped at `now`.
pub fn calendar(method: IcsMethod, event: &IcsEvent, now: UnixMs) -> String {
    let mut out = String::with_capacity(1024);
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//OdoubleT//kipilot//DE");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(
        &mut out,
        match method {
            IcsMethod::Request => "METHOD:REQUEST",
            IcsMethod::Cancel => "METHOD:CANCEL",
        },
    );
    line(&mut out, "BEGIN:VEVENT");
    line(&mut out, &format!("UID:{}", escape_text(&event.uid)));
    line(&mut out, &format!("SEQUENCE:{}", event.sequence));
    line(&mut out, &format!("DTSTAMP:{}", utc(now)));
    line(&mut out, &format!("DTSTART:{}", utc(event.start)));
    line(&mut out, &format!("DTEND:{}", utc(event.end)));
    line(
        &mut out,
        &format!("SUMMARY:{}", escape_text(&event.summary)),
    );
    line(
        &mut out,
        &format!("DESCRIPTION:{}", escape_text(&event.description)),
    );
    if let Some(location) = &event.location {
        line(&mut out, &format!("LOCATION:{}", escape_text(location)));
    }
    if let Some(url) = &event.url {
        line(&mut out, &format!("URL:{}", strip_controls(url)));
    }
    line(
        &mut out,
        &format!("ORGANIZER{}", person_value(&event.organizer, None)),
    );
    if let Some(attendee) = &event.attendee {
        line(
            &mut out,
            &format!(
                "ATTENDEE{}",
                person_value(attendee, Some(";ROLE=REQ-PARTICIPANT;RSVP=FALSE"))
            ),
        );
    }
    line(
        &mut out,
        match method {
            IcsMethod::Request => "STATUS:CONFIRMED",
            IcsMethod::Cancel => "STATUS:CANCELLED",
        },
    );
    line(&mut out, "TRANSP:OPAQUE");
    line(&mut out, "END:VEVENT");
    line(&mut out, "END:VCALENDAR");
    out
}

/// `;CN="Name":mailto:addr` — the name is a quoted parameter value, which may not contain
/// `"` or control characters (§3.2), so those are dropped.
fn person_value(person: &IcsPerson, extra: Option<&str>) -> String {
    let name: String = person
        .name
        .chars()
        .filter(|c| *c != '"' && !c.is_control())
        .collect();
    let mut value = String::new();
    if !name.is_empty() {
        let _ = write!(value, ";CN=\"{name}\"");
    }
    if let Some(extra) = extra {
        value.push_str(extra);
    }
    let _ = write!(value, ":mailto:{}", strip_controls(&person.email));
    value
}

/// UTC date-time form `YYYYMMDDTHHMMSSZ`.
fn utc(at: UnixMs) -> String {
    match Timestamp::from_millisecond(at.0) {
        Ok(ts) => ts.strftime("%Y%m%dT%H%M%SZ").to_string(),
        Err(_) => "19700101T000000Z".to_owned(),
    }
}

/// TEXT escaping of RFC 5545 §3.3.11: backslash, semicolon, comma and line breaks.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// URIs and addresses are not TEXT: no escaping, but no control characters either.
fn strip_controls(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// Appends `content` folded to lines of at most 75 octets, each ended by CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> IcsEvent {
        IcsEvent {
            uid: "booking-7@kipilot.test".into(),
            sequence: 0,
            start: UnixMs(1_774_771_200_000), // 2026-03-29T08:00:00Z, DST day in Vienna
            end: UnixMs(1_774_773_000_000),
            summary: "Erstgespräch KI-Pilotprojekt".into(),
            description: "Thema: Texte, Analyse\nAbsagen: https://x.test/a?t=1;2".into(),
            location: Some("https://meet.example/abc".into()),
            url: None,
            organizer: IcsPerson {
                name: "Thomas Ott".into(),
                email: "team@odoublet.test".into(),
            },
            attendee: Some(IcsPerson {
                name: "Anna \"Ann\" Müller".into(),
                email: "anna@example.at".into(),
            }),
        }
    }

    #[test]
    fn writes_utc_times_methods_and_escapes() {
        let ics = calendar(IcsMethod::Request, &sample(), UnixMs(1_774_000_000_000));
        assert!(ics.contains("METHOD:REQUEST\r\n"));
        assert!(ics.contains("DTSTART:20260329T080000Z\r\n"));
        assert!(ics.contains("DTEND:20260329T083000Z\r\n"));
        assert!(ics.contains("STATUS:CONFIRMED\r\n"));
        assert!(ics.contains("Texte\\, Analyse\\nAbsagen: https://x.test/a?t=1\\;2"));
        assert!(ics.contains("CN=\"Anna Ann Müller\""));
        let cancel = calendar(IcsMethod::Cancel, &sample(), UnixMs(1_774_000_000_000));
        assert!(cancel.contains("METHOD:CANCEL\r\n") && cancel.contains("STATUS:CANCELLED\r\n"));
    }

    #[test]
    fn folds_long_lines_on_char_boundaries() {
        let mut event = sample();
        event.description = "Ä".repeat(200);
        let ics = calendar(IcsMethod::Request, &event, UnixMs(0));
        for raw in ics.split("\r\n") {
            assert!(raw.len() <= 75, "line longer than 75 octets: {raw:?}");
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&"Ä".repeat(200)));
        assert!(!ics.contains('\n') || ics.matches('\n').count() == ics.matches("\r\n").count());
    }
}
