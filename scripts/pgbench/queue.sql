-- The limit for the staff queue: what cases.Service.Queue issues for GET
-- /api/v1/cases?status=submitted&limit=20&sort=newest by a branch admin of
-- <tenant>/jabar, in a tenant transaction, as the app role: the request's
-- context (tenant slug, branch tree, the restricted categories hidden from
-- the viewer, category filter and search lexemes, here empty) in one
-- statement, then the page (branch sub-tree or
-- assigned, not hidden, newest first, limit+1) with its decorations
-- (category slug, AI review flag, escalation, escalation prompt) in one
-- statement. Keep both identical to internal/cases/queue.go
-- (loadQueueContext, queueQuery, queueDecorations).
-- Variables (-D): ntenants, tenants (uuid[]), branches (uuid[][]: each
-- tenant's province sub-tree, same length), staff (uuid[]: branch admins).
\set t random(1, :ntenants)
BEGIN;
SELECT set_config('app.tenant_id', (:tenants::uuid[])[:t]::text, true) AS tenant \gset
SELECT t.slug,
    (SELECT coalesce(json_agg(json_build_object('id', b.id, 'parent_id', b.parent_id, 'path', b.path) ORDER BY b.path), '[]')
        FROM branches b) AS branch_tree,
    (SELECT coalesce(array_agg(k.id::text), '{}') FROM categories k
        CROSS JOIN LATERAL (SELECT k.tenant_id AS tenant_id, k.id AS category_id) x
        WHERE k.restricted AND NOT (x.category_id IS NULL
            OR NOT EXISTS (SELECT 1 FROM categories rk WHERE rk.tenant_id = x.tenant_id AND rk.id = x.category_id AND rk.restricted)
            OR EXISTS (SELECT 1 FROM category_handlers rh WHERE rh.tenant_id = x.tenant_id AND rh.category_id = x.category_id AND rh.user_id = (:staff::uuid[])[:t])
            OR EXISTS (SELECT 1 FROM memberships rm WHERE rm.tenant_id = x.tenant_id AND rm.user_id = (:staff::uuid[])[:t] AND rm.role = 'federation_admin'))) AS hidden,
    (SELECT coalesce(array_agg(k.id::text), '{}') FROM categories k
        WHERE '' <> '' AND (k.slug = '' OR k.parent_id IN (SELECT p.id FROM categories p WHERE p.slug = ''))) AS category_ids,
    (SELECT coalesce(array_agg(l.lexeme ORDER BY l.lexeme), '{}') FROM unnest(to_tsvector('indonesian', '')) AS l) AS terms,
    set_config('max_parallel_workers_per_gather', '0', true) AS no_parallel
FROM tenants t WHERE t.id = :tenant \gset
SELECT p.*, k.slug AS category_slug,
    coalesce((SELECT s.needs_review FROM case_suggestions s WHERE s.tenant_id = p.tenant_id AND s.case_id = p.id
        AND s.status = 'pending' ORDER BY s.created_at DESC LIMIT 1), false) AS needs_review,
    esc.level AS escalation_level, esc.to_branch_id AS escalated_to,
    EXISTS (SELECT 1 FROM case_events pe WHERE pe.tenant_id = p.tenant_id AND pe.case_id = p.id AND pe.kind = 'escalation_prompt'
        AND NOT EXISTS (SELECT 1 FROM case_events b WHERE b.tenant_id = pe.tenant_id AND b.case_id = pe.case_id
            AND b.seq > pe.seq AND b.kind LIKE 'action%' AND b.payload::jsonb ->> 'kind' IN ('disnaker', 'disnaker_registration', 'mediation', 'conciliation', 'arbitration', 'industrial_court', 'court', 'referral', 'agreement', 'agreement_reached'))) AS prompt
FROM (SELECT c.tenant_id, c.id, c.reference, c.type, c.title, c.status, c.urgency, c.safety_mode, c.branch_id, c.workplace_id,
    c.category_id, c.assigned_to, c.created_at, c.low_rating,
    NULLIF(COALESCE(CASE WHEN c.status = 'submitted' THEN LEAST(c.first_response_due, c.resolution_due)
        WHEN c.status IN ('verified', 'in_progress', 'needs_info', 'reopened') THEN c.resolution_due END, 'infinity'::timestamptz), 'infinity') AS due,
    (CASE c.urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END) AS urgency_rank
FROM cases AS c
WHERE c.tenant_id = :tenant
  AND (c.branch_id = ANY ((:branches::uuid[])[:t : :t]) OR c.assigned_to = (:staff::uuid[])[:t])
  AND NOT coalesce(c.category_id = ANY (:hidden::uuid[]), false)
  AND c.status IN ('submitted')
ORDER BY c.created_at DESC, c.id DESC
LIMIT 21) AS p
LEFT JOIN categories k ON k.tenant_id = p.tenant_id AND k.id = p.category_id
LEFT JOIN LATERAL (SELECT e.level, e.to_branch_id FROM case_escalations e WHERE e.tenant_id = p.tenant_id AND e.case_id = p.id
    ORDER BY e.level DESC LIMIT 1) esc ON true
ORDER BY p.created_at DESC, p.id DESC;
END;
