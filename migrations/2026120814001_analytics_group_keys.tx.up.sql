-- Explorer speed at scale (issue 22, acceptance 3). analytics_aggregate and
-- analytics_ilo_aggregate grouped the cells by one text[] built per cell
-- (ARRAY[dimension, ...]) and formatted month and quarter per cell
-- (to_char). With tens of thousands of cells per query (company x category,
-- quarter x category x province) building, hashing and comparing an array
-- per cell was most of the aggregation. They now group by the plain
-- columns (a quarter as its first month) and build the key array and the
-- month and quarter labels once per group.
--
-- Otherwise the contract of 0023 and 20261206007000: the same arguments,
-- grains, shapes, filters (bound parameters), results and privileges
-- (CREATE OR REPLACE keeps the grants).
CREATE OR REPLACE FUNCTION analytics_aggregate(p_dims text[], p_from date, p_to date, p_filter_dims text[], p_filter_vals text[],
                                               p_parts text[])
RETURNS TABLE (keys text[], cases bigint,
               first_response_n bigint, first_response_hist bigint[],
               resolution_n bigint, resolution_hist bigint[],
               target_n bigint, within_target bigint,
               satisfaction_n bigint, satisfaction_sum bigint,
               reopened bigint, retaliation bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public SET jit = off AS $fn$
DECLARE
    inner_exprs text[] := '{}';
    outer_exprs text[] := '{}';
    conds text := '';
    mask int := 0;
    grain int;
    platform boolean;
    e text;
    d text;
    i int;
    fr_h text;
    res_h text;
    parts text[] := coalesce(p_parts, '{}');
    prev text := analytics_leave_tenant();
BEGIN
    IF coalesce(array_length(p_dims, 1), 0) > 4 THEN
        RAISE EXCEPTION 'at most 4 dimensions' USING ERRCODE = '22023';
    END IF;
    IF NOT parts <@ ARRAY['first_response', 'resolution', 'target', 'satisfaction', 'reopened', 'retaliation'] THEN
        RAISE EXCEPTION 'unknown measure part in %', parts USING ERRCODE = '22023';
    END IF;
    IF coalesce(array_length(p_filter_dims, 1), 0) <> coalesce(array_length(p_filter_vals, 1), 0) THEN
        RAISE EXCEPTION 'filters and values differ in length' USING ERRCODE = '22023';
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_dims, 1), 0) LOOP
        e := analytics_dimension(p_dims[i]);
        IF e IS NULL THEN
            RAISE EXCEPTION 'unknown dimension %', p_dims[i] USING ERRCODE = '22023';
        END IF;
        -- grouped as a plain value; month and quarter as a date, labelled per group
        inner_exprs := inner_exprs || CASE p_dims[i] WHEN 'month' THEN 'f.month'
            WHEN 'quarter' THEN 'date_trunc(''quarter'', f.month::timestamp)::date' ELSE e END;
        outer_exprs := outer_exprs || CASE p_dims[i] WHEN 'month' THEN format('to_char(g.k%s, ''YYYY-MM'')', i)
            WHEN 'quarter' THEN format('to_char(g.k%s, ''YYYY-"Q"Q'')', i) ELSE format('g.k%s', i) END;
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(p_filter_dims, 1), 0) LOOP
        e := analytics_dimension(p_filter_dims[i]);
        IF e IS NULL THEN
            RAISE EXCEPTION 'unknown dimension %', p_filter_dims[i] USING ERRCODE = '22023';
        END IF;
        -- values are bound parameters, never spliced into the SQL
        conds := conds || format(' AND %s = $2[%s]', e, i);
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
        SELECT ARRAY[%s]::text[], g.cases, g.m1, g.m2, g.m3, g.m4, g.m5, g.m6, g.m7, g.m8, g.m9, g.m10
        FROM (SELECT %s
                     sum(f.cases) AS cases,
                     %s, %s, %s, %s, %s, %s
              FROM %s
              WHERE f.grain = $3 AND f.month = ANY ($1) %s
              GROUP BY %s
              HAVING sum(f.cases) > 0) g$q$,
        array_to_string(outer_exprs, ', '),
        (SELECT coalesce(string_agg(format('%s AS k%s', x, n), ', ') || ',', '')
         FROM unnest(inner_exprs) WITH ORDINALITY u(x, n)),
        CASE WHEN 'first_response' = ANY (parts) THEN format('sum(f.fr_n) AS m1, ARRAY[%s] AS m2', fr_h) ELSE '0::bigint AS m1, NULL::bigint[] AS m2' END,
        CASE WHEN 'resolution' = ANY (parts) THEN format('sum(f.res_n) AS m3, ARRAY[%s] AS m4', res_h) ELSE '0::bigint AS m3, NULL::bigint[] AS m4' END,
        CASE WHEN 'target' = ANY (parts) THEN 'sum(f.target_n) AS m5, sum(f.within_target) AS m6' ELSE '0::bigint AS m5, 0::bigint AS m6' END,
        CASE WHEN 'satisfaction' = ANY (parts) THEN 'sum(f.satisfaction_n) AS m7, sum(f.satisfaction_sum) AS m8' ELSE '0::bigint AS m7, 0::bigint AS m8' END,
        CASE WHEN 'reopened' = ANY (parts) THEN 'sum(f.reopened) AS m9' ELSE '0::bigint AS m9' END,
        CASE WHEN 'retaliation' = ANY (parts) THEN 'sum(f.retaliation) AS m10' ELSE '0::bigint AS m10' END,
        CASE WHEN platform THEN 'analytics_platform_cells f'
             ELSE 'analytics_cells f JOIN analytics_tenant_labels() t ON t.id = f.tenant_id' END,
        conds,
        CASE WHEN cardinality(inner_exprs) = 0 THEN '()'
             ELSE (SELECT string_agg(n::text, ', ') FROM generate_series(1, cardinality(inner_exprs)) n) END)
    USING ARRAY(SELECT generate_series(p_from, p_to, interval '1 month')::date), p_filter_vals, grain::smallint;
    PERFORM set_config('app.tenant_id', prev, true);
