package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

// dashboardBudget is issue 7 acceptance 3's bound for one dashboard page.
const dashboardBudget = 300 * time.Millisecond

// dashboardSeedSQL fills the spn tenant (app.tenant_id set, as the owner)
// with ?0 cases spread over every branch, category, workplace and two
// years; a third resolved (some late), some rated, assigned to staff in
// turn; one in ten with a staff reply (the first response), one in fifty
// reopened, check-ins on some closed cases and AI suggestions on a quarter.
// Events go through the case_events trigger that keeps case_milestones, as
// in production; the case_terms trigger is off for the insert and its rows
// written in one statement after.
var dashboardSeedSQL = []string{
	`ALTER TABLE cases DISABLE TRIGGER cases_terms_sync`,
	`WITH b AS (SELECT array_agg(id ORDER BY path) a FROM branches),
	     k AS (SELECT array_agg(id ORDER BY slug) a FROM categories),
	     w AS (SELECT array_agg(id ORDER BY slug) a FROM workplaces WHERE merged_into IS NULL),
	     s AS (SELECT array_agg(id ORDER BY id) a FROM users WHERE kind = 'staff'),
	     g AS (SELECT i, now() - (i % 730) * interval '1 day' - (i % 24) * interval '1 hour' AS at FROM generate_series(1, ?0) i)
	INSERT INTO cases (tenant_id, id, reference, type, title, description, branch_id, category_id, workplace_id,
		status, safety_mode, receipt_hash, assigned_to, created_at, updated_at, resolution_due, resolved_at)
	SELECT current_setting('app.tenant_id')::uuid, gen_random_uuid(), 'BENCH-' || i, 'complaint', 'Kasus ' || i, 'Uraian kasus nomor ' || i,
		b.a[1 + i % array_length(b.a, 1)], k.a[1 + i % array_length(k.a, 1)], w.a[1 + i % array_length(w.a, 1)],
		(ARRAY['submitted','verified','in_progress','needs_info','resolved','closed','rejected','reopened'])[1 + i % 8],
		'anonymous', sha256(int8send(i)), CASE WHEN i % 3 > 0 THEN s.a[1 + i % array_length(s.a, 1)] END,
		at, at, at + interval '30 days',
		CASE WHEN i % 8 IN (4, 5, 7) THEN at + (i % 45) * interval '1 day' END
	FROM g, b, k, w, s`,
	`INSERT INTO case_terms (tenant_id, term, case_id, created_at)
	SELECT c.tenant_id, t.lexeme, c.id, c.created_at FROM cases c, unnest(to_tsvector('indonesian', c.title || ' ' || c.description)) AS t
	WHERE c.reference LIKE 'BENCH-%'`,
	`ALTER TABLE cases ENABLE TRIGGER cases_terms_sync`,
	`INSERT INTO case_ratings (tenant_id, case_id, handling, outcome)
	SELECT tenant_id, id, 1 + abs(hashtext(id::text)) % 5, 3 FROM cases
	WHERE resolved_at IS NOT NULL AND reference LIKE 'BENCH-%' AND abs(hashtext(reference)) % 3 = 0`,
	`INSERT INTO case_events (tenant_id, case_id, seq, kind, actor_id, visibility, payload, prev_hash, hash, created_at)
	SELECT c.tenant_id, c.id, 2, 'message', u.id::text, 'reporter', '{}', '\x00', '\x00', c.created_at + (abs(hashtext(c.reference)) % 100) * interval '1 hour'
	FROM cases c, (SELECT id FROM users WHERE kind = 'staff' ORDER BY id LIMIT 1) u
	WHERE c.reference LIKE 'BENCH-%' AND abs(hashtext(c.reference)) % 10 = 0`,
	`INSERT INTO case_events (tenant_id, case_id, seq, kind, actor_id, visibility, payload, prev_hash, hash, created_at)
	SELECT c.tenant_id, c.id, 3, 'status_changed', '', 'reporter', '{"by":"reporter","to":"reopened"}', '\x00', '\x00', c.created_at + interval '50 days'
	FROM cases c WHERE c.reference LIKE 'BENCH-%' AND c.resolved_at IS NOT NULL AND abs(hashtext(c.reference)) % 50 = 1`,
	`INSERT INTO case_checkins (tenant_id, case_id, n, due_at, asked_at, answered_at, remedy_held, retaliation)
	SELECT c.tenant_id, c.id, r.n, c.created_at + r.n * interval '40 days', c.created_at + r.n * interval '40 days',
		CASE WHEN abs(hashtext(c.reference)) % 3 > 0 THEN c.created_at + r.n * interval '41 days' END,
		CASE WHEN abs(hashtext(c.reference)) % 3 > 0 THEN abs(hashtext(c.reference)) % 4 > 0 END,
		CASE WHEN abs(hashtext(c.reference)) % 3 > 0 THEN abs(hashtext(c.reference)) % 9 = 0 END
	FROM cases c, (VALUES (1), (2)) r(n)
	WHERE c.reference LIKE 'BENCH-%' AND c.status = 'closed' AND abs(hashtext(c.reference)) % 5 = 0`,
	`INSERT INTO case_suggestions (tenant_id, case_id, model, version, category_slug, confidence, urgency, type, status)
	SELECT c.tenant_id, c.id, 'builtin', 'bench', 'upah', 0.8, 'normal', 'complaint',
		(ARRAY['pending','accepted','accepted','corrected'])[1 + abs(hashtext(c.reference)) % 4]
	FROM cases c WHERE c.reference LIKE 'BENCH-%' AND abs(hashtext(c.reference)) % 4 = 0`,
}

