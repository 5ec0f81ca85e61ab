//! Bookings of meetings (first calls, 1:1): availability settings, closed periods, the
//! double-booking guard, confirmation, cancellation, rescheduling, reminders and expiry.
//!
//! The guard: every booking blocks `[block_start_ms, block_end_ms)` (meeting plus buffers).
//! On PostgreSQL an exclusion constraint forbids overlapping active bookings, so concurrent
//! inserts serialize in the database and all but one fail with SQLSTATE 23P01. On SQLite the
//! booking transaction starts with `BEGIN IMMEDIATE` (one writer at a time) and re-checks for
//! an overlap before inserting. The re-check runs on PostgreSQL too, so the common case gets
//! its answer without provoking a constraint error. Every mail a change causes is written in
//! the same transaction.

use domain::UnixMs;
use serde::Serialize;

use crate::leads::ConsentGiven;
use crate::outbox::{NewMail, insert_mail};
use crate::{Db, Result, execute, with_pool, with_tx};

/// Booking states stored in `bookings.status`.
pub mod status {
    /// Waiting for the e-mail confirmation; holds the slot until `expires_ms`.
    pub const OFFEN: &str = "offen";
    /// Confirmed.
    pub const BESTAETIGT: &str = "bestaetigt";
    /// Cancelled by the visitor or the team.
    pub const ABGESAGT: &str = "abgesagt";
    /// Not confirmed in time; the slot is free again.
    pub const VERFALLEN: &str = "verfallen";

    /// German label.
    pub fn label(code: &str) -> &'static str {
        match code {
            OFFEN => "unbestätigt",
            BESTAETIGT => "bestätigt",
            ABGESAGT => "abgesagt",
            VERFALLEN => "verfallen",
            _ => "?",
        }
    }
}

/// The settings key holding a meeting kind's availability as JSON.
pub fn settings_key(kind_code: &str) -> String {
    format!("booking.{kind_code}")
}

/// A booking as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct BookingRow {
    /// Id; also the basis of the calendar UID.
    pub id: i64,
    /// Meeting kind code.
    pub kind: String,
    /// The lead it belongs to.
    pub lead_id: i64,
    /// See [`status`].
    pub status: String,
    /// Meeting start.
    pub start_ms: i64,
    /// Meeting end.
    pub end_ms: i64,
    /// Blocked from (start minus buffer).
    pub block_start_ms: i64,
    /// Blocked until (end plus buffer).
    pub block_end_ms: i64,
    /// Name as entered.
    pub name: String,
    /// Company as entered.
    pub company: String,
    /// E-mail as entered.
    pub email: String,
    /// Phone, optional.
    pub phone: Option<String>,
    /// Topic codes, comma-separated.
    pub topics: String,
    /// `video` or `telefon`.
    pub channel: String,
    /// Note from the visitor.
    pub message: Option<String>,
    /// Tracked-link source.
    pub source: Option<String>,
    /// Where: video link or phone note, fixed at booking time.
    pub location: String,
    /// iCalendar SEQUENCE: 0 when booked, +1 per reschedule or cancellation.
    pub sequence: i64,
    /// Booked at.
    pub created_ms: i64,
    /// Last change.
    pub updated_ms: i64,
    /// Unconfirmed bookings lapse at this instant.
    pub expires_ms: Option<i64>,
    /// Confirmed at.
    pub confirmed_ms: Option<i64>,
    /// Cancelled at.
    pub cancelled_ms: Option<i64>,
    /// Who cancelled: `kunde` or the team member's e-mail.
    pub cancelled_by: Option<String>,
    /// When the reminder is due.
    pub reminder_at_ms: Option<i64>,
    /// When the reminder was queued.
    pub reminder_sent_ms: Option<i64>,
}

const COLUMNS: &str = "id, kind, lead_id, status, start_ms, end_ms, block_start_ms, block_end_ms, name, company, email, phone, topics, channel, message, source, location, sequence, created_ms, updated_ms, expires_ms, confirmed_ms, cancelled_ms, cancelled_by, reminder_at_ms, reminder_sent_ms";

