-- Staff queue and working-day clocks (issue 5): clock pauses, escalations up
-- the org tree, tenant holiday overrides, and the indexes the queue's plans
-- use. Same isolation rules as 0001: tenant_id in every key, ENABLE + FORCE
-- row level security, one policy on app.tenant_id.

-- Spans during which a case's resolution clock stood still: waiting for the
-- reporter (needs_info) or resolved until a reopen. Written by
-- cases.RecordStatusChange in the transition's transaction.
CREATE TABLE case_pauses (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    case_id    uuid NOT NULL,
    started_at timestamptz NOT NULL,
    ended_at   timestamptz,
    status     text NOT NULL CHECK (status IN ('needs_info', 'resolved')),
    PRIMARY KEY (tenant_id, case_id, started_at),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);
-- at most one open pause per case
CREATE UNIQUE INDEX case_pauses_open_key ON case_pauses (tenant_id, case_id) WHERE ended_at IS NULL;

-- An overdue case past the tenant's grace moves up one branch per grace
-- period: level 1 is the parent of the case's branch, level 2 its
-- grandparent, and so on up to the root.
CREATE TABLE case_escalations (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    case_id        uuid NOT NULL,
    level          smallint NOT NULL CHECK (level >= 1),
    from_branch_id uuid NOT NULL,
    to_branch_id   uuid NOT NULL,
    due_at         timestamptz NOT NULL,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, case_id, level),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id),
    FOREIGN KEY (tenant_id, from_branch_id) REFERENCES branches (tenant_id, id),
    FOREIGN KEY (tenant_id, to_branch_id) REFERENCES branches (tenant_id, id)
);
CREATE INDEX case_escalations_to_idx ON case_escalations (tenant_id, to_branch_id, case_id);

-- A tenant's own calendar changes on top of config/holidays: a regional
-- holiday or a union congress (working = false), or a day the union works
-- through a national holiday or cuti bersama (working = true).
CREATE TABLE tenant_holidays (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    day       date NOT NULL,
    working   boolean NOT NULL DEFAULT false,
    name      text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    PRIMARY KEY (tenant_id, day)
);

-- The queue's "due" key: the first-response deadline while the case is
-- submitted (or the resolution deadline if that is sooner), the resolution
-- deadline while it is open, and never for closed-out cases. internal/cases
-- (queue.go, dueKeySQL) repeats this expression exactly so plans use the
-- index; overdue is due_key < now.
CREATE INDEX cases_queue_due_idx ON cases (tenant_id, (COALESCE(
    CASE WHEN status = 'submitted' THEN LEAST(first_response_due, resolution_due)
         WHEN status IN ('verified', 'in_progress', 'needs_info', 'reopened') THEN resolution_due END,
    'infinity'::timestamptz)), id);
-- Keyset pages of the queue: newest first with id as the tie-breaker, per
-- branch (a branch admin's sub-tree is a list of branch ids), per assignee,
-- unassigned only, and by urgency.
CREATE INDEX cases_queue_created_idx ON cases (tenant_id, created_at DESC, id DESC);
CREATE INDEX cases_queue_branch_idx ON cases (tenant_id, branch_id, created_at DESC, id DESC);
CREATE INDEX cases_queue_assigned_idx ON cases (tenant_id, assigned_to, created_at DESC, id DESC) WHERE assigned_to IS NOT NULL;
CREATE INDEX cases_queue_unassigned_idx ON cases (tenant_id, branch_id, created_at DESC, id DESC) WHERE assigned_to IS NULL;
CREATE INDEX cases_queue_urgency_idx ON cases (tenant_id, (CASE urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1
    WHEN 'normal' THEN 2 ELSE 3 END), created_at DESC, id DESC);

-- The queue's full-text search, as an inverted index the app role can use.
-- Under row level security PostgreSQL uses an index only for leakproof
-- operators, and tsvector @@ tsquery is not one: as the app role
-- cases_fts_idx is never used, and a search computes to_tsvector for every
-- case of the tenant (seconds at 200,000 cases; measured in
-- BenchmarkStaffQueue). So each case's lexemes (the same
-- to_tsvector('indonesian', title || ' ' || description)) are kept here,
-- one row per lexeme, and a search is equality on term: leakproof, indexed.
CREATE TABLE case_terms (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    term       text NOT NULL,
    case_id    uuid NOT NULL,
    -- (case, term) first: a search probes "has this case this term?"
    -- and the trigger replaces a case's terms; the index below walks a
    -- term's cases when it is rare.
    PRIMARY KEY (tenant_id, case_id, term),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);
CREATE INDEX case_terms_term_idx ON case_terms (tenant_id, term, case_id);

-- Runs as the caller (no SECURITY DEFINER): the app role's own rights and
-- row level security apply to what it writes.
CREATE FUNCTION case_terms_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.title IS NOT DISTINCT FROM OLD.title AND NEW.description IS NOT DISTINCT FROM OLD.description THEN
            RETURN NULL;
        END IF;
        DELETE FROM case_terms WHERE tenant_id = NEW.tenant_id AND case_id = NEW.id;
    END IF;
    INSERT INTO case_terms (tenant_id, term, case_id)
    SELECT NEW.tenant_id, t.lexeme, NEW.id
    FROM unnest(to_tsvector('indonesian', NEW.title || ' ' || NEW.description)) AS t
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER cases_terms_sync AFTER INSERT OR UPDATE OF title, description ON cases
    FOR EACH ROW EXECUTE FUNCTION case_terms_sync();

-- Existing cases, tenant by tenant (row level security is forced, so the
-- owner sees a tenant's rows only with app.tenant_id set).
DO $$
DECLARE tid uuid;
BEGIN
    FOR tid IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', tid::text, true);
        INSERT INTO case_terms (tenant_id, term, case_id)
        SELECT c.tenant_id, t.lexeme, c.id
        FROM cases c, unnest(to_tsvector('indonesian', c.title || ' ' || c.description)) AS t
        ON CONFLICT DO NOTHING;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['case_pauses', 'case_escalations', 'tenant_holidays', 'case_terms'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    END LOOP;
END $$;

GRANT SELECT, INSERT, UPDATE ON case_pauses TO suara_app;
-- An escalation is history: the app adds levels, never rewrites them.
GRANT SELECT, INSERT ON case_escalations TO suara_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_holidays TO suara_app;
-- Written only by the trigger, as the app role.
GRANT SELECT, INSERT, DELETE ON case_terms TO suara_app;
