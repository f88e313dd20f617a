package e2e

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
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/logtest"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

const demoPassword = "suara-demo"

// server is a running Suara: the production wiring over a fresh database
// with the tenant manifests applied, the demo seeded and the job workers
// running (classification answers with the built-in model, as it does when
// Ollama is absent).
type server struct {
	db   *pgtest.DB
	port int
	sms  *smsGateway // every union's SMS gateway (codes)
	// mail is the platform's mail relay; gateway a union's SMS gateway
	// (allow-listed) for the onboarding flow (onboarding_test.go).
	mail    *fakeMail
	gateway *fakeGateway
}

// url is the address of path on the tenant's (or, with slug "", the
// platform's) host. Chromium resolves *.localhost to loopback by itself.
func (s *server) url(slug, path string) string {
	host := "localhost"
	if slug != "" {
		host = slug + ".localhost"
	}
	return fmt.Sprintf("http://%s:%d%s", host, s.port, path)
}

// The suite shares one server and one Chromium: starting either costs
// seconds (a database clone, the seed, a browser process), and the flows
// do not get in each other's way — each signs up its own people or works
// on its own case, in its own browser context (cookies and storage apart).
var shared struct {
	srvOnce sync.Once
	srv     *server
	srvErr  error

	chromeOnce sync.Once
	chrome     context.Context // the browser; tabs are opened under it
	chromeErr  error

	mu       sync.Mutex
	cleanups []func()
}

func atExit(f func()) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	shared.cleanups = append(shared.cleanups, f)
}

func TestMain(m *testing.M) {
	code := m.Run()
	shared.mu.Lock()
	for i := len(shared.cleanups) - 1; i >= 0; i-- {
		shared.cleanups[i]()
	}
	shared.mu.Unlock()
	// Issue 18, acceptance 3: after the whole run, neither the server's
	// log nor the proxy's access log holds any receipt code the flows saw.
	if leaks := receiptLeaks(); len(leaks) > 0 {
		fmt.Fprintln(os.Stderr, "e2e: receipt codes in the logs:")
		for _, l := range leaks {
			fmt.Fprintln(os.Stderr, "  ", l)
		}
		code = 1
	} else if n := len(noted()); n > 0 {
		fmt.Fprintf(os.Stderr, "e2e: %d receipt code(s) seen; none in %d bytes of server log nor %d proxy log lines\n",
			n, suiteLogs.server.Len(), strings.Count(suiteLogs.proxy.String(), "\n"))
	}
	if dir := os.Getenv("SUARA_E2E_LOGS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "server.log"), []byte(suiteLogs.server.String()), 0o644)
		_ = os.WriteFile(filepath.Join(dir, "proxy-access.log"), []byte(suiteLogs.proxy.String()), 0o644)
	}
	os.Exit(code)
}

// suiteLogs are everything the run's server logged (every level) and a
// reverse proxy's access log in nginx's combined format: the client
// address, the time and the "$request" line (method, path and query).
var suiteLogs struct {
	server, proxy logtest.Buffer
	mu            sync.Mutex
	codes         []string
}

// noteReceipt records a receipt code a flow saw, for the log check.
func noteReceipt(code string) {
	suiteLogs.mu.Lock()
	defer suiteLogs.mu.Unlock()
	suiteLogs.codes = append(suiteLogs.codes, code)
}

func noted() []string {
	suiteLogs.mu.Lock()
	defer suiteLogs.mu.Unlock()
	return append([]string(nil), suiteLogs.codes...)
}

