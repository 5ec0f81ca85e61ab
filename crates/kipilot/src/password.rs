//! Password hashing with Argon2id.
//!
//! Hashing is deliberately slow (19 MiB, 2 passes), so it runs on the blocking pool and
//! never stalls the async workers that serve public pages.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};

/// Hashes a password into a PHC string (`$argon2id$…`).
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
    .await?
}

/// A real hash of a throw-away password, made once: verifying against it when the user does
/// not exist makes "unknown user" take as long as "wrong password", so timing does not
/// reveal which accounts exist.
static DUMMY_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

/// Checks `password` against `phc` (or the dummy hash when `phc` is `None`).
pub async fn verify(password: String, phc: Option<String>) -> bool {
    let known = phc.is_some();
    let phc = match phc {
        Some(phc) => phc,
        None => match DUMMY_HASH
            .get_or_try_init(|| hash("kipilot-dummy-password".to_owned()))
            .await
        {
            Ok(dummy) => dummy.clone(),
            Err(_) => return false,
        },
    };
    let ok = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    ok && known
}
