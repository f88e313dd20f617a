-- Analytics cube (issue 8, acceptance 3): the explorer's queries read
-- pre-aggregated cells instead of scanning one fact per case.
--
-- analytics_cells holds, per tenant and month, the sums of the facts'
-- measures for a "grain" (a set of dimensions). grain is a bit mask over
-- the eight fact dimensions: sector 1, category 2, province 4, company 8,
-- type 16, status 32, gender 64, safety_mode 128; a dimension outside the
-- grain is stored as ''. The rollup (internal/analytics) keeps every grain
-- of at most three dimensions (93 grains) plus the full grain 255, in the same statement
-- that upserts the facts: it subtracts a changed fact's old contribution
-- (the facts row still holds it) and adds the new one. A query reads the
-- smallest grain that holds every dimension it groups or filters by: the
-- grains of up to three dimensions are small (at most a few thousand cells
-- per tenant and month), the full grain is the fallback for queries that
-- touch four or more fact dimensions.
--
-- Durations are kept as fixed histograms (days: 0-1, 1-2, 2-3, 3-5, 5-7,
-- 7-10, 10-14, 14-21, 21-30, 30-45, 45-60, 60-90, 90-180, 180+), so a
-- median is estimated by linear interpolation inside the bucket that holds
-- it (analytics_hist_median), not computed exactly.
CREATE TABLE analytics_cells (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    grain          smallint NOT NULL CHECK (grain = 255 OR (grain BETWEEN 0 AND 255 AND bit_count(grain::int::bit(8)) <= 3)),
    month          date NOT NULL CHECK (extract(day FROM month) = 1),
    sector         text NOT NULL DEFAULT '',
    category       text NOT NULL DEFAULT '',
    province       text NOT NULL DEFAULT '',
    company        text NOT NULL DEFAULT '',
    type           text NOT NULL DEFAULT '',
    status         text NOT NULL DEFAULT '',
    gender         text NOT NULL DEFAULT '',
    safety_mode    text NOT NULL DEFAULT '',
    cases          integer NOT NULL DEFAULT 0,
    fr_n           integer NOT NULL DEFAULT 0,
    fr_h0 integer NOT NULL DEFAULT 0, fr_h1 integer NOT NULL DEFAULT 0, fr_h2 integer NOT NULL DEFAULT 0,
    fr_h3 integer NOT NULL DEFAULT 0, fr_h4 integer NOT NULL DEFAULT 0, fr_h5 integer NOT NULL DEFAULT 0,
    fr_h6 integer NOT NULL DEFAULT 0, fr_h7 integer NOT NULL DEFAULT 0, fr_h8 integer NOT NULL DEFAULT 0,
    fr_h9 integer NOT NULL DEFAULT 0, fr_h10 integer NOT NULL DEFAULT 0, fr_h11 integer NOT NULL DEFAULT 0,
    fr_h12 integer NOT NULL DEFAULT 0, fr_h13 integer NOT NULL DEFAULT 0,
    res_n          integer NOT NULL DEFAULT 0,
    res_h0 integer NOT NULL DEFAULT 0, res_h1 integer NOT NULL DEFAULT 0, res_h2 integer NOT NULL DEFAULT 0,
    res_h3 integer NOT NULL DEFAULT 0, res_h4 integer NOT NULL DEFAULT 0, res_h5 integer NOT NULL DEFAULT 0,
    res_h6 integer NOT NULL DEFAULT 0, res_h7 integer NOT NULL DEFAULT 0, res_h8 integer NOT NULL DEFAULT 0,
    res_h9 integer NOT NULL DEFAULT 0, res_h10 integer NOT NULL DEFAULT 0, res_h11 integer NOT NULL DEFAULT 0,
    res_h12 integer NOT NULL DEFAULT 0, res_h13 integer NOT NULL DEFAULT 0,
    target_n         integer NOT NULL DEFAULT 0,
    within_target    integer NOT NULL DEFAULT 0,
    satisfaction_n   integer NOT NULL DEFAULT 0,
    satisfaction_sum integer NOT NULL DEFAULT 0,
    reopened         integer NOT NULL DEFAULT 0,
    retaliation      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, grain, month, sector, category, province, company, type, status, gender, safety_mode)
);
-- Platform queries read one grain over a month range across tenants.
CREATE INDEX analytics_cells_grain_month_idx ON analytics_cells (grain, month);

ALTER TABLE analytics_cells ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_cells FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON analytics_cells
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
-- DELETE: RebuildCells replaces a tenant's cells from its facts.
GRANT SELECT, INSERT, UPDATE, DELETE ON analytics_cells TO suara_app;
DO $$
BEGIN
    -- As for case_facts: the definer functions (run as the owner) read
    -- every tenant's cells.
    EXECUTE format('CREATE POLICY platform_aggregates ON analytics_cells FOR SELECT TO %I USING (true)', current_user);
