-- A staff search, newest cases first, walked the tenant's cases in
-- created order and probed case_terms for every term of every case until a
-- page matched (BENCHMARKS.md, "Staff queue full-text search"). With the
-- case's created_at beside each term, the search walks one term's own
-- entries in page order instead and probes only the other terms.
ALTER TABLE case_terms ADD COLUMN created_at timestamptz;

DO $$
DECLARE tid uuid;
BEGIN
    FOR tid IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', tid::text, true);
        UPDATE case_terms t SET created_at = c.created_at
        FROM cases c WHERE c.tenant_id = t.tenant_id AND c.id = t.case_id;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;

ALTER TABLE case_terms ALTER COLUMN created_at SET NOT NULL;
CREATE INDEX case_terms_recent_idx ON case_terms (tenant_id, term, created_at DESC, case_id DESC);

CREATE OR REPLACE FUNCTION case_terms_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.title IS NOT DISTINCT FROM OLD.title AND NEW.description IS NOT DISTINCT FROM OLD.description
            AND NEW.created_at IS NOT DISTINCT FROM OLD.created_at THEN
            RETURN NULL;
        END IF;
        DELETE FROM case_terms WHERE tenant_id = NEW.tenant_id AND case_id = NEW.id;
    END IF;
    INSERT INTO case_terms (tenant_id, term, case_id, created_at)
    SELECT NEW.tenant_id, t.lexeme, NEW.id, NEW.created_at
    FROM unnest(to_tsvector('indonesian', NEW.title || ' ' || NEW.description)) AS t
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

DROP TRIGGER cases_terms_sync ON cases;
CREATE TRIGGER cases_terms_sync AFTER INSERT OR UPDATE OF title, description, created_at ON cases
    FOR EACH ROW EXECUTE FUNCTION case_terms_sync();
