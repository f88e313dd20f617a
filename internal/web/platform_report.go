package web

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/apperr"
)

// Monthly reports (issue 8): stored by the periodic job on the 1st of each
// month or generated on demand here, listed in the console, downloaded as a
// printable HTML document in either language. A report holds only
// published cells (see internal/analytics/report.go).

// reportMonth reads the :month parameter (YYYY-MM); anything else is not a
// report.
func reportMonth(c *fiber.Ctx) (analytics.Month, error) {
	m, ok := analytics.ParseMonth(c.Params("month"))
	if !ok {
		return analytics.Month{}, fiber.ErrNotFound
	}
	return m, nil
}

func (s *Server) apiReports(c *fiber.Ctx) error {
	p, err := s.requireAnalyst(c)
	if err != nil {
		return err
	}
	list, err := s.analytics.Reports(c.UserContext(), p)
	if err != nil {
		return err
	}
	out := make([]fiber.Map, 0, len(list))
	for _, r := range list {
		out = append(out, fiber.Map{"month": r.Month.String(), "generated_at": r.GeneratedAt.UTC().Format(time.RFC3339),
			"sectors": r.Sectors, "url": "/console/reports/" + r.Month.String()})
	}
	return c.JSON(fiber.Map{"reports": out})
}

func (s *Server) apiReport(c *fiber.Ctx) error {
	p, err := s.requireAnalyst(c)
	if err != nil {
		return err
	}
	m, err := reportMonth(c)
	if err != nil {
		return err
	}
	rep, err := s.analytics.Report(c.UserContext(), p, m)
	if err != nil {
		return err
	}
	table := func(t analytics.ReportTable) fiber.Map {
		res := &analytics.Result{Query: analytics.Query{By: t.By, Measures: t.Measures}, Rows: t.Rows}
		return fiber.Map{"by": consoleNonNil(t.By), "measures": t.Measures, "rows": aggregatesJSON(res)["rows"]}
	}
	sectors := make([]fiber.Map, 0, len(rep.Sectors))
	for _, sec := range rep.Sectors {
		sectors = append(sectors, fiber.Map{"sector": sec.Sector, "summary": table(sec.Summary), "trend": table(sec.Trend),
			"unions": table(sec.Unions), "categories": table(sec.Categories),
			"gender": table(sec.Gender), "employment": table(sec.Employment), "remedy": table(sec.Remedy), "ladder": table(sec.Ladder)})
	}
	return c.JSON(fiber.Map{"month": rep.Month.String(), "generated_at": rep.GeneratedAt.UTC().Format(time.RFC3339), "k": rep.K, "sectors": sectors})
}

type consoleReportRow struct {
	Month, Generated string
	Sectors          int
}

func (s *Server) consoleReportsPage(c *fiber.Ctx) error {
	if ok, err := s.consolePage(c); !ok {
		return err
	}
	return s.renderReports(c, fiber.StatusOK, "")
}

func (s *Server) renderReports(c *fiber.Ctx, status int, formErr string) error {
	p := s.page(c, "console.reports")
	list, err := s.analytics.Reports(c.UserContext(), principal(c))
	if err != nil {
		return err
	}
	rows := make([]consoleReportRow, 0, len(list))
	for _, r := range list {
		rows = append(rows, consoleReportRow{Month: r.Month.String(), Generated: r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"), Sectors: r.Sectors})
	}
	p.Data = map[string]any{"Reports": rows, "Month": analytics.ReportMonthFor(time.Now()).String(), "Error": formErr, "K": s.analytics.K()}
	return s.render(c, status, "platform_reports", p)
}

// consoleGenerateReport generates (or regenerates) a month's report on
// demand and shows it.
func (s *Server) consoleGenerateReport(c *fiber.Ctx) error {
	if ok, err := s.consolePage(c); !ok {
		return err
	}
	m, ok := analytics.ParseMonth(strings.TrimSpace(c.FormValue("month")))
	if !ok || m.Date().After(time.Now()) {
		p := s.page(c, "")
		return s.renderReports(c, fiber.StatusUnprocessableEntity, p.T("console.report_bad_month"))
	}
	if _, err := s.analytics.GenerateReport(c.UserContext(), principal(c), m); err != nil {
		return err
	}
	return c.Redirect("/console/reports/"+m.String(), fiber.StatusSeeOther)
}

// consoleReportDoc is the printable document: standalone HTML (no console
// chrome), in the reader's language or ?lang=; ?download=1 saves it.
func (s *Server) consoleReportDoc(c *fiber.Ctx) error {
	if ok, err := s.consolePage(c); !ok {
		return err
	}
	m, err := reportMonth(c)
	if err != nil {
		return err
	}
	rep, err := s.analytics.Report(c.UserContext(), principal(c), m)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return fiber.ErrNotFound
		}
		return err
	}
	p := s.page(c, "console.report_title")
	type section struct {
		Sector                             string
		Summary, Trend, Unions, Category   consoleTable
		Gender, Employment, Remedy, Ladder consoleTable
	}
	sections := make([]section, 0, len(rep.Sectors))
	tbl := func(t analytics.ReportTable) consoleTable {
		return consoleResultTable(p, &analytics.Result{Query: analytics.Query{By: t.By, Measures: t.Measures}, Rows: t.Rows})
	}
	for _, sec := range rep.Sectors {
		name := sec.Sector
		if name == "" {
			name = p.T("console.report_unknown_sector")
		}
		sections = append(sections, section{Sector: name, Summary: tbl(sec.Summary), Trend: tbl(sec.Trend),
			Unions: tbl(sec.Unions), Category: tbl(sec.Categories),
			Gender: tbl(sec.Gender), Employment: tbl(sec.Employment), Remedy: tbl(sec.Remedy), Ladder: tbl(sec.Ladder)})
	}
	p.Data = map[string]any{"Month": rep.Month.String(), "Generated": rep.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"),
		"K": rep.K, "Sections": sections}
	t := p.Theme.pages["platform_report"]
	if t == nil {
		return fmt.Errorf("no template platform_report")
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "report_doc", p); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	c.Type("html", "utf-8")
	if c.Query("download") != "" {
		c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="suara-report-%s-%s.html"`, rep.Month, p.Locale))
	}
	return c.Send(buf.Bytes())
}
