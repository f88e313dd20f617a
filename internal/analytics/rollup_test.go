package analytics_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

// fixture is a fresh database with the seed unions applied.
type fixture struct {
	t       testing.TB
	db      *pgtest.DB
	tenants map[string]uuid.UUID
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	tdb := pgtest.New(t)
	if err := tenanttest.ApplySeed(context.Background(), tdb); err != nil {
		t.Fatal(err)
	}
	return fixtureOf(t, tdb)
}

// fixtureOf wraps a database that already holds the seed unions.
func fixtureOf(t testing.TB, tdb *pgtest.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, db: tdb, tenants: map[string]uuid.UUID{}}
	rows, err := tdb.App.QueryContext(context.Background(), "SELECT slug, id FROM tenants")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var slug string
		var id uuid.UUID
		if err := rows.Scan(&slug, &id); err != nil {
			t.Fatal(err)
		}
		f.tenants[slug] = id
	}
	return f
}

// aggregate parses in and answers it through the platform path.
// aggregateUnchecked answers a query past the publication grid's shape
// rules (as the monthly report's own queries may be): to reach the full
// grains, which the explorer no longer lets an analyst stack filters into.
func aggregateUnchecked(t testing.TB, s *analytics.Store, in analytics.QueryInput) *analytics.Result {
	t.Helper()
	filters := in.Filters
	in.Filters = nil
	q, err := analytics.ParseQuery(in, time.Now())
	if err != nil {
		t.Fatalf("query %+v: %v", in, err)
	}
	q.Filters = filters
	if q.Filters == nil {
		q.Filters = map[string]string{}
	}
	res, err := s.Aggregate(context.Background(), q)
	if err != nil {
		t.Fatalf("aggregate %+v: %v", in, err)
	}
	return res
}

func aggregate(t testing.TB, s *analytics.Store, in analytics.QueryInput) *analytics.Result {
	t.Helper()
	q, err := analytics.ParseQuery(in, time.Now())
	if err != nil {
		t.Fatalf("query %+v: %v", in, err)
	}
	res, err := s.Aggregate(context.Background(), q)
	if err != nil {
		t.Fatalf("aggregate %+v: %v", in, err)
	}
	return res
}

// spec describes generated cases; every text field carries marker.
type spec struct {
	n        int
	category string // slug
	status   string
	resolved bool
	created  time.Time
	marker   string
}

// addCases inserts cases straight into the tenant's tables (as the app role,
// inside the tenant's transaction), anonymous, on the tenant's first
// workplace and root branch.
func (f *fixture) addCases(slug string, sp spec) {
	f.t.Helper()
	if sp.status == "" {
		sp.status = "submitted"
	}
	if sp.created.IsZero() {
		sp.created = time.Now().Add(-48 * time.Hour)
	}
	err := db.InTenantTx(context.Background(), f.db.App, f.tenants[slug], func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `
INSERT INTO cases (tenant_id, id, reference, type, title, description, sector, workplace_id, branch_id, category_id,
                   status, safety_mode, receipt_hash, created_at, updated_at, resolution_due, resolved_at)
SELECT ?0, gen_random_uuid(), 'T-' || replace(gen_random_uuid()::text, '-', ''), 'complaint', ?2 || ' title', ?2 || ' description',
       w.sector, w.id, (SELECT id FROM branches WHERE level = 'national'), (SELECT id FROM categories WHERE slug = ?3),
       ?4, 'anonymous', decode(md5(random()::text || g::text), 'hex'), ?5, now(), ?5::timestamptz + interval '30 days',
       CASE WHEN ?6 THEN ?5::timestamptz + interval '3 days' END
FROM generate_series(1, ?1) g, (SELECT id, sector FROM workplaces ORDER BY slug LIMIT 1) w`,
			f.tenants[slug], sp.n, sp.marker, sp.category, sp.status, sp.created, sp.resolved)
		return err
	})
	if err != nil {
		f.t.Fatalf("add cases: %v", err)
	}
}

