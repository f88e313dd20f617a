-- Notifications (issue 9): per-tenant channel settings, each account's
-- preferences and consent, and the outbox — one row per recipient and
-- channel, written in the transaction of the case event that causes it and
-- delivered by River jobs. Bodies are never stored: they are rendered at
-- delivery from a template, the case reference and a link, so no case text
-- can reach a lock screen. Same isolation rules as 0001.

CREATE TABLE notify_settings (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    email_enabled    boolean NOT NULL DEFAULT false,
    sms_enabled      boolean NOT NULL DEFAULT false,
    whatsapp_enabled boolean NOT NULL DEFAULT false,
    sender_name      text NOT NULL DEFAULT '' CHECK (length(sender_name) <= 100),
    sender_email     text NOT NULL DEFAULT '' CHECK (length(sender_email) <= 254),
    -- the SMS/WhatsApp gateway: a generic JSON webhook with a bearer token
    gateway_url      text NOT NULL DEFAULT '' CHECK (length(gateway_url) <= 500),
    gateway_token    text NOT NULL DEFAULT '' CHECK (length(gateway_token) <= 500),
    -- quiet hours in time_zone: [quiet_start, quiet_end) wrapping midnight
    quiet_start      smallint NOT NULL DEFAULT 21 CHECK (quiet_start BETWEEN 0 AND 23),
    quiet_end        smallint NOT NULL DEFAULT 6 CHECK (quiet_end BETWEEN 0 AND 23),
    time_zone        text NOT NULL DEFAULT 'Asia/Jakarta',
    -- {"id": {"reporter_update": "...", ...}, "en": {...}}; placeholders
    -- {reference}, {link} and {app} only
    templates        jsonb NOT NULL DEFAULT '{}',
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

CREATE TABLE notify_preferences (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    user_id            uuid NOT NULL,
    email              boolean NOT NULL DEFAULT true,
    sms                boolean NOT NULL DEFAULT true,
    whatsapp           boolean NOT NULL DEFAULT false,
    -- WhatsApp only after a recorded opt-in
    whatsapp_opt_in_at timestamptz,
    -- "stop": no message on any outside channel
    stopped_at         timestamptz,
    digest             boolean NOT NULL DEFAULT false,
    locale             text NOT NULL DEFAULT '' CHECK (locale IN ('', 'id', 'en')),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    CHECK (NOT whatsapp OR whatsapp_opt_in_at IS NOT NULL)
);

CREATE TABLE outbox (
    tenant_id         uuid NOT NULL REFERENCES tenants (id),
    id                uuid NOT NULL DEFAULT gen_random_uuid(),
    case_id           uuid,
    event_seq         bigint,
    trigger           text NOT NULL,
    template          text NOT NULL,
    recipient_role    text NOT NULL CHECK (recipient_role IN ('reporter', 'handler', 'branch_admin')),
    -- nil for a reporter without an account in clear (anonymous: the
    -- receipt page shows the case's rows; confidential: the reporter's own
    -- case list does)
    recipient_user_id uuid,
    channel           text NOT NULL CHECK (channel IN ('in_app', 'email', 'sms', 'whatsapp')),
    reference         text NOT NULL DEFAULT '',
    link              text NOT NULL DEFAULT '',
    locale            text NOT NULL DEFAULT 'id' CHECK (locale IN ('id', 'en')),
    critical          boolean NOT NULL DEFAULT false,
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'skipped')),
    attempts          integer NOT NULL DEFAULT 0,
    last_error        text NOT NULL DEFAULT '',
    not_before        timestamptz NOT NULL DEFAULT now(),
    delivered_at      timestamptz,
    read_at           timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, recipient_user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX outbox_user_idx ON outbox (tenant_id, recipient_user_id, created_at DESC) WHERE channel = 'in_app';
CREATE INDEX outbox_case_idx ON outbox (tenant_id, case_id, created_at DESC);
CREATE INDEX outbox_status_idx ON outbox (tenant_id, status, created_at DESC);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['notify_settings', 'notify_preferences', 'outbox'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON notify_settings, notify_preferences, outbox TO suara_app;
