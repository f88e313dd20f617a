-- The limit for filing: the SQL of one POST /api/v1/cases (named, no
-- workplace or category) as cases.Service.File issues it, in one
-- transaction, as the app role: tenant scope, the River classification job,
-- then one statement that takes the reference number (the tenant's counter
-- row), writes the case (root branch looked up inside it) and its first
-- event (insertFiled). The app's River insert is River's own multi-row
-- statement; here it is the plain row it writes.
-- Variables (-D): ntenants, tenants (uuid[] literal), slugs (text[]),
-- workers (uuid[]: each tenant's bench worker).
\set t random(1, :ntenants)
\set r random(1, 9223372036854775806)
BEGIN;
SELECT set_config('app.tenant_id', (:tenants::uuid[])[:t]::text, true) AS tenant \gset
INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, tags, metadata)
    VALUES (json_build_object('tenant_id', :tenant::text, 'case_id', md5(:client_id::text || '/' || :r::text)::uuid::text)::jsonb,
        'classify_case', 5, 1, 'default', 'available', '{}', '{}');
WITH n AS (INSERT INTO case_counters (tenant_id, year, last)
        VALUES (:tenant, extract(year FROM now() AT TIME ZONE 'Asia/Jakarta')::int, 1)
        ON CONFLICT (tenant_id, year) DO UPDATE SET last = case_counters.last + 1 RETURNING last),
    c AS (INSERT INTO cases (tenant_id, id, reference, type, title, description, sector, branch_id, tags, urgency, status,
            safety_mode, reporter_user_id, affected_count, first_response_due, resolution_due, created_at, updated_at)
        VALUES (:tenant, md5(:client_id::text || '/' || :r::text)::uuid,
            (SELECT 'PGBENCH-' || extract(year FROM now() AT TIME ZONE 'Asia/Jakarta') || '-'
                || repeat('0', 6 - length(n.last::text)) || n.last::text FROM n),
            'complaint', 'Upah lembur bulan ini belum dibayar',
            'Lembur hari Sabtu dan Minggu tidak dibayar sesuai aturan, slip gaji tidak diberikan. Teman satu lini juga mengalami hal yang sama. Mohon ditindaklanjuti.',
            '', (SELECT id FROM branches WHERE path = (:slugs::text[])[:t]), '{}', 'normal', 'submitted', 'named',
            (:workers::uuid[])[:t], 1, now() + interval '3 days', now() + interval '42 days', now(), now())
        RETURNING reference, branch_id)
INSERT INTO case_events (tenant_id, case_id, seq, kind, actor_id, visibility, payload, prev_hash, hash, created_at)
    VALUES (:tenant, md5(:client_id::text || '/' || :r::text)::uuid, 1, 'filed', (:workers::uuid[])[:t]::text, 'reporter',
        '{"by":"reporter","safety_mode":"named","type":"complaint"}', '\x',
        sha256(convert_to(md5(:client_id::text || '/' || :r::text), 'UTF8')), now())
    RETURNING (SELECT reference FROM c), (SELECT branch_id FROM c);
END;
