package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
)

// BenchmarkDashboard renders the federation admin's dashboard page (the
// whole tenant) over 200,000 cases. Not part of `make test`:
//
//	go test -run '^$' -bench BenchmarkDashboard -benchtime 20x ./internal/web/
func BenchmarkDashboard(b *testing.B) {
	const n = 200_000
	srv, appDB := newBenchServer(b)
	ctx := context.Background()
	var tenantID string
	if err := appDB.QueryRowContext(ctx, "SELECT id::text FROM tenants WHERE slug = 'spn'").Scan(&tenantID); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	err := db.InTenantTx(ctx, appDB, uuid.MustParse(tenantID), func(ctx context.Context, tx bun.Tx) error {
		// Cases spread over every branch, category, workplace and two
		// years; a third resolved (some late), some rated, one in ten with
		// a staff reply event.
		if _, err := tx.ExecContext(ctx, `
			WITH b AS (SELECT array_agg(id ORDER BY path) a FROM branches),
			     k AS (SELECT array_agg(id ORDER BY slug) a FROM categories),
			     w AS (SELECT array_agg(id ORDER BY slug) a FROM workplaces WHERE merged_into IS NULL),
			     g AS (SELECT i, now() - (i % 730) * interval '1 day' - (i % 24) * interval '1 hour' AS at FROM generate_series(1, ?) i)
			INSERT INTO cases (tenant_id, id, reference, type, title, description, branch_id, category_id, workplace_id,
				status, safety_mode, receipt_hash, created_at, updated_at, resolution_due, resolved_at)
			SELECT current_setting('app.tenant_id')::uuid, gen_random_uuid(), 'BENCH-' || i, 'complaint', 'Kasus ' || i, 'Uraian kasus nomor ' || i,
				b.a[1 + i % array_length(b.a, 1)], k.a[1 + i % array_length(k.a, 1)], w.a[1 + i % array_length(w.a, 1)],
				(ARRAY['submitted','verified','in_progress','needs_info','resolved','closed','rejected','reopened'])[1 + i % 8],
				'anonymous', sha256(int8send(i)), at, at, at + interval '30 days',
				CASE WHEN i % 8 IN (4, 5, 7) THEN at + (i % 45) * interval '1 day' END
			FROM g, b, k, w`, n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_ratings (tenant_id, case_id, handling, outcome)
			SELECT tenant_id, id, 1 + abs(hashtext(id::text)) % 5, 3 FROM cases WHERE resolved_at IS NOT NULL AND reference LIKE 'BENCH-%' AND abs(hashtext(reference)) % 3 = 0`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO case_events (tenant_id, case_id, seq, kind, actor_id, visibility, payload, prev_hash, hash, created_at)
			SELECT c.tenant_id, c.id, 2, 'message', u.id::text, 'reporter', '{}', '\x00', '\x00', c.created_at + interval '5 hours'
			FROM cases c, (SELECT id FROM users WHERE kind = 'staff' LIMIT 1) u
			WHERE c.reference LIKE 'BENCH-%' AND abs(hashtext(c.reference)) % 10 = 0`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := appDB.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Logf("analyze: %v", err)
	}
	b.Logf("seeded %d cases in %s", n, time.Since(start).Round(time.Second))
	req := httptest.NewRequest(http.MethodPost, "http://"+spnHost+"/api/v1/auth/login",
		strings.NewReader(`{"email":"admin@spn.example","password":"`+demoPW+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.App().Test(req, -1)
	if err != nil {
		b.Fatal(err)
	}
	var out struct {
		Token string `json:"token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, "http://"+spnHost+"/admin/dashboard", nil)
		req.Header.Set("Cookie", "suara_session="+out.Token+"; suara_csrf="+csrfTok)
		resp, err := srv.App().Test(req, -1)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("dashboard: %d", resp.StatusCode)
		}
	}
}
