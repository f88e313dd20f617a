// Package bench owns the load driver behind `suara bench`: it drives a
// running `suara serve` over loopback HTTP only, bounded in requests and
// time, at several concurrency levels, and measures throughput, latency
// percentiles, errors and the server's own CPU and memory from /proc; it
// runs pgbench on the equivalent SQL beside it for the ratio.
package bench

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of
// sorted: the smallest value with at least p% of the values at or below
// it. It returns 0 for no values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Latencies summarises a set of request durations.
type Latencies struct {
	P50, P95, P99, Max time.Duration
}

// Summarise sorts ds in place and returns its percentiles.
func Summarise(ds []time.Duration) Latencies {
	slices.Sort(ds)
	l := Latencies{P50: Percentile(ds, 50), P95: Percentile(ds, 95), P99: Percentile(ds, 99)}
	if len(ds) > 0 {
		l.Max = ds[len(ds)-1]
	}
	return l
}

// ms is d in milliseconds with two decimals, for tables.
func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Millisecond)*100) / 100 }
