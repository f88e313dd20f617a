-- Accounts: workers and staff per tenant, platform accounts, hashed tokens,
-- role assignments (memberships) over the org tree, invites, login failures.

CREATE TABLE users (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    id             uuid NOT NULL DEFAULT gen_random_uuid(),
    kind           text NOT NULL CHECK (kind IN ('worker', 'staff')),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    phone          text CHECK (phone ~ '^\+628[0-9]{7,11}$'),
    email          text CHECK (email = lower(email) AND length(email) <= 254),
    password_hash  text NOT NULL,
    gender         text CHECK (gender IN ('female', 'male', 'prefer_not_to_say')),
    is_member      boolean NOT NULL DEFAULT false,
    member_number  text NOT NULL DEFAULT '' CHECK (length(member_number) <= 40),
    sector         text NOT NULL DEFAULT '',
    workplace_id   uuid,
    totp_secret    text NOT NULL DEFAULT '',
    totp_enabled   boolean NOT NULL DEFAULT false,
    disabled_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, workplace_id) REFERENCES workplaces (tenant_id, id),
    CHECK (kind <> 'worker' OR phone IS NOT NULL),
    CHECK (kind <> 'staff' OR email IS NOT NULL)
);
CREATE UNIQUE INDEX users_phone_key ON users (tenant_id, phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX users_email_key ON users (tenant_id, email) WHERE email IS NOT NULL;

-- Bearer tokens (mobile) and web sessions: only a SHA-256 of the token is
-- stored; the token itself is shown once.
CREATE TABLE auth_tokens (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('session', 'api')),
    token_hash   bytea NOT NULL,
    -- a session that passed the password but still owes a TOTP code
    pending_2fa  boolean NOT NULL DEFAULT false,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (tenant_id, user_id);

CREATE TABLE memberships (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL,
    role       text NOT NULL CHECK (role IN ('federation_admin', 'branch_admin', 'case_officer', 'worker')),
    branch_id  uuid NOT NULL,
    granted_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, user_id, role, branch_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id)
);

CREATE TABLE invites (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    email       text NOT NULL CHECK (email = lower(email)),
    role        text NOT NULL CHECK (role IN ('federation_admin', 'branch_admin', 'case_officer')),
    branch_id   uuid NOT NULL,
    token_hash  bytea NOT NULL,
    invited_by  uuid NOT NULL,
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id),
    FOREIGN KEY (tenant_id, invited_by) REFERENCES users (tenant_id, id)
);

-- Failed logins per account key (phone or email, known or not), for the
-- lockout window.
CREATE TABLE login_failures (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    account_key text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX login_failures_key_idx ON login_failures (tenant_id, account_key, at);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'auth_tokens', 'memberships', 'invites', 'login_failures'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO suara_app', t);
    END LOOP;
END $$;

-- Platform accounts (ILO analysts, platform admins) belong to no tenant.
CREATE TABLE platform_users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email         text NOT NULL UNIQUE CHECK (email = lower(email)),
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('platform_admin', 'ilo_analyst')),
    password_hash text NOT NULL,
    totp_secret   text NOT NULL DEFAULT '',
    totp_enabled  boolean NOT NULL DEFAULT false,
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE platform_tokens (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES platform_users (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('session', 'api')),
    token_hash bytea NOT NULL UNIQUE,
    pending_2fa boolean NOT NULL DEFAULT false,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE platform_login_failures (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_key text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX platform_login_failures_key_idx ON platform_login_failures (account_key, at);
GRANT SELECT, INSERT, UPDATE, DELETE ON platform_users, platform_tokens, platform_login_failures TO suara_app;

