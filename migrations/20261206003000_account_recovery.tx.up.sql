-- Account recovery, phone verification and 2FA hardening (issues 18, 19, 20).
--
-- phone_codes holds one-time codes sent through the union's channel: to
-- verify a phone at registration (the registration itself waits here until
-- the code comes back, so an unproven number never becomes an account) and
-- to reset a forgotten password (also issued by staff in person). Only an
-- Argon2id hash of a code is kept; a code is short-lived and single-use.
-- Wrong codes are counted in login_failures under "code:" keys (per phone
-- and per client address), like failed logins.
CREATE TABLE phone_codes (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    phone       text NOT NULL CHECK (phone ~ '^\+628[0-9]{7,11}$'),
    purpose     text NOT NULL CHECK (purpose IN ('register', 'reset')),
    code_hash   text NOT NULL,
    -- a pending registration: the answers and the password's hash, never the password
    payload     jsonb NOT NULL DEFAULT '{}',
    user_id     uuid,
    issued_by   uuid,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX phone_codes_phone_idx ON phone_codes (tenant_id, phone, purpose, created_at DESC);

ALTER TABLE phone_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE phone_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON phone_codes
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON phone_codes TO suara_app;

-- A phone proven by a code; a member number checked by a branch admin.
ALTER TABLE users ADD COLUMN phone_verified_at timestamptz;
ALTER TABLE users ADD COLUMN member_verified_at timestamptz;
ALTER TABLE users ADD COLUMN member_verified_by uuid;
-- The TOTP time step last accepted: a code is good once.
ALTER TABLE users ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0;
ALTER TABLE platform_users ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0;