func countFacts(t testing.TB, f *fixture) int {
	t.Helper()
	var n int
	if err := f.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM case_facts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRollupFoldsChangedCasesIn(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := analytics.New(f.db.App, analytics.Options{K: 5})
	f.addCases("spn", spec{n: 7, category: "upah", status: "resolved", resolved: true})
	f.addCases("garteks", spec{n: 3, category: "k3"})
	rep, err := s.Rollup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cases != 10 || countFacts(t, f) != 10 {
		t.Fatalf("first run folded %d cases, %d facts; want 10", rep.Cases, countFacts(t, f))
	}
	var cat, month string
	var res float64
	var within bool
	if err := f.db.Super.QueryRowContext(ctx, `SELECT category, to_char(month, 'YYYY-MM'), resolution_days, within_target
		FROM case_facts WHERE tenant_id = ? LIMIT 1`, f.tenants["spn"]).Scan(&cat, &month, &res, &within); err != nil {
		t.Fatal(err)
	}
	if cat != "upah" || res < 2.99 || res > 3.01 || !within || month != time.Now().Add(-48*time.Hour).In(jakarta(t)).Format("2006-01") {
		t.Errorf("fact = %s %s %.2f %t", cat, month, res, within)
	}

	// Nothing changed: nothing to do.
	if rep, err := s.Rollup(ctx); err != nil || rep.Cases != 0 {
		t.Fatalf("idle run folded %d (%v)", rep.Cases, err)
	}
	// One case changes: exactly it is folded in again.
	err = db.InTenantTx(ctx, f.db.App, f.tenants["garteks"], func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cases SET status = 'verified', updated_at = now()
			WHERE id = (SELECT id FROM cases ORDER BY id LIMIT 1)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := s.Rollup(ctx); err != nil || rep.Cases != 1 {
		t.Fatalf("run after one change folded %d (%v)", rep.Cases, err)
	}
	var verified int
	_ = f.db.Super.QueryRowContext(ctx, "SELECT count(*) FROM case_facts WHERE status = 'verified'").Scan(&verified)
	if verified != 1 {
		t.Errorf("%d verified facts, want 1", verified)
	}

	// Overview counters come from the rollup too.
	ov, err := s.Overview(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byLabel := map[string]analytics.TenantOverview{}
	for _, o := range ov {
		byLabel[o.Label] = o
	}
	if o := byLabel["SPN"]; o.Cases == nil || *o.Cases != 7 || o.ActiveBranches == 0 {
		t.Errorf("SPN overview = %+v", o)
	}
	if o, ok := byLabel["Garteks"]; !ok || o.Cases != nil {
		t.Errorf("Garteks overview (3 cases, under k) = %+v", o)
	}
}

func jakarta(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Acceptance 1 through the database: a cell of 4 leaves no row (nor its
// key), and the others are rounded to base 5, so the total minus them is
// no count of the withheld cell.
func TestAggregateSuppressesSmallCells(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := analytics.New(f.db.App, analytics.Options{K: 5})
	f.addCases("spn", spec{n: 4, category: "upah"})
	f.addCases("spn", spec{n: 10, category: "k3"})
	f.addCases("spn", spec{n: 12, category: "phk"})
	if _, err := s.Rollup(ctx); err != nil {
		t.Fatal(err)
	}
	res := aggregate(t, s, analytics.QueryInput{By: "category", Measures: "count,share"})
	got := map[string]string{}
	for _, r := range res.Rows {
		v := "null"
		if c := r.Values["count"]; c != nil {
			v = fmt.Sprint(*c)
		}
		got[r.Keys[0]] = v
	}
	want := map[string]string{"k3": "10", "phk": "10"}
	if len(got) != len(want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %s, want %s", k, got[k], w)
		}
	}
	total := aggregate(t, s, analytics.QueryInput{Measures: "count"})
	if v := *total.Rows[0].Values["count"] - 20; v != 5 {
		t.Errorf("total minus the published cells = %v, want 5 (a multiple of k, not the withheld 4)", v)
	}
}

// The platform path: the app role sees no case and no fact without a
// tenant, the functions refuse anything but known dimensions, and nothing
// they return carries a case's text.
func TestPlatformPathIsNarrow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := analytics.New(f.db.App, analytics.Options{K: 1})
	marker := "PLANTED-" + strings.ReplaceAll(uuid.NewString(), "-", "")
	f.addCases("spn", spec{n: 6, category: "upah", marker: marker, resolved: true, status: "resolved"})
	if _, err := s.Rollup(ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"cases", "case_events", "case_facts", "tenant_stats", "users"} {
		var n int
		if err := f.db.App.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("app role without a tenant reads %d rows of %s", n, table)
		}
	}
	var superCases int
	_ = f.db.Super.QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&superCases)
	if superCases != 6 {
		t.Fatalf("superuser sees %d cases, want 6", superCases)
	}
	// Every dimension, every value: no text.
	for _, d := range analytics.Dimensions {
		fn := "analytics_aggregate(ARRAY[?]::text[], '2000-01-01', '2999-12-01', '{}', '{}', '{}')"
		if slices.Contains([]string{"employment_status", "membership", "certification", "age_band", "channel", "ladder", "brand"}, d) {
			// the ILO cube: every shape, by its first and second value
			d = "a"
			fn = "generate_series(0, 55) s, analytics_ilo_aggregate(s, ARRAY[?, 'b']::text[], '2000-01-01', '2999-12-01', '{}', '{}')"
		}
		rows, err := f.db.App.QueryContext(ctx, "SELECT keys::text FROM "+fn, d)
		if err != nil {
			t.Fatalf("dimension %s: %v", d, err)
		}
		n := 0
		for rows.Next() {
			var keys string
			_ = rows.Scan(&keys)
			n++
			if strings.Contains(keys, marker) {
				t.Errorf("dimension %s returned case text: %s", d, keys)
			}
		}
		rows.Close()
		if n == 0 {
			t.Errorf("dimension %s returned no rows: the check proves nothing", d)
		}
	}
	for _, bad := range []string{"title", "description", "f.case_id", "t.id", "1) FROM cases --", "tenant_id"} {
		_, err := f.db.App.ExecContext(ctx, "SELECT * FROM analytics_aggregate(ARRAY[?]::text[], '2000-01-01', '2999-12-01', '{}', '{}', '{}')", bad)
		if err == nil {
			t.Errorf("dimension %q accepted", bad)
		}
		_, err = f.db.App.ExecContext(ctx, "SELECT * FROM analytics_aggregate('{}', '2000-01-01', '2999-12-01', ARRAY[?]::text[], ARRAY['x'], '{}')", bad)
		if err == nil {
			t.Errorf("filter %q accepted", bad)
		}
	}
	// A filter value is bound, never spliced.
	var n int
	if err := f.db.App.QueryRowContext(ctx, `SELECT count(*) FROM analytics_aggregate('{}', '2000-01-01', '2999-12-01',
		ARRAY['sector'], ARRAY[$$' OR true --$$], '{}')`).Scan(&n); err != nil || n != 0 {
		t.Errorf("quoted filter value: %d rows, %v", n, err)
	}
	// Measure parts pick fixed column groups: anything else is refused.
	for _, bad := range []string{"title", "cases), (SELECT 1", "resolution; --"} {
		if _, err := f.db.App.ExecContext(ctx, "SELECT * FROM analytics_aggregate('{}', '2000-01-01', '2999-12-01', '{}', '{}', ARRAY[?]::text[])", bad); err == nil {
			t.Errorf("measure part %q accepted", bad)
		}
	}
	// The helpers and the tables' owner path are not the app's to call.
	for fn, want := range map[string]bool{
		"analytics_aggregate(text[], date, date, text[], text[], text[])": true, "analytics_tenant_overview()": true,
		"analytics_dimension(text)": false, "analytics_tenant_labels()": false,
	} {
		var can bool
		if err := f.db.App.QueryRowContext(ctx, "SELECT has_function_privilege('suara_app', ?, 'EXECUTE')", fn).Scan(&can); err != nil {
			t.Fatal(err)
		}
		if can != want {
			t.Errorf("app may execute %s: %t, want %t", fn, can, want)
		}
	}
	// The platform cube holds every tenant's sums: the app role may only
	// append to its inbox, never read either.
	for _, c := range []struct {
		table, priv string
		want        bool
	}{
		{"analytics_platform_cells", "SELECT", false}, {"analytics_platform_cells", "INSERT", false},
		{"analytics_platform_cells", "UPDATE", false}, {"analytics_platform_inbox", "SELECT", false},
		{"analytics_platform_inbox", "DELETE", false}, {"analytics_platform_inbox", "INSERT", true},
	} {
		var can bool
		if err := f.db.App.QueryRowContext(ctx, "SELECT has_table_privilege('suara_app', ?, ?)", c.table, c.priv).Scan(&can); err != nil {
			t.Fatal(err)
		}
		if can != c.want {
			t.Errorf("app %s on %s: %t, want %t", c.priv, c.table, can, c.want)
		}
	}
	// The role the definer functions run as reads no case row with no
	// tenant in scope (forced row level security), and the functions clear
	// the caller's tenant on the way in and put it back on the way out.
	for _, table := range []string{"cases", "case_events", "users"} {
		var n int
		if err := f.db.Owner.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("the definer role reads %d rows of %s with no tenant set", n, table)
		}
	}
	err := db.InTenantTx(ctx, f.db.App, f.tenants["spn"], func(ctx context.Context, tx bun.Tx) error {
		var inside, after string
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM analytics_aggregate('{}', '2000-01-01', '2999-12-01', '{}', '{}', '{}'))::text,
			current_setting('app.tenant_id')`).Scan(&inside, &after); err != nil {
			return err
		}
		if after != f.tenants["spn"].String() {
			t.Errorf("the caller's tenant after analytics_aggregate: %q", after)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range []string{"analytics_aggregate", "analytics_tenant_overview", "analytics_platform_apply", "analytics_platform_rebuild"} {
		var src string
		if err := f.db.Super.QueryRowContext(ctx, "SELECT prosrc FROM pg_proc WHERE proname = ?", fn).Scan(&src); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(src, "analytics_leave_tenant()") {
			t.Errorf("%s does not leave the caller's tenant", fn)
		}
	}
	// The definer functions pin their search_path and run as a role that is
	// not the app's.
	rows, err := f.db.Super.QueryContext(ctx, `SELECT p.proname, p.prosecdef, coalesce(array_to_string(p.proconfig, ','), ''), r.rolname
		FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner WHERE p.proname IN ('analytics_aggregate', 'analytics_tenant_overview')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var name, cfg, owner string
		var definer bool
		_ = rows.Scan(&name, &definer, &cfg, &owner)
		seen++
		if !definer || !strings.Contains(cfg, "search_path=") || owner == "suara_app" {
			t.Errorf("%s: definer=%t config=%q owner=%s", name, definer, cfg, owner)
		}
	}
	if seen != 2 {
		t.Errorf("found %d definer functions, want 2", seen)
	}
}

