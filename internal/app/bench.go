package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/suara-id/suara/internal/bench"
	"github.com/suara-id/suara/internal/benchdata"
	"github.com/suara-id/suara/internal/config"
)

// BenchAnalyst is the platform account the platform-aggregates scenario
// signs in as (created by `suara seed bench`).
const BenchAnalyst = "ilo-bench@platform.example"

// SeedBenchCommand parses `suara seed bench` flags and seeds.
func SeedBenchCommand(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer, args []string) error {
	fl := flag.NewFlagSet("seed bench", flag.ContinueOnError)
	var o BenchSeedOptions
	fl.IntVar(&o.Tenants, "tenants", 2, "bench tenants to create (bench-01 …)")
	fl.IntVar(&o.Cases, "cases", 100000, "cases in total over the bench tenants (topped up, never removed)")
	fl.Uint64Var(&o.Seed, "seed", 1, "random seed: the same seed gives the same data")
	if err := fl.Parse(args); err != nil {
		return err
	}
	return SeedBench(ctx, cfg, log, out, o)
}

// BenchCommand parses `suara bench` flags, drives the running server and
// prints the report.
func BenchCommand(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer, args []string) error {
	fl := flag.NewFlagSet("bench", flag.ContinueOnError)
	_, port, _ := net.SplitHostPort(cfg.HTTP.Addr)
	target := fl.String("target", "http://127.0.0.1:"+port, "the running `suara serve` (loopback only)")
	tenants := fl.Int("tenants", 2, "bench tenants to spread the load over (bench-01 …)")
	levels := fl.String("levels", "1,16,64", "concurrency levels")
	perLevel := fl.Duration("duration", 7*time.Second, "time per scenario and level (for the app and for pgbench each)")
	round := fl.Duration("round", time.Second, "how long the app runs in each round where it and pgbench alternate")
	maxReq := fl.Int("max-requests", 200000, "most requests per scenario and level")
	pid := fl.Int("pid", 0, "the server's pid (0: find the process listening on the target's port)")
	pgbench := fl.String("pgbench", "", "pgbench binary (default: PostgreSQL's, from PATH); \"none\" skips the limit")
	scripts := fl.String("scripts", "scripts/pgbench", "folder of the pgbench scripts")
	only := fl.String("scenarios", "", "comma-separated subset of submit,queue,case,receipt,dashboard,platform")
	if err := fl.Parse(args); err != nil {
		return err
	}
	bc := bench.Config{Target: *target, BaseDomain: cfg.HTTP.BaseDomain, Password: BenchPassword,
		WorkerPhone: BenchWorkerPhone, PlatformEmail: BenchAnalyst, PID: *pid,
		PerLevel: bench.Limits{Duration: *perLevel, MaxRequests: *maxReq}, Round: *round, PGBenchScripts: *scripts,
		DatabaseURL: cfg.Database.URL, Log: log}
	if *tenants < 1 {
		return errors.New("bench: -tenants must be at least 1")
	}
	for i := 1; i <= *tenants; i++ {
		bc.Tenants = append(bc.Tenants, benchdata.Slug(i))
	}
	for _, f := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			return fmt.Errorf("bench: bad concurrency level %q", f)
		}
		bc.Levels = append(bc.Levels, n)
	}
	if *only != "" {
		bc.Scenarios = strings.Split(*only, ",")
	}
	switch *pgbench {
	case "none":
	case "":
		p, err := findPGBench()
		if err != nil {
			return err
		}
		bc.PGBench = p
	default:
		bc.PGBench = *pgbench
	}
	rep, err := bench.Bench(ctx, bc)
	if rep != nil {
		rep.Print(out)
	}
	return err
}

// findPGBench looks for pgbench beside the newest PostgreSQL server, then
// on PATH.
func findPGBench() (string, error) {
	for _, v := range []string{"17", "16", "15", "14"} {
		p := "/usr/lib/postgresql/" + v + "/bin/pgbench"
		if _, err := exec.LookPath(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("pgbench")
	if err != nil {
		return "", errors.New("bench: pgbench not found: install postgresql-contrib, pass -pgbench PATH, or -pgbench none")
	}
	return p, nil
}
