-- Handling a case: links between cases (duplicate, retaliation follow-up),
-- the low-rating flag, routing rules, conflicts of interest, canned
-- replies, reporter wording of states, satisfaction ratings and the +30/+90
-- day check-ins. Same isolation rules as 0001: tenant_id in every key,
-- ENABLE + FORCE row level security, one policy on app.tenant_id.

ALTER TABLE cases
    -- the surviving case of a duplicate
    ADD COLUMN duplicate_of       uuid,
    -- the case a retaliation check-in opened this one from
    ADD COLUMN linked_from        uuid,
    -- the status a needs_info case returns to when the reporter answers
    ADD COLUMN info_return_status text CHECK (info_return_status IN ('submitted', 'verified', 'in_progress', 'reopened')),
    ADD COLUMN closed_at          timestamptz,
    -- a rating of 2 or less: the branch admin's queue filters on it
    ADD COLUMN low_rating         boolean NOT NULL DEFAULT false,
    ADD FOREIGN KEY (tenant_id, duplicate_of) REFERENCES cases (tenant_id, id),
    ADD FOREIGN KEY (tenant_id, linked_from) REFERENCES cases (tenant_id, id);
CREATE INDEX cases_low_rating_idx ON cases (tenant_id, branch_id) WHERE low_rating;

-- Routing: a case whose category and/or workplace match goes to a branch,
-- an officer, or both. The most specific rule wins (both fields beat one),
-- then the lowest priority number.
CREATE TABLE routing_rules (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    category_id  uuid,
    workplace_id uuid,
    branch_id    uuid,
    officer_id   uuid,
    priority     integer NOT NULL DEFAULT 100,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id),
    FOREIGN KEY (tenant_id, workplace_id) REFERENCES workplaces (tenant_id, id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES branches (tenant_id, id),
    FOREIGN KEY (tenant_id, officer_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    CHECK (category_id IS NOT NULL OR workplace_id IS NOT NULL),
    CHECK (branch_id IS NOT NULL OR officer_id IS NOT NULL)
);

-- Conflicts of interest: a handler linked to a workplace's management (or
-- otherwise declared) is never assigned that workplace's cases.
CREATE TABLE staff_conflicts (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    user_id      uuid NOT NULL,
    workplace_id uuid NOT NULL,
    reason       text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id, workplace_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, workplace_id) REFERENCES workplaces (tenant_id, id)
);

CREATE TABLE canned_replies (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    locale     text NOT NULL CHECK (locale IN ('id', 'en')),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    sort_order integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);

-- How a tenant words each state for reporters; a missing row or an empty
-- label falls back to the default wording in the locale files.
CREATE TABLE status_wordings (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    status     text NOT NULL CHECK (status IN ('submitted', 'verified', 'in_progress', 'needs_info', 'resolved',
                   'closed', 'rejected', 'duplicate', 'referred', 'withdrawn', 'reopened')),
    label_id   text NOT NULL DEFAULT '' CHECK (length(label_id) <= 100),
    label_en   text NOT NULL DEFAULT '' CHECK (length(label_en) <= 100),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, status)
);

-- One rating per case, by its reporter, after resolution.
CREATE TABLE case_ratings (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    case_id    uuid NOT NULL,
    handling   smallint NOT NULL CHECK (handling BETWEEN 1 AND 5),
    outcome    smallint NOT NULL CHECK (outcome BETWEEN 1 AND 5),
    comment    text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, case_id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);

-- Check-ins after closure: n = 1 at +30 days, n = 2 at +90 days.
CREATE TABLE case_checkins (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    case_id        uuid NOT NULL,
    n              smallint NOT NULL CHECK (n IN (1, 2)),
    due_at         timestamptz NOT NULL,
    asked_at       timestamptz,
    answered_at    timestamptz,
    remedy_held    boolean,
    retaliation    boolean,
    linked_case_id uuid,
    PRIMARY KEY (tenant_id, case_id, n),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, linked_case_id) REFERENCES cases (tenant_id, id)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['routing_rules', 'staff_conflicts', 'canned_replies', 'status_wordings', 'case_ratings', 'case_checkins'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE, DELETE ON routing_rules, staff_conflicts, canned_replies, status_wordings TO suara_app;
-- A rating is given once and kept: no UPDATE, no DELETE for the app.
GRANT SELECT, INSERT ON case_ratings TO suara_app;
GRANT SELECT, INSERT, UPDATE ON case_checkins TO suara_app;
