package bench

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"maps"
	"math"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// SoakConfig is one `suara bench soak` run (make soak): a steady mixed load
// on a running `suara serve` for Duration, at half the capacity measured
// first (or at Rate).
type SoakConfig struct {
	// Target, BaseDomain, Tenants, Password, WorkerPhone and PlatformEmail
	// are as for Bench (the tenants are `suara seed bench`'s).
	Target, BaseDomain                   string
	Tenants                              []string
	Password, WorkerPhone, PlatformEmail string
	// PID is the server's pid (0: the process listening on the target).
	PID int
	// Duration is the steady load's length; Measure the capacity
	// measurement's before it (closed loop, MeasureConcurrency clients).
	Duration, Measure  time.Duration
	MeasureConcurrency int
	// Rate is the load in operations a second (0: half the measured
	// capacity). An operation is one scenario step: a filing with its
	// evidence is one operation of two requests.
	Rate float64
	// Interval is the report period (default a minute).
	Interval time.Duration
	// DatabaseURL reaches the soak's database as a role that sees every
	// row (the cluster's superuser): row counts and pg_stat_activity.
	DatabaseURL string
	// MetricsToken is security.metrics_token, if set: goroutines are read
	// from the platform host's /metrics.
	MetricsToken string
	Log          *slog.Logger
	// Out receives a line per interval as it ends.
	Out io.Writer
}

// SoakReport is the run's figures.
type SoakReport struct {
	Capacity, Rate float64 // operations a second
	Intervals      []SoakInterval
	// Requests, Errors5xx (answers 500 or above), NoAnswer (no answer
	// within the client's 30 s, or a broken connection) and ErrorsOther
	// (any other unexpected status) count every request of the run, the
	// measurement included; Late counts operations that started more than
	// a second behind their schedule (the machine did not keep the rate).
	Requests, Errors5xx, NoAnswer, ErrorsOther, Late int64
	FirstError                                       string
	// Created is what the driver believes it created (201 answers) per
	// table; Found what the database gained meanwhile.
	Created, Found map[string]int64
	LostRows       int64
	ExtraRows      int64
	// Trend says which of RSS or goroutines rose across the last five
	// intervals ("" when neither did).
	Trend string
}

// SoakInterval is one report period's figures.
type SoakInterval struct {
	N                         int
	Ops, Requests             int64
	P99                       time.Duration
	Errors5xx, ErrorsOther    int64
	NoAnswer                  int64
	RSS                       int64 // bytes, at the interval's end
	GoroutinesMin, Goroutines int   // least sampled in the interval, and at its end
	DBConns                   int   // connections to the soak's database, at the end
}

// The tables whose rows the driver creates and accounts for.
const (
	tableCases    = "cases"
	tableEvidence = "evidence_files"
)

// soakOp is one operation of the mix; it records its requests in st.
type soakOp struct {
	name   string
	weight int
	run    func(ctx context.Context, i int64, st *soakStats)
}

// soakStats collects the current interval's answers.
type soakStats struct {
	mu                             sync.Mutex
	lat                            []time.Duration
	ops, reqs, e5xx, eoth, none    int64
	totReqs, tot5, totOth, totNone int64
	first                          string
	created                        map[string]int64
}

func (s *soakStats) record(d time.Duration, status, want int, what string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs++
	s.totReqs++
	ok := status == want
	switch {
	case ok:
		s.lat = append(s.lat, d)
	case status >= 500:
		s.e5xx++
		s.tot5++
	default:
		s.eoth++
		s.totOth++
	}
	if !ok && s.first == "" {
		s.first = fmt.Sprintf("%s: status %d, want %d", what, status, want)
	}
	return ok
}

func (s *soakStats) transportError(what string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs++
	s.totReqs++
	s.none++
	s.totNone++
	if s.first == "" {
		s.first = what + ": " + err.Error()
	}
}

func (s *soakStats) create(table string) {
	s.mu.Lock()
	s.created[table]++
	s.mu.Unlock()
}

// take returns and resets the interval's figures.
// unexpected records a request answered as wanted whose body was not.
func (s *soakStats) unexpected(what string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.eoth++
	s.totOth++
	if s.first == "" {
		s.first = what + ": " + err.Error()
	}
}

