//! Participant accounts of the pilot companies: invitations, magic-link login, sessions,
//! deletion requests and retention.
//!
//! A company is a lead in stage "teilnehmer"; several people of that company get an account
//! each. Login and session tokens are stored only as SHA-256 hashes, like the team's sessions,
//! so a leaked database lets nobody log in. Every query that reads company data takes the
//! `lead_id` from the session, never from the request.

use domain::{LeadStage, UnixMs};

use crate::outbox::{NewMail, insert_mail};
use crate::{Db, Result, execute, with_pool, with_tx};

/// A participant account.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ParticipantRow {
    /// Id.
    pub id: i64,
    /// The company (lead) this person belongs to.
    pub lead_id: i64,
    /// Login e-mail as entered by the team.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role code: `ansprechperson` or `mitarbeitende`.
    pub role: String,
    /// Invited at.
    pub created_ms: i64,
    /// Last successful login.
    pub last_login_ms: Option<i64>,
    /// Last activity (login or request with a session); drives retention.
    pub last_seen_ms: i64,
    /// When the person asked for deletion, if they did.
    pub deletion_requested_ms: Option<i64>,
    /// What they asked to delete: `konto` (their account) or `unternehmen` (all company data).
    pub deletion_scope: Option<String>,
}

/// Stages in which a company's people may log in: access ends when the team moves the
/// company out of the pilot (e.g. to "abgelehnt").
const ACTIVE_STAGES: [LeadStage; 2] = [LeadStage::Teilnehmer, LeadStage::Referenzkunde];

/// The account columns, as a macro so queries stay `&'static str` (sqlx refuses built strings).
macro_rules! columns {
    () => {
        "id, lead_id, email, name, role, created_ms, last_login_ms, last_seen_ms, deletion_requested_ms, deletion_scope"
    };
}

/// A live participant session joined with its account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParticipantSession {
    /// Account id.
    pub participant_id: i64,
    /// Company.
    pub lead_id: i64,
    /// Name, for the page frame and the change history.
    pub name: String,
    /// Login e-mail.
    pub email: String,
    /// Role code.
    pub role: String,
    /// Anti-forgery token of this session.
    pub csrf_token: String,
    /// Expiry.
    pub expires_ms: i64,
}

/// Outcome of an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invite {
    /// A new account was created and the mail queued.
    Created(i64),
    /// The address already has an account (of this or another company); nothing changed.
    EmailTaken,
    /// The lead does not exist.
    NoLead,
}

/// Creates an account for `email` at company `lead_id` and queues the invitation mail with a
/// login token, in one transaction. `mail` builds the mail from the new account id.
#[allow(clippy::too_many_arguments)]
pub async fn invite(
    db: &Db,
    lead_id: i64,
    email: &str,
    name: &str,
    role: &str,
    token_hash: &str,
    token_expires: UnixMs,
    actor: &str,
    now: UnixMs,
    mail: impl FnOnce(i64) -> NewMail,
) -> Result<Invite> {
    let key = email.trim().to_lowercase();
    Ok(with_tx!(db, |tx| {
        let lead: Option<i64> = sqlx::query_scalar("SELECT id FROM leads WHERE id = $1")
            .bind(lead_id)
            .fetch_optional(&mut *tx)
            .await?;
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM participants WHERE email_key = $1")
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await?;
        if lead.is_none() {
            Invite::NoLead
        } else if taken.is_some() {
            Invite::EmailTaken
        } else {
            const INSERT: &str = "INSERT INTO participants (lead_id, email, email_key, name, role, created_ms, last_login_ms, last_seen_ms, deletion_requested_ms, deletion_scope)
                 VALUES ($1, $2, $3, $4, $5, $6, NULL, $6, NULL, NULL) RETURNING id";
            let id: i64 = sqlx::query_scalar(INSERT)
                .bind(lead_id)
                .bind(email.trim())
                .bind(&key)
                .bind(name)
                .bind(role)
                .bind(now.0)
                .fetch_one(&mut *tx)
                .await?;
            const TOKEN: &str = "INSERT INTO participant_login_tokens (token_hash, participant_id, created_ms, expires_ms, used_ms) VALUES ($1, $2, $3, $4, NULL)";
            sqlx::query(TOKEN)
                .bind(token_hash)
                .bind(id)
                .bind(now.0)
                .bind(token_expires.0)
                .execute(&mut *tx)
                .await?;
            let m = mail(id);
            insert_mail!(&mut *tx, m, now)?;
            sqlx::query(crate::audit::INSERT_SQL)
                .bind(now.0)
                .bind(actor)
                .bind("Teilnehmer-Konto angelegt und eingeladen")
                .bind(format!("teilnehmer #{id}, lead #{lead_id}"))
                .execute(&mut *tx)
                .await?;
            Invite::Created(id)
        }
    }))
}

