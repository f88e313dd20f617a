package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/db/pgtest"
)

// InTenantTx sends BEGIN and the tenant scope with the transaction's first
// statement. Whatever that statement is (an Exec with or without
// parameters, a query) the transaction is scoped and atomic; a failure
// rolls back everything it did; a transaction that ran nothing commits;
// and the pooled connection is idle afterwards in every case.
func TestLazyTenantTx(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	tenantID := uuid.New()
	if _, err := tdb.Owner.ExecContext(ctx, "INSERT INTO tenants (id, slug, name, short_name, app_name) VALUES (?, 'lazy', 'Lazy', 'L', 'L')", tenantID); err != nil {
		t.Fatal(err)
	}
	count := func(key string) (n int) {
		t.Helper()
		if err := db.TenantQueryRow(ctx, tdb.App, tenantID, []any{&n}, "SELECT count(*) FROM login_failures WHERE account_key = $1", key); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// idle: no connection of the pool is left inside a transaction or
	// with a tenant scope.
	idle := func(what string) {
		t.Helper()
		var open int
		if err := tdb.Super.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND state LIKE 'idle in transaction%'`).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if open != 0 {
			t.Fatalf("%s: %d connections left in a transaction", what, open)
		}
		for range 4 {
			var scope string
			if err := tdb.App.DB.QueryRowContext(ctx, "SELECT current_setting('app.tenant_id', true)").Scan(&scope); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if scope != "" {
				t.Fatalf("%s: a pooled connection kept the scope %q", what, scope)
			}
		}
	}
	insert := "INSERT INTO login_failures (tenant_id, account_key) VALUES ($1, $2)"
	boom := errors.New("boom")

	// First statement an Exec with parameters (one batch with BEGIN), then
	// a query and a parameterless Exec; committed.
	err := db.InTenantTx(ctx, tdb.App, tenantID, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.Tx.ExecContext(ctx, insert, tenantID, "params")
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Errorf("rows affected %d", n)
		}
		var scope string
		if err := tx.QueryRowContext(ctx, "SELECT current_setting('app.tenant_id')").Scan(&scope); err != nil || scope != tenantID.String() {
			t.Errorf("scope %q, %v", scope, err)
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO login_failures (tenant_id, account_key) VALUES (?, 'params')", tenantID)
		return err
	})
	if err != nil || count("params") != 2 {
		t.Fatalf("exec-first transaction: %v, %d rows", err, count("params"))
	}
	idle("after exec-first commit")

	// First statement a parameterless Exec (one simple query with BEGIN).
	err = db.InTenantTx(ctx, tdb.App, tenantID, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO login_failures (tenant_id, account_key) SELECT ?, 'simple' FROM generate_series(1, 3)", tenantID)
		if n, _ := res.RowsAffected(); err == nil && n != 3 {
			t.Errorf("rows affected %d", n)
		}
		return err
	})
	if err != nil || count("simple") != 3 {
		t.Fatalf("simple-first transaction: %v, %d rows", err, count("simple"))
	}

	// Rolled back by the caller after a batched first Exec: nothing stays.
	err = db.InTenantTx(ctx, tdb.App, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.Tx.ExecContext(ctx, insert, tenantID, "undone"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || count("undone") != 0 {
		t.Fatalf("rolled back: %v, %d rows", err, count("undone"))
	}
	idle("after rollback")

	// A first Exec that fails (another tenant's row: RLS refuses it) fails
	// the transaction; the later statements' work is not kept either.
	err = db.InTenantTx(ctx, tdb.App, tenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.Tx.ExecContext(ctx, insert, uuid.New(), "foreign")
		return err
	})
	if err == nil || count("foreign") != 0 {
		t.Fatalf("a refused first exec: %v", err)
	}
	idle("after a failed first exec")
	for _, q := range []string{"SELECT 1 / 0", "INSERT INTO login_failures (tenant_id, account_key) VALUES ('" + uuid.NewString() + "', 'foreign')"} {
		err = db.InTenantTx(ctx, tdb.App, tenantID, func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.ExecContext(ctx, q)
			return err
		})
		if err == nil {
			t.Fatalf("%s: no error", q)
		}
		idle("after a failed simple exec")
	}

	// A failure the caller ignores: the commit reports it, nothing stays.
	err = db.InTenantTx(ctx, tdb.App, tenantID, func(ctx context.Context, tx bun.Tx) error {
		_, _ = tx.Tx.ExecContext(ctx, insert, tenantID, "ignored")
		_, _ = tx.Tx.ExecContext(ctx, insert, uuid.New(), "ignored")
		return nil
	})
	if err == nil || count("ignored") != 0 {
		t.Fatalf("commit after an ignored failure: %v, %d rows", err, count("ignored"))
	}
	idle("after a failed commit")

	// A transaction that runs nothing commits and leaves nothing open.
	for range 3 {
		if err := db.InTenantTx(ctx, tdb.App, tenantID, func(context.Context, bun.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	idle("after empty transactions")
}
