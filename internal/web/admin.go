package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/tenant"
)

// tenantAdmin returns the tenant and the signed-in staff member when they
// may do act on obj tenant-wide (at the root branch, whose path is the
// tenant's slug).
func (s *Server) tenantAdmin(c *fiber.Ctx, obj, act string) (*tenant.Tenant, *auth.Principal, error) {
	t, err := tenantOnly(c)
	if err != nil {
		return nil, nil, err
	}
	p, err := requireTenantStaff(c)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authz.Check(c.UserContext(), p, t.Slug, obj, act); err != nil {
		return nil, nil, err
	}
	return t, p, nil
}

// pathID parses a uuid route parameter; a malformed id is a 404 like an
// unknown one.
func pathID(c *fiber.Ctx, param string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params(param))
	if err != nil {
		return uuid.Nil, apperr.ErrNotFound
	}
	return id, nil
}

func (s *Server) apiAdminEvents(c *fiber.Ctx) error {
	t, _, err := s.tenantAdmin(c, "tenant_settings", "read")
	if err != nil {
		return err
	}
	evs, err := s.admin.AdminEvents(c.UserContext(), t.ID, c.QueryInt("limit", 100))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"events": evs})
}

// adminIndex sends /admin to the categories page.
func (s *Server) adminIndex(c *fiber.Ctx) error {
	return c.Redirect("/admin/categories", fiber.StatusSeeOther)
}
