// Package pgtest gives each test its own PostgreSQL database, cloned from a
// migrated template, and connects to it as the app's non-superuser role so
// that row-level security is exercised exactly as in production.
//
// It needs SUARA_TEST_ADMIN_URL (a superuser URL; `make test` provides one by
// starting a local cluster). It fails rather than skips without it: a DB test
// that skips turns CI green while testing nothing.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/db"
)

// DB is one test's database.
type DB struct {
	Name  string
	App   *bun.DB // connected as suara_app: RLS applies
	Owner *bun.DB // connected as suara_owner: for setup and tampering tests
	// Super is a superuser connection (RLS does not apply): for tests that
	// inspect every tenant's rows. Never use it to exercise app behaviour.
	Super *bun.DB
	// AppURL and OwnerURL reach the same database.
	AppURL, OwnerURL string
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// AdminURL returns the superuser URL or fails the test.
func AdminURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("SUARA_TEST_ADMIN_URL")
	if u == "" {
		t.Fatal("SUARA_TEST_ADMIN_URL is not set: database tests need a real PostgreSQL; run them with `make test`")
	}
	return u
}

// New creates a fresh, migrated database for t and drops it afterwards.
func New(t testing.TB) *DB {
	t.Helper()
	admin := AdminURL(t)
	ctx := context.Background()
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(ctx, admin) })
	if templateErr != nil {
		t.Fatalf("prepare template database: %v", templateErr)
	}
	return cloneOf(t, admin, templateName, "")
}

// cloneOf creates a database for t from template (with the given CREATE
// DATABASE strategy clause, "" for the default) and drops it afterwards.
func cloneOf(t testing.TB, admin, template, strategy string) *DB {
	t.Helper()
	ctx := context.Background()
	adminDB, err := db.Open(ctx, admin, db.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("connect as admin: %v", err)
	}
	defer adminDB.Close()
	name := "suara_test_" + randHex(6)
	// Clones of one template may not run concurrently: serialise on a lock.
	if err := withAdvisoryLock(ctx, adminDB, "suara-template-clone", func(conn bun.Conn) error {
		_, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s OWNER suara_owner%s", name, template, strategy))
		return err
	}); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	out := &DB{Name: name, AppURL: withUser(admin, "suara_app", name), OwnerURL: withUser(admin, "suara_owner", name)}
	if out.App, err = db.Open(ctx, out.AppURL, db.Options{MaxOpenConns: 10}); err != nil {
		t.Fatalf("connect as app role: %v", err)
	}
	if out.Owner, err = db.Open(ctx, out.OwnerURL, db.Options{MaxOpenConns: 2}); err != nil {
		t.Fatalf("connect as owner: %v", err)
	}
	if out.Super, err = db.Open(ctx, withUser(admin, "", name), db.Options{MaxOpenConns: 2}); err != nil {
		t.Fatalf("connect as superuser: %v", err)
	}
	t.Cleanup(func() {
		_ = out.App.Close()
		_ = out.Owner.Close()
		_ = out.Super.Close()
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if a, err := db.Open(cctx, admin, db.Options{MaxOpenConns: 1}); err == nil {
			_, _ = a.ExecContext(cctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
			_ = a.Close()
		}
	})
	return out
}

// ensureTemplate makes sure the roles exist and a template database migrated
// with the current migrations exists; its name carries the migrations' hash,
// so a changed migration gets a new template.
func ensureTemplate(ctx context.Context, admin string) (string, error) {
	adminDB, err := db.Open(ctx, admin, db.Options{MaxOpenConns: 2})
	if err != nil {
		return "", err
	}
	defer adminDB.Close()
	name := "suara_tpl_" + migrationsHash()
	err = withAdvisoryLock(ctx, adminDB, "suara-template-build", func(conn bun.Conn) error {
		if _, err := conn.ExecContext(ctx, `DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'suara_owner') THEN
    CREATE ROLE suara_owner LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB PASSWORD 'suara_owner';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'suara_app') THEN
    CREATE ROLE suara_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD 'suara_app';
  END IF;
END $$`); err != nil {
			return fmt.Errorf("create roles: %w", err)
		}
		var exists bool
		if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)", name).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return nil
		}
		building := name + "_build"
		_, _ = conn.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", building))
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s OWNER suara_owner", building)); err != nil {
			return fmt.Errorf("create template: %w", err)
		}
		owner, err := db.Open(ctx, withUser(admin, "suara_owner", building), db.Options{MaxOpenConns: 2})
		if err != nil {
			return err
		}
		migErr := db.Migrate(ctx, owner, nil)
		_ = owner.Close()
		if migErr != nil {
			return migErr
		}
		// Renamed only once complete, so a crashed build is never cloned.
		_, err = conn.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name))
		return err
	})
	return name, err
}

func withAdvisoryLock(ctx context.Context, adminDB *bun.DB, key string, fn func(bun.Conn) error) error {
	conn, err := adminDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtext(?))", key); err != nil {
		return err
	}
	defer func() { _, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock(hashtext(?))", key) }()
	return fn(conn)
}

func migrationsHash() string {
	h := sha256.New()
	_ = fs.WalkDir(suara.MigrationsFS, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := suara.MigrationsFS.ReadFile(path)
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// withUser points raw at dbname, as user (its password is its name in the
// local cluster); an empty user keeps raw's credentials.
func withUser(raw, user, dbname string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if user != "" {
		u.User = url.UserPassword(user, user)
	}
	u.Path = "/" + dbname
	return u.String()
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
