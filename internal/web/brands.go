package web

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/brands"
	"github.com/suara-id/suara/internal/cases"
)

// Brand and certification views (issue 22): the union's brand directory
// (brand read to see, brand update to change; a workplace's context needs
// workplace update), the union's choice to share redacted packets with
// its brands (tenant_settings update, federation admins), the reporter's
// consent on their case, the links staff make for a brand (case export at
// the case's branch) and the packet a brand opens by its link. Routes in
// routes.go.

// A change to the directory has one handler for its API route and its
// page route: it reads the same input from a JSON body or a form (the
// inputs carry both tags), calls brands.Service, which checks the caller,
// and answers as the route asks (brandsAnswer).

// jsonOrFormBody reads a change from a JSON body (API) or a form (pages):
// the brand directory and the tag vocabulary use it.
func jsonOrFormBody(c *fiber.Ctx, v any) error {
	if isAPI(c) {
		return parseJSON(c, v)
	}
	if err := c.BodyParser(v); err != nil {
		return fiber.ErrBadRequest
	}
	return nil
}

// brandsAnswer answers a directory change: on the API with status and
// body (nil: no content) or the error; on the page back to the directory
// (?done=done), or the page with the reasons (422/409 in the reader's
// language) and the add form as sent.
func (s *Server) brandsAnswer(c *fiber.Ctx, err error, status int, body any, done string, sent brands.Input) error {
	if isAPI(c) {
		switch {
		case err != nil:
			return err
		case body == nil:
			return c.SendStatus(status)
		}
		return c.Status(status).JSON(body)
	}
	return s.settingsFormDone(c, "/admin/brands?done="+done, err, func(f *form, status int) error {
		return s.renderBrands(c, status, f, sent)
	})
}

func (s *Server) brandsAdd(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var in brands.Input
	if err := jsonOrFormBody(c, &in); err != nil {
		return err
	}
	b, err := s.brands.Add(c.UserContext(), t, p, in)
	return s.brandsAnswer(c, err, fiber.StatusCreated, b, "added", in)
}

func (s *Server) brandsRetire(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	slug := c.Params("slug") // the API names it in the path, the page's form in a field
	if !isAPI(c) {
		slug = c.FormValue("slug")
	}
	err = s.brands.Retire(c.UserContext(), t, p, slug)
	return s.brandsAnswer(c, err, fiber.StatusNoContent, nil, "retired", brands.Input{})
}

func (s *Server) brandsMerge(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var in brands.MergeInput
	if err := jsonOrFormBody(c, &in); err != nil {
		return err
	}
	n, err := s.brands.Merge(c.UserContext(), t, p, in)
	return s.brandsAnswer(c, err, fiber.StatusOK, fiber.Map{"cases": n}, "merged", brands.Input{})
}

func (s *Server) brandsWorkplace(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in brands.WorkplaceInput
	if err := jsonOrFormBody(c, &in); err != nil {
		return err
	}
	w, err := s.brands.SetWorkplace(c.UserContext(), t, p, id, in)
	return s.brandsAnswer(c, err, fiber.StatusOK, w, "saved", brands.Input{})
}

func (s *Server) brandsPackets(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var ve apperr.Validation
	var on bool
	if isAPI(c) {
		var body struct {
			Enabled json.RawMessage `json:"enabled"`
		}
		if err := parseJSON(c, &body); err != nil {
			return err
		}
		on = jsonFlag(body.Enabled, "enabled", &ve)
	} else {
		on = formBox(c, "packets", &ve)
	}
	err = ve.Err()
	if err == nil {
		err = s.brands.SetPackets(c.UserContext(), t, p, on)
	}
	return s.brandsAnswer(c, err, fiber.StatusOK, fiber.Map{"enabled": on}, "saved", brands.Input{})
}

// ---- directory: read ----

func (s *Server) apiBrands(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	d, err := s.brands.Directory(c.UserContext(), t, p)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

type brandsData struct {
	Dir            *brands.Directory
	CanUpdate      bool
	CanSettings    bool
	CanWorkplace   bool
	Kinds          []string
	Certifications []string
	Form           *form
	// Sent is the add form as sent, after a refusal.
	Sent brands.Input
	Done string
}

func (s *Server) brandsPage(c *fiber.Ctx) error {
	return s.renderBrands(c, fiber.StatusOK, nil, brands.Input{})
}

func (s *Server) renderBrands(c *fiber.Ctx, status int, f *form, sent brands.Input) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	d, err := s.brands.Directory(c.UserContext(), t, p)
	if err != nil {
		return err
	}
	data := brandsData{Dir: d, Kinds: brands.Kinds, Certifications: brands.Certifications, Form: f, Sent: sent,
		CanUpdate: d.Can.Update, CanSettings: d.Can.Settings, CanWorkplace: d.Can.Workplace, Done: c.Query("done")}
	if f != nil {
		data.Done = ""
	}
	pg := s.page(c, "brands.title")
	pg.Data = data
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, status, "admin_brands", pg)
}

