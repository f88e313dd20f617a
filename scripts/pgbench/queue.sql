-- The limit for the staff queue: the page query of GET
-- /api/v1/cases?status=submitted&limit=20 for a branch admin of
-- <tenant>/jabar, as cases.Service.Queue builds it (branch sub-tree or
-- assigned, restricted categories, newest first, limit+1), in a tenant
-- transaction, as the app role. The app's extra per-page look-ups (branch
-- tree, categories, suggestion and escalation flags) are app overhead.
-- Variables (-D): ntenants, tenants (uuid[]), branches (uuid[][]: each
-- tenant's province sub-tree, same length), staff (uuid[]: branch admins).
\set t random(1, :ntenants)
BEGIN;
SELECT set_config('app.tenant_id', (:tenants::uuid[])[:t]::text, true) AS tenant \gset
SELECT c.id, c.reference, c.type, c.title, c.status, c.urgency, c.safety_mode, c.branch_id, c.workplace_id,
    c.category_id, c.assigned_to, c.created_at, c.low_rating,
    NULLIF(COALESCE(CASE WHEN c.status = 'submitted' THEN LEAST(c.first_response_due, c.resolution_due)
        WHEN c.status IN ('verified', 'in_progress', 'needs_info', 'reopened') THEN c.resolution_due END, 'infinity'::timestamptz), 'infinity') AS due,
    (CASE c.urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END) AS urgency_rank
FROM cases AS c
WHERE c.tenant_id = :tenant
  AND (c.branch_id = ANY ((:branches::uuid[])[:t : :t]) OR c.assigned_to = (:staff::uuid[])[:t])
  AND (c.category_id IS NULL
    OR NOT EXISTS (SELECT 1 FROM categories rk WHERE rk.tenant_id = c.tenant_id AND rk.id = c.category_id AND rk.restricted)
    OR EXISTS (SELECT 1 FROM category_handlers rh WHERE rh.tenant_id = c.tenant_id AND rh.category_id = c.category_id AND rh.user_id = (:staff::uuid[])[:t])
    OR EXISTS (SELECT 1 FROM memberships rm WHERE rm.tenant_id = c.tenant_id AND rm.user_id = (:staff::uuid[])[:t] AND rm.role = 'federation_admin'))
  AND c.status IN ('submitted')
ORDER BY c.created_at DESC, c.id DESC
LIMIT 21;
END;