/// A booking to be made.
#[derive(Debug, Clone)]
pub struct NewBooking {
    /// Meeting kind code.
    pub kind: String,
    /// Start.
    pub start: UnixMs,
    /// End.
    pub end: UnixMs,
    /// Blocked range start (with buffer).
    pub block_start: UnixMs,
    /// Blocked range end (with buffer).
    pub block_end: UnixMs,
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
    /// Interest codes for a new lead (topics minus "sonstiges").
    pub interests: String,
    /// `video` or `telefon`.
    pub channel: String,
    /// Note.
    pub message: Option<String>,
    /// Tracked-link source.
    pub source: Option<String>,
    /// Video link or phone note.
    pub location: String,
    /// `Some(deadline)`: unconfirmed until the visitor confirms by mail; `None`: confirmed
    /// right away (participants, whose address is known).
    pub expires: Option<UnixMs>,
    /// Reminder instant, if any.
    pub reminder_at: Option<UnixMs>,
    /// The lead is known (participant link); otherwise found or created by e-mail.
    pub lead_id: Option<i64>,
    /// Line for the lead's history, e.g. "Erstgespräch gebucht für 03.12.2026, 09:00".
    pub note: String,
}

/// What happened to a booking attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookOutcome {
    /// Booked.
    Booked {
        /// New booking id.
        booking_id: i64,
        /// Lead id (created or updated).
        lead_id: i64,
    },
    /// Another active booking overlaps (with buffers): the slot is taken.
    Taken,
    /// The known lead no longer exists.
    NoLead,
}

/// Whether a driver error is PostgreSQL's exclusion violation (23P01) or a unique
/// violation on the bookings table: both mean "someone else got this slot first".
fn is_conflict(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("23P01"))
}

/// Runs `$body` (which yields `std::result::Result<T, E>`) in a transaction and commits only
/// on `Ok`; on `Err` the transaction is dropped (rolled back). SQLite starts with
/// `BEGIN IMMEDIATE`, so the re-check and the insert happen under the single write lock.
macro_rules! tx_commit_if_ok {
    ($db:expr, |$tx:ident| $body:expr) => {
        match $db {
            Db::Sqlite(pool) => {
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                if out.is_ok() {
                    $tx.commit().await?;
                }
                out
            }
            Db::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                let out = $body;
                if out.is_ok() {
                    $tx.commit().await?;
                }
                out
            }
        }
    };
}

/// Marks unconfirmed bookings past their deadline as lapsed, so they stop holding slots (the
/// lapse mail is queued later by [`lapse_due`]).
macro_rules! sweep_lapsed {
    ($conn:expr, $now:expr) => {{
        const SQL: &str = "UPDATE bookings SET status = 'verfallen', updated_ms = $1 WHERE status = 'offen' AND expires_ms <= $1";
        sqlx::query(SQL).bind($now.0).execute($conn).await?;
    }};
}

/// Counts active bookings (other than `except_id`) whose blocked range overlaps.
macro_rules! overlapping {
    ($conn:expr, $start:expr, $end:expr, $except:expr, $now:expr) => {{
        const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM bookings
             WHERE block_start_ms < $2 AND block_end_ms > $1 AND id <> $3
               AND (status = 'bestaetigt' OR (status = 'offen' AND expires_ms > $4))";
        let n: i64 = sqlx::query_scalar(SQL)
            .bind($start)
            .bind($end)
            .bind($except)
            .bind($now.0)
            .fetch_one($conn)
            .await?;
        n
    }};
}

