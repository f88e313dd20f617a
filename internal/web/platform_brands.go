package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/analytics"
)

// The platform's view by brand (issue 22): the ILO cube grouped by buyer
// brand, through the explorer's logged and disclosure-controlled path.
func brandViewInput(c *fiber.Ctx) analytics.BrandViewInput {
	return analytics.BrandViewInput{From: strings.Clone(c.Query("from")), To: strings.Clone(c.Query("to")),
		By: strings.Clone(c.Query("by")), Sector: strings.Clone(c.Query("sector"))}
}

func (s *Server) apiPlatformBrands(c *fiber.Ctx) error {
	if _, err := s.requireAnalyst(c); err != nil {
		return err
	}
	q, err := analytics.BrandViewQuery(brandViewInput(c), time.Now())
	if err != nil {
		return err
	}
	res, err := s.explore(c, analytics.SurfaceAPI, q)
	if err != nil {
		return err
	}
	return c.JSON(aggregatesJSON(res))
}

func (s *Server) consoleBrandsPage(c *fiber.Ctx) error {
	if ok, err := s.consolePage(c); !ok {
		return err
	}
	p := s.page(c, "brands.console_title")
	in := brandViewInput(c)
	q, qerr := analytics.BrandViewQuery(in, time.Now())
	data := map[string]any{"By": in.By, "Sector": in.Sector, "K": s.analytics.K(),
		"Dims": s.options(p, "console.dim.", analytics.BrandViewDims, []string{in.By})}
	var qp *analytics.Query
	if qerr == nil {
		qp = &q
		res, err := s.explore(c, analytics.SurfaceConsole, q)
		if err != nil {
			qerr = err
		} else {
			data["Table"] = consoleResultTable(p, res)
		}
	}
	f, status, err := s.consoleForm(c, p, analytics.QueryInput{From: in.From, To: in.To}, qp, qerr)
	if err != nil {
		return err
	}
	data["Form"] = f
	p.Data = data
	return s.render(c, status, "console_brands", p)
}
