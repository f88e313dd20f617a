package doctor_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	suara "github.com/suara-id/suara"

	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/doctor"
)

// fakeOllama answers /api/tags with the given models, as compact JSON on
// one line like the real server.
func fakeOllama(t *testing.T, models ...string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/tags" {
			http.NotFound(w, r)
			return
		}
		var parts []string
		for _, m := range models {
			parts = append(parts, fmt.Sprintf(`{"name":%q,"model":%q,"size":1}`, m, m))
		}
		fmt.Fprintf(w, `{"models":[%s]}`+"\n", strings.Join(parts, ","))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// healthyConfig is a correct setup on t's own database.
func healthyConfig(t *testing.T, tdb *pgtest.DB) *config.Config {
	t.Helper()
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database.URL, cfg.Database.OwnerURL = tdb.AppURL, tdb.OwnerURL
	cfg.Paths.Data = t.TempDir()
	cfg.Classify.Ollama.Host = fakeOllama(t, "qwen2.5:3b", "llama3.2:1b").URL
	return cfg
}

func result(t *testing.T, rs []doctor.Result, check string) doctor.Result {
	t.Helper()
	for _, r := range rs {
		if r.Check == check {
			return r
		}
	}
	t.Fatalf("no %q row in %+v", check, rs)
	return doctor.Result{}
}

// expect asserts a row's status and that its detail and fix say what the
// operator needs to read.
func expect(t *testing.T, rs []doctor.Result, check string, status doctor.Status, detail, fix []string) {
	t.Helper()
	r := result(t, rs, check)
	if r.Status != status {
		t.Errorf("%s: status %s, want %s (%s)", check, r.Status, status, r.Detail)
	}
	for _, d := range detail {
		if !strings.Contains(r.Detail, d) {
			t.Errorf("%s: detail %q does not say %q", check, r.Detail, d)
		}
	}
	for _, f := range fix {
		if !strings.Contains(r.Fix, f) {
			t.Errorf("%s: fix %q does not say %q", check, r.Fix, f)
		}
	}
}

func randName(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// urlFor points base at database name, as user:password when user is set.
func urlFor(t *testing.T, base, user, password, name string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	u.Path = "/" + name
	return u.String()
}

// migrationNames lists the embedded migrations as bun names them.
func migrationNames(t *testing.T) []string {
	t.Helper()
	files, err := fs.Glob(suara.MigrationsFS, "migrations/*.up.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("embedded migrations: %v %v", files, err)
	}
	var out []string
	for _, f := range files {
		out = append(out, strings.SplitN(filepath.Base(f), "_", 2)[0])
	}
	sort.Strings(out)
	return out
}

func TestDoctorHealthySetup(t *testing.T) {
	tdb := pgtest.New(t)
	cfg := healthyConfig(t, tdb)
	var out bytes.Buffer
	ok := doctor.Run(context.Background(), cfg, &out)
	if !ok {
		t.Fatalf("healthy setup reported not ok:\n%s", out.String())
	}
	rs := doctor.Diagnose(context.Background(), cfg)
	for _, r := range rs {
		if r.Status != doctor.OK {
			t.Errorf("%s: %s (%s), want ok", r.Check, r.Status, r.Detail)
		}
	}
	expect(t, rs, doctor.CheckMigrations, doctor.OK, []string{fmt.Sprintf("all %d migrations applied", len(migrationNames(t)))}, nil)
	expect(t, rs, doctor.CheckAppRole, doctor.OK, []string{"suara_app"}, nil)
	expect(t, rs, doctor.CheckRLS, doctor.OK, []string{"enabled and forced, with a policy, on all"}, nil)
	expect(t, rs, doctor.CheckOllama, doctor.OK, []string{"qwen2.5:3b present"}, nil)
	for _, name := range []string{"CHECK", "STATUS", doctor.CheckConfig, doctor.CheckDatabase, doctor.CheckMigrations,
		doctor.CheckAppRole, doctor.CheckRLS, doctor.CheckOllama, doctor.CheckEvidence, doctor.CheckClock, "All checks passed"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("report lacks %q:\n%s", name, out.String())
		}
	}
	// The probe file is gone: doctor leaves no trace in evidence storage.
	entries, err := os.ReadDir(filepath.Join(cfg.Paths.Data, "evidence"))
	if err != nil || len(entries) != 0 {
		t.Errorf("evidence folder after doctor: %v, %v", entries, err)
	}
}

