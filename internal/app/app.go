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
	"path/filepath"
	"sort"
	"time"

	"github.com/uptrace/bun"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/brands"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/chat"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/jobs"
	"github.com/suara-id/suara/internal/metrics"
	"github.com/suara-id/suara/internal/ratelimit"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/web"
	"github.com/suara-id/suara/internal/workday"
)

// NewLogger builds the process logger from config.
func NewLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	// Phones and emails never reach the logs (PDP): see NewRedactHandler.
	if cfg.Log.Format == "json" {
		return slog.New(NewRedactHandler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(NewRedactHandler(slog.NewTextHandler(w, opts)))
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

// core is what every command builds over the app's database: the tenant
// map, permissions, accounts and cases.
type core struct {
	resolver *tenant.Resolver
	authz    *auth.Authorizer
	accounts *auth.Service
	cases    *cases.Service
	chat     *chat.Service
}

// newCore wires the core services over bdb, with the tenant map loaded.
func newCore(ctx context.Context, cfg *config.Config, log *slog.Logger, bdb *bun.DB) (*core, error) {
	c := &core{resolver: tenant.NewResolver(cfg.HTTP.BaseDomain, bdb)}
	if err := c.resolver.Refresh(ctx); err != nil {
		return nil, err
	}
	c.authz = auth.NewBundledAuthorizer(bdb, log)
	var err error
	if c.accounts, err = newAccounts(cfg, bdb, c.authz, log); err != nil {
		return nil, err
	}
	if c.cases, err = newCases(cfg, log, bdb, c.authz); err != nil {
		return nil, err
	}
	if c.chat, err = newChat(cfg, log, bdb, c); err != nil {
		return nil, err
	}
	return c, nil
}

// NewServer wires services over bdb into the web server. Tests build the
// same server through it, so they exercise the production wiring.
func NewServer(ctx context.Context, cfg *config.Config, log *slog.Logger, bdb *bun.DB) (*Platform, error) {
	// The registry comes first: the job runner's workers (which run in this
	// process when classify.workers > 0) record into it too.
	m := metrics.New()
	if err := m.RegisterDB(bdb.DB, "app"); err != nil {
		return nil, err
	}
	c, err := newCore(ctx, cfg, log, bdb)
	if err != nil {
		return nil, err
	}
	resolver, authz, accounts, caseSvc := c.resolver, c.authz, c.accounts, c.cases
	caseSvc.Metrics = m
	jobRunner, err := newJobs(ctx, cfg, log, bdb, caseSvc, c.chat, cfg.Classify.Workers, m)
	if err != nil {
		return nil, err
	}
	ns := newNotify(cfg, log, bdb, authz, caseSvc)
	// Codes and account notices go out through the union's channel.
	ns.SetDevLogCodes(cfg.Env == "development")
	ns.Metrics = m
	accounts.SetMessenger(ns)
	srv, err := web.New(web.Deps{Config: cfg, Log: log, Ready: bdb.PingContext, Admin: tenant.NewAdmin(bdb, authz), Brands: brands.New(bdb, authz), Limits: ratelimit.New(bdb, ratelimit.Secret(cfg.Security.IdentityKeys)), Resolver: resolver,
		Metrics: m, Auth: accounts, Authz: authz, Cases: caseSvc, Notify: ns,
		Analytics: analytics.NewConsole(newAnalytics(cfg, log, bdb), authz), Privacy: newPrivacy(cfg, log, bdb, caseSvc), Console: newConsole(cfg, bdb, authz), Chat: c.chat})
	if err != nil {
		return nil, err
	}
	return &Platform{Server: srv, Resolver: resolver, Jobs: jobRunner, Cases: caseSvc, Accounts: accounts}, nil
}

// Platform is the wired application: what Serve runs and tests drive.
type Platform struct {
	Server   *web.Server
	Resolver *tenant.Resolver
	// Jobs works background jobs when classify.workers > 0; Serve starts it.
	Jobs  *jobs.Runner
	Cases *cases.Service
	// Accounts sends some account messages after answering; Serve waits
	// for them before it returns.
	Accounts *auth.Service
}

// Serve runs the HTTP server until ctx ends.
func Serve(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer) error {
	bdb, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer bdb.Close()
	pf, err := NewServer(ctx, cfg, log, bdb)
	if err != nil {
		return err
	}
	go pf.Resolver.Run(ctx, 30*time.Second, log)
	// Changes made through another replica arrive by LISTEN/NOTIFY.
	go pf.Resolver.Listen(ctx, cfg.Database.URL, log)
	if cfg.HTTP.PprofAddr != "" {
		if err := startPprof(ctx, cfg.HTTP.PprofAddr, log); err != nil {
			return err
		}
	}
	if cfg.Classify.Workers > 0 {
		if err := pf.Jobs.Start(ctx); err != nil {
			return fmt.Errorf("start job workers: %w", err)
		}
	}
	printURLs(cfg, pf.Resolver, out)
	log.Info("serving", "addr", cfg.HTTP.Addr, "job_workers", cfg.Classify.Workers)
	err = pf.Server.Listen(ctx)
	// Ordered shutdown: HTTP first (in-flight requests finish), the
	// account messages they left to send, then jobs.
	pf.Accounts.Wait()
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.HTTP.ShutdownTimeout)
	defer cancel()
	if cfg.Classify.Workers > 0 {
		if qerr := pf.Jobs.Stop(stopCtx); qerr != nil && err == nil {
			err = qerr
		}
	}
	return err
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

// newCases builds the case service: identity keys from config, evidence in
// the configured store (newEvidenceStore), the working-day calendar for SLA dates.
func newCases(cfg *config.Config, log *slog.Logger, bdb *bun.DB, authz *auth.Authorizer) (*cases.Service, error) {
	keys, err := cases.ParseKeyRing(cfg.Security.IdentityKeys)
	if err != nil {
		return nil, err
	}
	cal, err := workday.LoadFS(suara.ConfigFS, "config/holidays")
	if err != nil {
		return nil, err
	}
	const mb = 1 << 20
	l := cfg.Evidence.LimitsMB
	limits := evidence.Limits{Photo: l.Photo * mb, Audio: l.Audio * mb, Video: l.Video * mb, Document: l.Document * mb}
	ev := cfg.Evidence
	cleaner := evidence.NewCleaner(evidence.CleanerOptions{Limits: limits, FFmpeg: ev.FFmpeg, MediaTimeout: ev.MediaTimeout,
		MaxDecodedBytes: ev.MaxDecodedMB * mb, Concurrent: ev.Concurrent, Wait: ev.BusyWait})
	if cleaner.FFmpeg == "" {
		log.Warn("ffmpeg not found: video and audio evidence will be refused (install the Debian package ffmpeg)", "evidence.ffmpeg", ev.FFmpeg)
	}
	store, err := newEvidenceStore(cfg)
	if err != nil {
		return nil, err
	}
	svc := cases.New(bdb, authz, cases.Options{
		Keys:     keys,
		Store:    store,
		Limits:   limits,
		Cleaner:  cleaner,
		MaxFiles: cfg.Evidence.MaxFilesPerCase,
		Log:      log,
	})
	svc.Calendar = cal
	// Uploads wait beside the store, on the same disk, not in a shared /tmp.
	svc.TmpDir = filepath.Join(cfg.Paths.Data, "tmp")
	if err := os.MkdirAll(svc.TmpDir, 0o700); err != nil {
		return nil, fmt.Errorf("create upload temp dir: %w", err)
	}
	return svc, nil
}

// newAnalytics builds the cross-union analytics store: k from config, the
// rollup a few seconds behind the clock so that a case stamped by a
// transaction still in flight is not passed by the watermark.
func newAnalytics(cfg *config.Config, log *slog.Logger, bdb *bun.DB) *analytics.Store {
	return analytics.New(bdb, analytics.Options{K: cfg.Analytics.K, Lag: 5 * time.Second, StatsEvery: time.Minute, Log: log})
}

// newAccounts builds the account service with the configured password costs.
func newAccounts(cfg *config.Config, bdb *bun.DB, authz *auth.Authorizer, log *slog.Logger) (*auth.Service, error) {
	accounts := auth.NewService(bdb, authz, log, cfg.Security.SessionTTL, cfg.Security.TokenTTL)
	pw := cfg.Security.Password
	if err := accounts.SetPasswordParams(auth.PasswordParams{MemoryKiB: pw.MemoryKiB, Iterations: pw.Iterations, Parallelism: pw.Parallelism}); err != nil {
		return nil, err
	}
	// "on" forces it on every union; "auto" and "off" give the default a
	// union's federation admins may change (auth.Staff2FAFor).
	accounts.SetTwoFactorPolicy(auth.TwoFactorPolicy{Default: cfg.Require2FAOn(), Forced: cfg.Security.Require2FA == "on"})
	return accounts, nil
}
