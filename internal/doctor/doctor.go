// Package doctor owns `suara doctor`: it checks a deployment the way an
// operator would — configuration, database reachability and migrations, the
// app role's privileges, row-level security on every tenant table, Ollama,
// evidence storage and clock skew — and prints a table that says, for each
// problem, what to fix. It reads and probes; it never repairs.
package doctor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db"
)

// Status is a check's verdict.
type Status int

const (
	OK   Status = iota
	Skip        // not applicable (disabled) or impossible (a check it needs failed)
	Warn        // works, but degraded or risky
	Fail        // broken: Run reports not ok
)

func (s Status) String() string {
	switch s {
	case OK:
		return "ok"
	case Skip:
		return "skip"
	case Warn:
		return "warn"
	default:
		return "FAIL"
	}
}

// Result is one row of the report.
type Result struct {
	Check  string
	Status Status
	Detail string // what was found
	Fix    string // what to do about it; empty when nothing
}

// Check names, as printed.
const (
	CheckConfig     = "config"
	CheckDatabase   = "database"
	CheckMigrations = "migrations"
	CheckAppRole    = "app role"
	CheckRLS        = "row-level security"
	CheckOllama     = "ollama"
	CheckEvidence   = "evidence storage"
	CheckClock      = "clock skew"
)

// MaxClockSkew is the skew between this host and PostgreSQL beyond which
// doctor warns: SLA deadlines, session expiry and the event log's times mix
// both clocks.
const MaxClockSkew = 2 * time.Second

// Run checks everything, prints the table to out and reports whether no
// check failed (warnings do not fail).
func Run(ctx context.Context, cfg *config.Config, out io.Writer) (ok bool) {
	results := Diagnose(ctx, cfg)
	Print(out, results)
	return Healthy(results)
}

// Healthy reports whether no result failed.
func Healthy(results []Result) bool {
	for _, r := range results {
		if r.Status == Fail {
			return false
		}
	}
	return true
}

// Diagnose runs every check in order. Checks that need the database are
// skipped, not failed, when it cannot be reached: one cause, one FAIL.
func Diagnose(ctx context.Context, cfg *config.Config) []Result {
	results := []Result{checkConfig(cfg)}
	app, res := connect(ctx, cfg)
	results = append(results, res)
	if app == nil {
		for _, name := range []string{CheckMigrations, CheckAppRole, CheckRLS, CheckClock} {
			results = append(results, Result{Check: name, Status: Skip, Detail: "database unreachable"})
		}
	} else {
		defer app.Close()
		results = append(results,
			checkMigrations(ctx, cfg, app),
			checkAppRole(ctx, app),
			checkRLS(ctx, app),
			checkClock(ctx, app),
		)
	}
	results = append(results, checkOllama(ctx, cfg.Classify.Ollama), checkEvidenceStore(ctx, cfg), checkMedia(cfg.Evidence),
		checkShippedCalendar(time.Now()))
	// Keep the printed order stable and readable: the order checks ran in.
	return results
}

