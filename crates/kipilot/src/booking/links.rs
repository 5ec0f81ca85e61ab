//! Signed links for bookings: confirm, cancel, reschedule, and the personal 1:1 access link.
//!
//! A booking link is `{booking_id}.{sequence}.{mac}`; the HMAC covers the action, the id and
//! the booking's SEQUENCE. Nothing is stored: a tampered link fails the signature, and a
//! link from before a reschedule names an old SEQUENCE and is refused as outdated — so a
//! replayed cancel link cannot cancel the new appointment. A cancelled booking answers a
//! replayed cancel link with "already cancelled" and sends nothing.
//!
//! The access link for participant-only meeting kinds is `{lead_id}.{expires_ms}.{mac}`;
//! it is checked against the lead's current stage on every use, so moving a lead out of
//! "Teilnehmer" revokes it.

use domain::UnixMs;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// What a booking link may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Confirm an unconfirmed booking.
    Confirm,
    /// Cancel.
    Cancel,
    /// Move to another slot.
    Reschedule,
}

impl Action {
    fn code(self) -> &'static str {
        match self {
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::Reschedule => "reschedule",
        }
    }
}

/// How long a participant's 1:1 access link works.
pub const ACCESS_LINK_DAYS: i64 = 60;

/// Signs and checks booking links with a key derived from the installation's secret.
pub struct LinkSigner {
    key: [u8; 32],
}

/// A verified booking link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingLink {
    /// The booking.
    pub booking_id: i64,
    /// The SEQUENCE the link was issued for.
    pub sequence: i64,
}

impl LinkSigner {
    /// A signer whose key is derived from `secret` (the form secret stored in the database),
    /// under its own label so form tokens and booking links can never be swapped.
    pub fn new(secret: &[u8]) -> LinkSigner {
        let mut hasher = Sha256::new();
        hasher.update(b"kipilot-booking-links|");
        hasher.update(secret);
        LinkSigner {
            key: hasher.finalize().into(),
        }
    }

    fn mac(&self, parts: &[&str]) -> String {
        let Ok(mut mac) = HmacSha256::new_from_slice(&self.key) else {
            return String::new();
        };
        for p in parts {
            mac.update(p.as_bytes());
            mac.update(b"|");
        }
        let bytes = mac.finalize().into_bytes();
        domain::hex::encode(&bytes[..16])
    }

    /// The token for `action` on booking `id` at `sequence`.
    pub fn booking(&self, action: Action, id: i64, sequence: i64) -> String {
        let mac = self.mac(&[action.code(), &id.to_string(), &sequence.to_string()]);
        format!("{id}.{sequence}.{mac}")
    }

    /// Checks a booking token for `action`; `None` if malformed or tampered.
    pub fn check_booking(&self, action: Action, token: &str) -> Option<BookingLink> {
        let (id, sequence, mac) = split3(token)?;
        let booking_id: i64 = parse_number(id)?;
        let sequence: i64 = parse_number(sequence)?;
        let expected = self.mac(&[
            action.code(),
            &booking_id.to_string(),
            &sequence.to_string(),
        ]);
        crate::web::tokens::same(expected.as_bytes(), mac.as_bytes()).then_some(BookingLink {
            booking_id,
            sequence,
        })
    }

    /// A personal access link for a participant-only meeting kind, valid until `expires`.
    pub fn access(&self, kind_code: &str, lead_id: i64, expires: UnixMs) -> String {
        let mac = self.mac(&[
            "access",
            kind_code,
            &lead_id.to_string(),
            &expires.0.to_string(),
        ]);
        format!("{lead_id}.{}.{mac}", expires.0)
    }

    /// The lead an access token names, if it is genuine and not expired at `now`.
    pub fn check_access(&self, kind_code: &str, token: &str, now: UnixMs) -> Option<i64> {
        let (lead, expires, mac) = split3(token)?;
        let lead_id: i64 = parse_number(lead)?;
        let expires_ms: i64 = parse_number(expires)?;
        let expected = self.mac(&[
            "access",
            kind_code,
            &lead_id.to_string(),
            &expires_ms.to_string(),
        ]);
        (crate::web::tokens::same(expected.as_bytes(), mac.as_bytes()) && expires_ms > now.0)
            .then_some(lead_id)
    }
}

fn split3(token: &str) -> Option<(&str, &str, &str)> {
    if token.len() > 120 {
        return None;
    }
    let mut parts = token.trim().split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), Some(c), None) => Some((a, b, c)),
        _ => None,
    }
}

/// Digits only (no sign, no leading `+`), so one number has exactly one spelling.
fn parse_number(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booking_links_bind_action_id_and_sequence() {
        let s = LinkSigner::new(b"secret");
        let t = s.booking(Action::Cancel, 42, 1);
        assert_eq!(
            s.check_booking(Action::Cancel, &t),
            Some(BookingLink {
                booking_id: 42,
                sequence: 1
            })
        );
        assert_eq!(
            s.check_booking(Action::Reschedule, &t),
            None,
            "other action"
        );
        assert_eq!(
            s.check_booking(Action::Cancel, &t.replacen("42.", "43.", 1)),
            None
        );
        assert_eq!(
            s.check_booking(Action::Cancel, &t.replacen(".1.", ".2.", 1)),
            None
        );
        assert_eq!(s.check_booking(Action::Cancel, "42.1"), None);
        assert_eq!(s.check_booking(Action::Cancel, "+42.1.00"), None);
        assert_eq!(
            LinkSigner::new(b"other").check_booking(Action::Cancel, &t),
            None
        );
    }

    #[test]
    fn access_links_expire() {
        let s = LinkSigner::new(b"secret");
        let t = s.access("eins-zu-eins", 7, UnixMs(1000));
        assert_eq!(s.check_access("eins-zu-eins", &t, UnixMs(999)), Some(7));
        assert_eq!(s.check_access("eins-zu-eins", &t, UnixMs(1000)), None);
        assert_eq!(s.check_access("erstgespraech", &t, UnixMs(1)), None);
    }
}
