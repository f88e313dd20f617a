package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
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
	// PGBenchTPS is pgbench's rate on the equivalent SQL (0: not run):
	// its transactions over its time, all rounds together.
	PGBenchTPS float64
	// PGBenchP99 is pgbench's 99th percentile transaction time (its -l
	// log, all rounds together).
	PGBenchP99 time.Duration
	// RoundRatios are app req/s ÷ pgbench tps of each round, when the app
	// and pgbench ran interleaved (app, pgbench, app, pgbench…).
	RoundRatios []float64
	Skipped     string

	lat []time.Duration // every successful request's latency (for merging rounds)
	cpu time.Duration   // the server's CPU over the run
}

// RPS is requests per second.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Ratio is the app's rate over pgbench's (0 when pgbench did not run):
// the median of the rounds' ratios when they were interleaved, else the
// two whole runs'.
func (r Result) Ratio() float64 {
	if len(r.RoundRatios) > 0 {
		return Median(r.RoundRatios)
	}
	if r.PGBenchTPS <= 0 {
		return 0
	}
	return r.RPS() / r.PGBenchTPS
}

// RatioSpread is half the interquartile range of the rounds' ratios: the
// median ± this holds the middle half of the rounds (0 without rounds).
func (r Result) RatioSpread() float64 {
	if len(r.RoundRatios) < 2 {
		return 0
	}
	xs := slices.Clone(r.RoundRatios)
	slices.Sort(xs)
	return (quantile(xs, 0.75) - quantile(xs, 0.25)) / 2
}

// Median is the middle of xs (the mean of the middle two for an even
// count); 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return quantile(s, 0.5)
}

// quantile interpolates linearly between the closest ranks of sorted.
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	return sorted[lo] + (sorted[hi]-sorted[lo])*(pos-float64(lo))
}

// merge adds another round of the same scenario and concurrency to r.
func (r *Result) merge(o Result) {
	r.Requests += o.Requests
	r.Errors += o.Errors
	if r.FirstError == "" {
		r.FirstError = o.FirstError
	}
	r.Elapsed += o.Elapsed
	r.lat = append(r.lat, o.lat...)
	r.Latency = Summarise(r.lat)
	r.cpu += o.cpu
	if r.Requests > 0 {
		r.CPUPerReq = r.cpu / time.Duration(r.Requests)
	}
	r.PeakRSS = max(r.PeakRSS, o.PeakRSS)
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
// server (pid > 0) over the same span. At the deadline no new request
// starts, and the ones in flight are waited for and counted (so a short
// round leaves no work of its own on the server for the next one).
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
	stopSampling := make(chan struct{})
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
			case <-stopSampling:
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
				err := do(ctx, client, sc, i, &lat)
				if err != nil && ctx.Err() == nil {
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
	close(stopSampling)
	<-sampleDone
	res.Requests, res.Errors, res.FirstError = len(all)+errs, errs, firstErr
	res.Latency = Summarise(all)
	res.lat = all
	if pid > 0 {
		if cpu1, err := ProcCPU(pid); err == nil && res.Requests > 0 {
			res.cpu = cpu1 - cpu0
			res.CPUPerReq = res.cpu / time.Duration(res.Requests)
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
