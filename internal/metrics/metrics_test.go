package metrics_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"
	"unsafe"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for the pool stats test
	dto "github.com/prometheus/client_model/go"

	"github.com/suara-id/suara/internal/metrics"
)

// depthOf reports the given depths as available jobs.
func depthOf(byKind map[string]float64) func(context.Context) ([]metrics.JobDepth, error) {
	return func(context.Context) ([]metrics.JobDepth, error) {
		var out []metrics.JobDepth
		for k, n := range byKind {
			out = append(out, metrics.JobDepth{Kind: k, State: "available", N: n})
		}
		return out, nil
	}
}

// gather returns the registry's families by name.
func gather(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, lp := range m.GetLabel() {
		out[lp.GetName()] = lp.GetValue()
	}
	return out
}

// find returns the series of family name whose labels include want.
func find(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	t.Helper()
	mf, ok := fams[name]
	if !ok {
		t.Fatalf("family %s missing", name)
	}
next:
	for _, m := range mf.GetMetric() {
		got := labels(m)
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		return m
	}
	var have []string
	for _, m := range mf.GetMetric() {
		have = append(have, m.String())
	}
	t.Fatalf("%s has no series with %v; have %v", name, want, have)
	return nil
}

func labelNames(mf *dto.MetricFamily) []string {
	var out []string
	if len(mf.GetMetric()) == 0 {
		return nil
	}
	for _, lp := range mf.GetMetric()[0].GetLabel() {
		out = append(out, lp.GetName())
	}
	sort.Strings(out)
	return out
}

func TestMetricsRecordEveryFamilyWithItsLabels(t *testing.T) {
	m := metrics.New()
	m.ObserveHTTP("/cases/:id", "GET", 200, "spn", 30*time.Millisecond)
	m.ObserveHTTP("/cases/:id", "GET", 200, "spn", 10*time.Millisecond)
	m.ObserveHTTP("/", "GET", 404, "", time.Millisecond)
	m.ClassificationDone("qwen2.5:3b", false, 2*time.Second)
	m.ClassificationDone("qwen2.5:3b", true, 40*time.Millisecond)
	m.NotificationDelivered("email", true)
	m.NotificationDelivered("whatsapp", false)
	m.EvidenceStored(1500)
	m.EvidenceStored(500)
	m.JobFailed("classify")
	m.JobFailed("classify")
	m.SetJobDepth(depthOf(map[string]float64{"classify": 3, "notify": 0}))

	fams := gather(t, m)
	wantLabels := map[string][]string{
		"suara_http_requests_total":             {"method", "route", "status", "tenant"},
		"suara_http_request_duration_seconds":   {"method", "route", "tenant"},
		"suara_classification_duration_seconds": {"fallback", "model"},
		"suara_classification_fallbacks_total":  {"model"},
		"suara_notifications_total":             {"channel", "result"},
		"suara_evidence_stored_bytes_total":     nil,
		"suara_evidence_stored_files_total":     nil,
		"suara_jobs_failures_total":             {"kind"},
		"suara_jobs_queued":                     {"kind", "state"},
		"go_goroutines":                         nil,
		"process_cpu_seconds_total":             nil,
	}
	for name, want := range wantLabels {
		mf, ok := fams[name]
		if !ok {
			t.Errorf("family %s missing", name)
			continue
		}
		if got := labelNames(mf); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s labels = %v, want %v", name, got, want)
		}
	}

	if got := find(t, fams, "suara_http_requests_total", map[string]string{"route": "/cases/:id", "status": "200", "tenant": "spn", "method": "GET"}).GetCounter().GetValue(); got != 2 {
		t.Errorf("requests for /cases/:id = %v, want 2", got)
	}
	find(t, fams, "suara_http_requests_total", map[string]string{"route": "/", "status": "404", "tenant": ""})
	h := find(t, fams, "suara_http_request_duration_seconds", map[string]string{"route": "/cases/:id"}).GetHistogram()
	if h.GetSampleCount() != 2 || h.GetSampleSum() < 0.039 || h.GetSampleSum() > 0.041 {
		t.Errorf("latency histogram count=%d sum=%v, want 2 and 0.04", h.GetSampleCount(), h.GetSampleSum())
	}
	if n := find(t, fams, "suara_classification_duration_seconds", map[string]string{"model": "qwen2.5:3b", "fallback": "true"}).GetHistogram().GetSampleCount(); n != 1 {
		t.Errorf("fallback classifications = %d, want 1", n)
	}
	if v := find(t, fams, "suara_classification_fallbacks_total", map[string]string{"model": "qwen2.5:3b"}).GetCounter().GetValue(); v != 1 {
		t.Errorf("fallbacks = %v, want 1", v)
	}
	find(t, fams, "suara_notifications_total", map[string]string{"channel": "email", "result": "delivered"})
	find(t, fams, "suara_notifications_total", map[string]string{"channel": "whatsapp", "result": "failed"})
	if v := fams["suara_evidence_stored_bytes_total"].GetMetric()[0].GetCounter().GetValue(); v != 2000 {
		t.Errorf("evidence bytes = %v, want 2000", v)
	}
	if v := fams["suara_evidence_stored_files_total"].GetMetric()[0].GetCounter().GetValue(); v != 2 {
		t.Errorf("evidence files = %v, want 2", v)
	}
	if v := find(t, fams, "suara_jobs_failures_total", map[string]string{"kind": "classify"}).GetCounter().GetValue(); v != 2 {
		t.Errorf("job failures = %v, want 2", v)
	}
	if v := find(t, fams, "suara_jobs_queued", map[string]string{"kind": "classify", "state": "available"}).GetGauge().GetValue(); v != 3 {
		t.Errorf("queued classify = %v, want 3", v)
	}
}

