package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
	"github.com/suara-id/suara/internal/web"
)

// env is one test's running platform: a fresh database with the seed
// manifests applied and the Fiber app on top, connected as the app role.
type env struct {
	t   *testing.T
	db  *pgtest.DB
	cfg *config.Config
	srv *web.Server
	pf  *app.Platform
}

// serialTests measure time or memory, so they run alone; every other test
// runs in parallel with the rest, each on its own database and server.
var serialTests = map[string]bool{
	"TestSafetyModes":                          true, // right and wrong receipt codes must take the same time
	"TestUpload100MBMemory":                    true, // measures the process's heap
	"TestRegistrationSaysNothingAboutThePhone": true, // new and taken phones must take about the same time
}

var parallelTests sync.Map // *testing.T already marked parallel

// parallel marks t parallel (once) unless it is one of the serial tests.
func parallel(t *testing.T) {
	if serialTests[t.Name()] || strings.Contains(t.Name(), "/") {
		return
	}
	if _, done := parallelTests.LoadOrStore(t, true); !done {
		t.Parallel()
	}
}

// newEnv is the standard test platform: a fresh database (pgtest) with
// the seed unions, the configuration of testConfig changed by mutate, and
// the server's log discarded (SUARA_TEST_LOG=1: on stderr).
func newEnv(t *testing.T, mutate ...func(*config.Config)) *env {
	t.Helper()
	var logOut io.Writer = io.Discard
	if os.Getenv("SUARA_TEST_LOG") != "" {
		logOut = os.Stderr
	}
	return newEnvLogged(t, slog.New(slog.NewTextHandler(logOut, nil)), mutate...)
}

// newEnvLogged is newEnv with the server logging to log.
func newEnvLogged(t *testing.T, log *slog.Logger, mutate ...func(*config.Config)) *env {
	t.Helper()
	parallel(t)
	tdb := pgtest.New(t)
	cfg := testConfig(t, append([]func(*config.Config){func(cfg *config.Config) {
		// The console's exports and removal use the owner role, as in production.
		cfg.Database.OwnerURL = tdb.OwnerURL
	}}, mutate...)...)
	pf := startPlatform(t, cfg, tdb.App, log)
	return &env{t: t, db: tdb, cfg: cfg, srv: pf.Server, pf: pf}
}

// testConfig is the configuration every test platform starts from (the
// defaults, made cheap and unthrottled for tests), then changed by mutate.
func testConfig(tb testing.TB, mutate ...func(*config.Config)) *config.Config {
	tb.Helper()
	cfg, err := config.Load("")
	if err != nil {
		tb.Fatal(err)
	}
	// Cheap password hashing keeps the race-enabled suite fast; the
	// production costs are measured by internal/auth's benchmarks.
	cfg.Security.Password = config.Password{MemoryKiB: 64, Iterations: 1, Parallelism: 1}
	cfg.Paths.Data = tb.TempDir()
	// Tests file and upload from one address far more than any union
	// would (the hostile suite sends hundreds of filings): the limits are
	// off unless a test sets them (ratelimit_test.go).
	cfg.RateLimits.Filing = config.RateLimit{PerIP: 1 << 30, PerTenant: 1 << 30}
	cfg.RateLimits.Upload = cfg.RateLimits.Filing
	// The package's fake SMS/WhatsApp gateways (env.gateway) live on one
	// allow-listed loopback address.
	cfg.Notify.OutboundAllowHosts = append(cfg.Notify.OutboundAllowHosts, gatewayHubHost())
	for _, m := range mutate {
		m(cfg)
	}
	return cfg
}

// startPlatform provisions the seed unions through bdb (the app role) and
// starts the platform on it.
func startPlatform(tb testing.TB, cfg *config.Config, bdb *bun.DB, log *slog.Logger) *app.Platform {
	tb.Helper()
	ctx := context.Background()
	if err := tenanttest.ApplyTo(ctx, bdb, nil); err != nil {
		tb.Fatal(err)
	}
	pf, err := app.NewServer(ctx, cfg, log, bdb)
	if err != nil {
		tb.Fatal(err)
	}
	return pf
}

// do sends req to host and returns the response and its body.
func (e *env) do(req *http.Request) (*http.Response, string) {
	e.t.Helper()
	resp, err := e.srv.App().Test(req, -1)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

func (e *env) get(host, path string, headers ...string) (*http.Response, string) {
	req := httptest.NewRequest(http.MethodGet, "http://"+host+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.do(req)
}

func (e *env) send(method, host, path, contentType string, body io.Reader, headers ...string) (*http.Response, string) {
	req := httptest.NewRequest(method, "http://"+host+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.do(req)
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("body does not contain %q", w)
		}
	}
}
