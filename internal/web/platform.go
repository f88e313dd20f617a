package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
)

// requireAnalyst returns who is signed in on the platform's host when the
// analytics are on: 404 on a union's host or without analytics, 401 signed
// out. analytics.Console checks what they may read (analytics read).
func (s *Server) requireAnalyst(c *fiber.Ctx) (*auth.Principal, error) {
	if s.analytics == nil {
		return nil, fiber.ErrNotFound
	}
	return platformSignedIn(c)
}

// consoleQueryInput reads an aggregate query from the URL. Values are copied:
// Fiber reuses the request's memory after the handler returns.
func consoleQueryInput(c *fiber.Ctx) analytics.QueryInput {
	in := analytics.QueryInput{
		By: queryMulti(c, "by"), Measures: queryMulti(c, "measures"),
		From: strings.Clone(c.Query("from")), To: strings.Clone(c.Query("to")),
		Filters: map[string]string{},
	}
	for _, d := range analytics.FilterDimensions {
		if v := c.Query(d); v != "" {
			in.Filters[d] = strings.Clone(v)
		}
	}
	return in
}

// multi joins a parameter given as "a,b" or repeated (form checkboxes).
func queryMulti(c *fiber.Ctx, name string) string {
	var parts []string
	for _, v := range c.Context().QueryArgs().PeekMulti(name) {
		parts = append(parts, string(v))
	}
	return strings.Join(parts, ",")
}

// explore answers an analyst's query through the logged path.
func (s *Server) explore(c *fiber.Ctx, surface string, q analytics.Query) (*analytics.Result, error) {
	p, err := requireSignedIn(c)
	if err != nil {
		return nil, err
	}
	return s.analytics.Explore(c.UserContext(), p, surface, q)
}

func (s *Server) apiAggregates(c *fiber.Ctx) error {
	if _, err := s.requireAnalyst(c); err != nil {
		return err
	}
	q, err := analytics.ParseQuery(consoleQueryInput(c), time.Now())
	if err != nil {
		return err
	}
	surface := analytics.SurfaceAPI
	if wantsConsoleCSV(c) {
		surface = analytics.SurfaceCSV
	}
	res, err := s.explore(c, surface, q)
	if err != nil {
		return err
	}
	if wantsConsoleCSV(c) {
		return sendAggregatesCSV(c, res)
	}
	return c.JSON(aggregatesJSON(res))
}

func wantsConsoleCSV(c *fiber.Ctx) bool {
	return c.Query("format") == "csv" || strings.Contains(strings.ToLower(c.Get(fiber.HeaderAccept)), "text/csv")
}

// aggregatesJSON shapes a result: one object per row with its dimension
// values and measures by name; suppressed measures are null.
func aggregatesJSON(res *analytics.Result) fiber.Map {
	rows := make([]map[string]any, 0, len(res.Rows))
	for _, r := range res.Rows {
		row := make(map[string]any, len(r.Keys)+len(r.Values)+1)
		for i, d := range res.Query.By {
			row[d] = r.Keys[i]
		}
		for _, m := range res.Query.Measures {
			row[m] = r.Values[m]
		}
		rows = append(rows, row)
	}
	return fiber.Map{
		"by": consoleNonNil(res.Query.By), "measures": res.Query.Measures, "from": res.Query.From.String(), "to": res.Query.To.String(),
		"filters": res.Query.Filters, "k": res.K, "rows": rows,
	}
}

func consoleNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// sendAggregatesCSV writes a result as CSV: the dimensions, the measures, then the
// suppressed flag; suppressed values are empty.
func sendAggregatesCSV(c *fiber.Ctx, res *analytics.Result) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := append(append([]string{}, res.Query.By...), res.Query.Measures...)
	_ = w.Write(header)
	for _, r := range res.Rows {
		rec := make([]string, 0, len(header))
		for _, k := range r.Keys {
			rec = append(rec, consoleCSVSafe(k))
		}
		for _, m := range res.Query.Measures {
			rec = append(rec, consoleNumber(r.Values[m]))
		}
		_ = w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="suara-aggregates.csv"`)
	return c.Send(buf.Bytes())
}

// consoleCSVSafe keeps a spreadsheet from reading a value as a formula.
func consoleCSVSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func consoleNumber(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func (s *Server) apiPlatformOverview(c *fiber.Ctx) error {
	p, err := s.requireAnalyst(c)
	if err != nil {
		return err
	}
	ov, err := s.analytics.Overview(c.UserContext(), p)
	if err != nil {
		return err
	}
	rows := make([]fiber.Map, 0, len(ov))
	for _, t := range ov {
		rows = append(rows, fiber.Map{"tenant": t.Label, "cases": t.Cases, "users": t.Users, "active_branches": t.ActiveBranches})
	}
	return c.JSON(fiber.Map{"k": s.analytics.K(), "tenants": rows})
}

// consolePage guards a console page: signed-out readers go to the login;
// those who may not read the analytics are refused before the page reads
// its form (the service checks each read again).
func (s *Server) consolePage(c *fiber.Ctx) (bool, error) {
	p, err := s.requireAnalyst(c)
	if err == nil {
		err = s.analytics.May(c.UserContext(), p, "analytics", "read")
	}
	if err != nil {
		if errors.Is(err, apperr.ErrUnauthorized) {
			return false, c.Redirect("/login", fiber.StatusSeeOther)
		}
		return false, err
	}
	return true, nil
}

func (s *Server) consoleOverviewPage(c *fiber.Ctx) error {
	if ok, err := s.consolePage(c); !ok {
		return err
	}
	pr, err := requireSignedIn(c)
	if err != nil {
		return err
	}
	ov, err := s.analytics.Overview(c.UserContext(), pr)
	if err != nil {
		return err
	}
	p := s.page(c, "console.title")
	type row struct{ Label, Cases, Users, ActiveBranches string }
	rows := make([]row, 0, len(ov))
	count := func(v *int64) string {
		if v == nil {
			return p.T("console.suppressed")
		}
		return strconv.FormatInt(*v, 10)
	}
	for _, t := range ov {
		rows = append(rows, row{Label: t.Label, Cases: count(t.Cases), Users: count(t.Users), ActiveBranches: strconv.FormatInt(t.ActiveBranches, 10)})
	}
	p.Data = map[string]any{"Tenants": rows, "K": s.analytics.K()}
	// The platform admin reaches the analysts' query log from here.
	if s.analytics.May(c.UserContext(), pr, "analyst", "manage") == nil {
		p.Data.(map[string]any)["QueryLog"] = true
	}
	return s.render(c, fiber.StatusOK, "platform_overview", p)
}

// consoleOption is a checkbox or select entry on the console forms.
type consoleOption struct {
	Value, Label string
	Selected     bool
}

func (s *Server) options(p *Page, prefix string, values, selected []string) []consoleOption {
	out := make([]consoleOption, 0, len(values))
	for _, v := range values {
		out = append(out, consoleOption{Value: v, Label: p.T(prefix + v), Selected: consoleHas(selected, v)})
	}
	return out
}

func consoleHas(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// consoleForm is what the explorer and trend forms show back.
type consoleForm struct {
	From, To string
	Filters  []consoleFilter
	Errors   map[string]string
}

type consoleFilter struct{ Name, Label, Value string }

func (s *Server) consoleForm(c *fiber.Ctx, p *Page, in analytics.QueryInput, q *analytics.Query, err error) (consoleForm, int, error) {
	f := consoleForm{From: in.From, To: in.To}
	if q != nil {
		f.From, f.To = q.From.String(), q.To.String()
	}
	for _, d := range analytics.FilterDimensions {
		f.Filters = append(f.Filters, consoleFilter{Name: d, Label: p.T("console.dim." + d), Value: in.Filters[d]})
	}
	status := fiber.StatusOK
	if err != nil {
		var ve *apperr.Validation
		if !errors.As(err, &ve) {
			return f, 0, err
		}
		status = fiber.StatusUnprocessableEntity
		f.Errors = map[string]string{}
		for k, key := range ve.Fields {
			f.Errors[k] = p.T("console.dim."+k) + ": " + p.T(key)
		}
	}
	return f, status, nil
}

// consoleTable is a result laid out for a template.
type consoleTable struct {
	Head []string
	Rows [][]string
}

func consoleResultTable(p *Page, res *analytics.Result) consoleTable {
	t := consoleTable{}
	for _, d := range res.Query.By {
		t.Head = append(t.Head, p.T("console.dim."+d))
	}
	for _, m := range res.Query.Measures {
		t.Head = append(t.Head, p.T("console.measure."+m))
	}
	for _, r := range res.Rows {
		row := make([]string, 0, len(t.Head))
		for i, k := range r.Keys {
			switch {
			case k == "":
				k = "—"
			case res.Query.By[i] == "sector" && sectorKeys[k] != "":
				k = p.T(sectorKeys[k]) // "palm_oil" reads "Kelapa sawit"
			}
			row = append(row, k)
		}
		for _, m := range res.Query.Measures {
			v := consoleNumber(r.Values[m])
			if v == "" {
				v = p.T("console.suppressed")
			}
			row = append(row, v)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func (s *Server) consoleExplorePage(c *fiber.Ctx) error {
	if ok, err := s.consolePage(c); !ok {
		return err
	}
	p := s.page(c, "console.explore")
	in := consoleQueryInput(c)
	if in.By == "" && len(c.Request().URI().QueryString()) == 0 {
		in.By = "tenant"
	}
	q, qerr := analytics.ParseQuery(in, time.Now())
	var qp *analytics.Query
	data := map[string]any{}
	if qerr == nil {
		qp = &q
		res, err := s.explore(c, analytics.SurfaceConsole, q)
		if err != nil {
			return err
		}
		data["Table"] = consoleResultTable(p, res)
		data["CSV"] = "/console/explore.csv?" + string(c.Request().URI().QueryString())
	}
	f, status, err := s.consoleForm(c, p, in, qp, qerr)
	if err != nil {
		return err
	}
	by, measures := consoleSplit(in.By), consoleSplit(in.Measures)
	if len(measures) == 0 {
		measures = []string{"count"}
	}
	data["Form"] = f
	data["Dims"] = s.options(p, "console.dim.", analytics.Dimensions, by)
	data["Measures"] = s.options(p, "console.measure.", analytics.Measures, measures)
	data["Glossary"] = consoleGlossary(p)
	data["K"] = s.analytics.K()
	p.Data = data
	return s.render(c, status, "platform_explore", p)
}

// consoleSplit splits a form value that may come as "a,b" or as repeated
// checkboxes joined by Fiber.
func consoleSplit(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (s *Server) consoleExportCSV(c *fiber.Ctx) error {
	if ok, err := s.consolePage(c); !ok {
		return err
	}
	q, err := analytics.ParseQuery(consoleQueryInput(c), time.Now())
	if err != nil {
		return err
	}
	res, err := s.explore(c, analytics.SurfaceCSV, q)
	if err != nil {
		return err
	}
	return sendAggregatesCSV(c, res)
}

func (s *Server) consoleTrendPage(c *fiber.Ctx) error {
	if ok, err := s.consolePage(c); !ok {
		return err
	}
	p := s.page(c, "console.trend")
	in := consoleQueryInput(c)
	measure := strings.Clone(c.Query("measure", "count"))
	series := strings.Clone(c.Query("series"))
	in.Measures = measure
	in.By = "month"
	if series != "" {
		in.By = "month," + series
	}
	q, qerr := analytics.ParseQuery(in, time.Now())
	var qp *analytics.Query
	data := map[string]any{"Measure": measure, "Series": series}
	if qerr == nil {
		qp = &q
		res, err := s.explore(c, analytics.SurfaceTrend, q)
		if err != nil {
			return err
		}
		chart := consoleTrendOf(res, measure)
		data["Chart"] = chart.svg(p.T("console.measure." + measure))
		data["Trend"] = chart
	}
	f, status, err := s.consoleForm(c, p, in, qp, qerr)
	if err != nil {
		return err
	}
	data["Form"] = f
	data["MeasureOptions"] = s.options(p, "console.measure.", analytics.Measures, []string{measure})
	seriesDims := []string{}
	for _, d := range analytics.Dimensions {
		if d != "month" && d != "quarter" {
			seriesDims = append(seriesDims, d)
		}
	}
	data["SeriesOptions"] = s.options(p, "console.dim.", seriesDims, []string{series})
	data["K"] = s.analytics.K()
	p.Data = data
	return s.render(c, status, "platform_trend", p)
}