// take returns and resets the interval's figures (into iv).
func (s *soakStats) take(iv *SoakInterval) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	lat := s.lat
	iv.Ops, iv.Requests, iv.Errors5xx, iv.ErrorsOther, iv.NoAnswer = s.ops, s.reqs, s.e5xx, s.eoth, s.none
	s.lat, s.ops, s.reqs, s.e5xx, s.eoth, s.none = nil, 0, 0, 0, 0, 0
	return lat
}

// Soak sets up like Bench, measures the mixed load's capacity, then runs it
// open-loop at Rate for Duration, reporting every Interval; at the end it
// counts the rows the load created.
func Soak(ctx context.Context, cfg SoakConfig) (*SoakReport, error) {
	base, err := CheckTarget(cfg.Target)
	if err != nil {
		return nil, err
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Minute
	}
	if cfg.Measure <= 0 {
		cfg.Measure = 20 * time.Second
	}
	if cfg.MeasureConcurrency <= 0 {
		cfg.MeasureConcurrency = 16
	}
	pid := cfg.PID
	if pid == 0 {
		port, _ := strconv.Atoi(base.Port())
		if pid, err = FindListener(port); err != nil {
			return nil, fmt.Errorf("soak: the server's pid: %w", err)
		}
	}
	db, err := sql.Open("pgx", cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("soak: database: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	d := &driver{cfg: Config{Target: cfg.Target, BaseDomain: cfg.BaseDomain, Tenants: cfg.Tenants, Password: cfg.Password,
		WorkerPhone: cfg.WorkerPhone, PlatformEmail: cfg.PlatformEmail, Log: cfg.Log},
		client: newClient(256, nil), s: &session{base: base, port: base.Port()}}
	defer d.client.CloseIdleConnections()
	if err := d.setup(ctx); err != nil {
		return nil, err
	}
	before, err := rowCounts(ctx, db)
	if err != nil {
		return nil, err
	}
	st := &soakStats{created: map[string]int64{}}
	ops, err := d.soakOps()
	if err != nil {
		return nil, err
	}
	rep := &SoakReport{Rate: cfg.Rate}
	mix := weighted(ops)

	// Capacity: as many operations as MeasureConcurrency clients get
	// through, one after another, for Measure.
	if cfg.Rate <= 0 {
		var n atomic.Int64
		mctx, cancel := context.WithTimeout(ctx, cfg.Measure)
		var wg sync.WaitGroup
		t0 := time.Now()
		for w := range cfg.MeasureConcurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := int64(w); mctx.Err() == nil; i += int64(cfg.MeasureConcurrency) {
					mix[i%int64(len(mix))].run(ctx, i, st)
					n.Add(1)
				}
			}()
		}
		wg.Wait()
		cancel()
		rep.Capacity = float64(n.Load()) / time.Since(t0).Seconds()
		rep.Rate = rep.Capacity / 2
		st.take(&SoakInterval{}) // the measurement's figures are not the soak's first minute
		fmt.Fprintf(cfg.Out, "capacity: %.1f operations/s with %d clients over %v; soaking at %.1f/s for %v\n",
			rep.Capacity, cfg.MeasureConcurrency, cfg.Measure, rep.Rate, cfg.Duration)
	}
	if rep.Rate <= 0 {
		return rep, errors.New("soak: no capacity measured")
	}

	// The load runs for whole intervals; a line per interval. The sampler
	// reads RSS and goroutines every few seconds and stops after the last
	// interval's line; the load goes on a little past it, so that line is
	// taken under load too.
	cfg.Interval = min(cfg.Interval, cfg.Duration)
	intervals := int((cfg.Duration + cfg.Interval - 1) / cfg.Interval)
	sampleEvery := min(5*time.Second, cfg.Interval/4)
	samplerDone := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(samplerDone)
		tick := time.NewTicker(sampleEvery)
		defer tick.Stop()
		next := start.Add(cfg.Interval)
		gmin := math.MaxInt
		for len(rep.Intervals) < intervals {
			var now time.Time
			select {
			case <-ctx.Done():
				return
			case now = <-tick.C:
			}
			g, err := d.goroutines(ctx, cfg.MetricsToken)
			if err != nil {
				cfg.Log.Warn("goroutines", "err", err)
			} else {
				gmin = min(gmin, g)
			}
			if now.Before(next) {
				continue
			}
			next = next.Add(cfg.Interval)
			if gmin == math.MaxInt {
				gmin = 0
			}
			iv := SoakInterval{N: len(rep.Intervals) + 1, Goroutines: g, GoroutinesMin: gmin}
			gmin = math.MaxInt
			iv.P99 = Summarise(st.take(&iv)).P99
			iv.RSS, _, _ = ProcMem(pid)
			iv.DBConns, _ = dbConns(ctx, db)
			rep.Intervals = append(rep.Intervals, iv)
			fmt.Fprintf(cfg.Out, "minute=%d ops=%d requests=%d p99_ms=%d errors_5xx=%d no_answer=%d errors_other=%d rss_mb=%.1f goroutines=%d goroutines_min=%d db_conns=%d\n",
				iv.N, iv.Ops, iv.Requests, ceilMS(iv.P99), iv.Errors5xx, iv.NoAnswer, iv.ErrorsOther, float64(iv.RSS)/(1<<20), iv.Goroutines, iv.GoroutinesMin, iv.DBConns)
		}
	}()

	// The steady load: operation i starts at start + i/Rate, whatever
	// the ones before it are doing (open loop), at most 512 in flight.
	end := start.Add(time.Duration(intervals)*cfg.Interval + sampleEvery/2)
	sem := make(chan struct{}, 512)
	var wg sync.WaitGroup
	for i := int64(0); ; i++ {
		at := start.Add(time.Duration(float64(i) / rep.Rate * float64(time.Second)))
		if !at.Before(end) || ctx.Err() != nil {
			break
		}
		if w := time.Until(at); w > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(w):
			}
		} else if w < -time.Second {
			rep.Late++
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			mix[i%int64(len(mix))].run(ctx, i, st)
			st.mu.Lock()
			st.ops++
			st.mu.Unlock()
		}()
	}
	wg.Wait()
	<-samplerDone
	if ctx.Err() != nil {
		return rep, ctx.Err()
	}

	after, err := rowCounts(ctx, db)
	if err != nil {
		return rep, err
	}
	st.mu.Lock()
	rep.Requests, rep.Errors5xx, rep.ErrorsOther, rep.NoAnswer, rep.FirstError = st.totReqs, st.tot5, st.totOth, st.totNone, st.first
	rep.Created = maps.Clone(st.created)
	st.mu.Unlock()
	rep.Found = map[string]int64{}
	for _, t := range []string{tableCases, tableEvidence} {
		rep.Found[t] = after[t] - before[t]
		if diff := rep.Created[t] - rep.Found[t]; diff > 0 {
			rep.LostRows += diff
		} else {
			rep.ExtraRows -= diff
		}
	}
	rep.Trend = Trend(rep.Intervals)
	return rep, nil
}

