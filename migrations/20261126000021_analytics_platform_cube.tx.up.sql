-- Platform cube (issue 8, acceptance 3): the explorer's queries that do not
-- group or filter by tenant (or company) read cells already summed over
-- every tenant, so a query touches one row per month and combination of
-- values instead of one per tenant, month and combination.
--
-- analytics_platform_cells is a platform table (no tenant_id, no policy):
-- it holds sums over all tenants and no tenant's identity. The app role has
-- no privilege on it; only the owner's definer functions below read and
-- write it. Grains are bit masks as in analytics_cells (sector 1, category
-- 2, province 4, type 16, status 32, gender 64, safety_mode 128), without
-- company (8): a company is one tenant's and opt-in, so queries by company
-- read the tenant cube, where the opt-in is checked at query time. Every
-- grain of at most four of these seven dimensions is kept (98 grains) plus
-- the full grain 247: a 3-4 dimension explorer query reads one exact grain.
CREATE TABLE analytics_platform_cells (
    grain          smallint NOT NULL CHECK (grain & 8 = 0 AND grain BETWEEN 0 AND 255
                                            AND (grain = 247 OR bit_count(grain::int::bit(8)) <= 4)),
    month          date NOT NULL CHECK (extract(day FROM month) = 1),
    sector         text NOT NULL DEFAULT '',
    category       text NOT NULL DEFAULT '',
    province       text NOT NULL DEFAULT '',
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
    -- leads with grain and month: every platform query is one grain over a
    -- month range
    PRIMARY KEY (grain, month, sector, category, province, type, status, gender, safety_mode)
);

-- The rollup hands its changes to the platform cube through this inbox: it
-- may only append (signed full-grain deltas, summed over the batch), and
-- analytics_platform_apply folds them in and empties it in the same
-- transaction, so the app role never reads another tenant's numbers.
CREATE TABLE analytics_platform_inbox (LIKE analytics_platform_cells);
ALTER TABLE analytics_platform_inbox DROP COLUMN grain;
GRANT INSERT ON analytics_platform_inbox TO suara_app;

-- analytics_platform_fold_sql is the statement (after the WITH clause
-- prefix) that sums the full-grain rows of src (a relation with month, the
-- seven dimensions and the measures) into every platform grain: ON
-- CONFLICT adds when p_add, else the table is assumed empty.
CREATE FUNCTION analytics_platform_fold_sql(prefix text, src text, p_add boolean) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $fn$
DECLARE
    dims constant text[] := '{sector,category,province,type,status,gender,safety_mode}';
    bit constant int[] := '{1,2,4,16,32,64,128}';
    measures text[];
    sets text;
    grain_expr text;
    dim_exprs text;
