-- Explorer speed (issue 8, acceptance 3). analytics_aggregate now
--  * sums only the measure columns the query needs (p_parts: any of
--    first_response, resolution, target, satisfaction, reopened,
--    retaliation; cases always): a count reads one column of each cell
--    instead of thirty-four; the others come back as 0 and NULL;
--  * returns the duration histograms, and internal/analytics estimates the
--    medians in Go (histMedian): the plpgsql estimate ran twice per group
--    whatever was asked, most of the time of a query with thousands of
--    groups (quarter x category x province);
--  * matches the months as a list rather than a range, so that a filtered
--    query on the platform cube's primary key (grain, month, sector,
--    category, ...) descends to each month's matching values instead of
--    walking every cell of the range.
-- Otherwise the contract of 0021: the same grains, dimensions, filters and
-- privileges.
DROP FUNCTION analytics_aggregate(text[], date, date, text[], text[]);
DROP FUNCTION analytics_hist_median(bigint[]);

CREATE FUNCTION analytics_aggregate(p_dims text[], p_from date, p_to date, p_filter_dims text[], p_filter_vals text[],
                                    p_parts text[])
RETURNS TABLE (keys text[], cases bigint,
               first_response_n bigint, first_response_hist bigint[],
               resolution_n bigint, resolution_hist bigint[],
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
        exprs := exprs || e;
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
        SELECT ARRAY[%s]::text[],
               sum(f.cases),
               %s, %s, %s, %s, %s, %s
        FROM %s
        WHERE f.grain = $3 AND f.month = ANY ($1) %s
        GROUP BY 1
        HAVING sum(f.cases) > 0$q$, array_to_string(exprs, ', '),
        CASE WHEN 'first_response' = ANY (parts) THEN format('sum(f.fr_n), ARRAY[%s]', fr_h) ELSE '0::bigint, NULL::bigint[]' END,
        CASE WHEN 'resolution' = ANY (parts) THEN format('sum(f.res_n), ARRAY[%s]', res_h) ELSE '0::bigint, NULL::bigint[]' END,
        CASE WHEN 'target' = ANY (parts) THEN 'sum(f.target_n), sum(f.within_target)' ELSE '0::bigint, 0::bigint' END,
        CASE WHEN 'satisfaction' = ANY (parts) THEN 'sum(f.satisfaction_n), sum(f.satisfaction_sum)' ELSE '0::bigint, 0::bigint' END,
        CASE WHEN 'reopened' = ANY (parts) THEN 'sum(f.reopened)' ELSE '0::bigint' END,
        CASE WHEN 'retaliation' = ANY (parts) THEN 'sum(f.retaliation)' ELSE '0::bigint' END,
        CASE WHEN platform THEN 'analytics_platform_cells f'
             ELSE 'analytics_cells f JOIN analytics_tenant_labels() t ON t.id = f.tenant_id' END,
        conds)
    USING ARRAY(SELECT generate_series(p_from, p_to, interval '1 month')::date), p_filter_vals, grain::smallint;
    PERFORM set_config('app.tenant_id', prev, true);
END
$fn$;

REVOKE ALL ON FUNCTION analytics_aggregate(text[], date, date, text[], text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics_aggregate(text[], date, date, text[], text[], text[]) TO suara_app;

-- The tenant cube's secondary index carries the dimensions after the month,
-- as the platform cube's primary key does: a query that filters the full
-- grain (tenant or company and four or more dimensions) descends to the
-- matching values of each month instead of reading the whole month, and
-- checks the other filters on the index before touching a cell.
DROP INDEX analytics_cells_grain_month_idx;
CREATE INDEX analytics_cells_grain_month_idx
    ON analytics_cells (grain, month, sector, category, province, company, type, status, gender, safety_mode);
