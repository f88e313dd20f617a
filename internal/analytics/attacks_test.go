package analytics_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
)

// The four differencing attacks of issue 22, through the database, the
// query grid and the logged path an analyst uses. k = 5.

func count(t *testing.T, res *analytics.Result, keys ...string) (float64, bool) {
	t.Helper()
	for _, r := range res.Rows {
		if slices.Equal(r.Keys, keys) {
			v := r.Values["count"]
			if v == nil {
				t.Fatalf("row %v has no count", keys)
			}
			return *v, true
		}
	}
	return 0, false
}

func small(v float64) bool { return v >= 1 && v <= 4 }

func explore(t *testing.T, s *analytics.Store, in analytics.QueryInput) (*analytics.Result, error) {
	t.Helper()
	q, err := analytics.ParseQuery(in, time.Now())
	if err != nil {
		return nil, err
	}
	return s.Explore(context.Background(), analytics.Analyst{ID: uuid.New(), Name: "Analis"}, analytics.SurfaceAPI, q)
}

func setGender(t *testing.T, f *fixture, slug, category, gender string, n int) {
	t.Helper()
	err := db.InTenantTx(context.Background(), f.db.App, f.tenants[slug], func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cases SET reporter_gender = ?, updated_at = now() WHERE id IN (
			SELECT c.id FROM cases c JOIN categories k ON k.id = c.category_id
			WHERE k.slug = ? AND c.reporter_gender IS NULL ORDER BY c.id LIMIT ?)`, gender, category, n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Attack 1: count(Jan–Mar) − count(Jan–Feb) gives March alone.
func TestAttackMonthRangeDifference(t *testing.T) {
	f := newFixture(t)
	s := analytics.New(f.db.App, analytics.Options{K: 5})
	day := func(m time.Month) time.Time { return time.Date(2026, m, 10, 3, 0, 0, 0, time.UTC) }
	f.addCases("spn", spec{n: 10, category: "upah", created: day(time.January)})
	f.addCases("spn", spec{n: 12, category: "upah", created: day(time.February)})
	f.addCases("spn", spec{n: 3, category: "upah", created: day(time.March)})
	if _, err := s.Rollup(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The range that would isolate March is not a period of the grid.
	_, err := explore(t, s, analytics.QueryInput{By: "category", From: "2026-01", To: "2026-02"})
	var ve *apperr.Validation
	if !errors.As(err, &ve) || ve.Fields["to"] != "error.analytics_quarter" {
		t.Fatalf("Jan–Feb answered: %v", err)
	}
	// The quarter and its months: March is left out, and the quarter minus
	// the published months is a multiple of k, not March's 3.
	q1, err := explore(t, s, analytics.QueryInput{By: "category", From: "2026-01", To: "2026-03"})
	if err != nil {
		t.Fatal(err)
	}
	months, err := explore(t, s, analytics.QueryInput{By: "category,month", From: "2026-01", To: "2026-03"})
	if err != nil {
		t.Fatal(err)
	}
	total, _ := count(t, q1, "upah")
	jan, _ := count(t, months, "upah", "2026-01")
	feb, _ := count(t, months, "upah", "2026-02")
	if _, ok := count(t, months, "upah", "2026-03"); ok {
		t.Error("March's 3 cases published")
	}
	if d := total - jan - feb; small(d) || d == 3 {
		t.Errorf("Q1 %v − Jan %v − Feb %v = %v: March disclosed", total, jan, feb, d)
	}
	// Half-year minus Q1, and Q2 (empty) — the same holds across ranges.
	h1, err := explore(t, s, analytics.QueryInput{By: "category", From: "2026-01", To: "2026-06"})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := count(t, h1, "upah"); small(n - total) {
		t.Errorf("H1 %v − Q1 %v is small", n, total)
	}
}

// Attack 2: count(company, category) − count(…, gender=male) gives the rest.
func TestAttackFilterDifference(t *testing.T) {
	f := newFixture(t)
	s := analytics.New(f.db.App, analytics.Options{K: 5})
	f.addCases("spn", spec{n: 12, category: "upah"})
	setGender(t, f, "spn", "upah", "male", 9)
	setGender(t, f, "spn", "upah", "female", 3)
	if _, err := s.Rollup(context.Background()); err != nil {
		t.Fatal(err)
	}
	all, err := explore(t, s, analytics.QueryInput{By: "tenant,category"})
	if err != nil {
		t.Fatal(err)
	}
	men, err := explore(t, s, analytics.QueryInput{By: "tenant,category", Filters: map[string]string{"gender": "male"}})
	if err != nil {
		t.Fatal(err)
	}
	a, okA := count(t, all, "SPN", "upah")
	m, okM := count(t, men, "SPN", "upah")
	if !okA || !okM {
		t.Fatalf("rows missing: %v %v", all.Rows, men.Rows)
	}
	if d := a - m; small(d) {
		t.Errorf("all %v − men %v = %v: the 3 women disclosed", a, m, d)
	}
	byGender, err := explore(t, s, analytics.QueryInput{By: "tenant,category,gender"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := count(t, byGender, "SPN", "upah", "female"); ok {
		t.Error("the 3 women's cell published")
	}
	// Stacking filters down to a handful of cases is refused.
	if _, err := explore(t, s, analytics.QueryInput{By: "category,status", Filters: map[string]string{"tenant": "SPN", "gender": "male", "type": "complaint"}}); err == nil {
		t.Error("five dimensions together answered")
	}
}

// Attack 3: retaliation_reports withheld per cell but never complemented.
func TestAttackRetaliationComplement(t *testing.T) {
	f := newFixture(t)
	s := analytics.New(f.db.App, analytics.Options{K: 5})
	f.addCases("spn", spec{n: 20, category: "upah"})
	f.addCases("spn", spec{n: 20, category: "k3"})
	// 8 retaliation reports on wages, 3 on safety.
	err := db.InTenantTx(context.Background(), f.db.App, f.tenants["spn"], func(ctx context.Context, tx bun.Tx) error {
		for cat, n := range map[string]int{"upah": 8, "k3": 3} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_checkins (tenant_id, case_id, n, due_at, retaliation, answered_at)
				SELECT c.tenant_id, c.id, 1, now(), true, now() FROM cases c JOIN categories k ON k.id = c.category_id
				WHERE k.slug = ? ORDER BY c.id LIMIT ?`, cat, n); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE cases SET updated_at = now()"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("check-ins by hand: %v", err)
	}
	if _, err := s.Rollup(context.Background()); err != nil {
		t.Fatal(err)
	}
	total, err := explore(t, s, analytics.QueryInput{Measures: "count,retaliation_reports"})
	if err != nil {
		t.Fatal(err)
	}
	cats, err := explore(t, s, analytics.QueryInput{By: "category", Measures: "count,retaliation_reports"})
	if err != nil {
		t.Fatal(err)
	}
	tr := total.Rows[0].Values["retaliation_reports"]
	if tr == nil {
		t.Fatal("the total's 11 retaliation reports withheld")
	}
	var wages, safety *float64
	for _, r := range cats.Rows {
		switch r.Keys[0] {
		case "upah":
			wages = r.Values["retaliation_reports"]
		case "k3":
			safety = r.Values["retaliation_reports"]
		}
	}
	if safety != nil {
		t.Errorf("3 retaliation reports published: %v", *safety)
	}
	if wages == nil {
		t.Fatal("8 retaliation reports withheld")
	}
	if d := *tr - *wages; small(d) || d == 3 {
		t.Errorf("total %v − wages %v = %v: the withheld 3 recovered", *tr, *wages, d)
	}
}

// Attack 4: a suppressed row published its keys ("PT X, kekerasan,
// female, suppressed" proves one to four such cases exist).
func TestAttackSuppressedRowKeys(t *testing.T) {
	f := newFixture(t)
	s := analytics.New(f.db.App, analytics.Options{K: 5})
	f.addCases("spn", spec{n: 12, category: "upah"})
	f.addCases("spn", spec{n: 2, category: "k3"})
	if _, err := s.Rollup(context.Background()); err != nil {
		t.Fatal(err)
	}
	res, err := explore(t, s, analytics.QueryInput{By: "tenant,category", Measures: "count,share,retaliation_reports"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Rows {
		if slices.Contains(r.Keys, "k3") {
			t.Errorf("the 2-case cell's keys published: %v", r.Keys)
		}
	}
	if _, ok := count(t, res, "SPN", "upah"); !ok {
		t.Error("the 12-case cell is missing: the check proves nothing")
	}
	// Every query answered is in the platform admin's log.
	log, err := s.QueryLog(context.Background(), uuid.Nil, 0, 10)
	if err != nil || len(log) != 1 || log[0].Analyst != "Analis" || log[0].Rows != len(res.Rows) {
		t.Errorf("query log %+v (%v)", log, err)
	}
}
