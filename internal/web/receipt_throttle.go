package web

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/ratelimit"
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
// The buckets are kept in PostgreSQL (internal/ratelimit), so every
// replica draws on the same ones: N replicas allow these figures, not N
// times them.
const (
	receiptAddrBurst  = 30               // requests an address may make at once
	receiptAddrRefill = 10 * time.Second // one request back per interval (6 a minute)
	receiptPoolBurst  = 300              // misses the union absorbs at once
	receiptPoolRefill = time.Second      // one miss back per second (60 a minute)
	receiptSuspectFor = 10 * time.Minute // how long a miss marks its address
)

type receiptThrottle struct {
	limits *ratelimit.Limits
}

func newReceiptThrottle(limits *ratelimit.Limits) *receiptThrottle {
	return &receiptThrottle{limits: limits}
}

func receiptKeys(tenantID uuid.UUID, addr string) (bucket, suspect, pool string) {
	t := tenantID.String()
	return "receipt|addr|" + t + "|" + addr, "receipt|miss|" + t + "|" + addr, "receipt|pool|" + t
}

// admit takes one request from the address's budget and reports whether
// it may go on, and if not how many seconds until it may.
func (t *receiptThrottle) admit(ctx context.Context, tenantID uuid.UUID, addr string) (bool, int, error) {
	bucket, suspect, pool := receiptKeys(tenantID, addr)
	// An address that missed recently is refused while the union's pool
	// of misses is empty (a clean address is never asked).
	marked, err := t.limits.Marked(ctx, suspect)
	if err != nil {
		return false, 0, err
	}
	if marked {
		lv, err := t.limits.Level(ctx, pool, receiptPoolBurst, receiptPoolRefill)
		if err != nil {
			return false, 0, err
		}
		if lv < 1 {
			return false, int(receiptPoolRefill.Seconds()) * 30, nil
		}
	}
	r, err := t.limits.Take(ctx, bucket, receiptAddrBurst, receiptAddrRefill)
	if err != nil {
		return false, 0, err
	}
	if !r.OK {
		return false, int(receiptAddrRefill.Seconds()), nil
	}
	return true, 0, nil
}

// miss records a wrong code or a bad session token from addr.
func (t *receiptThrottle) miss(ctx context.Context, tenantID uuid.UUID, addr string) error {
	_, suspect, pool := receiptKeys(tenantID, addr)
	if err := t.limits.Mark(ctx, suspect, receiptSuspectFor); err != nil {
		return err
	}
	return t.limits.Drain(ctx, pool, receiptPoolBurst, receiptPoolRefill)
}
