package web

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/brands"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/tenant"
)

// Brand and certification views (issue 22): the union's brand directory
// (brand read to see, brand update to change; a workplace's context needs
// workplace update), the union's choice to share redacted packets with
// its brands (tenant_settings update, federation admins), the reporter's
// consent on their case, the links staff make for a brand (case export at
// the case's branch) and the packet a brand opens by its link. Routes in
// routes.go.

// brandCaller returns the union and the staff member when they may do act
// on obj union-wide. brands.Service does not check its callers yet (unlike
// tenant.Admin, issue 23), so its handlers ask the admin service first.
func (s *Server) brandCaller(c *fiber.Ctx, obj, act string) (*tenant.Tenant, *auth.Principal, error) {
	t, p, err := staffOf(c)
	if err != nil {
		return nil, nil, err
	}
	if err := s.admin.May(c.UserContext(), t, p, obj, act); err != nil {
		return nil, nil, err
	}
	return t, p, nil
}

// ---- directory: API ----

func (s *Server) apiBrands(c *fiber.Ctx) error {
	t, _, err := s.brandCaller(c, "brand", "read")
	if err != nil {
		return err
	}
	d, err := s.brands.Directory(c.UserContext(), t.ID)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

func (s *Server) apiAddBrand(c *fiber.Ctx) error {
	t, p, err := s.brandCaller(c, "brand", "update")
	if err != nil {
		return err
	}
	var in brands.Input
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	b, err := s.brands.Add(c.UserContext(), t.ID, p.UserID, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(b)
}

func (s *Server) apiRetireBrand(c *fiber.Ctx) error {
	t, p, err := s.brandCaller(c, "brand", "update")
	if err != nil {
		return err
	}
	if err := s.brands.Retire(c.UserContext(), t.ID, p.UserID, c.Params("slug")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiMergeBrand(c *fiber.Ctx) error {
	t, p, err := s.brandCaller(c, "brand", "update")
	if err != nil {
		return err
	}
	var in brands.MergeInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	n, err := s.brands.Merge(c.UserContext(), t.ID, p.UserID, in)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"cases": n})
}

func (s *Server) apiWorkplaceBrands(c *fiber.Ctx) error {
	t, p, err := s.brandCaller(c, "workplace", "update")
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in brands.WorkplaceInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	w, err := s.brands.SetWorkplace(c.UserContext(), t.ID, p.UserID, id, in)
	if err != nil {
		return err
	}
	return c.JSON(w)
}

func (s *Server) apiBrandPackets(c *fiber.Ctx) error {
	t, p, err := s.brandCaller(c, "tenant_settings", "update")
	if err != nil {
		return err
	}
	var body struct {
		Enabled json.RawMessage `json:"enabled"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	var ve apperr.Validation
	on := jsonFlag(body.Enabled, "enabled", &ve)
	if err := ve.Err(); err != nil {
		return err
	}
	if err := s.brands.SetPackets(c.UserContext(), t.ID, p.UserID, on); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"enabled": on})
}

// ---- directory: page ----

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
	t, p, err := s.brandCaller(c, "brand", "read")
	if err != nil {
		return err
	}
	d, err := s.brands.Directory(c.UserContext(), t.ID)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	data := brandsData{Dir: d, Kinds: brands.Kinds, Certifications: brands.Certifications, Form: f, Sent: sent,
		CanUpdate:    s.authz.Check(ctx, p, t.Slug, "brand", "update") == nil,
		CanSettings:  s.authz.Check(ctx, p, t.Slug, "tenant_settings", "update") == nil,
		CanWorkplace: s.authz.Check(ctx, p, t.Slug, "workplace", "update") == nil,
		Done:         c.Query("done")}
	if f != nil {
		data.Done = ""
	}
	pg := s.page(c, "brands.title")
	pg.Data = data
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, status, "admin_brands", pg)
}

// brandsDone answers a directory form: back to the page on success, the
// page with the reasons (422/409 in the reader's language) otherwise.
func (s *Server) brandsDone(c *fiber.Ctx, done string, err error, sent brands.Input) error {
	return s.settingsFormDone(c, "/admin/brands?done="+done, err, func(f *form, status int) error {
		return s.renderBrands(c, status, f, sent)
	})
}

func (s *Server) brandsAdd(c *fiber.Ctx) error {
	t, p, err := s.brandCaller(c, "brand", "update")
	if err != nil {
		return err
	}
	in := brands.Input{Name: c.FormValue("name"), Kind: c.FormValue("kind")}
	_, err = s.brands.Add(c.UserContext(), t.ID, p.UserID, in)
	return s.brandsDone(c, "added", err, in)
}

func (s *Server) brandsRetire(c *fiber.Ctx) error {
	t, p, err := s.brandCaller(c, "brand", "update")
	if err != nil {
		return err
	}
	err = s.brands.Retire(c.UserContext(), t.ID, p.UserID, c.FormValue("slug"))
	return s.brandsDone(c, "retired", err, brands.Input{})
}

func (s *Server) brandsMerge(c *fiber.Ctx) error {
	t, p, err := s.brandCaller(c, "brand", "update")
	if err != nil {
		return err
	}
	_, err = s.brands.Merge(c.UserContext(), t.ID, p.UserID, brands.MergeInput{From: c.FormValue("from"), Into: c.FormValue("into")})
	return s.brandsDone(c, "merged", err, brands.Input{})
}

func (s *Server) brandsPackets(c *fiber.Ctx) error {
	t, p, err := s.brandCaller(c, "tenant_settings", "update")
	if err != nil {
		return err
	}
	var ve apperr.Validation
	on := formBox(c, "packets", &ve)
	err = ve.Err()
	if err == nil {
		err = s.brands.SetPackets(c.UserContext(), t.ID, p.UserID, on)
	}
	return s.brandsDone(c, "saved", err, brands.Input{})
}

func (s *Server) brandsWorkplace(c *fiber.Ctx) error {
	t, p, err := s.brandCaller(c, "workplace", "update")
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	in := brands.WorkplaceInput{Certification: c.FormValue("certification"), Mill: c.FormValue("mill"),
		Brands: []string{c.FormValue("default_brands")}}
	_, err = s.brands.SetWorkplace(c.UserContext(), t.ID, p.UserID, id, in)
	return s.brandsDone(c, "saved", err, brands.Input{})
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

func (s *Server) apiRevokeBrandShare(c *fiber.Ctx) error {
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
	return c.SendStatus(fiber.StatusNoContent)
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

func (s *Server) brandShareRevokeSubmit(c *fiber.Ctx) error {
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
	return c.Redirect("/cases/"+id.String()+"/brand-shares", fiber.StatusSeeOther)
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
