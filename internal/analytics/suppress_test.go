package analytics

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	suara "github.com/suara-id/suara"
)

func cells(rows map[string]int64) []*cell {
	var out []*cell
	for k, n := range rows {
		out = append(out, &cell{keys: strings.Split(k, "|"), n: n})
	}
	return out
}

func find(cs []*cell, key string) *cell {
	for _, c := range cs {
		if strings.Join(c.keys, "|") == key {
			return c
		}
	}
	return nil
}

// Acceptance 1: a cell of 4 is suppressed at k = 5, a cell of 5 is not.
func TestCellUnderKIsSuppressed(t *testing.T) {
	cs := cells(map[string]int64{"upah": 4, "k3": 5})
	suppress(cs, 0, 5) // no dimension: nothing to complement
	if !find(cs, "upah").suppressed {
		t.Error("a cell of 4 was published at k=5")
	}
	if find(cs, "k3").suppressed {
		t.Error("a cell of 5 was suppressed at k=5")
	}
}

// Acceptance 1: a row whose only suppressed cell could be computed from the
// total gets a second suppression, on its smallest other cell.
func TestComplementarySuppressionInOneDimension(t *testing.T) {
	cs := cells(map[string]int64{"upah": 4, "k3": 10, "phk": 12})
	suppress(cs, 1, 5)
	for key, want := range map[string]bool{"upah": true, "k3": true, "phk": false} {
		if got := find(cs, key).suppressed; got != want {
			t.Errorf("%s suppressed = %t, want %t", key, got, want)
		}
	}
}

func TestComplementarySuppressionInTwoDimensions(t *testing.T) {
	cs := cells(map[string]int64{
		"A|upah": 4, "A|k3": 20, "A|phk": 30,
		"B|upah": 25, "B|k3": 30, "B|phk": 40,
	})
	suppress(cs, 2, 5)
	want := map[string]bool{"A|upah": true, "A|k3": true, "B|upah": true, "B|k3": true, "A|phk": false, "B|phk": false}
	for key, w := range want {
		if got := find(cs, key).suppressed; got != w {
			t.Errorf("%s suppressed = %t, want %t", key, got, w)
		}
	}
	assertNoLoneSuppression(t, cs, 2)
}

// A line made of one cell is its own total: left to the coarser query,
// which suppresses the same number.
func TestSingleCellLineNeedsNoComplement(t *testing.T) {
	cs := cells(map[string]int64{"A|upah": 3, "B|upah": 50, "B|k3": 60})
	suppress(cs, 2, 5)
	// Column upah has A suppressed alone: B|upah must go, then row B has
	// one suppressed cell, so B|k3 goes too.
	for key, w := range map[string]bool{"A|upah": true, "B|upah": true, "B|k3": true} {
		if got := find(cs, key).suppressed; got != w {
			t.Errorf("%s suppressed = %t, want %t", key, got, w)
		}
	}
}

// Property: on random tables, no line is left with exactly one suppressed
// cell, and every cell under k is suppressed.
func TestSuppressionPropertyRandomTables(t *testing.T) {
	r := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	for iter := 0; iter < 300; iter++ {
		ndims := 1 + r.IntN(3)
		var cs []*cell
		seen := map[string]bool{}
		for i := 0; i < 3+r.IntN(40); i++ {
			keys := make([]string, ndims)
			for d := range keys {
				keys[d] = fmt.Sprint(r.IntN(4))
			}
			if seen[strings.Join(keys, "|")] {
				continue
			}
			seen[strings.Join(keys, "|")] = true
			cs = append(cs, &cell{keys: keys, n: 1 + r.Int64N(30)})
		}
		suppress(cs, ndims, 5)
		for _, c := range cs {
			if c.n < 5 && !c.suppressed {
				t.Fatalf("cell %v of %d published", c.keys, c.n)
			}
		}
		assertNoLoneSuppression(t, cs, ndims)
	}
}

func assertNoLoneSuppression(t *testing.T, cs []*cell, ndims int) {
	t.Helper()
	for d := 0; d < ndims; d++ {
		for _, line := range linesAlong(cs, d) {
			n := 0
			for _, c := range line {
				if c.suppressed {
					n++
				}
			}
			if n == 1 && len(line) > 1 {
				t.Fatalf("line along dimension %d has a lone suppressed cell: recoverable from its total", d)
			}
		}
	}
}

