package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Scenario is one kind of request the driver repeats.
type Scenario struct {
	Name string
	// Request builds the i-th request (i counts from 0 across workers).
	Request func(ctx context.Context, i int64) (*http.Request, error)
	// Want is the status a successful answer has.
	Want int
	// SpreadSources sends each worker's requests from a new loopback
	// source address every SourceEvery requests: the receipt route is
	// limited per client address, and a real load comes from many.
	SpreadSources bool
	// Skipped, when set, says why the scenario does not run.
	Skipped string
}

// SourceEvery is how many requests one loopback source address sends in a
// SpreadSources scenario: under the receipt route's per-address limit (30
// per 10 minutes).
const SourceEvery = 25

// Result is one scenario at one concurrency.
type Result struct {
	Scenario    string
	Concurrency int
	Requests    int
	Errors      int
	FirstError  string
	Elapsed     time.Duration
	Latency     Latencies
	// Server-side figures; zero when the server's pid is unknown.
	CPUPerReq time.Duration
	PeakRSS   int64 // highest VmRSS sampled during the run
	// PGBenchTPS is pgbench's rate on the equivalent SQL (0: not run).
	PGBenchTPS float64
	Skipped    string
}

// RPS is requests per second.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Ratio is the app's rate over pgbench's (0 when pgbench did not run).
func (r Result) Ratio() float64 {
	if r.PGBenchTPS <= 0 {
		return 0
	}
	return r.RPS() / r.PGBenchTPS
}

// Limits bound one run: it stops at whichever comes first.
type Limits struct {
	Duration    time.Duration
	MaxRequests int
}

// sources hands out loopback addresses 127.0.1.1, 127.0.1.2, … so spread
// requests never come from the driver's ordinary 127.0.0.1.
type sources struct{ n atomic.Uint32 }

func (s *sources) next() net.IP {
	n := s.n.Add(1)
	return net.IPv4(127, byte(1+n>>16%254), byte(n>>8), byte(n))
}

// newClient makes an HTTP client whose connections go to loopback only,
// from local (nil: the kernel's choice).
func newClient(conc int, local net.IP) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			DialContext:         dialer(local),
			MaxIdleConns:        conc,
			MaxIdleConnsPerHost: conc,
			IdleConnTimeout:     30 * time.Second,
			DisableCompression:  true,
		},
		// A redirect is an answer to measure, not to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Run drives sc with conc workers until lim is reached and measures the
// server (pid > 0) over the same span.
func Run(ctx context.Context, sc Scenario, conc int, lim Limits, pid int, src *sources) Result {
	res := Result{Scenario: sc.Name, Concurrency: conc, Skipped: sc.Skipped}
	if sc.Skipped != "" {
		return res
	}
	if lim.Duration <= 0 {
		lim.Duration = 10 * time.Second
	}
	if lim.MaxRequests <= 0 {
		lim.MaxRequests = 1 << 30
	}
	runCtx, cancel := context.WithTimeout(ctx, lim.Duration)
	defer cancel()

	var cpu0 time.Duration
	if pid > 0 {
		cpu0, _ = ProcCPU(pid)
	}
	var peak atomic.Int64
	sampleDone := make(chan struct{})
	go func() { // RSS sampler
		defer close(sampleDone)
		if pid <= 0 {
			return
		}
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if rss, _, err := ProcMem(pid); err == nil && rss > peak.Load() {
				peak.Store(rss)
			}
			select {
			case <-runCtx.Done():
				return
			case <-tick.C:
			}
		}
	}()

	shared := newClient(conc, nil)
	defer shared.CloseIdleConnections()
	var (
		next     atomic.Int64
		mu       sync.Mutex
		all      []time.Duration
		errs     int
		firstErr string
		wg       sync.WaitGroup
	)
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := shared
			sent := 0
			var lat []time.Duration
			nerr, ferr := 0, ""
			for runCtx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(lim.MaxRequests) {
					break
				}
				if sc.SpreadSources && sent%SourceEvery == 0 {
					if client != shared {
						client.CloseIdleConnections()
					}
					client = newClient(1, src.next())
				}
				sent++
				err := do(runCtx, client, sc, i, &lat)
				if err != nil && runCtx.Err() == nil {
					nerr++
					if ferr == "" {
						ferr = err.Error()
					}
				}
			}
			if client != shared {
				client.CloseIdleConnections()
			}
			mu.Lock()
			all = append(all, lat...)
			errs += nerr
			if firstErr == "" {
				firstErr = ferr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	cancel()
	<-sampleDone
	res.Requests, res.Errors, res.FirstError = len(all)+errs, errs, firstErr
	res.Latency = Summarise(all)
	if pid > 0 {
		if cpu1, err := ProcCPU(pid); err == nil && res.Requests > 0 {
			res.CPUPerReq = (cpu1 - cpu0) / time.Duration(res.Requests)
		}
		res.PeakRSS = peak.Load()
	}
	return res
}

// do sends one request and records its latency when it succeeded. A
// request cut off by the end of the run is neither counted nor an error.
func do(ctx context.Context, client *http.Client, sc Scenario, i int64, lat *[]time.Duration) error {
	req, err := sc.Request(ctx, i)
	if err != nil {
		return err
	}
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
			return nil
		}
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if resp.StatusCode != sc.Want {
		return fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL.Path, resp.StatusCode, sc.Want)
	}
	*lat = append(*lat, d)
	return nil
}
