-- ILO figures (issue 22): the case context and outcome that the RealGains
-- and SIRI reporting needs, the ILO cube that aggregates them, and the
-- analysts' query log.
--
-- Case context, all optional and all given by the reporter at filing:
-- a self-declared gender and age band (an anonymous or confidential
-- reporter may give them without giving an identity; "prefer not to say"
-- is the default), employment status, union membership, the buyer brands
-- the workplace produces for (normalised slugs from the union's brand
-- directory or free text). Workplaces gain their
-- estate certification and mill (palm oil) and a default brand list.
ALTER TABLE cases
    ADD COLUMN reporter_gender   text CHECK (reporter_gender IN ('female', 'male', 'prefer_not_to_say')),
    ADD COLUMN reporter_age_band text CHECK (reporter_age_band IN ('under_18', '18_24', '25_34', '35_44', '45_54', '55_plus', 'prefer_not_to_say')),
    ADD COLUMN employment_status text CHECK (employment_status IN ('permanent', 'pkwt', 'outsourced', 'daily', 'piece_rate', 'apprentice')),
    ADD COLUMN membership        text CHECK (membership IN ('member', 'non_member')),
    ADD COLUMN buyer_brands      text[] NOT NULL DEFAULT '{}' CHECK (cardinality(buyer_brands) <= 10);
-- The intake channel is cases.intake_channel (migration 20261206006000,
-- issue of the intake channels); the rollup reads it when it is there.

ALTER TABLE workplaces
    ADD COLUMN certification  text CHECK (certification IN ('rspo', 'ispo', 'rspo_ispo', 'none')),
    ADD COLUMN mill           text NOT NULL DEFAULT '' CHECK (length(mill) <= 200),
    ADD COLUMN default_brands text[] NOT NULL DEFAULT '{}' CHECK (cardinality(default_brands) <= 10);

-- A union's brand directory: the names its officers and workers pick
-- from; a brand typed in freely is normalised to the same slug.
CREATE TABLE brands (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    slug       text NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,59}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, slug)
);

-- The outcome staff record at resolution: how far up the dispute ladder
-- the case went, what remedy was won, and where money was recovered, how
-- much (rupiah) and for how many workers.
CREATE TABLE case_outcomes (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    case_id        uuid NOT NULL,
    ladder_stage   text NOT NULL CHECK (ladder_stage IN ('none', 'bipartite', 'mediation', 'conciliation',
                                                         'arbitration', 'industrial_court', 'supreme_court')),
    outcome_types  text[] NOT NULL DEFAULT '{}' CHECK (outcome_types <@ ARRAY['reinstatement', 'back_pay',
                       'contract_conversion', 'apology', 'policy_change', 'compensation', 'no_remedy', 'other']),
    money_idr      bigint CHECK (money_idr >= 0 AND money_idr <= 1000000000000000),
    money_workers  integer CHECK (money_workers >= 1 AND money_workers <= 1000000),
    recorded_by    uuid NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, case_id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, id) ON DELETE CASCADE,
    CHECK ((money_idr IS NULL) = (money_workers IS NULL))
);

-- The facts gain the context and outcome as dimensions and measures
-- (values only: no text, no people).
ALTER TABLE case_facts
    ADD COLUMN employment_status text NOT NULL DEFAULT '',
    ADD COLUMN membership        text NOT NULL DEFAULT '',
    ADD COLUMN certification     text NOT NULL DEFAULT '',
    ADD COLUMN age_band          text NOT NULL DEFAULT '',
    ADD COLUMN channel           text NOT NULL DEFAULT '',
    ADD COLUMN ladder            text NOT NULL DEFAULT '',
    ADD COLUMN brands            text[] NOT NULL DEFAULT '{}',
    ADD COLUMN workers_affected  integer NOT NULL DEFAULT 1,
    ADD COLUMN outcome_types     text[] NOT NULL DEFAULT '{}',
    ADD COLUMN money_idr         bigint,
    ADD COLUMN workers_reached   integer,
    -- whether this fact's contribution is in the ILO cube: facts rolled up
    -- before it existed are not, so the rollup must not take them out
    ADD COLUMN ilo               boolean NOT NULL DEFAULT false;