// TrendSpan is how many intervals (minutes) Trend looks back over.
const TrendSpan = 5

// Trend reports an upward trend in RSS or goroutines across the last five
// intervals: a series that never falls from one interval to the next and
// ends more than 10% above where it started. Goroutines are each
// interval's least sample, so a burst of requests in flight at one moment
// is not mistaken for a leak. A run of fewer than five intervals is not
// judged: two or three points always look like a direction.
func Trend(iv []SoakInterval) string {
	if len(iv) < TrendSpan {
		return ""
	}
	iv = iv[len(iv)-TrendSpan:]
	rss := make([]float64, len(iv))
	gor := make([]float64, len(iv))
	for i, x := range iv {
		rss[i], gor[i] = float64(x.RSS), float64(x.GoroutinesMin)
	}
	var why []string
	if rising(rss) {
		why = append(why, fmt.Sprintf("RSS rose from %.1f MB to %.1f MB without falling", rss[0]/(1<<20), rss[len(rss)-1]/(1<<20)))
	}
	if rising(gor) {
		why = append(why, fmt.Sprintf("goroutines rose from %.0f to %.0f without falling", gor[0], gor[len(gor)-1]))
	}
	return strings.Join(why, "; ")
}

func rising(xs []float64) bool {
	for i := 1; i < len(xs); i++ {
		if xs[i] < xs[i-1] {
			return false
		}
	}
	return xs[len(xs)-1] > 1.10*xs[0]
}

