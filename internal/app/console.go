package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/tenantmove"
	"github.com/suara-id/suara/internal/web"
)

// newConsole gives the platform console what its union pages need: the
// manifests bundle (templates and sectors for new unions), the union
// service on the app connection, and exports and removal (tenantmove with the
// evidence store) over the owner connection, opened on first use (most
// processes never need it) and kept.
func newConsole(cfg *config.Config, bdb *bun.DB, authz tenant.Authorizer) web.ConsoleDeps {
	var d web.ConsoleDeps
	fsys, dir := tenantsFS(cfg)
	if b, err := tenant.LoadBundle(fsys, dir); err == nil {
		d.Bundle = b
	}
	var cio tenant.ConsoleIO
	store := evidenceStore(cfg)
	var (
		mu    sync.Mutex
		owner *bun.DB
	)
	ownerDB := func(ctx context.Context) (*bun.DB, error) {
		mu.Lock()
		defer mu.Unlock()
		if owner != nil {
			return owner, nil
		}
		if cfg.Database.OwnerURL == "" {
			return nil, errors.New("console: database.owner_url is not set: exports and removal need the owner role")
		}
		o, err := db.Open(ctx, cfg.Database.OwnerURL, db.Options{MaxOpenConns: 2})
		if err != nil {
			return nil, fmt.Errorf("owner connection: %w", err)
		}
		owner = o
		return owner, nil
	}
	if store == nil {
		d.Unions = tenant.NewConsole(bdb, d.Bundle, authz, cio)
		return d
	}
	cio.Export = func(ctx context.Context, slug string, w io.Writer) error {
		o, err := ownerDB(ctx)
		if err != nil {
			return err
		}
		_, err = tenantmove.Export(ctx, o, store, slug, w)
		return err
	}
	cio.Remove = func(ctx context.Context, tenantID uuid.UUID, confirm string) (int, error) {
		o, err := ownerDB(ctx)
		if err != nil {
			return 0, err
		}
		return tenantmove.Remove(ctx, o, store, tenantID, confirm)
	}
	d.Unions = tenant.NewConsole(bdb, d.Bundle, authz, cio)
	return d
}