/// Finds an account by e-mail (case-insensitive).
pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<ParticipantRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM participants WHERE email_key = $1"
    );
    let key = email.trim().to_lowercase();
    let row = with_pool!(db, |pool| sqlx::query_as::<_, ParticipantRow>(SQL)
        .bind(&key)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// One account by id.
pub async fn get(db: &Db, id: i64) -> Result<Option<ParticipantRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM participants WHERE id = $1");
    let row = with_pool!(db, |pool| sqlx::query_as::<_, ParticipantRow>(SQL)
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// All accounts of one company, oldest first.
pub async fn of_company(db: &Db, lead_id: i64) -> Result<Vec<ParticipantRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM participants WHERE lead_id = $1 ORDER BY id"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, ParticipantRow>(SQL)
        .bind(lead_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// All accounts, for the back-office overview (company order, then oldest first).
pub async fn all(db: &Db) -> Result<Vec<ParticipantRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM participants ORDER BY lead_id, id"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, ParticipantRow>(SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Issues a login link for the account with this address, if there is one and it has not
/// asked for more than `max_recent` links since `recent_since`. The newest link invalidates
/// older unused ones. Returns whether a mail was queued; callers answer the same either way.
#[allow(clippy::too_many_arguments)]
pub async fn request_login(
    db: &Db,
    email: &str,
    token_hash: &str,
    expires: UnixMs,
    recent_since: UnixMs,
    max_recent: i64,
    now: UnixMs,
    mail: impl FnOnce(&ParticipantRow) -> NewMail,
) -> Result<bool> {
    let Some(account) = find_by_email(db, email).await? else {
        return Ok(false);
    };
    const STAGE: &str = "SELECT stage FROM leads WHERE id = $1";
    let stage: Option<String> = with_pool!(db, |pool| sqlx::query_scalar(STAGE)
        .bind(account.lead_id)
        .fetch_optional(pool)
        .await)?;
    if !stage.is_some_and(|s| ACTIVE_STAGES.iter().any(|a| a.code() == s)) {
        return Ok(false);
    }
    Ok(with_tx!(db, |tx| {
        const RECENT: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM participant_login_tokens WHERE participant_id = $1 AND created_ms > $2";
        let recent: i64 = sqlx::query_scalar(RECENT)
            .bind(account.id)
            .bind(recent_since.0)
            .fetch_one(&mut *tx)
            .await?;
        if recent >= max_recent {
            false
        } else {
            // Older unused links stop working (they expire now) but stay counted for the cap.
            const OLD: &str = "UPDATE participant_login_tokens SET expires_ms = $1
                 WHERE participant_id = $2 AND used_ms IS NULL AND expires_ms > $1";
            sqlx::query(OLD)
                .bind(now.0)
                .bind(account.id)
                .execute(&mut *tx)
                .await?;
            const TOKEN: &str = "INSERT INTO participant_login_tokens (token_hash, participant_id, created_ms, expires_ms, used_ms) VALUES ($1, $2, $3, $4, NULL)";
            sqlx::query(TOKEN)
                .bind(token_hash)
                .bind(account.id)
                .bind(now.0)
                .bind(expires.0)
                .execute(&mut *tx)
                .await?;
            let m = mail(&account);
            insert_mail!(&mut *tx, m, now)?;
            true
        }
    }))
}

/// What a login link is worth right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Usable by this account.
    Valid(i64),
    /// Already used once.
    Used,
    /// Past its expiry.
    Expired,
    /// Unknown (never issued, replaced by a newer link, or the account is gone).
    Unknown,
}

/// Looks a login link up without using it (for the page with the login button). A link of a
/// company that has left the pilot is unknown.
pub async fn link_state(db: &Db, token_hash: &str, now: UnixMs) -> Result<LinkState> {
    const SQL: &str =
        "SELECT t.participant_id, t.expires_ms, t.used_ms FROM participant_login_tokens t
         JOIN participants p ON p.id = t.participant_id JOIN leads l ON l.id = p.lead_id
         WHERE t.token_hash = $1 AND l.stage IN ($2, $3)";
    let row: Option<(i64, i64, Option<i64>)> = with_pool!(db, |pool| sqlx::query_as(SQL)
        .bind(token_hash)
        .bind(ACTIVE_STAGES[0].code())
        .bind(ACTIVE_STAGES[1].code())
        .fetch_optional(pool)
        .await)?;
    Ok(match row {
        None => LinkState::Unknown,
        Some((_, _, Some(_))) => LinkState::Used,
        Some((_, expires, None)) if expires <= now.0 => LinkState::Expired,
        Some((id, _, None)) => LinkState::Valid(id),
    })
}

/// Uses a login link and opens a session, atomically: of two concurrent uses only one wins.
/// Returns the account id, or the reason the link does not work.
pub async fn redeem_link(
    db: &Db,
    token_hash: &str,
    session_hash: &str,
    csrf_token: &str,
    session_expires: UnixMs,
    now: UnixMs,
) -> Result<std::result::Result<i64, LinkState>> {
    let current = link_state(db, token_hash, now).await?;
    if !matches!(current, LinkState::Valid(_)) {
        return Ok(Err(current));
    }
    Ok(with_tx!(db, |tx| {
        const USE: &str = "UPDATE participant_login_tokens SET used_ms = $1
             WHERE token_hash = $2 AND used_ms IS NULL AND expires_ms > $1 RETURNING participant_id";
        let id: Option<i64> = sqlx::query_scalar(USE)
            .bind(now.0)
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
        match id {
            None => Err(LinkState::Used),
            Some(id) => {
                const SESSION: &str = "INSERT INTO participant_sessions (token_hash, participant_id, csrf_token, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)";
                sqlx::query(SESSION)
                    .bind(session_hash)
                    .bind(id)
                    .bind(csrf_token)
                    .bind(now.0)
                    .bind(session_expires.0)
                    .execute(&mut *tx)
                    .await?;
                const SEEN: &str =
                    "UPDATE participants SET last_login_ms = $1, last_seen_ms = $1 WHERE id = $2";
                sqlx::query(SEEN)
                    .bind(now.0)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(crate::audit::INSERT_SQL)
                    .bind(now.0)
                    .bind(format!("teilnehmer #{id}"))
                    .bind("Anmeldung im Teilnehmerbereich")
                    .bind("sessions")
                    .execute(&mut *tx)
                    .await?;
                Ok(id)
            }
        }
    }))
}

/// Looks up a live session of a company that is still in the pilot.
pub async fn session(db: &Db, token_hash: &str, now: UnixMs) -> Result<Option<ParticipantSession>> {
    const SQL: &str = "SELECT s.participant_id, p.lead_id, p.name, p.email, p.role, s.csrf_token, s.expires_ms
         FROM participant_sessions s JOIN participants p ON p.id = s.participant_id JOIN leads l ON l.id = p.lead_id
         WHERE s.token_hash = $1 AND s.expires_ms > $2 AND l.stage IN ($3, $4)";
    let row = with_pool!(db, |pool| sqlx::query_as::<_, ParticipantSession>(SQL)
        .bind(token_hash)
        .bind(now.0)
        .bind(ACTIVE_STAGES[0].code())
        .bind(ACTIVE_STAGES[1].code())
        .fetch_optional(pool)
        .await)?;
    Ok(row)
}

/// Extends a session's idle expiry and records activity (for retention).
pub async fn touch_session(db: &Db, token_hash: &str, expires: UnixMs, now: UnixMs) -> Result<()> {
    const SQL: &str = "UPDATE participant_sessions SET expires_ms = $1 WHERE token_hash = $2";
    execute!(db, |pool| sqlx::query(SQL).bind(expires.0).bind(token_hash))?;
    const SEEN: &str = "UPDATE participants SET last_seen_ms = $1 WHERE id = (SELECT participant_id FROM participant_sessions WHERE token_hash = $2)";
    execute!(db, |pool| sqlx::query(SEEN).bind(now.0).bind(token_hash))?;
    Ok(())
}

/// Ends a session (logout).
pub async fn delete_session(db: &Db, token_hash: &str) -> Result<()> {
    const SQL: &str = "DELETE FROM participant_sessions WHERE token_hash = $1";
    execute!(db, |pool| sqlx::query(SQL).bind(token_hash))?;
    Ok(())
}

/// Records a deletion request (`konto` or `unternehmen`); the team executes it.
pub async fn request_deletion(db: &Db, id: i64, scope: &str, now: UnixMs) -> Result<()> {
    const SQL: &str =
        "UPDATE participants SET deletion_requested_ms = $1, deletion_scope = $2 WHERE id = $3";
    execute!(db, |pool| sqlx::query(SQL).bind(now.0).bind(scope).bind(id))?;
    crate::audit::record(
        db,
        now,
        &format!("teilnehmer #{id}"),
        "Löschung beantragt",
        &format!("teilnehmer #{id}"),
    )
    .await
}

/// Deletes one account with its sessions and links, anonymises its name in the register
/// history, and leaves one anonymous audit entry. Returns false if there was nothing to
/// delete.
pub async fn erase(db: &Db, id: i64, actor: &str, reason: &str, now: UnixMs) -> Result<bool> {
    Ok(with_tx!(db, |tx| {
        const HISTORY: &str = "UPDATE register_history SET actor = 'gelöschtes Konto', participant_id = NULL WHERE participant_id = $1";
        sqlx::query(HISTORY).bind(id).execute(&mut *tx).await?;
        const LITERACY: &str =
            "UPDATE literacy_entries SET created_by = 'gelöschtes Konto' WHERE created_by = $1";
        sqlx::query(LITERACY)
            .bind(format!("teilnehmer #{id}"))
            .execute(&mut *tx)
            .await?;
        const MAILS: &str = "DELETE FROM outbox WHERE idempotency_key LIKE $1";
        sqlx::query(MAILS)
            .bind(format!("teilnehmer:{id}:%"))
            .execute(&mut *tx)
            .await?;
        const DELETE: &str = "DELETE FROM participants WHERE id = $1";
        let done = sqlx::query(DELETE).bind(id).execute(&mut *tx).await?;
        let erased = done.rows_affected() == 1;
        if erased {
            sqlx::query(crate::audit::INSERT_SQL)
                .bind(now.0)
                .bind(actor)
                .bind(format!("Teilnehmer-Konto gelöscht ({reason})"))
                .bind(format!("teilnehmer #{id}"))
                .execute(&mut *tx)
                .await?;
        }
        erased
    }))
}

/// Retention: removes used or expired login links and expired sessions. Returns the count.
pub async fn delete_stale_links_and_sessions(db: &Db, now: UnixMs) -> Result<u64> {
    const LINKS: &str =
        "DELETE FROM participant_login_tokens WHERE expires_ms < $1 OR used_ms IS NOT NULL";
    let links = execute!(db, |pool| sqlx::query(LINKS).bind(now.0))?;
    const SESSIONS: &str = "DELETE FROM participant_sessions WHERE expires_ms < $1";
    let sessions = execute!(db, |pool| sqlx::query(SESSIONS).bind(now.0))?;
    Ok(links + sessions)
}

/// Retention: ids of accounts without any activity since `cutoff`.
pub async fn inactive_since(db: &Db, cutoff: UnixMs) -> Result<Vec<i64>> {
    const SQL: &str = "SELECT id FROM participants WHERE last_seen_ms < $1 ORDER BY id";
    let ids = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(cutoff.0)
        .fetch_all(pool)
        .await)?;
    Ok(ids)
}
