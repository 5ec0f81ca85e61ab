//! Random secrets for links and sessions.
//!
//! A token is 32 random bytes in hex. Only its SHA-256 is stored, so someone who reads the
//! database cannot use a confirmation link or a session.

use sha2::{Digest, Sha256};

/// A fresh random token (64 hex characters).
pub fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(domain::hex::encode(&bytes))
}

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    domain::hex::encode(&Sha256::digest(token.as_bytes()))
}

/// Whether a string from a URL or cookie can be a token at all; anything else is rejected
/// before touching the database.
pub fn looks_valid(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}
