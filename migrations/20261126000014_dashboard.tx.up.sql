-- Union dashboards (issue 7): what the dashboard needs per case that would
-- otherwise be found by reading every case's timeline, kept beside the
-- case as its events are appended, and the index of the live overdue list.

-- case_milestones: when staff first answered the reporter (the first
-- reporter-visible event after filing written by a staff account) and when
-- the case was first reopened. Written by the trigger below in the
-- transaction that appends the event, so the figures are never stale.
CREATE TABLE case_milestones (
    tenant_id         uuid NOT NULL REFERENCES tenants (id),
    case_id           uuid NOT NULL,
    first_response_at timestamptz,
    reopened_at       timestamptz,
    PRIMARY KEY (tenant_id, case_id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id)
);

-- Runs as the caller (no SECURITY DEFINER): row level security applies
-- to what it reads and writes. The WHEN clause of the trigger keeps it
-- off the filing path (seq 1) and off internal notes.
CREATE FUNCTION case_milestones_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    staff boolean := false;
    reopened boolean := false;
BEGIN
    IF NEW.visibility = 'reporter' AND NEW.actor_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        SELECT EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = NEW.tenant_id AND u.id = NEW.actor_id::uuid AND u.kind = 'staff')
        INTO staff;
    END IF;
    IF NEW.kind = 'status_changed' THEN
        reopened := (NEW.payload::jsonb ->> 'to') = 'reopened';
    END IF;
    IF staff OR reopened THEN
        INSERT INTO case_milestones AS m (tenant_id, case_id, first_response_at, reopened_at)
        VALUES (NEW.tenant_id, NEW.case_id, CASE WHEN staff THEN NEW.created_at END, CASE WHEN reopened THEN NEW.created_at END)
        ON CONFLICT (tenant_id, case_id) DO UPDATE SET
            first_response_at = coalesce(least(m.first_response_at, EXCLUDED.first_response_at), m.first_response_at, EXCLUDED.first_response_at),
            reopened_at = coalesce(least(m.reopened_at, EXCLUDED.reopened_at), m.reopened_at, EXCLUDED.reopened_at);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER case_events_milestones AFTER INSERT ON case_events
    FOR EACH ROW WHEN (NEW.seq > 1 AND (NEW.visibility = 'reporter' OR NEW.kind = 'status_changed'))
    EXECUTE FUNCTION case_milestones_sync();

ALTER TABLE case_milestones ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_milestones FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON case_milestones
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- Written only by the trigger, as the app role.
GRANT SELECT, INSERT, UPDATE ON case_milestones TO suara_app;

-- Existing timelines, tenant by tenant (row level security is forced).
DO $$
DECLARE tid uuid;
BEGIN
    FOR tid IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', tid::text, true);
        INSERT INTO case_milestones (tenant_id, case_id, first_response_at, reopened_at)
        SELECT e.tenant_id, e.case_id,
               min(e.created_at) FILTER (WHERE e.visibility = 'reporter' AND u.id IS NOT NULL),
               min(e.created_at) FILTER (WHERE e.kind = 'status_changed' AND e.payload::jsonb ->> 'to' = 'reopened')
        FROM case_events e
        LEFT JOIN users u ON u.tenant_id = e.tenant_id AND u.kind = 'staff' AND u.id::text = e.actor_id
        WHERE e.tenant_id = tid AND e.seq > 1 AND (e.visibility = 'reporter' OR e.kind = 'status_changed')
        GROUP BY e.tenant_id, e.case_id
        HAVING min(e.created_at) FILTER (WHERE e.visibility = 'reporter' AND u.id IS NOT NULL) IS NOT NULL
            OR min(e.created_at) FILTER (WHERE e.kind = 'status_changed' AND e.payload::jsonb ->> 'to' = 'reopened') IS NOT NULL;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;

-- The dashboard's overdue list: open cases by resolution target. The
-- predicate repeats internal/tenant's openStatuses exactly.
CREATE INDEX cases_open_due_idx ON cases (tenant_id, resolution_due)
    WHERE status IN ('submitted', 'verified', 'in_progress', 'needs_info', 'reopened');
