package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/cases"
)

func (s *Server) apiRecommendations(c *fiber.Ctx) error {
	p, id, err := staffCaseOf(c)
	if err != nil {
		return err
	}
	rec, err := s.cases.Recommendations(c.UserContext(), p.TenantID, p, id, reqCtx(c).Locale)
	if err != nil {
		return err
	}
	return c.JSON(rec)
}

func (s *Server) apiSuggestion(c *fiber.Ctx) error {
	p, id, err := staffCaseOf(c)
	if err != nil {
		return err
	}
	sg, err := s.cases.LatestSuggestion(c.UserContext(), p.TenantID, p, id)
	if err != nil {
		return err
	}
	return c.JSON(sg)
}

func (s *Server) apiDecideSuggestion(c *fiber.Ctx) error {
	p, id, err := staffCaseOf(c)
	if err != nil {
		return err
	}
	var d cases.Decision
	if err := parseJSON(c, &d); err != nil {
		return err
	}
	sg, err := s.cases.DecideSuggestion(c.UserContext(), p.TenantID, p, id, d)
	if err != nil {
		return err
	}
	return c.JSON(sg)
}

func (s *Server) apiAcceptance(c *fiber.Ctx) error {
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	if err := s.authz.Check(c.UserContext(), p, reqCtx(c).Tenant.Slug, "report", "read"); err != nil {
		return err
	}
	rates, err := s.cases.AcceptanceRates(c.UserContext(), p.TenantID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"acceptance": rates})
}
