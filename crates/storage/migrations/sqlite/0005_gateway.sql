-- Privacy gateway (sqlite): API keys with their policy, and the audit trail of proxied
-- requests. Keep in step with ../postgres/0005_gateway.sql.
-- Neither table may ever hold prompt or answer text, a mapping, or a plaintext key.

CREATE TABLE gateway_keys (
    id INTEGER PRIMARY KEY,
    -- Employee or tool the key was issued to, e.g. "Buchhaltung – Mahnskript".
    name TEXT NOT NULL,
    -- SHA-256 (hex) of the full key; the key itself is shown once and never stored.
    token_hash TEXT NOT NULL UNIQUE,
    -- First characters of the key, so people can tell their keys apart.
    token_prefix TEXT NOT NULL,
    -- Entity labels to pseudonymize, comma-separated (PERSON,EMAIL,…).
    labels TEXT NOT NULL,
    -- 1: refuse requests mentioning GDPR Art. 9 special categories; 0: let them pass.
    block_special BIGINT NOT NULL,
    -- 1: append the AI-generated marker line to every answer (AI Act Art. 50).
    ai_marker BIGINT NOT NULL,
    -- Requests allowed per minute.
    rate_per_minute BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_ms BIGINT
);

CREATE TABLE gateway_audit (
    id INTEGER PRIMARY KEY,
    created_ms BIGINT NOT NULL,
    -- Set when the outcome is known; NULL means the request was cut off (e.g. a crash).
    finished_ms BIGINT,
    key_id BIGINT NOT NULL REFERENCES gateway_keys (id),
    model TEXT NOT NULL,
    stream BIGINT NOT NULL,
    -- started, ok, blocked, invalid, upstream_error, timeout, client_closed
    outcome TEXT NOT NULL,
    http_status BIGINT,
    prompt_tokens BIGINT,
    completion_tokens BIGINT,
    total_tokens BIGINT,
    -- Entities masked per label as JSON, e.g. {"PERSON":2,"IBAN":1}: counts, never values.
    entities TEXT NOT NULL,
    -- Special categories detected, comma-separated kinds (HEALTH,RELIGION): never the words.
    special TEXT NOT NULL
);

CREATE INDEX gateway_audit_key_time ON gateway_audit (key_id, created_ms);
CREATE INDEX gateway_audit_time ON gateway_audit (created_ms);
