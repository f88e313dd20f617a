package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// SmallCell is the count below which a restricted category's figures are
// not shown to someone who may not see its cases: a "2" next to "sexual
// harassment" at a small plant points at people.
const SmallCell = 5

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
	BranchPath string `json:"branch_path"`
	// AsOf is when the figures were computed (the overdue list is live).
	AsOf        time.Time `json:"as_of"`
	Total       int       `json:"total"`
	ByStatus    []Count   `json:"by_status"`
	ByCategory  []Count   `json:"by_category"`
	ByWorkplace []Count   `json:"by_workplace"`
	ByMonth     []Count   `json:"by_month"`
	// ByChannel: how the cases came in (cases.intake_channel).
	ByChannel []Count `json:"by_channel"`
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

// DashboardMaxAge is how old a stored snapshot may be before a view
// refreshes it (in the background: the view is served the snapshot).
const DashboardMaxAge = time.Minute

// openStatuses are the statuses of a case still being handled; the
// overdue list reads cases_open_due_idx, whose predicate repeats them.
const openStatuses = `('submitted', 'verified', 'in_progress', 'needs_info', 'reopened')`

// dashFigures is a sub-tree's snapshot (dashboard_snapshots.figures):
// counts and durations keyed by ids, before labels and before the
// viewer's restricted-category suppression.
type dashFigures struct {
	Total         int               `json:"total"`
	ByStatus      map[string]int    `json:"by_status"`
	ByCategory    map[string]int    `json:"by_category"` // category id, "" for none
	ByWorkplace   map[string]int    `json:"by_workplace"`
	ByMonth       map[string]int    `json:"by_month"`   // YYYY-MM, Asia/Jakarta
	ByChannel     map[string]int    `json:"by_channel"` // intake channel
	MedianFirst   *float64          `json:"median_first"`
	MedianRes     *float64          `json:"median_res"`
	WithinTarget  Ratio             `json:"within_target"`
	ReopenRate    Ratio             `json:"reopen_rate"`
	SatByCategory map[string][5]int `json:"sat_by_category"` // every rating once
	SatByOfficer  map[string][5]int `json:"sat_by_officer"`  // assignee id, "" for none
	Checkins      []CheckinAnswers  `json:"checkins"`
	AIAcceptance  Ratio             `json:"ai_acceptance"`
	AIPending     int               `json:"ai_pending"`
}

// dashSubtree is the sub-tree a dashboard covers.
type dashSubtree struct {
	tenantID uuid.UUID
	root     bool // the tenant's top branch: every case
	branchID uuid.UUID
	ids      []string // the sub-tree's branch ids
	// verifiedOnly keeps the named reports of verified members only.
	verifiedOnly bool
}

// verifiedMemberSQL is true for a case c filed under their name by a
// worker a branch admin marked a verified member (auth.VerifyMember);
// confidential and anonymous reports never match, or the filter would
// tell who filed them. The queue's filter is the same rule
// (cases.QueueFilter.VerifiedMember).
const verifiedMemberSQL = `c.safety_mode = 'named' AND EXISTS (SELECT 1 FROM users vm WHERE vm.tenant_id = c.tenant_id
	AND vm.id = c.reporter_user_id AND vm.member_verified_at IS NOT NULL)`

// scope restricts cases c to the sub-tree: no condition at the root (row
// level security keeps the tenant), else the sub-tree's branch ids
// (cases_branch_status_idx leads with tenant_id, branch_id).
func (st dashSubtree) scope() string {
	s := "c.tenant_id = ?0 AND c.branch_id = ANY (?1::uuid[])"
	if st.root {
		s = "c.tenant_id = ?0"
	}
	if st.verifiedOnly {
		s += " AND " + verifiedMemberSQL
	}
	return s
}

// DashboardFilter narrows the cases a dashboard counts.
type DashboardFilter struct {
	// VerifiedMembers: only named reports by verified members.
	VerifiedMembers bool `json:"verified_members"`
}

// ParseDashboardFilter reads the dashboard's query flags (verified_member:
// 1/true/yes/on or 0/false/no/off, empty for off).
func ParseDashboardFilter(verifiedMember string) (DashboardFilter, error) {
	switch strings.ToLower(strings.TrimSpace(verifiedMember)) {
	case "", "0", "false", "no", "off":
		return DashboardFilter{}, nil
	case "1", "true", "yes", "on":
		return DashboardFilter{VerifiedMembers: true}, nil
	}
	return DashboardFilter{}, apperr.Invalid("verified_member", "error.invalid")
}

