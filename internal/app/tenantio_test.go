package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

// The CLI path: suara tenants export garteks > file, then suara tenants
// import file into an empty installation.
func TestTenantsExportImportCommands(t *testing.T) {
	ctx := context.Background()
	src, dst := pgtest.New(t), pgtest.New(t)
	tenanttest.Seed(t, src)
	// Cases rolled up at the source: the import must bring the tenant into
	// the destination's platform cube, which holds no tenant's rows.
	addRolledCases(t, src, "garteks", 6)
	addRolledCases(t, src, "spn", 4)
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database.OwnerURL = src.OwnerURL
	cfg.Paths.Data = t.TempDir()
	file := filepath.Join(t.TempDir(), "garteks.jsonl")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	var msg bytes.Buffer
	if err := app.TenantsExport(ctx, cfg, "garteks", f, &msg); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if !strings.Contains(msg.String(), "exported garteks") {
		t.Errorf("export message %q", msg.String())
	}
	if err := app.TenantsExport(ctx, cfg, "nobody", &bytes.Buffer{}, &msg); err == nil {
		t.Error("exported a tenant that does not exist")
	}

	cfg.Database.OwnerURL = dst.OwnerURL
	cfg.Paths.Data = t.TempDir()
	msg.Reset()
	if err := app.TenantsImport(ctx, cfg, file, &msg); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.String(), "imported garteks") || !strings.Contains(msg.String(), "categories") {
		t.Errorf("import message %q", msg.String())
	}
	var n int
	if err := dst.Super.QueryRowContext(ctx, "SELECT count(*) FROM tenants").Scan(&n); err != nil || n != 1 {
		t.Errorf("tenants after import: %d %v", n, err)
	}
	var srcCats, dstCats int
	_ = src.Super.QueryRowContext(ctx, "SELECT count(*) FROM categories c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'garteks'").Scan(&srcCats)
	_ = dst.Super.QueryRowContext(ctx, "SELECT count(*) FROM categories").Scan(&dstCats)
	if srcCats == 0 || srcCats != dstCats {
		t.Errorf("categories: %d at the source, %d imported", srcCats, dstCats)
	}
	if got := platformCases(t, dst); got != 6 {
		t.Errorf("platform cube after import: %d cases, want garteks' 6", got)
	}
	if err := app.TenantsImport(ctx, cfg, file, &msg); err == nil {
		t.Error("imported the same tenant twice")
	}
}
