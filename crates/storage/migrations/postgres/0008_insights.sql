-- Pain points and insights (PostgreSQL). Keep in step with ../sqlite/0008_insights.sql.
-- One list of pain points for every source: the tag becomes optional (participants and the
-- application form send untagged text; the team tags it), a point may belong to a company
-- (lead) for the breakdown by industry and size, and a wish can be marked as a feature idea.
ALTER TABLE pain_points ALTER COLUMN tag_id DROP NOT NULL;
ALTER TABLE pain_points ADD COLUMN lead_id BIGINT REFERENCES leads (id) ON DELETE CASCADE;
ALTER TABLE pain_points ADD COLUMN feature_idea BIGINT NOT NULL DEFAULT 0;
CREATE INDEX pain_points_lead ON pain_points (lead_id);

-- The "größtes Hindernis" of already confirmed applications joins the list once.
INSERT INTO pain_points (text, is_wish, source_kind, source_id, created_ms, lead_id)
    SELECT message, 0, 'application', id, confirmed_ms, id FROM leads
    WHERE confirmed_ms IS NOT NULL AND message IS NOT NULL AND message <> '';
