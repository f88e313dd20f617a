package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/metrics"
)

// newMetricsEnv is newEnv with the server's metrics at hand, exporting the
// app pool's stats (unless app already does) and a queue depth, as the
// worker's callback would.
func newMetricsEnv(t *testing.T, mutate ...func(*config.Config)) (*env, *metrics.Metrics) {
	t.Helper()
	e := newEnv(t, mutate...)
	m := e.srv.Metrics()
	if m == nil {
		t.Fatal("the server is built without metrics")
	}
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	hasPool := false
	for _, mf := range mfs {
		hasPool = hasPool || mf.GetName() == "go_sql_open_connections"
	}
	if !hasPool {
		if err := m.RegisterDB(e.db.App.DB, "app"); err != nil {
			t.Fatal(err)
		}
	}
	// No job runs here: a fixed depth stands in for the database's (the
	// real query is exercised by TestMetricsScrapeAfterRealWork).
	m.SetJobDepth(func(context.Context) ([]metrics.JobDepth, error) {
		return []metrics.JobDepth{{Kind: "classify_case", State: "available", N: 2}}, nil
	})
	return e, m
}

// scrape fetches /metrics on the platform host and parses it.
func scrape(t *testing.T, e *env, headers ...string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, body := e.get("localhost", "/metrics", headers...)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d: %s", resp.StatusCode, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse exposition: %v", err)
	}
	return fams
}

// series returns the label sets of family name.
func series(fams map[string]*dto.MetricFamily, name string) []map[string]string {
	var out []map[string]string
	for _, m := range fams[name].GetMetric() {
		ls := map[string]string{}
		for _, lp := range m.GetLabel() {
			ls[lp.GetName()] = lp.GetValue()
		}
		out = append(out, ls)
	}
	return out
}

func hasSeries(fams map[string]*dto.MetricFamily, name string, want map[string]string) bool {
next:
	for _, ls := range series(fams, name) {
		for k, v := range want {
			if ls[k] != v {
				continue next
			}
		}
		return true
	}
	return false
}

// Personal data a client can put in a URL: none of it may become a label.
const (
	piiPhone   = "+6281234567890"
	piiEmail   = "siti.aminah@example.org"
	piiReceipt = "4929123456781234"
	piiUUID    = "0b5a3c1e-8f2d-4a6b-9c7e-1d2f3a4b5c6d"
)

