-- AI suggestions and officers' confirmed labels; grants on River's tables.

CREATE TABLE case_suggestions (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL,
    model           text NOT NULL,
    version         text NOT NULL,
    category_slug   text NOT NULL,
    confidence      double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    tags            text[] NOT NULL DEFAULT '{}',
    urgency         text NOT NULL CHECK (urgency IN ('critical', 'high', 'normal', 'low')),
    type            text NOT NULL,
    language        text NOT NULL DEFAULT '',
    steps           text[] NOT NULL DEFAULT '{}',
    latency_ms      integer NOT NULL DEFAULT 0,
    fallback_reason text NOT NULL DEFAULT '',
    -- pending until an officer acts: accepted unchanged, or corrected
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'corrected')),
    needs_review    boolean NOT NULL DEFAULT false,
    decided_by      uuid,
    decided_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX case_suggestions_case_idx ON case_suggestions (tenant_id, case_id, created_at DESC);
CREATE INDEX case_suggestions_status_idx ON case_suggestions (tenant_id, status, model, category_slug);

-- Labels officers confirmed (accepted or corrected): training data for the
-- tenant's built-in classifier. The text is the case's, kept in the tenant.
CREATE TABLE classifier_labels (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    id            bigint GENERATED ALWAYS AS IDENTITY,
    case_id       uuid NOT NULL,
    text          text NOT NULL,
    sector        text NOT NULL DEFAULT '',
    type          text NOT NULL DEFAULT '',
    category_slug text NOT NULL,
    urgency       text NOT NULL DEFAULT 'normal',
    tags          text[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['case_suggestions', 'classifier_labels'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO suara_app', t);
    END LOOP;
END $$;

-- River (jobs) keeps only ids in its job arguments, never case text. Its
-- tables are created by River's own migrator before these migrations.
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'river\_%' LOOP
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO suara_app', t);
    END LOOP;
    FOR t IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' AND sequencename LIKE 'river\_%' LOOP
        EXECUTE format('GRANT USAGE, SELECT, UPDATE ON SEQUENCE %I TO suara_app', t);
    END LOOP;
END $$;
