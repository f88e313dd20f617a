package pgtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"testing"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
)

// seedName is what may precede a seeded template's hash.
var seedName = regexp.MustCompile(`^[a-z0-9_]{1,20}$`)

// Seeded is New for benchmarks with a large fill: the database is cloned
// from a template that already holds what seed wrote, built once per
// (migrations, name, version) and kept, so a rerun skips the fill. Change
// version whenever seed writes something else. The template is vacuumed
// and analysed after seed, as autovacuum would have done on a live
// database (index-only scans need the visibility map). Building a
// template drops older templates of the same name.
func Seeded(t testing.TB, name, version string, seed func(ctx context.Context, d *DB) error) *DB {
	t.Helper()
	if !seedName.MatchString(name) {
		t.Fatalf("seeded template name %q: want [a-z0-9_]{1,20}", name)
	}
	admin := AdminURL(t)
	ctx := context.Background()
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(ctx, admin) })
	if templateErr != nil {
		t.Fatalf("prepare template database: %v", templateErr)
	}
	h := sha256.Sum256([]byte(templateName + "\x00" + name + "\x00" + version))
	prefix := "suara_seed_" + name + "_"
	tpl := prefix + hex.EncodeToString(h[:])[:12]
	adminDB, err := db.Open(ctx, admin, db.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("connect as admin: %v", err)
	}
	defer adminDB.Close()
	err = withAdvisoryLock(ctx, adminDB, "suara-seed-"+name, func(conn bun.Conn) error {
		var exists bool
		if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)", tpl).Scan(&exists); err != nil {
			return err
		}
		if exists {
			t.Logf("seeded template %s: reused", tpl)
			return nil
		}
		var stale []string
		if err := conn.NewRaw("SELECT datname FROM pg_database WHERE starts_with(datname, ?) AND datname <> ?", prefix, tpl).Scan(ctx, &stale); err != nil {
			return err
		}
		for _, s := range stale {
			if _, err := conn.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", s)); err != nil {
				return fmt.Errorf("drop stale template %s: %w", s, err)
			}
		}
		building := tpl + "_build"
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s OWNER suara_owner", building, templateName)); err != nil {
			return fmt.Errorf("create seeded template: %w", err)
		}
		d := &DB{Name: building, AppURL: withUser(admin, "suara_app", building), OwnerURL: withUser(admin, "suara_owner", building)}
		if d.App, err = db.Open(ctx, d.AppURL, db.Options{MaxOpenConns: 4}); err != nil {
			return err
		}
		defer d.App.Close()
		if d.Owner, err = db.Open(ctx, d.OwnerURL, db.Options{MaxOpenConns: 2}); err != nil {
			return err
		}
		defer d.Owner.Close()
		if d.Super, err = db.Open(ctx, withUser(admin, "", building), db.Options{MaxOpenConns: 2}); err != nil {
			return err
		}
		defer d.Super.Close()
		if err := seed(ctx, d); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if _, err := d.Super.ExecContext(ctx, "VACUUM (ANALYZE)"); err != nil {
			return fmt.Errorf("vacuum: %w", err)
		}
		_ = d.App.Close()
		_ = d.Owner.Close()
		_ = d.Super.Close()
		// Renamed only once complete, so a failed fill is never cloned.
		_, err = conn.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, tpl))
		return err
	})
	if err != nil {
		_, _ = adminDB.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", tpl+"_build"))
		t.Fatalf("seeded template %s: %v", tpl, err)
	}
	// FILE_COPY: a large template copies faster as files than through WAL.
	return cloneOf(t, admin, tpl, " STRATEGY FILE_COPY")
}