// Dashboard returns the figures of the sub-tree at branchPath (a path of
// t) as p may see them: p needs report:read there, and restricted
// categories p may not see (RestrictedVisible) have their small cells
// hidden. The figures come from the sub-tree's snapshot: computed now when
// there is none, refreshed in the background when older than
// DashboardMaxAge. Labels, the viewer's suppression of small restricted
// cells and the overdue list are applied on every view.
func (s *Service) Dashboard(ctx context.Context, t *tenant.Tenant, p *auth.Principal, branchPath, locale string, now time.Time) (*Dashboard, error) {
	return s.FilteredDashboard(ctx, t, p, branchPath, locale, now, DashboardFilter{})
}

// FilteredDashboard is Dashboard over the cases f keeps. A filtered view
// is computed on the spot and not stored: snapshots are the whole
// sub-tree's.
func (s *Service) FilteredDashboard(ctx context.Context, t *tenant.Tenant, p *auth.Principal, branchPath, locale string, now time.Time, f DashboardFilter) (*Dashboard, error) {
	if branchPath != t.Slug && !strings.HasPrefix(branchPath, t.Slug+"/") {
		// Another tenant's path names nothing here.
		return nil, apperr.ErrNotFound
	}
	if err := s.authz.Check(ctx, p, branchPath, "report", "read"); err != nil {
		return nil, err
	}
	tenantID := t.ID
	// The viewer's rule is evaluated once per restricted category, not once
	// per case: the categories it hides become an id list.
	pred, predArgs := RestrictedVisible("x", p.UserID)
	hiddenSQL := `SELECT coalesce(array_agg(k.id::text), '{}') FROM categories k
		CROSS JOIN LATERAL (SELECT k.tenant_id AS tenant_id, k.id AS category_id) x
		WHERE k.restricted AND NOT ` + pred
	var hidden []string
	var st dashSubtree
	var labels map[string]dashLabel
	var overdue []OverdueCase
	var fig *dashFigures
	var builtAt time.Time
	computed := false
	nameCol := "name_id"
	if locale == "en" {
		nameCol = "name_en"
	}
	// now to the second: the statements' text then repeats, and the
	// driver's cached prepared statements (and plans) are reused.
	now = now.UTC().Truncate(time.Second)
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET TRANSACTION READ ONLY"); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, hiddenSQL, predArgs...).Scan(pgdialect.Array(&hidden)); err != nil {
			return fmt.Errorf("hidden categories: %w", err)
		}
		var err error
		if st, err = loadSubtree(ctx, tx, tenantID, branchPath); err != nil {
			return err
		}
		st.verifiedOnly = f.VerifiedMembers
		if labels, err = dashLabels(ctx, tx, nameCol); err != nil {
			return err
		}
		if overdue, err = dashOverdue(ctx, tx, st, hidden, now); err != nil {
			return err
		}
		if f != (DashboardFilter{}) {
			fig, err = computeFigures(ctx, tx, st)
			builtAt = now
			return err
		}
		var raw []byte
		switch err := tx.QueryRowContext(ctx, "SELECT built_at, figures FROM dashboard_snapshots WHERE branch_id = ?", st.branchID).Scan(&builtAt, &raw); {
		case errors.Is(err, sql.ErrNoRows):
			if fig, err = computeFigures(ctx, tx, st); err != nil {
				return err
			}
			builtAt, computed = now, true
		case err != nil:
			return fmt.Errorf("load snapshot: %w", err)
		default:
			fig = &dashFigures{}
			if err := json.Unmarshal(raw, fig); err != nil {
				return fmt.Errorf("decode snapshot: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	switch {
	case computed:
		if err := s.storeFigures(ctx, tenantID, st.branchID, fig, now); err != nil {
			return nil, fmt.Errorf("dashboard: %w", err)
		}
	case now.Sub(builtAt) > DashboardMaxAge:
		s.refreshDashboard(tenantID, st)
	}
	d := present(fig, labels, hidden)
	d.BranchPath, d.AsOf, d.Overdue = branchPath, builtAt, overdue
	return d, nil
}

// RefreshDashboards recomputes the snapshot of every branch sub-tree of
// the tenant that has one (the job path; tests use it to see new data).
func (s *Service) RefreshDashboards(ctx context.Context, tenantID uuid.UUID, now time.Time) error {
	var paths []string
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewRaw("SELECT b.path FROM dashboard_snapshots s JOIN branches b ON b.tenant_id = s.tenant_id AND b.id = s.branch_id ORDER BY b.path").Scan(ctx, &paths)
	})
	if err != nil {
		return fmt.Errorf("list dashboard snapshots: %w", err)
	}
	for _, p := range paths {
		if err := s.rebuildDashboard(ctx, tenantID, p, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) rebuildDashboard(ctx context.Context, tenantID uuid.UUID, path string, now time.Time) error {
	var fig *dashFigures
	var st dashSubtree
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET TRANSACTION READ ONLY"); err != nil {
			return err
		}
		var err error
		if st, err = loadSubtree(ctx, tx, tenantID, path); err != nil {
			return err
		}
		fig, err = computeFigures(ctx, tx, st)
		return err
	})
	if err != nil {
		return fmt.Errorf("dashboard %s: %w", path, err)
	}
	return s.storeFigures(ctx, tenantID, st.branchID, fig, now)
}

