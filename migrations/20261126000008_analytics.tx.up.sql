-- Cross-union analytics (issue 8): a facts table with one row per case that
-- holds only dimensions and measures (no text, no people), per-tenant
-- counters for the platform's tenants overview, and the rollup's watermark.
-- All three are tenant tables under the usual isolation (tenant_id in every
-- key, ENABLE + FORCE row level security, one policy on app.tenant_id); the
-- rollup job writes them inside each tenant's transaction.
--
-- The platform reads them only through the SECURITY DEFINER functions below,
-- owned by the owner role: they return grouped counts and medians from these
-- tables and never touch a case table. Small-cell suppression happens in
-- internal/analytics on what they return.

CREATE TABLE case_facts (
    tenant_id           uuid NOT NULL REFERENCES tenants (id),
    -- needed to upsert; never leaves the database through the platform path
    case_id             uuid NOT NULL,
    -- first day of the month the case was filed (Asia/Jakarta): no finer date
    month               date NOT NULL CHECK (extract(day FROM month) = 1),
    sector              text NOT NULL DEFAULT '',
    category            text NOT NULL DEFAULT '',
    province            text NOT NULL DEFAULT '',
    -- the workplace's company, only for tenants that opted in
    company             text NOT NULL DEFAULT '',
    type                text NOT NULL,
    status              text NOT NULL,
    gender              text NOT NULL DEFAULT 'unknown' CHECK (gender IN ('female', 'male', 'prefer_not_to_say', 'unknown')),
    safety_mode         text NOT NULL,
    first_response_days real CHECK (first_response_days >= 0),
    resolution_days     real CHECK (resolution_days >= 0),
    within_target       boolean,
    satisfaction        smallint CHECK (satisfaction BETWEEN 1 AND 5),
    reopened            boolean NOT NULL DEFAULT false,
    retaliation         boolean NOT NULL DEFAULT false,
    rolled_at           timestamptz NOT NULL DEFAULT now(),
    -- No foreign key to cases: facts are derived data that a later
    -- deployment may move to an analytics store; the rollup is their source.
    PRIMARY KEY (tenant_id, case_id)
);
-- Platform queries cut across tenants by month range, so this index leads
-- with month (the RLS-scoped rollup uses the primary key).
CREATE INDEX case_facts_month_idx ON case_facts (month);

-- Counters for the tenants overview, refreshed by the rollup.
CREATE TABLE tenant_stats (
    tenant_id       uuid NOT NULL REFERENCES tenants (id),
    cases           bigint NOT NULL DEFAULT 0,
    users           bigint NOT NULL DEFAULT 0,
    active_branches bigint NOT NULL DEFAULT 0,
    refreshed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);

-- How far the rollup has read each tenant's cases: (updated_at, id) of the
-- last case it folded in.
CREATE TABLE rollup_watermarks (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    updated_at timestamptz NOT NULL DEFAULT '-infinity',
    case_id    uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
    rolled_at  timestamptz,
    PRIMARY KEY (tenant_id)
);

