// Command suara runs the Suara grievance platform: the web server, the
// background worker and the administrative commands.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/doctor"
)

const usage = `usage: suara [-config FILE] <command>

commands:
  serve           run the web server (and classification workers, see classify.workers)
  worker          run background jobs only
  doctor          check the deployment and say what to fix
  migrate         apply database migrations (as the owner role)
  tenants apply   provision the tenants from their manifests (idempotent)
  tenants export SLUG > FILE   all of a tenant's rows and evidence as JSON lines
  tenants import FILE          load such a file into this installation (tenant must be absent)
  seed demo       create the demo accounts and cases
  analytics rebuild [SLUG]
                  recompute the cross-union cubes from the rollup's facts
  eval -data FILE.jsonl [-classifier builtin|ollama] [-tenant SLUG]
                  score a classifier on a labelled file
  bench replicas -targets URL,URL
                  two serve replicas share the filing limit and see a rename
                  within a second (make test-replicas)
  bench soak -target URL -db URL [-duration 10m]
                  a steady mixed load at half capacity (make soak)
  users create-admin -email E -name N [-tenant SLUG]
                  create a federation admin of a tenant, or a platform admin
                  without -tenant; the password is read from SUARA_ADMIN_PASSWORD
                  or the first line of standard input
`

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "suara:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fl := flag.NewFlagSet("suara", flag.ContinueOnError)
	fl.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	configPath := fl.String("config", os.Getenv("SUARA_CONFIG"), "config file (YAML) over the built-in defaults")
	if err := fl.Parse(args); err != nil {
		return err
	}
	rest := fl.Args()
	if len(rest) == 0 {
		fl.Usage()
		return errors.New("no command given")
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg, os.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch cmd := rest[0]; {
	case cmd == "serve":
		return app.Serve(ctx, cfg, log, os.Stdout)
	case cmd == "worker":
		return app.Worker(ctx, cfg, log)
	case cmd == "doctor":
		if !doctor.Run(ctx, cfg, os.Stdout) {
			return errors.New("doctor found problems")
		}
		return nil
	case cmd == "migrate":
		return app.Migrate(ctx, cfg, log)
	case cmd == "tenants" && len(rest) > 1 && rest[1] == "apply":
		return app.ApplyTenants(ctx, cfg, os.Stdout)
	case cmd == "tenants" && len(rest) == 3 && rest[1] == "export":
		return app.TenantsExport(ctx, cfg, rest[2], os.Stdout, os.Stderr)
	case cmd == "tenants" && len(rest) == 3 && rest[1] == "import":
		return app.TenantsImport(ctx, cfg, rest[2], os.Stderr)
	case cmd == "seed" && len(rest) > 1 && rest[1] == "demo":
		return app.SeedDemo(ctx, cfg, log, os.Stdout)
	case cmd == "seed" && len(rest) > 1 && rest[1] == "bench":
		return app.SeedBenchCommand(ctx, cfg, log, os.Stdout, rest[2:])
	case cmd == "bench" && len(rest) > 1 && rest[1] == "replicas":
		return app.ReplicasCommand(ctx, cfg, log, os.Stdout, rest[2:])
	case cmd == "bench" && len(rest) > 1 && rest[1] == "soak":
		return app.SoakCommand(ctx, cfg, log, os.Stdout, rest[2:])
	case cmd == "bench":
		return app.BenchCommand(ctx, cfg, log, os.Stdout, rest[1:])
	case cmd == "analytics":
		return app.AnalyticsCommand(ctx, cfg, log, rest[1:], os.Stdout)
	case cmd == "audit" && len(rest) > 1 && rest[1] == "verify":
		return app.AuditVerify(ctx, cfg, os.Stdout)
	case cmd == "eval":
		return eval(ctx, cfg, log, rest[1:])
	case cmd == "users" && len(rest) > 1 && rest[1] == "create-admin":
		return createAdmin(ctx, cfg, log, rest[2:])
	case cmd == "privacy" || cmd == "backup":
		return app.DataCommand(ctx, cfg, log, rest, os.Stdout)
	default:
		fl.Usage()
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func createAdmin(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	fl := flag.NewFlagSet("users create-admin", flag.ContinueOnError)
	email := fl.String("email", "", "the admin's email (login)")
	name := fl.String("name", "", "the admin's name")
	tenantSlug := fl.String("tenant", "", "tenant slug; empty for a platform admin")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *email == "" || *name == "" {
		return errors.New("users create-admin needs -email and -name")
	}
	password := os.Getenv("SUARA_ADMIN_PASSWORD")
	if password == "" {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password: set SUARA_ADMIN_PASSWORD or pipe it on standard input")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	return app.CreateAdmin(ctx, cfg, log, *tenantSlug, *email, *name, password, os.Stdout)
}

func eval(ctx context.Context, cfg *config.Config, log *slog.Logger, args []string) error {
	fl := flag.NewFlagSet("eval", flag.ContinueOnError)
	var o app.EvalOptions
	fl.StringVar(&o.Data, "data", "", "labelled JSONL file")
	fl.StringVar(&o.Classifier, "classifier", "builtin", "builtin or ollama")
	fl.StringVar(&o.Tenant, "tenant", "", "score with this tenant's categories")
	fl.StringVar(&o.Predictions, "predictions", "", "write one JSON line per text (gold, predicted, confidence) to this file")
	fl.IntVar(&o.CV, "cv", 0, "cross-validate the built-in model over its own training texts in this many folds (no -data)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if o.Data == "" && o.CV < 2 {
		return errors.New("eval needs -data FILE.jsonl")
	}
	return app.Eval(ctx, cfg, log, o, os.Stdout)
}