// Failed says why the run fails its bounds ("" when it passes).
func (r *SoakReport) Failed() string {
	var why []string
	if r.Errors5xx > 0 {
		why = append(why, fmt.Sprintf("%d answers were 5xx (first error: %s)", r.Errors5xx, r.FirstError))
	}
	if r.NoAnswer > 0 {
		why = append(why, fmt.Sprintf("%d requests got no answer within 30 s (first error: %s); late_ops=%d says whether the machine kept the rate", r.NoAnswer, r.FirstError, r.Late))
	}
	if r.LostRows > 0 {
		why = append(why, fmt.Sprintf("%d created rows are missing", r.LostRows))
	}
	if r.Trend != "" {
		why = append(why, "upward trend over the last five minutes: "+r.Trend)
	}
	if len(r.Intervals) == 0 {
		why = append(why, "no interval completed")
	}
	return strings.Join(why, "; ")
}

// Print writes the totals; the last line is the headline.
func (r *SoakReport) Print(w io.Writer) {
	fmt.Fprintf(w, "capacity_ops_s=%.1f\nrate_ops_s=%.1f\nrequests=%d\nno_answer=%d\nerrors_other=%d\nlate_ops=%d\n",
		r.Capacity, r.Rate, r.Requests, r.NoAnswer, r.ErrorsOther, r.Late)
	if r.FirstError != "" {
		fmt.Fprintf(w, "first error: %s\n", r.FirstError)
	}
	for _, t := range []string{tableCases, tableEvidence} {
		fmt.Fprintf(w, "%s_created=%d %s_found=%d\n", t, r.Created[t], t, r.Found[t])
	}
	fmt.Fprintf(w, "extra_rows=%d\n", r.ExtraRows)
	switch {
	case r.Trend != "":
		fmt.Fprintf(w, "trend: %s\n", r.Trend)
	case len(r.Intervals) < TrendSpan:
		fmt.Fprintf(w, "trend: not judged (%d of the %d minutes it looks back over)\n", len(r.Intervals), TrendSpan)
	default:
		fmt.Fprintf(w, "trend: none over the last %d minutes\n", TrendSpan)
	}
	var a, b SoakInterval
	if n := len(r.Intervals); n > 0 {
		a, b = r.Intervals[0], r.Intervals[n-1]
	}
	fmt.Fprintf(w, "errors_5xx=%d rss_first_mb=%.1f rss_last_mb=%.1f goroutines_first=%d goroutines_last=%d lost_rows=%d\n",
		r.Errors5xx, float64(a.RSS)/(1<<20), float64(b.RSS)/(1<<20), a.GoroutinesMin, b.GoroutinesMin, r.LostRows)
}

// rowCounts counts the tables the load creates rows in.
func rowCounts(ctx context.Context, db *sql.DB) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range []string{tableCases, tableEvidence} {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("soak: count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// dbConns is how many connections the soak's database has, ours aside.
func dbConns(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n)
	return n, err
}

// goroutines reads go_goroutines from the platform host's /metrics.
func (d *driver) goroutines(ctx context.Context, token string) (int, error) {
	req, err := d.newRequest(ctx, http.MethodGet, "", "/metrics", token, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "text/plain")
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("/metrics: status %d", resp.StatusCode)
	}
	return parseGoroutines(resp.Body)
}

// parseGoroutines finds the go_goroutines sample in a Prometheus text
// exposition.
func parseGoroutines(r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0, fmt.Errorf("go_goroutines: %w", err)
			}
			return int(f), nil
		}
	}
	return 0, errors.New("no go_goroutines in /metrics")
}

// weighted spreads the operations by weight into one cycle, interleaved
// (a b a c a b …) so any stretch of the cycle is a fair mix.
func weighted(ops []soakOp) []soakOp {
	var out []soakOp
	left := make([]int, len(ops))
	for i, o := range ops {
		left[i] = o.weight
	}
	for {
		added := false
		for i, o := range ops {
			if left[i] > 0 {
				out = append(out, o)
				left[i]--
				added = true
			}
		}
		if !added {
			return out
		}
	}
}

