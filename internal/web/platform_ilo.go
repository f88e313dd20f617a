package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/apperr"
)

// queryLogParams reads ?analyst=UUID&before=ID&limit=N.
func queryLogParams(c *fiber.Ctx) (uuid.UUID, int64, int, error) {
	v := &apperr.Validation{}
	var analyst uuid.UUID
	if a := c.Query("analyst"); a != "" {
		id, err := uuid.Parse(a)
		if err != nil {
			v.Add("analyst", "error.invalid")
		}
		analyst = id
	}
	var before int64
	if b := c.Query("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 1 {
			v.Add("before", "error.invalid")
		}
		before = n
	}
	limit := 100
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			v.Add("limit", "error.invalid")
		}
		limit = n
	}
	return analyst, before, limit, v.Err()
}

func (s *Server) apiQueryLog(c *fiber.Ctx) error {
	if s.analytics == nil {
		return fiber.ErrNotFound
	}
	p, err := platformSignedIn(c)
	if err != nil {
		return err
	}
	analyst, before, limit, err := queryLogParams(c)
	if err != nil {
		return err
	}
	log, err := s.analytics.QueryLog(c.UserContext(), p, analyst, before, limit)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"queries": log})
}

func (s *Server) consoleQueryLogPage(c *fiber.Ctx) error {
	if s.analytics == nil {
		return fiber.ErrNotFound
	}
	pr, err := platformSignedIn(c)
	if err != nil {
		return consoleRedirect(c, err)
	}
	analyst, before, limit, err := queryLogParams(c)
	if err != nil {
		return err
	}
	log, err := s.analytics.QueryLog(c.UserContext(), pr, analyst, before, limit)
	if err != nil {
		return err
	}
	p := s.page(c, "console.query_log")
	type row struct{ At, Analyst, Surface, Query, Rows string }
	rows := make([]row, 0, len(log))
	for _, l := range log {
		rows = append(rows, row{At: l.At.Format("2006-01-02 15:04:05 UTC"), Analyst: l.Analyst + " (" + l.AnalystID.String()[:8] + ")",
			Surface: l.Surface, Query: string(l.Query), Rows: strconv.Itoa(l.Rows)})
	}
	data := map[string]any{"Rows": rows}
	if len(log) == limit {
		data["Older"] = "/console/query-log?before=" + strconv.FormatInt(log[len(log)-1].ID, 10)
		if analyst != uuid.Nil {
			data["Older"] = data["Older"].(string) + "&analyst=" + analyst.String()
		}
	}
	p.Data = data
	return s.render(c, fiber.StatusOK, "platform_query_log", p)
}

// consoleTerm is a dimension or measure with what it means, for the
// explorer's glossary.
type consoleTerm struct{ Name, Label, Description string }

// consoleGlossary describes every dimension and measure (console.describe.*).
func consoleGlossary(p *Page) map[string][]consoleTerm {
	out := map[string][]consoleTerm{}
	for _, d := range analytics.Dimensions {
		out["Dimensions"] = append(out["Dimensions"], consoleTerm{Name: d, Label: p.T("console.dim." + d), Description: p.T("console.describe." + d)})
	}
	for _, m := range analytics.Measures {
		out["Measures"] = append(out["Measures"], consoleTerm{Name: m, Label: p.T("console.measure." + m), Description: p.T("console.describe." + m)})
	}
	return out
}