var (
	sixteenDigits = regexp.MustCompile(`\d{4}[- ]?\d{4}[- ]?\d{4}[- ]?\d{4}`)
	// A UUID's hex groups can be all digits and read as a code's shape
	// ("…3919-5065-4791-9593…"); ids are taken out before the shape check
	// (a noted code is still looked for in the whole line).
	uuidShape = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// receiptLeaks lists the log lines holding a noted receipt code, in any of
// the ways it is written, or anything shaped like one.
func receiptLeaks() []string {
	var out []string
	for name, text := range map[string]string{"server log": suiteLogs.server.String(), "proxy log": suiteLogs.proxy.String()} {
		for _, line := range strings.Split(text, "\n") {
			hit := sixteenDigits.MatchString(uuidShape.ReplaceAllString(line, "<id>"))
			for _, c := range noted() {
				digits := strings.NewReplacer("-", "", " ", "").Replace(c)
				if strings.Contains(line, c) || strings.Contains(line, digits) {
					hit = true
				}
			}
			if hit {
				out = append(out, name+": "+line)
			}
		}
	}
	return out
}

// accessLog is the reverse proxy in front of the server: it forwards every
// request unchanged (Host included) and writes an access log line for it.
func accessLog(target string) http.Handler {
	u, _ := url.Parse(target)
	rp := httputil.NewSingleHostReverseProxy(u)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusWriter{ResponseWriter: w, status: 200}
		rp.ServeHTTP(rec, r)
		fmt.Fprintf(&suiteLogs.proxy, "%s - - [%s] \"%s %s %s\" %d \"%s\" host=%s\n", r.RemoteAddr, time.Now().Format("02/Jan/2006:15:04:05 -0700"),
			r.Method, r.URL.RequestURI(), r.Proto, rec.status, r.Referer(), r.Host)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// startServer returns the suite's server, starting it on first use.
func startServer(t *testing.T) *server {
	t.Helper()
	needChromium(t)
	shared.srvOnce.Do(func() { shared.srv, shared.srvErr = bootServer() })
	if shared.srvErr != nil {
		t.Fatalf("start server: %v", shared.srvErr)
	}
	return shared.srv
}

// suiteTB lets pgtest, written for one test, make the suite's database: a
// fatal error becomes bootServer's error, cleanups run after every test.
type suiteTB struct {
	testing.TB // nil: only the methods below are called
}

type suiteFatal struct{ msg string }

func (suiteTB) Helper()                           {}
func (suiteTB) Cleanup(f func())                  { atExit(f) }
func (suiteTB) Fatal(args ...any)                 { panic(suiteFatal{fmt.Sprint(args...)}) }
func (suiteTB) Fatalf(format string, args ...any) { panic(suiteFatal{fmt.Sprintf(format, args...)}) }

func bootServer() (s *server, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(suiteFatal)
			if !ok {
				panic(r)
			}
			err = errors.New(f.msg)
		}
	}()
	tdb := pgtest.New(suiteTB{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	cfg, err := config.Load("")
	if err != nil {
		return nil, err
	}
	// Cheap password hashing keeps the suite fast; the production costs
	// are measured by internal/auth's benchmarks.
	cfg.Security.Password = config.Password{MemoryKiB: 64, Iterations: 1, Parallelism: 1}
	data, err := os.MkdirTemp("", "suara-e2e-")
	if err != nil {
		return nil, err
	}
	atExit(func() { os.RemoveAll(data) })
	cfg.Paths.Data = data
	cfg.Database.URL = tdb.AppURL
	// The officer's flow needs an AI suggestion: the built-in classifier
	// gives one at once, without a model server.
	cfg.Classify.Ollama.Enabled = false
	cfg.Classify.Workers = 1
	// Links the server builds (invites, tenant lists) carry the real port.
	cfg.HTTP.Addr = fmt.Sprintf("127.0.0.1:%d", port)
	mail, err := startFakeMail()
	if err != nil {
		return nil, err
	}
	gateway := startFakeGateway()
	cfg.Notify.SMTP = config.SMTP{Host: "127.0.0.1", Port: mail.Port(), From: "noreply@suara.test"}
	cfg.Notify.OutboundAllowHosts = []string{strings.TrimPrefix(gateway.srv.URL, "http://")}
	ctx := context.Background()
	if err := tenanttest.ApplySeed(ctx, tdb); err != nil {
		return nil, err
	}
	var logOut io.Writer = &suiteLogs.server
	if os.Getenv("SUARA_TEST_LOG") != "" {
		logOut = io.MultiWriter(logOut, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if err := app.SeedDemo(ctx, cfg, log, io.Discard); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	sms, err := startGateway(ctx, tdb)
	if err != nil {
		return nil, fmt.Errorf("sms gateway: %w", err)
	}
	atExit(sms.srv.Close)
	cfg.Notify.OutboundAllowHosts = append(cfg.Notify.OutboundAllowHosts, strings.TrimPrefix(sms.srv.URL, "http://"))
	pf, err := app.NewServer(ctx, cfg, log, tdb.App)
	if err != nil {
		return nil, err
	}
	qctx, stopJobs := context.WithCancel(ctx)
	if err := pf.Jobs.Start(qctx); err != nil {
		stopJobs()
		return nil, fmt.Errorf("start jobs: %w", err)
	}
	// The browser talks to a reverse proxy that keeps an access log, as
	// production's nginx would; the proxy talks to the server.
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		stopJobs()
		return nil, err
	}
	proxy := &http.Server{Handler: accessLog("http://" + inner.Addr().String()), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = proxy.Serve(ln) }()
	done := make(chan error, 1)
	go func() { done <- pf.Server.App().Listener(inner) }()
	atExit(func() {
		_ = proxy.Close()
		if err := pf.Server.App().ShutdownWithTimeout(5 * time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: shutdown:", err)
		}
		if err := <-done; err != nil && !errors.Is(err, net.ErrClosed) {
			fmt.Fprintln(os.Stderr, "e2e: serve:", err)
		}
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = pf.Jobs.Stop(sctx)
		stopJobs()
	})
	s = &server{db: tdb, port: port, sms: sms, mail: mail, gateway: gateway}
	// Ready when the probe answers.
	for i := 0; ; i++ {
		resp, err := http.Get(s.url("", "/healthz"))
		if err == nil {
			resp.Body.Close()
			break
		}
		if i > 50 {
			return nil, fmt.Errorf("server did not start: %w", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s, nil
}

// chromiumPath finds the browser: Debian's chromium first.
func chromiumPath() string {
	if p := os.Getenv("SUARA_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// needChromium returns the browser's path. Without one the test skips
// locally, and fails in CI, where a skipped suite would pass silently.
func needChromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end suite: runs without -short (scripts/test.sh runs it after the race-enabled suite)")
	}
	p := chromiumPath()
	if p != "" {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed and CI is set: run scripts/chromium.sh (make e2e does) before the e2e suite")
	}
	t.Skip("chromium is not installed: run scripts/chromium.sh as root (make e2e does) to run the end-to-end suite")
	return ""
}

// Viewports: a cheap Android phone, and a laptop for office work.
var (
	phone  = viewport{360, 740}
	laptop = viewport{1280, 900}
)

type viewport struct{ w, h int64 }

// browser is one tab in a browser context of its own (no cookies or
// storage shared with other tests) and where its screenshots go.
type browser struct {
	t     *testing.T
	ctx   context.Context
	shots *shotDir
}

// shotDir is a test's screenshot folder; the test's browsers number their
// steps in one sequence.
type shotDir struct {
	path string
	mu   sync.Mutex
	n    int
}

var shotDirs sync.Map // *testing.T → *shotDir

// chromium starts the suite's browser on first use.
func chromium(t *testing.T) context.Context {
	t.Helper()
	path := needChromium(t)
	shared.chromeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "suara-e2e-chromium-")
		if err != nil {
			shared.chromeErr = err
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(path),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(int(laptop.w), int(laptop.h)),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("lang", "id-ID"),
		}
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(actx)
		atExit(func() { cancelCtx(); cancelAlloc(); os.RemoveAll(dir) })
		// The first run starts the process.
		shared.chromeErr = chromedp.Do(ctx)
		shared.chrome = ctx
	})
	if shared.chromeErr != nil {
		t.Fatalf("start chromium: %v", shared.chromeErr)
	}
	return shared.chrome
}

func newBrowser(t *testing.T, vp viewport) *browser {
	t.Helper()
	root := chromium(t)
	ctx, cancelCtx := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx() })
	d, loaded := shotDirs.LoadOrStore(t, &shotDir{})
	if !loaded {
		d.(*shotDir).path = screenshotDir(t)
		t.Cleanup(func() { shotDirs.Delete(t) })
	}
	b := &browser{t: t, ctx: ctx, shots: d.(*shotDir)}
	// Phones have dense screens; a laptop's screenshots stay small.
	emu := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if vp.w < 600 {
		emu = []chromedp.EmulateViewportOption{chromedp.EmulateScale(2), chromedp.EmulateMobile}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.w, vp.h, emu...)); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return b
}

