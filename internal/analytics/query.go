package analytics

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/suara-id/suara/internal/apperr"
)

// Dimensions a query may group or filter by. Month and quarter are the
// finest dates that ever leave.
var Dimensions = []string{"tenant", "sector", "category", "province", "company", "month", "quarter",
	"type", "status", "gender", "safety_mode",
	"employment_status", "membership", "certification", "age_band", "channel", "ladder", "brand"}

// FilterDimensions may be filtered on (a time range is From/To instead).
var FilterDimensions = []string{"tenant", "sector", "category", "province", "company", "type", "status", "gender", "safety_mode",
	"employment_status", "membership", "certification", "age_band", "channel", "ladder", "brand"}

// Measures a query may ask for.
var Measures = append([]string{"count", "share", "median_first_response_days", "median_resolution_days",
	"within_target_share", "satisfaction_avg", "reopen_rate", "retaliation_reports"}, ILOMeasures...)

// MaxDimensions bounds a query's grouping: more makes cells small anyway.
const MaxDimensions = 3

// MaxQueryDims bounds the dimensions a query groups and filters by
// together (time aside): the publication grid allows no free stacking of
// filters down to a handful of cases.
const MaxQueryDims = 4

// maxMonths bounds a query's range (ten years).
const maxMonths = 120

// Month is a calendar month, the finest time grain of the platform.
type Month struct {
	Year  int
	Month time.Month
}

// String renders YYYY-MM.
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Date is the month's first day (UTC).
func (m Month) Date() time.Time { return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC) }

// MonthOf is the month holding t.
func MonthOf(t time.Time) Month { return Month{Year: t.Year(), Month: t.Month()} }

// AddMonths moves m by n months.
func (m Month) AddMonths(n int) Month { return MonthOf(m.Date().AddDate(0, n, 0)) }

var monthRe = regexp.MustCompile(`^([0-9]{4})-(0[1-9]|1[0-2])$`)

// ParseMonth reads YYYY-MM.
func ParseMonth(s string) (Month, bool) {
	m := monthRe.FindStringSubmatch(s)
	if m == nil {
		return Month{}, false
	}
	var y, mo int
	_, _ = fmt.Sscanf(m[1]+" "+m[2], "%d %d", &y, &mo)
	if y < 2000 || y > 2999 {
		return Month{}, false
	}
	return Month{Year: y, Month: time.Month(mo)}, true
}

// Query is a validated aggregate request.
type Query struct {
	By       []string
	Measures []string
	From, To Month
	// Filters maps a filter dimension to the value it must equal.
	Filters map[string]string
}

// QueryInput is a request as typed: comma-separated lists and YYYY-MM.
type QueryInput struct {
	By, Measures, From, To string
	Filters                map[string]string
}

// ParseQuery validates in against the known dimensions and measures. An
// empty By groups nothing (one total row); empty Measures means count; an
// empty range is the twelve months up to now.
func ParseQuery(in QueryInput, now time.Time) (Query, error) {
	v := &apperr.Validation{}
	q := Query{Filters: map[string]string{}}
	q.By = splitList(in.By)
	if len(q.By) > MaxDimensions {
		v.Add("by", "error.analytics_too_many_dimensions")
	}
	for i, d := range q.By {
		if !slices.Contains(Dimensions, d) || slices.Contains(q.By[:i], d) {
			v.Add("by", "error.invalid")
		}
	}
	q.Measures = splitList(in.Measures)
	if len(q.Measures) == 0 {
		q.Measures = []string{"count"}
	}
	for i, m := range q.Measures {
		if !slices.Contains(Measures, m) || slices.Contains(q.Measures[:i], m) {
			v.Add("measures", "error.invalid")
		}
	}
	// The grid's periods are whole quarters: by default the four up to
	// the current one.
	q.To = MonthOf(now)
	q.To = q.To.AddMonths(2 - (int(q.To.Month)-1)%3)
	if in.To != "" {
		m, ok := ParseMonth(in.To)
		if !ok {
			v.Add("to", "error.invalid")
		}
		q.To = m
	}
	q.From = q.To.AddMonths(-11)
	if in.From != "" {
		m, ok := ParseMonth(in.From)
		if !ok {
			v.Add("from", "error.invalid")
		}
		q.From = m
	}
	if len(v.Fields) == 0 {
		if q.From.Date().After(q.To.Date()) {
			v.Add("from", "error.analytics_range")
		} else if q.From.AddMonths(maxMonths).Date().Before(q.To.Date()) {
			v.Add("to", "error.analytics_range")
		} else if (int(q.From.Month)-1)%3 != 0 {
			v.Add("from", "error.analytics_quarter")
		} else if int(q.To.Month)%3 != 0 {
			v.Add("to", "error.analytics_quarter")
		}
	}
	for k, val := range in.Filters {
		val = strings.TrimSpace(val)
		if val == "" {
			continue
		}
		if !slices.Contains(FilterDimensions, k) {
			v.Add(k, "error.invalid")
			continue
		}
		if len(val) > 200 || !utf8.ValidString(val) || strings.ContainsFunc(val, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			v.Add(k, "error.invalid")
			continue
		}
		q.Filters[k] = val
	}
	if len(v.Fields) == 0 {
		checkShape(q, v)
	}
	if err := v.Err(); err != nil {
		return Query{}, err
	}
	return q, nil
}

// ILO says whether q reads the ILO cube: it names a dimension or a
// measure only that cube has.
func (q Query) ILO() bool {
	for _, d := range append(append([]string{}, q.By...), sortedKeys(q.Filters)...) {
		if slices.Contains(iloOnlyDims, d) {
			return true
		}
	}
	for _, m := range q.Measures {
		if slices.Contains(ILOMeasures, m) {
			return true
		}
	}
	return false
}

// checkShape holds a query to the publication grid: at most MaxQueryDims
// dimensions grouped and filtered together, and an ILO query within one
// ILO cube shape (at most two ILO dimensions, plus tenant and time, and
// the measures that cube has).
func checkShape(q Query, v *apperr.Validation) {
	all := map[string]bool{}
	for _, d := range append(append([]string{}, q.By...), sortedKeys(q.Filters)...) {
		if d != "month" && d != "quarter" {
			all[d] = true
		}
	}
	if len(all) > MaxQueryDims {
		v.Add("by", "error.analytics_too_many_filters")
		return
	}
	if !q.ILO() {
		return
	}
	var dims []string
	for d := range all {
		switch {
		case d == "tenant":
		case slices.Contains(iloDims, d):
			dims = append(dims, d)
		default:
			v.Add("by", "error.analytics_shape")
			return
		}
	}
	if _, _, ok := iloShapeFor(dims); !ok {
		v.Add("by", "error.analytics_shape")
		return
	}
	for _, m := range q.Measures {
		if !slices.Contains(ILOMeasures, m) && !slices.Contains(iloCommonMeasures, m) {
			v.Add("measures", "error.analytics_shape")
			return
		}
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