// Label values that look like a person — phone, e-mail, receipt code, NIK,
// UUID — never become series, whichever method they reach.
func TestMetricsLabelsNeverCarryPersonalData(t *testing.T) {
	personal := []string{
		"+6281234567890", "081234567890", "0812-3456-7890", "+62 812 3456 7890",
		"siti@example.org", "/lapor/siti.aminah@gmail.com",
		"1234567812345678", "1234 5678 1234 5678",
		"3201234567890001",
		"0b5a3c1e-8f2d-4a6b-9c7e-1d2f3a4b5c6d", "/cases/0b5a3c1e8f2d4a6b9c7e1d2f3a4b5c6d",
		strings.Repeat("a", 200),
	}
	m := metrics.New()
	for _, v := range personal {
		m.ObserveHTTP(v, "GET", 200, v, time.Millisecond)
		m.ClassificationDone(v, true, time.Millisecond)
		m.NotificationDelivered(v, true)
		m.JobFailed(v)
	}
	m.SetJobDepth(func(context.Context) ([]metrics.JobDepth, error) {
		var out []metrics.JobDepth
		for _, v := range personal {
			out = append(out, metrics.JobDepth{Kind: v, State: "available", N: 1})
		}
		return out, nil
	})
	fams := gather(t, m)
	for name, mf := range fams {
		if !strings.HasPrefix(name, "suara_") {
			continue
		}
		for _, s := range mf.GetMetric() {
			for _, lp := range s.GetLabel() {
				for _, v := range personal {
					if lp.GetValue() == v {
						t.Errorf("%s{%s=%q} carries personal data", name, lp.GetName(), v)
					}
				}
			}
		}
	}
	// Redacted values collapse into one series each, and the queue gauge
	// sums them rather than emitting duplicates (which would fail a scrape).
	if v := find(t, fams, "suara_jobs_queued", map[string]string{"kind": metrics.Redacted}).GetGauge().GetValue(); v != float64(len(personal)) {
		t.Errorf("redacted queue depth = %v, want %d", v, len(personal))
	}
	if v := find(t, fams, "suara_jobs_failures_total", map[string]string{"kind": metrics.Redacted}).GetCounter().GetValue(); v != float64(len(personal)) {
		t.Errorf("redacted failures = %v, want %d", v, len(personal))
	}
	// Ordinary values are kept as they are.
	m.JobFailed("classify_case")
	m.ObserveHTTP("/api/v1/cases/:id/messages", "POST", 201, "garteks", time.Millisecond)
	fams = gather(t, m)
	find(t, fams, "suara_jobs_failures_total", map[string]string{"kind": "classify_case"})
	find(t, fams, "suara_http_requests_total", map[string]string{"route": "/api/v1/cases/:id/messages", "tenant": "garteks", "method": "POST", "status": "201"})
}

// A client may send any token as a method; only the standard verbs get a
// series of their own.
func TestMetricsMethodLabelIsBounded(t *testing.T) {
	m := metrics.New()
	for _, meth := range []string{"GET", "BREW", "PROPFIND", "get"} {
		m.ObserveHTTP("/", meth, 200, "", time.Millisecond)
	}
	fams := gather(t, m)
	if v := find(t, fams, "suara_http_requests_total", map[string]string{"method": "OTHER"}).GetCounter().GetValue(); v != 3 {
		t.Errorf("OTHER = %v, want 3", v)
	}
	if n := len(fams["suara_http_requests_total"].GetMetric()); n != 2 {
		t.Errorf("series = %d, want 2 (GET and OTHER)", n)
	}
}

// Fiber hands out strings that alias request buffers it reuses; a label
// value must be a copy, or a later request rewrites the series' label.
func TestMetricsCopyLabelValues(t *testing.T) {
	buf := []byte("/cases/:id")
	tenantBuf := []byte("spn")
	route := unsafe.String(&buf[0], len(buf))
	tenant := unsafe.String(&tenantBuf[0], len(tenantBuf))
	m := metrics.New()
	m.ObserveHTTP(route, "GET", 200, tenant, time.Millisecond)
	copy(buf, "/zzzzz/:zz")
	copy(tenantBuf, "xxx")
	find(t, gather(t, m), "suara_http_requests_total", map[string]string{"route": "/cases/:id", "tenant": "spn"})
}

