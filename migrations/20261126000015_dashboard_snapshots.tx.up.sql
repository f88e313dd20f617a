-- Union dashboards (issue 7, acceptance 3): a branch sub-tree's figures as
-- of built_at, so a page view reads one row instead of passing over every
-- case of the sub-tree (seconds at 200,000 cases on a busy machine).
-- internal/tenant (admin_dashboard.go) computes a snapshot when a sub-tree
-- has none and refreshes one older than a minute after serving it. The
-- figures are counts and durations keyed by ids, before the viewer's
-- restricted-category suppression and labels, which are applied on read;
-- the overdue list is never stored (it is read live).
CREATE TABLE dashboard_snapshots (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    branch_id uuid NOT NULL,
    built_at  timestamptz NOT NULL,
    figures   jsonb NOT NULL,
    PRIMARY KEY (tenant_id, branch_id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id)
);

ALTER TABLE dashboard_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE dashboard_snapshots FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON dashboard_snapshots
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON dashboard_snapshots TO suara_app;
