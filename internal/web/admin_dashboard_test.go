package web_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

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
			// A rating on a restricted case and on an unassigned one; the
			// officer handles the first two.
			{"INSERT INTO case_ratings (tenant_id, case_id, handling, outcome) VALUES (current_setting('app.tenant_id')::uuid, ?, 4, 4), (current_setting('app.tenant_id')::uuid, ?, 3, 3)", []any{ids[4], ids[5]}},
			{"UPDATE cases SET assigned_to = (SELECT id FROM users WHERE email = 'officer@spn.example') WHERE id IN (?, ?)", []any{ids[0], ids[1]}},
			// ids[0] was reopened once (the milestone trigger sees the event).
			{`INSERT INTO case_events (tenant_id, case_id, seq, kind, actor_id, visibility, payload, prev_hash, hash, created_at)
				SELECT tenant_id, case_id, max(seq) + 1, 'status_changed', '', 'reporter', '{"by":"reporter","to":"reopened"}', '\x00', '\x00', now()
				FROM case_events WHERE case_id = ? GROUP BY tenant_id, case_id`, []any{ids[0]}},
			// Check-ins on the closed case: +30 answered, +90 asked only.
			{`INSERT INTO case_checkins (tenant_id, case_id, n, due_at, asked_at, answered_at, remedy_held, retaliation) VALUES
				(current_setting('app.tenant_id')::uuid, ?, 1, now(), now(), now(), false, true),
				(current_setting('app.tenant_id')::uuid, ?, 2, now(), now(), NULL, NULL, NULL)`, []any{ids[1], ids[1]}},
			{`INSERT INTO case_suggestions (tenant_id, case_id, model, version, category_slug, confidence, urgency, type, status)
				SELECT current_setting('app.tenant_id')::uuid, v.id::uuid, 'builtin', 'test', 'upah', 0.9, 'normal', 'complaint', v.st
				FROM (VALUES (?, 'accepted'), (?, 'accepted'), (?, 'corrected'), (?, 'pending')) v(id, st)`, []any{ids[0], ids[1], ids[2], ids[5]}},
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

	// A staff reply (the first response) through the API, as the app role.
	if resp, body := e.sendJSON("POST", spnHost, "/api/v1/cases/"+ids[2]+"/messages", admin, map[string]any{"body": "Kami sedang memeriksa."}); resp.StatusCode >= 300 {
		t.Fatalf("staff message: %d %v", resp.StatusCode, body)
	}
	var medFirst float64
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM f.at - c.created_at) / 3600)
			FROM cases c JOIN (SELECT e.case_id, min(e.created_at) AS at FROM case_events e
				JOIN users u ON u.id::text = e.actor_id AND u.kind = 'staff'
				WHERE e.seq > 1 AND e.visibility = 'reporter' GROUP BY e.case_id) f ON f.case_id = c.id`).Scan(&medFirst)
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
	if got, ok := d["median_first_response_hours"].(float64); !ok || math.Abs(got-medFirst) > 1e-6 {
		t.Errorf("median first response: %v, want %v", d["median_first_response_hours"], medFirst)
	}
	rr := d["reopen_rate"].(map[string]any)
	if rr["num"] != float64(sqlInt(`SELECT count(*) FROM cases c WHERE (c.resolved_at IS NOT NULL OR c.status = 'reopened')
			AND EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.kind = 'status_changed' AND e.payload::jsonb ->> 'to' = 'reopened')`)) ||
		rr["den"] != float64(sqlInt("SELECT count(*) FROM cases WHERE resolved_at IS NOT NULL OR status = 'reopened'")) || rr["num"] != float64(1) {
		t.Errorf("reopen rate: %v", rr)
	}
	// Satisfaction per category and per officer, against plain SQL.
	type ratedWant struct {
		n    int
		avg  float64
		dist [5]int
	}
	ratedSQL := func(group string) map[string]ratedWant {
		out := map[string]ratedWant{}
		e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT `+group+`, r.handling, count(*) FROM case_ratings r JOIN cases c ON c.id = r.case_id
				LEFT JOIN categories k ON k.id = c.category_id GROUP BY 1, 2`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var key string
				var score, n int
				if err := rows.Scan(&key, &score, &n); err != nil {
					return err
				}
				w := out[key]
				w.dist[score-1] += n
				w.avg = (w.avg*float64(w.n) + float64(score*n)) / float64(w.n+n)
				w.n += n
				out[key] = w
			}
			return rows.Err()
		})
		return out
	}
	checkRated := func(who, key string, wants map[string]ratedWant, rows []any) {
		if len(rows) != len(wants) {
			t.Errorf("%s %s: %d rows, want %d", who, key, len(rows), len(wants))
		}
		for _, r := range rows {
			m := r.(map[string]any)
			w, ok := wants[m["key"].(string)]
			if !ok {
				t.Errorf("%s %s: unexpected row %v", who, key, m)
				continue
			}
			var dist [5]int
			for i, n := range m["dist"].([]any) {
				dist[i] = int(n.(float64))
			}
			if m["n"] != float64(w.n) || dist != w.dist || math.Abs(m["avg"].(float64)-w.avg) > 1e-9 || m["suppressed"] == true {
				t.Errorf("%s %s %v: %v, want %+v", who, key, m["key"], m, w)
			}
		}
	}
	checkRated("admin", "satisfaction_by_category", ratedSQL("coalesce(k.slug, '')"), d["satisfaction_by_category"].([]any))
	checkRated("admin", "satisfaction_by_officer", ratedSQL("coalesce(c.assigned_to::text, '')"), d["satisfaction_by_officer"].([]any))
	// Check-in answers and AI acceptance.
	for _, c := range d["checkins"].([]any) {
		m := c.(map[string]any)
		n := m["n"]
		for field, cond := range map[string]string{"asked": "asked_at IS NOT NULL", "answered": "answered_at IS NOT NULL",
			"remedy_held": "remedy_held", "remedy_failed": "NOT remedy_held", "retaliation": "retaliation", "no_retaliation": "NOT retaliation"} {
			if want := sqlInt("SELECT count(*) FROM case_checkins WHERE n = ? AND "+cond, n); m[field] != float64(want) {
				t.Errorf("check-in %v %s: %v, want %d", n, field, m[field], want)
			}
		}
	}
	if len(d["checkins"].([]any)) != 2 {
		t.Errorf("check-ins: %v", d["checkins"])
	}
	ai := d["ai_acceptance"].(map[string]any)
	if ai["num"] != float64(sqlInt("SELECT count(*) FROM case_suggestions WHERE status = 'accepted'")) ||
		ai["den"] != float64(sqlInt("SELECT count(*) FROM case_suggestions WHERE status IN ('accepted', 'corrected')")) ||
		d["ai_pending"] != float64(sqlInt("SELECT count(*) FROM case_suggestions WHERE status = 'pending'")) || ai["den"] == float64(0) {
		t.Errorf("ai acceptance: %v pending %v", ai, d["ai_pending"])
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
	mustContain(t, page, "<svg", `role="img"`, `data-key="kekerasan">&lt;5<`, "Kepuasan menurut kategori", "Kepuasan menurut petugas", "30 hari")
	// The restricted category's rating row is suppressed too (1 < 5).
	for _, r := range bd["satisfaction_by_category"].([]any) {
		if m := r.(map[string]any); m["key"] == "kekerasan" && (m["suppressed"] != true || m["n"] != float64(0) || m["avg"] != nil) {
			t.Errorf("restricted rating row for the branch admin: %v", m)
		}
	}
	_, page = e.page(spnHost, "/admin/dashboard?lang=en", admin)
	mustContain(t, page, "Satisfaction by category", "Satisfaction by officer", "Check-ins after closure", "90 days", "AI suggestions accepted unchanged")

	// The figures are a snapshot: a new rating shows once it is refreshed
	// (a view of a snapshot older than a minute refreshes it in the
	// background), and then equals plain SQL again.
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO case_ratings (tenant_id, case_id, handling, outcome) VALUES (current_setting('app.tenant_id')::uuid, ?, 1, 1)", ids[2])
		return err
	})
	ratings := func(d map[string]any) (n int) {
		for _, x := range d["satisfaction_dist"].([]any) {
			n += int(x.(float64))
		}
		return n
	}
	if _, d2 := e.getJSON(spnHost, "/api/v1/admin/dashboard", admin); ratings(d2) != ratings(d) || d2["as_of"] != d["as_of"] {
		t.Errorf("a fresh snapshot was recomputed: %v ratings, as of %v", ratings(d2), d2["as_of"])
	}
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE dashboard_snapshots SET built_at = built_at - interval '2 minutes'")
		return err
	})
	e.getJSON(spnHost, "/api/v1/admin/dashboard", admin) // served stale, refreshes
	wantRatings := sqlInt("SELECT count(*) FROM case_ratings")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		_, d2 := e.getJSON(spnHost, "/api/v1/admin/dashboard", admin)
		if ratings(d2) == wantRatings {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("snapshot not refreshed: %d ratings, want %d", ratings(d2), wantRatings)
		}
	}

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
