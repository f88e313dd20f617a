package db_test

import (
	"context"
	"testing"

	"github.com/suara-id/suara/internal/db/pgtest"
)

// The app role must not be able to step around row-level security.
func TestAppRoleIsUnprivileged(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	var user string
	var super, bypass bool
	if err := tdb.App.QueryRowContext(ctx,
		"SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").Scan(&user, &super, &bypass); err != nil {
		t.Fatal(err)
	}
	if user != "suara_app" || super || bypass {
		t.Fatalf("app connection is %s (superuser=%t, bypassrls=%t)", user, super, bypass)
	}
	var owned int
	if err := tdb.App.QueryRowContext(ctx, `SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
		WHERE r.rolname = 'suara_app' AND c.relkind IN ('r', 'v', 'm', 'p', 'S')`).Scan(&owned); err != nil {
		t.Fatal(err)
	}
	if owned != 0 {
		t.Fatalf("app role owns %d relations", owned)
	}
}

// Every table with a tenant_id column is a tenant table: RLS enabled and
// forced, with a policy, and tenant_id leading its primary key.
func TestEveryTenantTableIsIsolated(t *testing.T) {
	tdb := pgtest.New(t)
	rows, err := tdb.Owner.QueryContext(context.Background(), `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
		       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid),
		       coalesce((SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		                 WHERE i.indrelid = c.oid AND i.indisprimary), '')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r'
		  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	seen := map[string]bool{}
	for rows.Next() {
		var name, pkLead string
		var enabled, forced bool
		var policies int
		if err := rows.Scan(&name, &enabled, &forced, &policies, &pkLead); err != nil {
			t.Fatal(err)
		}
		n++
		seen[name] = true
		if !enabled || !forced || policies == 0 {
			t.Errorf("table %s: rls enabled=%t forced=%t policies=%d", name, enabled, forced, policies)
		}
		if pkLead != "tenant_id" {
			t.Errorf("table %s: primary key leads with %q, want tenant_id", name, pkLead)
		}
	}
	if n < 3 {
		t.Fatalf("found only %d tenant tables", n)
	}
	// The walk sees the tables that matter most, and the newest ones.
	for _, table := range []string{"cases", "categories", "brands", "tags"} {
		if !seen[table] {
			t.Errorf("table %s not checked as a tenant table", table)
		}
	}
}
