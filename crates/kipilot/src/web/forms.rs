//! Anti-forgery and anti-spam for public forms, without cookies.
//!
//! Public visitors get no cookie (privacy by design), so the classic session-bound CSRF token
//! is not available. Instead each form carries a token signed with a server secret:
//! `issued_ms.nonce.mac`, where the MAC covers the form name, the issue time and the nonce.
//! A post is accepted only with a valid signature (a forged post from another site cannot
//! produce one) and only if the form was open for a minimum time (bots submit instantly).
//! Together with the `Sec-Fetch-Site`/`Origin` check in [`super::origin`], this is the
//! protection for every public state change.

use std::time::Duration;

use domain::UnixMs;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// How long a rendered form stays valid.
const MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// Signs and checks form tokens.
pub struct FormSigner {
    key: Vec<u8>,
    min_fill: Duration,
}

/// Why a form token was refused; each maps to a German message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormTokenError {
    /// Missing, malformed or wrongly signed: not from our page.
    Invalid,
    /// Submitted faster than a person can fill the form.
    TooFast,
    /// The page was opened more than a day ago.
    Expired,
}

impl FormTokenError {
    /// The German message shown above the form.
    pub fn message(self) -> &'static str {
        match self {
            FormTokenError::Invalid => {
                "Das Formular konnte nicht zugeordnet werden. Bitte laden Sie die Seite neu und senden Sie es noch einmal ab – Ihre Eingaben sind unten noch da."
            }
            FormTokenError::TooFast => {
                "Das ging sehr schnell – bitte prüfen Sie Ihre Angaben kurz und senden Sie das Formular dann noch einmal ab."
            }
            FormTokenError::Expired => {
                "Die Seite war sehr lange geöffnet. Bitte senden Sie das Formular noch einmal ab – Ihre Eingaben sind unten noch da."
            }
        }
    }
}

impl FormSigner {
    /// A signer with the given secret key and minimum fill time.
    pub fn new(key: Vec<u8>, min_fill: Duration) -> FormSigner {
        FormSigner { key, min_fill }
    }

    fn mac(&self, form: &str, issued_ms: i64, nonce: &str) -> Option<HmacSha256> {
        let mut mac = HmacSha256::new_from_slice(&self.key).ok()?;
        mac.update(b"kipilot-form|");
        mac.update(form.as_bytes());
        mac.update(b"|");
        mac.update(issued_ms.to_string().as_bytes());
        mac.update(b"|");
        mac.update(nonce.as_bytes());
        Some(mac)
    }

    /// A token for rendering `form` now.
    pub fn issue(&self, form: &str, now: UnixMs) -> String {
        let mut nonce = [0u8; 12];
        // Without randomness the nonce is zero; the signature still binds time and form.
        let _ = getrandom::fill(&mut nonce);
        let nonce = domain::hex::encode(&nonce);
        let sig = self
            .mac(form, now.0, &nonce)
            .map(|m| domain::hex::encode(&m.finalize().into_bytes()))
            .unwrap_or_default();
        format!("{}.{nonce}.{sig}", now.0)
    }

    /// HMAC-SHA256 (hex) over `purpose` and `payload` with the form secret: personal links
    /// in mails (e.g. a round-table registration's cancel link) that nobody can forge.
    pub fn sign_link(&self, purpose: &str, payload: &str) -> String {
        let Ok(mut mac) = HmacSha256::new_from_slice(&self.key) else {
            return String::new();
        };
        mac.update(b"kipilot-link|");
        mac.update(purpose.as_bytes());
        mac.update(b"|");
        mac.update(payload.as_bytes());
        domain::hex::encode(&mac.finalize().into_bytes())
    }

    /// Checks a signature made by [`FormSigner::sign_link`] in constant time.
    pub fn verify_link(&self, purpose: &str, payload: &str, signature: &str) -> bool {
        let Some(sig) = domain::hex::decode(signature) else {
            return false;
        };
        let Ok(mut mac) = HmacSha256::new_from_slice(&self.key) else {
            return false;
        };
        mac.update(b"kipilot-link|");
        mac.update(purpose.as_bytes());
        mac.update(b"|");
        mac.update(payload.as_bytes());
        mac.verify_slice(&sig).is_ok()
    }

    /// Checks a submitted token for `form`, including the minimum fill time.
    pub fn check(&self, form: &str, token: &str, now: UnixMs) -> Result<(), FormTokenError> {
        self.verify(form, token, now, self.min_fill)
    }

    /// Checks only origin and age, not the fill time: for the login form, which password
    /// managers fill instantly.
    pub fn check_origin_only(
        &self,
        form: &str,
        token: &str,
        now: UnixMs,
    ) -> Result<(), FormTokenError> {
        self.verify(form, token, now, Duration::ZERO)
    }

    fn verify(
        &self,
        form: &str,
        token: &str,
        now: UnixMs,
        min_fill: Duration,
    ) -> Result<(), FormTokenError> {
        let mut parts = token.split('.');
        let (Some(issued), Some(nonce), Some(sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(FormTokenError::Invalid);
        };
        let issued_ms: i64 = issued.parse().map_err(|_| FormTokenError::Invalid)?;
        let sig = domain::hex::decode(sig).ok_or(FormTokenError::Invalid)?;
        let mac = self
            .mac(form, issued_ms, nonce)
            .ok_or(FormTokenError::Invalid)?;
        mac.verify_slice(&sig)
            .map_err(|_| FormTokenError::Invalid)?;
        let age_ms = now.0 - issued_ms;
        if age_ms < 0 || u128::try_from(age_ms).unwrap_or(0) < min_fill.as_millis() {
            return Err(FormTokenError::TooFast);
        }
        if u128::try_from(age_ms).unwrap_or(u128::MAX) > MAX_AGE.as_millis() {
            return Err(FormTokenError::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> FormSigner {
        FormSigner::new(b"test-key".to_vec(), Duration::from_secs(2))
    }

    #[test]
    fn accepts_its_own_token_after_the_minimum_fill_time() {
        let s = signer();
        let token = s.issue("mitmachen", UnixMs(1_000_000));
        assert_eq!(s.check("mitmachen", &token, UnixMs(1_003_000)), Ok(()));
    }

    #[test]
    fn rejects_fast_expired_foreign_and_tampered_tokens() {
        let s = signer();
        let token = s.issue("mitmachen", UnixMs(1_000_000));
        assert_eq!(
            s.check("mitmachen", &token, UnixMs(1_000_500)),
            Err(FormTokenError::TooFast)
        );
        assert_eq!(
            s.check("mitmachen", &token, UnixMs(1_000_000 + 25 * 3_600_000)),
            Err(FormTokenError::Expired)
        );
        assert_eq!(
            s.check("datenschutz", &token, UnixMs(1_003_000)),
            Err(FormTokenError::Invalid)
        );
        let tampered = token.replacen("1000000", "999000", 1);
        assert_eq!(
            s.check("mitmachen", &tampered, UnixMs(1_003_000)),
            Err(FormTokenError::Invalid)
        );
        assert_eq!(
            s.check("mitmachen", "", UnixMs(1_003_000)),
            Err(FormTokenError::Invalid)
        );
        let other = FormSigner::new(b"other".to_vec(), Duration::ZERO);
        assert_eq!(
            other.check("mitmachen", &token, UnixMs(1_003_000)),
            Err(FormTokenError::Invalid)
        );
    }
}
