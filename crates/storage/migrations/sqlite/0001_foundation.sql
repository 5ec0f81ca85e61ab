-- Foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql:
-- the schema-parity test compares both after migrating.
-- Instants are BIGINT unix milliseconds; ids are 64-bit integers.

CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE leads (
    id INTEGER PRIMARY KEY,
    company TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    phone TEXT,
    industry TEXT NOT NULL,
    company_size TEXT NOT NULL,
    interests TEXT NOT NULL,
    message TEXT,
    source TEXT,
    status TEXT NOT NULL,
    stage TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    confirmed_ms BIGINT,
    last_mail_ms BIGINT NOT NULL,
    mails_today BIGINT NOT NULL
);
CREATE INDEX leads_created ON leads (created_ms);
CREATE INDEX leads_status_created ON leads (status, created_ms);

CREATE TABLE lead_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms BIGINT
);
CREATE INDEX lead_tokens_lead ON lead_tokens (lead_id);

CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    form TEXT NOT NULL,
    text_version TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX consents_lead ON consents (lead_id);

CREATE TABLE lead_notes (
    id INTEGER PRIMARY KEY,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX lead_notes_lead ON lead_notes (lead_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    created_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    lead_id BIGINT,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    locked_until_ms BIGINT,
    last_error TEXT,
    created_ms BIGINT NOT NULL,
    sent_ms BIGINT,
    failed_ms BIGINT
);
CREATE INDEX outbox_due ON outbox (sent_ms, failed_ms, next_attempt_ms);
CREATE INDEX outbox_lead ON outbox (lead_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL,
    locked_until_ms BIGINT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);

CREATE TABLE updates (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_md TEXT NOT NULL,
    quote_author TEXT,
    consent_by TEXT,
    consent_ms BIGINT,
    consent_text TEXT,
    published_ms BIGINT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX updates_published ON updates (published_ms);
