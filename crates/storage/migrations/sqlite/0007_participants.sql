-- Participant area (sqlite): accounts of pilot companies (a company is a lead in stage
-- "teilnehmer"), magic-link login, sessions, the AI register (KI-Verzeichnis) with its change
-- history, and the AI-literacy log (Art. 4 KI-VO). Keep in step with ../postgres/0007_participants.sql.
-- Everything hangs off the lead with ON DELETE CASCADE, so erasing a lead erases its area.

CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    last_login_ms BIGINT,
    last_seen_ms BIGINT NOT NULL,
    deletion_requested_ms BIGINT,
    deletion_scope TEXT
);
CREATE INDEX participants_lead ON participants (lead_id);

-- Login links: only the SHA-256 of the token is stored; a token works once.
CREATE TABLE participant_login_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms BIGINT
);
CREATE INDEX participant_login_tokens_participant ON participant_login_tokens (participant_id);

CREATE TABLE participant_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX participant_sessions_participant ON participant_sessions (participant_id);

CREATE TABLE register_entries (
    id INTEGER PRIMARY KEY,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    provider TEXT NOT NULL,
    purpose TEXT NOT NULL,
    users TEXT NOT NULL,
    affected TEXT NOT NULL,
    personal_data TEXT NOT NULL,
    data_categories TEXT NOT NULL,
    location TEXT NOT NULL,
    avv TEXT NOT NULL,
    transparency TEXT NOT NULL,
    human_review TEXT NOT NULL,
    responsible TEXT NOT NULL,
    risk_class TEXT NOT NULL,
    obligations TEXT NOT NULL,
    review_ms BIGINT,
    reminded_review_ms BIGINT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX register_entries_lead ON register_entries (lead_id);
CREATE INDEX register_entries_review ON register_entries (review_ms);

-- Who changed what, when. entry_id has no foreign key: the history outlives a deleted entry.
CREATE TABLE register_history (
    id INTEGER PRIMARY KEY,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    entry_id BIGINT NOT NULL,
    entry_name TEXT NOT NULL,
    participant_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX register_history_lead ON register_history (lead_id);

CREATE TABLE literacy_entries (
    id INTEGER PRIMARY KEY,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    held_ms BIGINT NOT NULL,
    topic TEXT NOT NULL,
    format TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    trainer TEXT NOT NULL,
    attendees TEXT NOT NULL,
    attendee_count BIGINT NOT NULL,
    material TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX literacy_entries_lead ON literacy_entries (lead_id);
