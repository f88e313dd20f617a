package tenant

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
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
	// Handling ratings per category and per officer (the case's
	// assignee; key "" for cases rated while unassigned).
	SatisfactionByCategory []Rated `json:"satisfaction_by_category"`
	SatisfactionByOfficer  []Rated `json:"satisfaction_by_officer"`
	// Checkins: the answers to the +30 and +90 day check-ins.
	Checkins []CheckinAnswers `json:"checkins"`
	// AIAcceptance: AI suggestions officers accepted unchanged, of those
	// they decided on (accepted or corrected).
	AIAcceptance Ratio `json:"ai_acceptance"`
	AIPending    int   `json:"ai_pending"`
}

// Rated is the handling ratings of one category or officer. Suppressed
// hides N, Avg and Dist.
type Rated struct {
	Key        string   `json:"key"`
	Label      string   `json:"label"`
	N          int      `json:"n"`
	Avg        *float64 `json:"avg"`
	Dist       [5]int   `json:"dist"`
	Suppressed bool     `json:"suppressed,omitempty"`
}

// CheckinAnswers counts one check-in round (N 1 at +30 days, 2 at +90).
type CheckinAnswers struct {
	N             int `json:"n"`
	Asked         int `json:"asked"`
	Answered      int `json:"answered"`
	RemedyHeld    int `json:"remedy_held"`
	RemedyFailed  int `json:"remedy_failed"`
	Retaliation   int `json:"retaliation"`
	NoRetaliation int `json:"no_retaliation"`
}

// openStatuses are the statuses of a case still being handled; the
// overdue list reads cases_open_due_idx, whose predicate repeats them.
const openStatuses = `('submitted', 'verified', 'in_progress', 'needs_info', 'reopened')`

// dashScope restricts cases c to the sub-tree: no condition at the tenant
// root (row level security keeps the tenant), else the sub-tree's branch
// ids, so the scans read cases_dashboard_idx by (tenant_id, branch_id).
func dashScope(root bool) string {
	if root {
		return "c.tenant_id = ?0"
	}
	return "c.tenant_id = ?0 AND c.branch_id = ANY (?1::uuid[])"
}

// Dashboard computes the figures of the sub-tree at branchPath as the
// viewer whose visibility rule is visible may see them, in one read-only
// transaction: one pass over the sub-tree's cases (read from a covering
// index) for every breakdown, one for medians and rates, and small joins
// for ratings, check-ins, AI suggestions and the overdue list.
func (a *Admin) Dashboard(ctx context.Context, tenantID uuid.UUID, branchPath, locale string, now time.Time, visible VisibleFunc) (*Dashboard, error) {
	d := &Dashboard{BranchPath: branchPath, SatisfactionByCategory: []Rated{}, SatisfactionByOfficer: []Rated{}, Checkins: []CheckinAnswers{}}
	// The viewer's rule is evaluated once per restricted category, not once
	// per case: the categories it hides become an id list.
	pred, predArgs := visible("x")
	hiddenSQL := `SELECT coalesce(array_agg(k.id::text), '{}') FROM categories k
		CROSS JOIN LATERAL (SELECT k.tenant_id AS tenant_id, k.id AS category_id) x
		WHERE k.restricted AND NOT ` + pred
	var hidden, branchIDs []string
	root := !strings.Contains(branchPath, "/")
	scope := dashScope(root)
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
		if !root {
			if err := tx.QueryRowContext(ctx, `SELECT coalesce(array_agg(id::text), '{}') FROM branches WHERE path = ? OR path LIKE ?`,
				branchPath, likePrefix(branchPath)+"/%").Scan(pgdialect.Array(&branchIDs)); err != nil {
				return fmt.Errorf("sub-tree: %w", err)
			}
		}
		args := []any{tenantID, pgdialect.Array(branchIDs), pgdialect.Array(hidden), now}
		labels, err := dashLabels(ctx, tx, nameCol)
		if err != nil {
			return err
		}
		if err := dashCounts(ctx, tx, d, scope, args, labels); err != nil {
			return err
		}
		if err := dashDurations(ctx, tx, d, scope, args); err != nil {
			return err
		}
		if err := dashRatings(ctx, tx, d, scope, args, labels); err != nil {
			return err
		}
		if err := dashFollowUp(ctx, tx, d, scope, args); err != nil {
			return err
		}
		return dashOverdue(ctx, tx, d, scope, args)
	})
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	return d, nil
}

// dashLabel is how a category, workplace or officer id shows.
type dashLabel struct {
	key, label string
	restricted bool
}