-- The ILO cube: per tenant and month, the sums of the facts for each of a
-- closed list of shapes (internal/analytics iloShapes: none, one or two of
-- the ILO dimensions); a is the shape's first dimension's value, b its
-- second's ('' when the shape has fewer). A case names several brands:
-- shapes with brand count it under each.
CREATE TABLE analytics_ilo_cells (
    tenant_id        uuid NOT NULL REFERENCES tenants (id),
    shape            smallint NOT NULL CHECK (shape >= 0),
    month            date NOT NULL CHECK (extract(day FROM month) = 1),
    a                text NOT NULL DEFAULT '',
    b                text NOT NULL DEFAULT '',
    cases            integer NOT NULL DEFAULT 0,
    retaliation      integer NOT NULL DEFAULT 0,
    members          integer NOT NULL DEFAULT 0,
    workers_affected bigint NOT NULL DEFAULT 0,
    outcomes         integer NOT NULL DEFAULT 0,
    reinstatement    integer NOT NULL DEFAULT 0,
    back_pay         integer NOT NULL DEFAULT 0,
    contract_conversion integer NOT NULL DEFAULT 0,
    apology          integer NOT NULL DEFAULT 0,
    policy_change    integer NOT NULL DEFAULT 0,
    money_n          integer NOT NULL DEFAULT 0,
    money_idr        bigint NOT NULL DEFAULT 0,
    workers_reached  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, shape, month, a, b)
);
CREATE INDEX analytics_ilo_cells_shape_month_idx ON analytics_ilo_cells (shape, month, a, b);
ALTER TABLE analytics_ilo_cells ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_ilo_cells FORCE ROW LEVEL SECURITY;
ALTER TABLE brands ENABLE ROW LEVEL SECURITY;
ALTER TABLE brands FORCE ROW LEVEL SECURITY;
ALTER TABLE case_outcomes ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_outcomes FORCE ROW LEVEL SECURITY;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['analytics_ilo_cells', 'brands', 'case_outcomes'] LOOP
        EXECUTE format($p$CREATE POLICY tenant_isolation ON %I
            USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    END LOOP;
    EXECUTE format('CREATE POLICY platform_aggregates ON analytics_ilo_cells FOR SELECT TO %I USING (true)', current_user);
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON analytics_ilo_cells TO suara_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON brands TO suara_app;
GRANT SELECT, INSERT, UPDATE ON case_outcomes TO suara_app;

-- analytics_ilo_aggregate sums the ILO cube's cells of one shape over a
-- list of months across tenants, grouped by any of a, b, tenant (the
-- platform label), month and quarter, keeping rows whose a / b / tenant
-- equal the given values. Numbers and dimension values only; disclosure
-- control is applied in internal/analytics.
CREATE FUNCTION analytics_ilo_aggregate(p_shape int, p_dims text[], p_from date, p_to date,
                                        p_filter_dims text[], p_filter_vals text[])
RETURNS TABLE (keys text[], cases bigint, retaliation bigint, members bigint, workers_affected bigint,
               outcomes bigint, reinstatement bigint, back_pay bigint, contract_conversion bigint,
               apology bigint, policy_change bigint, money_n bigint, money_idr bigint, workers_reached bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public SET jit = off AS $fn$
DECLARE
    exprs text[] := '{}';
    conds text := '';
    e text;
    i int;
    prev text := analytics_leave_tenant();
    dim constant text[] := '{a,b,tenant,month,quarter}';
    sql constant text[] := ARRAY['f.a', 'f.b', 't.label', 'to_char(f.month, ''YYYY-MM'')', 'to_char(f.month, ''YYYY-"Q"Q'')'];
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
        exprs := exprs || e;
    END LOOP;
    FOR i IN 1 .. coalesce(array_length(p_filter_dims, 1), 0) LOOP
        e := sql[array_position(dim[1:3], p_filter_dims[i])];
        IF e IS NULL THEN
            RAISE EXCEPTION 'unknown filter %', p_filter_dims[i] USING ERRCODE = '22023';
        END IF;
        conds := conds || format(' AND %s = $2[%s]', e, i);
    END LOOP;
    RETURN QUERY EXECUTE format($q$
        SELECT ARRAY[%s]::text[], sum(f.cases)::bigint, sum(f.retaliation)::bigint, sum(f.members)::bigint,
               sum(f.workers_affected)::bigint, sum(f.outcomes)::bigint, sum(f.reinstatement)::bigint,
               sum(f.back_pay)::bigint, sum(f.contract_conversion)::bigint, sum(f.apology)::bigint,
               sum(f.policy_change)::bigint, sum(f.money_n)::bigint, sum(f.money_idr)::bigint, sum(f.workers_reached)::bigint
        FROM analytics_ilo_cells f JOIN analytics_tenant_labels() t ON t.id = f.tenant_id
        WHERE f.shape = $3 AND f.month = ANY ($1) %s
        GROUP BY 1
        HAVING sum(f.cases) > 0$q$, array_to_string(exprs, ', '), conds)
    USING ARRAY(SELECT generate_series(p_from, p_to, interval '1 month')::date), p_filter_vals, p_shape::smallint;
    PERFORM set_config('app.tenant_id', prev, true);
END
$fn$;
REVOKE ALL ON FUNCTION analytics_ilo_aggregate(int, text[], date, date, text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics_ilo_aggregate(int, text[], date, date, text[], text[]) TO suara_app;

-- The analysts' query log (who, when, what), for the platform admin: a
-- platform table, appended to by the explorer, never changed.
CREATE TABLE analytics_query_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    analyst_id uuid NOT NULL,
    analyst    text NOT NULL DEFAULT '',
    at         timestamptz NOT NULL DEFAULT now(),
    surface    text NOT NULL CHECK (surface IN ('api', 'console', 'csv', 'trend', 'report')),
    query      jsonb NOT NULL,
    rows       integer NOT NULL DEFAULT 0
);
CREATE INDEX analytics_query_log_at_idx ON analytics_query_log (at DESC);
CREATE INDEX analytics_query_log_analyst_idx ON analytics_query_log (analyst_id, at DESC);
GRANT SELECT, INSERT ON analytics_query_log TO suara_app;

-- Every case is rolled up again, so that the facts gain their context and
-- the ILO cube its cells (anonymous and confidential reporters' own gender
-- now counts where they gave it). Per tenant: the watermarks' row level
-- security is forced.
DO $$
DECLARE
    tid uuid;
BEGIN
    FOR tid IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', tid::text, true);
        UPDATE rollup_watermarks SET updated_at = '-infinity', case_id = '00000000-0000-0000-0000-000000000000'
        WHERE tenant_id = tid;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
