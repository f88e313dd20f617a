package bench

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ds := func(ms ...int) []time.Duration {
		out := make([]time.Duration, len(ms))
		for i, m := range ms {
			out[i] = time.Duration(m) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1 // 1..100 ms
	}
	cases := []struct {
		name string
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{"empty", nil, 50, 0},
		{"single", ds(7), 99, 7 * time.Millisecond},
		{"p50 of 1..100", ds(hundred...), 50, 50 * time.Millisecond},
		{"p95 of 1..100", ds(hundred...), 95, 95 * time.Millisecond},
		{"p99 of 1..100", ds(hundred...), 99, 99 * time.Millisecond},
		{"p100 is the max", ds(hundred...), 100, 100 * time.Millisecond},
		// nearest rank: ceil(0.5*4) = 2nd value, not an interpolation
		{"p50 of four", ds(10, 20, 30, 40), 50, 20 * time.Millisecond},
		{"p99 of four", ds(10, 20, 30, 40), 99, 40 * time.Millisecond},
		{"tiny p is the min", ds(10, 20, 30), 0.001, 10 * time.Millisecond},
	}
	for _, c := range cases {
		if got := Percentile(c.in, c.p); got != c.want {
			t.Errorf("%s: Percentile(p%v) = %v, want %v", c.name, c.p, got, c.want)
		}
	}
	// Summarise sorts first: order of arrival does not matter.
	l := Summarise(ds(40, 10, 30, 20))
	if l.P50 != 20*time.Millisecond || l.P99 != 40*time.Millisecond || l.Max != 40*time.Millisecond {
		t.Errorf("Summarise = %+v", l)
	}
}

func TestCheckTarget(t *testing.T) {
	ok := map[string]string{
		"http://127.0.0.1:8080":       "127.0.0.1:8080",
		"http://127.3.4.5:9000/x?y=1": "127.3.4.5:9000",
		"http://[::1]:8080":           "[::1]:8080",
		"http://localhost:8080":       "127.0.0.1:8080", // never resolved through DNS
		"http://LOCALHOST:8080/":      "127.0.0.1:8080",
		"http://127.0.0.1":            "127.0.0.1:80",
	}
	for in, host := range ok {
		u, err := CheckTarget(in)
		if err != nil {
			t.Errorf("CheckTarget(%q): %v", in, err)
			continue
		}
		if u.Host != host || u.Path != "" || u.RawQuery != "" {
			t.Errorf("CheckTarget(%q) = %s, want host %s and no path", in, u, host)
		}
	}
	for _, in := range []string{
		"http://10.0.0.5:8080", "http://192.168.1.2", "http://example.com:8080", "http://localhost.example.com",
		"http://0.0.0.0:8080", "https://127.0.0.1:8443", "http://[::ffff:10.0.0.1]:80", "127.0.0.1:8080",
		"http://user:pw@127.0.0.1:8080", "ftp://127.0.0.1", "http://8.8.8.8:80",
	} {
		if _, err := CheckTarget(in); err == nil {
			t.Errorf("CheckTarget(%q) accepted a non-loopback or malformed target", in)
		}
	}
	// The dialer refuses what the URL check might have let through.
	if err := loopbackOnly("tcp", "10.1.2.3:80", nil); !errors.Is(err, ErrNotLoopback) {
		t.Errorf("loopbackOnly(10.1.2.3) = %v", err)
	}
	if err := loopbackOnly("tcp", "127.0.0.1:80", nil); err != nil {
		t.Errorf("loopbackOnly(127.0.0.1) = %v", err)
	}
}

