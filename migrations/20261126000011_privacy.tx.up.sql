-- Privacy duties (UU 27/2022, PDP): legal holds on cases, what was
-- anonymised, workers' deletion
-- requests, per-tenant retention. Same isolation rules as 0001: tenant_id in
-- every key, ENABLE + FORCE row level security, one policy on app.tenant_id.

-- A legal hold stops deletion and retention for the case until it is lifted
-- (a dispute before the industrial court needs the file intact). Kept apart
-- from cases, whose rows the case service scans whole.
CREATE TABLE case_holds (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    case_id    uuid NOT NULL,
    reason     text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    held_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, case_id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);

-- What privacy duties did to a case: its reporter's identity (and, by
-- retention, its text) removed; its evidence deleted.
CREATE TABLE case_privacy (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    case_id            uuid NOT NULL,
    anonymised_at      timestamptz,
    evidence_purged_at timestamptz,
    PRIMARY KEY (tenant_id, case_id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);

-- Retention per tenant; 0 months means "keep".
CREATE TABLE privacy_settings (
    tenant_id                     uuid NOT NULL REFERENCES tenants (id),
    anonymise_closed_after_months integer NOT NULL DEFAULT 0 CHECK (anonymise_closed_after_months BETWEEN 0 AND 600),
    delete_evidence_after_months  integer NOT NULL DEFAULT 0 CHECK (delete_evidence_after_months BETWEEN 0 AND 600),
    updated_at                    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

-- A worker's request to be forgotten: carried out within 72 hours
-- (due_at); 'held' while a case of theirs is under legal hold.
CREATE TABLE deletion_requests (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'held', 'done')),
    requested_at     timestamptz NOT NULL,
    due_at           timestamptz NOT NULL,
    done_at          timestamptz,
    cases_anonymised integer NOT NULL DEFAULT 0 CHECK (cases_anonymised >= 0),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
-- One open request per account.
CREATE UNIQUE INDEX deletion_requests_open_key ON deletion_requests (tenant_id, user_id) WHERE status <> 'done';
CREATE INDEX deletion_requests_due_idx ON deletion_requests (tenant_id, status, due_at);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['case_holds', 'case_privacy', 'privacy_settings', 'deletion_requests'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON case_privacy, privacy_settings, deletion_requests TO suara_app;
GRANT SELECT, INSERT, DELETE ON case_holds TO suara_app;
