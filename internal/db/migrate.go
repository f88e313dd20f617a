package db

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	suara "github.com/suara-id/suara"
)

// Migrate applies every pending migration. It must run as the owner role:
// the app role may not create or alter tables.
func Migrate(ctx context.Context, owner *bun.DB, log *slog.Logger) error {
	sub, err := fs.Sub(suara.MigrationsFS, "migrations")
	if err != nil {
		return fmt.Errorf("migrations folder: %w", err)
	}
	migrations := migrate.NewMigrations()
	if err := migrations.Discover(sub); err != nil {
		return fmt.Errorf("discover migrations: %w", err)
	}
	// River's tables come first: our migrations grant the app role on them.
	rm, err := rivermigrate.New(riverdatabasesql.New(owner.DB), nil)
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	m := migrate.NewMigrator(owner, migrations)
	if err := m.Init(ctx); err != nil {
		return fmt.Errorf("init migrations: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return fmt.Errorf("lock migrations: %w", err)
	}
	defer func() { _ = m.Unlock(ctx) }()
	group, err := m.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if log != nil {
		if group.IsZero() {
			log.Info("database schema is up to date")
		} else {
			log.Info("migrated database", "group", group.ID, "migrations", len(group.Migrations))
		}
	}
	return nil
}
