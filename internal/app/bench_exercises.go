package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/suara-id/suara/internal/bench"
	"github.com/suara-id/suara/internal/benchdata"
	"github.com/suara-id/suara/internal/config"
)

// ReplicasCommand is `suara bench replicas` (make test-replicas,
// scripts/replicas.sh): against two running `suara serve` replicas of one
// database, the filing limit (rate_limits.filing.per_ip of this process's
// configuration, which the replicas share) must hold in total, and a rename
// through the first must reach the second within a second. The last line is
// `limit=N allowed=M rename_seen_ms=T`; it fails when M ≠ N or T > 1000.
func ReplicasCommand(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer, args []string) error {
	fl := flag.NewFlagSet("bench replicas", flag.ContinueOnError)
	targets := fl.String("targets", "", "the replicas, comma-separated (loopback only), e.g. http://127.0.0.1:18081,http://127.0.0.1:18082")
	attempts := fl.Int("attempts", 0, "filings to try (default 3× the limit)")
	within := fl.Duration("within", time.Second, "bound on the rename's propagation")
	if err := fl.Parse(args); err != nil {
		return err
	}
	slug := benchdata.Slug(1)
	rc := bench.ReplicasConfig{Targets: strings.Split(*targets, ","), BaseDomain: cfg.HTTP.BaseDomain, Tenant: slug,
		AdminEmail: "admin@" + slug + ".example", Password: BenchPassword, Limit: cfg.RateLimits.Filing.PerIP,
		Window: cfg.RateLimits.Window, Attempts: *attempts, RenameWithin: *within, Log: log}
	rep, err := bench.Replicas(ctx, rc)
	if err != nil {
		return err
	}
	rep.Print(out)
	if why := rep.Failed(*within); why != "" {
		return errors.New("replicas: " + why)
	}
	return nil
}

// SoakCommand is `suara bench soak` (make soak, scripts/soak.sh): a steady
// mixed load at half the measured capacity on a running `suara serve` of
// the bench tenants, a line per minute, then the created rows counted. The
// last line is `errors_5xx=… rss_first_mb=… rss_last_mb=… goroutines_first=…
// goroutines_last=… lost_rows=…`; it fails on a 5xx, a lost row or an
// upward trend in RSS or goroutines over the last five minutes.
func SoakCommand(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer, args []string) error {
	fl := flag.NewFlagSet("bench soak", flag.ContinueOnError)
	sc := bench.SoakConfig{BaseDomain: cfg.HTTP.BaseDomain, Password: BenchPassword, WorkerPhone: BenchWorkerPhone,
		PlatformEmail: BenchAnalyst, MetricsToken: cfg.Security.MetricsToken, Log: log, Out: out}
	fl.StringVar(&sc.Target, "target", "", "the running `suara serve` (loopback only)")
	fl.IntVar(&sc.PID, "pid", 0, "the server's pid (0: the process listening on the target's port)")
	tenants := fl.Int("tenants", 2, "bench tenants to spread the load over (bench-01 …)")
	fl.DurationVar(&sc.Duration, "duration", 10*time.Minute, "how long the steady load runs")
	fl.DurationVar(&sc.Measure, "measure", 20*time.Second, "how long the capacity is measured first")
	fl.IntVar(&sc.MeasureConcurrency, "measure-concurrency", 16, "clients for the capacity measurement")
	fl.Float64Var(&sc.Rate, "rate", 0, "operations a second (0: half the measured capacity)")
	fl.DurationVar(&sc.Interval, "interval", time.Minute, "report period")
	fl.StringVar(&sc.DatabaseURL, "db", "", "the soak database as a role that sees every row (row counts, pg_stat_activity)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if sc.Target == "" || sc.DatabaseURL == "" {
		return errors.New("bench soak needs -target and -db")
	}
	if sc.Duration <= 0 {
		return fmt.Errorf("bench soak: -duration must be positive, got %v", sc.Duration)
	}
	for i := 1; i <= *tenants; i++ {
		sc.Tenants = append(sc.Tenants, benchdata.Slug(i))
	}
	rep, err := bench.Soak(ctx, sc)
	if rep != nil {
		rep.Print(out)
	}
	if err != nil {
		return err
	}
	if why := rep.Failed(); why != "" {
		return errors.New("soak: " + why)
	}
	return nil
}
