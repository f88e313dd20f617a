// Package ratelimit counts requests in PostgreSQL, so that every `serve`
// replica counts against the same figures: N replicas allow the limit, not
// N times it. Two shapes: fixed windows (Window: at most max hits per
// window) and token buckets (Take, Drain, Level), plus marks (Mark,
// Marked) that say an address misbehaved recently. Each check is one
// atomic statement on one row (INSERT … ON CONFLICT DO UPDATE), so
// concurrent requests on several replicas cannot both take the last place.
//
// Keys are HMAC-SHA256 of the caller's key (limit name, union, client
// address) under a secret every replica shares: no address is stored.
// Time is the processes' clock, passed in (replicas' clocks agree within
// what `suara doctor` checks; tests pass a simulated one).
package ratelimit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
)

// Limits is the shared store.
type Limits struct {
	db     *bun.DB
	secret []byte
	// Now is the clock (time.Now by default).
	Now   func() time.Time
	calls atomic.Uint64
}

// Secret keys the limits' HMACs from the platform's identity keys: the
// same on every replica that shares them, and not the keys themselves.
func Secret(identityKeys string) []byte {
	h := sha256.Sum256([]byte("suara rate limits\x00" + identityKeys))
	return h[:]
}

// New counts in db's rate_limits table; secret keys the HMAC of every key
// and must be the same on every replica.
func New(db *bun.DB, secret []byte) *Limits {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("suara rate limits v1"))
	return &Limits{db: db, secret: mac.Sum(nil), Now: time.Now}
}

func (l *Limits) key(k string) []byte {
	mac := hmac.New(sha256.New, l.secret)
	mac.Write([]byte(k))
	return mac.Sum(nil)
}

func (l *Limits) now() time.Time { return l.Now().UTC().Truncate(time.Microsecond) }

// Result is a check's verdict; RetryAfter is set when refused.
type Result struct {
	OK         bool
	RetryAfter time.Duration
}

// RetrySeconds is RetryAfter in whole seconds, at least 1.
func (r Result) RetrySeconds() int {
	return max(1, int(math.Ceil(r.RetryAfter.Seconds())))
}

// Window counts one hit for key in the current fixed window (windows are
// aligned on the clock: 10:00–10:10, 10:10–10:20 for 10 minutes) and
// allows it while the window holds at most max hits. Refused hits count
// too, as they do in Fiber's limiter.
func (l *Limits) Window(ctx context.Context, key string, max int, window time.Duration) (Result, error) {
	now := l.now()
	start := now.Truncate(window)
	end := start.Add(window)
	var hits float64
	err := l.db.QueryRowContext(ctx, `
		INSERT INTO rate_limits AS r (key, tokens, at, expires) VALUES (?, 1, ?, ?)
		ON CONFLICT (key) DO UPDATE SET `+windowHit+`
		RETURNING tokens`, l.key(key), start, end).Scan(&hits)
	if err != nil {
		return Result{}, fmt.Errorf("rate limit window: %w", err)
	}
	l.sweep(ctx, now)
	if int(hits) <= max {
		return Result{OK: true}, nil
	}
	return Result{RetryAfter: end.Sub(now)}, nil
}

// WindowLimit is one fixed-window limit for WindowChain.
type WindowLimit struct {
	Key    string
	Max    int
	Window time.Duration
}

// WindowChain is Window for two limits in a row, in one statement: the
// hit counts against first and, only when first allows it, against
// second — as two chained Window calls would, so a caller over first's
// limit cannot use up second's (one address, then its whole union). One
// round trip instead of two on every filing and upload. refused is 0 when
// both allow the hit, else 1 or 2: which limit refused it.
func (l *Limits) WindowChain(ctx context.Context, first, second WindowLimit) (refused int, r Result, err error) {
	ch := l.Chain(first, second)
	l.Run(ctx, ch)
	return ch.Verdict(ctx)
}

// Run runs a check's statement on its own; Verdict reads the outcome.
func (l *Limits) Run(ctx context.Context, ch *ChainCheck) {
	ch.Row.Err = l.db.DB.QueryRowContext(ctx, ch.Row.Query, ch.Row.Args...).Scan(ch.Row.Dest...)
}

