package analytics_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
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
	if testing.Short() {
		b.Skip("bulk inserts cases")
	}
	n := envInt("SUARA_BENCH_ROLLUP_CASES", 20000)
	f := newFixture(b)
	benchRollup(b, f, analytics.New(f.db.App, analytics.Options{K: 5}), n)
}

// benchRollup times b.N rollup runs, each after n new cases (outside the
// timer) over the four seed unions, and reports cases/s.
func benchRollup(b *testing.B, f *fixture, s *analytics.Store, n int) float64 {
	ctx := context.Background()
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
	rate := float64(folded) / total.Seconds()
	b.ReportMetric(rate, "cases/s")
	return rate
}

// explorerFactsSQL writes n facts (parameter ?) over every tenant, as the
// rollup would have written them for n cases, with distributions shaped
// like a federation's caseload rather than drawn independently: tenant
// sizes are skewed (a few large federations), each tenant works in one main
// sector (a fifth of its cases in a second one) and three home provinces
// (60/25/15), filings grow over the 24 months, categories are Zipf-like
// (wages first), most reports are complaints, status follows the case's
// age (old cases resolved or closed, this month's still open), gender is
// known only for named reports, durations are exponential, satisfaction
// leans to 4. Five tenants share workplace companies (30 each).
const explorerFactsSQL = `
WITH t AS (SELECT array_agg(id ORDER BY created_at, id) ids FROM tenants),
r AS (SELECT g, random() r_t, random() r_m, random() r_s, random() r_p, random() r_c, random() r_ty,
             random() r_st, random() r_sf, random() r_ge, random() r_fr, random() r_res, random() r_sat,
             random() r_x, random() r_co
      FROM generate_series(1, ?) g),
d AS (SELECT r.*, t.ids,
             least(floor(power(r.r_t, 1.6) * array_length(t.ids, 1)), array_length(t.ids, 1) - 1)::int AS ti,
             least(floor(24 * sqrt(r.r_m)), 23)::int AS mi
      FROM r, t),
e AS (SELECT d.*,
             CASE WHEN d.r_sf < 0.65 THEN 'named' WHEN d.r_sf < 0.90 THEN 'confidential' ELSE 'anonymous' END AS safety,
             CASE WHEN 23 - d.mi >= 3 THEN
                      CASE WHEN d.r_st < 0.60 THEN 'resolved' WHEN d.r_st < 0.85 THEN 'closed' WHEN d.r_st < 0.90 THEN 'rejected'
                           WHEN d.r_st < 0.93 THEN 'duplicate' WHEN d.r_st < 0.95 THEN 'withdrawn' ELSE 'in_progress' END
                  WHEN 23 - d.mi >= 1 THEN
                      CASE WHEN d.r_st < 0.40 THEN 'resolved' WHEN d.r_st < 0.70 THEN 'in_progress' WHEN d.r_st < 0.85 THEN 'verified'
                           WHEN d.r_st < 0.90 THEN 'submitted' WHEN d.r_st < 0.95 THEN 'closed' ELSE 'rejected' END
                  ELSE CASE WHEN d.r_st < 0.30 THEN 'submitted' WHEN d.r_st < 0.55 THEN 'verified' WHEN d.r_st < 0.85 THEN 'in_progress'
                            ELSE 'resolved' END END AS status
      FROM d)
INSERT INTO case_facts (tenant_id, case_id, month, sector, category, province, company, type, status, gender, safety_mode,
    first_response_days, resolution_days, within_target, satisfaction, reopened, retaliation,
    employment_status, membership, certification, age_band, channel, ladder, brands, workers_affected,
    outcome_types, money_idr, workers_reached)
SELECT e.ids[1 + e.ti], gen_random_uuid(),
       (date '2025-01-01' + e.mi * interval '1 month')::date,
       (ARRAY['garment','textile','footwear','palm_oil','electronics','leather'])[1 + (e.ti + CASE WHEN e.r_s < 0.8 THEN 0 ELSE 2 END) % 6],
       (ARRAY['upah','jam_kerja','status_kerja','phk','k3','jaminan_sosial','cuti','diskriminasi','kekerasan','berserikat','fasilitas','kerja_paksa_anak','lainnya'])[1 + least(floor(13 * power(e.r_c, 1.8)), 12)::int],
       (ARRAY['Jawa Barat','Banten','Jawa Tengah','Jawa Timur','DKI Jakarta','Riau','Sumatera Utara','Kalimantan Barat',
              'Kalimantan Tengah','Sumatera Selatan','Kepulauan Riau','DI Yogyakarta'])[1 + (e.ti * 5 + CASE WHEN e.r_p < 0.60 THEN 0 WHEN e.r_p < 0.85 THEN 1 ELSE 2 END) % 12],
       CASE WHEN e.ti % 4 = 1 THEN 'PT Bench ' || e.ti || '-' || floor(30 * power(e.r_co, 2))::int ELSE '' END,
       CASE WHEN e.r_ty < 0.70 THEN 'complaint' WHEN e.r_ty < 0.90 THEN 'aspiration' ELSE 'information' END,
       e.status,
       -- named: the account's; others: self-declared by half of them
       CASE WHEN e.safety <> 'named' AND e.r_x > 0.5 THEN 'unknown' WHEN e.r_ge < 0.55 THEN 'female' WHEN e.r_ge < 0.95 THEN 'male' ELSE 'prefer_not_to_say' END,
       e.safety,
       CASE WHEN e.status <> 'submitted' THEN (-ln(1 - e.r_fr) * 3)::real END,
       CASE WHEN e.status IN ('resolved', 'closed') THEN (1 + -ln(1 - e.r_res) * 20)::real END,
       CASE WHEN e.status IN ('resolved', 'closed') THEN 1 + -ln(1 - e.r_res) * 20 <= 30 END,
       CASE WHEN e.status IN ('resolved', 'closed') AND e.r_sat < 0.6 THEN (ARRAY[1,2,3,3,4,4,4,5,5,5])[1 + floor(e.r_x * 10)::int]::smallint END,
       e.r_x < 0.03, e.r_co < 0.005,
       (ARRAY['permanent','pkwt','pkwt','outsourced','daily','piece_rate','apprentice','unknown'])[1 + floor(e.r_ty * 8)::int],
       CASE WHEN e.r_sf < 0.6 THEN 'member' WHEN e.r_sf < 0.85 THEN 'non_member' ELSE 'unknown' END,
       CASE WHEN (e.ti + CASE WHEN e.r_s < 0.8 THEN 0 ELSE 2 END) % 6 = 3 THEN (ARRAY['rspo','ispo','rspo_ispo','none'])[1 + floor(e.r_p * 4)::int] ELSE '' END,
       (ARRAY['prefer_not_to_say','18_24','25_34','25_34','35_44','45_54','55_plus'])[1 + floor(e.r_ge * 7)::int],
       (ARRAY['web','app','whatsapp','whatsapp','sms','walk_in','hotline'])[1 + floor(e.r_m * 7)::int],
       CASE WHEN e.status IN ('resolved', 'closed') THEN (ARRAY['none','bipartite','bipartite','bipartite','mediation','conciliation','industrial_court'])[1 + floor(e.r_res * 7)::int] ELSE '' END,
       CASE WHEN (e.ti + CASE WHEN e.r_s < 0.8 THEN 0 ELSE 2 END) % 6 IN (0, 1, 2) THEN ARRAY[(ARRAY['nike','adidas','h-and-m','uniqlo','zara','gap','puma','asics'])[1 + floor(power(e.r_co, 1.5) * 8)::int]] ELSE '{}' END,
       1 + floor(-ln(1 - e.r_fr) * 4)::int,
       CASE WHEN e.status IN ('resolved', 'closed') THEN (ARRAY[ARRAY['back_pay','none'], ARRAY['reinstatement','none'], ARRAY['contract_conversion','none'], ARRAY['apology','none'], ARRAY['policy_change','none'], ARRAY['back_pay','reinstatement']])[1 + floor(e.r_sat * 6)::int][1:2] ELSE '{}' END,
       CASE WHEN e.status IN ('resolved', 'closed') AND e.r_sat < 0.3 THEN (1000000 + floor(e.r_x * 50000000))::bigint END,
       CASE WHEN e.status IN ('resolved', 'closed') AND e.r_sat < 0.3 THEN 1 + floor(e.r_fr * 10)::int END
FROM e`

