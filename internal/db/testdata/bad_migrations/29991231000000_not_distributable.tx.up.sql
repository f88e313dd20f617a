-- A deliberately bad migration for TestDistributabilityCheckerCatchesBadMigration:
-- each table breaks distributability by tenant_id in its own way (and a few
-- constraints are right, to be sure the checker does not blame them).
CREATE TABLE bad_things (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
CREATE TABLE bad_pk_order (id uuid, tenant_id uuid NOT NULL, PRIMARY KEY (id, tenant_id));
CREATE TABLE bad_no_pk (tenant_id uuid NOT NULL REFERENCES tenants (id), note text);
CREATE TABLE bad_links (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL,
    code         text NOT NULL,
    slug         text NOT NULL,
    thing_id     uuid REFERENCES bad_things (id),
    workplace_id uuid,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (code),
    UNIQUE (tenant_id, slug),
    CONSTRAINT bad_links_swapped_fkey FOREIGN KEY (workplace_id, tenant_id) REFERENCES workplaces (tenant_id, id),
    CONSTRAINT good_links_workplace_fkey FOREIGN KEY (tenant_id, workplace_id) REFERENCES workplaces (tenant_id, id)
);
CREATE UNIQUE INDEX bad_links_slug_idx ON bad_links (slug) WHERE slug <> '';
CREATE TABLE platform_notes (id uuid PRIMARY KEY, tenant uuid, link uuid,
    FOREIGN KEY (tenant, link) REFERENCES bad_links (tenant_id, id));
