package analytics

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// The ILO cube (migration 20261206007000, table analytics_ilo_cells) holds
// the case context and outcome the ILO reporting asks for: for a closed
// list of shapes (iloShapes: the total, each ILO dimension alone, and each
// pair of them) it sums, per tenant and month, the case count and the ILO
// measures. A query that names a dimension or measure only this cube has
// must fit one shape (at most two ILO dimensions, plus tenant and time).

// iloDims are the ILO cube's dimensions. gender, sector and category are
// also in the main cube; the others only here.
var iloDims = []string{"gender", "employment_status", "membership", "certification", "age_band", "channel", "ladder",
	"sector", "category", "brand"}

// iloOnlyDims are the dimensions only the ILO cube has.
var iloOnlyDims = []string{"employment_status", "membership", "certification", "age_band", "channel", "ladder", "brand"}

// ILOMeasures are the measures only the ILO cube has. count, share and
// retaliation_reports are answered by both cubes.
var ILOMeasures = []string{"members", "workers_affected", "outcomes_recorded", "reinstatement", "back_pay",
	"contract_conversion", "apology", "policy_change", "money_recovered_idr", "workers_reached"}

// iloCommonMeasures are answered by the ILO cube as well.
var iloCommonMeasures = []string{"count", "share", "retaliation_reports"}

// iloShape is a shape of the ILO cube: its first and second dimension
// ("" when it has fewer).
type iloShape struct{ a, b string }

// iloShapes lists the shapes; a shape's id is its index (stored in the
// cube: append only, never reorder).
var iloShapes = func() []iloShape {
	out := []iloShape{{}}
	for _, d := range iloDims {
		out = append(out, iloShape{a: d})
	}
	for i, a := range iloDims {
		for _, b := range iloDims[i+1:] {
			out = append(out, iloShape{a: a, b: b})
		}
	}
	return out
}()

// iloShapeFor finds the shape holding exactly the ILO dimensions dims
// (order free), and says which of its columns (a or b) each one is.
func iloShapeFor(dims []string) (id int, col map[string]string, ok bool) {
	if len(dims) > 2 {
		return 0, nil, false
	}
	for i, s := range iloShapes {
		have := []string{}
		if s.a != "" {
			have = append(have, s.a)
		}
		if s.b != "" {
			have = append(have, s.b)
		}
		if len(have) != len(dims) {
			continue
		}
		match := true
		for _, d := range dims {
			if !slices.Contains(have, d) {
				match = false
			}
		}
		if match {
			col := map[string]string{}
			if s.a != "" {
				col[s.a] = "a"
			}
			if s.b != "" {
				col[s.b] = "b"
			}
			return i, col, true
		}
	}
	return 0, nil, false
}

// iloFactExpr is a dimension's value in a fact row x (br.v: one of its brands).
func iloFactExpr(d string) string {
	switch d {
	case "":
		return "''"
	case "brand":
		return "br.v"
	case "ladder":
		return "x.ladder"
	case "channel":
		return "x.channel"
	}
	return "x." + d
}