BEGIN
    measures := ARRAY['cases', 'fr_n']
        || ARRAY(SELECT 'fr_h' || b FROM generate_series(0, 13) b)
        || ARRAY['res_n']
        || ARRAY(SELECT 'res_h' || b FROM generate_series(0, 13) b)
        || ARRAY['target_n', 'within_target', 'satisfaction_n', 'satisfaction_sum', 'reopened', 'retaliation'];
    -- One grouping set per grain; GROUPING() tells which one a row is of.
    SELECT string_agg('(month' || coalesce((SELECT string_agg(', ' || dims[i], '' ORDER BY i)
                                            FROM generate_series(1, 7) i WHERE g & bit[i] <> 0), '') || ')', ', ')
    INTO sets
    FROM generate_series(0, 255) g
    WHERE g & 8 = 0 AND (g = 247 OR bit_count(g::bit(8)) <= 4);
    SELECT string_agg(format('CASE WHEN GROUPING(s.%s) = 0 THEN %s ELSE 0 END', dims[i], bit[i]), ' | '),
           string_agg(format('coalesce(s.%s, '''')', dims[i]), ', ')
    INTO grain_expr, dim_exprs FROM generate_series(1, 7) i;
    RETURN prefix || format($q$
        INSERT INTO analytics_platform_cells AS c (grain, month, %1$s, %2$s)
        SELECT (%3$s)::smallint, s.month, %4$s, %5$s
        FROM %6$s s
        GROUP BY GROUPING SETS (%7$s)
        %8$s$q$,
        array_to_string(dims, ', '), array_to_string(measures, ', '), grain_expr, dim_exprs,
        (SELECT string_agg(format('sum(s.%s)', m), ', ') FROM unnest(measures) m),
        src, replace(sets, '(month', '(s.month'),
        CASE WHEN p_add THEN format('ON CONFLICT (grain, month, %s) DO UPDATE SET %s', array_to_string(dims, ', '),
            (SELECT string_agg(format('%1$s = c.%1$s + EXCLUDED.%1$s', m), ', ') FROM unnest(measures) m))
        ELSE '' END);
END
$fn$;

-- The definer functions below run with no tenant in scope, whatever the
-- caller had set (they put the caller's setting back on the way out; an
-- error aborts the transaction anyway): inside them the forced row level
-- security of every case table hides every row, so they read the facts,
-- cells and counters (through their platform policies) and nothing of a
-- case. (A function-level SET app.tenant_id needs a superuser's grant on
-- the parameter, which migrations do not have.)
CREATE FUNCTION analytics_leave_tenant() RETURNS text
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog AS $$
DECLARE
    prev text := coalesce(current_setting('app.tenant_id', true), '');
BEGIN
    PERFORM set_config('app.tenant_id', '', true);
    RETURN prev;
END
$$;
REVOKE ALL ON FUNCTION analytics_leave_tenant() FROM PUBLIC;

-- analytics_platform_apply folds the inbox into the platform cube. Called
-- by the rollup in its own transaction, after its statement: the inbox
-- rows it sees are its own (others' are uncommitted, or were folded by
-- their own transaction). The advisory lock makes concurrent rollups of
-- different tenants take turns on the shared cells instead of deadlocking.
CREATE FUNCTION analytics_platform_apply() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public SET jit = off AS $fn$
DECLARE
    n bigint;
    prev text := analytics_leave_tenant();
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('analytics_platform_cells'));
    EXECUTE analytics_platform_fold_sql('WITH d AS (DELETE FROM analytics_platform_inbox RETURNING *)', 'd', true);
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('app.tenant_id', prev, true);
    RETURN n;
END
$fn$;

-- analytics_platform_rebuild recomputes the platform cube from every
-- tenant's full-grain cells (tools, the benchmark's generated facts, this
-- migration's backfill).
CREATE FUNCTION analytics_platform_rebuild() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public SET jit = off SET work_mem = '256MB' AS $fn$
DECLARE
    n bigint;
    prev text := analytics_leave_tenant();
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('analytics_platform_cells'));
    DELETE FROM analytics_platform_inbox;
    TRUNCATE analytics_platform_cells;
    -- analytics_cells rows are readable here through its platform policy.
    EXECUTE analytics_platform_fold_sql('', '(SELECT * FROM analytics_cells WHERE grain = 255 AND cases <> 0)', false);
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('app.tenant_id', prev, true);
    RETURN n;
END
$fn$;

-- analytics_aggregate: the contract of 0008/0020, now reading the platform
-- cube when the query neither groups nor filters by tenant or company.
-- The SQL text of both paths is built only from fixed dimension
-- expressions; filter values stay bound parameters.
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
    platform boolean;
    e text;
    d text;
    i int;
    fr_h text;
    res_h text;
    prev text := analytics_leave_tenant();
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
    platform := NOT (coalesce(p_dims, '{}') || coalesce(p_filter_dims, '{}')) && ARRAY['tenant', 'company'];
    FOREACH d IN ARRAY coalesce(p_dims, '{}') || coalesce(p_filter_dims, '{}') LOOP
        mask := mask | CASE d WHEN 'sector' THEN 1 WHEN 'category' THEN 2 WHEN 'province' THEN 4
            WHEN 'company' THEN 8 WHEN 'type' THEN 16 WHEN 'status' THEN 32 WHEN 'gender' THEN 64
            WHEN 'safety_mode' THEN 128 ELSE 0 END;
    END LOOP;
    IF platform THEN
        grain := CASE WHEN bit_count(mask::bit(8)) <= 4 THEN mask ELSE 247 END;
    ELSE
        grain := CASE WHEN bit_count(mask::bit(8)) <= 3 THEN mask ELSE 255 END;
    END IF;
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
        FROM %s
        WHERE f.grain = $4 AND f.month BETWEEN $1 AND $2 %s
        GROUP BY 1
        HAVING sum(f.cases) > 0$q$, array_to_string(exprs, ', '), fr_h, res_h,
        CASE WHEN platform THEN 'analytics_platform_cells f'
             ELSE 'analytics_cells f JOIN analytics_tenant_labels() t ON t.id = f.tenant_id' END,
        conds)
    USING p_from, p_to, p_filter_vals, grain::smallint;
    PERFORM set_config('app.tenant_id', prev, true);
END
$fn$;

CREATE OR REPLACE FUNCTION analytics_tenant_overview()
RETURNS TABLE (label text, cases bigint, users bigint, active_branches bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
    prev text := analytics_leave_tenant();
BEGIN
    RETURN QUERY
    SELECT t.label, coalesce(s.cases, 0), coalesce(s.users, 0), coalesce(s.active_branches, 0)
    FROM analytics_tenant_labels() t
    LEFT JOIN tenant_stats s ON s.tenant_id = t.id
    ORDER BY t.label;
    PERFORM set_config('app.tenant_id', prev, true);
END
$fn$;


REVOKE ALL ON FUNCTION analytics_platform_fold_sql(text, text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION analytics_platform_apply() FROM PUBLIC;
REVOKE ALL ON FUNCTION analytics_platform_rebuild() FROM PUBLIC;
REVOKE ALL ON FUNCTION analytics_aggregate(text[], date, date, text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics_platform_apply() TO suara_app;
GRANT EXECUTE ON FUNCTION analytics_platform_rebuild() TO suara_app;
GRANT EXECUTE ON FUNCTION analytics_aggregate(text[], date, date, text[], text[]) TO suara_app;

SELECT analytics_platform_rebuild();
