// Package tenanttest provisions the bundled seed unions (tenants/) in test
// databases, as `suara tenants apply` does in a deployment.
package tenanttest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/uptrace/bun"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant"
)

// ApplySeed applies every bundled manifest to d as the app role.
func ApplySeed(ctx context.Context, d *pgtest.DB) error {
	return ApplyTo(ctx, d.App, nil)
}

// ApplyTo applies the bundled manifests whose slug keep accepts (every one
// when keep is nil) to bdb, which should be connected as the app role.
func ApplyTo(ctx context.Context, bdb *bun.DB, keep func(slug string) bool) error {
	b, err := tenant.LoadBundle(suara.TenantsFS, "tenants")
	if err != nil {
		return fmt.Errorf("load the bundled manifests: %w", err)
	}
	for i := range b.Manifests {
		if keep != nil && !keep(b.Manifests[i].Slug) {
			continue
		}
		if _, err := tenant.Apply(ctx, bdb, b, &b.Manifests[i]); err != nil {
			return fmt.Errorf("apply %s: %w", b.Manifests[i].Slug, err)
		}
	}
	return nil
}

// Seed is ApplySeed for a test or benchmark: an error fails tb.
func Seed(tb testing.TB, d *pgtest.DB) {
	tb.Helper()
	if err := ApplySeed(context.Background(), d); err != nil {
		tb.Fatal(err)
	}
}

// SeedOnly is Seed for the unions named by slugs alone.
func SeedOnly(tb testing.TB, d *pgtest.DB, slugs ...string) {
	tb.Helper()
	if err := ApplyTo(context.Background(), d.App, func(s string) bool { return slices.Contains(slugs, s) }); err != nil {
		tb.Fatal(err)
	}
}

// SeedExcept is Seed for every union but those named by slugs.
func SeedExcept(tb testing.TB, d *pgtest.DB, slugs ...string) {
	tb.Helper()
	if err := ApplyTo(context.Background(), d.App, func(s string) bool { return !slices.Contains(slugs, s) }); err != nil {
		tb.Fatal(err)
	}
}