// Print writes results as a table: check, status, and what was found
// followed by what to fix.
func Print(out io.Writer, results []Result) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSTATUS\tDETAIL / WHAT TO FIX")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Check, r.Status, oneLine(r.Detail))
		if r.Fix != "" {
			fmt.Fprintf(tw, "\t\tfix: %s\n", oneLine(r.Fix))
		}
	}
	_ = tw.Flush()
	failed, warned := 0, 0
	for _, r := range results {
		switch r.Status {
		case Fail:
			failed++
		case Warn:
			warned++
		}
	}
	switch {
	case failed > 0:
		fmt.Fprintf(out, "\n%d check(s) failed, %d warning(s): fix the FAIL rows above.\n", failed, warned)
	case warned > 0:
		fmt.Fprintf(out, "\nNo failures, %d warning(s).\n", warned)
	default:
		fmt.Fprintln(out, "\nAll checks passed.")
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// envName is the environment variable that sets a config key.
func envName(key string) string {
	return "SUARA_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

func checkConfig(cfg *config.Config) Result {
	r := Result{Check: CheckConfig}
	if err := cfg.Validate(); err != nil {
		r.Status, r.Detail = Fail, err.Error()
		r.Fix = "correct the keys named above in the config file or their SUARA_* variables"
		return r
	}
	// Valid, but risky in production: each is a way to leak or lose data.
	var warns, fixes []string
	if cfg.Env == "production" {
		if cfg.HTTP.PublicScheme != "https" {
			warns = append(warns, "http.public_scheme is http")
			fixes = append(fixes, "serve over TLS and set http.public_scheme: https")
		}
		if !cfg.HTTP.SecureCookies {
			warns = append(warns, "http.secure_cookies is off")
			fixes = append(fixes, "set http.secure_cookies: true behind TLS")
		}
		if len(cfg.HTTP.TrustedProxies) == 0 {
			warns = append(warns, "http.trusted_proxies is empty")
			fixes = append(fixes, "list the reverse proxy's address in http.trusted_proxies, or X-Forwarded-Host is ignored and custom domains break")
		}
		if cfg.Security.MetricsToken == "" {
			warns = append(warns, "security.metrics_token is empty")
			fixes = append(fixes, "set security.metrics_token so only your Prometheus can scrape /metrics")
		}
	}
	// Suara cannot see its reverse proxy's logs, so it asks the operator to
	// state them: a proxy that logs client addresses beside union hosts
	// and times can tie an anonymous filing to an address.
	if len(cfg.HTTP.TrustedProxies) > 0 && cfg.HTTP.ProxyAccessLog == "" {
		warns = append(warns, "a reverse proxy is trusted but nothing states that its access logs keep no client addresses for union hosts")
		fixes = append(fixes, "configure the proxy as in docs/deploy.md (\"Access logs\"), then set http.proxy_access_log: off or no_addresses")
	}
	if len(warns) > 0 {
		r.Status, r.Detail, r.Fix = Warn, "valid, but "+strings.Join(warns, "; "), strings.Join(fixes, "; ")
		return r
	}
	r.Status, r.Detail = OK, fmt.Sprintf("valid (env %s, base domain %s)", cfg.Env, cfg.HTTP.BaseDomain)
	return r
}

// connect opens the app role's connection, as `suara serve` does.
func connect(ctx context.Context, cfg *config.Config) (*sql.DB, Result) {
	r := Result{Check: CheckDatabase}
	where := redact(cfg.Database.URL)
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	bdb, err := db.Open(cctx, cfg.Database.URL, db.Options{MaxOpenConns: 2})
	if err != nil {
		r.Status, r.Detail = Fail, fmt.Sprintf("cannot connect to %s: %v", where, err)
		r.Fix = "check database.url (" + envName("database.url") + "): host, port, database name, user and password; is PostgreSQL running and reachable from here?"
		return nil, r
	}
	var version string
	if err := bdb.QueryRowContext(ctx, "SHOW server_version").Scan(&version); err != nil {
		version = "?"
	}
	r.Status, r.Detail = OK, fmt.Sprintf("connected to %s (PostgreSQL %s)", where, version)
	return bdb.DB, r
}

// redact hides a URL's password: doctor output is pasted into chats.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

const codeInsufficientPrivilege = "42501"
const codeUndefinedTable = "42P01"

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// embeddedMigrations lists the migration names this binary carries, named
// as bun names them: the leading digits of the file name.
func embeddedMigrations() ([]string, error) {
	seen := map[string]bool{}
	err := fs.WalkDir(suara.MigrationsFS, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".up.sql") {
			return err
		}
		base := filepath.Base(path)
		name, _, ok := strings.Cut(base, "_")
		if !ok || name == "" || strings.Trim(name, "0123456789") != "" {
			return fmt.Errorf("migration file %s is not named <digits>_<comment>.up.sql", base)
		}
		seen[name] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list embedded migrations: %w", err)
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// appliedMigrations reads bun's table. The app role is normally not granted
// it, so the owner's connection is tried when the app's is refused.
func appliedMigrations(ctx context.Context, cfg *config.Config, app *sql.DB) (names []string, missing bool, err error) {
	query := func(q *sql.DB) error {
		rows, err := q.QueryContext(ctx, "SELECT name FROM bun_migrations ORDER BY name")
		if err != nil {
			return err
		}
		defer rows.Close()
		names = names[:0]
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			names = append(names, n)
		}
		return rows.Err()
	}
	err = query(app)
	if pgCode(err) == codeInsufficientPrivilege && cfg.Database.OwnerURL != "" {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		owner, oerr := db.Open(cctx, cfg.Database.OwnerURL, db.Options{MaxOpenConns: 1})
		if oerr != nil {
			return nil, false, fmt.Errorf("the app role may not read bun_migrations and the owner cannot connect (%s): %w", redact(cfg.Database.OwnerURL), oerr)
		}
		defer owner.Close()
		err = query(owner.DB)
	}
	if pgCode(err) == codeUndefinedTable {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read bun_migrations: %w", err)
	}
	return names, false, nil
}

func checkMigrations(ctx context.Context, cfg *config.Config, app *sql.DB) Result {
	r := Result{Check: CheckMigrations}
	want, err := embeddedMigrations()
	if err != nil {
		r.Status, r.Detail = Fail, err.Error()
		return r
	}
	applied, missing, err := appliedMigrations(ctx, cfg, app)
	if err != nil {
		r.Status, r.Detail = Warn, "cannot check: "+err.Error()
		r.Fix = "set database.owner_url (" + envName("database.owner_url") + ") so doctor can read the migrations table"
		return r
	}
	if missing {
		r.Status, r.Detail = Fail, "the database has never been migrated (no bun_migrations table)"
		r.Fix = "run `suara migrate` (it connects as database.owner_url)"
		return r
	}
	have := map[string]bool{}
	for _, n := range applied {
		have[n] = true
	}
	var pending, unknown []string
	for _, n := range want {
		if !have[n] {
			pending = append(pending, n)
		}
		delete(have, n)
	}
	for n := range have {
		unknown = append(unknown, n)
	}
	sort.Strings(unknown)
	switch {
	case len(pending) > 0:
		r.Status, r.Detail = Fail, fmt.Sprintf("%d of %d migrations pending: %s", len(pending), len(want), strings.Join(pending, ", "))
		r.Fix = "run `suara migrate` before serving this version"
	case len(unknown) > 0:
		r.Status, r.Detail = Warn, fmt.Sprintf("the database has migrations this binary does not know: %s", strings.Join(unknown, ", "))
		r.Fix = "this binary is older than the schema: upgrade it (never run an old binary against a newer schema)"
	default:
		r.Status, r.Detail = OK, fmt.Sprintf("all %d migrations applied", len(want))
	}
	return r
}

func checkAppRole(ctx context.Context, app *sql.DB) Result {
	r := Result{Check: CheckAppRole}
	var user string
	var super, bypass bool
	if err := app.QueryRowContext(ctx,
		"SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").Scan(&user, &super, &bypass); err != nil {
		r.Status, r.Detail = Fail, "cannot read the role's attributes: "+err.Error()
		return r
	}
	// Objects the role owns, directly or through a role it is a member of:
	// an owner can switch row-level security off, and without FORCE it
	// bypasses it outright.
	rows, err := app.QueryContext(ctx, `
		SELECT n.nspname || '.' || c.relname, r.rolname
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_roles r ON r.oid = c.relowner
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
		  AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
		  AND pg_has_role(current_user, c.relowner, 'MEMBER')
		ORDER BY 1`)
	if err != nil {
		r.Status, r.Detail = Fail, "cannot list owned objects: "+err.Error()
		return r
	}
	defer rows.Close()
	var owned []string
	for rows.Next() {
		var rel, owner string
		if err := rows.Scan(&rel, &owner); err != nil {
			r.Status, r.Detail = Fail, "cannot list owned objects: "+err.Error()
			return r
		}
		if owner != user {
			rel += " (owner " + owner + ", of which " + user + " is a member)"
		}
		owned = append(owned, rel)
	}
	if err := rows.Err(); err != nil {
		r.Status, r.Detail = Fail, "cannot list owned objects: "+err.Error()
		return r
	}

	var problems, fixes []string
	if super {
		problems = append(problems, user+" is a SUPERUSER: row-level security does not apply to it")
		fixes = append(fixes, "connect the app as a role created NOSUPERUSER NOBYPASSRLS (see scripts/pg.sh), migrations as the owner role")
	}
	if bypass {
		problems = append(problems, user+" has BYPASSRLS: every tenant's rows are visible to it")
		fixes = append(fixes, "ALTER ROLE "+user+" NOBYPASSRLS")
	}
	if len(owned) > 0 {
		shown := owned
		if len(shown) > 5 {
			shown = append(shown[:5:5], fmt.Sprintf("and %d more", len(owned)-5))
		}
		problems = append(problems, fmt.Sprintf("%s owns %d relation(s): %s", user, len(owned), strings.Join(shown, ", ")))
		fixes = append(fixes, "connect the app (database.url) as its own role, such as suara_app, that owns nothing and is not a member of the owner role; only migrations connect as the owner (database.owner_url)")
	}
	if len(problems) > 0 {
		r.Status, r.Detail, r.Fix = Fail, strings.Join(problems, "; "), strings.Join(fixes, "; ")
		return r
	}
	r.Status, r.Detail = OK, user+": not superuser, no BYPASSRLS, owns nothing"
	return r
}

func checkRLS(ctx context.Context, app *sql.DB) Result {
	r := Result{Check: CheckRLS}
	rows, err := app.QueryContext(ctx, `
		SELECT c.relname, c.relkind::text, c.relrowsecurity, c.relforcerowsecurity,
		       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid),
		       coalesce(array_to_string(c.reloptions, ','), ''),
		       has_table_privilege(current_user, c.oid, 'SELECT')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
		  AND c.relkind IN ('r', 'p', 'v', 'm')
		  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
		ORDER BY c.relname`)
	if err != nil {
		r.Status, r.Detail = Fail, "cannot read the catalogue: "+err.Error()
		return r
	}
	defer rows.Close()
	tables := 0
	var problems, fixes []string
	for rows.Next() {
		var name, kind, options string
		var enabled, forced, readable bool
		var policies int
		if err := rows.Scan(&name, &kind, &enabled, &forced, &policies, &options, &readable); err != nil {
			r.Status, r.Detail = Fail, "cannot read the catalogue: "+err.Error()
			return r
		}
		switch kind {
		case "r", "p":
			tables++
			if !enabled {
				problems = append(problems, name+": row-level security not enabled")
				fixes = append(fixes, "ALTER TABLE "+name+" ENABLE ROW LEVEL SECURITY")
			}
			if !forced {
				problems = append(problems, name+": row-level security not forced")
				fixes = append(fixes, "ALTER TABLE "+name+" FORCE ROW LEVEL SECURITY")
			}
			if policies == 0 {
				problems = append(problems, name+": no policy")
				fixes = append(fixes, "CREATE POLICY tenant_isolation ON "+name+" USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)")
			}
		case "v":
			// A view runs as its owner unless security_invoker is set, and
			// the owner's rights see every tenant.
			if readable && !securityInvoker(options) {
				problems = append(problems, "view "+name+" reads tenant rows without security_invoker")
				fixes = append(fixes, "ALTER VIEW "+name+" SET (security_invoker = true)")
			}
		case "m":
			if readable {
				problems = append(problems, "materialized view "+name+" holds tenant rows and row-level security cannot apply to it")
				fixes = append(fixes, "REVOKE SELECT ON "+name+" FROM the app role, or read it through a tenant-filtered function")
			}
		}
	}
	if err := rows.Err(); err != nil {
		r.Status, r.Detail = Fail, "cannot read the catalogue: "+err.Error()
		return r
	}
	switch {
	case len(problems) > 0:
		r.Status, r.Detail = Fail, strings.Join(problems, "; ")
		r.Fix = "in a new migration: " + strings.Join(fixes, "; ")
	case tables == 0:
		r.Status, r.Detail = Fail, "no table has a tenant_id column: wrong database or schema not migrated"
		r.Fix = "check database.url names the right database, then run `suara migrate`"
	default:
		r.Status, r.Detail = OK, fmt.Sprintf("enabled and forced, with a policy, on all %d tenant tables", tables)
	}
	return r
}

func securityInvoker(options string) bool {
	for _, o := range strings.Split(options, ",") {
		k, v, _ := strings.Cut(o, "=")
		if strings.EqualFold(strings.TrimSpace(k), "security_invoker") {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true", "on", "1", "yes":
				return true
			}
		}
	}
	return false
}

// checkClock compares PostgreSQL's clock with ours, measured at the middle
// of the round trip so network latency does not count as skew.
func checkClock(ctx context.Context, app *sql.DB) Result {
	r := Result{Check: CheckClock}
	before := time.Now()
	var dbNow time.Time
	// clock_timestamp, not now(): now() is the transaction's start.
	if err := app.QueryRowContext(ctx, "SELECT clock_timestamp()").Scan(&dbNow); err != nil {
		r.Status, r.Detail = Warn, "cannot read the database clock: "+err.Error()
		return r
	}
	after := time.Now()
	return clockResult(dbNow.Sub(before.Add(after.Sub(before) / 2)))
}

// clockResult judges skew, the database clock minus ours.
func clockResult(skew time.Duration) Result {
	r := Result{Check: CheckClock}
	abs, rel := skew, "ahead of"
	if abs < 0 {
		abs, rel = -abs, "behind"
	}
	detail := fmt.Sprintf("database clock is %s %s this host's", abs.Round(time.Millisecond), rel)
	if abs > MaxClockSkew {
		r.Status, r.Detail = Warn, detail
		r.Fix = "synchronise both clocks with NTP (chrony or systemd-timesyncd): SLA deadlines and session expiry mix them"
		return r
	}
	r.Status, r.Detail = OK, detail
	return r
}

// checkEvidence proves the evidence folder is writable by writing, syncing
// and removing a file where evidence would go.
func checkEvidence(dataDir string) Result {
	r := Result{Check: CheckEvidence}
	dir := filepath.Join(dataDir, "evidence")
	fix := "make " + dir + " writable by the user suara runs as (paths.data, " + envName("paths.data") + ")"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		r.Status, r.Detail, r.Fix = Fail, "cannot create "+dir+": "+err.Error(), fix
		return r
	}
	f, err := os.CreateTemp(dir, ".doctor-*")
	if err != nil {
		r.Status, r.Detail, r.Fix = Fail, "cannot write in "+dir+": "+err.Error(), fix
		return r
	}
	name := f.Name()
	_, werr := f.Write([]byte("suara doctor\n"))
	serr := f.Sync()
	cerr := f.Close()
	rerr := os.Remove(name)
	if err := errors.Join(werr, serr, cerr); err != nil {
		r.Status, r.Detail, r.Fix = Fail, "cannot write in "+dir+": "+err.Error(), fix
		return r
	}
	if rerr != nil {
		r.Status, r.Detail, r.Fix = Warn, "wrote but cannot remove a file in "+dir+": "+rerr.Error(), fix
		return r
	}
	r.Status, r.Detail = OK, "writable: "+dir
	return r
}
