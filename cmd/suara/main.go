// Command suara runs the Suara grievance platform: the web server, the
// background worker and the administrative commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/config"
)

const usage = `usage: suara [-config FILE] <command>

commands:
  serve           run the web server
  migrate         apply database migrations (as the owner role)
  tenants apply   provision the tenants from their manifests (idempotent)
  seed demo       create the demo accounts and cases
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
	case cmd == "migrate":
		return app.Migrate(ctx, cfg, log)
	case cmd == "tenants" && len(rest) > 1 && rest[1] == "apply":
		return app.ApplyTenants(ctx, cfg, os.Stdout)
	default:
		fl.Usage()
		return fmt.Errorf("unknown command %q", cmd)
	}
}