// iloCellsSQL is an INSERT of the ILO cells that the signed fact rows of
// src (a relation with sign and the case_facts columns) add up to, for
// every shape; onConflict ends it.
//
// The facts are first summed per distinct combination of the ILO
// dimensions (and month and brand list), and only then spread over the 56
// shapes: a batch or a union's whole history holds far fewer combinations
// than facts, and a re-read fact whose ILO dimensions and measures did not
// change (a status change) cancels out here instead of touching 56 cells.
func iloCellsSQL(src, onConflict string) string {
	var vals, as, bs []string
	for i, s := range iloShapes {
		vals = append(vals, fmt.Sprintf("(%d, '%s', '%s')", i, s.a, s.b))
	}
	as = append(as, "CASE sh.a")
	bs = append(bs, "CASE sh.b")
	for _, d := range iloDims {
		as = append(as, fmt.Sprintf("WHEN '%s' THEN %s", d, iloFactExpr(d)))
		bs = append(bs, fmt.Sprintf("WHEN '%s' THEN %s", d, iloFactExpr(d)))
	}
	as = append(as, "ELSE '' END")
	bs = append(bs, "ELSE '' END")
	cnt := func(cond string) string { return fmt.Sprintf("coalesce(sum(y.sign) FILTER (WHERE %s), 0)", cond) }
	outcome := func(t string) string { return cnt(fmt.Sprintf("'%s' = ANY (y.outcome_types)", t)) }
	measures := []struct{ name, expr string }{
		{"cases", "sum(y.sign)"},
		{"retaliation", cnt("y.retaliation")},
		{"members", cnt("y.membership = 'member'")},
		{"workers_affected", "coalesce(sum(y.sign * y.workers_affected), 0)"},
		{"outcomes", cnt("y.ladder <> ''")},
		{"reinstatement", outcome("reinstatement")},
		{"back_pay", outcome("back_pay")},
		{"contract_conversion", outcome("contract_conversion")},
		{"apology", outcome("apology")},
		{"policy_change", outcome("policy_change")},
		{"money_n", cnt("y.money_idr > 0")},
		{"money_idr", "coalesce(sum(y.sign * coalesce(y.money_idr, 0)), 0)"},
		{"workers_reached", "coalesce(sum(y.sign * coalesce(y.workers_reached, 0)), 0)"},
	}
	var inner, outer, nonzero []string
	for _, m := range measures {
		inner = append(inner, m.expr+" AS "+m.name)
		outer = append(outer, "sum(x."+m.name+")")
		nonzero = append(nonzero, m.expr+" <> 0")
	}
	return fmt.Sprintf(`INSERT INTO analytics_ilo_cells AS c (tenant_id, shape, month, a, b, %[6]s)
SELECT x.tenant_id, sh.id, x.month, %[2]s, %[3]s, %[4]s
FROM (SELECT y.tenant_id, y.month, y.gender, y.employment_status, y.membership, y.certification, y.age_band,
             y.channel, y.ladder, y.sector, y.category, y.brands, %[5]s
      FROM %[1]s y
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
      HAVING %[7]s) x
CROSS JOIN (VALUES %[8]s) sh(id, a, b)
CROSS JOIN LATERAL unnest(CASE WHEN 'brand' IN (sh.a, sh.b) AND cardinality(x.brands) > 0 THEN x.brands ELSE ARRAY[''] END) br(v)
GROUP BY 1, 2, 3, 4, 5
%[9]s`, src, strings.Join(as, " "), strings.Join(bs, " "), strings.Join(outer, ", "), strings.Join(inner, ", "),
		strings.Join(func() []string {
			out := make([]string, len(measures))
			for i, m := range measures {
				out[i] = m.name
			}
			return out
		}(), ", "), strings.Join(nonzero, " OR "), strings.Join(vals, ", "), onConflict)
}

// iloAddSQL folds signed deltas into the ILO cells.
var iloAddSQL = func() string {
	cols := []string{"cases", "retaliation", "members", "workers_affected", "outcomes", "reinstatement", "back_pay",
		"contract_conversion", "apology", "policy_change", "money_n", "money_idr", "workers_reached"}
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = fmt.Sprintf("%[1]s = c.%[1]s + EXCLUDED.%[1]s", c)
	}
	return "ON CONFLICT (tenant_id, shape, month, a, b) DO UPDATE SET " + strings.Join(sets, ", ")
}()

// iloRaw is what analytics_ilo_aggregate returns beyond the count.
type iloRaw struct {
	members, workersAffected, outcomes, reinstatement, backPay, contractConversion, apology, policyChange int64
	moneyN, moneyIDR, workersReached                                                                      int64
}

// iloMeasure computes an ILO measure of a published cell.
func (r *rawCell) iloMeasure(m string, k int64) (*float64, bool) {
	switch m {
	case "members":
		return publishCount(r.ilo.members, k), true
	case "workers_affected":
		return publishCount(r.ilo.workersAffected, k), true
	case "outcomes_recorded":
		return publishCount(r.ilo.outcomes, k), true
	case "reinstatement":
		return publishCount(r.ilo.reinstatement, k), true
	case "back_pay":
		return publishCount(r.ilo.backPay, k), true
	case "contract_conversion":
		return publishCount(r.ilo.contractConversion, k), true
	case "apology":
		return publishCount(r.ilo.apology, k), true
	case "policy_change":
		return publishCount(r.ilo.policyChange, k), true
	case "workers_reached":
		return publishCount(r.ilo.workersReached, k), true
	case "money_recovered_idr":
		// A sum of money rests on the cases that recovered any: under k
		// of them it would show one settlement; above, it is rounded to
		// three significant figures so that differences show no single one.
		if r.ilo.moneyN < k {
			if r.ilo.moneyN == 0 {
				v := 0.0
				return &v, true
			}
			return nil, true
		}
		return roundSignificant(float64(r.ilo.moneyIDR), 3), true
	}
	return nil, false
}

// roundSignificant rounds v to digits significant figures.
func roundSignificant(v float64, digits int) *float64 {
	if v == 0 {
		return &v
	}
	p := math.Pow10(digits - 1 - int(math.Floor(math.Log10(math.Abs(v)))))
	out := math.Round(v*p) / p
	return &out
}