// screenshotDir is e2e-screenshots/<test name> at the repository root,
// emptied first so old steps do not linger.
func screenshotDir(t *testing.T) string {
	name := regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(t.Name(), "_")
	dir := filepath.Join("..", "..", "e2e-screenshots", name)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// run performs actions, failing the test with the step's name.
func (b *browser) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	defer b.trace(step, time.Now())
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.shot("failed-" + step)
		b.t.Fatalf("%s: %v", step, err)
	}
}

// trace logs how long a step took, with SUARA_E2E_TRACE set.
func (b *browser) trace(step string, start time.Time) {
	if os.Getenv("SUARA_E2E_TRACE") != "" {
		b.t.Logf("%6dms %s", time.Since(start).Milliseconds(), step)
	}
}

// shot saves a full-page screenshot named after the step, numbered in order.
func (b *browser) shot(step string) { b.capture(step, fullPNG) }

// shotOf saves what the screen shows with sel scrolled to its middle: on
// the long staff pages a full-page capture costs Chromium seconds, and the
// step's part of the page is what there is to look at.
func (b *browser) shotOf(step, sel string) {
	b.t.Helper()
	eval[bool](b, `(function(){var e=document.querySelector(`+"`"+sel+"`"+`); if(e){e.scrollIntoView({block:'center'})}; return !!e})()`)
	b.capture(step, screenPNG)
}