-- The rollup reads cases changed since its watermark.
CREATE INDEX cases_updated_idx ON cases (tenant_id, updated_at, id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['case_facts', 'tenant_stats', 'rollup_watermarks'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON %I TO suara_app', t);
    END LOOP;
    -- The owner (who runs these migrations and owns the functions below) may
    -- read every tenant's facts and counters, and nothing else it did not
    -- already own: the SECURITY DEFINER functions run as it.
    EXECUTE format('CREATE POLICY platform_aggregates ON case_facts FOR SELECT TO %I USING (true)', current_user);
    EXECUTE format('CREATE POLICY platform_aggregates ON tenant_stats FOR SELECT TO %I USING (true)', current_user);
END $$;

-- analytics_dimension maps a dimension name to its SQL over case_facts f and
-- the tenant labels t; anything else is refused, so callers cannot inject a
-- column or an expression.
CREATE FUNCTION analytics_dimension(d text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE d
        WHEN 'tenant'      THEN 't.label'
        WHEN 'sector'      THEN 'f.sector'
        WHEN 'category'    THEN 'f.category'
        WHEN 'province'    THEN 'f.province'
        WHEN 'company'     THEN 'CASE WHEN t.share_company THEN f.company ELSE '''' END'
        WHEN 'month'       THEN 'to_char(f.month, ''YYYY-MM'')'
        WHEN 'quarter'     THEN 'to_char(f.month, ''YYYY-"Q"Q'')'
        WHEN 'type'        THEN 'f.type'
        WHEN 'status'      THEN 'f.status'
        WHEN 'gender'      THEN 'f.gender'
        WHEN 'safety_mode' THEN 'f.safety_mode'
    END
$$;

-- analytics_tenant_labels names each tenant for the platform: its short
-- name, or "Union A", "Union B"... (in order of creation) for tenants that
-- opted out of being named; and whether it shares workplace companies.
CREATE FUNCTION analytics_tenant_labels() RETURNS TABLE (id uuid, label text, share_company boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT x.id,
           CASE WHEN x.anonymous THEN 'Union ' || CASE WHEN x.n <= 26 THEN chr(64 + x.n::int) ELSE x.n::text END
                ELSE x.short_name END,
           x.share_company
    FROM (SELECT t.id, t.short_name,
                 coalesce(t.settings -> 'analytics_anonymous' = 'true'::jsonb, false) AS anonymous,
                 coalesce(t.settings -> 'analytics_share_company' = 'true'::jsonb, false) AS share_company,
                 row_number() OVER (PARTITION BY coalesce(t.settings -> 'analytics_anonymous' = 'true'::jsonb, false)
                                    ORDER BY t.created_at, t.id) AS n
          FROM tenants t) x
$$;

-- analytics_aggregate groups the facts of months [p_from, p_to] by p_dims,
-- keeping rows whose dimension p_filter_dims[i] equals p_filter_vals[i].
-- It returns the dimension values and numbers only.
CREATE FUNCTION analytics_aggregate(p_dims text[], p_from date, p_to date, p_filter_dims text[], p_filter_vals text[])
RETURNS TABLE (keys text[], cases bigint,
               first_response_n bigint, first_response_median double precision,
               resolution_n bigint, resolution_median double precision,
               target_n bigint, within_target bigint,
               satisfaction_n bigint, satisfaction_sum bigint,
               reopened bigint, retaliation bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE
    exprs text[] := '{}';
    conds text := '';
    e text;
    i int;
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
    RETURN QUERY EXECUTE format($q$
        SELECT ARRAY[%s]::text[],
               count(*),
               count(f.first_response_days),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.first_response_days),
               count(f.resolution_days),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.resolution_days),
               count(f.within_target),
               count(*) FILTER (WHERE f.within_target),
               count(f.satisfaction),
               coalesce(sum(f.satisfaction), 0)::bigint,
               count(*) FILTER (WHERE f.reopened),
               count(*) FILTER (WHERE f.retaliation)
        FROM case_facts f
        JOIN analytics_tenant_labels() t ON t.id = f.tenant_id
        WHERE f.month BETWEEN $1 AND $2 %s
        GROUP BY 1$q$, array_to_string(exprs, ', '), conds)
    USING p_from, p_to, p_filter_vals;
END
$fn$;

-- analytics_tenant_overview lists every tenant by its platform label with
-- its counters from tenant_stats.
CREATE FUNCTION analytics_tenant_overview()
RETURNS TABLE (label text, cases bigint, users bigint, active_branches bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT t.label, coalesce(s.cases, 0), coalesce(s.users, 0), coalesce(s.active_branches, 0)
    FROM analytics_tenant_labels() t
    LEFT JOIN tenant_stats s ON s.tenant_id = t.id
    ORDER BY t.label
$$;

-- Functions are executable by PUBLIC by default: only the app role may call
-- the platform path, and the helpers are not part of it.
REVOKE ALL ON FUNCTION analytics_dimension(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION analytics_tenant_labels() FROM PUBLIC;
REVOKE ALL ON FUNCTION analytics_aggregate(text[], date, date, text[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION analytics_tenant_overview() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics_aggregate(text[], date, date, text[], text[]) TO suara_app;
GRANT EXECUTE ON FUNCTION analytics_tenant_overview() TO suara_app;
