// Command failover is the load driver of `make failover` (scripts/failover.sh
// starts pg_auto_failover's monitor, a primary and a synchronous standby, and
// `suara serve` on a multi-host database URL, then runs this).
//
// It files cases over the public API at a steady concurrency, each with an
// Idempotency-Key, and retries a failed request with the same key until it
// is answered 2xx or its deadline passes. Mid-load it SIGKILLs the primary
// (-kill: a process id, or a negative process group id: the keeper and its
// postmaster with every backend, as when the machine is lost). From the
// kill on it sends a fresh filing every 250 ms until one is answered 2xx:
// that is the recovery time. When the load is over it reads the database
// (through the same multi-host URL, on whichever node is primary now) and
// checks that every filing answered 2xx is there, once.
//
// Its last line is `acknowledged=N lost=L duplicates=D recovery_s=S`; it
// exits 1 when anything was lost or duplicated, a filing never got through,
// or recovery took longer than -max-recovery.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

type ack struct {
	key, id, reference string
}

type driver struct {
	target, host, run string
	client            *http.Client
	deadline          time.Duration

	mu       sync.Mutex
	acks     []ack
	failed   []string // keys never answered 2xx before their deadline
	rejected []string // 4xx answers that a retry cannot fix: a bug
	attempts atomic.Int64
	errors   atomic.Int64 // failed attempts (5xx, 409, 429, network)
	seq      atomic.Int64
	// byKind counts failed attempts by answer: "503", "500", "network"…
	byKind map[string]int
}

func (d *driver) failedAttempt(kind string) {
	d.errors.Add(1)
	d.mu.Lock()
	d.byKind[kind]++
	d.mu.Unlock()
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "failover:", err)
		os.Exit(1)
	}
}

func run() error {
	target := flag.String("target", "http://127.0.0.1:8080", "the platform's address")
	host := flag.String("host", "spn.localhost", "the tenant's host name")
	workers := flag.Int("concurrency", 8, "filings in flight")
	before := flag.Duration("before", 8*time.Second, "load before the kill")
	after := flag.Duration("after", 10*time.Second, "load after the platform answers again")
	deadline := flag.Duration("deadline", 90*time.Second, "how long one filing is retried")
	maxRecovery := flag.Duration("max-recovery", 30*time.Second, "longest acceptable recovery")
	killPID := flag.Int("kill", 0, "process id to SIGKILL mid-load (negative: a process group)")
	dbURL := flag.String("db", "", "superuser URL (multi-host, target_session_attrs=read-write) to verify with")
	flag.Parse()
	if *killPID == 0 || *dbURL == "" {
		return errors.New("-kill and -db are required")
	}
	d := &driver{target: *target, host: *host, deadline: *deadline,
		run: strconv.FormatInt(time.Now().UnixNano(), 36), byKind: map[string]int{},
		client: &http.Client{Timeout: 10 * time.Second}}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				d.fileUntilAnswered()
			}
		}()
	}
	time.Sleep(*before)
	beforeKill := d.count()
	fmt.Printf("load: %d filings acknowledged in %s at concurrency %d; killing %d\n", beforeKill, *before, *workers, *killPID)
	killedAt := time.Now()
	if err := syscall.Kill(*killPID, syscall.SIGKILL); err != nil {
		close(stop)
		wg.Wait()
		return fmt.Errorf("kill %d: %w", *killPID, err)
	}
	// Recovery: fresh filings from the kill on until one is answered.
	var recovery time.Duration
	for {
		start := time.Now()
		if d.fileOnce(d.newKey()) {
			recovery = time.Since(killedAt)
			break
		}
		if time.Since(killedAt) > *deadline {
			close(stop)
			wg.Wait()
			return fmt.Errorf("the platform did not answer a filing within %s of the kill", *deadline)
		}
		time.Sleep(max(0, 250*time.Millisecond-time.Since(start)))
	}
	fmt.Printf("recovery: a fresh filing answered 2xx %.1f s after the kill (%d failed attempts meanwhile)\n",
		recovery.Seconds(), d.errors.Load())
	time.Sleep(*after)
	close(stop)
	wg.Wait()

	acked := d.count()
	lost, dups, extra, port, err := d.verify(*dbURL)
	if err != nil {
		return err
	}
	fmt.Printf("after: %d acknowledged (%d after the kill), %d attempts, %d failed attempts, %d never answered, %d rejected, %d filed without a 2xx reply; primary now on port %d\n",
		acked, acked-beforeKill, d.attempts.Load(), d.errors.Load(), len(d.failed), len(d.rejected), extra, port)
	fmt.Printf("failed attempts by answer: %v\n", d.byKind)
	fmt.Printf("acknowledged=%d lost=%d duplicates=%d recovery_s=%.1f\n", acked, lost, dups, recovery.Seconds())
	switch {
	case lost > 0 || dups > 0:
		return errors.New("filings lost or duplicated")
	case len(d.failed) > 0 || len(d.rejected) > 0:
		return fmt.Errorf("%d filings never answered 2xx, %d rejected (first: %v %v)", len(d.failed), len(d.rejected), first(d.failed), first(d.rejected))
	case recovery > *maxRecovery:
		return fmt.Errorf("recovery took %.1f s, more than %s", recovery.Seconds(), *maxRecovery)
	}
	return nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func (d *driver) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.acks)
}