var piiLabelRE = []*regexp.Regexp{
	regexp.MustCompile(`^\+?\d{9,15}$`),                           // phone
	regexp.MustCompile(`@`),                                       // e-mail
	regexp.MustCompile(`\d{16}`),                                  // receipt code, NIK
	regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}`), // UUID
}

func TestMetricsScrapeAfterRequests(t *testing.T) {
	e, m := newMetricsEnv(t)
	e.get("spn.localhost", "/")
	e.get("spn.localhost", "/")
	e.get("spn.localhost", "/static/app.css")
	e.get("garteks.localhost", "/")
	e.get("localhost", "/")
	e.get("nowhere.example.com", "/")
	e.get("nowhere.example.com", "/lapor/"+piiPhone)
	// Raw paths full of personal data, on a tenant and on the platform.
	e.get("spn.localhost", "/lapor/"+piiPhone+"/"+piiEmail+"?kode="+piiReceipt)
	e.get("spn.localhost", "/cases/"+piiUUID)
	e.get("spn.localhost", "/api/v1/cases/"+piiUUID)
	e.get("spn.localhost", "/kode/"+piiReceipt)
	e.get("localhost", "/u/"+piiEmail)
	// What the worker, the classifier, the notifier and the evidence store
	// record reaches the same registry.
	m.ClassificationDone("qwen2.5:3b", true, 1200*time.Millisecond)
	m.NotificationDelivered("email", true)
	m.EvidenceStored(4096)
	m.JobFailed("classify_case")

	resp, body := e.get("localhost", "/metrics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d", resp.StatusCode)
	}
	for _, pii := range []string{piiPhone, "6281234567890", piiEmail, piiReceipt, piiUUID} {
		if strings.Contains(body, pii) {
			t.Errorf("scrape contains %q", pii)
		}
	}
	fams := scrape(t, e)

	for _, name := range []string{
		"suara_http_requests_total", "suara_http_request_duration_seconds",
		"go_sql_open_connections", "go_sql_in_use_connections", "go_sql_wait_count_total",
		"suara_jobs_queued", "suara_jobs_failures_total",
		"suara_classification_duration_seconds", "suara_classification_fallbacks_total",
		"suara_notifications_total", "suara_evidence_stored_bytes_total",
	} {
		if _, ok := fams[name]; !ok {
			t.Errorf("family %s missing from the scrape", name)
		}
	}
	if got := fams["suara_http_request_duration_seconds"].GetType(); got != dto.MetricType_HISTOGRAM {
		t.Errorf("request duration is a %v, want a histogram", got)
	}
	for _, want := range []map[string]string{
		{"route": "/", "method": "GET", "status": "200", "tenant": "spn"},
		{"route": "/", "method": "GET", "status": "200", "tenant": "garteks"},
		{"route": "/static/*", "method": "GET", "status": "200", "tenant": "spn"},
		{"route": "/", "method": "GET", "status": "200", "tenant": ""},
		{"route": "/metrics", "method": "GET", "status": "200", "tenant": ""},
		{"route": "/", "method": "GET", "status": "404", "tenant": "unknown"},
		{"route": "unmatched", "method": "GET", "status": "404", "tenant": "spn"},
		{"route": "unmatched", "method": "GET", "status": "404", "tenant": ""},
		{"route": "unmatched", "status": "404", "tenant": "unknown"},
	} {
		if !hasSeries(fams, "suara_http_requests_total", want) {
			t.Errorf("no suara_http_requests_total series with %v; have %v", want, series(fams, "suara_http_requests_total"))
		}
	}
	if !hasSeries(fams, "suara_http_request_duration_seconds", map[string]string{"route": "/", "tenant": "spn", "method": "GET"}) {
		t.Error("no latency series for / on spn")
	}
	if len(series(fams, "go_sql_open_connections")) == 0 {
		t.Error("no pool stats for the app pool")
	}
	if !hasSeries(fams, "suara_jobs_queued", map[string]string{"kind": "classify_case"}) {
		t.Error("no queue depth for classify_case")
	}
	if !hasSeries(fams, "suara_classification_duration_seconds", map[string]string{"model": "qwen2.5:3b", "fallback": "true"}) {
		t.Error("no classification latency by model and fallback")
	}
	if !hasSeries(fams, "suara_notifications_total", map[string]string{"channel": "email", "result": "delivered"}) {
		t.Error("no notification deliveries by channel")
	}

	// A matched route is labelled by its template, whatever the id.
	for _, route := range []string{"/cases/:id", "/api/v1/cases/:id"} {
		if !hasSeries(fams, "suara_http_requests_total", map[string]string{"route": route, "tenant": "spn"}) {
			t.Errorf("no series for route template %s; have %v", route, series(fams, "suara_http_requests_total"))
		}
	}
	// Two spn requests matched no route, with personal data in their paths:
	// they share one bounded series rather than one series per path.
	for _, mf := range fams {
		for _, s := range mf.GetMetric() {
			for _, lp := range s.GetLabel() {
				for _, re := range piiLabelRE {
					if re.MatchString(lp.GetValue()) {
						t.Errorf("%s{%s=%q} looks like personal data", mf.GetName(), lp.GetName(), lp.GetValue())
					}
				}
			}
		}
	}
	// Every route label is a registered template (or "unmatched").
	templates := map[string]bool{"unmatched": true}
	for _, r := range e.srv.App().GetRoutes() {
		templates[r.Path] = true
	}
	var spn404 float64
	for _, s := range fams["suara_http_requests_total"].GetMetric() {
		ls := map[string]string{}
		for _, lp := range s.GetLabel() {
			ls[lp.GetName()] = lp.GetValue()
		}
		if !templates[ls["route"]] {
			t.Errorf("route label %q is not a registered route template", ls["route"])
		}
		if ls["tenant"] == "spn" && ls["status"] == "404" && ls["route"] == "unmatched" {
			spn404 += s.GetCounter().GetValue()
		}
	}
	if spn404 < 2 {
		t.Errorf("unmatched spn 404s = %v, want at least 2", spn404)
	}
}

// A handler that panics is answered 500 by the recover middleware; the
// request still counts, as a 500 on its route.
func TestMetricsCountPanics(t *testing.T) {
	e, _ := newMetricsEnv(t)
	e.srv.App().Get("/test-panic/:id", func(c *fiber.Ctx) error { panic("boom") })
	if resp, _ := e.get("spn.localhost", "/test-panic/"+piiUUID); resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("panicking handler answered %d, want 500", resp.StatusCode)
	}
	fams := scrape(t, e)
	if !hasSeries(fams, "suara_http_requests_total", map[string]string{"route": "/test-panic/:id", "status": "500", "tenant": "spn"}) {
		t.Errorf("panic not counted; have %v", series(fams, "suara_http_requests_total"))
	}
}

func TestMetricsOnlyOnPlatformHost(t *testing.T) {
	e, _ := newMetricsEnv(t)
	for _, host := range []string{"spn.localhost", "garteks.localhost", "nowhere.example.com"} {
		resp, body := e.get(host, "/metrics")
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s/metrics = %d, want 404", host, resp.StatusCode)
		}
		if strings.Contains(body, "suara_http_requests_total") || strings.Contains(body, "go_sql_") {
			t.Errorf("GET %s/metrics leaks the registry", host)
		}
	}
	if resp, _ := e.get("localhost", "/metrics"); resp.StatusCode != http.StatusOK {
		t.Errorf("platform /metrics = %d, want 200", resp.StatusCode)
	}
}

func TestMetricsTokenRequiredWhenConfigured(t *testing.T) {
	const token = "s3cret-scrape-token"
	e, _ := newMetricsEnv(t, func(c *config.Config) { c.Security.MetricsToken = token })
	for _, tc := range []struct {
		name   string
		header []string
		want   int
	}{
		{"no header", nil, http.StatusUnauthorized},
		{"wrong token", []string{"Authorization", "Bearer nope"}, http.StatusUnauthorized},
		{"token prefix", []string{"Authorization", "Bearer " + token[:5]}, http.StatusUnauthorized},
		{"token with extra", []string{"Authorization", "Bearer " + token + "x"}, http.StatusUnauthorized},
		{"basic scheme", []string{"Authorization", "Basic " + token}, http.StatusUnauthorized},
		{"bare token", []string{"Authorization", token}, http.StatusUnauthorized},
		{"right token", []string{"Authorization", "Bearer " + token}, http.StatusOK},
		{"scheme in lower case", []string{"Authorization", "bearer " + token}, http.StatusOK},
	} {
		resp, body := e.get("localhost", "/metrics", tc.header...)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
		if tc.want != http.StatusOK && strings.Contains(body, "suara_http_requests_total") {
			t.Errorf("%s: registry served without the token", tc.name)
		}
	}
	// The token never opens /metrics on a tenant host.
	if resp, _ := e.get("spn.localhost", "/metrics", "Authorization", "Bearer "+token); resp.StatusCode != http.StatusNotFound {
		t.Errorf("tenant /metrics with token = %d, want 404", resp.StatusCode)
	}
}

// fakeOllama has the configured model (so the worker asks it) but fails
// every chat: each classification falls back to the built-in model.
func fakeOllama(t *testing.T, model string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/tags":
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"models": []map[string]any{{"name": model, "model": model,
				"modified_at": "2026-01-01T00:00:00Z", "size": 1929912432, "digest": "abc"}}})
		case "/api/chat":
			http.Error(w, `{"error":"model runner crashed"}`, http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Acceptance: real work — a filing classified by the queue's workers, SMS
// deliveries through a tenant's gateway (one failing, so a job fails), an
// evidence upload — then a scrape of /metrics shows every family with its
// labels, the queue depth read from River's table, and no label value that
// is a phone, an e-mail, a receipt code or a UUID of a person.
func TestMetricsScrapeAfterRealWork(t *testing.T) {
	const model = "qwen2.5:3b"
	var gwCalls atomic.Int32
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gwCalls.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway) // the first message fails
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer gw.Close()
	ollama := fakeOllama(t, model)
	e := newCaseEnv(t, allowGateway(gw), func(c *config.Config) {
		c.Classify.Workers = 2
		c.Classify.Ollama.Enabled, c.Classify.Ollama.Host, c.Classify.Ollama.Model = true, ollama, model
		c.Classify.Ollama.Timeout = 5 * time.Second
	})
	ctx := context.Background()
	// The demo seed queued classification of its cases; this test works
	// only the jobs it causes.
	if _, err := e.db.Super.ExecContext(ctx, "DELETE FROM river_job"); err != nil {
		t.Fatal(err)
	}
	admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
	if resp, st := putSettings(e, admin, map[string]any{"sms_enabled": true, "gateway_url": gw.URL, "gateway_token": "tok",
		"quiet_start": 0, "quiet_end": 0}); resp.StatusCode != http.StatusOK {
		t.Fatalf("save settings: %d %v", resp.StatusCode, st)
	}
	// A named filing (classified) and two admin messages to its reporter
	// (two SMS rows).
	worker, _, caseID, _ := notifyCase(t, e)
	if resp, body := e.postJSON(spnHost, "/api/v1/cases/"+caseID+"/messages", map[string]any{"body": "Kami jadwalkan pertemuan."}, bearer(admin)...); resp.StatusCode != http.StatusCreated {
		t.Fatalf("second message: %d %v", resp.StatusCode, body)
	}
	jpg, _ := jpegWithGPS(t)
	if resp, body := e.upload(spnHost, "/api/v1/cases/"+caseID+"/evidence", worker, "slip.jpg", "image/jpeg", jpg); resp.StatusCode != http.StatusCreated {
		t.Fatalf("evidence upload: %d %v", resp.StatusCode, body)
	}
	// An anonymous filing: its receipt code opens the receipt page.
	anon := e.file(spnHost, "", map[string]any{"type": "complaint",
		"description": "Pintu darurat di gudang dikunci dari luar selama shift malam."})
	code := fmt.Sprint(anon["receipt_code"])
	if resp, _ := e.get(spnHost, "/api/v1/receipt", bearer(e.receiptSession(spnHost, code))...); resp.StatusCode != http.StatusOK {
		t.Fatalf("receipt view: %d", resp.StatusCode)
	}

	// Before the workers start, the queue depth comes from the database.
	fams := scrape(t, e)
	if !hasSeries(fams, "suara_jobs_queued", map[string]string{"kind": "classify_case", "state": "available"}) ||
		!hasSeries(fams, "suara_jobs_queued", map[string]string{"kind": "notify_deliver", "state": "available"}) {
		t.Errorf("queue depth before work: %v", series(fams, "suara_jobs_queued"))
	}

	q := e.pf.Jobs
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(stopCtx)
	})
	want := []struct {
		name   string
		labels map[string]string
	}{
		{"suara_classification_duration_seconds", map[string]string{"model": model, "fallback": "true"}},
		{"suara_classification_fallbacks_total", map[string]string{"model": model}},
		{"suara_notifications_total", map[string]string{"channel": "sms", "result": "delivered"}},
		{"suara_notifications_total", map[string]string{"channel": "sms", "result": "failed"}},
		{"suara_jobs_failures_total", map[string]string{"kind": "notify_deliver"}},
		// The failed delivery waits for its retry (30s away): the queue
		// depth shows it.
		{"suara_jobs_queued", map[string]string{"kind": "notify_deliver", "state": "retryable"}},
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		fams = scrape(t, e)
		missing := ""
		for _, w := range want {
			if !hasSeries(fams, w.name, w.labels) {
				missing = fmt.Sprintf("%s%v", w.name, w.labels)
				break
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s the workers have not recorded %s; have %v %v %v", missing,
				series(fams, "suara_classification_duration_seconds"), series(fams, "suara_notifications_total"), series(fams, "suara_jobs_failures_total"))
		}
		time.Sleep(300 * time.Millisecond)
	}

	wantLabels := map[string]string{
		"suara_http_requests_total":             "method,route,status,tenant",
		"suara_http_request_duration_seconds":   "method,route,tenant",
		"suara_classification_duration_seconds": "fallback,model",
		"suara_classification_fallbacks_total":  "model",
		"suara_notifications_total":             "channel,result",
		"suara_evidence_stored_bytes_total":     "",
		"suara_evidence_stored_files_total":     "",
		"suara_jobs_failures_total":             "kind",
		"suara_jobs_queued":                     "kind,state",
		"go_sql_open_connections":               "db_name",
		"go_sql_in_use_connections":             "db_name",
		"go_sql_wait_count_total":               "db_name",
	}
	for name, labels := range wantLabels {
		mf, ok := fams[name]
		if !ok || len(mf.GetMetric()) == 0 {
			t.Errorf("family %s missing from the scrape", name)
			continue
		}
		for _, m := range mf.GetMetric() {
			var names []string
			for _, lp := range m.GetLabel() {
				names = append(names, lp.GetName())
			}
			if got := strings.Join(names, ","); got != labels {
				t.Errorf("%s labels %q, want %q", name, got, labels)
			}
		}
	}
	if v := fams["suara_evidence_stored_files_total"].GetMetric()[0].GetCounter().GetValue(); v != 1 {
		t.Errorf("evidence files = %v, want 1", v)
	}
	if v := fams["suara_evidence_stored_bytes_total"].GetMetric()[0].GetCounter().GetValue(); v <= 0 {
		t.Errorf("evidence bytes = %v, want > 0", v)
	}
	for _, route := range []string{"/api/v1/cases", "/api/v1/cases/:id/messages", "/api/v1/cases/:id/evidence", "/api/v1/receipts/session", "/api/v1/receipt"} {
		if !hasSeries(fams, "suara_http_requests_total", map[string]string{"route": route, "tenant": "spn"}) {
			t.Errorf("no request series for %s", route)
		}
	}

	// No label is anyone's phone, e-mail, receipt code or id.
	var personal []string
	e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id::text, coalesce(phone, ''), coalesce(email, '') FROM users")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, phone, email string
			if err := rows.Scan(&id, &phone, &email); err != nil {
				return err
			}
			personal = append(personal, id, phone, email)
		}
		return rows.Err()
	})
	personal = append(personal, caseID, fmt.Sprint(anon["id"]), code)
	for _, mf := range fams {
		for _, s := range mf.GetMetric() {
			for _, lp := range s.GetLabel() {
				v := lp.GetValue()
				for _, p := range personal {
					if p != "" && strings.Contains(v, p) {
						t.Errorf("%s{%s=%q} carries personal data", mf.GetName(), lp.GetName(), v)
					}
				}
				for _, re := range piiLabelRE {
					if re.MatchString(v) {
						t.Errorf("%s{%s=%q} looks like personal data", mf.GetName(), lp.GetName(), v)
					}
				}
			}
		}
	}
	if len(personal) < 6 {
		t.Fatalf("only %d personal values to look for", len(personal))
	}
}
