package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
)

func (s *Server) apiExportMe(c *fiber.Ctx) error {
	if _, err := tenantOnly(c); err != nil || s.privacy == nil {
		return fiber.ErrNotFound
	}
	p, err := requireSignedIn(c)
	if err != nil {
		return err
	}
	exp, err := s.privacy.Export(c.UserContext(), p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="suara-data.json"`)
	return c.JSON(exp)
}

// apiDeleteMe records the request; the privacy job carries it out within
// 72 hours. The body must be {"confirm": true}: a stray POST must not start
// erasing someone.
func (s *Server) apiDeleteMe(c *fiber.Ctx) error {
	if _, err := tenantOnly(c); err != nil || s.privacy == nil {
		return fiber.ErrNotFound
	}
	p, err := requireSignedIn(c)
	if err != nil {
		return err
	}
	var body struct {
		Confirm bool `json:"confirm"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	if !body.Confirm {
		return apperr.Invalid("confirm", "error.required")
	}
	r, err := s.privacy.RequestDeletion(c.UserContext(), p)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"deletion_request": r})
}
