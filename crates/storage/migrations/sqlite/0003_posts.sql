-- LinkedIn post planner (SQLite): posts, editable templates, and what came back after
-- publishing (poll votes, notable comments). Keep in step with ../postgres/0003_posts.sql.
-- Comments are stored without their author: only the words and the pain point they name.

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    planned_ms BIGINT,
    status TEXT NOT NULL,
    post_url TEXT,
    published_ms BIGINT,
    link_id BIGINT REFERENCES links (id),
    poll_question TEXT,
    poll_options TEXT NOT NULL,
    poll_days BIGINT,
    impressions BIGINT,
    reactions BIGINT,
    comments BIGINT,
    reposts BIGINT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

CREATE INDEX posts_planned ON posts (planned_ms);

CREATE TABLE post_templates (
    kind TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    updated_ms BIGINT NOT NULL
);

CREATE TABLE post_poll_results (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    option_text TEXT NOT NULL,
    votes BIGINT NOT NULL,
    pain_point BIGINT NOT NULL,
    PRIMARY KEY (post_id, position)
);

CREATE TABLE post_comments (
    id INTEGER PRIMARY KEY,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    pain_point TEXT,
    created_ms BIGINT NOT NULL
);
