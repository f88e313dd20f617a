package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/benchdata"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// BenchPassword is every bench account's password; like the demo's, it
// exists only for local measurement.
const BenchPassword = "suara-bench"

// BenchWorkerPhone is the worker whose bearer token `suara bench` files with.
const BenchWorkerPhone = "081300000001"

// genParallel is how many tenants generate at once.
const genParallel = 4

// BenchSeedOptions size `suara seed bench`.
type BenchSeedOptions struct {
	Tenants int
	// Cases is the total over all bench tenants; each tenant is topped up
	// to its share, so a second run adds nothing.
	Cases int
	Seed  uint64
}

// SeedBench provisions bench tenants bench-01…bench-NN from generated
// manifests, gives each a federation admin, a branch admin, an officer and
// a few workers, and bulk-generates cases up to opts.Cases in total.
func SeedBench(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer, opts BenchSeedOptions) error {
	if opts.Tenants < 1 || opts.Tenants > 99 {
		return fmt.Errorf("seed bench: --tenants must be 1–99, got %d", opts.Tenants)
	}
	if opts.Cases < 0 {
		return fmt.Errorf("seed bench: --cases must not be negative")
	}
	fsys, dir := tenantsFS(cfg)
	bundle, err := tenant.LoadBundle(fsys, dir) // for the category templates
	if err != nil {
		return err
	}
	bdb, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer bdb.Close()
	owner, err := db.Open(ctx, cfg.Database.OwnerURL, db.Options{MaxOpenConns: genParallel + 1})
	if err != nil {
		return fmt.Errorf("owner connection: %w", err)
	}
	defer owner.Close()
	authz := auth.NewBundledAuthorizer(bdb, log)
	accounts, err := newAccounts(cfg, bdb, authz, log)
	if err != nil {
		return err
	}
	hash, err := accounts.HashPassword(BenchPassword)
	if err != nil {
		return err
	}
	resolver := tenant.NewResolver(cfg.HTTP.BaseDomain, bdb)
	start := time.Now()
	var total benchdata.Stats
	type genJob struct {
		target *benchdata.Target
		n      int
		seed   uint64
	}
	var jobs []genJob
	for i := 1; i <= opts.Tenants; i++ {
		m := benchdata.Manifest(i)
		if _, err := tenant.Apply(ctx, bdb, bundle, &m); err != nil {
			return err
		}
		if err := resolver.Refresh(ctx); err != nil {
			return err
		}
		t := resolver.BySlug(m.Slug)
		if t == nil {
			return fmt.Errorf("seed bench: tenant %s not active after apply", m.Slug)
		}
		accts := []auth.NewAccount{
			{Name: "Admin " + m.ShortName, Email: "admin@" + m.Slug + ".example", Role: "federation_admin"},
			{Name: "Admin Cabang " + m.ShortName, Email: "branch@" + m.Slug + ".example", Role: "branch_admin", BranchPath: benchdata.ProvincePath(m.Slug)},
			{Name: "Petugas " + m.ShortName, Email: "officer@" + m.Slug + ".example", Role: "case_officer", BranchPath: benchdata.UnitPath(m.Slug)},
		}
		for w := 1; w <= 5; w++ {
			accts = append(accts, auth.NewAccount{Name: fmt.Sprintf("Pekerja %d", w), Phone: fmt.Sprintf("0813000000%02d", w), Role: "worker"})
		}
		for _, a := range accts {
			a.Password, a.PasswordHash, a.SkipStrengthCheck = BenchPassword, hash, true
			if _, _, err := accounts.CreateAccount(ctx, t, a); err != nil {
				return fmt.Errorf("bench account %s%s on %s: %w", a.Email, a.Phone, m.Slug, err)
			}
		}
		var have int
		err := db.InTenantTx(ctx, bdb, t.ID, func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT count(*) FROM cases").Scan(&have)
		})
		if err != nil {
			return fmt.Errorf("count cases of %s: %w", m.Slug, err)
		}
		want := opts.Cases / opts.Tenants
		if i <= opts.Cases%opts.Tenants {
			want++
		}
		if have >= want {
			fmt.Fprintf(out, "%s: %d cases already\n", m.Slug, have)
			continue
		}
		target, err := benchdata.LoadTarget(ctx, owner.DB, t.ID, t.Slug)
		if err != nil {
			return err
		}
		jobs = append(jobs, genJob{target: target, n: want - have,
			seed: opts.Seed + uint64(i)<<32 + uint64(have)})
	}
	// Tenants generate in parallel, one connection each: PostgreSQL
	// inserts on one connection use one core.
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, genParallel)
	)
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			t0 := time.Now()
			st, err := benchdata.Generate(ctx, owner.DB, j.target, benchdata.Options{Cases: j.n, Seed: j.seed, Log: log})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			total.Cases += st.Cases
			total.Events += st.Events
			total.Evidence += st.Evidence
			fmt.Fprintf(out, "%s: +%d cases, +%d events, +%d evidence rows in %s\n", j.target.Slug, st.Cases, st.Events,
				st.Evidence, time.Since(t0).Round(time.Millisecond))
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if _, _, err := accounts.CreatePlatformAccount(ctx, auth.NewAccount{Name: "ILO Bench", Email: BenchAnalyst,
		Password: BenchPassword, PasswordHash: hash, SkipStrengthCheck: true, Role: "ilo_analyst"}); err != nil {
		return fmt.Errorf("bench analyst: %w", err)
	}
	// Fresh statistics, so the first benchmark queries plan on real sizes.
	if _, err := owner.ExecContext(ctx, "ANALYZE cases, case_events, evidence_files"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	el := time.Since(start)
	rate := float64(total.Cases) / max(el.Seconds(), 0.001)
	fmt.Fprintf(out, "bench seed: %d tenants, +%d cases (+%d events, +%d evidence) in %s (%.0f cases/s); password %q, worker %s\n",
		opts.Tenants, total.Cases, total.Events, total.Evidence, el.Round(time.Millisecond), rate, BenchPassword, BenchWorkerPhone)
	return nil
}
