package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/tenant"
)

// adminID parses the :id of an admin route. A malformed id is refused as
// the admin service would refuse the caller for act on obj (403) before it
// is an unknown id (404): the role first, then the id.
func (s *Server) adminID(c *fiber.Ctx, t *tenant.Tenant, p *auth.Principal, obj, act string) (uuid.UUID, error) {
	id, err := pathID(c, "id")
	if err != nil {
		if merr := s.admin.May(c.UserContext(), t, p, obj, act); merr != nil {
			return uuid.Nil, merr
		}
	}
	return id, err
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
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	evs, err := s.admin.AdminEvents(c.UserContext(), t, p, c.QueryInt("limit", 100))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"events": evs})
}

// adminIndex sends /admin to the categories page.
func (s *Server) adminIndex(c *fiber.Ctx) error {
	return c.Redirect("/admin/categories", fiber.StatusSeeOther)
}
