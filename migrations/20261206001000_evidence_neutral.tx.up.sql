-- Evidence keeps nothing of the file as it was sent (issue 18): not its
-- name, not the hash or size of its original bytes. The chain of custody
-- starts at the cleaned bytes (stored_sha256, size).

ALTER TABLE evidence_files DROP COLUMN original_size, DROP COLUMN original_sha256;

-- case_event_hash is internal/cases.EventHash in SQL: SHA-256 over the
-- length-prefixed fields, the time in Go's RFC 3339 form (UTC, trailing
-- zeros of the fraction dropped). Used here to re-chain the timelines whose
-- evidence events are rewritten, and by a test that checks it against Go.
CREATE FUNCTION case_event_hash(prev bytea, tenant uuid, case_id uuid, seq bigint, kind text, actor text,
                                visibility text, created timestamptz, payload text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT sha256(
        int8send(length(convert_to('suara/case-event/v1', 'UTF8'))) || convert_to('suara/case-event/v1', 'UTF8') ||
        int8send(length(prev)) || prev ||
        int8send(16) || uuid_send(tenant) ||
        int8send(16) || uuid_send(case_id) ||
        int8send(8) || int8send(seq) ||
        int8send(length(convert_to(kind, 'UTF8'))) || convert_to(kind, 'UTF8') ||
        int8send(length(convert_to(actor, 'UTF8'))) || convert_to(actor, 'UTF8') ||
        int8send(length(convert_to(visibility, 'UTF8'))) || convert_to(visibility, 'UTF8') ||
        int8send(length(convert_to(ts, 'UTF8'))) || convert_to(ts, 'UTF8') ||
        int8send(length(convert_to(payload, 'UTF8'))) || convert_to(payload, 'UTF8'))
    FROM (SELECT to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') ||
                 CASE WHEN rtrim(to_char(created AT TIME ZONE 'UTC', 'US'), '0') = '' THEN ''
                      ELSE '.' || rtrim(to_char(created AT TIME ZONE 'UTC', 'US'), '0') END || 'Z' AS ts) t
$$;

-- case_events_rechain recomputes one case's hash chain from its first
-- event, for a migration that had to rewrite an event's payload.
CREATE FUNCTION case_events_rechain(p_tenant uuid, p_case uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    prev bytea := '\x'::bytea;
    h bytea;
BEGIN
    FOR r IN SELECT seq, kind, actor_id, visibility, created_at, payload FROM case_events
             WHERE tenant_id = p_tenant AND case_id = p_case ORDER BY seq LOOP
        h := case_event_hash(prev, p_tenant, p_case, r.seq, r.kind, r.actor_id, r.visibility, r.created_at, r.payload);
        UPDATE case_events SET prev_hash = prev, hash = h WHERE tenant_id = p_tenant AND case_id = p_case AND seq = r.seq;
        prev := h;
    END LOOP;
END $$;

-- Existing rows, tenant by tenant (row level security is forced, so the
-- owner sees a tenant's rows only with app.tenant_id set): neutral names
-- in upload order, and evidence events rewritten without the sent name
-- and the original hash, their timelines re-chained.
DO $$
DECLARE
    tid uuid;
    c record;
BEGIN
    FOR tid IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', tid::text, true);
        UPDATE evidence_files f SET display_name = n.name
        FROM (SELECT tenant_id, id, 'bukti-' || row_number() OVER (PARTITION BY case_id ORDER BY created_at, id) ||
                     CASE mime
                         WHEN 'image/jpeg' THEN '.jpg' WHEN 'image/png' THEN '.png' WHEN 'image/webp' THEN '.webp'
                         WHEN 'video/mp4' THEN '.mp4' WHEN 'video/3gpp' THEN '.3gp' WHEN 'video/webm' THEN '.webm'
                         WHEN 'video/quicktime' THEN '.mov'
                         WHEN 'audio/mp4' THEN '.m4a' WHEN 'audio/aac' THEN '.aac' WHEN 'audio/ogg' THEN '.ogg'
                         WHEN 'audio/mpeg' THEN '.mp3' WHEN 'audio/amr' THEN '.amr'
                         WHEN 'application/pdf' THEN '.pdf'
                         WHEN 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' THEN '.docx'
                         WHEN 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' THEN '.xlsx'
                         WHEN 'application/vnd.openxmlformats-officedocument.presentationml.presentation' THEN '.pptx'
                         WHEN 'application/vnd.oasis.opendocument.text' THEN '.odt'
                         ELSE '' END AS name
              FROM evidence_files) n
        WHERE f.tenant_id = n.tenant_id AND f.id = n.id;

        -- Canonical JSON as internal/cases.CanonicalJSON writes it: compact,
        -- keys sorted. The event keeps the stored file's hash instead.
        UPDATE case_events e SET payload =
            '{"by":' || to_json(coalesce(e.payload::jsonb ->> 'by', ''))::text ||
            ',"evidence_id":' || to_json(f.id::text)::text ||
            ',"kind":' || to_json(f.kind)::text ||
            ',"name":' || to_json(f.display_name)::text ||
            ',"sha256":' || to_json(f.stored_sha256)::text || '}'
        FROM evidence_files f
        WHERE e.kind = 'evidence_added' AND f.id::text = e.payload::jsonb ->> 'evidence_id' AND f.case_id = e.case_id;
        -- Events whose file is gone (retention) lose the sent name and hash.
        UPDATE case_events e SET payload =
            '{"by":' || to_json(coalesce(e.payload::jsonb ->> 'by', ''))::text ||
            ',"evidence_id":' || to_json(coalesce(e.payload::jsonb ->> 'evidence_id', ''))::text ||
            ',"kind":' || to_json(coalesce(e.payload::jsonb ->> 'kind', ''))::text || '}'
        WHERE e.kind = 'evidence_added' AND e.payload::jsonb ? 'original_sha256';

        FOR c IN SELECT DISTINCT case_id FROM case_events WHERE kind = 'evidence_added' LOOP
            PERFORM case_events_rechain(tid, c.case_id);
        END LOOP;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END $$;
