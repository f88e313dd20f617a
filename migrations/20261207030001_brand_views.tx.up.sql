-- Brand and certification views (issue 22).
--
-- The brand directory gains a kind (a buyer brand, or a certification body
-- such as RSPO or ISPO) and a retirement date: a retired entry is no longer
-- offered, but the cases and facts that named it keep its slug.
ALTER TABLE brands
    ADD COLUMN kind       text NOT NULL DEFAULT 'brand' CHECK (kind IN ('brand', 'certification_body')),
    ADD COLUMN retired_at timestamptz;

-- A union that chose to (settings.brand_packets) may hand a case's redacted
-- packet to a named brand or certification body of its directory, when the
-- case's reporter agreed (a reporter-visible timeline event). The body opens
-- it by a link: only the SHA-256 of its token is kept. The link works while
-- it is neither expired nor revoked, and only while the union's choice and
-- the reporter's consent still stand.
CREATE TABLE case_brand_shares (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id    uuid NOT NULL,
    brand_slug text NOT NULL,
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    shared_by  uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, brand_slug) REFERENCES brands (tenant_id, slug)
);
CREATE INDEX case_brand_shares_case_idx ON case_brand_shares (tenant_id, case_id);
ALTER TABLE case_brand_shares ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_brand_shares FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON case_brand_shares
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE ON case_brand_shares TO suara_app;
