-- Foundation: tenants and the tenant-owned org tree, workplaces, categories.
-- Every tenant-owned table: tenant_id in its primary and foreign keys,
-- ENABLE + FORCE row level security, one policy on app.tenant_id.
-- The app role (suara_app) must exist before migrating; it owns nothing.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Tenants are the platform's own rows: public branding and routing facts,
-- read to resolve a request's host before any tenant is known.
CREATE TABLE tenants (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug           text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$'),
    name           text NOT NULL,
    short_name     text NOT NULL,
    app_name       text NOT NULL,
    domains        text[] NOT NULL DEFAULT '{}',
    default_locale text NOT NULL DEFAULT 'id' CHECK (default_locale IN ('id', 'en')),
    theme          text NOT NULL DEFAULT 'default',
    sectors        text[] NOT NULL DEFAULT '{}',
    settings       jsonb NOT NULL DEFAULT '{}',
    status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tenants_domains_idx ON tenants USING gin (domains);

CREATE TABLE workplaces (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    slug        text NOT NULL,
    company     text NOT NULL,
    name        text NOT NULL DEFAULT '',
    sector      text NOT NULL,
    province    text NOT NULL DEFAULT '',
    district    text NOT NULL DEFAULT '',
    estate      text NOT NULL DEFAULT '',
    afdeling    text NOT NULL DEFAULT '',
    headcount   integer CHECK (headcount IS NULL OR headcount >= 0),
    -- typed by a worker, to be confirmed or merged by officers
    unverified  boolean NOT NULL DEFAULT false,
    merged_into uuid,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, slug),
    FOREIGN KEY (tenant_id, merged_into) REFERENCES workplaces (tenant_id, id)
);

CREATE TABLE branches (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    parent_id    uuid,
    slug         text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]*$'),
    -- slash-separated path from the tenant root: spn, spn/jabar, spn/jabar/bekasi
    path         text NOT NULL,
    name         text NOT NULL,
    level        text NOT NULL CHECK (level IN ('national', 'province', 'city', 'unit')),
    workplace_id uuid,
    closed_at    timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, path),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES branches (tenant_id, id),
    FOREIGN KEY (tenant_id, workplace_id) REFERENCES workplaces (tenant_id, id)
);
CREATE INDEX branches_path_idx ON branches (tenant_id, path text_pattern_ops);

CREATE TABLE categories (
    tenant_id               uuid NOT NULL REFERENCES tenants (id),
    id                      uuid NOT NULL DEFAULT gen_random_uuid(),
    slug                    text NOT NULL CHECK (slug ~ '^[a-z0-9_]+$'),
    parent_id               uuid,
    name_id                 text NOT NULL,
    name_en                 text NOT NULL,
    description_id          text NOT NULL DEFAULT '',
    description_en          text NOT NULL DEFAULT '',
    sectors                 text[] NOT NULL DEFAULT '{}', -- empty: every sector
    sla_first_response_days integer NOT NULL DEFAULT 3 CHECK (sla_first_response_days > 0),
    sla_resolution_days     integer NOT NULL DEFAULT 30 CHECK (sla_resolution_days > 0),
    restricted              boolean NOT NULL DEFAULT false,
    notice_id               text NOT NULL DEFAULT '',
    notice_en               text NOT NULL DEFAULT '',
    playbook_id             text[] NOT NULL DEFAULT '{}',
    playbook_en             text[] NOT NULL DEFAULT '{}',
    keywords                text[] NOT NULL DEFAULT '{}',
    examples                text[] NOT NULL DEFAULT '{}',
    active                  boolean NOT NULL DEFAULT true,
    sort_order              integer NOT NULL DEFAULT 0,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, slug),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES categories (tenant_id, id)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['workplaces', 'branches', 'categories'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO suara_app', t);
    END LOOP;
END $$;

GRANT USAGE ON SCHEMA public TO suara_app;
GRANT SELECT, INSERT, UPDATE ON tenants TO suara_app;