func TestMetricsJobDepthIsAskedAtScrapeTime(t *testing.T) {
	m := metrics.New()
	if _, ok := gather(t, m)["suara_jobs_queued"]; ok {
		t.Fatal("suara_jobs_queued has series before a callback is set")
	}
	depth := 1.0
	m.SetJobDepth(func(context.Context) ([]metrics.JobDepth, error) {
		return []metrics.JobDepth{{Kind: "classify", State: "available", N: depth}, {Kind: "classify", State: "running", N: 1}}, nil
	})
	if v := find(t, gather(t, m), "suara_jobs_queued", map[string]string{"kind": "classify", "state": "available"}).GetGauge().GetValue(); v != 1 {
		t.Fatalf("queued = %v, want 1", v)
	}
	depth = 7
	if v := find(t, gather(t, m), "suara_jobs_queued", map[string]string{"kind": "classify", "state": "available"}).GetGauge().GetValue(); v != 7 {
		t.Fatalf("queued after change = %v, want 7", v)
	}
}

func TestMetricsRegisterDBPoolStats(t *testing.T) {
	// sql.Open does not connect: pool stats exist before any connection.
	sqldb, err := sql.Open("pgx", "postgres://nobody@127.0.0.1:1/none")
	if err != nil {
		t.Fatal(err)
	}
	defer sqldb.Close()
	sqldb.SetMaxOpenConns(17)
	m := metrics.New()
	if err := m.RegisterDB(sqldb, "app"); err != nil {
		t.Fatal(err)
	}
	fams := gather(t, m)
	if v := find(t, fams, "go_sql_max_open_connections", map[string]string{"db_name": "app"}).GetGauge().GetValue(); v != 17 {
		t.Errorf("max open = %v, want 17", v)
	}
	for _, name := range []string{"go_sql_open_connections", "go_sql_in_use_connections", "go_sql_idle_connections", "go_sql_wait_count_total", "go_sql_wait_duration_seconds_total"} {
		find(t, fams, name, map[string]string{"db_name": "app"})
	}
	if err := m.RegisterDB(sqldb, "app"); err == nil {
		t.Error("registering the same pool name twice succeeded")
	}
}

func TestNilMetricsDoNothing(t *testing.T) {
	var m *metrics.Metrics
	m.ObserveHTTP("/", "GET", 200, "", time.Millisecond)
	m.ClassificationDone("builtin", false, time.Millisecond)
	m.NotificationDelivered("email", true)
	m.EvidenceStored(10)
	m.JobFailed("classify")
	m.SetJobDepth(func(context.Context) ([]metrics.JobDepth, error) { return nil, nil })
	if m.Handler("") == nil {
		t.Fatal("no handler")
	}
	if err := m.RegisterDB(nil, "app"); err != nil {
		t.Fatal(err)
	}
}

// A failing queue query costs its own family, not the scrape: the error is
// reported and every other family is still there.
func TestMetricsJobDepthFailureKeepsTheRest(t *testing.T) {
	m := metrics.New()
	m.JobFailed("classify_case")
	m.SetJobDepth(func(context.Context) ([]metrics.JobDepth, error) { return nil, errors.New("database down") })
	mfs, err := m.Registry.Gather()
	if err == nil || !strings.Contains(err.Error(), "database down") {
		t.Fatalf("gather error = %v, want the queue query's", err)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	if !names["suara_jobs_failures_total"] || names["suara_jobs_queued"] {
		t.Errorf("families after a failed queue query: %v", names)
	}
	rec := httptest.NewRecorder()
	m.Handler("").ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "suara_jobs_failures_total") {
		t.Errorf("handler after a failed queue query: %d\n%s", rec.Code, rec.Body.String())
	}
}

// The worker's own listener asks for the same bearer token as /metrics.
func TestMetricsHandlerToken(t *testing.T) {
	m := metrics.New()
	const token = "s3cret-scrape-token"
	for _, tc := range []struct {
		header string
		want   int
	}{
		{"", http.StatusUnauthorized},
		{"Bearer nope", http.StatusUnauthorized},
		{"Basic " + token, http.StatusUnauthorized},
		{token, http.StatusUnauthorized},
		{"Bearer " + token + "x", http.StatusUnauthorized},
		{"Bearer " + token, http.StatusOK},
		{"bearer " + token, http.StatusOK},
	} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		rec := httptest.NewRecorder()
		m.Handler(token).ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("Authorization %q: %d, want %d", tc.header, rec.Code, tc.want)
		}
		if tc.want != http.StatusOK && strings.Contains(rec.Body.String(), "go_goroutines") {
			t.Errorf("Authorization %q: registry served", tc.header)
		}
	}
}
