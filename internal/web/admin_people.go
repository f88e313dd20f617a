package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/tenant"
)

// workerFilter reads ?member=true|false, ?limit and ?offset.
func workerFilter(c *fiber.Ctx) tenant.WorkerFilter {
	f := tenant.WorkerFilter{Limit: c.QueryInt("limit", 100), Offset: c.QueryInt("offset", 0)}
	switch c.Query("member") {
	case "true", "1":
		b := true
		f.Member = &b
	case "false", "0":
		b := false
		f.Member = &b
	}
	return f
}

func (s *Server) apiAdminWorkers(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	rows, total, err := s.admin.Workers(c.UserContext(), t, p, workerFilter(c))
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []tenant.WorkerRow{}
	}
	return c.JSON(fiber.Map{"workers": rows, "total": total})
}

type peopleData struct {
	Staff   []auth.StaffMember
	Workers []tenant.WorkerRow
	Total   int
	Member  string
	Saved   bool
}

// adminPeoplePage shows the staff the admin may manage (with reset-2FA and
// revoke-sessions buttons) and the worker accounts with member status.
func (s *Server) adminPeoplePage(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	staff, err := s.auth.Staff(ctx, p)
	if err != nil {
		return err
	}
	workers, total, err := s.admin.Workers(ctx, t, p, workerFilter(c))
	if err != nil {
		return err
	}
	pg := s.page(c, "admin.people.title")
	pg.Data = peopleData{Staff: staff, Workers: workers, Total: total, Member: c.Query("member"), Saved: c.Query("saved") != ""}
	return s.render(c, fiber.StatusOK, "admin_people", pg)
}

// adminPersonAction runs an account action from the people page; the
// auth service checks the admin's right over that account.
func (s *Server) adminPersonAction(fn func(*Server, *fiber.Ctx, *auth.Principal) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if _, err := tenantOnly(c); err != nil {
			return err
		}
		p, err := requireTenantStaff(c)
		if err != nil {
			return err
		}
		if err := fn(s, c, p); err != nil {
			return err
		}
		return c.Redirect("/admin/people?saved=1", fiber.StatusSeeOther)
	}
}

// adminResetTwoFactor clears a person's second factor (people page).
func adminResetTwoFactor(s *Server, c *fiber.Ctx, p *auth.Principal) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.auth.ResetTOTP(c.UserContext(), p, id)
}

// adminRevokeTokens signs a person out everywhere (people page).
func adminRevokeTokens(s *Server, c *fiber.Ctx, p *auth.Principal) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.auth.RevokeUserTokens(c.UserContext(), p, id)
}