func TestProcParsing(t *testing.T) {
	// A command name with spaces and a ')' must not shift the fields.
	stat := "4242 (suara (serve) x) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 12 0 100 1000 500"
	cpu, err := parseStatCPU([]byte(stat))
	if err != nil || cpu != 325*clockTick {
		t.Fatalf("parseStatCPU = %v, %v; want %v", cpu, err, 325*clockTick)
	}
	if _, err := parseStatCPU([]byte("4242 (x) S 1 2")); err == nil {
		t.Error("short stat accepted")
	}
	status := "Name:\tsuara\nVmPeak:\t  900000 kB\nVmHWM:\t   81920 kB\nVmRSS:\t   40960 kB\nThreads:\t9\n"
	rss, peak, err := parseStatusMem([]byte(status))
	if err != nil || rss != 40960<<10 || peak != 81920<<10 {
		t.Fatalf("parseStatusMem = %d, %d, %v", rss, peak, err)
	}
	if _, _, err := parseStatusMem([]byte("Name:\tkthreadd\n")); err == nil {
		t.Error("status without memory lines accepted")
	}
	// This very process is measurable.
	if _, err := ProcCPU(os.Getpid()); err != nil {
		t.Errorf("ProcCPU(self): %v", err)
	}
	if rss, peak, err := ProcMem(os.Getpid()); err != nil || rss <= 0 || peak < rss {
		t.Errorf("ProcMem(self) = %d, %d, %v", rss, peak, err)
	}

	table := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 20 4 30 10 -1
   2: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 100 0 0 10 0
`
	if got := listenInodes([]byte(table), 8080); len(got) != 1 || got[0] != "111" {
		t.Errorf("listenInodes(8080) = %v, want [111] (the listener, not the connection)", got)
	}
	if got := listenInodes([]byte(table), 9999); len(got) != 0 {
		t.Errorf("listenInodes(9999) = %v", got)
	}
}

func TestParseTPS(t *testing.T) {
	out := `transaction type: submit.sql
number of clients: 16
number of failed transactions: 0 (0.000%)
latency average = 3.123 ms
initial connection time = 12.3 ms
tps = 5123.456789 (without initial connection time)
`
	if tps, err := ParseTPS(out); err != nil || tps != 5123.456789 {
		t.Fatalf("ParseTPS = %v, %v", tps, err)
	}
	if _, err := ParseTPS("pgbench: error: connection refused"); err == nil {
		t.Error("output without tps accepted")
	}
}

func TestRunCountsAndBounds(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		if r.Host != "bench-01.localhost:1234" {
			w.WriteHeader(http.StatusMisdirectedRequest)
			return
		}
		if n%10 == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	sc := Scenario{Name: "t", Want: http.StatusOK, Request: func(ctx context.Context, i int64) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+"/x", nil)
		if err == nil {
			req.Host = "bench-01.localhost:1234"
		}
		return req, err
	}}
	r := Run(context.Background(), sc, 4, Limits{Duration: 10 * time.Second, MaxRequests: 200}, os.Getpid(), &sources{})
	if r.Requests != 200 || int(hits.Load()) != 200 {
		t.Fatalf("requests %d, server saw %d; want 200 (bounded by count)", r.Requests, hits.Load())
	}
	if r.Errors != 20 || !strings.Contains(r.FirstError, "status 500") {
		t.Errorf("errors %d (%q), want 20 with status 500", r.Errors, r.FirstError)
	}
	if r.Latency.P50 <= 0 || r.Latency.P99 < r.Latency.P50 || r.PeakRSS <= 0 {
		t.Errorf("latency %+v, rss %d", r.Latency, r.PeakRSS)
	}

	// Bounded by time: a slow server ends the run at the deadline.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
	}))
	defer slow.Close()
	sc.Request = func(ctx context.Context, i int64) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, "GET", slow.URL, nil)
	}
	t0 := time.Now()
	r = Run(context.Background(), sc, 2, Limits{Duration: 300 * time.Millisecond, MaxRequests: 1 << 20}, 0, &sources{})
	if el := time.Since(t0); el > 2*time.Second || r.Requests == 0 || r.Requests > 20 || r.Errors != 0 {
		t.Errorf("time-bounded run: %d requests, %d errors in %v", r.Requests, r.Errors, el)
	}
	if r.RPS() <= 0 {
		t.Error("no rate")
	}
}

func TestSpreadSources(t *testing.T) {
	var mu sync.Mutex
	addrs := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.RemoteAddr[:strings.LastIndexByte(r.RemoteAddr, ':')]
		mu.Lock()
		addrs[host]++
		mu.Unlock()
	}))
	defer srv.Close()
	sc := Scenario{Name: "r", Want: http.StatusOK, SpreadSources: true, Request: func(ctx context.Context, i int64) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	}}
	r := Run(context.Background(), sc, 2, Limits{Duration: 10 * time.Second, MaxRequests: 5 * SourceEvery}, 0, &sources{})
	if r.Errors != 0 {
		t.Fatalf("errors: %s", r.FirstError)
	}
	for a, n := range addrs {
		if n > SourceEvery || !strings.HasPrefix(a, "127.") || a == "127.0.0.1" {
			t.Errorf("source %s sent %d requests (limit %d)", a, n, SourceEvery)
		}
	}
	if len(addrs) < 5 {
		t.Errorf("only %d source addresses for %d requests", len(addrs), 5*SourceEvery)
	}
}

func TestReportLastLines(t *testing.T) {
	r := &Report{PeakRSS: 150<<20 + 1, Results: []Result{
		{Scenario: ScenarioSubmit, Concurrency: 16, Requests: 700, Elapsed: time.Second, PGBenchTPS: 1000,
			Latency: Latencies{P99: 41500 * time.Microsecond}, Errors: 2},
		{Scenario: ScenarioQueue, Concurrency: 16, Skipped: "no route"},
		{Scenario: ScenarioCase, Concurrency: 1, Requests: 10, Elapsed: time.Second, Errors: 1},
	}}
	var b strings.Builder
	r.Print(&b)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := []string{"submit_ratio=0.70", "queue_ratio=0.00", "submit_p99_ms=42", "queue_p99_ms=0", "rss_mb=151", "errors=3"}
	got := lines[len(lines)-len(want):]
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("last lines %q, want %q", got, want)
			break
		}
	}
	if !strings.Contains(b.String(), "queue skipped: no route") {
		t.Errorf("skip reason missing:\n%s", b.String())
	}
}

func TestRoundsAndPGBenchLog(t *testing.T) {
	log := "0 0 1532 0 1733500000 123456\n1 0 2500 0 1733500000 123999\n3 7 failed 0 1733500001 5\n\n"
	if got := ParseTxLog(log); len(got) != 2 || got[0] != 1532*time.Microsecond || got[1] != 2500*time.Microsecond {
		t.Fatalf("ParseTxLog = %v", got)
	}
	r := Result{Scenario: ScenarioSubmit, Concurrency: 1, Requests: 10, Elapsed: time.Second, PGBenchTPS: 1000,
		PGBenchP99: 3200 * time.Microsecond, RoundRatios: []float64{0.9, 0.5, 0.8, 0.7, 0.6}}
	if m := r.Ratio(); m != 0.7 {
		t.Errorf("median of rounds = %v, want 0.7 (not the whole runs' 0.01)", m)
	}
	if s := r.RatioSpread(); s < 0.099 || s > 0.101 {
		t.Errorf("spread = %v, want 0.10 (half of 0.8−0.6)", s)
	}
	var b strings.Builder
	(&Report{Results: []Result{r}}).Print(&b)
	for _, want := range []string{"submit_c1_ratio=0.70", "submit_pgbench_p99_ms=0", "submit_c1_pgbench_p99_ms=4", "submit_c1_ratio_spread=0.10"} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("no %s in:\n%s", want, b.String())
		}
	}
}
