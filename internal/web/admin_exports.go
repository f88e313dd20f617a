package web

import (
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
)

// exportCasesCSV answers the CSV of the cases the signed-in admin may
// export, optionally narrowed to ?branch_id=.
func (s *Server) exportCasesCSV(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var branch *uuid.UUID
	if v := c.Query("branch_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return apperr.Invalid("branch_id", "error.invalid")
		}
		branch = &id
	}
	res, err := s.cases.ExportCases(c.UserContext(), t.ID, p, branch)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-cases-%s.csv"`, t.Slug, s.cases.Now().UTC().Format("20060102")))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(res.CSV)
}

// casePacket renders a case's redacted packet as a printable page.
func (s *Server) casePacket(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireTenantStaff)
	if err != nil {
		return err
	}
	pg := s.page(c, "export.packet_title")
	pk, err := s.cases.ExportPacket(c.UserContext(), t.ID, p, id, pg.Locale)
	if err != nil {
		return err
	}
	pg.Data = pk
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, fiber.StatusOK, "case_packet", pg)
}

// shareConsentJSON is the reporter's answer on the API.
type shareConsentJSON struct {
	ShareIdentity *bool `json:"share_identity"`
}

func (s *Server) apiShareConsent(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireSignedIn)
	if err != nil {
		return err
	}
	var in shareConsentJSON
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	if in.ShareIdentity == nil {
		return apperr.Invalid("share_identity", "error.required")
	}
	if err := s.cases.SetShareConsent(c.UserContext(), t.ID, p, id, *in.ShareIdentity); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"share_identity": *in.ShareIdentity})
}

// shareConsentSubmit is the case page's consent form.
func (s *Server) shareConsentSubmit(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireSignedIn)
	if err != nil {
		return err
	}
	var share bool
	switch c.FormValue("share_identity") {
	case "yes":
		share = true
	case "no":
	default:
		return apperr.Invalid("share_identity", "error.invalid")
	}
	if err := s.cases.SetShareConsent(c.UserContext(), t.ID, p, id, share); err != nil {
		return err
	}
	return c.Redirect("/cases/"+id.String(), fiber.StatusSeeOther)
}