func TestDoctorWrongDSN(t *testing.T) {
	tdb := pgtest.New(t)
	// A port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().(*net.TCPAddr).Port
	l.Close()

	for _, tc := range []struct {
		name   string
		dsn    string
		detail []string
	}{
		{"closed port", fmt.Sprintf("postgres://suara_app:suara_app@127.0.0.1:%d/suara?sslmode=disable", closedPort),
			[]string{"cannot connect", fmt.Sprintf("127.0.0.1:%d", closedPort)}},
		// The local test cluster trusts every password, so a wrong user
		// stands in for wrong credentials.
		{"unknown user", urlFor(t, tdb.AppURL, "suara_nobody", "not-the-password-xyz", tdb.Name),
			[]string{"cannot connect", `role "suara_nobody" does not exist`}},
		{"no such database", urlFor(t, tdb.AppURL, "", "", "suara_nope_"+randName("")),
			[]string{"cannot connect", "does not exist"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := healthyConfig(t, tdb)
			cfg.Database.URL = tc.dsn
			var out bytes.Buffer
			if doctor.Run(context.Background(), cfg, &out) {
				t.Fatalf("wrong DSN reported ok:\n%s", out.String())
			}
			rs := doctor.Diagnose(context.Background(), cfg)
			expect(t, rs, doctor.CheckDatabase, doctor.Fail, tc.detail, []string{"database.url", "SUARA_DATABASE_URL"})
			// One cause, one FAIL: what needs the database is skipped.
			for _, c := range []string{doctor.CheckMigrations, doctor.CheckAppRole, doctor.CheckRLS, doctor.CheckClock} {
				expect(t, rs, c, doctor.Skip, []string{"database unreachable"}, nil)
			}
			expect(t, rs, doctor.CheckEvidence, doctor.OK, nil, nil)
			if strings.Contains(out.String(), "not-the-password-xyz") {
				t.Errorf("report prints the password:\n%s", out.String())
			}
		})
	}
}

// A role with BYPASSRLS sees every tenant. Roles are cluster-wide, so the
// test makes its own throwaway role rather than touch suara_app.
func TestDoctorAppRoleWithBypassRLS(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	admin, err := db.Open(ctx, pgtest.AdminURL(t), db.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	role := randName("doctor_bypass_")
	if _, err := admin.ExecContext(ctx, fmt.Sprintf("CREATE ROLE %s LOGIN NOSUPERUSER BYPASSRLS PASSWORD '%s'", role, role)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := db.Open(context.Background(), pgtest.AdminURL(t), db.Options{MaxOpenConns: 1})
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer a.Close()
		if _, err := a.ExecContext(context.Background(), "DROP ROLE IF EXISTS "+role); err != nil {
			t.Errorf("drop role %s: %v", role, err)
		}
	})
	cfg := healthyConfig(t, tdb)
	cfg.Database.URL = urlFor(t, tdb.AppURL, role, role, tdb.Name)
	var out bytes.Buffer
	if doctor.Run(ctx, cfg, &out) {
		t.Fatalf("BYPASSRLS app role reported ok:\n%s", out.String())
	}
	rs := doctor.Diagnose(ctx, cfg)
	expect(t, rs, doctor.CheckAppRole, doctor.Fail,
		[]string{role + " has BYPASSRLS"}, []string{"ALTER ROLE " + role + " NOBYPASSRLS"})
	if r := result(t, rs, doctor.CheckAppRole); strings.Contains(r.Detail, "SUPERUSER") || strings.Contains(r.Detail, "owns") {
		t.Errorf("app role detail blames more than BYPASSRLS: %s", r.Detail)
	}
	// The rest of the setup is fine and says so.
	expect(t, rs, doctor.CheckDatabase, doctor.OK, nil, nil)
	expect(t, rs, doctor.CheckRLS, doctor.OK, nil, nil)
	if !strings.Contains(out.String(), "FAIL") || !strings.Contains(out.String(), "NOBYPASSRLS") {
		t.Errorf("printed report lacks the failure and its fix:\n%s", out.String())
	}
}

// Connecting the app as the superuser or as the owner are the two other
// ways to step around row-level security.
func TestDoctorAppRoleSuperuserOrOwner(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()

	cfg := healthyConfig(t, tdb)
	cfg.Database.URL = urlFor(t, pgtest.AdminURL(t), "", "", tdb.Name)
	rs := doctor.Diagnose(ctx, cfg)
	expect(t, rs, doctor.CheckAppRole, doctor.Fail, []string{"is a SUPERUSER"}, []string{"NOSUPERUSER NOBYPASSRLS"})

	cfg.Database.URL = tdb.OwnerURL
	rs = doctor.Diagnose(ctx, cfg)
	expect(t, rs, doctor.CheckAppRole, doctor.Fail, []string{"suara_owner owns", "public."}, []string{"not a member of the owner role"})
}

