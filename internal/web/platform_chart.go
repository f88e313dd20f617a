package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"sort"
	"strings"

	"github.com/suara-id/suara/internal/analytics"
)

// consoleTrend is a month-by-series table of one measure, drawn as a line chart
// on the server (no script) with the same numbers in a table.
type consoleTrend struct {
	Months []string
	Series []consoleSeries
}

type consoleSeries struct {
	Name string
	// Values align with Months; nil is suppressed or absent.
	Values []*float64
}

// chartMaxSeries keeps a chart readable; the table still lists every series.
const chartMaxSeries = 8

// consoleTrendOf lays out a result grouped by month (and optionally one series
// dimension) for measure.
func consoleTrendOf(res *analytics.Result, measure string) consoleTrend {
	monthIdx := map[string]int{}
	var months []string
	for m := res.Query.From; !m.Date().After(res.Query.To.Date()); m = m.AddMonths(1) {
		monthIdx[m.String()] = len(months)
		months = append(months, m.String())
	}
	bySeries := map[string][]*float64{}
	var names []string
	for _, r := range res.Rows {
		name := ""
		if len(r.Keys) > 1 {
			name = r.Keys[1]
			if name == "" {
				name = "—"
			}
		}
		if _, ok := bySeries[name]; !ok {
			bySeries[name] = make([]*float64, len(months))
			names = append(names, name)
		}
		if i, ok := monthIdx[r.Keys[0]]; ok {
			bySeries[name][i] = r.Values[measure]
		}
	}
	sort.Strings(names)
	t := consoleTrend{Months: months}
	for _, n := range names {
		t.Series = append(t.Series, consoleSeries{Name: n, Values: bySeries[n]})
	}
	return t
}

// Cell formats one value of the table ("" when suppressed or absent).
func (t consoleTrend) Cell(series, month int) string {
	return consoleNumber(t.Series[series].Values[month])
}

var chartColours = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"}

// svg draws the chart. Every text in it is escaped here, so the result is
// safe to embed; suppressed points break the line rather than read as 0.
func (t consoleTrend) svg(title string) template.HTML {
	const w, h, left, right, top, bottom = 720.0, 300.0, 56.0, 16.0, 28.0, 64.0
	maxV := 0.0
	for i, s := range t.Series {
		if i >= chartMaxSeries {
			break
		}
		for _, v := range s.Values {
			if v != nil && *v > maxV {
				maxV = *v
			}
		}
	}
	maxV = chartCeil(maxV)
	plotW, plotH := w-left-right, h-top-bottom
	x := func(i int) float64 {
		if len(t.Months) < 2 {
			return left + plotW/2
		}
		return left + plotW*float64(i)/float64(len(t.Months)-1)
	}
	y := func(v float64) float64 { return top + plotH - plotH*v/maxV }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="%s" class="chart">`, w, h, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="%.0f" y="18" font-size="13" font-weight="bold">%s</text>`, left, html.EscapeString(title))
	for i := 0; i <= 4; i++ {
		v := maxV * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#ddd"/>`, left, w-right, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end">%s</text>`, left-6, y(v)+4, html.EscapeString(chartLabel(v)))
	}
	for i, m := range t.Months {
		if len(t.Months) > 12 && i%3 != 0 {
			continue
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle">%s</text>`, x(i), top+plotH+16, html.EscapeString(m))
	}
	for si, s := range t.Series {
		if si >= chartMaxSeries {
			break
		}
		colour := chartColours[si%len(chartColours)]
		var pts []string
		flush := func() {
			if len(pts) > 1 {
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, colour, strings.Join(pts, " "))
			}
			pts = pts[:0]
		}
		for i, v := range s.Values {
			if v == nil {
				flush()
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(*v)))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`, x(i), y(*v), colour)
		}
		flush()
		name := s.Name
		if name == "" {
			name = title
		}
		lx := left + float64(si%4)*(plotW/4)
		ly := h - 24 + float64(si/4)*14
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="10" height="10" fill="%s"/>`, lx, ly-9, colour)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11">%s</text>`, lx+14, ly, html.EscapeString(name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text above is escaped
}

// chartCeil rounds a chart's top up to 1, 2 or 5 times a power of ten.
func chartCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func chartLabel(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}