// refreshDashboard rebuilds a stale snapshot in the background, once at a
// time per sub-tree; the view that noticed is served the old one.
func (s *Service) refreshDashboard(tenantID uuid.UUID, st dashSubtree) {
	key := tenantID.String() + "/" + st.branchID.String()
	if _, busy := s.dashRefreshing.LoadOrStore(key, true); busy {
		return
	}
	go func() {
		defer s.dashRefreshing.Delete(key)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		var path string
		err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT path FROM branches WHERE id = ?", st.branchID).Scan(&path)
		})
		if err == nil {
			err = s.rebuildDashboard(ctx, tenantID, path, time.Now().UTC().Truncate(time.Second))
		}
		if err != nil {
			slog.Default().Warn("dashboard refresh", "tenant", tenantID, "branch", st.branchID, "err", err)
		}
	}()
}

func (s *Service) storeFigures(ctx context.Context, tenantID, branchID uuid.UUID, fig *dashFigures, at time.Time) error {
	raw, err := json.Marshal(fig)
	if err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		// A newer snapshot (a concurrent refresh) is kept.
		_, err := tx.ExecContext(ctx, `INSERT INTO dashboard_snapshots (tenant_id, branch_id, built_at, figures) VALUES (?, ?, ?, ?)
			ON CONFLICT (tenant_id, branch_id) DO UPDATE SET built_at = EXCLUDED.built_at, figures = EXCLUDED.figures
			WHERE dashboard_snapshots.built_at <= EXCLUDED.built_at`, tenantID, branchID, at, string(raw))
		if err != nil {
			return fmt.Errorf("store snapshot: %w", err)
		}
		return nil
	})
}

func loadSubtree(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, path string) (dashSubtree, error) {
	st := dashSubtree{tenantID: tenantID}
	var parent *uuid.UUID
	err := tx.QueryRowContext(ctx, `SELECT b.id, b.parent_id,
			(SELECT coalesce(array_agg(s.id::text), '{}') FROM branches s WHERE s.path = b.path OR s.path LIKE ?)
		FROM branches b WHERE b.path = ?`, tenant.LikePrefix(path)+"/%", path).Scan(&st.branchID, &parent, pgdialect.Array(&st.ids))
	if errors.Is(err, sql.ErrNoRows) {
		return st, apperr.ErrNotFound
	}
	if err != nil {
		return st, fmt.Errorf("sub-tree: %w", err)
	}
	st.root = parent == nil
	return st, nil
}

