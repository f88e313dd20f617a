package analytics

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// The differencing property (acceptance 1), on random case tables with
// every query the publication grid allows over a small universe: every
// grouping of up to two dimensions (with or without month or quarter),
// every filter of one further dimension on each of its values, every
// quarter-aligned range of two quarters, and the count, retaliation and
// reopened measures. For every published cell, and every pair of published
// cells whose cases nest (B ⊆ A), the derived value A − B (a difference, or
// a cell's complement in a coarser one) must not be 1..k−1; neither may a
// published total minus the published cells of any one table inside it
// (the complement of the withheld ones); and the same set of cases must
// publish the same number in whatever query it appears.

const propK = 5

// propCase is one case of a random table.
type propCase struct {
	dims        map[string]string
	month       Month
	retaliation bool
	reopened    bool
}

type caseSet [4]uint64 // up to 256 cases

func (s caseSet) subsetOf(o caseSet) bool {
	for i := range s {
		if s[i]&^o[i] != 0 {
			return false
		}
	}
	return true
}

func (s caseSet) minus(o caseSet) (out caseSet) {
	for i := range s {
		out[i] = s[i] &^ o[i]
	}
	return out
}

func (s caseSet) union(o caseSet) (out caseSet) {
	for i := range s {
		out[i] = s[i] | o[i]
	}
	return out
}

func (s caseSet) disjoint(o caseSet) bool {
	for i := range s {
		if s[i]&o[i] != 0 {
			return false
		}
	}
	return true
}