// BenchmarkExplorer measures the explorer's queries at the acceptance
// scale: SUARA_BENCH_CASES facts (default 10,000,000) over 20 tenants and 24
// months, generated in SQL straight into case_facts as the rollup would
// have written them (explorerFactsSQL), then folded into the tenant and
// platform cubes (RebuildCube). Generating ten million full cases through
// the app is hours here; the explorer reads only the cubes, so the facts
// are what matters. The filled database is kept as a template
// (pgtest.Seeded), so a rerun on the same migrations clones it instead of
// generating again. Every round runs each query shape once; it reports the
// p95 per shape and over all queries. The rollup_at_scale sub-benchmark
// then times the rollup folding new cases into the full cubes.
//
//	go test -run '^$' -bench BenchmarkExplorer -benchtime 40x -timeout 2h ./internal/analytics/
func BenchmarkExplorer(b *testing.B) {
	if testing.Short() {
		b.Skip("generates millions of facts")
	}
	n := envInt("SUARA_BENCH_CASES", 10_000_000)
	ctx := context.Background()
	// Bump the version when explorerFactsSQL or the setup below changes.
	// One template per size: a small run does not drop the large one.
	tdb := pgtest.Seeded(b, fmt.Sprintf("explorer_%d", n), "v3", func(ctx context.Context, d *pgtest.DB) error {
		return seedExplorer(ctx, b, d, n)
	})
	f := fixtureOf(b, tdb)
	s := analytics.New(f.db.App, analytics.Options{K: 5})
	var cells, pcells int64
	var size string
	_ = f.db.Super.QueryRowContext(ctx, "SELECT count(*) FROM analytics_cells").Scan(&cells)
	_ = f.db.Super.QueryRowContext(ctx, "SELECT count(*) FROM analytics_platform_cells").Scan(&pcells)
	_ = f.db.Super.QueryRowContext(ctx, `SELECT 'facts ' || pg_size_pretty(pg_total_relation_size('case_facts')) ||
		', tenant cube ' || pg_size_pretty(pg_total_relation_size('analytics_cells')) ||
		', platform cube ' || pg_size_pretty(pg_total_relation_size('analytics_platform_cells'))`).Scan(&size)
	b.Logf("%d facts: %d tenant cells, %d platform cells (%s)", n, cells, pcells, size)

	now := time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)
	type shape struct {
		name string
		in   analytics.QueryInput
	}
	// A spread of explorer queries: mostly 3-4 dimensions (grouped plus
	// filtered), 12 or 24 months; by tenant (tenant cube) and across
	// tenants (platform cube); five dimensions across tenants and by tenant
	// (the full grains).
	shapes := []shape{
		{"tenant_category_12m", analytics.QueryInput{By: "tenant,category", Measures: "count,median_resolution_days", From: "2026-01", To: "2026-12"}},
		{"tenant_all_measures_24m", analytics.QueryInput{By: "tenant", Measures: "count,share,median_first_response_days,median_resolution_days,within_target_share,satisfaction_avg,reopen_rate,retaliation_reports", From: "2025-01", To: "2026-12"}},
		{"tenant_category_province_sector", analytics.QueryInput{By: "tenant,category,province", Measures: "count,within_target_share", From: "2026-01", To: "2026-12", Filters: map[string]string{"sector": "garment"}}},
		{"tenant_month_status_12m", analytics.QueryInput{By: "tenant,month,status", Measures: "count,satisfaction_avg", From: "2026-01", To: "2026-12"}},
		{"month_sector_24m", analytics.QueryInput{By: "month,sector", Measures: "count,share,within_target_share", From: "2025-01", To: "2026-12"}},
		{"quarter_category_province_24m", analytics.QueryInput{By: "quarter,category,province", Measures: "count,median_resolution_days", From: "2025-01", To: "2026-12"}},
		{"province_gender_sector", analytics.QueryInput{By: "province,gender", Measures: "count,satisfaction_avg", From: "2026-01", To: "2026-12", Filters: map[string]string{"sector": "palm_oil"}}},
		{"category_status_gender", analytics.QueryInput{By: "category,status,gender", Measures: "count,reopen_rate", From: "2026-01", To: "2026-12"}},
		{"category_status_type_gender", analytics.QueryInput{By: "category,status,type", Measures: "count,median_first_response_days", From: "2026-01", To: "2026-12", Filters: map[string]string{"gender": "female"}}},
		{"sector_category_province_type", analytics.QueryInput{By: "sector,category,province", Measures: "count,median_resolution_days,within_target_share", From: "2026-01", To: "2026-12", Filters: map[string]string{"type": "complaint"}}},
		{"month_category_safety_province", analytics.QueryInput{By: "month,category,safety_mode", Measures: "count,retaliation_reports", From: "2026-01", To: "2026-12", Filters: map[string]string{"province": "Jawa Barat"}}},
		{"company_category_12m", analytics.QueryInput{By: "company,category", Measures: "count", From: "2026-01", To: "2026-12"}},
		// The grid refuses more than four dimensions together (issue 22):
		// the old five-dimension shapes became these.
		{"four_dims_platform", analytics.QueryInput{By: "category,status", Measures: "count", From: "2026-01", To: "2026-12", Filters: map[string]string{"sector": "garment", "gender": "female"}}},
		{"tenant_four_dims", analytics.QueryInput{By: "tenant,category", Measures: "count,median_resolution_days", From: "2026-01", To: "2026-12", Filters: map[string]string{"sector": "garment", "gender": "female"}}},
		// ILO cube shapes.
		{"ilo_gender_category_12m", analytics.QueryInput{By: "gender,category", Measures: "count,share,retaliation_reports", From: "2026-01", To: "2026-12"}},
		{"ilo_tenant_employment_remedy", analytics.QueryInput{By: "tenant,employment_status", Measures: "count,members,reinstatement,back_pay,contract_conversion,money_recovered_idr,workers_reached", From: "2025-01", To: "2026-12"}},
		{"ilo_quarter_ladder_outcomes", analytics.QueryInput{By: "quarter,ladder", Measures: "count,outcomes_recorded,reinstatement,back_pay,policy_change", From: "2025-01", To: "2026-12"}},
		{"ilo_brand_sector_garment", analytics.QueryInput{By: "brand", Measures: "count,workers_affected", From: "2026-01", To: "2026-12", Filters: map[string]string{"sector": "garment"}}},
		{"ilo_certification_membership", analytics.QueryInput{By: "certification,membership", Measures: "count,retaliation_reports", From: "2026-01", To: "2026-12", Filters: map[string]string{"tenant": "SPN"}}},
	}
	qs := make([]analytics.Query, len(shapes))
	for i, sh := range shapes {
		q, err := analytics.ParseQuery(sh.in, now)
		if err != nil {
			b.Fatalf("%s: %v", sh.name, err)
		}
		qs[i] = q
	}
	// The platform's view by brand (all eight of its measures, by category).
	bq, err := analytics.BrandViewQuery(analytics.BrandViewInput{From: "2026-01", To: "2026-12", By: "category"}, now)
	if err != nil {
		b.Fatalf("brand view: %v", err)
	}
	shapes = append(shapes, shape{name: "brand_view_category"})
	qs = append(qs, bq)
	p95 := func(ts []time.Duration) float64 {
		ts = slices.Clone(ts)
		slices.Sort(ts)
		return float64(ts[(len(ts)*95+99)/100-1].Microseconds()) / 1000
	}
	// One sub-benchmark: the parent (and so the generation) runs once, the
	// sub-benchmark as often as the framework asks; the last run reports.
	// The figures of the last run are printed as name=value lines at the
	// end (make bench-analytics), for the note and for scripts.
	figures := make([]float64, len(shapes))
	var figAll, figRollup float64
	b.Run("queries", func(b *testing.B) {
		per := make([][]time.Duration, len(shapes))
		var all []time.Duration
		for i := 0; i < b.N; i++ {
			for j, q := range qs {
				t0 := time.Now()
				res, err := s.Aggregate(ctx, q)
				if err != nil {
					b.Fatalf("%s: %v", shapes[j].name, err)
				}
				d := time.Since(t0)
				per[j] = append(per[j], d)
				all = append(all, d)
				if i == 0 && len(res.Rows) == 0 {
					b.Errorf("%s: no rows", shapes[j].name)
				}
			}
		}
		for j, sh := range shapes {
			b.Logf("%-34s p95 %7.1f ms", sh.name, p95(per[j]))
			b.ReportMetric(p95(per[j]), "ms_p95_"+sh.name)
			figures[j] = p95(per[j])
		}
		figAll = p95(all)
		b.Logf("%-34s p95 %7.1f ms over %d queries", "all", p95(all), len(all))
		b.ReportMetric(p95(all), "ms_p95_all")
	})
	// The rollup with the cubes at full size: each round files 2,000 cases
	// over the four seed unions (outside the timer) and times one run.
	b.Run("rollup_at_scale", func(b *testing.B) {
		f.t = b
		figRollup = benchRollup(b, f, s, 2000)
	})
	fmt.Printf("bench_cases=%d\n", n)
	for j, sh := range shapes {
		fmt.Printf("p95_ms_%s=%.1f\n", sh.name, figures[j])
	}
	fmt.Printf("p95_ms_all=%.1f\n", figAll)
	fmt.Printf("rollup_cases_per_s=%.0f\n", figRollup)
}

