-- Idempotency keys for POST /api/v1/cases: a phone that lost its connection
-- retries with the same Idempotency-Key and gets the first reply back
-- instead of filing the case twice. A key is claimed (pending) before the
-- case is filed and completed with the reply after; rows live a day.
--
-- key_hash is SHA-256 over (purpose, principal, key): the client's key is
-- never stored, and one account's key cannot replay another's reply. The
-- reply may hold an anonymous reporter's receipt code, so it is sealed with
-- the identity keys (the same envelope as case_identities), bound to its row.
CREATE TABLE idempotency_keys (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    key_hash         bytea NOT NULL CHECK (length(key_hash) = 32),
    fingerprint      bytea NOT NULL CHECK (length(fingerprint) = 32),
    case_id          uuid,
    reply_key_id     text,
    reply_wrapped    bytea,
    reply_nonce      bytea,
    reply_ciphertext bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz,
    PRIMARY KEY (tenant_id, key_hash),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    CHECK ((completed_at IS NULL) = (reply_ciphertext IS NULL))
);

-- Expiry sweeps by age within a tenant.
CREATE INDEX idempotency_keys_created ON idempotency_keys (tenant_id, created_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO suara_app;
