-- Knowledge base and peer exchange (sqlite). Keep in step with ../postgres/0009_knowledge.sql.
-- Articles by the team (Markdown) for participants or the public; a per-account opt-out of
-- article mails; and the opt-in directory of participating companies. Directory entries and
-- opt-outs hang off the account and the lead with ON DELETE CASCADE, so erasure removes them.

CREATE TABLE knowledge_articles (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_md TEXT NOT NULL,
    dated_ms BIGINT NOT NULL,
    is_public BIGINT NOT NULL DEFAULT 0,
    published_ms BIGINT,
    mailed_ms BIGINT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

CREATE TABLE knowledge_mail_optouts (
    participant_id BIGINT PRIMARY KEY NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    created_ms BIGINT NOT NULL
);

CREATE TABLE peer_directory (
    lead_id BIGINT PRIMARY KEY NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    participant_id BIGINT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    contact_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    topics TEXT NOT NULL,
    updated_ms BIGINT NOT NULL
);
CREATE INDEX peer_directory_participant ON peer_directory (participant_id);