END
$fn$;

CREATE OR REPLACE FUNCTION analytics_ilo_aggregate(p_shape int, p_dims text[], p_from date, p_to date,
                                                   p_filter_dims text[], p_filter_vals text[])
RETURNS TABLE (keys text[], cases bigint, retaliation bigint, members bigint, workers_affected bigint,
               outcomes bigint, reinstatement bigint, back_pay bigint, contract_conversion bigint,
               apology bigint, policy_change bigint, money_n bigint, money_idr bigint, workers_reached bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public SET jit = off AS $fn$
DECLARE
    inner_exprs text[] := '{}';
    outer_exprs text[] := '{}';
    conds text := '';
    e text;
    i int;
    prev text := analytics_leave_tenant();
    dim constant text[] := '{a,b,tenant,month,quarter}';
    sql constant text[] := ARRAY['f.a', 'f.b', 't.label', 'f.month', 'date_trunc(''quarter'', f.month::timestamp)::date'];
BEGIN
    IF coalesce(array_length(p_dims, 1), 0) > 4 THEN
        RAISE EXCEPTION 'at most 4 dimensions' USING ERRCODE = '22023';
    END IF;
    IF coalesce(array_length(p_filter_dims, 1), 0) <> coalesce(array_length(p_filter_vals, 1), 0) THEN
        RAISE EXCEPTION 'filters and values differ in length' USING ERRCODE = '22023';
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_dims, 1), 0) LOOP
        e := sql[array_position(dim, p_dims[i])];
        IF e IS NULL THEN
            RAISE EXCEPTION 'unknown dimension %', p_dims[i] USING ERRCODE = '22023';
        END IF;
        inner_exprs := inner_exprs || e;
        outer_exprs := outer_exprs || CASE p_dims[i] WHEN 'month' THEN format('to_char(g.k%s, ''YYYY-MM'')', i)
            WHEN 'quarter' THEN format('to_char(g.k%s, ''YYYY-"Q"Q'')', i) ELSE format('g.k%s', i) END;
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(p_filter_dims, 1), 0) LOOP
        e := sql[array_position(dim[1:3], p_filter_dims[i])];
        IF e IS NULL THEN
            RAISE EXCEPTION 'unknown filter %', p_filter_dims[i] USING ERRCODE = '22023';
        END IF;
        conds := conds || format(' AND %s = $2[%s]', e, i);
    END LOOP;
    RETURN QUERY EXECUTE format($q$
        SELECT ARRAY[%s]::text[], g.cases, g.retaliation, g.members, g.workers_affected, g.outcomes, g.reinstatement,
               g.back_pay, g.contract_conversion, g.apology, g.policy_change, g.money_n, g.money_idr, g.workers_reached
        FROM (SELECT %s
                     sum(f.cases)::bigint AS cases, sum(f.retaliation)::bigint AS retaliation, sum(f.members)::bigint AS members,
                     sum(f.workers_affected)::bigint AS workers_affected, sum(f.outcomes)::bigint AS outcomes,
                     sum(f.reinstatement)::bigint AS reinstatement, sum(f.back_pay)::bigint AS back_pay,
                     sum(f.contract_conversion)::bigint AS contract_conversion, sum(f.apology)::bigint AS apology,
                     sum(f.policy_change)::bigint AS policy_change, sum(f.money_n)::bigint AS money_n,
                     sum(f.money_idr)::bigint AS money_idr, sum(f.workers_reached)::bigint AS workers_reached
              FROM analytics_ilo_cells f JOIN analytics_tenant_labels() t ON t.id = f.tenant_id
              WHERE f.shape = $3 AND f.month = ANY ($1) %s
              GROUP BY %s
              HAVING sum(f.cases) > 0) g$q$,
        array_to_string(outer_exprs, ', '),
        (SELECT coalesce(string_agg(format('%s AS k%s', x, n), ', ') || ',', '')
         FROM unnest(inner_exprs) WITH ORDINALITY u(x, n)),
        conds,
        CASE WHEN cardinality(inner_exprs) = 0 THEN '()'
             ELSE (SELECT string_agg(n::text, ', ') FROM generate_series(1, cardinality(inner_exprs)) n) END)
    USING ARRAY(SELECT generate_series(p_from, p_to, interval '1 month')::date), p_filter_vals, p_shape::smallint;
    PERFORM set_config('app.tenant_id', prev, true);
