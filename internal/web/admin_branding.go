package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/tenant"
)

// brandingData is what the branding form shows.
type brandingData struct {
	Form      *form
	Saved     bool
	DraftLogo bool // a previewed logo waits to be saved
}

// currentBranding is the form's starting values: the tenant's branding
// over its theme's colours.
func (s *Server) currentBranding(pg *Page, t *tenant.Tenant) tenant.BrandingInput {
	b := t.Settings.Branding
	th := pg.Theme
	in := tenant.BrandingInput{AppName: t.AppName, Primary: th.Colors.Primary, OnPrimary: th.Colors.OnPrimary,
		Accent: th.Colors.Accent, Background: th.Colors.Background, Text: th.Colors.Text,
		WelcomeID: b.WelcomeID, WelcomeEN: b.WelcomeEN}
	if b.HasColors() {
		in.Primary, in.OnPrimary, in.Accent, in.Background, in.Text = b.Primary, b.OnPrimary, b.Accent, b.Background, b.Text
	}
	return in
}

func (s *Server) brandingPage(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	if err := s.admin.MayEditSettings(c.UserContext(), t, p); err != nil {
		return err
	}
	pg := s.page(c, "branding.title")
	pg.Data = brandingData{Form: &form{Values: s.currentBranding(pg, t), Errors: map[string]string{}}, Saved: c.Query("saved") == "1"}
	return s.render(c, fiber.StatusOK, "admin_branding", pg)
}

// brandingInput reads the form; a logo file, when sent, is cleaned and
// stored as the draft.
func (s *Server) brandingInput(c *fiber.Ctx, t *tenant.Tenant, p *auth.Principal) (tenant.BrandingInput, bool, error) {
	var in tenant.BrandingInput
	if err := c.BodyParser(&in); err != nil {
		return in, false, apperr.Invalid("app_name", "error.invalid")
	}
	draft := c.FormValue("draft_logo") == "1"
	fh, err := c.FormFile("logo")
	if err != nil || fh.Size == 0 {
		return in, draft, nil
	}
	if fh.Size > tenant.MaxLogoBytes {
		return in, draft, apperr.Invalid("logo", "error.branding_logo_size")
	}
	f, err := fh.Open()
	if err != nil {
		return in, draft, fmt.Errorf("open logo: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, tenant.MaxLogoBytes+1))
	if err != nil {
		return in, draft, fmt.Errorf("read logo: %w", err)
	}
	ct, clean, err := tenant.CleanLogo(data)
	if err != nil {
		return in, draft, err
	}
	if _, err := s.admin.PutDraftLogo(c.UserContext(), t, p, ct, clean); err != nil {
		return in, draft, err
	}
	return in, true, nil
}

// brandingFailure shows the form again with what was typed and why not.
func (s *Server) brandingFailure(c *fiber.Ctx, in tenant.BrandingInput, draft bool, err error) error {
	f, status, err := s.formFailure(c, err, in)
	if err != nil {
		return err
	}
	pg := s.page(c, "branding.title")
	pg.Data = brandingData{Form: f, DraftLogo: draft}
	return s.render(c, status, "admin_branding", pg)
}

func (s *Server) brandingPreview(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	if err := s.admin.MayEditSettings(c.UserContext(), t, p); err != nil {
		return err
	}
	in, draft, err := s.brandingInput(c, t, p)
	if err == nil {
		in, err = tenant.CheckBranding(in)
	}
	if err != nil {
		return s.brandingFailure(c, in, draft, err)
	}
	// The home page, as workers will see it, with the unsaved values.
	pg := s.page(c, "")
	pg.AppName = in.AppName
	pg.PreviewCSS = "/admin/branding/preview.css?" + url.Values{"primary": {in.Primary}, "on_primary": {in.OnPrimary},
		"accent": {in.Accent}, "background": {in.Background}, "text": {in.Text}}.Encode()
	if draft {
		pg.LogoURL = "/admin/branding/draft-logo"
	}
	pg.Welcome = tenant.Branding{WelcomeID: in.WelcomeID, WelcomeEN: in.WelcomeEN}.Welcome(pg.Locale)
	pg.Preview = &brandingPreview{Values: in, DraftLogo: draft}
	pg.Data = s.homeData(pg, t)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, fiber.StatusOK, "home", pg)
}

// brandingPreview is the bar above a previewed home page: the values to
// save, carried in hidden fields.
type brandingPreview struct {
	Values    tenant.BrandingInput
	DraftLogo bool
}

func (s *Server) brandingSave(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	in, draft, err := s.brandingInput(c, t, p)
	if err == nil {
		err = s.admin.SaveBranding(c.UserContext(), t, p, in, draft)
	}
	if err != nil {
		return s.brandingFailure(c, in, draft, err)
	}
	// Every process reloads the tenant map on its own schedule; this one
	// at once, so the admin sees the change.
	if err := s.resolver.Refresh(c.UserContext()); err != nil {
		s.log.Warn("refresh tenants after branding", "err", err)
	}
	return c.Redirect("/admin/branding?saved=1", fiber.StatusSeeOther)
}

// brandingPreviewCSS is the preview's colours as a stylesheet (the CSP
// allows no inline styles). Values are checked like saved ones.
func (s *Server) brandingPreviewCSS(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	if err := s.admin.MayEditSettings(c.UserContext(), t, p); err != nil {
		return err
	}
	in := tenant.BrandingInput{AppName: "preview", Primary: c.Query("primary"), OnPrimary: c.Query("on_primary"),
		Accent: c.Query("accent"), Background: c.Query("background"), Text: c.Query("text")}
	in, err = tenant.CheckBranding(in)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString(brandingCSS(tenant.Branding{Primary: in.Primary, OnPrimary: in.OnPrimary, Accent: in.Accent,
		Background: in.Background, Text: in.Text}))
}

func (s *Server) brandingDraftLogo(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	ct, data, err := s.admin.DraftLogo(c.UserContext(), t, p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return sendLogo(c, ct, data)
}

// sendLogo answers a logo: SVGs as images only, never as a document that
// could run anything.
func sendLogo(c *fiber.Ctx, ct string, data []byte) error {
	c.Set(fiber.HeaderContentType, ct)
	c.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	return c.Send(data)
}

// brandingCSS overrides the theme's colour variables.
func brandingCSS(b tenant.Branding) string {
	return fmt.Sprintf(":root{--primary:%s;--on-primary:%s;--accent:%s;--bg:%s;--text:%s}\n",
		b.Primary, b.OnPrimary, b.Accent, b.Background, b.Text)
}

// brandingVersion is a short hash of the tenant's branding, put in the
// stylesheet's and logo's URLs so a change shows at once despite caching.
func brandingVersion(b tenant.Branding) string {
	sum := sha256.Sum256([]byte(brandingCSS(b) + b.Logo))
	return hex.EncodeToString(sum[:4])
}
