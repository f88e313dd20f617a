package analytics

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/uptrace/bun/dialect/pgdialect"
)

// Row is one published cell: its dimension values (in Query.By order) and
// its measures, nil where a measure rests on fewer than k cases or would
// show a count of 1..k−1. Cells under k leave no row.
type Row struct {
	Keys   []string
	Values map[string]*float64
}

// Result is a query's published table.
type Result struct {
	Query Query
	K     int
	Rows  []Row
}

// rawCell is what analytics_aggregate returns for a group.
type rawCell struct {
	cell
	frN, resN, targetN, within, satN, satSum, reopened, retaliation int64
	// frHist and resHist count durations per histogram bucket (histLow).
	frHist, resHist []int64
	// ilo holds the ILO cube's measures (ILO queries only).
	ilo iloRaw
}

// Aggregate answers q through the platform path and applies disclosure
// control: nothing but the cells' dimension values and suppressed numbers
// leaves.
func (s *Store) Aggregate(ctx context.Context, q Query) (*Result, error) {
	if q.ILO() {
		return s.aggregateILO(ctx, q)
	}
	fdims := make([]string, 0, len(q.Filters))
	for k := range q.Filters {
		fdims = append(fdims, k)
	}
	sort.Strings(fdims)
	fvals := make([]string, len(fdims))
	for i, k := range fdims {
		fvals[i] = q.Filters[k]
	}
	by := q.By
	if by == nil {
		by = []string{}
	}
	rows, err := s.db.QueryContext(ctx,
		"SELECT * FROM analytics_aggregate(?::text[], ?::date, ?::date, ?::text[], ?::text[], ?::text[])",
		pgdialect.Array(by), q.From.Date(), q.To.Date(), pgdialect.Array(fdims), pgdialect.Array(fvals),
		pgdialect.Array(measureParts(q.Measures)))
	if err != nil {
		return nil, fmt.Errorf("aggregate: %w", err)
	}
	defer rows.Close()
	var raws []*rawCell
	for rows.Next() {
		r := &rawCell{}
		if err := rows.Scan(pgdialect.Array(&r.keys), &r.n, &r.frN, pgdialect.Array(&r.frHist), &r.resN, pgdialect.Array(&r.resHist),
			&r.targetN, &r.within, &r.satN, &r.satSum, &r.reopened, &r.retaliation); err != nil {
			return nil, fmt.Errorf("read aggregate: %w", err)
		}
		raws = append(raws, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read aggregate: %w", err)
	}
	return s.publish(q, raws), nil
}

// aggregateILO answers a query that fits an ILO cube shape.
func (s *Store) aggregateILO(ctx context.Context, q Query) (*Result, error) {
	var dims []string
	for _, d := range append(append([]string{}, q.By...), sortedKeys(q.Filters)...) {
		if slices.Contains(iloDims, d) && !slices.Contains(dims, d) {
			dims = append(dims, d)
		}
	}
	shape, col, ok := iloShapeFor(dims)
	if !ok {
		return nil, fmt.Errorf("aggregate: no ILO shape holds %v", dims)
	}
	by := make([]string, len(q.By))
	for i, d := range q.By {
		by[i] = d
		if c, ok := col[d]; ok {
			by[i] = c
		}
	}
	var fdims, fvals []string
	for _, d := range sortedKeys(q.Filters) {
		name := d
		if c, ok := col[d]; ok {
			name = c
		}
		fdims, fvals = append(fdims, name), append(fvals, q.Filters[d])
	}
	rows, err := s.db.QueryContext(ctx,
		"SELECT * FROM analytics_ilo_aggregate(?, ?::text[], ?::date, ?::date, ?::text[], ?::text[])",
		shape, pgdialect.Array(by), q.From.Date(), q.To.Date(), pgdialect.Array(nonNil(fdims)), pgdialect.Array(nonNil(fvals)))
	if err != nil {
		return nil, fmt.Errorf("aggregate ilo: %w", err)
	}
	defer rows.Close()
	var raws []*rawCell
	for rows.Next() {
		r := &rawCell{}
		i := &r.ilo
		if err := rows.Scan(pgdialect.Array(&r.keys), &r.n, &r.retaliation, &i.members, &i.workersAffected, &i.outcomes,
			&i.reinstatement, &i.backPay, &i.contractConversion, &i.apology, &i.policyChange, &i.moneyN, &i.moneyIDR,
			&i.workersReached); err != nil {
			return nil, fmt.Errorf("read ilo aggregate: %w", err)
		}
		raws = append(raws, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read ilo aggregate: %w", err)
	}
	return s.publish(q, raws), nil
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// measureParts names the groups of cube columns that measures read
// (analytics_aggregate's p_parts): the function sums only those.
func measureParts(measures []string) []string {
	parts := []string{}
	for _, m := range measures {
		var p string
		switch m {
		case "median_first_response_days":
			p = "first_response"
		case "median_resolution_days":
			p = "resolution"
		case "within_target_share":
			p = "target"
		case "satisfaction_avg":
			p = "satisfaction"
		case "reopen_rate":
			p = "reopened"
		case "retaliation_reports":
			p = "retaliation"
		default: // count and share read the case count, always summed
			continue
		}
		if !slices.Contains(parts, p) {
			parts = append(parts, p)
		}
	}
	return parts
}

// publish applies disclosure control (disclosure.go) to raw cells and
// computes their measures: cells under k leave no row and no key; counts
// are rounded to base k.
func (s *Store) publish(q Query, raws []*rawCell) *Result {
	k := int64(s.opts.K)
	slices.SortFunc(raws, func(a, b *rawCell) int { return slices.Compare(a.keys, b.keys) })
	var total int64
	for _, r := range raws {
		total += r.n
	}
	res := &Result{Query: q, K: s.opts.K, Rows: make([]Row, 0, len(raws))}
	for _, r := range raws {
		if r.n < k {
			continue // withheld, keys and all
		}
		row := Row{Keys: r.keys, Values: make(map[string]*float64, len(q.Measures))}
		for _, m := range q.Measures {
			row.Values[m] = r.measure(m, k, total)
		}
		res.Rows = append(res.Rows, row)
	}
	return res
}

// measure computes one measure of a published cell, or nil when it rests
// on fewer than k cases or would show a count of 1..k−1.
func (r *rawCell) measure(m string, k, total int64) *float64 {
	switch m {
	case "count":
		return publishCount(r.n, k)
	case "share":
		return publishedRatio(r.n, max(total, k), k, 4)
	case "median_first_response_days":
		if r.frN < k {
			return nil
		}
		return histMedian(r.frHist)
	case "median_resolution_days":
		if r.resN < k {
			return nil
		}
		return histMedian(r.resHist)
	case "within_target_share":
		return publishedRatio(r.within, r.targetN, k, 4)
	case "satisfaction_avg":
		// An average to one decimal: finer ones would give its base away.
		if r.satN < k {
			return nil
		}
		return round(float64(r.satSum)/float64(r.satN), 1)
	case "reopen_rate":
		return publishedRatio(r.reopened, r.n, k, 4)
	case "retaliation_reports":
		return publishCount(r.retaliation, k)
	}
	if v, ok := r.iloMeasure(m, k); ok {
		return v
	}
	return nil
}

// histMedian estimates the median of a duration histogram, to a tenth of
// a day: the bucket where the cumulative count reaches half, interpolated
// linearly inside it. Nil for an empty histogram.
func histMedian(h []int64) *float64 {
	var n int64
	for _, c := range h {
		n += c
	}
	if n == 0 || len(h) != histBuckets {
		return nil
	}
	half := float64(n) / 2
	var cum int64
	for i, c := range h {
		if c > 0 && float64(cum+c) >= half {
			return round(histLow[i]+(histHigh[i]-histLow[i])*(half-float64(cum))/float64(c), 1)
		}
		cum += c
	}
	return round(histLow[histBuckets-1], 1)
}

func round(v float64, digits int) *float64 {
	p := math.Pow10(digits)
	out := math.Round(v*p) / p
	return &out
}

// TenantOverview is one tenant as the platform sees it: its label (a short
// name, or "Union A" when it opted out of being named) and counters. Counts
// under k are nil.
type TenantOverview struct {
	Label          string
	Cases          *int64
	Users          *int64
	ActiveBranches int64
}

// Overview lists every tenant's counters through the platform path.
func (s *Store) Overview(ctx context.Context) ([]TenantOverview, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT label, cases, users, active_branches FROM analytics_tenant_overview()")
	if err != nil {
		return nil, fmt.Errorf("tenant overview: %w", err)
	}
	defer rows.Close()
	var out []TenantOverview
	k := int64(s.opts.K)
	small := func(v int64) *int64 {
		if v > 0 && v < k {
			return nil
		}
		return &v
	}
	for rows.Next() {
		var t TenantOverview
		var cases, users int64
		if err := rows.Scan(&t.Label, &cases, &users, &t.ActiveBranches); err != nil {
			return nil, fmt.Errorf("read tenant overview: %w", err)
		}
		t.Cases, t.Users = small(cases), small(users)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read tenant overview: %w", err)
	}
	slices.SortFunc(out, func(a, b TenantOverview) int { return cmp.Compare(a.Label, b.Label) })
	return out, nil
}