// ---- the reporter's consent ----

func (s *Server) apiBrandConsent(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireSignedIn)
	if err != nil {
		return err
	}
	var body struct {
		Share json.RawMessage `json:"share"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	var ve apperr.Validation
	share := jsonFlag(body.Share, "share", &ve)
	if err := ve.Err(); err != nil {
		return err
	}
	if err := s.cases.SetBrandConsent(c.UserContext(), t.ID, p, id, share); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"share": share})
}

func (s *Server) brandConsentSubmit(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireSignedIn)
	if err != nil {
		return err
	}
	var share bool
	switch c.FormValue("share") {
	case "yes":
		share = true
	case "no":
	default:
		return apperr.Invalid("share", "error.invalid")
	}
	if err := s.cases.SetBrandConsent(c.UserContext(), t.ID, p, id, share); err != nil {
		return err
	}
	return c.Redirect("/cases/"+id.String(), fiber.StatusSeeOther)
}

// ---- links for brands ----

// sharedURL is the link a brand opens: on the union's own host.
func sharedURL(c *fiber.Ctx, token string) string {
	return c.Protocol() + "://" + c.Hostname() + "/shared/" + token
}

func (s *Server) apiBrandShares(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireTenantStaff)
	if err != nil {
		return err
	}
	bs, err := s.cases.BrandSharingOf(c.UserContext(), t.ID, p, id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"enabled": bs.Enabled, "consent": bs.Consent, "shares": bs.Shares})
}

func (s *Server) apiShareWithBrand(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireTenantStaff)
	if err != nil {
		return err
	}
	var body struct {
		Brand string `json:"brand"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	sh, err := s.cases.ShareWithBrand(c.UserContext(), t.ID, p, id, body.Brand)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"id": sh.ID, "brand": sh.Brand, "brand_name": sh.BrandName,
		"expires_at": sh.ExpiresAt, "token": sh.Token, "url": sharedURL(c, sh.Token)})
}

// brandShareRevoke ends a link made for a brand: no content on the API,
// back to the case's links on the page.
func (s *Server) brandShareRevoke(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireTenantStaff)
	if err != nil {
		return err
	}
	shareID, err := pathID(c, "share")
	if err != nil {
		return err
	}
	if err := s.cases.RevokeBrandShare(c.UserContext(), t.ID, p, id, shareID); err != nil {
		return err
	}
	if isAPI(c) {
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Redirect("/cases/"+id.String()+"/brand-shares", fiber.StatusSeeOther)
}

type brandSharesData struct {
	CaseID string
	*cases.BrandSharing
	Form *form
	// Link is the link just made: shown once.
	Link, LinkFor string
}

func (s *Server) brandSharesPage(c *fiber.Ctx) error {
	return s.renderBrandShares(c, fiber.StatusOK, nil, "", "")
}

func (s *Server) renderBrandShares(c *fiber.Ctx, status int, f *form, link, linkFor string) error {
	t, id, p, err := caseOf(c, requireTenantStaff)
	if err != nil {
		return err
	}
	bs, err := s.cases.BrandSharingOf(c.UserContext(), t.ID, p, id)
	if err != nil {
		return err
	}
	pg := s.page(c, "brands.share_title")
	pg.Data = brandSharesData{CaseID: id.String(), BrandSharing: bs, Form: f, Link: link, LinkFor: linkFor}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, status, "case_brand_shares", pg)
}

func (s *Server) brandShareSubmit(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireTenantStaff)
	if err != nil {
		return err
	}
	sh, err := s.cases.ShareWithBrand(c.UserContext(), t.ID, p, id, c.FormValue("brand"))
	if err != nil {
		f, status, ferr := s.formFailure(c, err, nil)
		if ferr != nil {
			return ferr
		}
		return s.renderBrandShares(c, status, f, "", "")
	}
	return s.renderBrandShares(c, fiber.StatusCreated, nil, sharedURL(c, sh.Token), sh.BrandName)
}

// sharedPacket is the packet a brand opens by its link: no account, on
// the union's host; anything that no longer stands is a 404.
func (s *Server) sharedPacket(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	pg := s.page(c, "export.packet_title")
	pk, err := s.cases.BrandPacket(c.UserContext(), t.ID, strings.Clone(c.Params("token")), pg.Locale)
	if err != nil {
		return err
	}
	pg.Data = pk
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Robots-Tag", "noindex")
	return s.render(c, fiber.StatusOK, "case_packet", pg)
}