// Tenants that opt out are shown as "Union A"; companies appear only for
// tenants that opt in.
func TestTenantLabelsAndCompanyOptIn(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := analytics.New(f.db.App, analytics.Options{K: 1})
	f.addCases("spn", spec{n: 5, category: "upah"})
	f.addCases("garteks", spec{n: 5, category: "upah"})
	if _, err := f.db.App.ExecContext(ctx, `UPDATE tenants SET settings = settings || '{"analytics_anonymous": true}' WHERE slug = 'spn'`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.App.ExecContext(ctx, `UPDATE tenants SET settings = settings || '{"analytics_share_company": true}' WHERE slug = 'garteks'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rollup(ctx); err != nil {
		t.Fatal(err)
	}
	res := aggregate(t, s, analytics.QueryInput{By: "tenant,company"})
	got := map[string]string{}
	for _, r := range res.Rows {
		got[r.Keys[0]] = r.Keys[1]
	}
	if _, named := got["SPN"]; named {
		t.Error("SPN opted out but is named")
	}
	if c, ok := got["Union A"]; !ok || c != "" {
		t.Errorf("Union A: %q %t (company must be blank without opt-in)", c, ok)
	}
	if c := got["Garteks"]; c == "" {
		t.Errorf("Garteks opted in but its company is blank: %v", got)
	}
}