END
$fn$;

-- A rebuild (suara analytics rebuild, the benchmark's generated facts)
-- leaves the cubes' cells in the order its hash aggregation spilled them:
-- the few thousand cells of one grain and a year of months lay on as many
-- pages, and a query read one page per cell (1,617 pages for 3,742 cells of
-- the platform cube's category x province grain at 1 M cases). The rebuild
-- now ends by rewriting the three cubes in their primary keys' order
-- (grain or shape, then month, for each tenant), so a query reads a few
-- contiguous pages per tenant. It takes the tables' exclusive lock while
-- it rewrites them: queries wait for it, as for the rebuild itself. The
-- rollup's later cells go where there is room; a later rebuild restores
-- the order. Owner only (the app role may not CLUSTER): through this
-- definer function.
CREATE FUNCTION analytics_cluster_cubes() RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public SET maintenance_work_mem = '256MB' AS $fn$
BEGIN
    CLUSTER analytics_cells USING analytics_cells_pkey;
    CLUSTER analytics_platform_cells USING analytics_platform_cells_pkey;
    CLUSTER analytics_ilo_cells USING analytics_ilo_cells_pkey;
    ANALYZE analytics_cells, analytics_platform_cells, analytics_ilo_cells;
END
$fn$;
REVOKE ALL ON FUNCTION analytics_cluster_cubes() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics_cluster_cubes() TO suara_app;
