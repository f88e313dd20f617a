package analytics_test

import (
	"context"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/analytics"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkRollup measures how fast the rollup folds new cases in: cases
// are inserted in bulk (SUARA_BENCH_ROLLUP_CASES, default 20000, over the
// four seed unions) and one rollup run is timed. The figure to compare with
// the 500 cases/second target is cases/s.
//
//	go test -run '^$' -bench BenchmarkRollup -benchtime 1x ./internal/analytics/
func BenchmarkRollup(b *testing.B) {
	n := envInt("SUARA_BENCH_ROLLUP_CASES", 20000)
	f := newFixture(b)
	ctx := context.Background()
	s := analytics.New(f.db.App, analytics.Options{K: 5})
	slugs := []string{"spn", "garteks", "fsptsk", "japbusi"}
	cats := []string{"upah", "k3", "phk", "jam_kerja"}
	var total time.Duration
	folded := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for j, slug := range slugs {
			f.addCases(slug, spec{n: n / len(slugs), category: cats[j], resolved: j%2 == 0, status: "resolved"})
		}
		b.StartTimer()
		start := time.Now()
		rep, err := s.Rollup(ctx)
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		folded += rep.Cases
	}
	b.ReportMetric(float64(folded)/total.Seconds(), "cases/s")
}

// BenchmarkAggregates measures the explorer's queries on a generated facts
// table: SUARA_BENCH_CASES facts (default 200000) over 20 tenants and 24
// months, written straight into case_facts, then folded into the cube
// (RebuildCells). It reports p95 per query shape. The generator draws every
// dimension independently, which makes the cube as large as it gets: real
// unions concentrate on a few sectors and provinces.
//
//	SUARA_BENCH_CASES=1000000 go test -run '^$' -bench BenchmarkAggregates -benchtime 20x ./internal/analytics/
func BenchmarkAggregates(b *testing.B) {
	n := envInt("SUARA_BENCH_CASES", 200000)
	f := newFixture(b)
	ctx := context.Background()
	start := time.Now()
	if _, err := f.db.Super.ExecContext(ctx, `
INSERT INTO tenants (slug, name, short_name, app_name)
SELECT 'bench-' || g, 'Bench union ' || g, 'B' || g, 'Bench' FROM generate_series(1, 16) g`); err != nil {
		b.Fatal(err)
	}
	if _, err := f.db.Super.ExecContext(ctx, `
WITH t AS (SELECT array_agg(id ORDER BY created_at, id) ids FROM tenants)
INSERT INTO case_facts (tenant_id, case_id, month, sector, category, province, company, type, status, gender, safety_mode,
    first_response_days, resolution_days, within_target, satisfaction, reopened, retaliation)
SELECT t.ids[1 + g % array_length(t.ids, 1)], gen_random_uuid(),
       (date '2025-01-01' + ((g / 7) % 24) * interval '1 month')::date,
       (ARRAY['garment','footwear','palm_oil','leather'])[1 + g % 4],
       (ARRAY['upah','jam_kerja','status_kerja','phk','k3','jaminan_sosial','cuti','diskriminasi','kekerasan','berserikat','kerja_paksa_anak','fasilitas','lainnya'])[1 + (g / 3) % 13],
       (ARRAY['Jawa Barat','Jawa Tengah','Jawa Timur','Banten','Riau','Sumatera Utara','Kalimantan Barat','DKI Jakarta'])[1 + (g / 5) % 8],
       '', (ARRAY['complaint','complaint','aspiration','information'])[1 + g % 4],
       (ARRAY['submitted','verified','in_progress','resolved','closed','rejected'])[1 + (g / 11) % 6],
       (ARRAY['female','male','unknown','prefer_not_to_say'])[1 + (g / 13) % 4],
       (ARRAY['named','confidential','anonymous'])[1 + (g / 17) % 3],
       (g % 97) / 10.0, CASE WHEN g % 3 = 0 THEN (g % 311) / 7.0 END, CASE WHEN g % 3 = 0 THEN g % 5 <> 0 END,
       CASE WHEN g % 4 = 0 THEN 1 + g % 5 END, g % 29 = 0, g % 101 = 0
FROM generate_series(1, ?) g, t`, n); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d facts in %s", n, time.Since(start).Round(time.Millisecond))
	s := analytics.New(f.db.App, analytics.Options{K: 5})
	// The rollup maintains the cube as it writes facts; facts written
	// straight into the table need it built once.
	start = time.Now()
	rows, err := f.db.Super.QueryContext(ctx, "SELECT id FROM tenants ORDER BY id")
	if err != nil {
		b.Fatal(err)
	}
	var ids []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := s.RebuildCells(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := f.db.Super.ExecContext(ctx, "ANALYZE case_facts, analytics_cells"); err != nil {
		b.Fatal(err)
	}
	var cells int64
	_ = f.db.Super.QueryRowContext(ctx, "SELECT count(*) FROM analytics_cells").Scan(&cells)
	b.Logf("built %d cells over %d tenants in %s", cells, len(ids), time.Since(start).Round(time.Millisecond))
	now := time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)
	queries := map[string]analytics.QueryInput{
		"tenant_category_12m":    {By: "tenant,category", Measures: "count,median_resolution_days", From: "2026-01", To: "2026-12"},
		"month_sector_24m":       {By: "month,sector", Measures: "count,share,within_target_share", From: "2025-01", To: "2026-12"},
		"province_gender_filter": {By: "province,gender", Measures: "count,satisfaction_avg", From: "2026-01", To: "2026-12", Filters: map[string]string{"sector": "palm_oil"}},
		"category_status_gender": {By: "category,status,gender", Measures: "count,reopen_rate", From: "2026-01", To: "2026-12"},
		"full_grain_4dims":       {By: "category,status,type", Measures: "count,median_first_response_days", From: "2026-01", To: "2026-12", Filters: map[string]string{"gender": "female"}},
		"tenant_all_measures":    {By: "tenant", Measures: "count,share,median_first_response_days,median_resolution_days,within_target_share,satisfaction_avg,reopen_rate,retaliation_reports", From: "2025-01", To: "2026-12"},
	}
	names := make([]string, 0, len(queries))
	for k := range queries {
		names = append(names, k)
	}
	sort.Strings(names)
	// Sub-benchmarks: the parent (and so the generation) runs once, each
	// shape runs b.N times.
	for _, name := range names {
		q, err := analytics.ParseQuery(queries[name], now)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			var times []time.Duration
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := s.Aggregate(ctx, q); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t0))
			}
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			p95 := times[(len(times)*95+99)/100-1]
			b.ReportMetric(float64(p95.Microseconds())/1000, "ms_p95")
		})
	}
}