// BenchmarkDashboard renders the federation admin's dashboard page (the
// whole tenant) and the branch admin's (spn/jabar) over 200,000 cases, each
// reporting ns/op and its 95th percentile (p95_ms). Not part of `make test`:
//
//	go test -run '^$' -bench BenchmarkDashboard -benchtime 50x ./internal/web/
//
// The fill is kept in a template database (pgtest.Seeded): a rerun clones
// it instead of refilling.
func BenchmarkDashboard(b *testing.B) {
	const n = 200_000
	ctx := context.Background()
	cfg, err := config.Load("")
	if err != nil {
		b.Fatal(err)
	}
	cfg.Paths.Data = b.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	version := fmt.Sprintf("v1 %d %s", n, strings.Join(dashboardSeedSQL, ";"))
	tdb := pgtest.Seeded(b, "dashboard", version, func(ctx context.Context, d *pgtest.DB) error {
		if err := tenanttest.ApplySeed(ctx, d); err != nil {
			return err
		}
		seedCfg := *cfg
		seedCfg.Database.URL = d.AppURL
		if err := app.SeedDemo(ctx, &seedCfg, log, io.Discard); err != nil {
			return err
		}
		start := time.Now()
		err := d.Owner.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "SELECT set_config('app.tenant_id', (SELECT id::text FROM tenants WHERE slug = 'spn'), true)"); err != nil {
				return err
			}
			for _, q := range dashboardSeedSQL {
				if _, err := tx.ExecContext(ctx, q, n); err != nil {
					return fmt.Errorf("%.60s: %w", q, err)
				}
			}
			return nil
		})
		b.Logf("seeded %d cases in %s", n, time.Since(start).Round(time.Second))
		return err
	})
	pf, err := app.NewServer(ctx, cfg, log, tdb.App)
	if err != nil {
		b.Fatal(err)
	}
	srv := pf.Server
	login := func(email string) string {
		req := httptest.NewRequest(http.MethodPost, "http://"+spnHost+"/api/v1/auth/login",
			strings.NewReader(`{"email":"`+email+`","password":"`+demoPW+`"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.App().Test(req, -1)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Token string `json:"token"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if out.Token == "" {
			b.Fatalf("login %s: %d", email, resp.StatusCode)
		}
		return out.Token
	}
	for _, v := range []struct{ name, email string }{
		{"federation_admin", "admin@spn.example"},
		{"branch_admin", "branch@spn.example"},
	} {
		tok := login(v.email)
		get := func() {
			req := httptest.NewRequest(http.MethodGet, "http://"+spnHost+"/admin/dashboard", nil)
			req.Header.Set("Cookie", "suara_session="+tok+"; suara_csrf="+csrfTok)
			resp, err := srv.App().Test(req, -1)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("dashboard: %d", resp.StatusCode)
			}
		}
		// The first view computes the sub-tree's snapshot (the cold cost,
		// paid again in the background once a minute while viewed).
		t0 := time.Now()
		get()
		b.Logf("%s: first view (computes the snapshot) %v", v.name, time.Since(t0).Round(time.Millisecond))
		b.Run(v.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				get()
				lat = append(lat, time.Since(t0))
			}
			slices.Sort(lat)
			p95 := lat[(len(lat)*95+99)/100-1]
			b.ReportMetric(float64(p95.Microseconds())/1000, "p95_ms")
			// Also logged: a failed benchmark prints no result line.
			b.Logf("%s: n=%d mean=%v p95=%v", v.name, len(lat), (b.Elapsed() / time.Duration(len(lat))).Round(time.Microsecond), p95.Round(time.Microsecond))
			if len(lat) >= 20 && p95 > dashboardBudget {
				b.Errorf("p95 %v over the %v budget", p95, dashboardBudget)
			}
		})
	}
}
