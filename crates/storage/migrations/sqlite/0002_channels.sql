-- Channels (SQLite): tracked short links and cookie-less, aggregate-only page analytics.
-- Keep in step with ../postgres/0002_channels.sql. No table here may ever hold an IP
-- address, a user agent or anything else that identifies a visitor.

CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    target_path TEXT NOT NULL,
    channel TEXT NOT NULL,
    label TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    deleted_ms BIGINT
);

CREATE TABLE link_visits (
    link_id BIGINT NOT NULL REFERENCES links (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    bot BIGINT NOT NULL,
    visits BIGINT NOT NULL,
    PRIMARY KEY (link_id, day, bot)
);

CREATE TABLE page_views (
    day TEXT NOT NULL,
    path TEXT NOT NULL,
    referrer_host TEXT NOT NULL,
    views BIGINT NOT NULL,
    uniques BIGINT NOT NULL,
    PRIMARY KEY (day, path, referrer_host)
);
