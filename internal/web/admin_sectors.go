package web

import (
	"io/fs"
	"os"
	"slices"

	"github.com/gofiber/fiber/v2"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/tenant"
)

// templates loads the sector templates once per call: they are small, and
// reading them per request keeps the server free of another cache.
func (s *Server) templates() (*tenant.Bundle, error) {
	var fsys fs.FS = suara.TenantsFS
	dir := "tenants"
	if s.cfg.Paths.Tenants != "" {
		fsys, dir = os.DirFS(s.cfg.Paths.Tenants), "."
	}
	return tenant.LoadBundle(fsys, dir)
}

func (s *Server) apiApplySector(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var body struct {
		Sector string `json:"sector"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	b, err := s.templates()
	if err != nil {
		return err
	}
	rep, err := s.admin.ApplySector(c.UserContext(), b, t, p, body.Sector)
	if err != nil {
		return err
	}
	s.refreshTenants(c, rep)
	return c.JSON(rep)
}

// refreshTenants reloads the tenant map when a sector joined, so the
// filing form offers it at once.
func (s *Server) refreshTenants(c *fiber.Ctx, rep tenant.SectorReport) {
	if !rep.SectorAdded {
		return
	}
	if err := s.resolver.Refresh(c.UserContext()); err != nil {
		s.log.Warn("refresh tenants after sector", "err", err)
	}
}

// sectorRow is a template on the page.
type sectorRow struct {
	Sector, Name string
	Has          bool
}

func (s *Server) sectorsPage(c *fiber.Ctx) error {
	return s.renderSectors(c, nil, fiber.StatusOK)
}

func (s *Server) renderSectors(c *fiber.Ctx, rep *tenant.SectorReport, status int) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	if err := s.admin.MayApplySector(c.UserContext(), t, p); err != nil {
		return err
	}
	b, err := s.templates()
	if err != nil {
		return err
	}
	pg := s.page(c, "sectors.title")
	var rows []sectorRow
	for _, tm := range b.SectorTemplates() {
		name := tm.Name.ID
		if pg.Locale == "en" && tm.Name.EN != "" {
			name = tm.Name.EN
		}
		rows = append(rows, sectorRow{Sector: tm.Sector, Name: name, Has: slices.Contains(t.Sectors, tm.Sector)})
	}
	pg.Data = map[string]any{"Rows": rows, "Report": rep}
	return s.render(c, status, "admin_sectors", pg)
}

func (s *Server) sectorsSubmit(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	b, err := s.templates()
	if err != nil {
		return err
	}
	rep, err := s.admin.ApplySector(c.UserContext(), b, t, p, c.FormValue("sector"))
	if err != nil {
		return err
	}
	s.refreshTenants(c, rep)
	if rep.SectorAdded {
		// The tenant in this request predates the change: show the new list.
		if nt := s.resolver.BySlug(t.Slug); nt != nil {
			reqCtx(c).Tenant = nt
		}
	}
	return s.renderSectors(c, &rep, fiber.StatusOK)
}
