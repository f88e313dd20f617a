-- Cases: filing, reporter identity (apart and encrypted for confidential
-- reports), the hash-chained timeline, evidence files, per-year references,
-- and "add my voice" supporters. Same isolation rules as 0001: tenant_id in
-- every key, ENABLE + FORCE row level security, one policy on app.tenant_id.

-- Human references per tenant and year: SPN-2026-000123. A counter row per
-- (tenant, year), bumped with INSERT ... ON CONFLICT DO UPDATE, so two
-- filings never share a number and no sequence leaks across tenants.
CREATE TABLE case_counters (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    year      integer NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    last      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, year)
);

CREATE TABLE cases (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    id                 uuid NOT NULL,
    reference          text NOT NULL,
    type               text NOT NULL CHECK (type IN ('complaint', 'aspiration', 'information')),
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description        text NOT NULL CHECK (length(description) BETWEEN 1 AND 20000),
    sector             text NOT NULL DEFAULT '',
    workplace_id       uuid,
    branch_id          uuid NOT NULL,
    incident_date      date,
    category_id        uuid,
    tags               text[] NOT NULL DEFAULT '{}',
    urgency            text NOT NULL DEFAULT 'normal' CHECK (urgency IN ('critical', 'high', 'normal', 'low')),
    status             text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'verified', 'in_progress',
                           'needs_info', 'resolved', 'closed', 'rejected', 'duplicate', 'referred', 'withdrawn', 'reopened')),
    safety_mode        text NOT NULL CHECK (safety_mode IN ('named', 'confidential', 'anonymous')),
    -- named only: the reporter's account in clear
    reporter_user_id   uuid,
    -- confidential only: HMAC of the reporter's user id, so "my cases" works
    -- without the id stored in clear next to the case
    reporter_lookup    bytea,
    -- anonymous only: HMAC-SHA256 of the 16-digit receipt code under a key
    -- derived from the identity keys (a plain hash of 10^16 codes is
    -- brute-forced offline in hours)
    receipt_hash       bytea,
    assigned_to        uuid,
    affected_count     integer NOT NULL DEFAULT 1 CHECK (affected_count BETWEEN 1 AND 1000000),
    supporters         integer NOT NULL DEFAULT 0 CHECK (supporters >= 0),
    first_response_due timestamptz,
    resolution_due     timestamptz,
    resolved_at        timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, reference),
    FOREIGN KEY (tenant_id, workplace_id) REFERENCES workplaces (tenant_id, id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id),
    FOREIGN KEY (tenant_id, reporter_user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, assigned_to) REFERENCES users (tenant_id, id),
    -- each mode holds exactly its own key and nothing of the others
    CHECK (safety_mode <> 'named' OR (reporter_user_id IS NOT NULL AND reporter_lookup IS NULL AND receipt_hash IS NULL)),
    CHECK (safety_mode <> 'confidential' OR (reporter_user_id IS NULL AND reporter_lookup IS NOT NULL AND receipt_hash IS NULL)),
    CHECK (safety_mode <> 'anonymous' OR (reporter_user_id IS NULL AND reporter_lookup IS NULL AND receipt_hash IS NOT NULL))
);
CREATE UNIQUE INDEX cases_receipt_key ON cases (tenant_id, receipt_hash) WHERE receipt_hash IS NOT NULL;
CREATE INDEX cases_reporter_idx ON cases (tenant_id, reporter_user_id, created_at DESC, id) WHERE reporter_user_id IS NOT NULL;
CREATE INDEX cases_lookup_idx ON cases (tenant_id, reporter_lookup, created_at DESC, id) WHERE reporter_lookup IS NOT NULL;
CREATE INDEX cases_branch_status_idx ON cases (tenant_id, branch_id, status);
CREATE INDEX cases_workplace_status_idx ON cases (tenant_id, workplace_id, status) WHERE workplace_id IS NOT NULL;
CREATE INDEX cases_assigned_idx ON cases (tenant_id, assigned_to) WHERE assigned_to IS NOT NULL;
CREATE INDEX cases_created_idx ON cases (tenant_id, created_at DESC);
CREATE INDEX cases_fts_idx ON cases USING gin (to_tsvector('indonesian', title || ' ' || description));

-- A confidential reporter's identity, apart from the case and encrypted:
-- AES-256-GCM under a random data key, itself wrapped by the master key
-- named key_id (see internal/cases/identity.go).
CREATE TABLE case_identities (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    case_id     uuid NOT NULL,
    key_id      text NOT NULL,
    wrapped_key bytea NOT NULL,
    nonce       bytea NOT NULL,
    ciphertext  bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, case_id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);

-- The timeline: append-only and hash-chained (internal/cases/chain.go).
-- payload is text holding canonical JSON, never jsonb, which reorders keys
-- and would break the hashes.
CREATE TABLE case_events (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    case_id    uuid NOT NULL,
    seq        bigint NOT NULL CHECK (seq >= 1),
    kind       text NOT NULL,
    actor_id   text NOT NULL DEFAULT '',
    visibility text NOT NULL CHECK (visibility IN ('reporter', 'internal')),
    payload    text NOT NULL,
    prev_hash  bytea NOT NULL,
    hash       bytea NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, case_id, seq),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX case_events_kind_idx ON case_events (tenant_id, kind, created_at);

CREATE TABLE evidence_files (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    id              uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id         uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('photo', 'video', 'audio', 'document')),
    mime            text NOT NULL,
    size            bigint NOT NULL CHECK (size > 0),
    original_size   bigint NOT NULL CHECK (original_size > 0),
    original_sha256 text NOT NULL CHECK (original_sha256 ~ '^[0-9a-f]{64}$'),
    stored_sha256   text NOT NULL CHECK (stored_sha256 ~ '^[0-9a-f]{64}$'),
    storage_key     text NOT NULL,
    display_name    text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    width           integer NOT NULL DEFAULT 0,
    height          integer NOT NULL DEFAULT 0,
    -- who added it, by role only: reporter (account or receipt) or staff
    uploaded_by     text NOT NULL CHECK (uploaded_by IN ('reporter', 'staff')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX evidence_files_case_idx ON evidence_files (tenant_id, case_id, created_at);
CREATE INDEX evidence_files_key_idx ON evidence_files (tenant_id, storage_key);

-- "Add my voice": one row per person (HMAC of the user id or of the receipt
-- hash) per case, so the supporters count moves once per person.
CREATE TABLE case_supporters (
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    case_id       uuid NOT NULL,
    supporter_key bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, case_id, supporter_key),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['case_counters', 'cases', 'case_identities', 'case_events', 'evidence_files', 'case_supporters'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON case_counters, cases, case_supporters TO suara_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON case_identities, evidence_files TO suara_app;
-- The timeline is append-only for the app: no UPDATE, no DELETE.
GRANT SELECT, INSERT ON case_events TO suara_app;
