// Package metrics owns Suara's Prometheus collectors. It knows nothing of
// HTTP frameworks: the web layer records into it and serves its registry.
//
// Label values are bounded and never personal: routes are templates, tenants
// are slugs, and every other label comes from code (model names, channels,
// job kinds). As a last line of defence, any label value that looks like a
// phone number, an e-mail address, a receipt code or a UUID is replaced
// before it reaches a series.
//
// Every method is safe on a nil *Metrics and does nothing, so callers wired
// without metrics need no checks.
package metrics

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "suara"

// Metrics holds the registry and every collector.
type Metrics struct {
	Registry *prometheus.Registry

	httpRequests      *prometheus.CounterVec
	httpDuration      *prometheus.HistogramVec
	classifyDuration  *prometheus.HistogramVec
	classifyFallbacks *prometheus.CounterVec
	notifications     *prometheus.CounterVec
	evidenceBytes     prometheus.Counter
	evidenceFiles     prometheus.Counter
	jobFailures       *prometheus.CounterVec
	jobDepth          *jobDepthCollector
}

// New registers every collector on a fresh registry. A fresh registry, not
// the global default, keeps tests independent and the process free of
// global mutable state.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests by route template, method, status code and tenant slug (\"\" = platform, \"unknown\" = unknown host).",
		}, []string{"route", "method", "status", "tenant"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
			Help:    "HTTP request latency by route template, method and tenant slug.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method", "tenant"}),
		classifyDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "classification", Name: "duration_seconds",
			Help: "Case classification latency by model and whether the built-in fallback answered.",
			// Ollama on a CPU takes seconds to tens of seconds; the built-in
			// classifier answers in milliseconds.
			Buckets: []float64{.005, .025, .1, .25, .5, 1, 2.5, 5, 10, 20, 30, 60, 120},
		}, []string{"model", "fallback"}),
		classifyFallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "classification", Name: "fallbacks_total",
			Help: "Classifications answered by the built-in classifier because the named model failed or was unreachable.",
		}, []string{"model"}),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "notifications", Name: "total",
			Help: "Notification delivery attempts by channel and result (delivered or failed).",
		}, []string{"channel", "result"}),
		evidenceBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "evidence", Name: "stored_bytes_total",
			Help: "Bytes of evidence stored (after EXIF stripping).",
		}),
		evidenceFiles: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "evidence", Name: "stored_files_total",
			Help: "Evidence files stored.",
		}),
		jobFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "jobs", Name: "failures_total",
			Help: "Background job attempts that failed, by job kind.",
		}, []string{"kind"}),
		jobDepth: &jobDepthCollector{desc: prometheus.NewDesc(
			prometheus.BuildFQName(namespace, "jobs", "queued"),
			"Unfinished jobs by kind and state: available (ready now), scheduled, retryable (waiting for their time) and running. "+
				"Read from the database at scrape time, so every process reports the same figure: aggregate with max, not sum.",
			[]string{"kind", "state"}, nil)},
	}
	m.Registry.MustRegister(
		m.httpRequests, m.httpDuration, m.classifyDuration, m.classifyFallbacks,
		m.notifications, m.evidenceBytes, m.evidenceFiles, m.jobFailures, m.jobDepth,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// ObserveHTTP records one finished request. route must be the route
// template (/cases/:id), never the raw path; tenant is the tenant slug, ""
// on the platform host.
func (m *Metrics) ObserveHTTP(route, method string, status int, tenant string, d time.Duration) {
	if m == nil {
		return
	}
	route, tenant = safeLabel(route), safeLabel(tenant)
	method = knownMethod(method)
	m.httpRequests.WithLabelValues(route, method, strconv.Itoa(status), tenant).Inc()
	m.httpDuration.WithLabelValues(route, method, tenant).Observe(d.Seconds())
}

// ClassificationDone records one classification: the model asked, whether
// the built-in fallback had to answer instead, and how long it all took.
func (m *Metrics) ClassificationDone(model string, fallback bool, d time.Duration) {
	if m == nil {
		return
	}
	model = safeLabel(model)
	m.classifyDuration.WithLabelValues(model, strconv.FormatBool(fallback)).Observe(d.Seconds())
	if fallback {
		m.classifyFallbacks.WithLabelValues(model).Inc()
	}
}

// NotificationDelivered records one delivery attempt on channel.
func (m *Metrics) NotificationDelivered(channel string, ok bool) {
	if m == nil {
		return
	}
	result := "failed"
	if ok {
		result = "delivered"
	}
	m.notifications.WithLabelValues(safeLabel(channel), result).Inc()
}

// EvidenceStored records one stored evidence file of n bytes.
func (m *Metrics) EvidenceStored(n int64) {
	if m == nil {
		return
	}
	m.evidenceFiles.Inc()
	if n > 0 {
		m.evidenceBytes.Add(float64(n))
	}
}

// JobFailed records one failed attempt of a job of the given kind.
func (m *Metrics) JobFailed(kind string) {
	if m == nil {
		return
	}
	m.jobFailures.WithLabelValues(safeLabel(kind)).Inc()
}

// RegisterDB exports the connection pool statistics of db (open, in use,
// idle, waits, closes) as go_sql_* series labelled db_name=name.
func (m *Metrics) RegisterDB(db *sql.DB, name string) error {
	if m == nil {
		return nil
	}
	if err := m.Registry.Register(collectors.NewDBStatsCollector(db, name)); err != nil {
		return fmt.Errorf("register db pool stats %q: %w", name, err)
	}
	return nil
}

// JobDepth is how many jobs of one kind are in one state.
type JobDepth struct {
	Kind, State string
	N           float64
}

// jobDepthTimeout bounds the queue query of one scrape.
const jobDepthTimeout = 2 * time.Second

// SetJobDepth installs the query that reports unfinished jobs by kind and
// state; it runs on every scrape (with a short deadline), so it must be a
// cheap count. Before it is set, suara_jobs_queued has no series; when it
// fails, the scrape reports the error for that family and serves the rest.
func (m *Metrics) SetJobDepth(fn func(context.Context) ([]JobDepth, error)) {
	if m == nil {
		return
	}
	m.jobDepth.set(fn)
}

// Handler serves the registry for a process without the web server (`suara
// worker`). With token set, a scraper must send it as a bearer token.
func (m *Metrics) Handler(token string) http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	h := promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			scheme, got, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
			// Constant time: the comparison must not leak how much of a
			// guess was right.
			if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// jobDepthCollector runs a query for the queue depth at scrape time: the
// queue lives in PostgreSQL (River), so there is no in-process gauge to keep
// up to date, and the query is only known once the job client exists.
type jobDepthCollector struct {
	desc *prometheus.Desc
	mu   sync.RWMutex
	fn   func(context.Context) ([]JobDepth, error)
}

func (q *jobDepthCollector) set(fn func(context.Context) ([]JobDepth, error)) {
	q.mu.Lock()
	q.fn = fn
	q.mu.Unlock()
}

func (q *jobDepthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

func (q *jobDepthCollector) Collect(ch chan<- prometheus.Metric) {
	q.mu.RLock()
	fn := q.fn
	q.mu.RUnlock()
	if fn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), jobDepthTimeout)
	defer cancel()
	rows, err := fn(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(q.desc, fmt.Errorf("queue depth: %w", err))
		return
	}
	// Two kinds may collapse into one label after sanitising; sum them
	// rather than emit a duplicate series, which would fail the scrape.
	type key struct{ kind, state string }
	depth := map[key]float64{}
	for _, r := range rows {
		depth[key{safeLabel(r.Kind), safeLabel(r.State)}] += r.N
	}
	for k, n := range depth {
		ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, n, k.kind, k.state)
	}
}

