package bench

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
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is one `suara bench` run.
type Config struct {
	// Target is the running server, e.g. http://127.0.0.1:8080.
	Target string
	// BaseDomain is the server's http.base_domain: tenants answer on
	// <slug>.<BaseDomain>, the platform on the bare domain.
	BaseDomain string
	// Tenants are the bench tenants' slugs (bench-01, …).
	Tenants []string
	// Password is the bench accounts' password; WorkerPhone the worker.
	Password, WorkerPhone string
	// PlatformEmail is the analyst the platform scenario signs in as.
	PlatformEmail string
	// Levels are the concurrency levels; each scenario runs at each.
	Levels []int
	// PerLevel bounds each (scenario, level) run. Where pgbench runs
	// beside a scenario, the app and pgbench alternate in rounds of Round
	// (default 1 s) until each has had PerLevel.Duration.
	PerLevel Limits
	Round    time.Duration
	// Scenarios, when set, runs only these.
	Scenarios []string
	// PID is the server's pid; 0 finds it from the target's port.
	PID int
	// PGBench is the pgbench binary ("" skips the limit), PGBenchScripts
	// the folder of its scripts, DatabaseURL the app role's URL it and the
	// id look-ups use.
	PGBench, PGBenchScripts, DatabaseURL string
	Log                                  *slog.Logger
}

// Report is a whole run.
type Report struct {
	Results []Result
	// PeakRSS is the server's VmHWM at the end: its peak since start.
	PeakRSS int64
	PID     int
}

// Names of the scenarios, in run order.
const (
	ScenarioSubmit    = "submit"
	ScenarioQueue     = "queue"
	ScenarioCase      = "case"
	ScenarioReceipt   = "receipt"
	ScenarioDashboard = "dashboard"
	ScenarioPlatform  = "platform"
)

// session is what setup learned: tokens, ids and receipt codes per tenant.
type session struct {
	base                     *url.URL
	port                     string
	worker, staff            []string // bearer tokens per tenant
	caseIDs                  [][]string
	receipts                 [][]string
	platformToken            string
	workerIDs                []string
	staffIDs                 []string
	dashboardPath, platPath  string
	queueSkip, dashboardSkip string
	platformSkip             string
}

// Bench runs every scenario at every level and pgbench beside filing and
// the queue.
func Bench(ctx context.Context, cfg Config) (*Report, error) {
	base, err := CheckTarget(cfg.Target)
	if err != nil {
		return nil, err
	}
	if len(cfg.Tenants) == 0 {
		return nil, errors.New("bench: no tenants")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	pid := cfg.PID
	if pid == 0 {
		port, _ := strconv.Atoi(base.Port())
		if pid, err = FindListener(port); err != nil {
			cfg.Log.Warn("server process not found: no CPU or RSS figures", "err", err)
			pid = 0
		}
	}
	d := &driver{cfg: cfg, client: newClient(4, nil), s: &session{base: base, port: base.Port()}}
	defer d.client.CloseIdleConnections()
	if err := d.setup(ctx); err != nil {
		return nil, err
	}
	rep := &Report{PID: pid}
	src := &sources{}
	for _, sc := range d.scenarios() {
		if len(cfg.Scenarios) > 0 && !contains(cfg.Scenarios, sc.Name) {
			continue
		}
		for _, c := range cfg.Levels {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			var r Result
			if sc.Skipped == "" && cfg.PGBench != "" && (sc.Name == ScenarioSubmit || sc.Name == ScenarioQueue) {
				var err error
				if r, err = d.interleaved(ctx, sc, c, pid, src); err != nil {
					return rep, err
				}
			} else {
				r = Run(ctx, sc, c, cfg.PerLevel, pid, src)
			}
			cfg.Log.Info("scenario", "name", sc.Name, "concurrency", c, "requests", r.Requests, "rps", int(r.RPS()),
				"p99_ms", ms(r.Latency.P99), "errors", r.Errors, "ratio", r.Ratio(), "skipped", r.Skipped)
			if r.FirstError != "" {
				cfg.Log.Warn("scenario errors", "name", sc.Name, "first", r.FirstError)
			}
			rep.Results = append(rep.Results, r)
		}
	}
	if pid > 0 {
		if _, peak, err := ProcMem(pid); err == nil {
			rep.PeakRSS = peak
		}
	}
	return rep, nil
}

// interleaved runs sc and its pgbench script in alternating short rounds
// (app, pgbench, app, pgbench…), so whatever else the machine does in a
// stretch of seconds lands on both sides; the ratio is the median of the
// rounds' ratios. The app runs for the round's time; pgbench then runs as
// many transactions per client as the app answered requests (at least
// three each), so both sides do about the same work however slow the
// machine is (pgbench -T counts its connections' set-up in the time, which
// on a busy machine can take a whole short round).
func (d *driver) interleaved(ctx context.Context, sc Scenario, conc, pid int, src *sources) (Result, error) {
	round := d.cfg.Round
	if round <= 0 {
		round = time.Second
	}
	n := max(3, int(d.cfg.PerLevel.Duration/round))
	res := Result{Scenario: sc.Name, Concurrency: conc}
	var pgLat []time.Duration
	var pgSpan time.Duration
	for k := range n {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		a := Run(ctx, sc, conc, Limits{Duration: round, MaxRequests: d.cfg.PerLevel.MaxRequests}, pid, src)
		pg, err := d.pgbench(ctx, sc.Name, conc, round, max(3, (a.Requests+conc-1)/conc))
		if err != nil {
			return res, err
		}
		if k == 0 {
			res = a
		} else {
			res.merge(a)
		}
		if pg.tps > 0 {
			res.RoundRatios = append(res.RoundRatios, a.RPS()/pg.tps)
		}
		pgLat = append(pgLat, pg.lat...)
		pgSpan += pg.elapsed
		d.cfg.Log.Debug("round", "scenario", sc.Name, "concurrency", conc, "round", k+1,
			"app_rps", a.RPS(), "pgbench_tps", pg.tps)
	}
	if pgSpan > 0 {
		res.PGBenchTPS = float64(len(pgLat)) / pgSpan.Seconds()
	}
	slices.Sort(pgLat)
	res.PGBenchP99 = Percentile(pgLat, 99)
	return res, nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

type driver struct {
	cfg    Config
	client *http.Client
	s      *session
	vars   []string // pgbench -D arguments
}

// hostFor is the Host header of a tenant ("" = the platform).
func (d *driver) hostFor(slug string) string {
	h := d.cfg.BaseDomain
	if slug != "" {
		h = slug + "." + h
	}
	return net.JoinHostPort(h, d.s.port)
}

// newRequest builds a request to path on slug's host.
func (d *driver) newRequest(ctx context.Context, method, slug, path, token string, body []byte) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.s.base.String()+path, r)
	if err != nil {
		return nil, err
	}
	req.Host = d.hostFor(slug)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req, nil
}

