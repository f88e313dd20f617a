package genclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
	"github.com/suara-id/suara/internal/web"
)

// The generator and its runtime library, pinned. `go run` caches the
// generator's build, so only the first run on a machine compiles it.
const (
	generator = "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2"
	runtime   = "github.com/oapi-codegen/runtime v1.9.0"
)

// The worker the generated client registers, in the +62… form the server
// stores and register/verify takes.
const workerPhone = "+6281277770001"

// TestGeneratedClient: oapi-codegen turns the served document into a Go
// client; a small program built on that client alone registers a worker
// (register, then register/verify with the code the union's SMS gateway
// carried), files a case, adds a photo, writes a follow-up message and
// reads the case back from the real server. The test then checks on the
// server's side that what the client reported is what was stored.
func TestGeneratedClient(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	gw := startGateway(t)
	srv := startServer(t, gw)

	dir := t.TempDir()
	doc, err := web.OpenAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	driver, err := os.ReadFile(filepath.Join("testdata", "driver", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"openapi.json": doc,
		"client/oapi.yaml": []byte("package: client\ngenerate:\n  client: true\n  models: true\n" +
			"output: client/client.gen.go\n"),
		"go.mod":  []byte("module suaraclient\n\ngo 1.26\n\nrequire " + runtime + "\n"),
		"main.go": driver,
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	run := func(args ...string) string {
		t.Helper()
		start := time.Now()
		cmd := exec.Command(goBin, args...)
		cmd.Dir, cmd.Env = dir, env
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("go %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), stderr.String())
		}
		t.Logf("go %s: %s", args[0], time.Since(start).Round(time.Millisecond))
		return out.String()
	}
	run("run", generator, "-config", "client/oapi.yaml", "openapi.json")
	run("mod", "tidy")
	out := run("run", ".",
		"-server", fmt.Sprintf("http://127.0.0.1:%d/api/v1", srv.port),
		"-host", fmt.Sprintf("spn.localhost:%d", srv.port),
		"-codes", gw.srv.URL+"/code",
		"-phone", workerPhone, "-password", "kain-batik-merah")

	// The driver's last line is what it saw, as JSON.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var got struct {
		UserID, CaseID, Reference, Status, EvidenceID, EvidenceMime string
		Messages, Evidence                                          int
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("driver output: %v\n%s", err, out)
	}
	t.Logf("driver: %+v", got)
	if got.Evidence != 1 || got.EvidenceMime != "image/jpeg" || got.Messages < 1 {
		t.Errorf("read back %d evidence files (%q) and %d messages; want 1 image/jpeg and the message", got.Evidence, got.EvidenceMime, got.Messages)
	}

	// The server stored what the client was told.
	var ref, status string
	var stored int
	err = srv.db.Super.QueryRowContext(context.Background(),
		`select c.reference, c.status, (select count(*) from evidence_files e where e.case_id = c.id)
		   from cases c where c.id = ?`, got.CaseID).Scan(&ref, &status, &stored)
	if err != nil {
		t.Fatalf("case %s as stored: %v", got.CaseID, err)
	}
	if ref != got.Reference || stored != 1 {
		t.Errorf("stored case %s has %d evidence files; the client saw %s with %d", ref, stored, got.Reference, got.Evidence)
	}

	// The account was made by the verification, for that phone, verified.
	var userID, kind string
	var verified bool
	err = srv.db.Super.QueryRowContext(context.Background(),
		`select id::text, kind, phone_verified_at is not null from users where phone = ?`, workerPhone).Scan(&userID, &kind, &verified)
	if err != nil {
		t.Fatalf("registered worker %s as stored: %v", workerPhone, err)
	}
	if userID != got.UserID || kind != "worker" || !verified {
		t.Errorf("stored user %s (%s, verified %v); the client was signed in as %s", userID, kind, verified, got.UserID)
	}
	if n := gw.count(workerPhone); n != 1 {
		t.Errorf("%d messages to %s; want the one code", n, workerPhone)
	}
}

// gateway is the union's SMS gateway as internal/notify speaks to it (POST
// of JSON {channel, to, body, template, locale, ...} with the union's
// bearer token; any 2xx is delivered). GET /code?to=+62… hands the driver
// the newest 6-digit code sent to that phone (404 until there is one).
type gateway struct {
	srv  *httptest.Server
	mu   sync.Mutex
	sent []struct{ To, Body string }
}

const gatewayToken = "gw-secret"

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

func startGateway(t *testing.T) *gateway {
	t.Helper()
	g := &gateway{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /send", func(w http.ResponseWriter, r *http.Request) {
		var m struct{ To, Body string }
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("Authorization") != "Bearer "+gatewayToken || json.Unmarshal(b, &m) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.sent = append(g.sent, m)
		g.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /code", func(w http.ResponseWriter, r *http.Request) {
		to := r.URL.Query().Get("to")
		g.mu.Lock()
		defer g.mu.Unlock()
		for i := len(g.sent) - 1; i >= 0; i-- {
			if g.sent[i].To == to {
				if c := sixDigits.FindString(g.sent[i].Body); c != "" {
					_, _ = io.WriteString(w, c)
					return
				}
			}
		}
		http.NotFound(w, r)
	})
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) count(to string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, m := range g.sent {
		if m.To == to {
			n++
		}
	}
	return n
}

type server struct {
	db   *pgtest.DB
	port int
}

// startServer runs the production wiring on a loopback port over a fresh
// database with the tenants applied and the demo seeded (classification
// jobs are queued but not run). Every union sends its SMS through gw, whose
// host:port is allow-listed, as an operator allow-lists an internal
// gateway; the SSRF guard still refuses every other loopback address.
func startServer(t *testing.T, gw *gateway) *server {
	t.Helper()
	tdb := pgtest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Security.Password = config.Password{MemoryKiB: 64, Iterations: 1, Parallelism: 1}
	cfg.Paths.Data = t.TempDir()
	cfg.Database.URL = tdb.AppURL
	cfg.Classify.Ollama.Enabled = false
	cfg.HTTP.Addr = fmt.Sprintf("127.0.0.1:%d", port)
	cfg.Notify.OutboundAllowHosts = append(cfg.Notify.OutboundAllowHosts, strings.TrimPrefix(gw.srv.URL, "http://"))
	ctx := context.Background()
	if err := tenanttest.ApplySeed(ctx, tdb); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := app.SeedDemo(ctx, cfg, log, io.Discard); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	_, err = tdb.Super.ExecContext(ctx, `INSERT INTO notify_settings (tenant_id, sms_enabled, gateway_url, gateway_token, updated_at)
		SELECT id, true, ?, ?, now() FROM tenants
		ON CONFLICT (tenant_id) DO UPDATE SET sms_enabled = true, gateway_url = EXCLUDED.gateway_url, gateway_token = EXCLUDED.gateway_token`,
		gw.srv.URL+"/send", gatewayToken)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := app.NewServer(ctx, cfg, log, tdb.App)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- pf.Server.App().Listener(ln) }()
	t.Cleanup(func() {
		if err := pf.Server.App().ShutdownWithTimeout(5 * time.Second); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	for i := 0; ; i++ {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", port))
		if err == nil {
			resp.Body.Close()
			break
		}
		if i > 100 {
			t.Fatalf("server did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &server{db: tdb, port: port}
}
