-- Pain points and insights (SQLite). Keep in step with ../postgres/0008_insights.sql.
-- One list of pain points for every source: the tag becomes optional (participants and the
-- application form send untagged text; the team tags it), a point may belong to a company
-- (lead) for the breakdown by industry and size, and a wish can be marked as a feature idea.
-- SQLite cannot drop NOT NULL, so the table is rebuilt (nothing references it).
CREATE TABLE pain_points_new (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    tag_id BIGINT REFERENCES pain_point_tags (id),
    is_wish BIGINT NOT NULL,
    source_kind TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    lead_id BIGINT REFERENCES leads (id) ON DELETE CASCADE,
    feature_idea BIGINT NOT NULL DEFAULT 0
);
INSERT INTO pain_points_new (id, text, tag_id, is_wish, source_kind, source_id, created_ms)
    SELECT id, text, tag_id, is_wish, source_kind, source_id, created_ms FROM pain_points;
DROP TABLE pain_points;
ALTER TABLE pain_points_new RENAME TO pain_points;
CREATE INDEX pain_points_source ON pain_points (source_kind, source_id);
CREATE INDEX pain_points_tag ON pain_points (tag_id);
CREATE INDEX pain_points_lead ON pain_points (lead_id);

-- The "größtes Hindernis" of already confirmed applications joins the list once.
INSERT INTO pain_points (text, is_wish, source_kind, source_id, created_ms, lead_id)
    SELECT message, 0, 'application', id, confirmed_ms, id FROM leads
    WHERE confirmed_ms IS NOT NULL AND message IS NOT NULL AND message <> '';