// call sends one setup request and decodes a JSON reply into out.
func (d *driver) call(ctx context.Context, method, slug, path, token string, in, out any) (int, error) {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return 0, err
		}
	}
	req, err := d.newRequest(ctx, method, slug, path, token, body)
	if err != nil {
		return 0, err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}

// filing is the case the submit scenario files (and setup files anonymously
// for receipts): a wage complaint like most.
func filing(i int64, mode string) []byte {
	b, _ := json.Marshal(map[string]any{
		"type": "complaint", "safety_mode": mode,
		"title":       fmt.Sprintf("Upah lembur bulan ini belum dibayar (%d)", i),
		"description": "Lembur hari Sabtu dan Minggu tidak dibayar sesuai aturan, slip gaji tidak diberikan. Teman satu lini juga mengalami hal yang sama. Mohon ditindaklanjuti.",
	})
	return b
}

// receiptsPerTenant are the anonymous cases setup files for the receipt
// scenario to look up.
const receiptsPerTenant = 20

func (d *driver) setup(ctx context.Context) error {
	s, cfg := d.s, d.cfg
	n := len(cfg.Tenants)
	s.worker, s.staff = make([]string, n), make([]string, n)
	s.caseIDs, s.receipts = make([][]string, n), make([][]string, n)
	s.workerIDs = make([]string, n)
	s.staffIDs = make([]string, n)
	type login struct {
		Token string `json:"token"`
		User  struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	for i, slug := range cfg.Tenants {
		var w, st login
		code, err := d.call(ctx, "POST", slug, "/api/v1/auth/login", "", map[string]string{"phone": cfg.WorkerPhone, "password": cfg.Password}, &w)
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("bench: worker login on %s: status %d: %v (run `suara seed bench` first)", slug, code, err)
		}
		code, err = d.call(ctx, "POST", slug, "/api/v1/auth/login", "", map[string]string{"email": "branch@" + slug + ".example", "password": cfg.Password}, &st)
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("bench: branch admin login on %s: status %d: %v", slug, code, err)
		}
		s.worker[i], s.staff[i], s.workerIDs[i], s.staffIDs[i] = w.Token, st.Token, w.User.ID, st.User.ID
		// The worker's own seeded cases: full timelines, in the branch
		// admin's province.
		var mine map[string]json.RawMessage
		if code, err := d.call(ctx, "GET", slug, "/api/v1/cases?limit=50", w.Token, nil, &mine); err != nil || code != http.StatusOK {
			return fmt.Errorf("bench: worker's cases on %s: status %d: %v", slug, code, err)
		}
		s.caseIDs[i] = append(s.caseIDs[i], items(mine)...)
		if len(s.caseIDs[i]) == 0 {
			return fmt.Errorf("bench: the worker has no cases on %s: run `suara seed bench` first", slug)
		}
		for k := range receiptsPerTenant {
			req, err := d.newRequest(ctx, "POST", slug, "/api/v1/cases", "", filing(int64(k), "anonymous"))
			if err != nil {
				return err
			}
			var out struct {
				ReceiptCode string `json:"receipt_code"`
			}
			resp, err := d.client.Do(req)
			if err != nil {
				return fmt.Errorf("bench: anonymous filing on %s: %w", slug, err)
			}
			err = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated || err != nil || out.ReceiptCode == "" {
				return fmt.Errorf("bench: anonymous filing on %s: status %d: %v", slug, resp.StatusCode, err)
			}
			s.receipts[i] = append(s.receipts[i], out.ReceiptCode)
		}
	}
	// The staff queue shares GET /api/v1/cases with "my cases": it is there
	// when a branch admin gets a non-empty page of seeded cases back.
	var q map[string]json.RawMessage
	code, err := d.call(ctx, "GET", cfg.Tenants[0], "/api/v1/cases?status=submitted&limit=20&sort=newest", s.staff[0], nil, &q)
	if err != nil || code != http.StatusOK || len(items(q)) == 0 {
		s.queueSkip = fmt.Sprintf("no staff queue on GET /api/v1/cases (status %d, %d items)", code, len(items(q)))
	}
	s.dashboardPath, s.dashboardSkip = d.probe(ctx, cfg.Tenants[0], s.staff[0],
		"/api/v1/admin/dashboard")
	if cfg.PlatformEmail != "" {
		var pl login
		code, err := d.call(ctx, "POST", "", "/api/v1/auth/login", "", map[string]string{"email": cfg.PlatformEmail, "password": cfg.Password}, &pl)
		if err != nil || code != http.StatusOK {
			s.platformSkip = fmt.Sprintf("platform login as %s: status %d", cfg.PlatformEmail, code)
		} else {
			s.platformToken = pl.Token
			s.platPath, s.platformSkip = d.probe(ctx, "", pl.Token, "/api/v1/platform/aggregates", "/api/v1/platform/overview", "/api/v1/aggregates")
		}
	} else {
		s.platformSkip = "no platform account given"
	}
	return nil
}

