// Package app wires Suara together — config → database → services → HTTP —
// and runs each command with an ordered shutdown.
package app

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"sort"
	"time"

	"github.com/uptrace/bun"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/metrics"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/web"
)

// NewLogger builds the process logger from config.
func NewLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func openApp(ctx context.Context, cfg *config.Config) (*bun.DB, error) {
	return db.Open(ctx, cfg.Database.URL, db.Options{
		MaxOpenConns: cfg.Database.MaxOpenConns, MaxIdleConns: cfg.Database.MaxIdleConns,
		ConnMaxLifetime: cfg.Database.ConnMaxLifetime,
	})
}

// Migrate applies pending migrations as the owner role.
func Migrate(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	owner, err := db.Open(ctx, cfg.Database.OwnerURL, db.Options{MaxOpenConns: 2})
	if err != nil {
		return fmt.Errorf("owner connection: %w", err)
	}
	defer owner.Close()
	return db.Migrate(ctx, owner, log)
}

// tenantsFS returns the manifests folder: paths.tenants on disk, or the
// manifests built into the binary.
func tenantsFS(cfg *config.Config) (fs.FS, string) {
	if cfg.Paths.Tenants != "" {
		return os.DirFS(cfg.Paths.Tenants), "."
	}
	return suara.TenantsFS, "tenants"
}

// ApplyTenants provisions every manifest, idempotently.
func ApplyTenants(ctx context.Context, cfg *config.Config, out io.Writer) error {
	fsys, dir := tenantsFS(cfg)
	bundle, err := tenant.LoadBundle(fsys, dir)
	if err != nil {
		return err
	}
	bdb, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer bdb.Close()
	for i := range bundle.Manifests {
		rep, err := tenant.Apply(ctx, bdb, bundle, &bundle.Manifests[i])
		if err != nil {
			return err
		}
		fmt.Fprintln(out, rep)
	}
	return nil
}

// Serve runs the HTTP server until ctx ends.
func Serve(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer) error {
	bdb, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer bdb.Close()
	resolver := tenant.NewResolver(cfg.HTTP.BaseDomain, bdb)
	if err := resolver.Refresh(ctx); err != nil {
		return err
	}
	go resolver.Run(ctx, 30*time.Second, log)
	authz, err := newAuthorizer(bdb, log)
	if err != nil {
		return err
	}
	accounts := auth.NewService(bdb, authz, log, cfg.Security.SessionTTL, cfg.Security.TokenTTL)
	srv, err := web.New(web.Deps{Config: cfg, Log: log, DB: bdb, Resolver: resolver,
		Metrics: metrics.New(), Auth: accounts, Authz: authz})
	if err != nil {
		return err
	}
	printURLs(cfg, resolver, out)
	log.Info("serving", "addr", cfg.HTTP.Addr)
	return srv.Listen(ctx)
}

func printURLs(cfg *config.Config, r *tenant.Resolver, out io.Writer) {
	_, port, _ := net.SplitHostPort(cfg.HTTP.Addr)
	suffix := ""
	if port != "80" && port != "443" && port != "" {
		suffix = ":" + port
	}
	ts := r.All()
	sort.Slice(ts, func(i, j int) bool { return ts[i].Slug < ts[j].Slug })
	fmt.Fprintf(out, "Suara is serving:\n  platform  %s://%s%s\n", cfg.HTTP.PublicScheme, cfg.HTTP.BaseDomain, suffix)
	for _, t := range ts {
		fmt.Fprintf(out, "  %-9s %s://%s.%s%s   (%s)\n", t.Slug, cfg.HTTP.PublicScheme, t.Slug, cfg.HTTP.BaseDomain, suffix, t.AppName)
	}
}

// newAuthorizer loads the Casbin model and the reviewed policy from config/.
func newAuthorizer(bdb *bun.DB, log *slog.Logger) (*auth.Authorizer, error) {
	model, err := suara.ConfigFS.ReadFile("config/rbac_model.conf")
	if err != nil {
		return nil, fmt.Errorf("read casbin model: %w", err)
	}
	policy, err := suara.ConfigFS.ReadFile("config/rbac_policy.csv")
	if err != nil {
		return nil, fmt.Errorf("read casbin policy: %w", err)
	}
	return auth.NewAuthorizer(bdb, string(model), string(policy), log), nil
}