// soakOps is the mix: a worker filing with a photo, the staff queue, case
// reads, receipt checks, the union dashboard and the platform's
// cross-union aggregates, by the bench scenarios' requests.
func (d *driver) soakOps() ([]soakOp, error) {
	byName := map[string]Scenario{}
	for _, sc := range d.scenarios() {
		byName[sc.Name] = sc
	}
	var ops []soakOp
	plain := func(name string, weight int, client func() *http.Client) error {
		sc := byName[name]
		if sc.Skipped != "" {
			return fmt.Errorf("soak: %s: %s", name, sc.Skipped)
		}
		ops = append(ops, soakOp{name: name, weight: weight, run: func(ctx context.Context, i int64, st *soakStats) {
			req, err := sc.Request(ctx, i)
			if err != nil {
				st.transportError(name, err)
				return
			}
			d.soakDo(client(), req, sc.Want, name, st)
		}})
		return nil
	}
	shared := func() *http.Client { return d.client }
	// Receipt checks are limited per client address: they come from a new
	// loopback address every SourceEvery, as in the bench.
	var rmu sync.Mutex
	var rclient *http.Client
	var rsent int
	src := &sources{}
	receiptClient := func() *http.Client {
		rmu.Lock()
		defer rmu.Unlock()
		if rsent%SourceEvery == 0 {
			if rclient != nil {
				old := rclient
				time.AfterFunc(time.Minute, old.CloseIdleConnections)
			}
			rclient = newClient(8, src.next())
		}
		rsent++
		return rclient
	}
	ops = append(ops, soakOp{name: "file_evidence", weight: 2, run: d.fileWithEvidence})
	for _, p := range []struct {
		name   string
		weight int
		client func() *http.Client
	}{{ScenarioQueue, 2, shared}, {ScenarioCase, 3, shared}, {ScenarioReceipt, 1, receiptClient},
		{ScenarioDashboard, 1, shared}, {ScenarioPlatform, 1, shared}} {
		if err := plain(p.name, p.weight, p.client); err != nil {
			return nil, err
		}
	}
	return ops, nil
}

// soakDo sends req and records the answer; it returns the body when the
// status was want.
func (d *driver) soakDo(c *http.Client, req *http.Request, want int, what string, st *soakStats) ([]byte, bool) {
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		st.transportError(what, err)
		return nil, false
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	resp.Body.Close()
	if err != nil {
		st.transportError(what, err)
		return nil, false
	}
	return b, st.record(time.Since(t0), resp.StatusCode, want, what)
}

// fileWithEvidence files a named case as the bench worker and attaches a
// small photo to it.
func (d *driver) fileWithEvidence(ctx context.Context, i int64, st *soakStats) {
	n := int64(len(d.cfg.Tenants))
	t := i % n
	slug, tok := d.cfg.Tenants[t], d.s.worker[t]
	req, err := d.newRequest(ctx, http.MethodPost, slug, "/api/v1/cases", tok, filing(i, "named"))
	if err != nil {
		st.transportError("file", err)
		return
	}
	b, ok := d.soakDo(d.client, req, http.StatusCreated, "file", st)
	if !ok {
		return
	}
	st.create(tableCases)
	var c struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &c); err != nil || c.ID == "" {
		st.unexpected("file", fmt.Errorf("no case id in %.200s", b))
		return
	}
	ct, body := photoUpload(i)
	req, err = d.newRequest(ctx, http.MethodPost, slug, "/api/v1/cases/"+c.ID+"/evidence", tok, nil)
	if err != nil {
		st.transportError("evidence", err)
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", ct)
	if _, ok := d.soakDo(d.client, req, http.StatusCreated, "evidence", st); ok {
		st.create(tableEvidence)
	}
}

// photoUpload is a multipart body with a small JPEG, different for every
// i (so every upload is a new file in the content-addressed store).
func photoUpload(i int64) (string, []byte) {
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	for y := range 32 {
		for x := range 48 {
			img.Set(x, y, color.RGBA{R: byte(x * 5), G: byte(y * 7), B: byte(i), A: 255})
		}
	}
	img.Set(int(i%48), int(i/48%32), color.RGBA{R: byte(i >> 8), G: byte(i >> 16), B: 255, A: 255})
	var jb bytes.Buffer
	_ = jpeg.Encode(&jb, img, &jpeg.Options{Quality: 80})
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="foto-%d.jpg"`, i))
	h.Set("Content-Type", "image/jpeg")
	pw, _ := mw.CreatePart(h)
	_, _ = pw.Write(jb.Bytes())
	_ = mw.Close()
	return mw.FormDataContentType(), body.Bytes()
}