// seedExplorer fills d for BenchmarkExplorer: the seed unions and sixteen
// more (every fourth sharing workplace companies), n generated facts, both
// cubes rebuilt from them.
func seedExplorer(ctx context.Context, b *testing.B, d *pgtest.DB, n int) error {
	if err := tenanttest.ApplySeed(ctx, d); err != nil {
		return err
	}
	start := time.Now()
	for _, q := range []string{
		`INSERT INTO tenants (slug, name, short_name, app_name)
		 SELECT 'bench-' || g, 'Bench union ' || g, 'B' || g, 'Bench' FROM generate_series(1, 16) g`,
		`UPDATE tenants SET settings = coalesce(settings, '{}') || '{"analytics_share_company": true}'
		 WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) - 1 AS i FROM tenants) x WHERE i % 4 = 1)`,
		"SELECT setseed(0.42)",
	} {
		if _, err := d.Super.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if _, err := d.Super.ExecContext(ctx, explorerFactsSQL, n); err != nil {
		return fmt.Errorf("generate facts: %w", err)
	}
	b.Logf("generated %d facts in %s", n, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	// A bulk load: the cube's secondary index is built after the cells
	// rather than maintained cell by cell, from the migrations' definition.
	var index string
	if err := d.Super.QueryRowContext(ctx, "SELECT pg_get_indexdef('analytics_cells_grain_month_idx'::regclass)").Scan(&index); err != nil {
		return err
	}
	if _, err := d.Super.ExecContext(ctx, "DROP INDEX analytics_cells_grain_month_idx"); err != nil {
		return err
	}
	if err := analytics.New(d.App, analytics.Options{K: 5}).RebuildCube(ctx); err != nil {
		return err
	}
	if _, err := d.Super.ExecContext(ctx, index); err != nil {
		return err
	}
	b.Logf("built both cubes in %s", time.Since(start).Round(time.Millisecond))
	return nil
}