func (b *browser) capture(step string, how chromedp.Action[[]byte]) {
	b.t.Helper()
	b.shots.mu.Lock()
	b.shots.n++
	n := b.shots.n
	b.shots.mu.Unlock()
	defer b.trace("shot "+step, time.Now())
	img, err := chromedp.Run(b.ctx, how)
	if err != nil {
		b.t.Logf("screenshot %s: %v", step, err)
		return
	}
	name := fmt.Sprintf("%02d-%s.png", n, regexp.MustCompile(`[^a-z0-9-]+`).ReplaceAllString(strings.ToLower(step), "-"))
	if err := os.WriteFile(filepath.Join(b.shots.path, name), img, 0o644); err != nil {
		b.t.Errorf("save screenshot: %v", err)
	}
}

// fullPNG captures the whole page as PNG, encoded for speed rather than
// size: a long staff page otherwise takes Chromium seconds to compress, and
// screenshots were most of the suite's time.
var fullPNG chromedp.Action[[]byte] = func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
	yes := true
	r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
		CaptureBeyondViewport: &yes, FromSurface: &yes, OptimizeForSpeed: &yes, Format: page.CaptureScreenshotFormatPng})
	if err != nil {
		return nil, err
	}
	return r.Data, nil
}

// screenPNG captures what the screen shows.
var screenPNG chromedp.Action[[]byte] = func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
	yes := true
	r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
		FromSurface: &yes, OptimizeForSpeed: &yes, Format: page.CaptureScreenshotFormatPng})
	if err != nil {
		return nil, err
	}
	return r.Data, nil
}

// text returns the text of the first node matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.shot("failed-read")
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// location is the current URL's path.
func (b *browser) location() string {
	b.t.Helper()
	return eval[string](b, `location.pathname`)
}

// mustSee fails unless the page's text contains every want.
func (b *browser) mustSee(step string, wants ...string) {
	b.t.Helper()
	body := b.text("body")
	for _, w := range wants {
		if !strings.Contains(body, w) {
			b.shot("missing-" + step)
			b.t.Fatalf("%s: page does not show %q:\n%s", step, w, body)
		}
	}
}

// noHorizontalScroll fails when the page is wider than the viewport: text
// that cannot reflow is unusable at 200% zoom on a phone.
func (b *browser) noHorizontalScroll(step string) {
	b.t.Helper()
	over := eval[int](b, `document.documentElement.scrollWidth - document.documentElement.clientWidth`)
	if over > 1 {
		b.shot("overflow-" + step)
		b.t.Errorf("%s: page is %dpx wider than the screen", step, over)
	}
}

// login signs in through the login form.
func (b *browser) login(s *server, slug, field, id string) {
	b.t.Helper()
	b.run("open login", chromedp.Navigate(s.url(slug, "/login")), chromedp.WaitVisible(chromedp.CSS(`form`)))
	b.run("fill login",
		chromedp.SendKeys(chromedp.CSS(`input[name="`+field+`"]`), id),
		chromedp.SendKeys(chromedp.CSS(`#password`), demoPassword),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#password`)),
	)
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// submit clicks a submit button and waits for the next page to load.
func (b *browser) submit(step, sel string) {
	b.t.Helper()
	// Mark the current document; the next page has no mark.
	eval[string](b, `document.documentElement.dataset.e2e = "old"`)
	b.run(step, chromedp.Click(chromedp.CSS(sel)))
	b.run(step+": wait", chromedp.WaitNotPresent(chromedp.CSS(`html[data-e2e="old"]`)), chromedp.WaitReady(chromedp.CSS(`body`)))
	// The new document may still be parsing; chromedp renumbers its nodes
	// when it finishes, and a query made before then fails with "Could not
	// find node with given id". Wait for the load to end.
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.readyState === "complete"`, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		b.shot("failed-" + step + "-load")
		b.t.Fatalf("%s: waiting for the page to load: %v", step, err)
	}
}

// api calls the JSON API on a tenant's host as token's holder ("" for
// nobody) and decodes the answer into out. Test setup only: the flows
// themselves go through the pages.
func (s *server) api(t *testing.T, slug, method, path, token string, body, out any) {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, fmt.Sprintf("http://127.0.0.1:%d%s", s.port, path), bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = fmt.Sprintf("%s.localhost:%d", slug, s.port)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
}

// bringCheckinsDue makes a closed case's +30 and +90-day check-ins due now
// (their River jobs and rows brought forward, as if 90 days had passed) and
// waits until both have been asked, which asked reports.
func (s *server) bringCheckinsDue(t *testing.T, caseID string, asked func() int) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.db.Super.ExecContext(ctx,
		`UPDATE river_job SET scheduled_at = now() WHERE kind = 'case_checkin' AND args->>'case_id' = ?`, caseID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Super.ExecContext(ctx, `UPDATE case_checkins SET due_at = now() - interval '1 minute' WHERE case_id = ?`, caseID); err != nil {
		t.Fatal(err)
	}
	for i := 0; asked() < 2; i++ {
		if i == 60 {
			t.Fatal("check-ins not asked within 30 s")
		}
		time.Sleep(500 * time.Millisecond)
	}
}
