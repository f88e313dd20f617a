package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/privacy"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

// `suara privacy` as an admin runs it: set retention, hold a case, run the
// sweep (the held case is skipped, the other anonymised), release, run
// again. The clock is the real one, so cases are closed relative to now;
// the service's fixed-clock tests are in internal/privacy and internal/jobs.
func TestPrivacyCommand(t *testing.T) {
	ctx := context.Background()
	tdb := pgtest.New(t)
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database.URL = tdb.AppURL
	cfg.Paths.Data = t.TempDir()
	cfg.Security.Password = config.Password{MemoryKiB: 64, Iterations: 1, Parallelism: 1}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tenanttest.Seed(t, tdb)
	if err := app.SeedDemo(ctx, cfg, log, io.Discard); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := app.DataCommand(ctx, cfg, log, append([]string{"privacy"}, args...), &out)
		return out.String(), err
	}
	var held, free string
	rows, err := tdb.Super.QueryContext(ctx, `SELECT c.reference FROM cases c JOIN tenants t ON t.id = c.tenant_id
		WHERE t.slug = 'spn' ORDER BY c.reference LIMIT 2`)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*string{&held, &free} {
		if !rows.Next() {
			t.Fatal("the demo has fewer than two SPN cases")
		}
		if err := rows.Scan(p); err != nil {
			t.Fatal(err)
		}
	}
	rows.Close()
	old := time.Now().AddDate(0, -25, 0)
	if _, err := tdb.Super.ExecContext(ctx, "UPDATE cases SET status = 'closed', closed_at = ?, updated_at = ? WHERE reference IN (?, ?)",
		old, old, held, free); err != nil {
		t.Fatal(err)
	}
	redacted := func(ref string) bool {
		var n int
		if err := tdb.Super.QueryRowContext(ctx, "SELECT count(*) FROM cases WHERE reference = ? AND description = ? AND safety_mode = 'anonymous'",
			ref, privacy.Redacted).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}

	if _, err := run("hold", "-tenant", "spn", "-case", held); err == nil {
		t.Error("a hold without a reason was accepted")
	}
	if _, err := run("hold", "-tenant", "nosuch", "-case", held, "-reason", "x"); err == nil {
		t.Error("an unknown tenant was accepted")
	}
	if out, err := run("hold", "-tenant", "spn", "-case", held, "-reason", "Gugatan PHI no. 12/2027"); err != nil || !strings.Contains(out, "legal hold on") {
		t.Fatalf("hold: %q %v", out, err)
	}
	if out, err := run("retention", "-tenant", "spn", "-anonymise-months", "24", "-evidence-months", "12"); err != nil ||
		!strings.Contains(out, "after 24 months") || !strings.Contains(out, "after 12 months") {
		t.Fatalf("retention: %q %v", out, err)
	}
	out, err := run("run")
	if err != nil || !strings.Contains(out, "skipped for legal hold: 1") {
		t.Fatalf("run: %q %v", out, err)
	}
	if !redacted(free) || redacted(held) {
		t.Fatalf("after the run: %s redacted %v (want true), held %s redacted %v (want false)", free, redacted(free), held, redacted(held))
	}
	if out, err := run("release", "-tenant", "spn", "-case", held); err != nil || !strings.Contains(out, "lifted") {
		t.Fatalf("release: %q %v", out, err)
	}
	if out, err := run("run"); err != nil || !redacted(held) {
		t.Fatalf("run after release: %q %v, held case redacted %v", out, err, redacted(held))
	}
}
