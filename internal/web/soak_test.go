package web_test

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/config"
)

// TestSoak is `make soak` (scripts/soak.sh): it measures the filing
// throughput for a while, then files at half that rate for
// SUARA_SOAK_DURATION and requires zero 5xx and resident memory growing
// by less than 10% between the end of the warm-up and the end. It only
// runs when SUARA_SOAK_DURATION is set.
func TestSoak(t *testing.T) {
	dur, err := time.ParseDuration(os.Getenv("SUARA_SOAK_DURATION"))
	if err != nil || dur <= 0 {
		t.Skip("set SUARA_SOAK_DURATION (make soak) to run the soak")
	}
	e := newEnv(t, func(c *config.Config) { c.Classify.Workers = 0; c.Classify.Ollama.Enabled = false })
	var seq atomic.Int64
	file := func() int {
		i := seq.Add(1)
		body := fmt.Sprintf(`{"type":"complaint","safety_mode":"anonymous","description":"Soak %d: upah lembur tidak dibayar sesuai aturan."}`, i)
		req := httptest.NewRequest(http.MethodPost, "http://spn.localhost/api/v1/cases", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := e.srv.App().Test(req, -1)
		if err != nil {
			return -1
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	rate, _ := strconv.ParseFloat(os.Getenv("SUARA_SOAK_RATE"), 64)
	if rate <= 0 {
		// Benchmark: as fast as 8 clients can file, for 20 seconds.
		var n atomic.Int64
		stop := time.Now().Add(20 * time.Second)
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(stop) {
					if file() == http.StatusCreated {
						n.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		bench := float64(n.Load()) / 20
		rate = bench / 2
		t.Logf("benchmarked filing throughput: %.1f/s; soaking at %.1f/s for %v", bench, rate, dur)
	}
	var total, fivexx, other atomic.Int64
	interval := time.Duration(float64(time.Second) / rate)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	end := time.Now().Add(dur)
	warm := time.Now().Add(dur / 10)
	var rssWarm, rssPeak int64
	var lastSample time.Time
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for now := range tick.C {
		if now.After(end) {
			break
		}
		if rssWarm == 0 && now.After(warm) {
			rssWarm = rssKB(t)
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			st := file()
			total.Add(1)
			switch {
			case st >= 500 || st < 0:
				fivexx.Add(1)
			case st != http.StatusCreated:
				other.Add(1)
			}
		}()
		if rssWarm > 0 && now.Sub(lastSample) > 10*time.Second {
			rssPeak, lastSample = max(rssPeak, rssKB(t)), now
		}
	}
	wg.Wait()
	rssEnd := rssKB(t)
	growth := float64(rssEnd-rssWarm) / float64(rssWarm) * 100
	t.Logf("soak: %d filings in %v (%.1f/s), %d 5xx, %d other non-201; RSS after warm-up %d kB, at end %d kB (%+.1f%%), peak %d kB",
		total.Load(), dur, float64(total.Load())/dur.Seconds(), fivexx.Load(), other.Load(), rssWarm, rssEnd, growth, rssPeak)
	if got := float64(total.Load()) / dur.Seconds(); got < 0.9*rate {
		// The ticker drops ticks it cannot keep: say so, the verdict
		// below holds for the achieved rate only.
		t.Logf("soak: the machine did not keep the asked rate: %.1f/s of %.1f/s", got, rate)
	}
	if fivexx.Load() > 0 {
		t.Errorf("%d answers were 5xx", fivexx.Load())
	}
	if growth >= 10 {
		t.Errorf("RSS grew %.1f%%", growth)
	}
}

// rssKB is this process's resident set size, after returning freed memory
// to the system so garbage awaiting collection does not count.
func rssKB(t *testing.T) int64 {
	debug.FreeOSMemory()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}
