package tenant

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/suara-id/suara/internal/db"
)

// SmallCell is the count below which a restricted category's figures are
// not shown to someone who may not see its cases: a "2" next to "sexual
// harassment" at a small plant points at people.
const SmallCell = 5

// VisibleFunc returns a SQL predicate over the cases alias (and its
// arguments) that is true for the cases the viewer may see;
// cases.RestrictedVisible is the one the web layer passes.
type VisibleFunc func(alias string) (string, []any)

// Count is one cell of a breakdown. Suppressed cells hide N.
type Count struct {
	Key        string `json:"key"`
	Label      string `json:"label"`
	N          int    `json:"n"`
	Suppressed bool   `json:"suppressed,omitempty"`
}

// Ratio is a share with its numerator and denominator.
type Ratio struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

// Share returns Num/Den, 0 when Den is 0.
func (r Ratio) Share() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// OverdueCase is a line of the overdue list.
type OverdueCase struct {
	ID        uuid.UUID `json:"id"`
	Reference string    `json:"reference"`
	Status    string    `json:"status"`
	Branch    string    `json:"branch"`
	Due       time.Time `json:"due"`
}

// Dashboard is a branch sub-tree's figures.
type Dashboard struct {
	BranchPath  string  `json:"branch_path"`
	Total       int     `json:"total"`
	ByStatus    []Count `json:"by_status"`
	ByCategory  []Count `json:"by_category"`
	ByWorkplace []Count `json:"by_workplace"`
	ByMonth     []Count `json:"by_month"`
	// Medians in hours over the cases that reached the point.
	MedianFirstResponseHours *float64      `json:"median_first_response_hours"`
	MedianResolutionHours    *float64      `json:"median_resolution_hours"`
	WithinTarget             Ratio         `json:"within_target"`
	ReopenRate               Ratio         `json:"reopen_rate"`
	Overdue                  []OverdueCase `json:"overdue"`
	SatisfactionAvg          *float64      `json:"satisfaction_avg"`
	SatisfactionDist         [5]int        `json:"satisfaction_dist"`
}

// dashScope is the CTE every dashboard query starts from: the cases of
// the sub-tree at path, each with whether the viewer may see it.
const dashScope = `WITH scope AS (
	SELECT c.*, b.path AS branch_path, NOT (coalesce(c.category_id = ANY (?::uuid[]), false)) AS visible
	FROM cases c JOIN branches b ON b.tenant_id = c.tenant_id AND b.id = c.branch_id
	WHERE b.path = ? OR b.path LIKE ?)
`

