package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/workday"
)

// dashboard computes the dashboard of the sub-tree named by ?branch= (a
// path), by default the highest branch where the viewer may read reports;
// cases.Service checks the viewer's right there.
func (s *Server) dashboard(c *fiber.Ctx) (*cases.Dashboard, error) {
	t, err := tenantOnly(c)
	if err != nil {
		return nil, err
	}
	p, err := requireTenantStaff(c)
	if err != nil {
		return nil, err
	}
	path := strings.TrimSpace(c.Query("branch"))
	if path == "" {
		if path, err = s.reportHome(c, p); err != nil {
			return nil, err
		}
	}
	f, err := cases.ParseDashboardFilter(c.Query("verified_member"))
	if err != nil {
		return nil, err
	}
	return s.cases.FilteredDashboard(c.UserContext(), t, p, path, reqCtx(c).Locale, time.Now(), f)
}

// reportHome is the top of the viewer's report rights: the shortest role
// domain where they may read reports.
func (s *Server) reportHome(c *fiber.Ctx, p *auth.Principal) (string, error) {
	roles, err := s.authz.Roles(c.UserContext(), p)
	if err != nil {
		return "", err
	}
	best := ""
	for _, r := range roles {
		d := strings.TrimSuffix(r.Domain, "/*")
		if s.authz.Check(c.UserContext(), p, d, "report", "read") == nil && (best == "" || len(d) < len(best)) {
			best = d
		}
	}
	if best == "" {
		return "", apperr.ErrForbidden
	}
	return best, nil
}

func (s *Server) apiDashboard(c *fiber.Ctx) error {
	d, err := s.dashboard(c)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// chart is a horizontal bar chart drawn on the server: accessible SVG
// (role img with a title) next to a table of the same numbers.
type chart struct {
	ID, Title string
	Rows      []cases.Count
	SVG       template.HTML
}

func barChart(id, title string, rows []cases.Count, label func(cases.Count) string) chart {
	const barH, gap, labelW, width = 18, 6, 160, 420
	maxN := 1
	for _, r := range rows {
		maxN = max(maxN, r.N)
	}
	var b strings.Builder
	h := len(rows)*(barH+gap) + gap
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-t"><title id="%s-t">%s</title>`,
		width, h, id, id, template.HTMLEscapeString(title))
	for i, r := range rows {
		y := gap + i*(barH+gap)
		w := 0
		if !r.Suppressed {
			w = r.N * (width - labelW - 50) / maxN
		}
		n := fmt.Sprint(r.N)
		if r.Suppressed {
			n = fmt.Sprintf("<%d", cases.SmallCell)
		}
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="12">%s</text><rect x="%d" y="%d" width="%d" height="%d" fill="currentColor" opacity=".7"/><text x="%d" y="%d" font-size="12">%s</text>`,
			y+13, template.HTMLEscapeString(truncate(label(r), 24)), labelW, y, w, barH, labelW+w+4, y+13, template.HTMLEscapeString(n))
	}
	b.WriteString(`</svg>`)
	// Built from escaped text and numbers only.
	return chart{ID: id, Title: title, Rows: rows, SVG: template.HTML(b.String())}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// ratedTable is a satisfaction table (by category or by officer); None
// is the message key for a row without a label.
type ratedTable struct {
	ID, Title, None string
	Rows            []ratedRow
}

type ratedRow struct {
	cases.Rated
	None string
}

func newRatedTable(id, title, none string, rows []cases.Rated) ratedTable {
	t := ratedTable{ID: id, Title: title, None: none}
	for _, r := range rows {
		t.Rows = append(t.Rows, ratedRow{Rated: r, None: none})
	}
	return t
}

type dashboardData struct {
	D      *cases.Dashboard
	Charts []chart
	Rated  []ratedTable
	Hours  func(*float64) string
	Pct    func(cases.Ratio) string
	Small  int
	// VerifiedMember: the verified-members filter is on (the filter form).
	VerifiedMember bool
	// CalendarWarning, when set, says the holiday calendar's data ends
	// soon or has ended (calendarWarning).
	CalendarWarning string
}

func (s *Server) dashboardPage(c *fiber.Ctx) error {
	d, err := s.dashboard(c)
	if err != nil {
		return err
	}
	pg := s.page(c, "admin.dashboard.title")
	status := func(r cases.Count) string { return pg.T("admin.dashboard.status." + r.Key) }
	plain := func(r cases.Count) string {
		if r.Label == "" {
			return pg.T("admin.dashboard.none")
		}
		return r.Label
	}
	vf, _ := cases.ParseDashboardFilter(c.Query("verified_member")) // checked in s.dashboard
	pg.Data = dashboardData{D: d, Small: cases.SmallCell, VerifiedMember: vf.VerifiedMembers, CalendarWarning: s.calendarWarning(pg),
		Charts: []chart{
			barChart("status", pg.T("admin.dashboard.by_status"), d.ByStatus, status),
			barChart("category", pg.T("admin.dashboard.by_category"), d.ByCategory, plain),
			barChart("workplace", pg.T("admin.dashboard.by_workplace"), d.ByWorkplace, plain),
			barChart("month", pg.T("admin.dashboard.by_month"), d.ByMonth, plain),
			barChart("channel", pg.T("intake.by_channel"), d.ByChannel, func(r cases.Count) string { return pg.T("intake.channel." + r.Key) }),
		},
		Rated: []ratedTable{
			newRatedTable("sat-category", pg.T("dashboard.satisfaction_by_category"), "admin.dashboard.none", d.SatisfactionByCategory),
			newRatedTable("sat-officer", pg.T("dashboard.satisfaction_by_officer"), "dashboard.unassigned", d.SatisfactionByOfficer),
		},
		Hours: func(h *float64) string {
			if h == nil {
				return "—"
			}
			return fmt.Sprintf("%.1f", *h)
		},
		Pct: func(r cases.Ratio) string {
			if r.Den == 0 {
				return "—"
			}
			return fmt.Sprintf("%.0f%% (%d/%d)", 100*r.Share(), r.Num, r.Den)
		},
	}
	return s.render(c, fiber.StatusOK, "admin_dashboard", pg)
}

// calendarWarning tells the union's admins, in the page's language, that
// the movable-holiday data of the SLA calendar ends within
// workday.WarnBefore, or has ended and deadlines are being counted without
// those holidays (suara doctor says the same to the operator); "" while
// it runs far enough. It reads the case service's clock, which tests set.
func (s *Server) calendarWarning(pg *Page) string {
	cal := s.cases.Calendar
	if cal == nil {
		return ""
	}
	now := s.cases.Now()
	if !cal.EndsWithin(now, workday.WarnBefore) {
		return ""
	}
	end := cal.DataEnd()
	if end.IsZero() {
		return pg.T("admin.dashboard.calendar_ended", "End", "—")
	}
	if !now.Before(end.AddDate(0, 0, 1)) { // past its last day
		return pg.T("admin.dashboard.calendar_ended", "End", end.Format(time.DateOnly))
	}
	return pg.T("admin.dashboard.calendar_ending", "End", end.Format(time.DateOnly))
}