// ChainCheck is WindowChain's statement, built but not yet run, so that it
// can ride in another statement's round trip (db.TenantRows beside the
// bearer token's look-up); Verdict reads its outcome.
type ChainCheck struct {
	Row             db.Row
	l               *Limits
	now, end1, end2 time.Time
	max1, max2      int
	// hits1 is -1 until the statement counts the hit.
	hits1, hits2 float64
}

// Chain builds WindowChain's check for first then second at the current time.
func (l *Limits) Chain(first, second WindowLimit) *ChainCheck {
	now := l.now()
	start1, start2 := now.Truncate(first.Window), now.Truncate(second.Window)
	ch := &ChainCheck{l: l, now: now, end1: start1.Add(first.Window), end2: start2.Add(second.Window),
		max1: first.Max, max2: second.Max, hits1: -1}
	ch.Row = db.Row{Query: chainSQL,
		Args: []any{l.key(first.Key), start1, ch.end1, l.key(second.Key), start2, ch.end2, float64(first.Max), ""},
		Dest: []any{&ch.hits1, &ch.hits2}}
	return ch
}

// OnlyIf makes the check count the hit only when the transaction-local
// setting is "on" (set by a statement before it in the same round trip,
// as auth.SignedInSetting is); otherwise it counts nothing and Counted
// stays false.
func (ch *ChainCheck) OnlyIf(setting string) *ChainCheck {
	ch.Row.Args[7] = setting
	return ch
}

// Counted reports whether the statement ran and counted the hit.
func (ch *ChainCheck) Counted() bool { return ch.Row.Err == nil && ch.hits1 >= 0 }

// chainSQL counts the hit against the first key and, while the first
// allows it, the second; with $8 set, only when that setting is on. The
// parameters keep one text, prepared once per connection.
const chainSQL = `
		WITH a AS (
		    INSERT INTO rate_limits AS r (key, tokens, at, expires)
		    SELECT $1::bytea, 1, $2::timestamptz, $3::timestamptz
		    WHERE $8::text = '' OR current_setting($8::text, true) = 'on'
		    ON CONFLICT (key) DO UPDATE SET ` + windowHit + `
		    RETURNING tokens),
		b AS (
		    INSERT INTO rate_limits AS r (key, tokens, at, expires)
		    SELECT $4::bytea, 1, $5::timestamptz, $6::timestamptz WHERE (SELECT tokens FROM a) <= $7::float8
		    ON CONFLICT (key) DO UPDATE SET ` + windowHit + `
		    RETURNING tokens)
		SELECT coalesce((SELECT tokens FROM a), -1), coalesce((SELECT tokens FROM b), 0)`

// Verdict is the check's outcome once its statement ran and counted the
// hit: refused as WindowChain's.
func (ch *ChainCheck) Verdict(ctx context.Context) (refused int, r Result, err error) {
	if ch.Row.Err != nil {
		return 0, Result{}, fmt.Errorf("rate limit windows: %w", ch.Row.Err)
	}
	if ch.hits1 < 0 {
		return 0, Result{}, errors.New("rate limit windows: the hit was not counted")
	}
	ch.l.sweep(ctx, ch.now)
	switch {
	case int(ch.hits1) > ch.max1:
		return 1, Result{RetryAfter: ch.end1.Sub(ch.now)}, nil
	case int(ch.hits2) > ch.max2:
		return 2, Result{RetryAfter: ch.end2.Sub(ch.now)}, nil
	}
	return 0, Result{OK: true}, nil
}

// windowHit is the update that counts one hit in a fixed window: a row
// from an earlier window starts again at 1.
const windowHit = `
		    tokens  = CASE WHEN r.at >= EXCLUDED.at THEN r.tokens + 1 ELSE 1 END,
		    at      = GREATEST(r.at, EXCLUDED.at),
		    expires = GREATEST(r.expires, EXCLUDED.expires)`

// level is the SQL for a bucket's tokens at ? (now), refilled from r.at.
const level = `LEAST(?::float8, r.tokens + GREATEST(0, EXTRACT(EPOCH FROM (?::timestamptz - r.at))) / ?::float8)`

