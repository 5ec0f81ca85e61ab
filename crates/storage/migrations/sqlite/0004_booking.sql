-- Bookable meetings (SQLite): first calls and 1:1 meetings. Keep in step with
-- ../postgres/0004_booking.sql. Instants are BIGINT unix milliseconds.
--
-- No double booking: every booking blocks [block_start_ms, block_end_ms) (its time plus
-- buffers). SQLite has no exclusion constraint; the booking transaction starts with
-- BEGIN IMMEDIATE (one writer at a time) and re-checks for an overlapping active booking
-- before inserting (storage::booking::book).

-- The outbox's `ics` column (calendar invitations) comes with 0006_events.sql.

-- Periods the team closed (vacation, trade fairs), inclusive Vienna dates YYYY-MM-DD.
CREATE TABLE booking_blocks (
    id INTEGER PRIMARY KEY,
    from_day TEXT NOT NULL,
    to_day TEXT NOT NULL,
    note TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

-- status: 'offen' (waiting for the e-mail confirmation, holds the slot until expires_ms),
-- 'bestaetigt', 'abgesagt', 'verfallen' (not confirmed in time).
CREATE TABLE bookings (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    start_ms BIGINT NOT NULL,
    end_ms BIGINT NOT NULL,
    block_start_ms BIGINT NOT NULL,
    block_end_ms BIGINT NOT NULL,
    name TEXT NOT NULL,
    company TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    topics TEXT NOT NULL,
    channel TEXT NOT NULL,
    message TEXT,
    source TEXT,
    location TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    expires_ms BIGINT,
    confirmed_ms BIGINT,
    cancelled_ms BIGINT,
    cancelled_by TEXT,
    reminder_at_ms BIGINT,
    reminder_sent_ms BIGINT,
    lapse_notified_ms BIGINT,
    CHECK (start_ms < end_ms AND block_start_ms <= start_ms AND end_ms <= block_end_ms)
);
CREATE INDEX bookings_block ON bookings (block_start_ms, block_end_ms);
CREATE INDEX bookings_lead ON bookings (lead_id);
CREATE INDEX bookings_status_start ON bookings (status, start_ms);
