package web

import (
	"sync"
	"time"

	"github.com/google/uuid"
)

// Receipt throttling, built so that nobody can lock anonymous reporters out.
//
//   - Every request on any receipt route (the code exchange, every
//     /api/v1/receipt/… action, every /receipt… page) takes a token from
//     its address's one bucket: the routes are counted together, so cycling
//     through them buys nothing.
//   - Wrong codes and bad session tokens ("misses") also take a token from
//     the union's pool, against guessing spread over many addresses. When
//     the pool is empty, only addresses that have missed recently are
//     refused; an address with a clean record (a reporter typing their
//     right code) still gets through. The pool is sized so that one
//     address at its full allowance cannot empty it anyway.
//
// The state is in memory per replica: with N replicas the per-address and
// per-union figures are N times these, still hopeless against 10^16 codes.
const (
	receiptAddrBurst  = 30               // requests an address may make at once
	receiptAddrRefill = 10 * time.Second // one request back per interval (6 a minute)
	receiptPoolBurst  = 300              // misses the union absorbs at once
	receiptPoolRefill = time.Second      // one miss back per second (60 a minute)
	receiptSuspectFor = 10 * time.Minute // how long a miss marks its address
	receiptMaxAddrs   = 50000            // addresses remembered before pruning
)

type receiptThrottle struct {
	now   func() time.Time
	mu    sync.Mutex
	addrs map[addrKey]*addrState
	pools map[uuid.UUID]*bucket
}

type addrKey struct {
	tenant uuid.UUID
	addr   string
}

type addrState struct {
	b        bucket
	lastMiss time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// fill brings b up to date at now and returns it.
func (b *bucket) fill(now time.Time, burst float64, refill time.Duration) *bucket {
	if b.at.IsZero() {
		b.tokens, b.at = burst, now
	}
	if now.After(b.at) {
		b.tokens = min(burst, b.tokens+float64(now.Sub(b.at))/float64(refill))
		b.at = now
	}
	return b
}

func newReceiptThrottle(now func() time.Time) *receiptThrottle {
	if now == nil {
		now = time.Now
	}
	return &receiptThrottle{now: now, addrs: map[addrKey]*addrState{}, pools: map[uuid.UUID]*bucket{}}
}

// admit takes one request from the address's budget and reports whether
// it may go on, and if not how many seconds until it may.
func (t *receiptThrottle) admit(tenantID uuid.UUID, addr string) (bool, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	st := t.addr(tenantID, addr)
	b := st.b.fill(now, receiptAddrBurst, receiptAddrRefill)
	if b.tokens < 1 {
		return false, int(receiptAddrRefill.Seconds())
	}
	pool := t.pool(tenantID).fill(now, receiptPoolBurst, receiptPoolRefill)
	if pool.tokens < 1 && !st.lastMiss.IsZero() && now.Sub(st.lastMiss) < receiptSuspectFor {
		return false, int(receiptPoolRefill.Seconds()) * 30
	}
	b.tokens--
	return true, 0
}

// miss records a wrong code or a bad session token from addr.
func (t *receiptThrottle) miss(tenantID uuid.UUID, addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.addr(tenantID, addr).lastMiss = now
	pool := t.pool(tenantID).fill(now, receiptPoolBurst, receiptPoolRefill)
	pool.tokens = max(0, pool.tokens-1)
}

func (t *receiptThrottle) addr(tenantID uuid.UUID, addr string) *addrState {
	k := addrKey{tenantID, addr}
	st := t.addrs[k]
	if st == nil {
		if len(t.addrs) >= receiptMaxAddrs {
			t.prune()
		}
		st = &addrState{}
		t.addrs[k] = st
	}
	return st
}

func (t *receiptThrottle) pool(tenantID uuid.UUID) *bucket {
	p := t.pools[tenantID]
	if p == nil {
		p = &bucket{}
		t.pools[tenantID] = p
	}
	return p
}

// prune forgets addresses whose bucket has refilled and whose last miss is
// old: they are indistinguishable from new ones.
func (t *receiptThrottle) prune() {
	now := t.now()
	for k, st := range t.addrs {
		full := st.b.fill(now, receiptAddrBurst, receiptAddrRefill).tokens >= receiptAddrBurst
		if full && now.Sub(st.lastMiss) >= receiptSuspectFor {
			delete(t.addrs, k)
		}
	}
}
