package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenantmove"
)

// TenantsExport writes every row and evidence file of tenant slug to out
// (suara tenants export <slug> > file). It reads as the owner role, whose
// grants cover every table; row-level security still scopes it to the
// tenant. The summary goes to msg.
func TenantsExport(ctx context.Context, cfg *config.Config, slug string, out, msg io.Writer) error {
	owner, err := db.Open(ctx, cfg.Database.OwnerURL, db.Options{MaxOpenConns: 2})
	if err != nil {
		return fmt.Errorf("owner connection: %w", err)
	}
	defer owner.Close()
	sum, err := tenantmove.Export(ctx, owner, evidenceStore(cfg), slug, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(msg, "exported %s: %d rows, %d evidence files\n", slug, sum.Total(), sum.Files)
	return nil
}

// TenantsImport loads a file written by TenantsExport (suara tenants
// import file) into this installation, where the tenant must not exist.
func TenantsImport(ctx context.Context, cfg *config.Config, file string, msg io.Writer) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	owner, err := db.Open(ctx, cfg.Database.OwnerURL, db.Options{MaxOpenConns: 2})
	if err != nil {
		return fmt.Errorf("owner connection: %w", err)
	}
	defer owner.Close()
	h, sum, err := tenantmove.Import(ctx, owner, evidenceStore(cfg), f)
	if err != nil {
		return err
	}
	fmt.Fprintf(msg, "imported %s (%s): %d rows, %d evidence files\n", h.Slug, h.TenantID, sum.Total(), sum.Files)
	names := make([]string, 0, len(sum.Rows))
	for n := range sum.Rows {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if sum.Rows[n] > 0 {
			fmt.Fprintf(msg, "  %-22s %d\n", n, sum.Rows[n])
		}
	}
	// The platform cube holds no tenant's rows, so the import did not
	// carry the tenant's share of it: recompute it from every tenant's
	// cube, the imported one's included.
	if err := analytics.New(owner, analytics.Options{}).RebuildPlatform(ctx); err != nil {
		return fmt.Errorf("imported, but the platform analytics are not updated (run suara analytics rebuild): %w", err)
	}
	fmt.Fprintln(msg, "restart running suara processes so they load the new tenant")
	return nil
}