/// Books a slot: re-checks for overlaps, creates or updates the lead (stage Erstgespräch for
/// new and early-stage leads, source kept from the first touch), records the consent, inserts
/// the booking and queues `mails(booking_id, lead_id, superseded)` — all in one transaction.
/// An unconfirmed booking of the same address and kind is replaced (cancelled, SEQUENCE
/// raised) and handed to `mails` so its invitation can be withdrawn. Returns
/// [`BookOutcome::Taken`] when another booking got there first; nothing is written then.
pub async fn book(
    db: &Db,
    new: &NewBooking,
    consent: Option<ConsentGiven<'_>>,
    now: UnixMs,
    mails: impl FnOnce(i64, i64, &[BookingRow]) -> Vec<NewMail>,
) -> Result<BookOutcome> {
    let email_key = new.email.to_lowercase();
    let result: std::result::Result<BookOutcome, BookOutcome> = tx_commit_if_ok!(db, |tx| {
        sweep_lapsed!(&mut *tx, now);
        // The address's own unconfirmed booking of this kind does not count: it is replaced
        // below (booking the same slot again after a missing mail must work).
        const CLASH: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM bookings
             WHERE block_start_ms < $2 AND block_end_ms > $1
               AND (status = 'bestaetigt' OR (status = 'offen' AND expires_ms > $3))
               AND NOT (status = 'offen' AND kind = $4 AND LOWER(email) = $5 AND $6)";
        let clash: i64 = sqlx::query_scalar(CLASH)
            .bind(new.block_start.0)
            .bind(new.block_end.0)
            .bind(now.0)
            .bind(&new.kind)
            .bind(&email_key)
            .bind(new.expires.is_some())
            .fetch_one(&mut *tx)
            .await?;
        if clash > 0 {
            Err(BookOutcome::Taken)
        } else {
            let lead_id: Option<i64> = match new.lead_id {
                Some(id) => {
                    const FIND: &str = "SELECT id FROM leads WHERE id = $1";
                    sqlx::query_scalar(FIND)
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => {
                    // ON CONFLICT: two bookings with one address at once must not fail.
                    const INSERT: &str = "INSERT INTO leads (company, name, email, email_key, phone, industry, company_size, interests, message, source,
                            status, stage, search_text, created_ms, updated_ms, confirmed_ms, last_mail_ms, mails_today)
                         VALUES ($1, $2, $3, $4, $5, '', '', $6, $7, $8, 'unbestaetigt', 'erstgespraech', $9, $10, $10, NULL, $10, 1)
                         ON CONFLICT (email_key) DO NOTHING RETURNING id";
                    let search = format!(
                        "{} {} {} {}",
                        new.company,
                        new.name,
                        new.email,
                        new.message.as_deref().unwrap_or("")
                    )
                    .to_lowercase();
                    let created: Option<i64> = sqlx::query_scalar(INSERT)
                        .bind(&new.company)
                        .bind(&new.name)
                        .bind(&new.email)
                        .bind(&email_key)
                        .bind(&new.phone)
                        .bind(&new.interests)
                        .bind(&new.message)
                        .bind(&new.source)
                        .bind(&search)
                        .bind(now.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                    match created {
                        Some(id) => Some(id),
                        None => {
                            const FIND: &str = "SELECT id FROM leads WHERE email_key = $1";
                            let id: i64 = sqlx::query_scalar(FIND)
                                .bind(&email_key)
                                .fetch_one(&mut *tx)
                                .await?;
                            const UPDATE: &str = "UPDATE leads SET source = COALESCE(source, $1), phone = COALESCE(phone, $2), updated_ms = $3 WHERE id = $4";
                            sqlx::query(UPDATE)
                                .bind(&new.source)
                                .bind(&new.phone)
                                .bind(now.0)
                                .bind(id)
                                .execute(&mut *tx)
                                .await?;
                            const STAGE: &str = "UPDATE leads SET stage = 'erstgespraech' WHERE id = $1 AND stage IN ('neu', 'kontaktiert')";
                            let moved = sqlx::query(STAGE)
                                .bind(id)
                                .execute(&mut *tx)
                                .await?
                                .rows_affected();
                            if moved == 1 {
                                const NOTE: &str = "INSERT INTO lead_notes (lead_id, kind, author, body, created_ms) VALUES ($1, 'phase', 'system', 'Phase geändert: → Erstgespräch (Termin gebucht)', $2)";
                                sqlx::query(NOTE)
                                    .bind(id)
                                    .bind(now.0)
                                    .execute(&mut *tx)
                                    .await?;
                            }
                            Some(id)
                        }
                    }
                }
            };
            match lead_id {
                None => Err(BookOutcome::NoLead),
                Some(lead_id) => {
                    // One unconfirmed booking per address and kind: a new one replaces the
                    // older, so a typo can be fixed by booking again and nobody can pile up
                    // held slots for someone else's address.
                    let superseded: Vec<BookingRow> = if new.expires.is_some() {
                        let sql = format!(
                            "UPDATE bookings SET status = 'abgesagt', cancelled_ms = $1, cancelled_by = 'ersetzt', sequence = sequence + 1,
                                 updated_ms = $1, lapse_notified_ms = $1
                             WHERE lead_id = $2 AND kind = $3 AND status = 'offen' RETURNING {COLUMNS}"
                        );
                        sqlx::query_as(sqlx::AssertSqlSafe(sql))
                            .bind(now.0)
                            .bind(lead_id)
                            .bind(&new.kind)
                            .fetch_all(&mut *tx)
                            .await?
                    } else {
                        Vec::new()
                    };
                    let status = if new.expires.is_some() {
                        status::OFFEN
                    } else {
                        status::BESTAETIGT
                    };
                    const INSERT: &str = "INSERT INTO bookings (kind, lead_id, status, start_ms, end_ms, block_start_ms, block_end_ms, name, company, email, phone,
                            topics, channel, message, source, location, sequence, created_ms, updated_ms, expires_ms, confirmed_ms, reminder_at_ms)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 0, $17, $17, $18, $19, $20) RETURNING id";
                    let inserted: std::result::Result<i64, sqlx::Error> =
                        sqlx::query_scalar(INSERT)
                            .bind(&new.kind)
                            .bind(lead_id)
                            .bind(status)
                            .bind(new.start.0)
                            .bind(new.end.0)
                            .bind(new.block_start.0)
                            .bind(new.block_end.0)
                            .bind(&new.name)
                            .bind(&new.company)
                            .bind(&new.email)
                            .bind(&new.phone)
                            .bind(&new.topics)
                            .bind(&new.channel)
                            .bind(&new.message)
                            .bind(&new.source)
                            .bind(&new.location)
                            .bind(now.0)
                            .bind(new.expires.map(|t| t.0))
                            .bind(new.expires.is_none().then_some(now.0))
                            .bind(new.reminder_at.map(|t| t.0))
                            .fetch_one(&mut *tx)
                            .await;
                    match inserted {
                        Err(e) if is_conflict(&e) => Err(BookOutcome::Taken),
                        Err(e) => return Err(e.into()),
                        Ok(booking_id) => {
                            const NOTE: &str = "INSERT INTO lead_notes (lead_id, kind, author, body, created_ms) VALUES ($1, 'termin', 'system', $2, $3)";
                            sqlx::query(NOTE)
                                .bind(lead_id)
                                .bind(&new.note)
                                .bind(now.0)
                                .execute(&mut *tx)
                                .await?;
                            if let Some(c) = consent {
                                const CONSENT: &str = "INSERT INTO consents (lead_id, event, form, text_version, text_hash, created_ms) VALUES ($1, 'erteilt', $2, $3, $4, $5)";
                                sqlx::query(CONSENT)
                                    .bind(lead_id)
                                    .bind(c.form)
                                    .bind(c.text_version)
                                    .bind(c.text_hash)
                                    .bind(now.0)
                                    .execute(&mut *tx)
                                    .await?;
                            }
                            for mail in mails(booking_id, lead_id, &superseded) {
                                insert_mail!(&mut *tx, mail, now)?;
                            }
                            Ok(BookOutcome::Booked {
                                booking_id,
                                lead_id,
                            })
                        }
                    }
                }
            }
        }
    });
    Ok(result.unwrap_or_else(|refused| refused))
}

