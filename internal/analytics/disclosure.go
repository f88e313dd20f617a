package analytics

// Disclosure control (docs/disclosure-control.md). What leaves this
// package is protected three ways, each a function of the cell alone, so a
// cell gets the same treatment in whatever query shows it:
//
//  1. Threshold: a cell counting fewer than k cases is withheld, and so are
//     its dimension values: its row is left out of the result entirely.
//     A count-like measure (retaliation reports, members, outcomes, …)
//     between 1 and k−1 is withheld (null) in a published row.
//  2. Rounding to base k: every published count, and every count-like
//     measure, is rounded to the nearest multiple of k (halves up); rates
//     and shares are computed from the rounded parts. Any sum or difference
//     of published numbers — across time ranges, filters, dimensions,
//     tables, analysts — is then a multiple of k, never 1..k−1: differencing
//     two queries, or taking a total minus the other cells of its line,
//     yields at most "0 or ≥ k", never a small group or a withheld cell's
//     value.
//  3. A fixed publication grid (ParseQuery): periods are whole quarters,
//     and a query groups and filters by at most MaxQueryDims dimensions
//     together, so an analyst cannot stack filters down to a handful of
//     cases.
//
// Every query an analyst makes is logged (querylog.go).

// cell is one group as the database returned it, with the exact count
// that never leaves this package.
type cell struct {
	keys []string
	n    int64
}

// roundBase rounds n to the nearest multiple of k, halves up. n is ≥ 0.
func roundBase(n int64, k int64) int64 {
	if k <= 1 {
		return n
	}
	return (n + k/2) / k * k
}

// publishCount is a count as it may leave: 0 stays 0, 1..k−1 is withheld
// (nil), anything else is rounded to base k.
func publishCount(n, k int64) *float64 {
	switch {
	case n <= 0:
		v := 0.0
		return &v
	case n < k:
		return nil
	}
	v := float64(roundBase(n, k))
	return &v
}

// publishedRatio is num/den computed from the published (rounded) parts,
// or nil when either is withheld or the base is under k.
func publishedRatio(num, den, k int64, digits int) *float64 {
	pn, pd := publishCount(num, k), publishCount(den, k)
	if pn == nil || pd == nil || den < k || *pd == 0 {
		return nil
	}
	return round(*pn / *pd, digits)
}
