package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/tenant"
)

// orgRow is a branch on the page, indented by its depth.
type orgRow struct {
	tenant.Branch
	Depth int
}

type orgData struct {
	Branches   []orgRow
	Open       []tenant.Branch // branches a branch may move under or be created in
	Workplaces []tenant.Workplace
	Levels     []string
	Sectors    []string
	Form       *form
	Notice     string
}

func (s *Server) orgPage(c *fiber.Ctx) error {
	return s.renderOrg(c, nil, c.Query("saved") == "1", fiber.StatusOK)
}

func (s *Server) renderOrg(c *fiber.Ctx, f *form, saved bool, status int) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	bs, err := s.admin.Branches(ctx, t, p)
	if err != nil {
		return err
	}
	ws, err := s.admin.AdminWorkplaces(ctx, t, p)
	if err != nil {
		return err
	}
	pg := s.page(c, "org.title")
	d := orgData{Workplaces: ws, Levels: []string{"national", "province", "city", "unit"}, Sectors: t.Sectors, Form: f}
	if f == nil {
		d.Form = &form{Errors: map[string]string{}}
	}
	for _, b := range bs {
		d.Branches = append(d.Branches, orgRow{Branch: b, Depth: strings.Count(b.Path, "/")})
		if b.ClosedAt == nil {
			d.Open = append(d.Open, b)
		}
	}
	if saved {
		d.Notice = pg.T("admin.saved")
	}
	pg.Data = d
	return s.render(c, status, "admin_org", pg)
}

// orgDone redirects after a change, or shows the page again with why not.
func (s *Server) orgDone(c *fiber.Ctx, err error) error {
	if err == nil {
		return c.Redirect("/admin/org?saved=1", fiber.StatusSeeOther)
	}
	f, status, ferr := s.formFailure(c, err, nil)
	if ferr != nil {
		return ferr
	}
	return s.renderOrg(c, f, false, status)
}

func (s *Server) orgBranchCreate(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var in tenant.BranchInput
	if err := c.BodyParser(&in); err != nil {
		return s.orgDone(c, apperr.Invalid("name", "error.invalid"))
	}
	_, err = s.admin.CreateBranch(c.UserContext(), t, p, in)
	return s.orgDone(c, err)
}

func (s *Server) orgBranchAction(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := s.adminID(c, t, p, "branch", "update")
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	switch c.Params("action") {
	case "rename":
		err = s.admin.RenameBranch(ctx, t, p, id, c.FormValue("name"))
	case "move":
		parent, perr := uuid.Parse(c.FormValue("parent_id"))
		if perr != nil {
			return s.orgDone(c, apperr.Invalid("parent_id", "error.invalid"))
		}
		if _, err = s.admin.MoveBranch(ctx, t, p, id, parent); err == nil {
			s.authz.Invalidate(t.ID)
		}
	case "close":
		if err = s.admin.CloseBranch(ctx, t, p, id); err == nil {
			s.authz.Invalidate(t.ID)
		}
	default:
		return fiber.ErrNotFound
	}
	return s.orgDone(c, err)
}

func (s *Server) orgWorkplaceCreate(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	in := tenant.WorkplaceInput{Company: c.FormValue("company"), Name: c.FormValue("name"), Sector: c.FormValue("sector"),
		Province: c.FormValue("province"), District: c.FormValue("district"), Estate: c.FormValue("estate"),
		Afdeling: c.FormValue("afdeling")}
	if v := strings.TrimSpace(c.FormValue("headcount")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return s.orgDone(c, apperr.Invalid("headcount", "error.invalid"))
		}
		in.Headcount = &n
	}
	_, err = s.admin.CreateWorkplace(c.UserContext(), t, p, in)
	return s.orgDone(c, err)
}

func (s *Server) orgWorkplaceMerge(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := s.adminID(c, t, p, "workplace", "merge")
	if err != nil {
		return err
	}
	into, err := uuid.Parse(c.FormValue("into"))
	if err != nil {
		return s.orgDone(c, apperr.Invalid("into", "error.invalid"))
	}
	_, err = s.cases.MergeWorkplaces(c.UserContext(), t, p, id, into)
	return s.orgDone(c, err)
}