// stdMethods are the HTTP methods that get their own label value.
var stdMethods = [...]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

// knownMethod keeps the method label to the standard verbs: a client can
// send any token as a method, and each would otherwise become a series. It
// returns the constant, not m: m may point into a request buffer the HTTP
// server reuses, and label values outlive the request.
func knownMethod(m string) string {
	for _, k := range stdMethods {
		if k == m {
			return k
		}
	}
	return "OTHER"
}

const (
	// Redacted replaces a label value that looks like personal data.
	Redacted = "redacted"
	// maxLabelLen bounds a label value: templates and slugs are short.
	maxLabelLen = 96
)

var (
	uuidRE  = regexp.MustCompile(`(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}`)
	emailRE = regexp.MustCompile(`[^\s@]+@[^\s@]+`)
	// Nine or more digits, possibly split by spaces, dots or dashes, cover
	// Indonesian phone numbers (+62 812-3456-7890), receipt codes (16
	// digits) and ID card numbers (NIK, 16 digits).
	longDigitsRE = regexp.MustCompile(`\d(?:[\s.\-]*\d){8,}`)
)

// safeLabel returns v as a label value that is bounded and carries no
// personal data, copied so it does not alias a reused request buffer.
func safeLabel(v string) string {
	if len(v) > maxLabelLen || uuidRE.MatchString(v) || emailRE.MatchString(v) || longDigitsRE.MatchString(v) {
		return Redacted
	}
	return strings.Clone(v)
}
