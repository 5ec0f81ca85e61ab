//! Round-tables: events, registrations with seats and a waitlist, minutes, and the
//! pain-point tables (tags and points) that the participant area reuses.
//!
//! Capacity is enforced inside one transaction per change: every statement that can take a
//! seat first "touches" the event row (`UPDATE events SET updated_ms = updated_ms`). On
//! PostgreSQL that takes the row lock, so concurrent confirmations for one event queue up
//! behind each other and each re-counts the seats after the previous one committed (READ
//! COMMITTED gives every statement a fresh snapshot). On SQLite `with_tx!` starts with
//! `BEGIN IMMEDIATE`, which already serialises writers; the touch is a harmless no-op
//! there. Either way the seat count is read after the lock, never before.
//!
//! Every mail is written into the outbox in the same transaction as its cause; the texts
//! come from the caller through [`EventMails`], so this module knows no wording.

use domain::events::{EventDraft, Registration};
use domain::{Email, UnixMs};
use serde::Serialize;

use crate::leads::ConsentGiven;
use crate::outbox::{NewMail, insert_mail};
use crate::{Db, Result, execute, with_pool, with_tx};

/// Confirmation links of a registration are valid this long.
pub const CONFIRM_HOURS: i64 = 72;
/// A pending registration gets at most one mail per this many milliseconds…
pub const RESEND_MIN_GAP_MS: i64 = 5 * 60 * 1000;
/// …and at most this many mails per 24 hours.
pub const MAX_MAILS_PER_DAY: i64 = 5;
/// Reminders go out this long before the start.
pub const REMINDER_BEFORE_MS: i64 = 24 * 3_600_000;
/// `pain_points.source_kind` of points raised at a round-table.
pub const SOURCE_EVENT: &str = "event";

/// Registration status codes.
pub mod status {
    /// Waiting for the double opt-in.
    pub const UNCONFIRMED: &str = "unbestaetigt";
    /// Confirmed with a seat.
    pub const SEAT: &str = "platz";
    /// Confirmed, waiting for a seat.
    pub const WAITLIST: &str = "warteliste";
    /// Cancelled by the person or removed by the team.
    pub const CANCELLED: &str = "abgesagt";

    /// German label for the back office and the personal page.
    pub fn label(code: &str) -> &'static str {
        match code {
            UNCONFIRMED => "unbestätigt",
            SEAT => "Platz",
            WAITLIST => "Warteliste",
            CANCELLED => "abgesagt",
            _ => "?",
        }
    }
}

/// An event as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct EventRow {
    /// Id.
    pub id: i64,
    /// Address part of `/veranstaltungen/{slug}`.
    pub slug: String,
    /// Title.
    pub title: String,
    /// Description (Markdown).
    pub description_md: String,
    /// Start.
    pub starts_ms: i64,
    /// Duration in minutes.
    pub duration_min: i64,
    /// Video-call link.
    pub online_url: String,
    /// Seats.
    pub capacity: i64,
    /// iCalendar `SEQUENCE`, raised with every change participants must see.
    pub ics_sequence: i64,
    /// Cancelled by the team at.
    pub cancelled_ms: Option<i64>,
    /// Minutes (Markdown), empty until written.
    pub minutes_md: String,
    /// Minutes released to the participants at.
    pub minutes_published_ms: Option<i64>,
    /// Created at.
    pub created_ms: i64,
    /// Changed at.
    pub updated_ms: i64,
}

impl EventRow {
    /// End instant.
    pub fn ends(&self) -> UnixMs {
        UnixMs(self.starts_ms).plus_ms(self.duration_min.saturating_mul(60_000))
    }

    /// A seat given less than [`REMINDER_BEFORE_MS`] before the start: the invitation is
    /// the reminder, so the worker must not send a second mail a minute later. Returns the
    /// value for `reminded_ms`.
    pub fn invitation_is_reminder(&self, now: UnixMs) -> Option<i64> {
        (self.starts_ms - now.0 <= REMINDER_BEFORE_MS).then_some(now.0)
    }

    /// Whether registration and cancellation are still possible at `now`.
    pub fn is_open(&self, now: UnixMs) -> bool {
        self.cancelled_ms.is_none() && self.starts_ms > now.0
    }
}

const EVENT_COLS: &str = "id, slug, title, description_md, starts_ms, duration_min, online_url, capacity, ics_sequence, cancelled_ms, minutes_md, minutes_published_ms, created_ms, updated_ms";

/// An event with its registration counts.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct EventWithCounts {
    /// The event.
    #[sqlx(flatten)]
    pub event: EventRow,
    /// Seats taken.
    pub seats: i64,
    /// Confirmed people waiting.
    pub waitlist: i64,
    /// Registrations waiting for the double opt-in.
    pub unconfirmed: i64,
}

const COUNT_COLS: &str = "CAST((SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = events.id AND r.status = 'platz') AS BIGINT) AS seats,
     CAST((SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = events.id AND r.status = 'warteliste') AS BIGINT) AS waitlist,
     CAST((SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = events.id AND r.status = 'unbestaetigt') AS BIGINT) AS unconfirmed";

/// A registration as stored.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct RegistrationRow {
    /// Id.
    pub id: i64,
    /// Event.
    pub event_id: i64,
    /// The lead with this address.
    pub lead_id: i64,
    /// Name as typed.
    pub name: String,
    /// E-mail as typed (domain lower-cased).
    pub email: String,
    /// See [`status`].
    pub status: String,
    /// Random value bound into the personal links; a new one invalidates the old links.
    #[serde(skip)]
    pub link_salt: String,
    /// Registered at.
    pub created_ms: i64,
    /// Last confirmation mail queued at (links expire after [`CONFIRM_HOURS`]).
    pub confirm_sent_ms: i64,
    /// Double opt-in confirmed at.
    pub confirmed_ms: Option<i64>,
    /// Got the seat at.
    pub seat_ms: Option<i64>,
    /// Cancelled at.
    pub cancelled_ms: Option<i64>,
    /// Reminder queued at.
    pub reminded_ms: Option<i64>,
}

const REG_COLS: &str = "id, event_id, lead_id, name, email, status, link_salt, created_ms, confirm_sent_ms, confirmed_ms, seat_ms, cancelled_ms, reminded_ms";

