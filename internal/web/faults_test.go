package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db"
)

// cluster is a PostgreSQL cluster of the test's own, so it can be stopped
// and started without disturbing the shared one.
type cluster struct {
	t    *testing.T
	bin  string
	data string
	port int
}

func pgBin(t *testing.T) string {
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(found) == 0 {
		if p, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p)
		}
		t.Fatal("pg_ctl not found: the fault tests need PostgreSQL server binaries")
	}
	return filepath.Dir(found[len(found)-1])
}

// asPG runs a server binary as the postgres user when root (PostgreSQL
// refuses to run as root).
func asPG(name string, args ...string) *exec.Cmd {
	if os.Getuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	return exec.Command(name, args...)
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{t: t, bin: pgBin(t), port: freePort(t)}
	// Under the system temp dir, not t.TempDir(): every parent must be
	// traversable by the postgres user.
	dir, err := os.MkdirTemp("", "suara-faults-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	c.data = filepath.Join(dir, "data")
	if err := os.Mkdir(c.data, 0o700); err != nil {
		t.Fatal(err)
	}
	if os.Getuid() == 0 {
		if out, err := exec.Command("chown", "-R", "postgres:", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
		_ = os.Chmod(dir, 0o755)
	}
	c.run(c.bin+"/initdb", "-D", c.data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8")
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = ''\nfsync = off\nmax_connections = 50\n", c.port)
	f, err := os.OpenFile(filepath.Join(c.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(conf)
	f.Close()
	c.start()
	t.Cleanup(func() { _ = asPG(c.bin+"/pg_ctl", "-D", c.data, "-m", "immediate", "-w", "stop").Run() })
	return c
}

func (c *cluster) run(name string, args ...string) {
	c.t.Helper()
	if out, err := asPG(name, args...).CombinedOutput(); err != nil {
		c.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func (c *cluster) start() {
	c.run(c.bin+"/pg_ctl", "-D", c.data, "-l", filepath.Join(c.data, "server.log"), "-w", "-t", "60", "start")
}

func (c *cluster) stop() { c.run(c.bin+"/pg_ctl", "-D", c.data, "-m", "fast", "-w", "stop") }

func (c *cluster) url(user, dbname string) string {
	return fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/%s?sslmode=disable", user, user, c.port, dbname)
}

// faultEnv is a platform on the test's own cluster.
type faultEnv struct {
	*env
	cl *cluster
}

func newFaultEnv(t *testing.T, mutate ...func(*config.Config)) *faultEnv {
	t.Helper()
	cl := newCluster(t)
	ctx := context.Background()
	admin, err := db.Open(ctx, cl.url("postgres", "postgres"), db.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE ROLE suara_owner LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB PASSWORD 'suara_owner'",
		"CREATE ROLE suara_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'suara_app'",
		"CREATE DATABASE suara OWNER suara_owner",
	} {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	admin.Close()
	cfg := testConfig(t, append([]func(*config.Config){func(cfg *config.Config) {
		cfg.Database.URL = cl.url("suara_app", "suara")
		cfg.Database.OwnerURL = cl.url("suara_owner", "suara")
		cfg.Classify.Workers = 0
		cfg.Classify.Ollama.Enabled = false
	}}, mutate...)...)
	if err := app.Migrate(ctx, cfg, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	bdb, err := db.Open(ctx, cfg.Database.URL, db.Options{MaxOpenConns: 20, MaxIdleConns: 10, ConnMaxLifetime: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	pf := startPlatform(t, cfg, bdb, slog.New(slog.DiscardHandler))
	return &faultEnv{env: &env{t: t, cfg: cfg, srv: pf.Server}, cl: cl}
}

type filingResult struct {
	status int
	id     string
	took   time.Duration
}

func (e *faultEnv) fileOnce(i int) filingResult {
	body := fmt.Sprintf(`{"type":"complaint","safety_mode":"anonymous","description":"Upah lembur minggu ke-%d tidak dibayar penuh oleh perusahaan."}`, i)
	req := httptest.NewRequest(http.MethodPost, "http://spn.localhost/api/v1/cases", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := e.srv.App().Test(req, -1)
	if err != nil {
		return filingResult{status: -1, took: time.Since(start)}
	}
	defer resp.Body.Close()
	var out struct {
		ID    string `json:"id"`
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode >= 500 && resp.StatusCode != 503 {
		e.t.Logf("filing %d: %d %s", i, resp.StatusCode, raw)
	}
	if resp.StatusCode == 503 && out.Error.Code != "unavailable" {
		e.t.Errorf("503 without the unavailable code: %s", raw)
	}
	return filingResult{status: resp.StatusCode, id: out.ID, took: time.Since(start)}
}

// PostgreSQL stopped mid-load: requests fail fast with 503, /readyz says
// so, the server recovers by itself when the database is back, and every
// filing that got a 201 is in the database.
func TestDatabaseRestartUnderLoadLosesNoAcknowledgedFiling(t *testing.T) {
	e := newFaultEnv(t)
	var mu sync.Mutex
	var results []filingResult
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := e.fileOnce(w*100000 + i)
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	e.cl.stop()
	downAt := time.Now()
	time.Sleep(2 * time.Second)
	resp, body := e.get("spn.localhost", "/readyz")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("readyz with the database down: %d %s", resp.StatusCode, body)
	}
	// A page while the database is down: the friendly page, not a stack.
	resp, _ = e.get("spn.localhost", "/cases/new")
	if resp.StatusCode >= 500 && resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("page with the database down: %d", resp.StatusCode)
	}
	e.cl.start()
	upAt := time.Now()
	// Recovery: filings succeed again within seconds, by themselves.
	deadline := time.Now().Add(30 * time.Second)
	recovered := false
	for time.Now().Before(deadline) {
		if r := e.fileOnce(-1); r.status == http.StatusCreated {
			recovered = true
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	if !recovered {
		t.Fatal("the server did not recover after the database came back")
	}
	if resp, _ := e.get("spn.localhost", "/readyz"); resp.StatusCode != http.StatusOK {
		t.Errorf("readyz after recovery: %d", resp.StatusCode)
	}
	var created, unavailable, other int
	var slowest time.Duration
	acked := map[string]bool{}
	for _, r := range results {
		switch {
		case r.status == http.StatusCreated:
			created++
			acked[r.id] = true
		case r.status == http.StatusServiceUnavailable:
			unavailable++
			slowest = max(slowest, r.took)
		default:
			other++
			t.Errorf("filing answered %d", r.status)
		}
	}
	t.Logf("filings: %d created, %d refused 503 (slowest refusal %v), %d other; down %v", created, unavailable, slowest, other, upAt.Sub(downAt))
	if unavailable == 0 {
		t.Error("no filing was refused while the database was down")
	}
	if slowest > 5*time.Second {
		t.Errorf("a refusal took %v: not failing fast", slowest)
	}
	// Every acknowledged filing is in the database.
	ctx := context.Background()
	super, err := db.Open(ctx, e.cl.url("postgres", "suara"), db.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer super.Close()
	var ids []string
	if err := super.NewSelect().Table("cases").ColumnExpr("id::text").Scan(ctx, &ids); err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, id := range ids {
		stored[id] = true
	}
	lost := 0
	for id := range acked {
		if !stored[id] {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d acknowledged filings are not in the database", lost, len(acked))
	}
}

// Evidence storage failing (a read-only or full disk): the upload gets a
// clear 503, and nothing is left half-made: no evidence row, no temp file,
// and the case's timeline still verifies.
func TestEvidenceStorageFailureLeavesNothingHalfMade(t *testing.T) {
	e := newEnv(t)
	tok := e.mintTokenForNewWorker()
	resp, body := e.postJSON("spn.localhost", "/api/v1/cases", map[string]any{"type": "complaint", "description": "Alat pelindung diri tidak disediakan di pabrik."},
		"Authorization", "Bearer "+tok)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("file: %d %v", resp.StatusCode, body)
	}
	id := body["id"].(string)
	// The evidence folder becomes unwritable. Root ignores permissions, so
	// a plain file stands where the folder should be: every write fails.
	store := filepath.Join(e.cfg.Paths.Data, "evidence")
	_ = os.RemoveAll(store)
	if err := os.WriteFile(store, []byte("not a folder"), 0o444); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, _ := mw.CreateFormFile("file", "slip.pdf")
	_, _ = part.Write([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"))
	mw.Close()
	resp, text := e.send(http.MethodPost, "spn.localhost", "/api/v1/cases/"+id+"/evidence", mw.FormDataContentType(), &buf,
		"Authorization", "Bearer "+tok)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(text, `"code":"storage_unavailable"`) {
		t.Errorf("upload to a broken disk: %d %s", resp.StatusCode, text)
	}
	var n int
	if err := e.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM evidence_files WHERE case_id = ?", id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d evidence rows left for a failed upload", n)
	}
	if left, _ := os.ReadDir(filepath.Join(e.cfg.Paths.Data, "tmp")); len(left) != 0 {
		t.Errorf("temp files left: %v", left)
	}
	var kinds []string
	if err := e.db.Super.NewSelect().Table("case_events").Column("kind").Where("case_id = ?", id).Scan(context.Background(), &kinds); err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		if k == "evidence_added" {
			t.Error("an evidence event was written for a failed upload")
		}
	}
}

// mintTokenForNewWorker registers a worker through the API and returns
// its token.
func (e *env) mintTokenForNewWorker() string {
	e.t.Helper()
	body := e.registerWorker(e.gateway("spn"), "spn.localhost", map[string]any{
		"name": "Pekerja Uji", "phone": "081355550000", "password": "benang-sutra-77"})
	return body["token"].(string)
}

// SIGTERM under load: requests in flight finish (with their answer), and
// the server then stops listening.
func TestSIGTERMLetsInFlightRequestsFinish(t *testing.T) {
	port := freePort(t)
	e := newEnv(t, func(c *config.Config) {
		c.HTTP.Addr = fmt.Sprintf("127.0.0.1:%d", port)
		c.HTTP.ShutdownTimeout = 20 * time.Second
	})
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- e.srv.Listen(ctx) }()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitUp(t, base)
	// Slow requests: the body arrives in two halves, the second after the
	// signal, so each is surely in flight when SIGTERM lands.
	const n = 8
	var wg sync.WaitGroup
	statuses := make([]int, n)
	release := make(chan struct{})
	// sent counts requests whose headers went out: the signal waits for all
	// of them, not for a guess at how long a loaded machine takes.
	var sent sync.WaitGroup
	sent.Add(n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr, pw := io.Pipe()
			go func() {
				_, _ = pw.Write([]byte(`{"type":"complaint","safety_mode":"anonymous",`))
				<-release
				_, _ = fmt.Fprintf(pw, `"description":"Gaji dipotong tanpa alasan yang jelas nomor %d."}`, i)
				pw.Close()
			}()
			var once sync.Once
			trace := &httptrace.ClientTrace{WroteHeaders: func() { once.Do(sent.Done) }}
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodPost, base+"/api/v1/cases", pr)
			req.Host = "spn.localhost"
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			once.Do(sent.Done) // a request that failed before its headers
			if err != nil {
				statuses[i] = -1
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	sent.Wait()
	// and a moment for the server to read what was sent
	time.Sleep(300 * time.Millisecond)
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	close(release)
	wg.Wait()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Listen after SIGTERM: %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("server did not stop")
	}
	for i, s := range statuses {
		if s != http.StatusCreated {
			t.Errorf("in-flight request %d: %d, want 201", i, s)
		}
	}
	if _, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
		t.Error("still listening after shutdown")
	}
}

func waitUp(t *testing.T, base string) {
	t.Helper()
	for range 100 {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server did not start")
}
