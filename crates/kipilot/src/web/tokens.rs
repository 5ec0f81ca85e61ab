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

/// Compares two secrets in constant time, so a CSRF token or a link signature cannot be
/// guessed byte by byte from response times.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token in the cookie `name` of a request, if it looks like one. Shared by the back
/// office and the participant area, which differ only in the cookie's name.
pub fn session_cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| looks_valid(v))
}

/// Whether a string from a URL or cookie can be a token at all; anything else is rejected
/// before touching the database.
pub fn looks_valid(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}