// dashLabels loads the tenant's categories, workplaces and staff (small
// tables) once, so the passes over cases group by id only.
func dashLabels(ctx context.Context, tx bun.Tx, nameCol string) (map[string]dashLabel, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id::text, slug, `+nameCol+`, restricted FROM categories
		UNION ALL SELECT id::text, slug, company || CASE WHEN name <> '' THEN ' — ' || name ELSE '' END, false FROM workplaces
		UNION ALL SELECT id::text, id::text, name, false FROM users WHERE kind = 'staff'`)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	defer rows.Close()
	out := map[string]dashLabel{}
	for rows.Next() {
		var id string
		var l dashLabel
		if err := rows.Scan(&id, &l.key, &l.label, &l.restricted); err != nil {
			return nil, err
		}
		out[id] = l
	}
	return out, rows.Err()
}

// dashCounts is the one pass over the sub-tree's cases: counts by status,
// category, workplace and month, and the total.
func dashCounts(ctx context.Context, tx bun.Tx, d *Dashboard, scope string, args []any, labels map[string]dashLabel) error {
	rows, err := tx.QueryContext(ctx, `SELECT
			CASE WHEN grouping(s.status) = 0 THEN 's' WHEN grouping(s.category_id) = 0 THEN 'c'
			     WHEN grouping(s.workplace_id) = 0 THEN 'w' WHEN grouping(s.m) = 0 THEN 'm' ELSE 't' END,
			coalesce(s.status, s.category_id::text, s.workplace_id::text, to_char(s.m, 'YYYY-MM'), ''),
			count(*), bool_and(s.visible)
		FROM (SELECT c.status, c.category_id, c.workplace_id,
				date_trunc('month', c.created_at AT TIME ZONE 'Asia/Jakarta') AS m,
				NOT coalesce(c.category_id = ANY (?2::uuid[]), false) AS visible
			FROM cases c WHERE `+scope+`) s
		GROUP BY GROUPING SETS ((s.status), (s.category_id), (s.workplace_id), (s.m), ())`, args...)
	if err != nil {
		return fmt.Errorf("counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dim, key string
		var n int
		var allVisible bool
		if err := rows.Scan(&dim, &key, &n, &allVisible); err != nil {
			return err
		}
		switch dim {
		case "t":
			d.Total = n
		case "s":
			d.ByStatus = append(d.ByStatus, Count{Key: key, Label: key, N: n})
		case "m":
			d.ByMonth = append(d.ByMonth, Count{Key: key, Label: key, N: n})
		case "c", "w":
			c := Count{N: n}
			if key != "" {
				l := labels[key]
				c.Key, c.Label = l.key, l.label
				// A restricted category's cell is suppressed when small
				// and the viewer may not see (all) its cases.
				if l.restricted && !allVisible && n < SmallCell {
					c.N, c.Suppressed = 0, true
				}
			}
			if dim == "c" {
				d.ByCategory = append(d.ByCategory, c)
			} else {
				d.ByWorkplace = append(d.ByWorkplace, c)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	byCount := func(a, b Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Key, b.Key)
	}
	slices.SortFunc(d.ByStatus, byCount)
	slices.SortFunc(d.ByCategory, byCount)
	slices.SortFunc(d.ByWorkplace, byCount)
	if len(d.ByWorkplace) > 50 {
		d.ByWorkplace = d.ByWorkplace[:50]
	}
	slices.SortFunc(d.ByMonth, func(a, b Count) int { return strings.Compare(a.Key, b.Key) })
	return nil
}

// dashDurations: medians of first response and resolution, the share
// resolved within target, and the reopen rate, in one pass joined to
// case_milestones.
func dashDurations(ctx context.Context, tx bun.Tx, d *Dashboard, scope string, args []any) error {
	var medRes, medFirst sql.NullFloat64
	err := tx.QueryRowContext(ctx, `SELECT
			percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.resolved_at - c.created_at) / 3600) FILTER (WHERE c.resolved_at IS NOT NULL),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM m.first_response_at - c.created_at) / 3600) FILTER (WHERE m.first_response_at IS NOT NULL),
			count(*) FILTER (WHERE c.resolved_at IS NOT NULL AND c.resolution_due IS NOT NULL AND c.resolved_at <= c.resolution_due),
			count(*) FILTER (WHERE c.resolved_at IS NOT NULL AND c.resolution_due IS NOT NULL),
			count(*) FILTER (WHERE (c.resolved_at IS NOT NULL OR c.status = 'reopened') AND m.reopened_at IS NOT NULL),
			count(*) FILTER (WHERE c.resolved_at IS NOT NULL OR c.status = 'reopened')
		FROM cases c LEFT JOIN case_milestones m ON m.tenant_id = c.tenant_id AND m.case_id = c.id
		WHERE `+scope+` AND (c.resolved_at IS NOT NULL OR c.status = 'reopened' OR m.case_id IS NOT NULL)`, args...).
		Scan(&medRes, &medFirst, &d.WithinTarget.Num, &d.WithinTarget.Den, &d.ReopenRate.Num, &d.ReopenRate.Den)
	if err != nil {
		return fmt.Errorf("durations: %w", err)
	}
	if medRes.Valid {
		d.MedianResolutionHours = &medRes.Float64
	}
	if medFirst.Valid {
		d.MedianFirstResponseHours = &medFirst.Float64
	}
	return nil
}

// dashRatings: the handling ratings overall, per category and per officer.
func dashRatings(ctx context.Context, tx bun.Tx, d *Dashboard, scope string, args []any, labels map[string]dashLabel) error {
	rows, err := tx.QueryContext(ctx, `SELECT
			CASE WHEN grouping(c.category_id) = 0 THEN 'c' WHEN grouping(c.assigned_to) = 0 THEN 'o' ELSE 't' END,
			coalesce(c.category_id::text, c.assigned_to::text, ''), r.handling, count(*),
			bool_and(NOT coalesce(c.category_id = ANY (?2::uuid[]), false))
		FROM case_ratings r JOIN cases c ON c.tenant_id = r.tenant_id AND c.id = r.case_id
		WHERE `+scope+`
		GROUP BY GROUPING SETS ((r.handling), (c.category_id, r.handling), (c.assigned_to, r.handling))`, args...)
	if err != nil {
		return fmt.Errorf("satisfaction: %w", err)
	}
	defer rows.Close()
	byCat, byOfficer := map[string]*Rated{}, map[string]*Rated{}
	hiddenSome := map[string]bool{}
	for rows.Next() {
		var dim, key string
		var score, n int
		var allVisible bool
		if err := rows.Scan(&dim, &key, &score, &n, &allVisible); err != nil {
			return err
		}
		if score < 1 || score > 5 {
			continue
		}
		m := byCat
		switch dim {
		case "t":
			d.SatisfactionDist[score-1] = n
			continue
		case "o":
			m = byOfficer
		case "c":
			if !allVisible {
				hiddenSome[key] = true
			}
		}
		r := m[key]
		if r == nil {
			r = &Rated{}
			if key != "" {
				r.Key, r.Label = labels[key].key, labels[key].label
			}
			m[key] = r
		}
		r.Dist[score-1] += n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	d.SatisfactionAvg = finishRated(&Rated{Dist: d.SatisfactionDist}).Avg
	for id, r := range byCat {
		finishRated(r)
		if labels[id].restricted && hiddenSome[id] && r.N < SmallCell {
			*r = Rated{Key: r.Key, Label: r.Label, Suppressed: true}
		}
		d.SatisfactionByCategory = append(d.SatisfactionByCategory, *r)
	}
	for _, r := range byOfficer {
		d.SatisfactionByOfficer = append(d.SatisfactionByOfficer, *finishRated(r))
	}
	byKey := func(a, b Rated) int {
		if c := strings.Compare(a.Label, b.Label); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	}
	slices.SortFunc(d.SatisfactionByCategory, byKey)
	slices.SortFunc(d.SatisfactionByOfficer, byKey)
	return nil
}

// finishRated sets N and Avg from Dist.
func finishRated(r *Rated) *Rated {
	sum := 0
	r.N = 0
	for i, n := range r.Dist {
		r.N += n
		sum += (i + 1) * n
	}
	if r.N > 0 {
		v := float64(sum) / float64(r.N)
		r.Avg = &v
	}
	return r
}

// dashFollowUp: check-in answers per round and AI suggestion acceptance.
func dashFollowUp(ctx context.Context, tx bun.Tx, d *Dashboard, scope string, args []any) error {
	rows, err := tx.QueryContext(ctx, `SELECT k.n,
			count(*) FILTER (WHERE k.asked_at IS NOT NULL), count(*) FILTER (WHERE k.answered_at IS NOT NULL),
			count(*) FILTER (WHERE k.remedy_held), count(*) FILTER (WHERE NOT k.remedy_held),
			count(*) FILTER (WHERE k.retaliation), count(*) FILTER (WHERE NOT k.retaliation)
		FROM case_checkins k JOIN cases c ON c.tenant_id = k.tenant_id AND c.id = k.case_id
		WHERE `+scope+` GROUP BY k.n ORDER BY k.n`, args...)
	if err != nil {
		return fmt.Errorf("check-ins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k CheckinAnswers
		if err := rows.Scan(&k.N, &k.Asked, &k.Answered, &k.RemedyHeld, &k.RemedyFailed, &k.Retaliation, &k.NoRetaliation); err != nil {
			return err
		}
		d.Checkins = append(d.Checkins, k)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	err = tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE s.status = 'accepted'),
			count(*) FILTER (WHERE s.status IN ('accepted', 'corrected')), count(*) FILTER (WHERE s.status = 'pending')
		FROM case_suggestions s JOIN cases c ON c.tenant_id = s.tenant_id AND c.id = s.case_id
		WHERE `+scope, args...).Scan(&d.AIAcceptance.Num, &d.AIAcceptance.Den, &d.AIPending)
	if err != nil {
		return fmt.Errorf("ai suggestions: %w", err)
	}
	return nil
}

// dashOverdue lists open cases past their resolution target that the
// viewer may see (a list names cases, so nothing restricted slips in).
func dashOverdue(ctx context.Context, tx bun.Tx, d *Dashboard, scope string, args []any) error {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.reference, c.status, b.path, c.resolution_due
		FROM cases c JOIN branches b ON b.tenant_id = c.tenant_id AND b.id = c.branch_id
		WHERE `+scope+` AND c.status IN `+openStatuses+` AND c.resolution_due < ?3
		  AND NOT coalesce(c.category_id = ANY (?2::uuid[]), false)
		ORDER BY c.resolution_due, c.reference LIMIT 100`, args...)
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
}