END $$;

-- analytics_hist_median estimates the median of a duration histogram
-- (counts of the fourteen buckets above, in order): the bucket where the
-- cumulative count reaches half, interpolated linearly inside it; the open
-- 180+ bucket answers 180.
CREATE FUNCTION analytics_hist_median(h bigint[]) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
DECLARE
    lo constant double precision[] := '{0,1,2,3,5,7,10,14,21,30,45,60,90,180}';
    hi constant double precision[] := '{1,2,3,5,7,10,14,21,30,45,60,90,180,180}';
    n bigint := 0;
    cum bigint := 0;
    half double precision;
    i int;
BEGIN
    FOR i IN 1 .. 14 LOOP
        n := n + coalesce(h[i], 0);
    END LOOP;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    half := n / 2.0;
    FOR i IN 1 .. 14 LOOP
        IF coalesce(h[i], 0) > 0 AND cum + h[i] >= half THEN
            RETURN lo[i] + (hi[i] - lo[i]) * (half - cum) / h[i];
        END IF;
        cum := cum + coalesce(h[i], 0);
    END LOOP;
    RETURN lo[14];
END
$$;

-- analytics_aggregate: same contract as in 0008 (dimension values and
-- numbers only, fixed dimension list, filter values bound), now read from
-- the cube. Medians are histogram estimates (see analytics_hist_median).
-- jit is off: compiling costs more than these small scans take.
CREATE OR REPLACE FUNCTION analytics_aggregate(p_dims text[], p_from date, p_to date, p_filter_dims text[], p_filter_vals text[])
RETURNS TABLE (keys text[], cases bigint,
               first_response_n bigint, first_response_median double precision,
               resolution_n bigint, resolution_median double precision,
               target_n bigint, within_target bigint,
               satisfaction_n bigint, satisfaction_sum bigint,
               reopened bigint, retaliation bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public SET jit = off AS $fn$
DECLARE
    exprs text[] := '{}';
    conds text := '';
    mask int := 0;
    grain int;
    e text;
    d text;
    i int;
    fr_h text;
    res_h text;
BEGIN
    IF coalesce(array_length(p_dims, 1), 0) > 4 THEN
        RAISE EXCEPTION 'at most 4 dimensions' USING ERRCODE = '22023';
    END IF;
    IF coalesce(array_length(p_filter_dims, 1), 0) <> coalesce(array_length(p_filter_vals, 1), 0) THEN
        RAISE EXCEPTION 'filters and values differ in length' USING ERRCODE = '22023';
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_dims, 1), 0) LOOP
        e := analytics_dimension(p_dims[i]);
        IF e IS NULL THEN
            RAISE EXCEPTION 'unknown dimension %', p_dims[i] USING ERRCODE = '22023';
        END IF;
        exprs := exprs || e;
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(p_filter_dims, 1), 0) LOOP
        e := analytics_dimension(p_filter_dims[i]);
        IF e IS NULL THEN
            RAISE EXCEPTION 'unknown dimension %', p_filter_dims[i] USING ERRCODE = '22023';
        END IF;
        -- values are bound parameters, never spliced into the SQL
        conds := conds || format(' AND %s = $3[%s]', e, i);
    END LOOP;
    -- The grain: every fact dimension grouped or filtered by (tenant and
    -- month are in every cell).
    FOREACH d IN ARRAY coalesce(p_dims, '{}') || coalesce(p_filter_dims, '{}') LOOP
        mask := mask | CASE d WHEN 'sector' THEN 1 WHEN 'category' THEN 2 WHEN 'province' THEN 4
            WHEN 'company' THEN 8 WHEN 'type' THEN 16 WHEN 'status' THEN 32 WHEN 'gender' THEN 64
            WHEN 'safety_mode' THEN 128 ELSE 0 END;
    END LOOP;
    grain := CASE WHEN bit_count(mask::bit(8)) <= 3 THEN mask ELSE 255 END;
    SELECT string_agg(format('sum(f.fr_h%s)', b), ', ' ORDER BY b),
           string_agg(format('sum(f.res_h%s)', b), ', ' ORDER BY b)
    INTO fr_h, res_h FROM generate_series(0, 13) b;
    RETURN QUERY EXECUTE format($q$
        SELECT ARRAY[%s]::text[],
               sum(f.cases),
               sum(f.fr_n),
               analytics_hist_median(ARRAY[%s]),
               sum(f.res_n),
               analytics_hist_median(ARRAY[%s]),
               sum(f.target_n),
               sum(f.within_target),
               sum(f.satisfaction_n),
               sum(f.satisfaction_sum),
               sum(f.reopened),
               sum(f.retaliation)
        FROM analytics_cells f
        JOIN analytics_tenant_labels() t ON t.id = f.tenant_id
        WHERE f.grain = $4 AND f.month BETWEEN $1 AND $2 %s
        GROUP BY 1
        HAVING sum(f.cases) > 0$q$, array_to_string(exprs, ', '), fr_h, res_h, conds)
    USING p_from, p_to, p_filter_vals, grain::smallint;
