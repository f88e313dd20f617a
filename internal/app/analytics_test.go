package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

// addRolledCases files n anonymous wage cases in tenant slug (as the
// superuser, past the app) and runs the rollup, so that the tenant's facts
// and cubes hold them.
func addRolledCases(t *testing.T, d *pgtest.DB, slug string, n int) {
	t.Helper()
	ctx := context.Background()
	_, err := d.Super.ExecContext(ctx, `
INSERT INTO cases (tenant_id, id, reference, type, title, description, sector, workplace_id, branch_id, category_id,
                   status, safety_mode, receipt_hash, created_at, updated_at, resolution_due)
SELECT t.id, gen_random_uuid(), 'T-' || replace(gen_random_uuid()::text, '-', ''), 'complaint', 'title', 'description',
       w.sector, w.id, b.id, c.id, 'submitted', 'anonymous', decode(md5(random()::text || g::text), 'hex'),
       now() - interval '2 days', now() - interval '2 days', now() + interval '28 days'
FROM generate_series(1, ?) g
JOIN tenants t ON t.slug = ?
CROSS JOIN LATERAL (SELECT id, sector FROM workplaces WHERE tenant_id = t.id ORDER BY slug LIMIT 1) w
CROSS JOIN LATERAL (SELECT id FROM branches WHERE tenant_id = t.id AND level = 'national') b
CROSS JOIN LATERAL (SELECT id FROM categories WHERE tenant_id = t.id AND slug = 'upah') c`, n, slug)
	if err != nil {
		t.Fatalf("add cases: %v", err)
	}
	if _, err := analytics.New(d.App, analytics.Options{K: 1}).Rollup(ctx); err != nil {
		t.Fatalf("rollup: %v", err)
	}
}

// platformCases is the platform cube's total of cases.
func platformCases(t *testing.T, d *pgtest.DB) int {
	t.Helper()
	var n int
	if err := d.Super.QueryRowContext(context.Background(),
		"SELECT coalesce(sum(cases), 0) FROM analytics_platform_cells WHERE grain = 0").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAnalyticsRebuildCommand(t *testing.T) {
	ctx := context.Background()
	d := pgtest.New(t)
	tenanttest.Seed(t, d)
	addRolledCases(t, d, "spn", 7)
	addRolledCases(t, d, "garteks", 5)
	if got := platformCases(t, d); got != 12 {
		t.Fatalf("platform cube after the rollup: %d cases, want 12", got)
	}
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database.URL = d.AppURL
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := app.AnalyticsCommand(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), args, &out)
		return out.String(), err
	}

	// A cube that lost its cells (a restore of part of the database, a bug)
	// is recomputed from the facts.
	if _, err := d.Super.ExecContext(ctx, "DELETE FROM analytics_cells; DELETE FROM analytics_platform_cells"); err != nil {
		t.Fatal(err)
	}
	if out, err := run("rebuild"); err != nil || !strings.Contains(out, "rebuilt every tenant") {
		t.Fatalf("rebuild: %q, %v", out, err)
	}
	if got := platformCases(t, d); got != 12 {
		t.Errorf("platform cube after rebuild: %d cases, want 12", got)
	}
	var spn int
	if err := d.Super.QueryRowContext(ctx, `SELECT coalesce(sum(c.cases), 0) FROM analytics_cells c JOIN tenants t ON t.id = c.tenant_id
		WHERE t.slug = 'spn' AND c.grain = 0`).Scan(&spn); err != nil || spn != 7 {
		t.Errorf("spn's cube after rebuild: %d cases (%v), want 7", spn, err)
	}

	// One tenant: its cube is rebuilt and the platform cube moves by the
	// difference, so the other tenant's share stays.
	if _, err := d.Super.ExecContext(ctx, "DELETE FROM case_facts WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'garteks')"); err != nil {
		t.Fatal(err)
	}
	if out, err := run("rebuild", "garteks"); err != nil || !strings.Contains(out, "garteks") {
		t.Fatalf("rebuild garteks: %q, %v", out, err)
	}
	if got := platformCases(t, d); got != 7 {
		t.Errorf("platform cube after rebuilding garteks without facts: %d cases, want 7", got)
	}

	if _, err := run("rebuild", "nobody"); err == nil {
		t.Error("rebuilt a tenant that does not exist")
	}
	for _, bad := range [][]string{nil, {"rebiuld"}, {"rebuild", "spn", "extra"}} {
		if _, err := run(bad...); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("args %q: %v, want the usage", bad, err)
		}
	}
}
