package app

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"

	"github.com/suara-id/suara/internal/config"
)

// Backups are PostgreSQL's own custom-format dumps (pg_dump / pg_restore):
// every table, the River queue and the migration history, restorable into
// an empty database of a cluster that has the suara_owner and suara_app
// roles. Row-level security is FORCEd on tenant tables, so the dump must
// run as a role that bypasses it: a superuser or a dedicated
//
//	CREATE ROLE suara_backup LOGIN BYPASSRLS; GRANT pg_read_all_data TO suara_backup;
//
// Evidence files live on disk (paths.data/evidence) or in object storage
// and are backed up with it, not here.

// Backup writes a custom-format dump of the database at url to file.
func Backup(ctx context.Context, url, file string) error {
	bin, err := pgTool("pg_dump")
	if err != nil {
		return err
	}
	tmp := file + ".partial"
	// --no-password: never wait for a prompt in a cron job.
	if err := runTool(ctx, bin, "--format=custom", "--no-password", "--file="+tmp, "--dbname="+url); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("pg_dump: %w", err)
	}
	// A dump is complete or absent: a half-written file is never mistaken
	// for a backup.
	if err := os.Rename(tmp, file); err != nil {
		return fmt.Errorf("finish backup: %w", err)
	}
	return nil
}

// Restore loads a dump made by Backup into the (empty) database at url,
// stopping at the first error.
func Restore(ctx context.Context, url, file string) error {
	bin, err := pgTool("pg_restore")
	if err != nil {
		return err
	}
	if err := runTool(ctx, bin, "--exit-on-error", "--no-password", "--single-transaction", "--dbname="+url, file); err != nil {
		return fmt.Errorf("pg_restore: %w", err)
	}
	return nil
}

func runTool(ctx context.Context, bin string, args ...string) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	return nil
}

// pgTool finds a PostgreSQL client tool: $PGBIN, then PATH, then the
// newest /usr/lib/postgresql/<version>/bin (Debian keeps them there).
func pgTool(name string) (string, error) {
	if dir := os.Getenv("PGBIN"); dir != "" {
		return filepath.Join(dir, name), nil
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	sort.Strings(found)
	if len(found) > 0 {
		return found[len(found)-1], nil
	}
	return "", errors.New(name + " not found: install the PostgreSQL client tools or set PGBIN")
}

func backupCommand(ctx context.Context, cfg *config.Config, args []string, out io.Writer) error {
	restore := len(args) > 0 && args[0] == "restore"
	if restore {
		args = args[1:]
	}
	fl := flag.NewFlagSet("backup", flag.ContinueOnError)
	url := fl.String("url", os.Getenv("SUARA_BACKUP_URL"), "database URL of a role that bypasses row-level security (default $SUARA_BACKUP_URL)")
	file := fl.String("o", "", "dump file to write")
	in := fl.String("i", "", "dump file to restore")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *url == "" {
		return errors.New("backup: -url or SUARA_BACKUP_URL is required (a superuser or BYPASSRLS role: tenant tables FORCE row-level security)")
	}
	if restore {
		if *in == "" {
			return errors.New("backup restore: -i FILE is required")
		}
		if err := Restore(ctx, *url, *in); err != nil {
			return err
		}
		fmt.Fprintln(out, "restored", *in)
		return nil
	}
	if *file == "" {
		return errors.New("backup: -o FILE is required")
	}
	if err := Backup(ctx, *url, *file); err != nil {
		return err
	}
	fmt.Fprintln(out, "backup written to", *file)
	return nil
}
