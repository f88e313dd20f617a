// Package analytics owns cross-union analytics: the case facts rollup (one
// row of dimensions and measures per case, no text and no people), the
// narrow platform path that reads grouped numbers from it, and disclosure
// control (small-cell and complementary suppression) on what leaves.
//
// Tenant-side, the rollup runs inside each tenant's RLS transaction and
// keeps two cubes of pre-aggregated cells current in the same transaction:
// the tenant cube (analytics_cells, migration 0020) and the platform cube
// (analytics_platform_cells, 0021, summed over tenants, fed through an
// append-only inbox). The platform side never reads a tenant table: it
// calls the SECURITY DEFINER functions analytics_aggregate and
// analytics_tenant_overview, which return grouped numbers from the cubes
// and counters only and run with no tenant in scope. Monthly reports
// (report.go, 0022) store only what Aggregate published.
package analytics

import (
	"log/slog"
	"time"

	"github.com/uptrace/bun"
)

// DefaultK is the smallest cell published when Options.K is unset.
const DefaultK = 5

// Options tune the store.
type Options struct {
	// K is the disclosure threshold: a count under K is never published.
	K int
	// Batch is how many cases one rollup statement folds in (default 5000).
	Batch int
	// Lag keeps the rollup this far behind the clock, so that a transaction
	// that stamped a case's updated_at but has not committed yet is not
	// skipped past by the watermark (the app uses a few seconds; 0 in tests).
	Lag time.Duration
	// StatsEvery is how often a tenant's overview counters are recounted
	// (0: on every run).
	StatsEvery time.Duration
	Log        *slog.Logger
	// Now is the clock (tests); time.Now when nil.
	Now func() time.Time
}

// Store is the analytics service over the app's database pool.
type Store struct {
	db   *bun.DB
	opts Options
}

// New builds the store; zero options take their defaults.
func New(bdb *bun.DB, o Options) *Store {
	if o.K < 1 {
		o.K = DefaultK
	}
	if o.Batch < 1 {
		o.Batch = 5000
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Store{db: bdb, opts: o}
}

// K is the disclosure threshold in force.
func (s *Store) K() int { return s.opts.K }
