-- Tenant administration (issue 7): the admin audit log, the named handlers
-- of restricted categories, and the merge link between categories. Same
-- isolation rules as 0001: tenant_id in every key, ENABLE + FORCE row level
-- security, one policy on app.tenant_id.

-- What tenant admins changed (categories, branches, workplaces, branding,
-- exports): append-only for the app role, like the case timeline.
CREATE TABLE admin_events (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         bigint GENERATED ALWAYS AS IDENTITY,
    actor_id   uuid,
    kind       text NOT NULL CHECK (kind ~ '^[a-z_.]+$'),
    subject    text NOT NULL DEFAULT '',
    payload    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX admin_events_created_idx ON admin_events (tenant_id, created_at DESC);

-- The officers named for a restricted category (e.g. sexual harassment):
-- only they and the federation admins see its cases.
CREATE TABLE category_handlers (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    category_id uuid NOT NULL,
    user_id     uuid NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, category_id, user_id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX category_handlers_user_idx ON category_handlers (tenant_id, user_id);

-- A merged category stays (hidden) so old events and suggestions still
-- resolve; merged_into says where its cases went.
ALTER TABLE categories ADD COLUMN merged_into uuid;
ALTER TABLE categories ADD FOREIGN KEY (tenant_id, merged_into) REFERENCES categories (tenant_id, id);

-- Dashboards group by category and by month within a branch sub-tree.
CREATE INDEX cases_category_idx ON cases (tenant_id, category_id, status);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['admin_events', 'category_handlers'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    END LOOP;
END $$;

-- The audit log is append-only for the app: no UPDATE, no DELETE.
GRANT SELECT, INSERT ON admin_events TO suara_app;
GRANT SELECT, INSERT, DELETE ON category_handlers TO suara_app;
