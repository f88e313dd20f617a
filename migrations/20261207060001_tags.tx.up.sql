-- A union's tag vocabulary (issue 25): the tags the classifier may put on
-- a case beside its category, and the ones officers may choose when they
-- correct a suggestion. Each union starts from the default vocabulary
-- (tenant.Apply, with its sector templates' tags); admins add tags and
-- retire them. A retired tag is no longer suggested or chosen, but the
-- cases, suggestions and confirmed labels that carry it keep it: tags live
-- on those rows as slugs, so no row is ever deleted here.
CREATE TABLE tags (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    slug       text NOT NULL CHECK (slug ~ '^[a-z][a-z0-9_]{1,39}$'),
    name_id    text NOT NULL CHECK (length(name_id) BETWEEN 1 AND 100),
    name_en    text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 100),
    retired_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, slug)
);
ALTER TABLE tags ENABLE ROW LEVEL SECURITY;
ALTER TABLE tags FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tags
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON tags TO suara_app;
