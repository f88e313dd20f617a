package analytics

import (
	"strings"
	"testing"
	"time"

	suara "github.com/suara-id/suara"
)

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
	raws = append(raws, &rawCell{cell: cell{keys: []string{"phk"}, n: 4}})
	res := s.publish(q, raws)
	if len(res.Rows) != 2 {
		t.Fatalf("published %d rows, want 2: the cell of 4 leaves no row", len(res.Rows))
	}
	k3, upah := res.Rows[0], res.Rows[1]
	if k3.Values["median_resolution_days"] != nil {
		t.Error("median over 4 resolved cases published")
	}
	if v := upah.Values["median_resolution_days"]; v == nil || *v != 4 {
		t.Errorf("median over 6 cases = %v, want 4", v)
	}
	if v := k3.Values["count"]; v == nil || *v != 20 {
		t.Errorf("count = %v, want 20", v)
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
	if v := upah.Values["retaliation_reports"]; v == nil || *v != 5 {
		t.Errorf("6 retaliation reports published as %v, want 5 (base 5)", v)
	}
	// 30 of 54 cases: from the rounded parts, 30/55
	if v := upah.Values["share"]; v == nil || *v != 0.5455 {
		t.Errorf("share = %v, want 0.5455", v)
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
	if err != nil || q.From.String() != "2025-07" || q.To.String() != "2026-06" || q.Measures[0] != "count" {
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
		"too long":          {From: "2001-01", To: "2026-03"},
		"mid-quarter start": {From: "2026-02", To: "2026-06"},
		"mid-quarter end":   {From: "2026-01", To: "2026-02"},
		"stacked filters":   {By: "category,gender", Filters: map[string]string{"sector": "garment", "province": "Jawa Barat", "type": "complaint"}},
		"ilo with company":  {By: "employment_status,company"},
		"three ilo dims":    {By: "employment_status,membership,gender"},
		"ilo and medians":   {By: "ladder", Measures: "median_resolution_days"},
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