/// One booking.
pub async fn get(db: &Db, id: i64) -> Result<Option<BookingRow>> {
    let sql = format!("SELECT {COLUMNS} FROM bookings WHERE id = $1");
    let row = with_pool!(db, |pool| sqlx::query_as::<_, BookingRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    Ok(row)
}

/// Blocked ranges of active bookings (any kind) that overlap `[from, to)`, as seen at `now`
/// (unconfirmed bookings past their deadline no longer count).
pub async fn busy(db: &Db, from: UnixMs, to: UnixMs, now: UnixMs) -> Result<Vec<(i64, i64)>> {
    const SQL: &str = "SELECT block_start_ms, block_end_ms FROM bookings
         WHERE status IN ('offen', 'bestaetigt') AND block_start_ms < $2 AND block_end_ms > $1
           AND (status = 'bestaetigt' OR expires_ms > $3)";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, (i64, i64)>(SQL)
        .bind(from.0)
        .bind(to.0)
        .bind(now.0)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Unconfirmed, still holding bookings of `kind` made with this address: a new booking by
/// the same address replaces them, so the page must not count them as taken.
pub async fn pending_for_email(
    db: &Db,
    kind: &str,
    email: &str,
    now: UnixMs,
) -> Result<Vec<BookingRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM bookings WHERE status = 'offen' AND expires_ms > $1 AND kind = $2 AND LOWER(email) = $3"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, BookingRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(now.0)
    .bind(kind)
    .bind(email.to_lowercase())
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

/// The outcome of a state change through a visitor's link.
#[derive(Debug, Clone)]
pub enum Change {
    /// Done; the booking after the change.
    Done(Box<BookingRow>),
    /// Nothing to do: the booking is already in the wanted state (a replayed link).
    AlreadyDone(Box<BookingRow>),
    /// The link is from an older version (rescheduled since).
    Outdated,
    /// The booking lapsed or was cancelled.
    Inactive(Box<BookingRow>),
    /// The meeting has already started.
    Past(Box<BookingRow>),
    /// Another booking overlaps the new time.
    Taken,
    /// No such booking.
    NotFound,
}

macro_rules! fetch_booking {
    ($conn:expr, $id:expr) => {{
        let sql = format!("SELECT {COLUMNS} FROM bookings WHERE id = $1");
        let row: Option<BookingRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind($id)
            .fetch_optional($conn)
            .await?;
        row
    }};
}

/// Confirms an unconfirmed booking (the visitor clicked the mail link): the booking and, if
/// still unconfirmed, the lead become confirmed, the consent confirmation is recorded and
/// `team_mail` is queued — in one transaction.
pub async fn confirm(
    db: &Db,
    id: i64,
    sequence: i64,
    consent: Option<ConsentGiven<'_>>,
    now: UnixMs,
    team_mail: impl FnOnce(&BookingRow) -> Vec<NewMail>,
) -> Result<Change> {
    Ok(with_tx!(db, |tx| {
        match fetch_booking!(&mut *tx, id) {
            None => Change::NotFound,
            Some(b)
                if b.status == status::ABGESAGT
                    || b.status == status::VERFALLEN
                    || (b.status == status::OFFEN && b.expires_ms.is_some_and(|e| e <= now.0)) =>
            {
                Change::Inactive(Box::new(b))
            }
            Some(b) if b.sequence != sequence => Change::Outdated,
            Some(b) if b.status == status::BESTAETIGT => Change::AlreadyDone(Box::new(b)),
            Some(b) if b.start_ms <= now.0 => Change::Past(Box::new(b)),
            Some(_) => {
                const CONFIRM: &str = "UPDATE bookings SET status = 'bestaetigt', confirmed_ms = $1, expires_ms = NULL, updated_ms = $1 WHERE id = $2";
                sqlx::query(CONFIRM)
                    .bind(now.0)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let b = fetch_booking!(&mut *tx, id)
                    .ok_or_else(|| crate::StoreError::Corrupt(format!("booking {id} vanished")))?;
                const LEAD: &str = "UPDATE leads SET status = 'bestaetigt', confirmed_ms = $1, updated_ms = $1 WHERE id = $2 AND status = 'unbestaetigt'";
                sqlx::query(LEAD)
                    .bind(now.0)
                    .bind(b.lead_id)
                    .execute(&mut *tx)
                    .await?;
                if let Some(c) = consent {
                    const CONSENT: &str = "INSERT INTO consents (lead_id, event, form, text_version, text_hash, created_ms) VALUES ($1, 'bestaetigt', $2, $3, $4, $5)";
                    sqlx::query(CONSENT)
                        .bind(b.lead_id)
                        .bind(c.form)
                        .bind(c.text_version)
                        .bind(c.text_hash)
                        .bind(now.0)
                        .execute(&mut *tx)
                        .await?;
                }
                for mail in team_mail(&b) {
                    insert_mail!(&mut *tx, mail, now)?;
                }
                Change::Done(Box::new(b))
            }
        }
    }))
}

/// Cancels an active booking (by the visitor's link when `sequence` is given, or by the team
/// with `None`), raises its SEQUENCE and queues `mails` (the METHOD:CANCEL invitations).
pub async fn cancel(
    db: &Db,
    id: i64,
    sequence: Option<i64>,
    by: &str,
    now: UnixMs,
    mails: impl FnOnce(&BookingRow) -> Vec<NewMail>,
) -> Result<Change> {
    Ok(with_tx!(db, |tx| {
        match fetch_booking!(&mut *tx, id) {
            None => Change::NotFound,
            Some(b) if b.status == status::ABGESAGT => Change::AlreadyDone(Box::new(b)),
            Some(b) if sequence.is_some_and(|s| s != b.sequence) => Change::Outdated,
            Some(b)
                if b.status != status::BESTAETIGT
                    && !(b.status == status::OFFEN && b.expires_ms.is_some_and(|e| e > now.0)) =>
            {
                Change::Inactive(Box::new(b))
            }
            Some(b) if b.start_ms <= now.0 => Change::Past(Box::new(b)),
            Some(b) => {
                const CANCEL: &str = "UPDATE bookings SET status = 'abgesagt', cancelled_ms = $1, cancelled_by = $2, sequence = sequence + 1, updated_ms = $1 WHERE id = $3 AND sequence = $4";
                sqlx::query(CANCEL)
                    .bind(now.0)
                    .bind(by)
                    .bind(id)
                    .bind(b.sequence)
                    .execute(&mut *tx)
                    .await?;
                let b = fetch_booking!(&mut *tx, id)
                    .ok_or_else(|| crate::StoreError::Corrupt(format!("booking {id} vanished")))?;
                const NOTE: &str = "INSERT INTO lead_notes (lead_id, kind, author, body, created_ms) VALUES ($1, 'termin', $2, $3, $4)";
                sqlx::query(NOTE)
                    .bind(b.lead_id)
                    .bind(by)
                    .bind(format!(
                        "Termin abgesagt ({})",
                        UnixMs(b.start_ms).format_short()
                    ))
                    .bind(now.0)
                    .execute(&mut *tx)
                    .await?;
                for mail in mails(&b) {
                    insert_mail!(&mut *tx, mail, now)?;
                }
                Change::Done(Box::new(b))
            }
        }
    }))
}

/// The new time of a rescheduled booking.
#[derive(Debug, Clone, Copy)]
pub struct NewTime {
    /// Start.
    pub start: UnixMs,
    /// End.
    pub end: UnixMs,
    /// Blocked from.
    pub block_start: UnixMs,
    /// Blocked until.
    pub block_end: UnixMs,
    /// Reminder instant.
    pub reminder_at: Option<UnixMs>,
}

/// Moves an active booking to a new time, keeping its UID and raising its SEQUENCE, and
/// queues `mails` (the updated invitation) — with the same overlap guard as [`book`].
pub async fn reschedule(
    db: &Db,
    id: i64,
    sequence: i64,
    to: NewTime,
    now: UnixMs,
    mails: impl FnOnce(&BookingRow) -> Vec<NewMail>,
) -> Result<Change> {
    let result: std::result::Result<Change, Change> = tx_commit_if_ok!(db, |tx| {
        sweep_lapsed!(&mut *tx, now);
        match fetch_booking!(&mut *tx, id) {
            None => Err(Change::NotFound),
            Some(b) if b.sequence != sequence => Err(Change::Outdated),
            Some(b) if b.status != status::BESTAETIGT && b.status != status::OFFEN => {
                Err(Change::Inactive(Box::new(b)))
            }
            Some(b) if b.start_ms <= now.0 => Err(Change::Past(Box::new(b))),
            Some(_) => {
                let clash = overlapping!(&mut *tx, to.block_start.0, to.block_end.0, id, now);
                if clash > 0 {
                    Err(Change::Taken)
                } else {
                    const MOVE: &str = "UPDATE bookings SET start_ms = $1, end_ms = $2, block_start_ms = $3, block_end_ms = $4, reminder_at_ms = $5,
                            reminder_sent_ms = NULL, sequence = sequence + 1, updated_ms = $6 WHERE id = $7 AND sequence = $8";
                    let moved = sqlx::query(MOVE)
                        .bind(to.start.0)
                        .bind(to.end.0)
                        .bind(to.block_start.0)
                        .bind(to.block_end.0)
                        .bind(to.reminder_at.map(|t| t.0))
                        .bind(now.0)
                        .bind(id)
                        .bind(sequence)
                        .execute(&mut *tx)
                        .await;
                    match moved {
                        Err(e) if is_conflict(&e) => Err(Change::Taken),
                        Err(e) => return Err(e.into()),
                        Ok(_) => {
                            let b = fetch_booking!(&mut *tx, id).ok_or_else(|| {
                                crate::StoreError::Corrupt(format!("booking {id} vanished"))
                            })?;
                            const NOTE: &str = "INSERT INTO lead_notes (lead_id, kind, author, body, created_ms) VALUES ($1, 'termin', 'system', $2, $3)";
                            sqlx::query(NOTE)
                                .bind(b.lead_id)
                                .bind(format!(
                                    "Termin verschoben auf {}",
                                    UnixMs(b.start_ms).format_short()
                                ))
                                .bind(now.0)
                                .execute(&mut *tx)
                                .await?;
                            for mail in mails(&b) {
                                insert_mail!(&mut *tx, mail, now)?;
                            }
                            Ok(Change::Done(Box::new(b)))
                        }
                    }
                }
            }
        }
    });
    Ok(result.unwrap_or_else(|refused| refused))
}

/// Queues the reminder for every confirmed booking whose reminder is due at `now` and not
/// yet sent, marking it sent in the same transaction (so running twice sends nothing twice;
/// the idempotency key guards the mail as well). Returns the number queued.
pub async fn queue_due_reminders(
    db: &Db,
    now: UnixMs,
    mail: impl Fn(&BookingRow) -> Option<NewMail>,
) -> Result<u64> {
    Ok(with_tx!(db, |tx| {
        let sql = format!(
            "SELECT {COLUMNS} FROM bookings WHERE status = 'bestaetigt' AND reminder_sent_ms IS NULL
               AND reminder_at_ms IS NOT NULL AND reminder_at_ms <= $1 AND start_ms > $1 ORDER BY start_ms LIMIT 200"
        );
        let due: Vec<BookingRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(now.0)
            .fetch_all(&mut *tx)
            .await?;
        let mut n = 0;
        for b in &due {
            if let Some(m) = mail(b) {
                insert_mail!(&mut *tx, m, now)?;
                n += 1;
            }
            const MARK: &str = "UPDATE bookings SET reminder_sent_ms = $1 WHERE id = $2";
            sqlx::query(MARK)
                .bind(now.0)
                .bind(b.id)
                .execute(&mut *tx)
                .await?;
        }
        n
    }))
}

/// Lapses unconfirmed bookings past their deadline and queues one notice per lapsed booking
/// (with METHOD:CANCEL, so a calendar that took the first invitation drops it). Returns the
/// number of notices queued.
pub async fn lapse_due(
    db: &Db,
    now: UnixMs,
    mail: impl Fn(&BookingRow) -> Vec<NewMail>,
) -> Result<u64> {
    Ok(with_tx!(db, |tx| {
        sweep_lapsed!(&mut *tx, now);
        let sql = format!(
            "SELECT {COLUMNS} FROM bookings WHERE status = 'verfallen' AND lapse_notified_ms IS NULL ORDER BY id LIMIT 200"
        );
        let lapsed: Vec<BookingRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *tx)
            .await?;
        let mut n = 0;
        for b in &lapsed {
            for m in mail(b) {
                insert_mail!(&mut *tx, m, now)?;
                n += 1;
            }
            const MARK: &str =
                "UPDATE bookings SET lapse_notified_ms = $1, sequence = sequence + 1 WHERE id = $2";
            sqlx::query(MARK)
                .bind(now.0)
                .bind(b.id)
                .execute(&mut *tx)
                .await?;
        }
        n
    }))
}

/// Filter for the back-office list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFilter {
    /// Active bookings that have not ended yet, soonest first.
    Upcoming,
    /// Everything, newest start first.
    All,
}