func (d *driver) newKey() string {
	return fmt.Sprintf("failover-%s-%d", d.run, d.seq.Add(1))
}

// fileUntilAnswered files one new case, retrying with the same key.
func (d *driver) fileUntilAnswered() {
	key := d.newKey()
	end := time.Now().Add(d.deadline)
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		if d.fileOnce(key) || d.isRejected(key) {
			return
		}
		if time.Now().After(end) {
			d.mu.Lock()
			d.failed = append(d.failed, key)
			d.mu.Unlock()
			return
		}
		time.Sleep(wait/2 + rand.N(wait/2))
	}
}

func (d *driver) isRejected(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.rejected) > 0 && d.rejected[len(d.rejected)-1] == key
}

// fileOnce sends one attempt; true when it was answered 2xx (and recorded).
func (d *driver) fileOnce(key string) bool {
	d.attempts.Add(1)
	body, _ := json.Marshal(map[string]any{"type": "complaint",
		"description": "Uji failover: upah lembur bulan lalu belum dibayar. run=" + d.run + " key=" + key})
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, d.target+"/api/v1/cases", bytes.NewReader(body))
	req.Host = d.host
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := d.client.Do(req)
	if err != nil {
		d.failedAttempt("network")
		return false
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	switch {
	case resp.StatusCode/100 == 2:
		var out struct{ ID, Reference string }
		if err := json.Unmarshal(raw, &out); err != nil || out.ID == "" {
			d.failedAttempt("bad 2xx body")
			return false
		}
		d.mu.Lock()
		d.acks = append(d.acks, ack{key: key, id: out.ID, reference: out.Reference})
		d.mu.Unlock()
		return true
	case resp.StatusCode >= 500, resp.StatusCode == 409, resp.StatusCode == 429, resp.StatusCode == 408:
		kind := strconv.Itoa(resp.StatusCode)
		if resp.Header.Get("Retry-After") != "" {
			kind += "+Retry-After"
		}
		d.failedAttempt(kind)
		return false
	default:
		d.mu.Lock()
		d.rejected = append(d.rejected, fmt.Sprintf("%s: %d %s", key, resp.StatusCode, raw))
		d.mu.Unlock()
		return false
	}
}

// verify counts, on the primary now serving, the acknowledged filings
// missing, the keys filed more than once, and the keys filed without a 2xx
// reply reaching the driver.
func (d *driver) verify(url string) (lost, dups, extra, port int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("connect to verify: %w", err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, "SELECT inet_server_port()").Scan(&port); err != nil {
		return 0, 0, 0, 0, err
	}
	rows, err := conn.Query(ctx, `SELECT id::text, reference, substring(description from ' key=(\S+)$')
		FROM cases WHERE description LIKE $1`, "%run="+d.run+" key=%")
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("read cases: %w", err)
	}
	byKey := map[string][]ack{}
	for rows.Next() {
		var a ack
		if err := rows.Scan(&a.id, &a.reference, &a.key); err != nil {
			return 0, 0, 0, 0, err
		}
		byKey[a.key] = append(byKey[a.key], a)
	}
	if err := rows.Err(); err != nil {
		return 0, 0, 0, 0, err
	}
	acked := map[string]bool{}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, a := range d.acks {
		acked[a.key] = true
		found := false
		for _, c := range byKey[a.key] {
			found = found || (c.id == a.id && c.reference == a.reference)
		}
		if !found {
			lost++
			fmt.Printf("lost: key %s case %s %s\n", a.key, a.id, a.reference)
		}
	}
	for key, cs := range byKey {
		if len(cs) > 1 {
			dups += len(cs) - 1
			fmt.Printf("duplicate: key %s filed %d times\n", key, len(cs))
		}
		if !acked[key] {
			extra++
		}
	}
	return lost, dups, extra, port, nil
}