// probe returns the first of paths that answers 200, or why none did.
func (d *driver) probe(ctx context.Context, slug, token string, paths ...string) (string, string) {
	var seen []string
	for _, p := range paths {
		code, err := d.call(ctx, "GET", slug, p, token, nil, nil)
		if err == nil && code == http.StatusOK {
			return p, ""
		}
		seen = append(seen, fmt.Sprintf("%s→%d", p, code))
	}
	return "", "no such route yet: " + strings.Join(seen, ", ")
}

// items returns the ids in the first array of objects in a JSON reply.
func items(m map[string]json.RawMessage) []string {
	for _, k := range []string{"cases", "items", "queue"} {
		var list []struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(m[k], &list) == nil && len(list) > 0 {
			ids := make([]string, 0, len(list))
			for _, it := range list {
				ids = append(ids, it.ID)
			}
			return ids
		}
	}
	return nil
}

func (d *driver) scenarios() []Scenario {
	s, ten := d.s, d.cfg.Tenants
	n := int64(len(ten))
	get := func(slug, path, token string) func(ctx context.Context) (*http.Request, error) {
		return func(ctx context.Context) (*http.Request, error) {
			return d.newRequest(ctx, "GET", slug, path, token, nil)
		}
	}
	return []Scenario{
		{Name: ScenarioSubmit, Want: http.StatusCreated, Request: func(ctx context.Context, i int64) (*http.Request, error) {
			t := i % n
			return d.newRequest(ctx, "POST", ten[t], "/api/v1/cases", s.worker[t], filing(i, "named"))
		}},
		{Name: ScenarioQueue, Want: http.StatusOK, Skipped: s.queueSkip, Request: func(ctx context.Context, i int64) (*http.Request, error) {
			t := i % n
			return get(ten[t], "/api/v1/cases?status=submitted&limit=20&sort=newest", s.staff[t])(ctx)
		}},
		{Name: ScenarioCase, Want: http.StatusOK, Request: func(ctx context.Context, i int64) (*http.Request, error) {
			t := i % n
			ids := s.caseIDs[t]
			return get(ten[t], "/api/v1/cases/"+ids[int(i/n)%len(ids)], s.worker[t])(ctx)
		}},
		// The receipt code is exchanged in a POST body for a session
		// token (never in a URL): the exchange is the equal-time path.
		{Name: ScenarioReceipt, Want: http.StatusCreated, SpreadSources: true, Request: func(ctx context.Context, i int64) (*http.Request, error) {
			t := i % n
			codes := s.receipts[t]
			body, _ := json.Marshal(map[string]string{"code": codes[int(i/n)%len(codes)]})
			return d.newRequest(ctx, "POST", ten[t], "/api/v1/receipts/session", "", body)
		}},
		{Name: ScenarioDashboard, Want: http.StatusOK, Skipped: s.dashboardSkip, Request: func(ctx context.Context, i int64) (*http.Request, error) {
			t := i % n
			return get(ten[t], s.dashboardPath, s.staff[t])(ctx)
		}},
		{Name: ScenarioPlatform, Want: http.StatusOK, Skipped: s.platformSkip, Request: func(ctx context.Context, i int64) (*http.Request, error) {
			return get("", s.platPath, s.platformToken)(ctx)
		}},
	}
}
