-- Tenant branding (issue 7): the union's own logo, uploaded by its admins.
-- Colours, app name and welcome text live on the tenant row (app_name and
-- settings->'branding'); the logo is bytes, kept here so a tenant export
-- carries it. slot 'live' is shown; 'draft' is an upload being previewed.
CREATE TABLE tenant_logos (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    slot         text NOT NULL CHECK (slot IN ('live', 'draft')),
    content_type text NOT NULL CHECK (content_type IN ('image/svg+xml', 'image/png')),
    data         bytea NOT NULL CHECK (length(data) BETWEEN 1 AND 262144),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, slot)
);

ALTER TABLE tenant_logos ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_logos FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_logos
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);

GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_logos TO suara_app;