func (s caseSet) size() (n int) {
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

// published is one published number and the cases it counts.
type published struct {
	set     caseSet
	measure string // "count", "retaliation" (the reports among set), "reopened"
	value   float64
	table   string // the query that showed it
}

var propDims = map[string][]string{
	"tenant":   {"SPN", "Garteks"},
	"category": {"upah", "k3", "phk"},
	"gender":   {"female", "male", "unknown"},
	"type":     {"complaint", "aspiration"},
}

func randomCases(r *rand.Rand) []propCase {
	n := 40 + r.IntN(200)
	out := make([]propCase, n)
	months := []Month{{2026, 1}, {2026, 2}, {2026, 3}, {2026, 4}, {2026, 5}, {2026, 6}}
	// Skewed values, so that both small and large cells arise.
	pick := func(vals []string) string {
		x := r.Float64()
		return vals[min(len(vals)-1, int(x*x*float64(len(vals))))]
	}
	for i := range out {
		out[i] = propCase{dims: map[string]string{}, month: months[r.IntN(len(months))],
			retaliation: r.IntN(6) == 0, reopened: r.IntN(8) == 0}
		for d, vals := range propDims {
			out[i].dims[d] = pick(vals)
		}
	}
	return out
}

// rawCells groups the cases of q as analytics_aggregate does, with each
// cell's case set beside it.
func rawCells(cases []propCase, q Query) ([]*rawCell, map[*rawCell]caseSet) {
	idx := map[string]*rawCell{}
	sets := map[*rawCell]caseSet{}
	var out []*rawCell
	for i, c := range cases {
		if c.month.Date().Before(q.From.Date()) || c.month.Date().After(q.To.Date()) {
			continue
		}
		ok := true
		for d, v := range q.Filters {
			if c.dims[d] != v {
				ok = false
			}
		}
		if !ok {
			continue
		}
		keys := make([]string, len(q.By))
		for j, d := range q.By {
			switch d {
			case "month":
				keys[j] = c.month.String()
			case "quarter":
				keys[j] = fmt.Sprintf("%d-Q%d", c.month.Year, (int(c.month.Month)+2)/3)
			default:
				keys[j] = c.dims[d]
			}
		}
		key := strings.Join(keys, "\x00")
		rc, ok := idx[key]
		if !ok {
			rc = &rawCell{cell: cell{keys: keys}}
			idx[key] = rc
			out = append(out, rc)
		}
		rc.n++
		if c.retaliation {
			rc.retaliation++
		}
		if c.reopened {
			rc.reopened++
		}
		s := sets[rc]
		s[i/64] |= 1 << (i % 64)
		sets[rc] = s
	}
	return out, sets
}

// allowedQueries lists every query the grid allows over propDims.
func allowedQueries(t *testing.T) []QueryInput {
	dims := []string{"tenant", "category", "gender", "type"}
	var bys [][]string
	bys = append(bys, nil)
	for i, a := range dims {
		bys = append(bys, []string{a})
		for _, b := range dims[i+1:] {
			bys = append(bys, []string{a, b})
		}
	}
	ranges := [][2]string{{"2026-01", "2026-03"}, {"2026-04", "2026-06"}, {"2026-01", "2026-06"}}
	var out []QueryInput
	for _, by := range bys {
		for _, time := range []string{"", "month", "quarter"} {
			b := slices.Clone(by)
			if time != "" {
				b = append(b, time)
			}
			filters := []map[string]string{nil}
			for _, d := range dims {
				if slices.Contains(by, d) {
					continue
				}
				for _, v := range propDims[d] {
					filters = append(filters, map[string]string{d: v})
				}
			}
			for _, f := range filters {
				for _, r := range ranges {
					out = append(out, QueryInput{By: strings.Join(b, ","), Measures: "count,retaliation_reports,reopen_rate",
						From: r[0], To: r[1], Filters: f})
				}
			}
		}
	}
	return out
}

func TestDifferencingPropertyRandomTables(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	r := rand.New(rand.NewPCG(22, seed))
	s := New(nil, Options{K: propK})
	queries := allowedQueries(t)
	now := time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC)
	tables := 0
	for iter := 0; iter < 4; iter++ {
		cases := randomCases(r)
		var pubs []published
		bySet := map[caseSet]map[string]float64{}
		// Per query: its published cells, for the complement check.
		perTable := map[string][]published{}
		withheld := 0
		for _, in := range queries {
			q, err := ParseQuery(in, now)
			if err != nil {
				t.Fatalf("grid refuses %+v: %v", in, err)
			}
			raws, sets := rawCells(cases, q)
			// publish sorts raws: keep the sets by key.
			byKey := map[string]caseSet{}
			for rc, set := range sets {
				byKey[strings.Join(rc.keys, "\x00")] = set
			}
			res := s.publish(q, raws)
			withheld += len(raws) - len(res.Rows)
			name := fmt.Sprintf("%+v", in)
			for _, row := range res.Rows {
				set := byKey[strings.Join(row.Keys, "\x00")]
				add := func(m string, v *float64) {
					if v == nil {
						return
					}
					p := published{set: set, measure: m, value: *v, table: name}
					pubs = append(pubs, p)
					perTable[name+"\x00"+m] = append(perTable[name+"\x00"+m], p)
					if bySet[set] == nil {
						bySet[set] = map[string]float64{}
					}
					if old, ok := bySet[set][m]; ok && old != *v {
						t.Fatalf("seed %d: one set of %d cases published as %v and %v (%s)", seed, set.size(), old, *v, m)
					}
					bySet[set][m] = *v
				}
				cnt := row.Values["count"]
				add("count", cnt)
				add("retaliation", row.Values["retaliation_reports"])
				// A rate times the published count gives the numerator back.
				if rate := row.Values["reopen_rate"]; rate != nil && cnt != nil {
					v := float64(int64(*rate**cnt + 0.5))
					add("reopened", &v)
				}
				if cnt != nil && (*cnt < propK) {
					t.Fatalf("seed %d: a count of %v published", seed, *cnt)
				}
			}
			tables++
		}
		if withheld == 0 {
			t.Fatalf("seed %d: nothing withheld: the tables prove little", seed)
		}
		small := func(v float64) bool { return v >= 1 && v <= propK-1 }
		// Pairs: A ⊇ B, both published for one measure.
		for i := range pubs {
			for j := range pubs {
				a, b := pubs[i], pubs[j]
				if i == j || a.measure != b.measure || !b.set.subsetOf(a.set) {
					continue
				}
				if d := a.value - b.value; small(d) {
					t.Fatalf("seed %d: %s %v (%s) minus %v (%s) = %v: the %d cases between them are disclosed",
						seed, a.measure, a.value, a.table, b.value, b.table, d, a.set.minus(b.set).size())
				}
			}
		}
		// Complements: a published total minus the published cells of one
		// table that lie inside it.
		for _, a := range pubs {
			for key, cells := range perTable {
				if !strings.HasSuffix(key, "\x00"+a.measure) {
					continue
				}
				var sum float64
				var inside caseSet
				n := 0
				for _, c := range cells {
					if c.set.subsetOf(a.set) && c.set.disjoint(inside) {
						sum += c.value
						inside = inside.union(c.set)
						n++
					}
				}
				if n > 1 && small(a.value-sum) {
					t.Fatalf("seed %d: %s total %v (%s) minus %d cells of %s = %v", seed, a.measure, a.value, a.table, n, key, a.value-sum)
				}
			}
		}
	}
	t.Logf("seed %d: %d tables checked", seed, tables)
}
