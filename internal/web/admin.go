package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/tenant"
)

// adminRoutes registers tenant administration: categories (API and pages)
// and the admin audit log. Every route authorises against the tenant's
// root branch, where federation admins hold their role.
func (s *Server) adminRoutes() {
	s.admin = tenant.NewAdmin(s.db)
	api := s.app.Group("/api/v1/admin")
	api.Get("/events", s.apiAdminEvents)
	api.Get("/categories", s.apiAdminCategories)
	api.Post("/categories", s.apiCreateCategory)
	api.Post("/categories/reorder", s.apiReorderCategories)
	api.Get("/categories/:id", s.apiAdminCategory)
	api.Patch("/categories/:id", s.apiUpdateCategory)
	api.Delete("/categories/:id", s.apiDeleteCategory)
	api.Post("/categories/:id/hide", s.apiSetCategoryActive(false))
	api.Post("/categories/:id/show", s.apiSetCategoryActive(true))
	api.Post("/categories/:id/merge", s.apiMergeCategory)
	s.orgRoutes(api)
	s.peopleRoutes(api)
	s.dashboardRoutes(api)
	s.exportRoutes()
	s.brandingRoutes()
	s.sectorRoutes(api)
	s.orgPageRoutes()
	s.handlingSettingsRoutes(api)
	s.sharingRoutes(api)
	s.securityRoutes(api)
	s.teamRoutes()

	s.app.Get("/admin", func(c *fiber.Ctx) error { return c.Redirect("/admin/categories", fiber.StatusSeeOther) })
	s.app.Get("/admin/categories", s.adminCategoriesPage)
	s.app.Post("/admin/categories", s.adminCategoryCreate)
	s.app.Get("/admin/categories/:id", s.adminCategoryPage)
	s.app.Post("/admin/categories/:id", s.adminCategoryUpdate)
	s.app.Post("/admin/categories/:id/:action", s.adminCategoryAction)
}

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
