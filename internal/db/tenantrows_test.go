package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/db/pgtest"
)

// TenantRows: every statement of the round trip sees the tenant scope and
// what the statements before it set; one that finds no row says so and
// the next still runs; a failing one ends the batch with its error, and
// nothing it began outlives it.
func TestTenantRows(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	tenantID := uuid.New()

	var scope1, scope2, mark string
	var none int
	first := &db.Row{Query: "SELECT current_setting('app.tenant_id'), set_config('suara.test_mark', 'on', true)", Dest: []any{&scope1, new(string)}}
	empty := &db.Row{Query: "SELECT 1 WHERE $1::text = 'never'", Args: []any{"x"}, Dest: []any{&none}}
	last := &db.Row{Query: "SELECT current_setting('app.tenant_id'), current_setting('suara.test_mark', true)", Dest: []any{&scope2, &mark}}
	if err := db.TenantRows(ctx, tdb.App, tenantID, first, empty, last); err != nil {
		t.Fatal(err)
	}
	if first.Err != nil || last.Err != nil || !errors.Is(empty.Err, sql.ErrNoRows) {
		t.Fatalf("row errors: %v, %v, %v", first.Err, empty.Err, last.Err)
	}
	if scope1 != tenantID.String() || scope2 != tenantID.String() || mark != "on" {
		t.Fatalf("scope %q/%q, mark %q", scope1, scope2, mark)
	}

	failing := &db.Row{Query: "SELECT 1 / $1::int", Args: []any{0}, Dest: []any{&none}}
	after := &db.Row{Query: "SELECT 1", Dest: []any{&none}}
	if err := db.TenantRows(ctx, tdb.App, tenantID, failing, after); err == nil || failing.Err == nil {
		t.Fatalf("a failing statement: err %v, row %v", err, failing.Err)
	}
	// The scope and the mark ended with the round trip: a pooled
	// connection carries neither into the next request.
	for range 3 {
		var scope, m string
		if err := tdb.App.DB.QueryRowContext(ctx, "SELECT current_setting('app.tenant_id', true), coalesce(current_setting('suara.test_mark', true), '')").Scan(&scope, &m); err != nil {
			t.Fatal(err)
		}
		if scope != "" || m != "" {
			t.Fatalf("after the round trip: scope %q, mark %q", scope, m)
		}
	}
	if err := db.TenantRows(ctx, tdb.App, uuid.Nil, after); err == nil {
		t.Fatal("no tenant: want an error")
	}
}