func TestPublishWithholdsMeasuresOnSmallBases(t *testing.T) {
	s := New(nil, Options{K: 5})
	// six resolutions in the 3-5 day bucket: the median is its middle
	hist := make([]int64, histBuckets)
	hist[3] = 6
	q := Query{By: []string{"category"}, Measures: []string{"count", "share", "median_resolution_days", "satisfaction_avg", "retaliation_reports"}}
	raws := []*rawCell{
		{cell: cell{keys: []string{"k3"}, n: 20}, resN: 4, resHist: []int64{0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, satN: 10, satSum: 42, retaliation: 2},
		{cell: cell{keys: []string{"upah"}, n: 30}, resN: 6, resHist: hist, satN: 2, satSum: 10, retaliation: 6},
	}
	res := s.publish(q, raws)
	k3, upah := res.Rows[0], res.Rows[1]
	if k3.Values["median_resolution_days"] != nil {
		t.Error("median over 4 resolved cases published")
	}
	if v := upah.Values["median_resolution_days"]; v == nil || *v != 4 {
		t.Errorf("median over 6 cases = %v, want 4", v)
	}
	if v := k3.Values["satisfaction_avg"]; v == nil || *v != 4.2 {
		t.Errorf("satisfaction avg = %v, want 4.2", v)
	}
	if upah.Values["satisfaction_avg"] != nil {
		t.Error("satisfaction over 2 ratings published")
	}
	if k3.Values["retaliation_reports"] != nil {
		t.Error("2 retaliation reports published")
	}
	if v := upah.Values["share"]; v == nil || *v != 0.6 {
		t.Errorf("share = %v, want 0.6", v)
	}
}

func TestParseQuery(t *testing.T) {
	now := time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC)
	q, err := ParseQuery(QueryInput{By: "tenant, category", Measures: "count,median_resolution_days", From: "2026-01", To: "2026-12",
		Filters: map[string]string{"sector": "palm_oil", "status": ""}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(q.By, ",") != "tenant,category" || q.From.String() != "2026-01" || q.To.String() != "2026-12" || q.Filters["sector"] != "palm_oil" {
		t.Errorf("parsed %+v", q)
	}
	if _, ok := q.Filters["status"]; ok {
		t.Error("empty filter kept")
	}
	q, err = ParseQuery(QueryInput{}, now)
	if err != nil || q.From.String() != "2025-06" || q.To.String() != "2026-05" || q.Measures[0] != "count" {
		t.Errorf("defaults: %+v %v", q, err)
	}
	for name, in := range map[string]QueryInput{
		"unknown dimension": {By: "title"},
		"day grain":         {By: "day"},
		"repeated":          {By: "tenant,tenant"},
		"too many":          {By: "tenant,sector,category,status"},
		"unknown measure":   {Measures: "description"},
		"bad month":         {From: "2026-13"},
		"a date":            {To: "2026-01-15"},
		"reversed":          {From: "2026-05", To: "2026-01"},
		"too long":          {From: "2001-01", To: "2026-01"},
		"unknown filter":    {Filters: map[string]string{"title": "x"}},
		"control chars":     {Filters: map[string]string{"sector": "a\x00b"}},
	} {
		if _, err := ParseQuery(in, now); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestHistMedian(t *testing.T) {
	h := func(counts map[int]int64) []int64 {
		out := make([]int64, histBuckets)
		for i, c := range counts {
			out[i] = c
		}
		return out
	}
	for _, tc := range []struct {
		name string
		hist []int64
		want *float64
	}{
		{"empty", h(nil), nil},
		{"wrong length", []int64{3, 4}, nil},
		// 10 cases: 4 in 0-1, 6 in 1-2; half is 5, one into the 1-2 bucket
		{"interpolated", h(map[int]int64{0: 4, 1: 6}), ptr(1.2)},
		// half lands exactly at the end of the first bucket
		{"bucket edge", h(map[int]int64{0: 5, 5: 5}), ptr(1)},
		// 4 cases, half is 2: one third into the 30-45 bucket, past empty ones
		{"gap", h(map[int]int64{0: 1, 9: 3}), ptr(35)},
		{"open bucket", h(map[int]int64{13: 7}), ptr(180)},
	} {
		got := histMedian(tc.hist)
		if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Errorf("%s: histMedian = %v, want %v", tc.name, deref(got), deref(tc.want))
		}
	}
}

func ptr(v float64) *float64 { return &v }

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// The cube migration's backfill buckets durations with its own copy of the
// bounds: it must be the one the rollup and histMedian use.
func TestHistBoundsMatchMigration(t *testing.T) {
	sql, err := suara.MigrationsFS.ReadFile("migrations/20261126000020_analytics_cube.tx.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sql), "'"+histBounds+"'::real[]") {
		t.Errorf("migration 0020 buckets durations with other bounds than histBounds %s", histBounds)
	}
}
