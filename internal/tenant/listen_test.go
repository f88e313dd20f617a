package tenant_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

// TestListenAcrossReplicas: two resolvers (two replicas) listen; a union
// renamed through the database is served under its new name by both within
// a second, not at the next 30-second refresh; a new union appears too.
func TestListenAcrossReplicas(t *testing.T) {
	d := pgtest.New(t)
	tenanttest.Seed(t, d)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var rs []*tenant.Resolver
	for i := 0; i < 2; i++ {
		r := tenant.NewResolver("localhost", d.App)
		go r.Listen(ctx, d.AppURL, log)
		rs = append(rs, r)
	}
	waitFor := func(what string, ok func(*tenant.Resolver) bool) time.Duration {
		t.Helper()
		start := time.Now()
		for _, r := range rs {
			for !ok(r) {
				if time.Since(start) > 5*time.Second {
					t.Fatalf("%s: not seen after %s", what, time.Since(start))
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		return time.Since(start)
	}
	// Both listeners load the tenants when they connect.
	waitFor("initial load", func(r *tenant.Resolver) bool { return r.BySlug("spn") != nil })

	start := time.Now()
	if _, err := d.Owner.ExecContext(ctx, "UPDATE tenants SET app_name = 'SoPaN Baru' WHERE slug = 'spn'"); err != nil {
		t.Fatal(err)
	}
	waitFor("rename", func(r *tenant.Resolver) bool {
		_, tt := r.Resolve("spn.localhost:8080")
		return tt != nil && tt.AppName == "SoPaN Baru"
	})
	if d := time.Since(start); d > time.Second {
		t.Errorf("rename seen by both replicas after %s, want within a second", d)
	} else {
		t.Logf("rename seen by both replicas after %s", d.Round(time.Millisecond))
	}
	if _, err := d.Owner.ExecContext(ctx, "UPDATE tenants SET domains = array_append(domains, 'lapor.spn.example') WHERE slug = 'spn'"); err != nil {
		t.Fatal(err)
	}
	waitFor("new domain", func(r *tenant.Resolver) bool {
		target, _ := r.Resolve("lapor.spn.example")
		return target == tenant.TenantHost
	})
}