// present turns a snapshot into the viewer's dashboard: labels, sorted
// breakdowns, and a restricted category's cells suppressed when small and
// hidden from the viewer (a "2" next to "sexual harassment" at a small
// plant points at people).
func present(fig *dashFigures, labels map[string]dashLabel, hidden []string) *Dashboard {
	d := &Dashboard{Total: fig.Total, MedianFirstResponseHours: fig.MedianFirst, MedianResolutionHours: fig.MedianRes,
		WithinTarget: fig.WithinTarget, ReopenRate: fig.ReopenRate, Checkins: fig.Checkins,
		AIAcceptance: fig.AIAcceptance, AIPending: fig.AIPending,
		SatisfactionByCategory: []Rated{}, SatisfactionByOfficer: []Rated{}}
	if d.Checkins == nil {
		d.Checkins = []CheckinAnswers{}
	}
	suppress := func(id string, n int) bool {
		return id != "" && labels[id].restricted && slices.Contains(hidden, id) && n < SmallCell
	}
	counts := func(m map[string]int, labelled bool) []Count {
		out := make([]Count, 0, len(m))
		for k, n := range m {
			c := Count{Key: k, Label: k, N: n}
			if labelled {
				c.Key, c.Label = "", ""
				if k != "" {
					c.Key, c.Label = labels[k].key, labels[k].label
				}
				if suppress(k, n) {
					c.N, c.Suppressed = 0, true
				}
			}
			out = append(out, c)
		}
		return out
	}
	byCount := func(a, b Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Key, b.Key)
	}
	d.ByStatus = counts(fig.ByStatus, false)
	slices.SortFunc(d.ByStatus, byCount)
	d.ByCategory = counts(fig.ByCategory, true)
	slices.SortFunc(d.ByCategory, byCount)
	d.ByWorkplace = counts(fig.ByWorkplace, true)
	slices.SortFunc(d.ByWorkplace, byCount)
	if len(d.ByWorkplace) > 50 {
		d.ByWorkplace = d.ByWorkplace[:50]
	}
	d.ByChannel = counts(fig.ByChannel, false)
	slices.SortFunc(d.ByChannel, byCount)
	d.ByMonth = counts(fig.ByMonth, false)
	slices.SortFunc(d.ByMonth, func(a, b Count) int { return strings.Compare(a.Key, b.Key) })
	rated := func(m map[string][5]int, restricted bool) []Rated {
		out := []Rated{}
		for id, dist := range m {
			r := Rated{Dist: dist}
			if id != "" {
				r.Key, r.Label = labels[id].key, labels[id].label
			}
			finishRated(&r)
			if restricted && suppress(id, r.N) {
				r = Rated{Key: r.Key, Label: r.Label, Suppressed: true}
			}
			out = append(out, r)
		}
		slices.SortFunc(out, func(a, b Rated) int {
			if c := strings.Compare(a.Label, b.Label); c != 0 {
				return c
			}
			return strings.Compare(a.Key, b.Key)
		})
		return out
	}
	d.SatisfactionByCategory = rated(fig.SatByCategory, true)
	d.SatisfactionByOfficer = rated(fig.SatByOfficer, false)
	for _, dist := range fig.SatByCategory {
		for i, n := range dist {
			d.SatisfactionDist[i] += n
		}
	}
	d.SatisfactionAvg = finishRated(&Rated{Dist: d.SatisfactionDist}).Avg
	return d
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

