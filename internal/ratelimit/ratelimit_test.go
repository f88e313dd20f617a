package ratelimit_test

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/ratelimit"
)

// replicas are two Limits on two connection pools to one database, as two
// `serve` processes have, sharing a simulated clock.
func replicas(t *testing.T) (a, b *ratelimit.Limits, clock *time.Time) {
	t.Helper()
	tdb := pgtest.New(t)
	other, err := db.Open(context.Background(), tdb.AppURL, db.Options{MaxOpenConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	a, b = ratelimit.New(tdb.App, []byte("secret")), ratelimit.New(other, []byte("secret"))
	a.Now = func() time.Time { return now }
	b.Now = a.Now
	return a, b, &now
}

// TestWindowAcrossReplicas: 40 concurrent hits spread over two replicas
// against a limit of 12 — exactly 12 allowed; the next window allows again.
func TestWindowAcrossReplicas(t *testing.T) {
	a, b, clock := replicas(t)
	ctx := context.Background()
	const limit = 12
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(l *ratelimit.Limits) {
			defer wg.Done()
			r, err := l.Window(ctx, "filing|t1|203.0.113.7", limit, 10*time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			if r.OK {
				allowed.Add(1)
			} else if r.RetryAfter <= 0 || r.RetryAfter > 10*time.Minute {
				t.Errorf("refused with Retry-After %s", r.RetryAfter)
			}
		}([]*ratelimit.Limits{a, b}[i%2])
	}
	wg.Wait()
	if got := allowed.Load(); got != limit {
		t.Errorf("two replicas allowed %d hits, limit %d", got, limit)
	}
	// Another key is not touched.
	if r, _ := b.Window(ctx, "filing|t1|198.51.100.1", limit, 10*time.Minute); !r.OK {
		t.Error("another address was refused")
	}
	*clock = clock.Add(10 * time.Minute)
	if r, _ := a.Window(ctx, "filing|t1|203.0.113.7", limit, 10*time.Minute); !r.OK {
		t.Error("the next window refused the address")
	}
}

// TestBucketAcrossReplicas: a bucket of 5 is emptied through both replicas,
// refills one per interval, and Drain/Level/Mark behave.
func TestBucketAcrossReplicas(t *testing.T) {
	a, b, clock := replicas(t)
	ctx := context.Background()
	take := func(l *ratelimit.Limits) bool {
		r, err := l.Take(ctx, "receipt|addr", 5, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return r.OK
	}
	n := 0
	for i := 0; i < 9; i++ {
		if take([]*ratelimit.Limits{a, b}[i%2]) {
			n++
		}
	}
	if n != 5 {
		t.Fatalf("bucket of 5 gave %d", n)
	}
	*clock = clock.Add(10 * time.Second)
	if !take(b) || take(a) {
		t.Error("one token back after one interval: want exactly one more")
	}
	if v, _ := a.Level(ctx, "pool", 300, time.Second); v != 300 {
		t.Errorf("untouched level %v", v)
	}
	for i := 0; i < 3; i++ {
		if err := b.Drain(ctx, "pool", 2, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := a.Level(ctx, "pool", 2, time.Second); v != 0 {
		t.Errorf("drained level %v, want 0 (never below)", v)
	}
	if ok, _ := a.Marked(ctx, "suspect"); ok {
		t.Error("marked before Mark")
	}
	if err := b.Mark(ctx, "suspect", time.Minute); err != nil {
		t.Fatal(err)
	}
	if ok, _ := a.Marked(ctx, "suspect"); !ok {
		t.Error("a mark made on one replica is not seen on the other")
	}
	*clock = clock.Add(2 * time.Minute)
	if ok, _ := a.Marked(ctx, "suspect"); ok {
		t.Error("mark outlived its time")
	}
}

// TestNoAddressStored: the table holds HMACs, never the key's text.
func TestNoAddressStored(t *testing.T) {
	tdb := pgtest.New(t)
	l := ratelimit.New(tdb.App, []byte("secret"))
	ctx := context.Background()
	if _, err := l.Window(ctx, "login|spn|203.0.113.99", 3, time.Minute); err != nil {
		t.Fatal(err)
	}
	var keys [][]byte
	if err := tdb.Super.NewSelect().Table("rate_limits").Column("key").Scan(ctx, &keys); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || len(keys[0]) != 32 || bytes.Contains(keys[0], []byte("203.0.113")) {
		t.Errorf("stored keys %q", keys)
	}
}

// TestWindowChainAcrossReplicas: an address's hits past its own limit do
// not count against its union's, and the union's limit holds across
// replicas and addresses.
func TestWindowChainAcrossReplicas(t *testing.T) {
	a, b, clock := replicas(t)
	ctx := context.Background()
	perAddress := func(ip string) ratelimit.WindowLimit {
		return ratelimit.WindowLimit{Key: "filing|t1|" + ip, Max: 3, Window: 10 * time.Minute}
	}
	perUnion := ratelimit.WindowLimit{Key: "filing|t1", Max: 5, Window: time.Hour}

	var refusedBy [3]int
	for i := 0; i < 10; i++ {
		which, r, err := a.WindowChain(ctx, perAddress("203.0.113.7"), perUnion)
		if err != nil {
			t.Fatal(err)
		}
		if r.OK != (which == 0) {
			t.Fatalf("hit %d: OK=%v but refused by %d", i, r.OK, which)
		}
		refusedBy[which]++
	}
	if refusedBy != [3]int{3, 7, 0} {
		t.Fatalf("one address, 10 hits: allowed/refused by address/refused by union = %v, want [3 7 0]", refusedBy)
	}

	// Twenty hits from two other addresses over both replicas: the union has
	// two left of its five.
	var allowed, byUnion atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(l *ratelimit.Limits, ip string) {
			defer wg.Done()
			which, r, err := l.WindowChain(ctx, perAddress(ip), perUnion)
			if err != nil {
				t.Error(err)
				return
			}
			switch which {
			case 0:
				allowed.Add(1)
			case 2:
				byUnion.Add(1)
				if r.RetryAfter <= 0 || r.RetryAfter > time.Hour {
					t.Errorf("refused by the union with Retry-After %s", r.RetryAfter)
				}
			}
		}([]*ratelimit.Limits{a, b}[i%2], []string{"198.51.100.1", "198.51.100.2"}[i%2])
	}
	wg.Wait()
	if allowed.Load() != 2 || byUnion.Load() == 0 {
		t.Errorf("after the first address: %d allowed, %d refused by the union; want 2 allowed", allowed.Load(), byUnion.Load())
	}

	*clock = clock.Add(time.Hour)
	if which, _, _ := b.WindowChain(ctx, perAddress("203.0.113.7"), perUnion); which != 0 {
		t.Errorf("the next windows refused the address (limit %d)", which)
	}
}

// A check sent with OnlyIf counts the hit only when a statement before it
// in the same round trip turned the setting on (as a valid token's
// look-up does): an unknown token's filing spends no allowance.
func TestChainOnlyIf(t *testing.T) {
	tdb := pgtest.New(t)
	a := ratelimit.New(tdb.App, []byte("secret"))
	ctx := context.Background()
	tenantID := uuid.New()
	limit := ratelimit.WindowLimit{Key: "filing|t1|203.0.113.7", Max: 1, Window: 10 * time.Minute}
	union := ratelimit.WindowLimit{Key: "filing|t1", Max: 5, Window: 10 * time.Minute}
	turnOn := func(on bool) *db.Row {
		v := map[bool]string{true: "on", false: ""}[on]
		return &db.Row{Query: "SELECT set_config('suara.test_signed_in', $1, true)", Args: []any{v}, Dest: []any{new(string)}}
	}

	off := a.Chain(limit, union).OnlyIf("suara.test_signed_in")
	if err := db.TenantRows(ctx, tdb.App, tenantID, turnOn(false), &off.Row); err != nil {
		t.Fatal(err)
	}
	if off.Counted() {
		t.Fatal("counted with the setting off")
	}
	if _, _, err := off.Verdict(ctx); err == nil {
		t.Fatal("a verdict on an uncounted hit")
	}
	// Nothing was counted: the address's one hit is still free.
	if which, _, err := a.WindowChain(ctx, limit, union); err != nil || which != 0 {
		t.Fatalf("first counted hit: refused by %d, %v", which, err)
	}
	on := a.Chain(limit, union).OnlyIf("suara.test_signed_in")
	if err := db.TenantRows(ctx, tdb.App, tenantID, turnOn(true), &on.Row); err != nil {
		t.Fatal(err)
	}
	if !on.Counted() {
		t.Fatal("not counted with the setting on")
	}
	if which, r, err := on.Verdict(ctx); err != nil || which != 1 || r.RetryAfter <= 0 {
		t.Fatalf("second hit of one allowed: refused by %d (%v), %v", which, r, err)
	}
}