func TestDoctorTableWithRLSNotForced(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	if _, err := tdb.Owner.ExecContext(ctx, "ALTER TABLE workplaces NO FORCE ROW LEVEL SECURITY"); err != nil {
		t.Fatal(err)
	}
	cfg := healthyConfig(t, tdb)
	var out bytes.Buffer
	if doctor.Run(ctx, cfg, &out) {
		t.Fatalf("unforced RLS reported ok:\n%s", out.String())
	}
	rs := doctor.Diagnose(ctx, cfg)
	expect(t, rs, doctor.CheckRLS, doctor.Fail,
		[]string{"workplaces: row-level security not forced"}, []string{"ALTER TABLE workplaces FORCE ROW LEVEL SECURITY"})
	r := result(t, rs, doctor.CheckRLS)
	for _, other := range []string{"branches", "categories", "not enabled", "no policy"} {
		if strings.Contains(r.Detail, other) {
			t.Errorf("RLS detail names %q, which is fine: %s", other, r.Detail)
		}
	}

	// More ways to lose isolation, each named.
	for _, stmt := range []string{
		"ALTER TABLE branches DISABLE ROW LEVEL SECURITY",
		"DROP POLICY tenant_isolation ON categories",
		"CREATE VIEW leaky_workplaces AS SELECT tenant_id, id, company FROM workplaces",
		"GRANT SELECT ON leaky_workplaces TO suara_app",
		"CREATE VIEW safe_workplaces WITH (security_invoker = true) AS SELECT tenant_id, id FROM workplaces",
		"GRANT SELECT ON safe_workplaces TO suara_app",
	} {
		if _, err := tdb.Owner.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	rs = doctor.Diagnose(ctx, cfg)
	expect(t, rs, doctor.CheckRLS, doctor.Fail, []string{
		"workplaces: row-level security not forced",
		"branches: row-level security not enabled",
		"categories: no policy",
		"view leaky_workplaces reads tenant rows without security_invoker",
	}, []string{"ALTER TABLE branches ENABLE ROW LEVEL SECURITY", "CREATE POLICY tenant_isolation ON categories",
		"ALTER VIEW leaky_workplaces SET (security_invoker = true)"})
	if r := result(t, rs, doctor.CheckRLS); strings.Contains(r.Detail, "safe_workplaces") {
		t.Errorf("security_invoker view blamed: %s", r.Detail)
	}
}

func TestDoctorMigrationsState(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	cfg := healthyConfig(t, tdb)

	if _, err := tdb.Owner.ExecContext(ctx, "INSERT INTO bun_migrations (name, group_id) VALUES ('29991231000000', 99)"); err != nil {
		t.Fatal(err)
	}
	expect(t, doctor.Diagnose(ctx, cfg), doctor.CheckMigrations, doctor.Warn,
		[]string{"migrations this binary does not know: 29991231000000"}, []string{"upgrade"})

	if _, err := tdb.Owner.ExecContext(ctx, "DELETE FROM bun_migrations"); err != nil {
		t.Fatal(err)
	}
	names := migrationNames(t)
	expect(t, doctor.Diagnose(ctx, cfg), doctor.CheckMigrations, doctor.Fail,
		[]string{fmt.Sprintf("%d of %d migrations pending: %s", len(names), len(names), strings.Join(names, ", "))}, []string{"suara migrate"})

	if _, err := tdb.Owner.ExecContext(ctx, "DROP TABLE bun_migrations"); err != nil {
		t.Fatal(err)
	}
	expect(t, doctor.Diagnose(ctx, cfg), doctor.CheckMigrations, doctor.Fail,
		[]string{"never been migrated"}, []string{"suara migrate"})
}

// An unreachable Ollama degrades classification to the built-in model; the
// report says precisely why, but the setup still works, so it warns.
func TestDoctorOllamaUnreachable(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer broken.Close()

	for _, tc := range []struct {
		name   string
		host   string
		model  string
		status doctor.Status
		detail []string
		fix    []string
	}{
		{"closed", goneURL, "qwen2.5:3b", doctor.Warn, []string{"unreachable at " + goneURL, "connection refused", "built-in classifier"}, []string{"ollama serve", "classify.ollama.host"}},
		{"http 500", broken.URL, "qwen2.5:3b", doctor.Warn, []string{"unreachable", "HTTP 500"}, []string{"classify.ollama.host"}},
		{"model missing", fakeOllama(t, "llama3.2:1b").URL, "qwen2.5:3b", doctor.Warn, []string{"model qwen2.5:3b is not pulled", "has: llama3.2:1b"}, []string{"ollama pull qwen2.5:3b"}},
		{"no models", fakeOllama(t).URL, "qwen2.5:3b", doctor.Warn, []string{"not pulled (has: none)"}, []string{"ollama pull qwen2.5:3b"}},
		{"untagged means latest", fakeOllama(t, "sailor2:latest").URL, "sailor2", doctor.OK, []string{"model sailor2 present"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := healthyConfig(t, tdb)
			cfg.Classify.Ollama.Host, cfg.Classify.Ollama.Model = tc.host, tc.model
			var out bytes.Buffer
			ok := doctor.Run(ctx, cfg, &out)
			if !ok {
				t.Errorf("a missing Ollama failed the run; it should only warn:\n%s", out.String())
			}
			expect(t, doctor.Diagnose(ctx, cfg), doctor.CheckOllama, tc.status, tc.detail, tc.fix)
		})
	}

	t.Run("disabled", func(t *testing.T) {
		cfg := healthyConfig(t, tdb)
		cfg.Classify.Ollama.Enabled = false
		cfg.Classify.Ollama.Host = goneURL
		expect(t, doctor.Diagnose(ctx, cfg), doctor.CheckOllama, doctor.Skip, []string{"disabled"}, nil)
	})
}

func TestDoctorEvidenceNotWritable(t *testing.T) {
	tdb := pgtest.New(t)
	cfg := healthyConfig(t, tdb)
	// A file where the data folder should be: nothing can be created under it
	// (this holds even for root, unlike a permission bit).
	file := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Paths.Data = file
	var out bytes.Buffer
	if doctor.Run(context.Background(), cfg, &out) {
		t.Fatalf("unwritable evidence storage reported ok:\n%s", out.String())
	}
	expect(t, doctor.Diagnose(context.Background(), cfg), doctor.CheckEvidence, doctor.Fail,
		[]string{"cannot create " + filepath.Join(file, "evidence")}, []string{"paths.data", "SUARA_PATHS_DATA"})
}

func TestDoctorConfig(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()

	cfg := healthyConfig(t, tdb)
	cfg.Env = "staging"
	cfg.Log.Level = "loud"
	expect(t, doctor.Diagnose(ctx, cfg), doctor.CheckConfig, doctor.Fail,
		[]string{"config env (SUARA_ENV)", "config log.level (SUARA_LOG_LEVEL)"}, nil)

	cfg = healthyConfig(t, tdb)
	cfg.Env = "production"
	cfg.Security.IdentityKeys = "prod1:cHJvZHVjdGlvbi1rZXktZm9yLXRlc3RzLW9ubHktMzI="
	r := result(t, doctor.Diagnose(ctx, cfg), doctor.CheckConfig)
	if r.Status != doctor.Warn {
		t.Fatalf("production over plain http: %s (%s), want warn", r.Status, r.Detail)
	}
	for _, want := range []string{"http.public_scheme is http", "http.secure_cookies is off", "http.trusted_proxies is empty", "security.metrics_token is empty"} {
		if !strings.Contains(r.Detail, want) {
			t.Errorf("production warning lacks %q: %s", want, r.Detail)
		}
	}

	cfg.HTTP.PublicScheme, cfg.HTTP.SecureCookies = "https", true
	cfg.HTTP.TrustedProxies = []string{"10.0.0.0/8"}
	cfg.Security.MetricsToken = "t"
	// Behind a proxy, nothing said about its access logs: a warning that
	// points at the documented configuration.
	expect(t, doctor.Diagnose(ctx, cfg), doctor.CheckConfig, doctor.Warn,
		[]string{"access logs keep no client addresses"}, []string{"docs/deploy.md", "http.proxy_access_log"})
	cfg.HTTP.ProxyAccessLog = "sometimes"
	expect(t, doctor.Diagnose(ctx, cfg), doctor.CheckConfig, doctor.Fail, []string{"http.proxy_access_log"}, nil)
	cfg.HTTP.ProxyAccessLog = "no_addresses"
	expect(t, doctor.Diagnose(ctx, cfg), doctor.CheckConfig, doctor.OK, []string{"env production"}, nil)
}

// TestDoctorMediaCleaning: without ffmpeg, doctor says video and audio
// are refused and how to install it.
func TestDoctorMediaCleaning(t *testing.T) {
	tdb := pgtest.New(t)
	cfg := healthyConfig(t, tdb)
	cfg.Evidence.FFmpeg = "suara-no-such-ffmpeg"
	expect(t, doctor.Diagnose(context.Background(), cfg), doctor.CheckMedia, doctor.Warn,
		[]string{"video and audio evidence is refused"}, []string{"apt-get install ffmpeg", "SUARA_EVIDENCE_FFMPEG"})
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		cfg.Evidence.FFmpeg = "ffmpeg"
		expect(t, doctor.Diagnose(context.Background(), cfg), doctor.CheckMedia, doctor.OK, []string{"remuxed without metadata"}, nil)
	}
}
