package app_test

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

// A backup restores into a new database with every table's row count
// intact, row-level security included.
func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	tdb := pgtest.New(t)
	tenanttest.Seed(t, tdb)
	admin := pgtest.AdminURL(t)
	src := withDB(t, admin, tdb.Name)
	file := filepath.Join(t.TempDir(), "suara.dump")
	if err := app.Backup(ctx, src, file); err != nil {
		t.Fatal(err)
	}
	adminDB, err := db.Open(ctx, admin, db.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer adminDB.Close()
	restored := tdb.Name + "_r"
	if _, err := adminDB.ExecContext(ctx, "CREATE DATABASE "+restored+" OWNER suara_owner"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = adminDB.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+restored+" WITH (FORCE)")
	})
	if err := app.Restore(ctx, withDB(t, admin, restored), file); err != nil {
		t.Fatal(err)
	}
	dst, err := db.Open(ctx, withDB(t, admin, restored), db.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	var tables []string
	if err := tdb.Super.NewSelect().TableExpr("pg_tables").Column("tablename").Where("schemaname = 'public'").Order("tablename").Scan(ctx, &tables); err != nil {
		t.Fatal(err)
	}
	if len(tables) < 10 {
		t.Fatalf("only %d tables", len(tables))
	}
	total := 0
	for _, tb := range tables {
		var a, b int
		q := "SELECT count(*) FROM " + `"` + tb + `"`
		if err := tdb.Super.QueryRowContext(ctx, q).Scan(&a); err != nil {
			t.Fatal(err)
		}
		if err := dst.QueryRowContext(ctx, q).Scan(&b); err != nil {
			t.Fatalf("restored %s: %v", tb, err)
		}
		if a != b {
			t.Errorf("%s: %d rows, %d restored", tb, a, b)
		}
		total += a
	}
	if total == 0 {
		t.Fatal("nothing to back up: the test proves nothing")
	}
	// Row-level security survives the round trip.
	var forced bool
	if err := dst.QueryRowContext(ctx, "SELECT relforcerowsecurity FROM pg_class WHERE relname = 'cases'").Scan(&forced); err != nil || !forced {
		t.Errorf("FORCE ROW LEVEL SECURITY lost on cases: %v", err)
	}
}

func withDB(t *testing.T, raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
