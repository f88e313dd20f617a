// Package tenanttest provisions the bundled seed unions (tenants/) in test
// databases, as `suara tenants apply` does in a deployment.
package tenanttest

import (
	"context"
	"fmt"
	"testing"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant"
)

// ApplySeed applies every bundled manifest to d as the app role.
func ApplySeed(ctx context.Context, d *pgtest.DB) error {
	b, err := tenant.LoadBundle(suara.TenantsFS, "tenants")
	if err != nil {
		return fmt.Errorf("load the bundled manifests: %w", err)
	}
	for i := range b.Manifests {
		if _, err := tenant.Apply(ctx, d.App, b, &b.Manifests[i]); err != nil {
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