// Dashboard computes the figures of the sub-tree at branchPath as the
// viewer whose visibility rule is visible may see them, in one read-only
// transaction.
func (a *Admin) Dashboard(ctx context.Context, tenantID uuid.UUID, branchPath, locale string, now time.Time, visible VisibleFunc) (*Dashboard, error) {
	// An empty overdue list is [], not null (the counts below do the same).
	d := &Dashboard{BranchPath: branchPath, Overdue: []OverdueCase{}}
	scope := dashScope
	// The viewer's rule is evaluated once per restricted category, not once
	// per case: the categories it hides become an id list (200,000 cases
	// times three EXISTS sub-plans took seconds).
	pred, predArgs := visible("x")
	hiddenSQL := `SELECT coalesce(array_agg(k.id::text), '{}') FROM categories k
		CROSS JOIN LATERAL (SELECT k.tenant_id AS tenant_id, k.id AS category_id) x
		WHERE k.restricted AND NOT ` + pred
	hidden := []string{}
	args := func(more ...any) []any {
		out := []any{pgdialect.Array(hidden), branchPath, likePrefix(branchPath) + "/%"}
		return append(out, more...)
	}
	nameCol := "name_id"
	if locale == "en" {
		nameCol = "name_en"
	}
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET TRANSACTION READ ONLY"); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, hiddenSQL, predArgs...).Scan(pgdialect.Array(&hidden)); err != nil {
			return fmt.Errorf("hidden categories: %w", err)
		}
		counts := func(q string, more ...any) ([]Count, error) {
			rows, err := tx.QueryContext(ctx, scope+q, args(more...)...)
			if err != nil {
				return nil, err
			}
			defer rows.Close()
			out := []Count{}
			for rows.Next() {
				var c Count
				var restricted bool
				if err := rows.Scan(&c.Key, &c.Label, &c.N, &restricted); err != nil {
					return nil, err
				}
				if restricted && c.N < SmallCell {
					c.N, c.Suppressed = 0, true
				}
				out = append(out, c)
			}
			return out, rows.Err()
		}
		var err error
		if err = tx.QueryRowContext(ctx, scope+"SELECT count(*) FROM scope", args()...).Scan(&d.Total); err != nil {
			return fmt.Errorf("total: %w", err)
		}
		if d.ByStatus, err = counts(`SELECT status, status, count(*), false FROM scope GROUP BY status ORDER BY count(*) DESC, status`); err != nil {
			return fmt.Errorf("by status: %w", err)
		}
		// A restricted category's cell is suppressed when small and the
		// viewer may not see (all) its cases.
		if d.ByCategory, err = counts(`SELECT coalesce(k.slug, ''), coalesce(k.` + nameCol + `, ''), count(*),
				coalesce(k.restricted, false) AND NOT bool_and(s.visible)
			FROM scope s LEFT JOIN categories k ON k.tenant_id = s.tenant_id AND k.id = s.category_id
			GROUP BY k.slug, k.` + nameCol + `, k.restricted ORDER BY count(*) DESC, 1`); err != nil {
			return fmt.Errorf("by category: %w", err)
		}
		if d.ByWorkplace, err = counts(`SELECT coalesce(w.slug, ''), coalesce(w.company || CASE WHEN w.name <> '' THEN ' — ' || w.name ELSE '' END, ''), count(*), false
			FROM scope s LEFT JOIN workplaces w ON w.tenant_id = s.tenant_id AND w.id = s.workplace_id
			GROUP BY w.slug, w.company, w.name ORDER BY count(*) DESC, 1 LIMIT 50`); err != nil {
			return fmt.Errorf("by workplace: %w", err)
		}
		if d.ByMonth, err = counts(`SELECT to_char(date_trunc('month', created_at AT TIME ZONE 'Asia/Jakarta'), 'YYYY-MM') m, '', count(*), false
			FROM scope GROUP BY m ORDER BY m`); err != nil {
			return fmt.Errorf("by month: %w", err)
		}
		for i := range d.ByMonth {
			d.ByMonth[i].Label = d.ByMonth[i].Key
		}
		var medRes, medFirst sql.NullFloat64
		err = tx.QueryRowContext(ctx, scope+`SELECT
				percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at) / 3600) FILTER (WHERE resolved_at IS NOT NULL),
				count(*) FILTER (WHERE resolved_at IS NOT NULL AND resolution_due IS NOT NULL AND resolved_at <= resolution_due),
				count(*) FILTER (WHERE resolved_at IS NOT NULL AND resolution_due IS NOT NULL)
			FROM scope`, args()...).Scan(&medRes, &d.WithinTarget.Num, &d.WithinTarget.Den)
		if err != nil {
			return fmt.Errorf("resolution: %w", err)
		}
		// First response: the first reporter-visible event written by a
		// staff account after filing.
		// A join and GROUP BY, not a LATERAL per case: the planner hashes
		// the (few) staff replies instead of probing once per case.
		err = tx.QueryRowContext(ctx, scope+`SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM f.at - f.created_at) / 3600)
			FROM (SELECT s.id, s.created_at, min(e.created_at) AS at
				FROM scope s JOIN case_events e ON e.tenant_id = s.tenant_id AND e.case_id = s.id
				JOIN users u ON u.tenant_id = e.tenant_id AND u.id::text = e.actor_id AND u.kind = 'staff'
				WHERE e.seq > 1 AND e.visibility = 'reporter'
				GROUP BY s.id, s.created_at) f`, args()...).Scan(&medFirst)
		if err != nil {
			return fmt.Errorf("first response: %w", err)
		}
		if medRes.Valid {
			d.MedianResolutionHours = &medRes.Float64
		}
		if medFirst.Valid {
			d.MedianFirstResponseHours = &medFirst.Float64
		}
		err = tx.QueryRowContext(ctx, scope+`SELECT
				count(*) FILTER (WHERE s.id IN (SELECT e.case_id FROM case_events e
					WHERE e.kind = 'status_changed' AND e.payload::jsonb->>'to' = 'reopened')),
				count(*)
			FROM scope s WHERE s.resolved_at IS NOT NULL OR s.status = 'reopened'`, args()...).Scan(&d.ReopenRate.Num, &d.ReopenRate.Den)
		if err != nil {
			return fmt.Errorf("reopen rate: %w", err)
		}
		rows, err := tx.QueryContext(ctx, scope+`SELECT r.handling, count(*)
			FROM scope s JOIN case_ratings r ON r.tenant_id = s.tenant_id AND r.case_id = s.id GROUP BY r.handling`, args()...)
		if err != nil {
			return fmt.Errorf("satisfaction: %w", err)
		}
		for rows.Next() {
			var score, n int
			if err := rows.Scan(&score, &n); err != nil {
				rows.Close()
				return err
			}
			if score >= 1 && score <= 5 {
				d.SatisfactionDist[score-1] = n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		total, sum := 0, 0
		for i, n := range d.SatisfactionDist {
			total += n
			sum += (i + 1) * n
		}
		if total > 0 {
			v := float64(sum) / float64(total)
			d.SatisfactionAvg = &v
		}
		// Overdue: open, past the resolution target, and visible to the
		// viewer (a list names cases, so nothing restricted slips in).
		rows, err = tx.QueryContext(ctx, scope+`SELECT id, reference, status, branch_path, resolution_due FROM scope
			WHERE visible AND resolution_due < ? AND status NOT IN ('resolved', 'closed', 'rejected', 'duplicate', 'referred', 'withdrawn')
			ORDER BY resolution_due, reference LIMIT 100`, args(now)...)
		if err != nil {
			return fmt.Errorf("overdue: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var o OverdueCase
			if err := rows.Scan(&o.ID, &o.Reference, &o.Status, &o.Branch, &o.Due); err != nil {
				return err
			}
			d.Overdue = append(d.Overdue, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	return d, nil
}
