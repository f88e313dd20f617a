package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver for id look-ups

	"github.com/suara-id/suara/internal/benchdata"
)

var tpsRE = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)

// ParseTPS reads the transactions per second from pgbench's output.
func ParseTPS(out string) (float64, error) {
	m := tpsRE.FindStringSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no tps in pgbench output: %q", lastLines(out, 5))
	}
	return strconv.ParseFloat(m[1], 64)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// pgVars are the -D variables of the scripts, looked up once.
func (d *driver) pgVars(ctx context.Context) ([]string, error) {
	if d.vars != nil {
		return d.vars, nil
	}
	db, err := sql.Open("pgx", d.cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("bench: database: %w", err)
	}
	defer db.Close()
	var tenants, slugs, branches []string
	for _, slug := range d.cfg.Tenants {
		id, br, err := d.lookups(ctx, db, slug)
		if err != nil {
			return nil, fmt.Errorf("bench: look up %s: %w", slug, err)
		}
		tenants, slugs, branches = append(tenants, id), append(slugs, slug), append(branches, br)
	}
	arr := func(xs []string) string { return "{" + strings.Join(xs, ",") + "}" }
	d.vars = []string{
		"-D", "ntenants=" + strconv.Itoa(len(tenants)),
		"-D", "tenants=" + arr(tenants),
		"-D", "slugs=" + arr(slugs),
		"-D", "workers=" + arr(d.s.workerIDs),
		"-D", "staff=" + arr(d.s.staffIDs),
		"-D", "branches=" + arr(branches),
	}
	return d.vars, nil
}

// lookups returns a tenant's id and its province sub-tree as a uuid[]
// literal (the HTTP API does not expose them).
func (d *driver) lookups(ctx context.Context, db *sql.DB, slug string) (tenantID, branches string, err error) {
	if err := db.QueryRowContext(ctx, "SELECT id FROM tenants WHERE slug = $1", slug).Scan(&tenantID); err != nil {
		return "", "", fmt.Errorf("tenant %s: %w", slug, err)
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return "", "", err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, "SELECT set_config('app.tenant_id', $1, true)", tenantID); err != nil {
		return "", "", err
	}
	p := benchdata.ProvincePath(slug)
	err = tx.QueryRowContext(ctx, `SELECT '{' || string_agg(id::text, ',' ORDER BY path) || '}' FROM branches
		WHERE path = $1 OR path LIKE $1 || '/%'`, p).Scan(&branches)
	return tenantID, branches, err
}

// pgRound is one pgbench run: its rate and every transaction's time.
type pgRound struct {
	tps     float64
	elapsed time.Duration // its measured span (transactions ÷ tps)
	lat     []time.Duration
}

// pgbench runs the scenario's script at conc clients, for dur (whole
// seconds, at least one) or, with perClient > 0, for that many
// transactions per client, and returns its transactions per second and
// each transaction's time (from its -l log).
func (d *driver) pgbench(ctx context.Context, scenario string, conc int, dur time.Duration, perClient int) (pgRound, error) {
	vars, err := d.pgVars(ctx)
	if err != nil {
		return pgRound{}, err
	}
	logs, err := os.MkdirTemp("", "suara-pgbench-*")
	if err != nil {
		return pgRound{}, err
	}
	defer os.RemoveAll(logs)
	prefix := filepath.Join(logs, "tx")
	secs := max(1, int(dur.Round(time.Second)/time.Second))
	bound := []string{"-T", strconv.Itoa(secs)}
	if perClient > 0 {
		bound = []string{"-t", strconv.Itoa(perClient)}
	}
	args := []string{"-n", "-M", "prepared", "-c", strconv.Itoa(conc), "-j", strconv.Itoa(min(conc, 4))}
	args = append(args, bound...)
	args = append(args, "-l", "--log-prefix", prefix, "-f", filepath.Join(d.cfg.PGBenchScripts, scenario+".sql"))
	args = append(args, vars...)
	args = append(args, d.cfg.DatabaseURL)
	cmd := exec.CommandContext(ctx, d.cfg.PGBench, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return pgRound{}, fmt.Errorf("bench: pgbench %s -c %d: %w: %s", scenario, conc, err, lastLines(string(out), 8))
	}
	if m := failedRE.FindStringSubmatch(string(out)); m != nil {
		return pgRound{}, fmt.Errorf("bench: pgbench %s -c %d: %s failed transactions", scenario, conc, m[1])
	}
	tps, err := ParseTPS(string(out))
	if err != nil {
		return pgRound{}, err
	}
	r := pgRound{tps: tps}
	files, _ := filepath.Glob(prefix + ".*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return pgRound{}, err
		}
		r.lat = append(r.lat, ParseTxLog(string(b))...)
	}
	if tps > 0 {
		r.elapsed = time.Duration(float64(len(r.lat)) / tps * float64(time.Second))
	}
	return r, nil
}

var failedRE = regexp.MustCompile(`number of failed transactions: ([1-9][0-9]*)`)

// ParseTxLog reads the transaction times from a pgbench -l log: one line
// per transaction, "client_id transaction_no time script_no time_epoch
// time_us", time in microseconds.
func ParseTxLog(log string) []time.Duration {
	var ds []time.Duration
	for _, line := range strings.Split(log, "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		us, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || us < 0 {
			continue
		}
		ds = append(ds, time.Duration(us)*time.Microsecond)
	}
	return ds
}
