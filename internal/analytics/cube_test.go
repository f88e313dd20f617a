package analytics_test

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/db"
)

var cubeDims = []string{"sector", "category", "province", "company", "type", "status", "gender", "safety_mode"}

// cubeSnapshot renders every non-empty cell of the cube, sorted.
func cubeSnapshot(t *testing.T, f *fixture) string {
	t.Helper()
	rows, err := f.db.Super.QueryContext(context.Background(), `SELECT c::text FROM (
		SELECT tenant_id, grain, month, sector, category, province, company, type, status, gender, safety_mode,
		       cases, fr_n, res_n, res_h0, res_h1, res_h2, res_h3, res_h4, target_n, within_target,
		       satisfaction_n, satisfaction_sum, reopened, retaliation
		FROM analytics_cells WHERE cases <> 0) c ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	n := 0
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s + "\n")
		n++
	}
	if n == 0 {
		t.Fatal("empty cube: the comparison proves nothing")
	}
	return b.String()
}

// The cube maintained incrementally by the rollup (old contributions taken
// away, new ones added) equals the cube built afresh from the facts, and
// every grain adds up to what the facts say.
func TestCubeFollowsFacts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := analytics.New(f.db.App, analytics.Options{K: 5})
	f.addCases("spn", spec{n: 9, category: "upah", status: "resolved", resolved: true})
	f.addCases("spn", spec{n: 6, category: "k3"})
	f.addCases("garteks", spec{n: 7, category: "phk", created: time.Now().AddDate(0, -2, 0)})
	// Brands for the ILO cube: two on some cases, one on others.
	if _, err := f.db.Super.ExecContext(ctx, `UPDATE cases SET buyer_brands = CASE WHEN random() < 0.5 THEN '{nike,adidas}'::text[] ELSE '{puma}' END`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rollup(ctx); err != nil {
		t.Fatal(err)
	}
	// Facts change: cases move between statuses and categories, some get
	// resolved; the rollup must move their contributions.
	err := db.InTenantTx(ctx, f.db.App, f.tenants["spn"], func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cases SET status = 'resolved', resolved_at = created_at + interval '12 days',
			category_id = (SELECT id FROM categories WHERE slug = 'phk'), updated_at = now()
			WHERE id IN (SELECT id FROM cases WHERE status = 'submitted' ORDER BY id LIMIT 4)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTenantTx(ctx, f.db.App, f.tenants["garteks"], func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cases SET status = 'verified', updated_at = now()
			WHERE id IN (SELECT id FROM cases ORDER BY id LIMIT 3)`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := s.Rollup(ctx); err != nil || rep.Cases != 7 {
		t.Fatalf("second run folded %d (%v), want 7", rep.Cases, err)
	}
	incremental := cubeSnapshot(t, f)
	platformIncremental := platformSnapshot(t, f)
	iloIncremental := iloSnapshot(t, f)
	for _, slug := range []string{"spn", "garteks"} {
		if err := s.RebuildCells(ctx, f.tenants[slug]); err != nil {
			t.Fatal(err)
		}
	}
	if rebuilt := cubeSnapshot(t, f); rebuilt != incremental {
		t.Fatalf("incremental cube differs from rebuilt one:\n%s\nvs\n%s", incremental, rebuilt)
	}
	if rebuilt := iloSnapshot(t, f); rebuilt != iloIncremental {
		t.Fatalf("incremental ILO cube differs from rebuilt one:\n%s\nvs\n%s", iloIncremental, rebuilt)
	}
	checkILOShapes(t, f)
	if rebuilt := platformSnapshot(t, f); rebuilt != platformIncremental {
		t.Fatalf("incremental platform cube differs from the one RebuildCells left:\n%s\nvs\n%s", platformIncremental, rebuilt)
	}
	if err := s.RebuildCube(ctx); err != nil {
		t.Fatal(err)
	}
	if rebuilt := platformSnapshot(t, f); rebuilt != platformIncremental {
		t.Fatalf("incremental platform cube differs from rebuilt one:\n%s\nvs\n%s", platformIncremental, rebuilt)
	}
	checkPlatformGrains(t, f)

	// Each grain against the facts, grouped independently here.
	for g := 0; g <= 255; g++ {
		if g != 255 && bits.OnesCount(uint(g)) > 3 {
			continue
		}
		var dims []string
		for i, d := range cubeDims {
			if g&(1<<i) != 0 {
				dims = append(dims, d)
			}
		}
		cols := strings.Join(append([]string{"tenant_id", "month"}, dims...), ", ")
		q := fmt.Sprintf(`SELECT count(*) FROM (
			(SELECT %[1]s, sum(cases)::bigint n, sum(res_n)::bigint r, sum(within_target)::bigint w, sum(satisfaction_sum)::bigint ss
			 FROM analytics_cells WHERE grain = %[2]d AND cases <> 0 GROUP BY %[1]s
			 EXCEPT
			 SELECT %[1]s, count(*), count(resolution_days), count(*) FILTER (WHERE within_target), coalesce(sum(satisfaction), 0)
			 FROM case_facts GROUP BY %[1]s)
			UNION ALL
			(SELECT %[1]s, count(*), count(resolution_days), count(*) FILTER (WHERE within_target), coalesce(sum(satisfaction), 0)
			 FROM case_facts GROUP BY %[1]s
			 EXCEPT
			 SELECT %[1]s, sum(cases)::bigint, sum(res_n)::bigint, sum(within_target)::bigint, sum(satisfaction_sum)::bigint
			 FROM analytics_cells WHERE grain = %[2]d AND cases <> 0 GROUP BY %[1]s)) d`, cols, g)
		var diff int
		if err := f.db.Super.QueryRowContext(ctx, q).Scan(&diff); err != nil {
			t.Fatalf("grain %d: %v", g, err)
		}
		if diff != 0 {
			t.Errorf("grain %d (%v): %d rows differ from the facts", g, dims, diff)
		}
	}
	var stats int
	if err := f.db.Super.QueryRowContext(ctx, "SELECT cases FROM tenant_stats WHERE tenant_id = ?", f.tenants["spn"]).Scan(&stats); err != nil || stats != 15 {
		t.Errorf("spn overview counts %d cases (%v), want 15", stats, err)
	}
}

// Queries answered from a partial grain and from the full grain
// agree, and the median is the histogram estimate.
func TestAggregateFromCube(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := analytics.New(f.db.App, analytics.Options{K: 1})
	f.addCases("spn", spec{n: 8, category: "upah", status: "resolved", resolved: true}) // 3 days each
	f.addCases("spn", spec{n: 5, category: "k3"})
	f.addCases("garteks", spec{n: 6, category: "upah"})
	if _, err := s.Rollup(ctx); err != nil {
		t.Fatal(err)
	}
	counts := func(in analytics.QueryInput) map[string]float64 {
		t.Helper()
		res := aggregateUnchecked(t, s, in)
		out := map[string]float64{}
		for _, r := range res.Rows {
			// Sum over the keys past the first two: the finer query
			// must add up to the coarser one.
			k := strings.Join(r.Keys[:min(2, len(r.Keys))], "/")
			if v := r.Values["count"]; v != nil {
				out[k] += *v
			}
			if v := r.Values["median_resolution_days"]; v != nil {
				out[k+"/median"] = *v
			}
		}
		return out
	}
	coarse := counts(analytics.QueryInput{By: "tenant,category", Measures: "count,median_resolution_days"})
	// category, type, safety mode and gender: the full grain.
	fine := counts(analytics.QueryInput{By: "tenant,category,type", Measures: "count", Filters: map[string]string{"safety_mode": "anonymous", "gender": "unknown"}})
	want := map[string]float64{"SPN/upah": 8, "SPN/k3": 5, "Garteks/upah": 6}
	for k, v := range want {
		if coarse[k] != v || fine[k] != v {
			t.Errorf("%s: partial grain %v, full grain %v, want %v", k, coarse[k], fine[k], v)
		}
	}
	// Eight resolutions of 3 days fall in the 3-5 bucket: the estimate
	// interpolates to its middle (3 + 2 × 4/8).
	if m, ok := coarse["SPN/upah/median"]; !ok || m != 4 {
		t.Errorf("median estimate %v (%t), want 4", m, ok)
	}
	// Without tenant or company the platform cube answers: an exact grain of
	// up to four dimensions, and its full grain past that.
	for _, in := range []analytics.QueryInput{
		{By: "category", Measures: "count,median_resolution_days"},
		{By: "category,status,type", Filters: map[string]string{"gender": "unknown"}},
		{By: "category,status,type", Filters: map[string]string{"gender": "unknown", "safety_mode": "anonymous"}},
	} {
		got := map[string]float64{}
		for k, v := range counts(in) {
			if cat, _, _ := strings.Cut(k, "/"); !strings.HasSuffix(k, "/median") {
				got[cat] += v
			} else {
				got[k] = v
			}
		}
		if got["upah"] != 14 || got["k3"] != 5 {
			t.Errorf("platform cube %v: %v, want upah 14 and k3 5", in, got)
		}
		if in.Measures != "" {
			if m := got["upah/median"]; m != 4 {
				t.Errorf("platform median estimate %v, want 4", m)
			}
		}
	}
	// A filter that matches nothing returns no rows (not rows of zero).
	if got := counts(analytics.QueryInput{By: "category", Filters: map[string]string{"status": "closed"}}); len(got) != 0 {
		t.Errorf("filter on an absent status returned %v", got)
	}
}

// platformSnapshot renders every non-empty cell of the platform cube.
func platformSnapshot(t *testing.T, f *fixture) string {
	t.Helper()
	var out string
	err := f.db.Super.QueryRowContext(context.Background(), `SELECT coalesce(string_agg(c::text, E'\n' ORDER BY c::text), '') FROM (
		SELECT grain, month, sector, category, province, type, status, gender, safety_mode,
		       cases, fr_n, fr_h0, fr_h5, res_n, res_h0, res_h1, res_h2, res_h3, res_h4, target_n, within_target,
		       satisfaction_n, satisfaction_sum, reopened, retaliation
		FROM analytics_platform_cells WHERE cases <> 0) c`).Scan(&out)
	if err != nil {
		t.Fatal(err)
	}
	if out == "" {
		t.Fatal("empty platform cube: the comparison proves nothing")
	}
	return out
}

// checkPlatformGrains compares every platform grain with the facts summed
// over tenants.
func checkPlatformGrains(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	grains := 0
	for g := 0; g <= 255; g++ {
		if g&8 != 0 || (g != 247 && bits.OnesCount(uint(g)) > 4) {
			continue
		}
		grains++
		dims := []string{"month"}
		for i, d := range cubeDims {
			if g&(1<<i) != 0 {
				dims = append(dims, d)
			}
		}
		cols := strings.Join(dims, ", ")
		q := fmt.Sprintf(`SELECT count(*) FROM (
			(SELECT %[1]s, cases::bigint n, res_n::bigint r, within_target::bigint w, satisfaction_sum::bigint ss, fr_n::bigint fr
			 FROM analytics_platform_cells WHERE grain = %[2]d AND cases <> 0
			 EXCEPT
			 SELECT %[1]s, count(*), count(resolution_days), count(*) FILTER (WHERE within_target), coalesce(sum(satisfaction), 0), count(first_response_days)
			 FROM case_facts GROUP BY %[1]s)
			UNION ALL
			(SELECT %[1]s, count(*), count(resolution_days), count(*) FILTER (WHERE within_target), coalesce(sum(satisfaction), 0), count(first_response_days)
			 FROM case_facts GROUP BY %[1]s
			 EXCEPT
			 SELECT %[1]s, cases::bigint, res_n::bigint, within_target::bigint, satisfaction_sum::bigint, fr_n::bigint
			 FROM analytics_platform_cells WHERE grain = %[2]d AND cases <> 0)) d`, cols, g)
		var diff int
		if err := f.db.Super.QueryRowContext(ctx, q).Scan(&diff); err != nil {
			t.Fatalf("platform grain %d: %v", g, err)
		}
		if diff != 0 {
			t.Errorf("platform grain %d (%v): %d rows differ from the facts", g, dims, diff)
		}
	}
	if grains != 100 {
		t.Errorf("checked %d platform grains, want 100", grains)
	}
}

// A measure asked alone reads only its columns (analytics_aggregate's
// parts): it must come out as it does among all the others.
func TestMeasureAloneMatchesAll(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := analytics.New(f.db.App, analytics.Options{K: 1})
	f.addCases("spn", spec{n: 8, category: "upah", status: "resolved", resolved: true})
	f.addCases("spn", spec{n: 5, category: "k3", status: "verified"})
	f.addCases("garteks", spec{n: 6, category: "upah", status: "resolved", resolved: true})
	if _, err := s.Rollup(ctx); err != nil {
		t.Fatal(err)
	}
	run := func(by, measures string) map[string]*float64 {
		t.Helper()
		res := aggregate(t, s, analytics.QueryInput{By: by, Measures: measures})
		out := map[string]*float64{}
		for _, r := range res.Rows {
			for m, v := range r.Values {
				out[strings.Join(r.Keys, "/")+" "+m] = v
			}
		}
		return out
	}
	for _, by := range []string{"tenant,category", "category"} { // tenant cube, platform cube
		var main []string
		for _, m := range analytics.Measures {
			if !slices.Contains(analytics.ILOMeasures, m) {
				main = append(main, m)
			}
		}
		all := run(by, strings.Join(main, ","))
		seen := map[string]bool{}
		for _, m := range main {
			for k, v := range run(by, m) {
				w, ok := all[k]
				if !ok || (v == nil) != (w == nil) || (v != nil && *v != *w) {
					t.Errorf("by %s: %s alone = %v, among all = %v", by, k, deref(v), deref(w))
				}
				if v != nil && *v != 0 {
					seen[m] = true
				}
			}
		}
		// the measures these cases give values to
		for _, m := range []string{"count", "share", "median_resolution_days", "within_target_share"} {
			if !seen[m] {
				t.Errorf("by %s: %s never non-zero: the comparison proves little", by, m)
			}
		}
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// iloSnapshot is the ILO cube's non-empty cells as text.
func iloSnapshot(t *testing.T, f *fixture) string {
	t.Helper()
	var rows []string
	if err := f.db.Super.NewRaw(`SELECT c::text FROM (SELECT * FROM analytics_ilo_cells WHERE cases <> 0 ORDER BY tenant_id, shape, month, a, b) c`).Scan(context.Background(), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("the ILO cube is empty")
	}
	return strings.Join(rows, "\n")
}

// checkILOShapes compares the total, the brand and the gender × category
// shapes of the ILO cube with the facts, grouped independently here (a
// case naming two brands counts under each).
func checkILOShapes(t *testing.T, f *fixture) {
	t.Helper()
	for _, c := range []struct {
		shape      int
		a, b, from string
	}{
		{0, "''", "''", "case_facts x"},
		{10, "br", "''", "case_facts x CROSS JOIN LATERAL unnest(CASE WHEN cardinality(x.brands) > 0 THEN x.brands ELSE ARRAY[''] END) br"},
		{18, "x.gender", "x.category", "case_facts x"},
	} {
		q := fmt.Sprintf(`SELECT count(*) FROM (
			(SELECT tenant_id, month, a, b, cases::bigint, workers_affected::bigint FROM analytics_ilo_cells WHERE shape = %[1]d AND cases <> 0
			 EXCEPT
			 SELECT x.tenant_id, x.month, %[2]s, %[3]s, count(*), sum(x.workers_affected) FROM %[4]s WHERE x.ilo GROUP BY 1, 2, 3, 4)
			UNION ALL
			(SELECT x.tenant_id, x.month, %[2]s, %[3]s, count(*), sum(x.workers_affected) FROM %[4]s WHERE x.ilo GROUP BY 1, 2, 3, 4
			 EXCEPT
			 SELECT tenant_id, month, a, b, cases::bigint, workers_affected::bigint FROM analytics_ilo_cells WHERE shape = %[1]d AND cases <> 0)) d`,
			c.shape, c.a, c.b, c.from)
		var diff int
		if err := f.db.Super.QueryRowContext(context.Background(), q).Scan(&diff); err != nil {
			t.Fatalf("ILO shape %d: %v", c.shape, err)
		}
		if diff != 0 {
			t.Errorf("ILO shape %d: %d rows differ from the facts", c.shape, diff)
		}
	}
}