// computeFigures passes over the sub-tree's cases: once for every
// breakdown, once for medians and rates, and small joins
// for ratings, check-ins and AI suggestions.
func computeFigures(ctx context.Context, tx bun.Tx, st dashSubtree) (*dashFigures, error) {
	f := &dashFigures{ByStatus: map[string]int{}, ByCategory: map[string]int{}, ByWorkplace: map[string]int{}, ByMonth: map[string]int{},
		ByChannel:     map[string]int{},
		SatByCategory: map[string][5]int{}, SatByOfficer: map[string][5]int{}, Checkins: []CheckinAnswers{}}
	args := []any{st.tenantID, pgdialect.Array(st.ids)}
	scope := st.scope()
	for _, step := range []func(context.Context, bun.Tx, *dashFigures, string, []any) error{dashCounts, dashDurations, dashRatings, dashFollowUp} {
		if err := step(ctx, tx, f, scope, args); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// dashCounts: counts by status, category, workplace and month, and the
// total, in one pass.
func dashCounts(ctx context.Context, tx bun.Tx, f *dashFigures, scope string, args []any) error {
	rows, err := tx.QueryContext(ctx, `SELECT
			CASE WHEN grouping(s.status) = 0 THEN 's' WHEN grouping(s.category_id) = 0 THEN 'c'
			     WHEN grouping(s.workplace_id) = 0 THEN 'w' WHEN grouping(s.m) = 0 THEN 'm'
			     WHEN grouping(s.intake_channel) = 0 THEN 'i' ELSE 't' END,
			coalesce(s.status, s.category_id::text, s.workplace_id::text, to_char(s.m, 'YYYY-MM'), s.intake_channel, ''),
			count(*)
		FROM (SELECT c.status, c.category_id, c.workplace_id, c.intake_channel,
				date_trunc('month', c.created_at AT TIME ZONE 'Asia/Jakarta') AS m
			FROM cases c WHERE `+scope+`) s
		GROUP BY GROUPING SETS ((s.status), (s.category_id), (s.workplace_id), (s.m), (s.intake_channel), ())`, args...)
	if err != nil {
		return fmt.Errorf("counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dim, key string
		var n int
		if err := rows.Scan(&dim, &key, &n); err != nil {
			return err
		}
		switch dim {
		case "t":
			f.Total = n
		case "s":
			f.ByStatus[key] = n
		case "c":
			f.ByCategory[key] = n
		case "w":
			f.ByWorkplace[key] = n
		case "m":
			f.ByMonth[key] = n
		case "i":
			f.ByChannel[key] = n
		}
	}
	return rows.Err()
}

// dashDurations: medians of first response and resolution, the share
// resolved within target, and the reopen rate, in one pass joined to
// case_milestones.
func dashDurations(ctx context.Context, tx bun.Tx, f *dashFigures, scope string, args []any) error {
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
		Scan(&medRes, &medFirst, &f.WithinTarget.Num, &f.WithinTarget.Den, &f.ReopenRate.Num, &f.ReopenRate.Den)
	if err != nil {
		return fmt.Errorf("durations: %w", err)
	}
	if medRes.Valid {
		f.MedianRes = &medRes.Float64
	}
	if medFirst.Valid {
		f.MedianFirst = &medFirst.Float64
	}
	return nil
}

// dashRatings: the handling ratings per category and per officer.
func dashRatings(ctx context.Context, tx bun.Tx, f *dashFigures, scope string, args []any) error {
	rows, err := tx.QueryContext(ctx, `SELECT
			CASE WHEN grouping(c.category_id) = 0 THEN 'c' ELSE 'o' END,
			coalesce(c.category_id::text, c.assigned_to::text, ''), r.handling, count(*)
		FROM case_ratings r JOIN cases c ON c.tenant_id = r.tenant_id AND c.id = r.case_id
		WHERE `+scope+`
		GROUP BY GROUPING SETS ((c.category_id, r.handling), (c.assigned_to, r.handling))`, args...)
	if err != nil {
		return fmt.Errorf("satisfaction: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dim, key string
		var score, n int
		if err := rows.Scan(&dim, &key, &score, &n); err != nil {
			return err
		}
		if score < 1 || score > 5 {
			continue
		}
		m := f.SatByCategory
		if dim == "o" {
			m = f.SatByOfficer
		}
		dist := m[key]
		dist[score-1] += n
		m[key] = dist
	}
	return rows.Err()
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
func dashFollowUp(ctx context.Context, tx bun.Tx, f *dashFigures, scope string, args []any) error {
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
		f.Checkins = append(f.Checkins, k)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	err = tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE s.status = 'accepted'),
			count(*) FILTER (WHERE s.status IN ('accepted', 'corrected')), count(*) FILTER (WHERE s.status = 'pending')
		FROM case_suggestions s JOIN cases c ON c.tenant_id = s.tenant_id AND c.id = s.case_id
		WHERE `+scope, args...).Scan(&f.AIAcceptance.Num, &f.AIAcceptance.Den, &f.AIPending)
	if err != nil {
		return fmt.Errorf("ai suggestions: %w", err)
	}
	return nil
}

// dashOverdue lists open cases past their resolution target that the
// viewer may see (a list names cases, so nothing restricted slips in),
// live: it reads cases_open_due_idx.
func dashOverdue(ctx context.Context, tx bun.Tx, st dashSubtree, hidden []string, now time.Time) ([]OverdueCase, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.reference, c.status, b.path, c.resolution_due
		FROM cases c JOIN branches b ON b.tenant_id = c.tenant_id AND b.id = c.branch_id
		WHERE `+st.scope()+` AND c.status IN `+openStatuses+` AND c.resolution_due < ?3
		  AND NOT coalesce(c.category_id = ANY (?2::uuid[]), false)
		ORDER BY c.resolution_due, c.reference LIMIT 100`,
		st.tenantID, pgdialect.Array(st.ids), pgdialect.Array(hidden), now)
	if err != nil {
		return nil, fmt.Errorf("overdue: %w", err)
	}
	defer rows.Close()
	out := []OverdueCase{} // an empty list is [], not null
	for rows.Next() {
		var o OverdueCase
		if err := rows.Scan(&o.ID, &o.Reference, &o.Status, &o.Branch, &o.Due); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