/// Bookings for the back office.
pub async fn list(db: &Db, filter: ListFilter, now: UnixMs, limit: i64) -> Result<Vec<BookingRow>> {
    let sql = match filter {
        ListFilter::Upcoming => format!(
            "SELECT {COLUMNS} FROM bookings WHERE status IN ('offen', 'bestaetigt') AND end_ms > $1 ORDER BY start_ms LIMIT $2"
        ),
        ListFilter::All => {
            format!("SELECT {COLUMNS} FROM bookings WHERE $1 = $1 ORDER BY start_ms DESC LIMIT $2")
        }
    };
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, BookingRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(now.0)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

/// Bookings of one lead, newest first (lead detail page and data export).
pub async fn for_lead(db: &Db, lead_id: i64) -> Result<Vec<BookingRow>> {
    let sql = format!("SELECT {COLUMNS} FROM bookings WHERE lead_id = $1 ORDER BY start_ms DESC");
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, BookingRow>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(lead_id)
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

/// A closed period.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct BlockRow {
    /// Id.
    pub id: i64,
    /// First day, `YYYY-MM-DD`.
    pub from_day: String,
    /// Last day, `YYYY-MM-DD`.
    pub to_day: String,
    /// Why (shown to the team only).
    pub note: String,
}

/// Closed periods ending today or later, soonest first.
pub async fn blocks(db: &Db, today: &str) -> Result<Vec<BlockRow>> {
    const SQL: &str = "SELECT id, from_day, to_day, note FROM booking_blocks WHERE to_day >= $1 ORDER BY from_day, id";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, BlockRow>(SQL)
        .bind(today)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Adds a closed period (days as `YYYY-MM-DD`, checked by the caller).
pub async fn add_block(db: &Db, from: &str, to: &str, note: &str, now: UnixMs) -> Result<()> {
    const SQL: &str =
        "INSERT INTO booking_blocks (from_day, to_day, note, created_ms) VALUES ($1, $2, $3, $4)";
    execute!(db, |pool| sqlx::query(SQL)
        .bind(from)
        .bind(to)
        .bind(note)
        .bind(now.0))?;
    Ok(())
}

/// Removes a closed period.
pub async fn delete_block(db: &Db, id: i64) -> Result<bool> {
    const SQL: &str = "DELETE FROM booking_blocks WHERE id = $1";
    Ok(execute!(db, |pool| sqlx::query(SQL).bind(id))? == 1)
}

/// Retention: deletes cancelled and lapsed bookings last changed before `inactive_cutoff`
/// and past meetings that ended before `past_cutoff`; returns how many.
pub async fn delete_old(db: &Db, inactive_cutoff: UnixMs, past_cutoff: UnixMs) -> Result<u64> {
    const SQL: &str = "DELETE FROM bookings WHERE (status IN ('abgesagt', 'verfallen') AND updated_ms < $1) OR end_ms < $2";
    Ok(execute!(db, |pool| sqlx::query(SQL)
        .bind(inactive_cutoff.0)
        .bind(past_cutoff.0))?)
}
