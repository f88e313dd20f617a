-- The limit for filing: the SQL of one POST /api/v1/cases (named, no
-- workplace or category) exactly as cases.Service.File issues it — tenant
-- scope, root branch, reference counter, the case row, its first event,
-- the River classification job — in one transaction, as the app role.
-- Variables (-D): ntenants, tenants (uuid[] literal), slugs (text[]),
-- workers (uuid[]: each tenant's bench worker).
\set t random(1, :ntenants)
BEGIN;
SELECT set_config('app.tenant_id', (:tenants::uuid[])[:t]::text, true) AS tenant \gset
SELECT id AS branch FROM branches WHERE path = (:slugs::text[])[:t] \gset
INSERT INTO case_counters (tenant_id, year, last)
    VALUES (:tenant, extract(year FROM now() AT TIME ZONE 'Asia/Jakarta')::int, 1)
    ON CONFLICT (tenant_id, year) DO UPDATE SET last = case_counters.last + 1 RETURNING last \gset
SELECT gen_random_uuid() AS cid, now() AS at \gset
INSERT INTO cases (tenant_id, id, reference, type, title, description, sector, branch_id, tags, urgency, status,
        safety_mode, reporter_user_id, affected_count, first_response_due, resolution_due, created_at, updated_at)
    VALUES (:tenant, :cid, 'PGBENCH-' || :last::text, 'complaint', 'Upah lembur bulan ini belum dibayar',
        'Lembur hari Sabtu dan Minggu tidak dibayar sesuai aturan, slip gaji tidak diberikan. Teman satu lini juga mengalami hal yang sama. Mohon ditindaklanjuti.',
        '', :branch, '{}', 'normal', 'submitted', 'named', (:workers::uuid[])[:t], 1,
        :at::timestamptz + interval '3 days', :at::timestamptz + interval '42 days', :at, :at);
INSERT INTO case_events (tenant_id, case_id, seq, kind, actor_id, visibility, payload, prev_hash, hash, created_at)
    VALUES (:tenant, :cid, 1, 'filed', (:workers::uuid[])[:t]::text, 'reporter',
        '{"by":"reporter","safety_mode":"named","type":"complaint"}', '\x', sha256(convert_to(:cid::text, 'UTF8')), :at);
INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, tags, metadata)
    VALUES (json_build_object('tenant_id', :tenant::text, 'case_id', :cid::text)::jsonb, 'classify_case', 5, 1,
        'default', 'available', '{}', '{}');
END;