END
$fn$;

-- analytics_tenant_overview is unchanged; tenant_stats.cases now comes
-- from the cube (internal/analytics refreshStats).

REVOKE ALL ON FUNCTION analytics_hist_median(bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION analytics_aggregate(text[], date, date, text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics_aggregate(text[], date, date, text[], text[]) TO suara_app;

-- Backfill: fold the facts already rolled up into the cube, one tenant at
-- a time under its own app.tenant_id (the table's RLS is forced). It builds
-- the same cells as internal/analytics RebuildCells (in one step, where
-- RebuildCells first sums the full grain).
DO $$
DECLARE
    tid uuid;
BEGIN
    FOR tid IN SELECT DISTINCT tenant_id FROM case_facts LOOP
        PERFORM set_config('app.tenant_id', tid::text, true);
        INSERT INTO analytics_cells (tenant_id, grain, month, sector, category, province, company, type, status, gender, safety_mode,
            cases, fr_n, fr_h0, fr_h1, fr_h2, fr_h3, fr_h4, fr_h5, fr_h6, fr_h7, fr_h8, fr_h9, fr_h10, fr_h11, fr_h12, fr_h13,
            res_n, res_h0, res_h1, res_h2, res_h3, res_h4, res_h5, res_h6, res_h7, res_h8, res_h9, res_h10, res_h11, res_h12, res_h13,
            target_n, within_target, satisfaction_n, satisfaction_sum, reopened, retaliation)
        SELECT s.tenant_id, gr.g, s.month,
               CASE WHEN gr.g & 1 <> 0 THEN s.sector ELSE '' END,
               CASE WHEN gr.g & 2 <> 0 THEN s.category ELSE '' END,
               CASE WHEN gr.g & 4 <> 0 THEN s.province ELSE '' END,
               CASE WHEN gr.g & 8 <> 0 THEN s.company ELSE '' END,
               CASE WHEN gr.g & 16 <> 0 THEN s.type ELSE '' END,
               CASE WHEN gr.g & 32 <> 0 THEN s.status ELSE '' END,
               CASE WHEN gr.g & 64 <> 0 THEN s.gender ELSE '' END,
               CASE WHEN gr.g & 128 <> 0 THEN s.safety_mode ELSE '' END,
               count(*), count(*) FILTER (WHERE s.frb IS NOT NULL),
               count(*) FILTER (WHERE s.frb = 0), count(*) FILTER (WHERE s.frb = 1), count(*) FILTER (WHERE s.frb = 2),
               count(*) FILTER (WHERE s.frb = 3), count(*) FILTER (WHERE s.frb = 4), count(*) FILTER (WHERE s.frb = 5),
               count(*) FILTER (WHERE s.frb = 6), count(*) FILTER (WHERE s.frb = 7), count(*) FILTER (WHERE s.frb = 8),
               count(*) FILTER (WHERE s.frb = 9), count(*) FILTER (WHERE s.frb = 10), count(*) FILTER (WHERE s.frb = 11),
               count(*) FILTER (WHERE s.frb = 12), count(*) FILTER (WHERE s.frb = 13),
               count(*) FILTER (WHERE s.resb IS NOT NULL),
               count(*) FILTER (WHERE s.resb = 0), count(*) FILTER (WHERE s.resb = 1), count(*) FILTER (WHERE s.resb = 2),
               count(*) FILTER (WHERE s.resb = 3), count(*) FILTER (WHERE s.resb = 4), count(*) FILTER (WHERE s.resb = 5),
               count(*) FILTER (WHERE s.resb = 6), count(*) FILTER (WHERE s.resb = 7), count(*) FILTER (WHERE s.resb = 8),
               count(*) FILTER (WHERE s.resb = 9), count(*) FILTER (WHERE s.resb = 10), count(*) FILTER (WHERE s.resb = 11),
               count(*) FILTER (WHERE s.resb = 12), count(*) FILTER (WHERE s.resb = 13),
               count(s.within_target), count(*) FILTER (WHERE s.within_target),
               count(s.satisfaction), coalesce(sum(s.satisfaction), 0),
               count(*) FILTER (WHERE s.reopened), count(*) FILTER (WHERE s.retaliation)
        FROM (SELECT f.*,
                     width_bucket(f.first_response_days, '{1,2,3,5,7,10,14,21,30,45,60,90,180}'::real[]) AS frb,
                     width_bucket(f.resolution_days, '{1,2,3,5,7,10,14,21,30,45,60,90,180}'::real[]) AS resb
              FROM case_facts f WHERE f.tenant_id = tid) s,
             (SELECT g FROM generate_series(0, 255) g WHERE g = 255 OR bit_count(g::bit(8)) <= 3) gr
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
