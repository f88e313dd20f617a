package web_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/uptrace/bun"
)

// TestAdminDashboard: the dashboard's figures equal plain SQL over the same
// cases, per sub-tree; restricted categories are suppressed when small for
// staff not named for them, and their cases stay off the overdue list.
func TestAdminDashboard(t *testing.T) {
	e := newCaseEnv(t)
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	branch := e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	worker := e.login(spnHost, map[string]string{"phone": "081200000001", "password": demoPW})
	kekerasan := e.categoryID("spn", "kekerasan")
	if resp, _ := e.sendJSON("PATCH", spnHost, adminCats+"/"+kekerasan, admin, map[string]any{"restricted": true}); resp.StatusCode != 200 {
		t.Fatal("restrict")
	}
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	var ids []string
	for i, cat := range []string{"upah", "upah", "k3", "kekerasan", "kekerasan", ""} {
		body := map[string]any{"type": "complaint", "description": fmt.Sprintf("Keluhan nomor %d tentang pabrik kami.", i), "workplace_id": wp}
		if cat != "" {
			body["category_id"] = e.categoryID("spn", cat)
		}
		ids = append(ids, e.file(spnHost, worker, body)["id"].(string))
	}
	// Resolve some, one late; rate two; make one restricted and one plain
	// case overdue. Set as the owner: the figures only read these columns.
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{"UPDATE cases SET status = 'resolved', resolved_at = created_at + interval '50 hours', resolution_due = created_at + interval '10 days' WHERE id = ?", []any{ids[0]}},
			{"UPDATE cases SET status = 'closed', resolved_at = created_at + interval '20 days', resolution_due = created_at + interval '10 days' WHERE id = ?", []any{ids[1]}},
			{"UPDATE cases SET resolution_due = now() - interval '1 day' WHERE id IN (?, ?)", []any{ids[2], ids[3]}},
			{"INSERT INTO case_ratings (tenant_id, case_id, handling, outcome) VALUES (current_setting('app.tenant_id')::uuid, ?, 5, 4), (current_setting('app.tenant_id')::uuid, ?, 2, 2)", []any{ids[0], ids[1]}},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				return err
			}
		}
		return nil
	})

	sqlInt := func(q string, args ...any) int { return e.countRows("spn", q, args...) }
	var median float64
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at) / 3600)
			FROM cases WHERE resolved_at IS NOT NULL`).Scan(&median)
	})

	_, d := e.getJSON(spnHost, "/api/v1/admin/dashboard", admin)
	if d["branch_path"] != "spn" || d["total"] != float64(sqlInt("SELECT count(*) FROM cases")) {
		t.Fatalf("admin dashboard: %v", d)
	}
	cells := func(d map[string]any, key string) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, c := range d[key].([]any) {
			m := c.(map[string]any)
			out[m["key"].(string)] = m
		}
		return out
	}
	for st, c := range cells(d, "by_status") {
		if want := sqlInt("SELECT count(*) FROM cases WHERE status = ?", st); c["n"] != float64(want) {
			t.Errorf("status %s: %v, want %d", st, c["n"], want)
		}
	}
	for slug, c := range cells(d, "by_category") {
		want := sqlInt("SELECT count(*) FROM cases c LEFT JOIN categories k ON k.id = c.category_id WHERE coalesce(k.slug, '') = ?", slug)
		if c["n"] != float64(want) || c["suppressed"] == true {
			t.Errorf("admin category %s: %v, want %d", slug, c, want)
		}
	}
	for m, c := range cells(d, "by_month") {
		if want := sqlInt("SELECT count(*) FROM cases WHERE to_char(created_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM') = ?", m); c["n"] != float64(want) {
			t.Errorf("month %s: %v, want %d", m, c["n"], want)
		}
	}
	wt := d["within_target"].(map[string]any)
	if wt["num"] != float64(sqlInt("SELECT count(*) FROM cases WHERE resolved_at <= resolution_due")) ||
		wt["den"] != float64(sqlInt("SELECT count(*) FROM cases WHERE resolved_at IS NOT NULL AND resolution_due IS NOT NULL")) {
		t.Errorf("within target: %v", wt)
	}
	if got, ok := d["median_resolution_hours"].(float64); !ok || math.Abs(got-median) > 1e-6 {
		t.Errorf("median resolution: %v, want %v", d["median_resolution_hours"], median)
	}
	dist := d["satisfaction_dist"].([]any)
	for score := 1; score <= 5; score++ {
		if want := sqlInt("SELECT count(*) FROM case_ratings WHERE handling = ?", score); dist[score-1] != float64(want) {
			t.Errorf("satisfaction %d★: %v, want %d", score, dist[score-1], want)
		}
	}
	var avg float64
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT avg(handling) FROM case_ratings").Scan(&avg)
	})
	if got, _ := d["satisfaction_avg"].(float64); math.Abs(got-avg) > 1e-9 {
		t.Errorf("satisfaction avg: %v, want %v", got, avg)
	}
	overdue := func(d map[string]any) string {
		var refs []string
		for _, o := range d["overdue"].([]any) {
			refs = append(refs, o.(map[string]any)["id"].(string))
		}
		return strings.Join(refs, ",")
	}
	if o := overdue(d); !strings.Contains(o, ids[2]) || !strings.Contains(o, ids[3]) {
		t.Errorf("admin overdue list: %s", o)
	}

	// The branch admin: spn/jabar by default, the restricted cell
	// suppressed (2 < 5) and its case off the overdue list.
	_, bd := e.getJSON(spnHost, "/api/v1/admin/dashboard", branch)
	want := sqlInt("SELECT count(*) FROM cases c JOIN branches b ON b.id = c.branch_id WHERE b.path = 'spn/jabar' OR b.path LIKE 'spn/jabar/%'")
	if bd["branch_path"] != "spn/jabar" || bd["total"] != float64(want) {
		t.Errorf("branch dashboard: %v %v, want spn/jabar %d", bd["branch_path"], bd["total"], want)
	}
	if c := cells(bd, "by_category")["kekerasan"]; c == nil || c["suppressed"] != true || c["n"] != float64(0) {
		t.Errorf("restricted cell for the branch admin: %v", c)
	}
	if o := overdue(bd); strings.Contains(o, ids[3]) || !strings.Contains(o, ids[2]) {
		t.Errorf("branch overdue list: %s", o)
	}
	resp, page := e.page(spnHost, "/admin/dashboard", branch)
	if resp.StatusCode != 200 {
		t.Fatalf("dashboard page: %d", resp.StatusCode)
	}
	mustContain(t, page, "<svg", `role="img"`, `data-key="kekerasan">&lt;5<`)

	// Who may: not officers; nobody outside their sub-tree; no other union.
	if resp, _ := e.getJSON(spnHost, "/api/v1/admin/dashboard", officer); resp.StatusCode != 403 {
		t.Errorf("officer: %d", resp.StatusCode)
	}
	if resp, _ := e.getJSON(spnHost, "/api/v1/admin/dashboard?branch=spn", branch); resp.StatusCode != 403 {
		t.Errorf("branch admin on the root: %d", resp.StatusCode)
	}
	if resp, _ := e.getJSON(spnHost, "/api/v1/admin/dashboard?branch=spn/banten", branch); resp.StatusCode != 403 {
		t.Errorf("branch admin on a sibling: %d", resp.StatusCode)
	}
	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	if resp, _ := e.getJSON(otherHost, "/api/v1/admin/dashboard?branch=spn", gAdmin); resp.StatusCode != 404 {
		t.Errorf("garteks admin on spn: %d", resp.StatusCode)
	}
	_, gd := e.getJSON(otherHost, "/api/v1/admin/dashboard", gAdmin)
	if gd["total"] != float64(e.countRows("garteks", "SELECT count(*) FROM cases")) {
		t.Errorf("garteks total: %v", gd["total"])
	}
}
