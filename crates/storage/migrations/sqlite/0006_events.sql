-- Round-tables (SQLite): events, registrations with seats and waitlist, and the pain-point
-- tables the participant area reuses. Keep in step with ../postgres/0006_events.sql.
-- Instants are BIGINT unix milliseconds; flags are BIGINT 0/1.

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description_md TEXT NOT NULL,
    starts_ms BIGINT NOT NULL,
    duration_min BIGINT NOT NULL,
    online_url TEXT NOT NULL,
    capacity BIGINT NOT NULL CHECK (capacity >= 1),
    ics_sequence BIGINT NOT NULL,
    cancelled_ms BIGINT,
    minutes_md TEXT NOT NULL,
    minutes_published_ms BIGINT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX events_starts ON events (starts_ms);

-- status: 'unbestaetigt' (waiting for the double opt-in), 'platz' (has a seat),
-- 'warteliste' (confirmed, waiting), 'abgesagt' (cancelled by the person or the team).
CREATE TABLE event_registrations (
    id INTEGER PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    status TEXT NOT NULL,
    link_salt TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    confirm_sent_ms BIGINT NOT NULL,
    confirmed_ms BIGINT,
    seat_ms BIGINT,
    cancelled_ms BIGINT,
    reminded_ms BIGINT,
    last_mail_ms BIGINT NOT NULL,
    mails_today BIGINT NOT NULL,
    UNIQUE (event_id, email_key)
);
CREATE INDEX event_registrations_lead ON event_registrations (lead_id);
CREATE INDEX event_registrations_status ON event_registrations (event_id, status, confirmed_ms);

CREATE TABLE pain_point_tags (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL UNIQUE,
    position BIGINT NOT NULL,
    created_ms BIGINT NOT NULL
);

CREATE TABLE pain_points (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    tag_id BIGINT NOT NULL REFERENCES pain_point_tags (id),
    is_wish BIGINT NOT NULL,
    source_kind TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX pain_points_source ON pain_points (source_kind, source_id);
CREATE INDEX pain_points_tag ON pain_points (tag_id);

INSERT INTO pain_point_tags (label, position, created_ms) VALUES
    ('Datenschutz/DSGVO', 1, 0),
    ('Rechtsunsicherheit AI Act', 2, 0),
    ('Kosten', 3, 0),
    ('fehlendes Know-how', 4, 0),
    ('Datenqualität', 5, 0),
    ('Vertrauen/Haftung', 6, 0),
    ('Tool-Auswahl', 7, 0),
    ('Mitarbeiterakzeptanz', 8, 0),
    ('Kennzeichnung', 9, 0),
    ('Urheberrecht', 10, 0);

-- Calendar invitations travel with their mail: an optional iCalendar body that the mail
-- worker sends as a text/calendar part.
ALTER TABLE outbox ADD COLUMN ics TEXT;