/// The texts of every mail this module queues; implemented by the web crate, which knows
/// the wording, the links and the calendar writer. `reg` always carries the current salt.
pub trait EventMails: Send + Sync {
    /// Double opt-in request.
    fn confirm(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail;
    /// Someone submitted the form again for an address that is already confirmed.
    fn already_registered(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail;
    /// Confirmed with a seat (invitation).
    fn seat(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail;
    /// Confirmed onto the waitlist at `position` (1-based).
    fn waitlisted(&self, event: &EventRow, reg: &RegistrationRow, position: i64) -> NewMail;
    /// Moved up from the waitlist (invitation).
    fn promoted(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail;
    /// Cancelled by the person (or removed by the team when `by_team`); `had_seat` says
    /// whether a calendar cancellation is due.
    fn cancelled(
        &self,
        event: &EventRow,
        reg: &RegistrationRow,
        had_seat: bool,
        by_team: bool,
    ) -> NewMail;
    /// Time, duration or link changed (updated invitation).
    fn changed(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail;
    /// The team cancelled the whole event.
    fn event_cancelled(&self, event: &EventRow, reg: &RegistrationRow, had_seat: bool) -> NewMail;
    /// 24 hours before the start.
    fn reminder(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail;
    /// The minutes are online.
    fn minutes(&self, event: &EventRow, reg: &RegistrationRow) -> NewMail;
}

macro_rules! queue {
    ($conn:expr, $mail:expr, $lead_id:expr, $now:expr) => {{
        let mail = NewMail {
            lead_id: Some($lead_id),
            ..$mail
        };
        insert_mail!($conn, mail, $now)?;
    }};
}

macro_rules! fetch_event {
    ($conn:expr, $id:expr) => {{
        let sql = format!("SELECT {EVENT_COLS} FROM events WHERE id = $1");
        sqlx::query_as::<_, EventRow>(sqlx::AssertSqlSafe(sql))
            .bind($id)
            .fetch_optional($conn)
            .await?
    }};
}

macro_rules! fetch_reg {
    ($conn:expr, $id:expr) => {{
        let sql = format!("SELECT {REG_COLS} FROM event_registrations WHERE id = $1");
        sqlx::query_as::<_, RegistrationRow>(sqlx::AssertSqlSafe(sql))
            .bind($id)
            .fetch_optional($conn)
            .await?
    }};
}

/// Takes the event row's lock (PostgreSQL) inside the current transaction; see the module
/// documentation. Returns whether the event exists.
macro_rules! lock_event {
    ($conn:expr, $id:expr) => {{
        const SQL: &str = "UPDATE events SET updated_ms = updated_ms WHERE id = $1";
        sqlx::query(SQL)
            .bind($id)
            .execute($conn)
            .await?
            .rows_affected()
            == 1
    }};
}

macro_rules! count_status {
    ($conn:expr, $event_id:expr, $status:expr) => {{
        const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM event_registrations WHERE event_id = $1 AND status = $2";
        let n: i64 = sqlx::query_scalar(SQL)
            .bind($event_id)
            .bind($status)
            .fetch_one($conn)
            .await?;
        n
    }};
}

macro_rules! lead_note {
    ($conn:expr, $lead_id:expr, $body:expr, $now:expr) => {{
        const SQL: &str = "INSERT INTO lead_notes (lead_id, kind, author, body, created_ms) VALUES ($1, 'veranstaltung', 'system', $2, $3)";
        sqlx::query(SQL)
            .bind($lead_id)
            .bind($body)
            .bind($now.0)
            .execute($conn)
            .await?;
    }};
}

/// Moves waitlisted people up while seats are free (oldest confirmation first) and queues
/// their invitation. Only for open events.
macro_rules! promote_waitlist {
    ($conn:expr, $event:expr, $mails:expr, $now:expr) => {{
        let mut promoted: Vec<i64> = Vec::new();
        if $event.is_open($now) {
            loop {
                let seats = count_status!(&mut *$conn, $event.id, status::SEAT);
                if seats >= $event.capacity {
                    break;
                }
                let sql = format!(
                    "SELECT {REG_COLS} FROM event_registrations WHERE event_id = $1 AND status = 'warteliste' ORDER BY confirmed_ms, id LIMIT 1"
                );
                let next: Option<RegistrationRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .bind($event.id)
                        .fetch_optional(&mut *$conn)
                        .await?;
                let Some(mut reg) = next else { break };
                const SEAT: &str =
                    "UPDATE event_registrations SET status = 'platz', seat_ms = $1, reminded_ms = $2 WHERE id = $3";
                let reminded = $event.invitation_is_reminder($now);
                sqlx::query(SEAT)
                    .bind($now.0)
                    .bind(reminded)
                    .bind(reg.id)
                    .execute(&mut *$conn)
                    .await?;
                reg.status = status::SEAT.to_owned();
                reg.seat_ms = Some($now.0);
                reg.reminded_ms = reminded;
                queue!(&mut *$conn, $mails.promoted(&$event, &reg), reg.lead_id, $now);
                lead_note!(
                    &mut *$conn,
                    reg.lead_id,
                    format!("„{}“: von der Warteliste nachgerückt.", $event.title),
                    $now
                );
                promoted.push(reg.id);
            }
        }
        promoted
    }};
}

/// The lead with this address, or a new unconfirmed one carrying the tracked source.
macro_rules! find_or_create_lead {
    ($conn:expr, $reg:expr, $company:expr, $email_key:expr, $now:expr) => {{
        const FIND: &str = "SELECT id FROM leads WHERE email_key = $1";
        let found: Option<i64> = sqlx::query_scalar(FIND)
            .bind($email_key)
            .fetch_optional(&mut *$conn)
            .await?;
        match found {
            Some(id) => id,
            None => {
                // Registrants give no industry or size; "–" keeps the pipeline readable.
                let company = $company.unwrap_or("–");
                let search = format!("{} {} {}", company, $reg.name, $reg.email.as_str()).to_lowercase();
                const INSERT: &str = "INSERT INTO leads (company, name, email, email_key, phone, industry, company_size, interests, message, source,
                        status, stage, search_text, created_ms, updated_ms, confirmed_ms, last_mail_ms, mails_today)
                     VALUES ($1, $2, $3, $4, NULL, '', '', '', NULL, $5, 'unbestaetigt', 'neu', $6, $7, $7, NULL, 0, 0)
                     ON CONFLICT (email_key) DO NOTHING RETURNING id";
                // Two registrations of one new address for different events may race: the
                // loser of the unique key reads the winner's lead instead of failing.
                let inserted: Option<i64> = sqlx::query_scalar(INSERT)
                    .bind(company)
                    .bind(&$reg.name)
                    .bind($reg.email.as_str())
                    .bind($email_key)
                    .bind(&$reg.source)
                    .bind(&search)
                    .bind($now.0)
                    .fetch_optional(&mut *$conn)
                    .await?;
                match inserted {
                    Some(id) => id,
                    None => {
                        let id: i64 = sqlx::query_scalar(FIND)
                            .bind($email_key)
                            .fetch_one(&mut *$conn)
                            .await?;
                        id
                    }
                }
            }
        }
    }};
}

/// Whether another mail may go to this registration now, and the new daily count.
fn mail_allowance(now: UnixMs, last_mail_ms: i64, mails_today: i64) -> (bool, i64) {
    let today = if last_mail_ms < now.minus_days(1).0 {
        0
    } else {
        mails_today
    };
    let may = now.0 - last_mail_ms >= RESEND_MIN_GAP_MS && today < MAX_MAILS_PER_DAY;
    (may, today + 1)
}

// ---------------------------------------------------------------------------------------
// Events

/// Creates an event.
pub async fn create_event(db: &Db, draft: &EventDraft, now: UnixMs) -> Result<i64> {
    const SQL: &str = "INSERT INTO events (slug, title, description_md, starts_ms, duration_min, online_url, capacity, ics_sequence, cancelled_ms, minutes_md, minutes_published_ms, created_ms, updated_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, NULL, '', NULL, $8, $8) RETURNING id";
    let id = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(&draft.slug)
        .bind(&draft.title)
        .bind(&draft.description_md)
        .bind(draft.starts.0)
        .bind(draft.duration_min)
        .bind(&draft.online_url)
        .bind(draft.capacity)
        .bind(now.0)
        .fetch_one(pool)
        .await)?;
    Ok(id)
}

/// What saving an edited event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// Saved; `notified` seat holders got an updated invitation, `promoted` people moved up.
    Saved {
        /// Updated invitations queued.
        notified: usize,
        /// Registrations promoted because the capacity grew.
        promoted: usize,
    },
    /// The new capacity is below the seats already taken.
    CapacityBelowSeats(i64),
    /// No such event.
    NotFound,
}

/// Saves an edited event. A change of time, duration or link raises the calendar
/// `SEQUENCE` and sends seat holders an updated invitation; more seats promote waitlisted
/// people. Fewer seats than already taken is refused.
pub async fn update_event(
    db: &Db,
    id: i64,
    draft: &EventDraft,
    now: UnixMs,
    mails: &dyn EventMails,
) -> Result<UpdateOutcome> {
    Ok(with_tx!(db, |tx| {
        if !lock_event!(&mut *tx, id) {
            UpdateOutcome::NotFound
        } else {
            let old: Option<EventRow> = fetch_event!(&mut *tx, id);
            let seats = count_status!(&mut *tx, id, status::SEAT);
            match old {
                None => UpdateOutcome::NotFound,
                Some(_) if draft.capacity < seats => UpdateOutcome::CapacityBelowSeats(seats),
                Some(old) => {
                    let moved = old.starts_ms != draft.starts.0
                        || old.duration_min != draft.duration_min
                        || old.online_url != draft.online_url
                        || old.title != draft.title;
                    let sequence = old.ics_sequence + i64::from(moved);
                    const SQL: &str = "UPDATE events SET slug = $1, title = $2, description_md = $3, starts_ms = $4, duration_min = $5, online_url = $6,
                            capacity = $7, ics_sequence = $8, updated_ms = $9 WHERE id = $10";
                    sqlx::query(SQL)
                        .bind(&draft.slug)
                        .bind(&draft.title)
                        .bind(&draft.description_md)
                        .bind(draft.starts.0)
                        .bind(draft.duration_min)
                        .bind(&draft.online_url)
                        .bind(draft.capacity)
                        .bind(sequence)
                        .bind(now.0)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    let event: Option<EventRow> = fetch_event!(&mut *tx, id);
                    let Some(event) = event else {
                        return Err(crate::StoreError::Corrupt(format!("event #{id} vanished")));
                    };
                    let mut notified = 0;
                    if moved && event.cancelled_ms.is_none() {
                        if old.starts_ms != event.starts_ms {
                            // A new time deserves a new reminder.
                            const RESET: &str = "UPDATE event_registrations SET reminded_ms = NULL WHERE event_id = $1";
                            sqlx::query(RESET).bind(id).execute(&mut *tx).await?;
                        }
                        let sql = format!(
                            "SELECT {REG_COLS} FROM event_registrations WHERE event_id = $1 AND status = 'platz' ORDER BY id"
                        );
                        let holders: Vec<RegistrationRow> =
                            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                                .bind(id)
                                .fetch_all(&mut *tx)
                                .await?;
                        for reg in &holders {
                            queue!(&mut *tx, mails.changed(&event, reg), reg.lead_id, now);
                        }
                        notified = holders.len();
                    }
                    let promoted = promote_waitlist!(&mut *tx, event, mails, now).len();
                    UpdateOutcome::Saved { notified, promoted }
                }
            }
        }
    }))
}

/// Cancels an event: everyone confirmed gets a mail (seat holders with a calendar
/// cancellation). Returns the number of mails queued, or `None` if there was nothing to
/// cancel (unknown or already cancelled).
pub async fn cancel_event(
    db: &Db,
    id: i64,
    now: UnixMs,
    mails: &dyn EventMails,
) -> Result<Option<usize>> {
    Ok(with_tx!(db, |tx| {
        let _ = lock_event!(&mut *tx, id);
        let event: Option<EventRow> = fetch_event!(&mut *tx, id);
        match event {
            Some(event) if event.cancelled_ms.is_none() => {
                const SQL: &str = "UPDATE events SET cancelled_ms = $1, ics_sequence = ics_sequence + 1, updated_ms = $1 WHERE id = $2";
                sqlx::query(SQL)
                    .bind(now.0)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let event = EventRow {
                    cancelled_ms: Some(now.0),
                    ics_sequence: event.ics_sequence + 1,
                    ..event
                };
                let sql = format!(
                    "SELECT {REG_COLS} FROM event_registrations WHERE event_id = $1 AND status IN ('platz', 'warteliste') ORDER BY id"
                );
                let regs: Vec<RegistrationRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                for reg in &regs {
                    let mail = mails.event_cancelled(&event, reg, reg.status == status::SEAT);
                    queue!(&mut *tx, mail, reg.lead_id, now);
                }
                Some(regs.len())
            }
            _ => None,
        }
    }))
}

/// Whether `slug` is used by another event than `except`.
pub async fn slug_taken(db: &Db, slug: &str, except: Option<i64>) -> Result<bool> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM events WHERE slug = $1 AND id <> $2";
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(slug)
        .bind(except.unwrap_or(-1))
        .fetch_one(pool)
        .await)?;
    Ok(n > 0)
}

/// One event by id, with counts.
pub async fn get(db: &Db, id: i64) -> Result<Option<EventWithCounts>> {
    let sql = format!("SELECT {EVENT_COLS}, {COUNT_COLS} FROM events WHERE id = $1");
    let row = with_pool!(db, |pool| sqlx::query_as::<_, EventWithCounts>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    Ok(row)
}

/// One event by its address, with counts.
pub async fn by_slug(db: &Db, slug: &str) -> Result<Option<EventWithCounts>> {
    let sql = format!("SELECT {EVENT_COLS}, {COUNT_COLS} FROM events WHERE slug = $1");
    let row = with_pool!(db, |pool| sqlx::query_as::<_, EventWithCounts>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(slug)
    .fetch_optional(pool)
    .await)?;
    Ok(row)
}

/// All events for the back office, upcoming first (soonest on top), then past ones.
pub async fn all(db: &Db, now: UnixMs) -> Result<Vec<EventWithCounts>> {
    let sql = format!(
        "SELECT {EVENT_COLS}, {COUNT_COLS} FROM events
         ORDER BY CASE WHEN starts_ms >= $1 THEN 0 ELSE 1 END, CASE WHEN starts_ms >= $1 THEN starts_ms ELSE -starts_ms END LIMIT 500"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, EventWithCounts>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(now.0)
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

/// Upcoming events for the public list (cancelled ones stay listed, marked, until they
/// would have started).
pub async fn upcoming(db: &Db, now: UnixMs) -> Result<Vec<EventWithCounts>> {
    let sql = format!(
        "SELECT {EVENT_COLS}, {COUNT_COLS} FROM events WHERE starts_ms > $1 ORDER BY starts_ms LIMIT 50"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, EventWithCounts>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(now.0)
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

/// The most recent event that was not cancelled: the template of the monthly helper.
pub async fn latest(db: &Db) -> Result<Option<EventRow>> {
    let sql = format!(
        "SELECT {EVENT_COLS} FROM events WHERE cancelled_ms IS NULL ORDER BY starts_ms DESC LIMIT 1"
    );
    let row = with_pool!(db, |pool| sqlx::query_as::<_, EventRow>(
        sqlx::AssertSqlSafe(sql)
    )
    .fetch_optional(pool)
    .await)?;
    Ok(row)
}

/// Stores the minutes (not yet visible to anybody).
pub async fn save_minutes(db: &Db, id: i64, minutes_md: &str, now: UnixMs) -> Result<bool> {
    const SQL: &str = "UPDATE events SET minutes_md = $1, updated_ms = $2 WHERE id = $3";
    Ok(execute!(db, |pool| sqlx::query(SQL)
        .bind(minutes_md)
        .bind(now.0)
        .bind(id))?
        == 1)
}

/// Releases the minutes to the confirmed registrants (seat or waitlist) and queues the
/// "Protokoll ist online" mail to each; repeated calls queue nothing new. Returns the number
/// of mails queued, `None` if the event does not exist.
pub async fn publish_minutes(
    db: &Db,
    id: i64,
    now: UnixMs,
    mails: &dyn EventMails,
) -> Result<Option<usize>> {
    Ok(with_tx!(db, |tx| {
        const SQL: &str = "UPDATE events SET minutes_published_ms = COALESCE(minutes_published_ms, $1), updated_ms = $1 WHERE id = $2";
        sqlx::query(SQL)
            .bind(now.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let event: Option<EventRow> = fetch_event!(&mut *tx, id);
        match event {
            None => None,
            Some(event) => {
                let sql = format!(
                    "SELECT {REG_COLS} FROM event_registrations WHERE event_id = $1 AND status IN ('platz', 'warteliste') ORDER BY id"
                );
                let regs: Vec<RegistrationRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                let mut queued = 0;
                for reg in &regs {
                    let mail = NewMail {
                        lead_id: Some(reg.lead_id),
                        ..mails.minutes(&event, reg)
                    };
                    // The idempotency key is per registration: a second release sends nothing.
                    queued += insert_mail!(&mut *tx, mail, now)?.rows_affected() as usize;
                }
                Some(queued)
            }
        }
    }))
}

/// Withdraws the minutes from the participants' links.
pub async fn unpublish_minutes(db: &Db, id: i64, now: UnixMs) -> Result<bool> {
    const SQL: &str =
        "UPDATE events SET minutes_published_ms = NULL, updated_ms = $1 WHERE id = $2";
    Ok(execute!(db, |pool| sqlx::query(SQL).bind(now.0).bind(id))? == 1)
}

// ---------------------------------------------------------------------------------------
// Registrations

/// Why a registration or confirmation was not possible; each maps to a German message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// The team cancelled the event.
    Cancelled,
    /// The event has started or is over.
    Past,
    /// No such event.
    NotFound,
}

fn closed(event: &EventRow, now: UnixMs) -> Option<Closed> {
    if event.cancelled_ms.is_some() {
        Some(Closed::Cancelled)
    } else if event.starts_ms <= now.0 {
        Some(Closed::Past)
    } else {
        None
    }
}

/// What a submitted registration did. The public page is the same in every case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// New (or renewed after a cancellation) registration; confirmation mail queued.
    Created(i64),
    /// Still pending; data updated and, unless rate-limited, a fresh link mailed.
    Pending {
        /// Registration id.
        id: i64,
        /// Whether a mail was queued.
        mailed: bool,
    },
    /// Already confirmed; a reminder of the personal link was mailed unless rate-limited.
    AlreadyConfirmed {
        /// Registration id.
        id: i64,
        /// Whether a mail was queued.
        mailed: bool,
    },
    /// Registration is closed.
    Closed(Closed),
}

/// Stores a registration for `event_id` and queues the double opt-in mail. The address is
/// linked to its lead; an unknown address becomes a new unconfirmed lead with `source`.
/// `salt` is a fresh random value for the links of a new or renewed registration.
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    db: &Db,
    event_id: i64,
    reg: &Registration,
    company: Option<&str>,
    consent: ConsentGiven<'_>,
    salt: &str,
    now: UnixMs,
    mails: &dyn EventMails,
) -> Result<SubmitOutcome> {
    let email_key = reg.email.as_str().to_lowercase();
    Ok(with_tx!(db, |tx| {
        let _ = lock_event!(&mut *tx, event_id);
        let event: Option<EventRow> = fetch_event!(&mut *tx, event_id);
        let event = match event {
            None => return Ok(SubmitOutcome::Closed(Closed::NotFound)),
            Some(e) => e,
        };
        if let Some(why) = closed(&event, now) {
            return Ok(SubmitOutcome::Closed(why));
        }
        let lead_id = find_or_create_lead!(&mut *tx, reg, company, &email_key, now);
        const CONSENT: &str = "INSERT INTO consents (lead_id, event, form, text_version, text_hash, created_ms) VALUES ($1, 'erteilt', $2, $3, $4, $5)";
        sqlx::query(CONSENT)
            .bind(lead_id)
            .bind(consent.form)
            .bind(consent.text_version)
            .bind(consent.text_hash)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        const FIND: &str = "SELECT id, status, last_mail_ms, mails_today FROM event_registrations WHERE event_id = $1 AND email_key = $2";
        let existing: Option<(i64, String, i64, i64)> = sqlx::query_as(FIND)
            .bind(event_id)
            .bind(&email_key)
            .fetch_optional(&mut *tx)
            .await?;
        match existing {
            None => {
                const INSERT: &str = "INSERT INTO event_registrations (event_id, lead_id, name, email, email_key, status, link_salt, created_ms, confirm_sent_ms,
                        confirmed_ms, seat_ms, cancelled_ms, reminded_ms, last_mail_ms, mails_today)
                     VALUES ($1, $2, $3, $4, $5, 'unbestaetigt', $6, $7, $7, NULL, NULL, NULL, NULL, $7, 1) RETURNING id";
                let id: i64 = sqlx::query_scalar(INSERT)
                    .bind(event_id)
                    .bind(lead_id)
                    .bind(&reg.name)
                    .bind(reg.email.as_str())
                    .bind(&email_key)
                    .bind(salt)
                    .bind(now.0)
                    .fetch_one(&mut *tx)
                    .await?;
                let row: Option<RegistrationRow> = fetch_reg!(&mut *tx, id);
                if let Some(row) = row {
                    queue!(&mut *tx, mails.confirm(&event, &row), lead_id, now);
                }
                SubmitOutcome::Created(id)
            }
            Some((id, current, last_mail_ms, mails_today)) => {
                let (may, count) = mail_allowance(now, last_mail_ms, mails_today);
                let renew = current == status::CANCELLED;
                if renew || current == status::UNCONFIRMED {
                    if renew || may {
                        // A renewed or re-sent registration gets a new salt: only the
                        // newest link works.
                        const RESET: &str = "UPDATE event_registrations SET name = $1, email = $2, status = 'unbestaetigt', link_salt = $3, confirm_sent_ms = $4,
                                confirmed_ms = NULL, seat_ms = NULL, cancelled_ms = NULL, reminded_ms = NULL, last_mail_ms = $4, mails_today = $5, lead_id = $6 WHERE id = $7";
                        sqlx::query(RESET)
                            .bind(&reg.name)
                            .bind(reg.email.as_str())
                            .bind(salt)
                            .bind(now.0)
                            .bind(if may { count } else { mails_today + 1 })
                            .bind(lead_id)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        let row: Option<RegistrationRow> = fetch_reg!(&mut *tx, id);
                        if let Some(row) = row {
                            queue!(&mut *tx, mails.confirm(&event, &row), lead_id, now);
                        }
                        if renew {
                            SubmitOutcome::Created(id)
                        } else {
                            SubmitOutcome::Pending { id, mailed: true }
                        }
                    } else {
                        const NAME: &str = "UPDATE event_registrations SET name = $1 WHERE id = $2";
                        sqlx::query(NAME)
                            .bind(&reg.name)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        SubmitOutcome::Pending { id, mailed: false }
                    }
                } else {
                    if may {
                        let row: Option<RegistrationRow> = fetch_reg!(&mut *tx, id);
                        if let Some(row) = row {
                            queue!(
                                &mut *tx,
                                mails.already_registered(&event, &row),
                                lead_id,
                                now
                            );
                        }
                        const MAILED: &str = "UPDATE event_registrations SET last_mail_ms = $1, mails_today = $2 WHERE id = $3";
                        sqlx::query(MAILED)
                            .bind(now.0)
                            .bind(count)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    SubmitOutcome::AlreadyConfirmed { id, mailed: may }
                }
            }
        }
    }))
}

/// What a confirmation link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmOutcome {
    /// Confirmed with a seat.
    Seat,
    /// Confirmed onto the waitlist at this position.
    Waitlist(i64),
    /// Confirmed earlier already (the link was used twice); current status code.
    AlreadyConfirmed(&'static str),
    /// The link is older than [`CONFIRM_HOURS`].
    Expired,
    /// The registration was cancelled or the link replaced.
    Invalid,
    /// Registration closed meanwhile.
    Closed(Closed),
}

/// The registration a personal link names, if its salt still matches (the web layer has
/// already checked the signature over id and salt).
pub async fn registration(db: &Db, id: i64) -> Result<Option<RegistrationRow>> {
    let sql = format!("SELECT {REG_COLS} FROM event_registrations WHERE id = $1");
    let row = with_pool!(db, |pool| sqlx::query_as::<_, RegistrationRow>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    Ok(row)
}

/// Confirms the double opt-in of registration `id` whose link carried `salt`: takes a seat
/// if one is free (counted under the event lock), otherwise a waitlist place; records the
/// consent confirmation, confirms a lead that this registration created, and queues the
/// invitation or waitlist mail — one transaction.
pub async fn confirm(
    db: &Db,
    id: i64,
    salt: &str,
    consent: ConsentGiven<'_>,
    now: UnixMs,
    mails: &dyn EventMails,
) -> Result<ConfirmOutcome> {
    Ok(with_tx!(db, |tx| {
        let first: Option<RegistrationRow> = fetch_reg!(&mut *tx, id);
        let Some(first) = first else {
            return Ok(ConfirmOutcome::Invalid);
        };
        let _ = lock_event!(&mut *tx, first.event_id);
        // Re-read under the lock: a concurrent confirmation of the same link may have won.
        let reg: Option<RegistrationRow> = fetch_reg!(&mut *tx, id);
        let event: Option<EventRow> = fetch_event!(&mut *tx, first.event_id);
        let (Some(mut reg), Some(event)) = (reg, event) else {
            return Ok(ConfirmOutcome::Invalid);
        };
        if reg.link_salt != salt {
            return Ok(ConfirmOutcome::Invalid);
        }
        match reg.status.as_str() {
            status::SEAT => return Ok(ConfirmOutcome::AlreadyConfirmed(status::SEAT)),
            status::WAITLIST => return Ok(ConfirmOutcome::AlreadyConfirmed(status::WAITLIST)),
            status::UNCONFIRMED => {}
            _ => return Ok(ConfirmOutcome::Invalid),
        }
        if let Some(why) = closed(&event, now) {
            return Ok(ConfirmOutcome::Closed(why));
        }
        if now.0 - reg.confirm_sent_ms > CONFIRM_HOURS * 3_600_000 {
            return Ok(ConfirmOutcome::Expired);
        }
        let seats = count_status!(&mut *tx, event.id, status::SEAT);
        let waiting = count_status!(&mut *tx, event.id, status::WAITLIST);
        let gets_seat = seats < event.capacity && waiting == 0;
        let new_status = if gets_seat {
            status::SEAT
        } else {
            status::WAITLIST
        };
        let reminded = if gets_seat {
            event.invitation_is_reminder(now)
        } else {
            None
        };
        const SQL: &str = "UPDATE event_registrations SET status = $1, confirmed_ms = $2, seat_ms = $3, reminded_ms = $4 WHERE id = $5 AND status = 'unbestaetigt'";
        sqlx::query(SQL)
            .bind(new_status)
            .bind(now.0)
            .bind(gets_seat.then_some(now.0))
            .bind(reminded)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        reg.reminded_ms = reminded;
        reg.status = new_status.to_owned();
        reg.confirmed_ms = Some(now.0);
        reg.seat_ms = gets_seat.then_some(now.0);
        const CONSENT: &str = "INSERT INTO consents (lead_id, event, form, text_version, text_hash, created_ms) VALUES ($1, 'bestaetigt', $2, $3, $4, $5)";
        sqlx::query(CONSENT)
            .bind(reg.lead_id)
            .bind(consent.form)
            .bind(consent.text_version)
            .bind(consent.text_hash)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        // The mailbox owner just confirmed. A lead that exists only because of event
        // registrations becomes confirmed; a lead with a pending application keeps waiting
        // for its own link (someone else may have typed that application).
        const LEAD: &str = "UPDATE leads SET status = 'bestaetigt', confirmed_ms = $1, updated_ms = $1
             WHERE id = $2 AND status = 'unbestaetigt'
               AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.lead_id = leads.id AND c.form <> $3)";
        sqlx::query(LEAD)
            .bind(now.0)
            .bind(reg.lead_id)
            .bind(consent.form)
            .execute(&mut *tx)
            .await?;
        let outcome = if gets_seat {
            queue!(&mut *tx, mails.seat(&event, &reg), reg.lead_id, now);
            ConfirmOutcome::Seat
        } else {
            let position = waiting + 1;
            queue!(
                &mut *tx,
                mails.waitlisted(&event, &reg, position),
                reg.lead_id,
                now
            );
            ConfirmOutcome::Waitlist(position)
        };
        lead_note!(
            &mut *tx,
            reg.lead_id,
            format!(
                "„{}“: Anmeldung bestätigt ({}).",
                event.title,
                status::label(new_status)
            ),
            now
        );
        outcome
    }))
}

/// What a cancellation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    /// Cancelled; the registrations promoted from the waitlist.
    Cancelled {
        /// Ids of promoted registrations.
        promoted: Vec<i64>,
    },
    /// Was cancelled before (a replayed link).
    AlreadyCancelled,
    /// The event has started, is over or was cancelled by the team.
    Closed(Closed),
    /// Unknown registration or stale link.
    Invalid,
}

/// Cancels registration `id` (by the person when `salt` is given, which must match; by the
/// team when `None`), frees its seat and promotes the next person on the waitlist, with
/// mails to both — one transaction under the event lock.
pub async fn cancel(
    db: &Db,
    id: i64,
    salt: Option<&str>,
    now: UnixMs,
    mails: &dyn EventMails,
) -> Result<CancelOutcome> {
    Ok(with_tx!(db, |tx| {
        let first: Option<RegistrationRow> = fetch_reg!(&mut *tx, id);
        let Some(first) = first else {
            return Ok(CancelOutcome::Invalid);
        };
        let _ = lock_event!(&mut *tx, first.event_id);
        let reg: Option<RegistrationRow> = fetch_reg!(&mut *tx, id);
        let event: Option<EventRow> = fetch_event!(&mut *tx, first.event_id);
        let (Some(mut reg), Some(event)) = (reg, event) else {
            return Ok(CancelOutcome::Invalid);
        };
        if salt.is_some_and(|s| s != reg.link_salt) {
            return Ok(CancelOutcome::Invalid);
        }
        if reg.status == status::CANCELLED {
            return Ok(CancelOutcome::AlreadyCancelled);
        }
        let by_team = salt.is_none();
        if !by_team && let Some(why) = closed(&event, now) {
            return Ok(CancelOutcome::Closed(why));
        }
        let had_seat = reg.status == status::SEAT;
        let was_confirmed = reg.status != status::UNCONFIRMED;
        const SQL: &str =
            "UPDATE event_registrations SET status = 'abgesagt', cancelled_ms = $1 WHERE id = $2";
        sqlx::query(SQL)
            .bind(now.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        reg.status = status::CANCELLED.to_owned();
        reg.cancelled_ms = Some(now.0);
        if was_confirmed {
            queue!(
                &mut *tx,
                mails.cancelled(&event, &reg, had_seat, by_team),
                reg.lead_id,
                now
            );
            lead_note!(
                &mut *tx,
                reg.lead_id,
                format!(
                    "„{}“: {}.",
                    event.title,
                    if by_team {
                        "vom Team von der Teilnehmerliste genommen"
                    } else {
                        "Teilnahme abgesagt"
                    }
                ),
                now
            );
        }
        let promoted = if had_seat {
            promote_waitlist!(&mut *tx, event, mails, now)
        } else {
            Vec::new()
        };
        CancelOutcome::Cancelled { promoted }
    }))
}

/// 1-based position of a waitlisted registration.
pub async fn waitlist_position(db: &Db, reg: &RegistrationRow) -> Result<i64> {
    const SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM event_registrations
         WHERE event_id = $1 AND status = 'warteliste' AND (confirmed_ms < $2 OR (confirmed_ms = $2 AND id <= $3))";
    let n = with_pool!(db, |pool| sqlx::query_scalar::<_, i64>(SQL)
        .bind(reg.event_id)
        .bind(reg.confirmed_ms.unwrap_or(0))
        .bind(reg.id)
        .fetch_one(pool)
        .await)?;
    Ok(n)
}

/// A registration as listed in the back office and its CSV.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct RegistrationListRow {
    /// The registration.
    #[sqlx(flatten)]
    pub reg: RegistrationRow,
    /// The lead's company ("–" when unknown).
    pub company: String,
    /// The lead's source.
    pub source: Option<String>,
}

/// Registrations of an event: seats, waitlist (in order), pending, cancelled.
pub async fn registrations(db: &Db, event_id: i64) -> Result<Vec<RegistrationListRow>> {
    let cols = REG_COLS
        .split(", ")
        .map(|c| format!("r.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {cols}, l.company, l.source FROM event_registrations r JOIN leads l ON l.id = r.lead_id
         WHERE r.event_id = $1
         ORDER BY CASE r.status WHEN 'platz' THEN 0 WHEN 'warteliste' THEN 1 WHEN 'unbestaetigt' THEN 2 ELSE 3 END, r.confirmed_ms, r.id"
    );
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, RegistrationListRow>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(event_id)
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

/// Queues the reminder for every seat holder whose event starts within the next
/// [`REMINDER_BEFORE_MS`]. Idempotent: `reminded_ms` is set in the same transaction and
/// the mail's key names registration and start, so a crash or a second worker cannot send
/// one twice. Returns the number of reminders queued.
pub async fn queue_reminders(db: &Db, now: UnixMs, mails: &dyn EventMails) -> Result<usize> {
    Ok(with_tx!(db, |tx| {
        let cols = REG_COLS
            .split(", ")
            .map(|c| format!("r.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols} FROM event_registrations r JOIN events e ON e.id = r.event_id
             WHERE r.status = 'platz' AND r.reminded_ms IS NULL AND e.cancelled_ms IS NULL
               AND e.starts_ms > $1 AND e.starts_ms <= $2
             ORDER BY r.id LIMIT 500"
        );
        let due: Vec<RegistrationRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(now.0)
            .bind(now.0 + REMINDER_BEFORE_MS)
            .fetch_all(&mut *tx)
            .await?;
        let mut queued = 0;
        for reg in &due {
            const MARK: &str = "UPDATE event_registrations SET reminded_ms = $1 WHERE id = $2 AND reminded_ms IS NULL";
            let marked = sqlx::query(MARK)
                .bind(now.0)
                .bind(reg.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let event: Option<EventRow> = fetch_event!(&mut *tx, reg.event_id);
            if marked == 1
                && let Some(event) = event
            {
                queue!(&mut *tx, mails.reminder(&event, reg), reg.lead_id, now);
                queued += 1;
            }
        }
        queued
    }))
}

/// A registration in a data-subject export.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct RegistrationExport {
    /// Event title.
    pub event_title: String,
    /// Event start.
    pub event_starts_ms: i64,
    /// Name given.
    pub name: String,
    /// Address given.
    pub email: String,
    /// Status code.
    pub status: String,
    /// Registered at.
    pub created_ms: i64,
    /// Confirmed at.
    pub confirmed_ms: Option<i64>,
    /// Cancelled at.
    pub cancelled_ms: Option<i64>,
}

/// Every registration of a lead (GDPR Art. 15/20). Erasure needs no function of its own:
/// registrations reference the lead `ON DELETE CASCADE` and their mails carry its id.
pub async fn export_for_lead(db: &Db, lead_id: i64) -> Result<Vec<RegistrationExport>> {
    const SQL: &str = "SELECT e.title AS event_title, e.starts_ms AS event_starts_ms, r.name, r.email, r.status, r.created_ms, r.confirmed_ms, r.cancelled_ms
         FROM event_registrations r JOIN events e ON e.id = r.event_id WHERE r.lead_id = $1 ORDER BY r.id";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, RegistrationExport>(SQL)
        .bind(lead_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Retention: deletes registrations whose double opt-in was not confirmed before `cutoff`
/// (7 days, like leads) and records how many, without naming anyone.
pub async fn delete_unconfirmed_before(db: &Db, cutoff: UnixMs, now: UnixMs) -> Result<u64> {
    Ok(with_tx!(db, |tx| {
        const SQL: &str = "DELETE FROM event_registrations WHERE status = 'unbestaetigt' AND confirm_sent_ms < $1";
        let n = sqlx::query(SQL)
            .bind(cutoff.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n > 0 {
            sqlx::query(crate::audit::INSERT_SQL)
                .bind(now.0)
                .bind("system")
                .bind(format!(
                    "{n} unbestätigte Veranstaltungs-Anmeldung(en) nach Ablauf der Frist gelöscht"
                ))
                .bind("event_registrations")
                .execute(&mut *tx)
                .await?;
        }
        n
    }))
}

// ---------------------------------------------------------------------------------------
// Pain points

/// A tag of the managed list.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TagRow {
    /// Id.
    pub id: i64,
    /// Label, e.g. "Datenschutz/DSGVO".
    pub label: String,
    /// Sort position.
    pub position: i64,
    /// Pain points carrying it.
    pub uses: i64,
}

/// The managed tag list in its order.
pub async fn tags(db: &Db) -> Result<Vec<TagRow>> {
    const SQL: &str = "SELECT t.id, t.label, t.position, CAST((SELECT COUNT(*) FROM pain_points p WHERE p.tag_id = t.id) AS BIGINT) AS uses
         FROM pain_point_tags t ORDER BY t.position, t.id";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, TagRow>(SQL)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Adds a tag at the end; `false` if the label exists (compared case-insensitively).
pub async fn add_tag(db: &Db, label: &str, now: UnixMs) -> Result<bool> {
    let existing = tags(db).await?;
    if existing
        .iter()
        .any(|t| t.label.to_lowercase() == label.to_lowercase())
    {
        return Ok(false);
    }
    let position = existing.iter().map(|t| t.position).max().unwrap_or(0) + 1;
    const SQL: &str = "INSERT INTO pain_point_tags (label, position, created_ms) VALUES ($1, $2, $3) ON CONFLICT (label) DO NOTHING";
    Ok(execute!(db, |pool| sqlx::query(SQL)
        .bind(label)
        .bind(position)
        .bind(now.0))?
        == 1)
}

/// What deleting a tag did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagDelete {
    /// Gone.
    Deleted,
    /// Pain points still carry it.
    InUse(i64),
    /// No such tag.
    NotFound,
}

/// Deletes a tag that no pain point uses.
pub async fn delete_tag(db: &Db, id: i64) -> Result<TagDelete> {
    Ok(with_tx!(db, |tx| {
        const USES: &str = "SELECT CAST(COUNT(*) AS BIGINT) FROM pain_points WHERE tag_id = $1";
        let uses: i64 = sqlx::query_scalar(USES)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if uses > 0 {
            TagDelete::InUse(uses)
        } else {
            const SQL: &str = "DELETE FROM pain_point_tags WHERE id = $1";
            let n = sqlx::query(SQL)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 1 {
                TagDelete::Deleted
            } else {
                TagDelete::NotFound
            }
        }
    }))
}

/// A pain point with its tag's label.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PainPointRow {
    /// Id.
    pub id: i64,
    /// What was said.
    pub text: String,
    /// Tag id.
    pub tag_id: i64,
    /// Tag label.
    pub tag: String,
    /// 1 for a wish ("we would like …"), 0 for a problem.
    pub is_wish: i64,
    /// Where it was raised, e.g. [`SOURCE_EVENT`].
    pub source_kind: String,
    /// Id within the source kind (the event id).
    pub source_id: i64,
    /// Recorded at.
    pub created_ms: i64,
}

/// Records a pain point; `false` if the tag does not exist.
pub async fn add_pain_point(
    db: &Db,
    text: &str,
    tag_id: i64,
    is_wish: bool,
    source_kind: &str,
    source_id: i64,
    now: UnixMs,
) -> Result<bool> {
    const SQL: &str =
        "INSERT INTO pain_points (text, tag_id, is_wish, source_kind, source_id, created_ms)
         SELECT $1, id, $2, $3, $4, $5 FROM pain_point_tags WHERE id = $6";
    Ok(execute!(db, |pool| sqlx::query(SQL)
        .bind(text)
        .bind(i64::from(is_wish))
        .bind(source_kind)
        .bind(source_id)
        .bind(now.0)
        .bind(tag_id))?
        == 1)
}

/// The pain points of one source, oldest first.
pub async fn pain_points_of(
    db: &Db,
    source_kind: &str,
    source_id: i64,
) -> Result<Vec<PainPointRow>> {
    const SQL: &str = "SELECT p.id, p.text, p.tag_id, t.label AS tag, p.is_wish, p.source_kind, p.source_id, p.created_ms
         FROM pain_points p JOIN pain_point_tags t ON t.id = p.tag_id
         WHERE p.source_kind = $1 AND p.source_id = $2 ORDER BY p.id";
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, PainPointRow>(SQL)
        .bind(source_kind)
        .bind(source_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows)
}

/// Deletes one pain point of a source.
pub async fn delete_pain_point(
    db: &Db,
    id: i64,
    source_kind: &str,
    source_id: i64,
) -> Result<bool> {
    const SQL: &str =
        "DELETE FROM pain_points WHERE id = $1 AND source_kind = $2 AND source_id = $3";
    Ok(execute!(db, |pool| sqlx::query(SQL)
        .bind(id)
        .bind(source_kind)
        .bind(source_id))?
        == 1)
}

/// Looks an address up for callers that hold only an [`Email`] (tests, privacy).
pub async fn registrations_by_email(db: &Db, email: &Email) -> Result<Vec<RegistrationRow>> {
    let sql =
        format!("SELECT {REG_COLS} FROM event_registrations WHERE email_key = $1 ORDER BY id");
    let key = email.as_str().to_lowercase();
    let rows = with_pool!(db, |pool| sqlx::query_as::<_, RegistrationRow>(
        sqlx::AssertSqlSafe(sql)
    )
    .bind(&key)
    .fetch_all(pool)
    .await)?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_allowance_enforces_gap_and_daily_cap() {
        let now = UnixMs(10 * 86_400_000);
        assert!(!mail_allowance(now, now.0 - 60_000, 1).0);
        assert_eq!(mail_allowance(now, now.0 - RESEND_MIN_GAP_MS, 1), (true, 2));
        assert!(!mail_allowance(now, now.0 - RESEND_MIN_GAP_MS, MAX_MAILS_PER_DAY).0);
    }
}
