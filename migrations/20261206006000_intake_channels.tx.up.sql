-- Intake channels (issue 21): how a case came in, voice-first reports, the
-- WhatsApp/SMS conversation state and the per-union channel secrets. Same
-- isolation rules as 0001: tenant_id in every key, ENABLE + FORCE row level
-- security, one policy on app.tenant_id.

-- How the case reached the union. Existing rows came through the web form
-- or the app's API, which share the service: 'web'.
ALTER TABLE cases
    ADD COLUMN intake_channel text NOT NULL DEFAULT 'web'
        CHECK (intake_channel IN ('web', 'app', 'whatsapp', 'sms', 'walk_in', 'phone', 'hotline')),
    -- a report that is a voice note alone: staff owe it a transcript
    ADD COLUMN needs_transcription boolean NOT NULL DEFAULT false,
    -- the staff transcript of the voice note(s); classification reads it
    ADD COLUMN transcript text NOT NULL DEFAULT '' CHECK (length(transcript) <= 20000),
    -- staff-assisted intake: the worker agreed to the filing (NULL: the
    -- worker filed themselves)
    ADD COLUMN consent_noted boolean;
-- a voice-only report has no written description
ALTER TABLE cases DROP CONSTRAINT IF EXISTS cases_description_check;
ALTER TABLE cases ADD CONSTRAINT cases_description_check
    CHECK (length(description) <= 20000 AND (length(description) >= 1 OR needs_transcription OR transcript <> ''));
CREATE INDEX cases_transcription_idx ON cases (tenant_id, created_at DESC) WHERE needs_transcription;

-- A union's WhatsApp Business (Cloud API) or SMS gateway channel. Every
-- secret (verify token, app secret, access token, phone-number id, API base
-- URL) is one JSON document sealed like a confidential identity: AES-256-GCM
-- under a random data key wrapped by the identity key named key_id, bound
-- to (tenant, channel).
CREATE TABLE chat_channels (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    channel     text NOT NULL CHECK (channel IN ('whatsapp', 'sms')),
    enabled     boolean NOT NULL DEFAULT true,
    key_id      text NOT NULL,
    wrapped_key bytea NOT NULL,
    nonce       bytea NOT NULL,
    ciphertext  bytea NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, channel)
);

-- One intake conversation in progress. The sender is found by a keyed
-- hash of the address (HMAC under the identity keys, per tenant); the
-- address itself and what the worker wrote so far are sealed. The row is
-- deleted in the transaction that files the case.
CREATE TABLE chat_sessions (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    channel      text NOT NULL CHECK (channel IN ('whatsapp', 'sms')),
    sender_hash  bytea NOT NULL,
    state        text NOT NULL,
    seq          integer NOT NULL DEFAULT 0,
    key_id       text NOT NULL,
    wrapped_key  bytea NOT NULL,
    nonce        bytea NOT NULL,
    ciphertext   bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, channel, sender_hash)
);

-- Provider message ids already handled (exactly-once). The id is kept as
-- a keyed hash: WhatsApp's wamid encodes the sender's number.
CREATE TABLE chat_inbound (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    channel     text NOT NULL CHECK (channel IN ('whatsapp', 'sms')),
    message_key bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, channel, message_key)
);
CREATE INDEX chat_inbound_received_idx ON chat_inbound (tenant_id, received_at);

-- A named or confidential case filed by chat: where its updates go (the
-- address sealed, bound to the case). Anonymous cases get no row.
CREATE TABLE chat_links (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    case_id     uuid NOT NULL,
    channel     text NOT NULL CHECK (channel IN ('whatsapp', 'sms')),
    -- keyed hash of the address, to route the worker's later messages
    sender_hash bytea NOT NULL,
    key_id      text NOT NULL,
    wrapped_key bytea NOT NULL,
    nonce       bytea NOT NULL,
    ciphertext  bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, case_id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX chat_links_sender_idx ON chat_links (tenant_id, channel, sender_hash, created_at DESC);

-- Replies waiting for the provider: the address and text sealed, wiped
-- (NULL) once delivered; status and last error stay for the channel page.
CREATE TABLE chat_outbox (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    channel      text NOT NULL CHECK (channel IN ('whatsapp', 'sms')),
    kind         text NOT NULL CHECK (kind IN ('reply', 'update')),
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '' CHECK (length(last_error) <= 300),
    key_id       text,
    wrapped_key  bytea,
    nonce        bytea,
    ciphertext   bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    CHECK (status <> 'delivered' OR ciphertext IS NULL)
);
CREATE INDEX chat_outbox_status_idx ON chat_outbox (tenant_id, status, created_at DESC);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['chat_channels', 'chat_sessions', 'chat_inbound', 'chat_links', 'chat_outbox'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON chat_channels, chat_sessions, chat_inbound, chat_links, chat_outbox TO suara_app;