// Take takes one token from key's bucket (burst tokens when full, one back
// every refill) and refuses when there is none.
func (l *Limits) Take(ctx context.Context, key string, burst float64, refill time.Duration) (Result, error) {
	now := l.now()
	rs := refill.Seconds()
	var left float64
	err := l.db.QueryRowContext(ctx, `
		INSERT INTO rate_limits AS r (key, tokens, at, expires) VALUES (?, ?::float8 - 1, ?, ?)
		ON CONFLICT (key) DO UPDATE SET tokens = `+level+` - 1, at = GREATEST(r.at, EXCLUDED.at), expires = EXCLUDED.expires
		WHERE `+level+` >= 1
		RETURNING tokens`, l.key(key), burst, now, bucketExpiry(now, burst, refill),
		burst, now, rs, burst, now, rs).Scan(&left)
	if errors.Is(err, sql.ErrNoRows) {
		return Result{RetryAfter: refill}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("rate limit bucket: %w", err)
	}
	l.sweep(ctx, now)
	return Result{OK: true}, nil
}

// Drain takes one token from key's bucket without refusing: it stops at
// empty.
func (l *Limits) Drain(ctx context.Context, key string, burst float64, refill time.Duration) error {
	now := l.now()
	rs := refill.Seconds()
	_, err := l.db.ExecContext(ctx, `
		INSERT INTO rate_limits AS r (key, tokens, at, expires) VALUES (?, ?::float8 - 1, ?, ?)
		ON CONFLICT (key) DO UPDATE SET tokens = GREATEST(0, `+level+` - 1), at = GREATEST(r.at, EXCLUDED.at), expires = EXCLUDED.expires`,
		l.key(key), burst, now, bucketExpiry(now, burst, refill), burst, now, rs)
	if err != nil {
		return fmt.Errorf("rate limit drain: %w", err)
	}
	return nil
}

// Level is how many tokens key's bucket holds now (burst when untouched).
func (l *Limits) Level(ctx context.Context, key string, burst float64, refill time.Duration) (float64, error) {
	now := l.now()
	var v float64
	err := l.db.QueryRowContext(ctx, `SELECT `+level+` FROM rate_limits r WHERE key = ?`,
		burst, now, refill.Seconds(), l.key(key)).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return burst, nil
	}
	if err != nil {
		return 0, fmt.Errorf("rate limit level: %w", err)
	}
	return v, nil
}

// Mark notes key for d (an address that missed a receipt code).
func (l *Limits) Mark(ctx context.Context, key string, d time.Duration) error {
	now := l.now()
	_, err := l.db.ExecContext(ctx, `
		INSERT INTO rate_limits AS r (key, tokens, at, expires) VALUES (?, 0, ?, ?)
		ON CONFLICT (key) DO UPDATE SET at = EXCLUDED.at, expires = GREATEST(r.expires, EXCLUDED.expires)`,
		l.key(key), now, now.Add(d))
	if err != nil {
		return fmt.Errorf("rate limit mark: %w", err)
	}
	return nil
}

// Marked reports whether key was marked and its mark has not run out.
func (l *Limits) Marked(ctx context.Context, key string) (bool, error) {
	var ok bool
	err := l.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM rate_limits WHERE key = ? AND expires > ?)`,
		l.key(key), l.now()).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("rate limit marked: %w", err)
	}
	return ok, nil
}

// bucketExpiry is when an untouched bucket is full again: its row is then
// the same as none.
func bucketExpiry(now time.Time, burst float64, refill time.Duration) time.Time {
	return now.Add(time.Duration(burst+1) * refill)
}

// sweep deletes expired rows now and then (one call in 500), a bounded
// batch at a time, so the table stays the size of what is live.
func (l *Limits) sweep(ctx context.Context, now time.Time) {
	if l.calls.Add(1)%500 != 0 {
		return
	}
	_, _ = l.db.ExecContext(ctx, `DELETE FROM rate_limits WHERE key IN
		(SELECT key FROM rate_limits WHERE expires < ? LIMIT 1000)`, now.Add(-time.Minute))
}
