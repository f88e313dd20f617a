package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/tenant"
)

// branchJSON is a branch on the admin API.
type branchJSON struct {
	ID          uuid.UUID  `json:"id"`
	ParentID    *uuid.UUID `json:"parent_id"`
	Slug        string     `json:"slug"`
	Path        string     `json:"path"`
	Name        string     `json:"name"`
	Level       string     `json:"level"`
	WorkplaceID *uuid.UUID `json:"workplace_id"`
	ClosedAt    *time.Time `json:"closed_at"`
}

func branchOut(b *tenant.Branch) branchJSON {
	return branchJSON{ID: b.ID, ParentID: b.ParentID, Slug: b.Slug, Path: b.Path, Name: b.Name, Level: b.Level,
		WorkplaceID: b.WorkplaceID, ClosedAt: b.ClosedAt}
}

// workplaceJSON is a workplace on the admin API.
type workplaceJSON struct {
	ID         uuid.UUID `json:"id"`
	Slug       string    `json:"slug"`
	Company    string    `json:"company"`
	Name       string    `json:"name"`
	Sector     string    `json:"sector"`
	Province   string    `json:"province"`
	District   string    `json:"district"`
	Estate     string    `json:"estate"`
	Afdeling   string    `json:"afdeling"`
	Headcount  *int      `json:"headcount"`
	Unverified bool      `json:"unverified"`
}

func workplaceOut(w *tenant.Workplace) workplaceJSON {
	return workplaceJSON{ID: w.ID, Slug: w.Slug, Company: w.Company, Name: w.Name, Sector: w.Sector, Province: w.Province,
		District: w.District, Estate: w.Estate, Afdeling: w.Afdeling, Headcount: w.Headcount, Unverified: w.Unverified}
}

func (s *Server) apiAdminBranches(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	bs, err := s.admin.Branches(c.UserContext(), t, p)
	if err != nil {
		return err
	}
	out := make([]branchJSON, len(bs))
	for i := range bs {
		out[i] = branchOut(&bs[i])
	}
	return c.JSON(fiber.Map{"branches": out})
}

func (s *Server) apiCreateBranch(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var in tenant.BranchInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	b, err := s.admin.CreateBranch(c.UserContext(), t, p, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(branchOut(b))
}

func (s *Server) apiRenameBranch(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := s.adminID(c, t, p, "branch", "update")
	if err != nil {
		return err
	}
	var body struct {
		Name string `json:"name"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	if err := s.admin.RenameBranch(c.UserContext(), t, p, id, body.Name); err != nil {
		return err
	}
	b, err := s.admin.Branch(c.UserContext(), t, p, id)
	if err != nil {
		return err
	}
	return c.JSON(branchOut(b))
}

func (s *Server) apiMoveBranch(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := s.adminID(c, t, p, "branch", "update")
	if err != nil {
		return err
	}
	var body struct {
		ParentID string `json:"parent_id"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	parent, err := uuid.Parse(body.ParentID)
	if err != nil {
		return apperr.Invalid("parent_id", "error.invalid")
	}
	b, err := s.admin.MoveBranch(c.UserContext(), t, p, id, parent)
	if err != nil {
		return err
	}
	// Role assignments are held at paths: reload this tenant's.
	s.authz.Invalidate(t.ID)
	return c.JSON(branchOut(b))
}

func (s *Server) apiCloseBranch(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := s.adminID(c, t, p, "branch", "update")
	if err != nil {
		return err
	}
	if err := s.admin.CloseBranch(c.UserContext(), t, p, id); err != nil {
		return err
	}
	s.authz.Invalidate(t.ID)
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiAdminWorkplaces(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	ws, err := s.admin.AdminWorkplaces(c.UserContext(), t, p)
	if err != nil {
		return err
	}
	out := make([]workplaceJSON, len(ws))
	for i := range ws {
		out[i] = workplaceOut(&ws[i])
	}
	return c.JSON(fiber.Map{"workplaces": out})
}

func (s *Server) apiCreateWorkplace(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var in tenant.WorkplaceInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	w, err := s.admin.CreateWorkplace(c.UserContext(), t, p, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(workplaceOut(w))
}

func (s *Server) apiMergeWorkplace(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := s.adminID(c, t, p, "workplace", "merge")
	if err != nil {
		return err
	}
	var body struct {
		Into string `json:"into"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	into, err := uuid.Parse(body.Into)
	if err != nil {
		return apperr.Invalid("into", "error.invalid")
	}
	moved, err := s.cases.MergeWorkplaces(c.UserContext(), t, p, id, into)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"moved": moved})
}
