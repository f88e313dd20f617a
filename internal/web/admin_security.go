package web

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
)

// The page where a federation admin chooses whether the union's staff must
// enrol in two-step verification before they act (auth.SetStaff2FA:
// tenant_security update), and the same choice under /api/v1/admin.

// fieldStaff2FA is the page's box: ticked, staff must enrol.
const fieldStaff2FA = "require_staff_2fa"

type securityData struct {
	auth.Staff2FA
	Errors map[string]string
	Error  string
	Saved  bool
}

func (s *Server) securityPage(c *fiber.Ctx) error {
	return s.renderSecurity(c, fiber.StatusOK, nil, nil)
}

// renderSecurity shows the stored rule or, after a refused post, f's
// reasons with the box as it was sent.
func (s *Server) renderSecurity(c *fiber.Ctx, status int, f *form, sent *bool) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	cur, err := s.auth.Staff2FASetting(c.UserContext(), p, t)
	if err != nil {
		return err
	}
	if sent != nil {
		cur.Required = *sent
	}
	d := securityData{Staff2FA: cur, Errors: map[string]string{}, Saved: c.Query("saved") == "1"}
	if f != nil {
		d.Errors, d.Error, d.Saved = f.Errors, f.Error, false
	}
	pg := s.page(c, "admin.security.title")
	pg.Data = d
	return s.render(c, status, "admin_security", pg)
}

func (s *Server) securitySave(c *fiber.Ctx) error {
	if _, err := tenantOnly(c); err != nil {
		return err
	}
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	var ve apperr.Validation
	on := formBox(c, fieldStaff2FA, &ve)
	err = ve.Err()
	if err == nil {
		err = s.setStaff2FA(c, p, on)
	}
	return s.settingsFormDone(c, "/admin/security?saved=1", err, func(f *form, status int) error {
		return s.renderSecurity(c, status, f, &on)
	})
}

// setStaff2FA stores the choice and refreshes this process's copy of the
// union, so that the next login here follows it at once (other processes
// at their next refresh; open sessions follow at once, auth.SetStaff2FA).
func (s *Server) setStaff2FA(c *fiber.Ctx, p *auth.Principal, on bool) error {
	t := reqCtx(c).Tenant
	if err := s.auth.SetStaff2FA(c.UserContext(), p, t, on); err != nil {
		return err
	}
	return s.resolver.Refresh(c.UserContext())
}

func (s *Server) apiStaff2FA(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	cur, err := s.auth.Staff2FASetting(c.UserContext(), p, t)
	if err != nil {
		return err
	}
	return c.JSON(cur)
}

func (s *Server) apiSetStaff2FA(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var body struct {
		Required json.RawMessage `json:"required"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	var ve apperr.Validation
	on := jsonFlag(body.Required, "required", &ve)
	if err := ve.Err(); err != nil {
		return err
	}
	if err := s.setStaff2FA(c, p, on); err != nil {
		return err
	}
	cur, err := s.auth.Staff2FASetting(c.UserContext(), p, t)
	if err != nil {
		return err
	}
	return c.JSON(cur)
}

// formStaff2FAChoice reads the console's choice for a new union's staff:
// "" the platform's default (nil), "on" required, "off" not; anything else
// is refused on the field.
func formStaff2FAChoice(c *fiber.Ctx) (*bool, error) {
	yes, no := true, false
	switch c.FormValue("staff_2fa") {
	case "":
		return nil, nil
	case "on":
		return &yes, nil
	case "off":
		return &no, nil
	}
	return nil, apperr.Invalid("staff_2fa", "error.invalid_choice")
}
