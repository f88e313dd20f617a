package app

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/web"
)

// newConsole gives the platform console what its union pages need: the
// manifests bundle (templates and sectors for new unions), the evidence
// store, and the owner connection for exports and removal, opened on first
// use (most processes never need it) and kept.
func newConsole(cfg *config.Config) web.ConsoleDeps {
	d := web.ConsoleDeps{Evidence: evidenceStore(cfg)}
	fsys, dir := tenantsFS(cfg)
	if b, err := tenant.LoadBundle(fsys, dir); err == nil {
		d.Bundle = b
	}
	var (
		mu    sync.Mutex
		owner *bun.DB
	)
	d.Owner = func(ctx context.Context) (*bun.DB, error) {
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
	return d
}
