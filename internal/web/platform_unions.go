package web

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/notify"
	"github.com/suara-id/suara/internal/tenant"
)

// ConsoleDeps are what the console's union pages need: the manifests
// bundle (category templates and sectors) and the union service, which
// checks the platform admin's rights and exports and removes unions.
type ConsoleDeps struct {
	Bundle *tenant.Bundle
	Unions *tenant.Console
}

// platformSignedIn returns who is signed in on the platform's host: 404
// on a union's host (the console does not exist there), 401 signed out.
// What they may do is for the console's services to check.
func platformSignedIn(c *fiber.Ctx) (*auth.Principal, error) {
	rc := reqCtx(c)
	if rc.Tenant != nil || rc.Target != tenant.Platform {
		return nil, fiber.ErrNotFound
	}
	return requireSignedIn(c)
}

type unionsData struct {
	Unions  []tenant.UnionRow
	Sectors []tenant.SectorTemplate
	New     tenant.NewUnion
	Errors  map[string]string
	Error   string
	Created *createdUnion
	// Staff2FADefault: what a new union's staff get when the form leaves
	// two-step verification at the platform's default.
	Staff2FADefault bool
	Staff2FAChoice  string // the form's choice as sent: "", "on" or "off"
}

// createdUnion is what the console says after creating a union: where it
// lives and how the first admin's invite went (the link itself only when
// it could not be sent, for the platform admin to hand over).
type createdUnion struct {
	Slug, URL, Result, Link string
}

func (s *Server) consoleUnionsPage(c *fiber.Ctx) error {
	if _, err := platformSignedIn(c); err != nil {
		return consoleRedirect(c, err)
	}
	return s.renderUnions(c, fiber.StatusOK, nil, tenant.NewUnion{}, nil)
}

func consoleRedirect(c *fiber.Ctx, err error) error {
	if errors.Is(err, apperr.ErrUnauthorized) {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	return err
}

func (s *Server) renderUnions(c *fiber.Ctx, status int, f *form, in tenant.NewUnion, created *createdUnion) error {
	p, err := platformSignedIn(c)
	if err != nil {
		return err
	}
	list, err := s.console.Unions.Unions(c.UserContext(), p)
	if err != nil {
		return err
	}
	d := unionsData{Unions: list, New: in, Errors: map[string]string{}, Created: created,
		Staff2FADefault: s.auth.Staff2FAFor(tenant.Settings{}).Required, Staff2FAChoice: c.FormValue("staff_2fa")}
	if s.console.Bundle != nil {
		d.Sectors = s.console.Bundle.SectorChoices()
	}
	if f != nil {
		d.Errors, d.Error = f.Errors, f.Error
	}
	pg := s.page(c, "console.unions.title")
	pg.Data = d
	return s.render(c, status, "console_unions", pg)
}

// consoleUnionCreate provisions a union from the form (the rows a
// manifest writes), stores its logo when one is sent, invites its first
// federation admin by email, and refreshes the host map so the union is
// served at once.
func (s *Server) consoleUnionCreate(c *fiber.Ctx) error {
	p, err := platformSignedIn(c)
	if err != nil {
		return err
	}
	if s.console.Bundle == nil {
		return fiber.ErrNotFound
	}
	var in tenant.NewUnion
	if err := c.BodyParser(&in); err != nil {
		in = tenant.NewUnion{}
	}
	in.Sectors = formMulti(c, "sectors")
	staff2FA, bad2FA := formStaff2FAChoice(c)
	in.RequireStaff2FA = staff2FA
	logo, err := formLogo(c)
	fail := func(err error) error {
		f, status, ferr := s.formFailure(c, err, nil)
		if ferr != nil {
			return ferr
		}
		return s.renderUnions(c, status, f, in, nil)
	}
	if err == nil {
		err = bad2FA
	}
	if err != nil {
		return fail(err)
	}
	adminEmail := strings.ToLower(strings.TrimSpace(in.AdminEmail))
	if !strings.Contains(adminEmail, "@") || strings.ContainsAny(adminEmail, " <>\r\n") {
		return fail(apperr.Invalid("admin_email", "error.email_invalid"))
	}
	ctx := c.UserContext()
	t, logoErr, err := s.console.Unions.CreateUnion(ctx, p, in, logo)
	if err != nil {
		return fail(err)
	}
	if logoErr != nil {
		s.log.Warn("console: logo of new union refused", "slug", t.Slug, "err", logoErr)
	}
	if err := s.resolver.Refresh(ctx); err != nil {
		return err
	}
	_, tok, err := s.auth.InviteFirstAdmin(ctx, t, adminEmail)
	if err != nil {
		return err
	}
	s.log.Info("console: union created", "slug", t.Slug, "by", p.UserID)
	created := &createdUnion{Slug: t.Slug, Result: "not_configured"}
	link := "/invite/" + tok
	if s.notify != nil {
		created.URL = s.notify.Link(t.Slug, "/")
		link = s.notify.Link(t.Slug, link)
		subj, body := notify.InviteMessage(t.AppName, link, t.DefaultLocale)
		res, err := s.notify.SendDirect(ctx, t.ID, notify.ChannelEmail, adminEmail, subj, body, t.DefaultLocale)
		if err != nil {
			return err
		}
		created.Result = res.Result
	}
	if created.Result != "sent" {
		created.Link = link
	}
	return s.renderUnions(c, fiber.StatusCreated, nil, tenant.NewUnion{}, created)
}

// formMulti reads a repeated form field (checkboxes).
func formMulti(c *fiber.Ctx, name string) []string {
	var out []string
	if mf, err := c.MultipartForm(); err == nil && mf != nil {
		for _, v := range mf.Value[name] {
			out = append(out, strings.Clone(v))
		}
		return out
	}
	for _, v := range c.Context().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// formLogo reads an optional logo upload, bounded.
func formLogo(c *fiber.Ctx) ([]byte, error) {
	fh, err := c.FormFile("logo")
	if err != nil || fh.Size == 0 {
		return nil, nil
	}
	if fh.Size > tenant.MaxLogoBytes {
		return nil, apperr.Invalid("logo", "error.branding_logo_size")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("open logo: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, tenant.MaxLogoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read logo: %w", err)
	}
	if _, _, err := tenant.CleanLogo(data); err != nil {
		return nil, err
	}
	return data, nil
}

type unionData struct {
	Union   *tenant.UnionRow
	Errors  map[string]string
	Error   string
	Done    string
	Removed int
}

func (s *Server) consoleUnion(c *fiber.Ctx, act string) (*auth.Principal, *tenant.UnionRow, error) {
	p, err := platformSignedIn(c)
	if err != nil {
		return nil, nil, err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return nil, nil, err
	}
	u, err := s.console.Unions.Union(c.UserContext(), p, act, id)
	if err != nil {
		return nil, nil, err
	}
	return p, u, nil
}

func (s *Server) consoleUnionPage(c *fiber.Ctx) error {
	_, u, err := s.consoleUnion(c, "read")
	if err != nil {
		return consoleRedirect(c, err)
	}
	return s.renderUnion(c, fiber.StatusOK, u, nil)
}

func (s *Server) renderUnion(c *fiber.Ctx, status int, u *tenant.UnionRow, f *form) error {
	d := unionData{Union: u, Errors: map[string]string{}, Done: c.Query("done")}
	if f != nil {
		d.Errors, d.Error, d.Done = f.Errors, f.Error, ""
	}
	pg := s.page(c, "console.unions.title")
	pg.Data = d
	return s.render(c, status, "console_union", pg)
}

// consoleUnionStatus suspends or resumes a union and refreshes this
// process's host map at once (other processes within a minute).
func (s *Server) consoleUnionStatus(suspend bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, u, err := s.consoleUnion(c, "suspend")
		if err != nil {
			return err
		}
		err = s.console.Unions.SetSuspended(c.UserContext(), p, u.ID, suspend)
		if err != nil {
			f, status, ferr := s.formFailure(c, err, nil)
			if ferr != nil {
				return ferr
			}
			return s.renderUnion(c, status, u, f)
		}
		if err := s.resolver.Refresh(c.UserContext()); err != nil {
			return err
		}
		s.log.Info("console: union status", "slug", u.Slug, "suspended", suspend, "by", p.UserID)
		done := "resumed"
		if suspend {
			done = "suspended"
		}
		return c.Redirect("/console/unions/"+u.ID.String()+"?done="+done, fiber.StatusSeeOther)
	}
}

// consoleUnionExport sends the union's export file (the format of `suara
// tenants export`) as a download and records the export.
func (s *Server) consoleUnionExport(c *fiber.Ctx) error {
	p, u, err := s.consoleUnion(c, "export")
	if err != nil {
		return err
	}
	if !s.console.Unions.CanExport() {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	// Spooled to an unlinked temporary file: the file is complete (and
	// the export recorded) before the first byte goes out, so a failed
	// export never looks like a good one, and a large union does not sit
	// in memory. The stream closes the file once sent.
	f, err := os.CreateTemp("", "suara-export-*.jsonl")
	if err != nil {
		return fmt.Errorf("export spool: %w", err)
	}
	_ = os.Remove(f.Name())
	sent := false
	defer func() {
		if !sent {
			f.Close()
		}
	}()
	if err := s.console.Unions.Export(ctx, p, u, f); err != nil {
		return err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	s.log.Info("console: union exported", "slug", u.Slug, "bytes", size, "by", p.UserID)
	c.Set(fiber.HeaderContentType, "application/x-ndjson")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s-%s.jsonl"`, u.Slug, time.Now().UTC().Format("20060102-150405")))
	c.Set(fiber.HeaderCacheControl, "no-store")
	sent = true
	return c.SendStream(f, int(size))
}

// consoleUnionRemove removes a suspended, exported union when its slug is
// typed again; otherwise the page says what is missing.
func (s *Server) consoleUnionRemove(c *fiber.Ctx) error {
	p, u, err := s.consoleUnion(c, "remove")
	if err != nil {
		return err
	}
	if !s.console.Unions.CanRemove() {
		return fiber.ErrNotFound
	}
	ctx := c.UserContext()
	n, err := s.console.Unions.Remove(ctx, p, u.ID, c.FormValue("confirm"))
	if err != nil {
		f, status, ferr := s.formFailure(c, err, nil)
		if ferr != nil {
			return ferr
		}
		return s.renderUnion(c, status, u, f)
	}
	s.authz.Invalidate(u.ID)
	if err := s.resolver.Refresh(ctx); err != nil {
		return err
	}
	s.log.Info("console: union removed", "slug", u.Slug, "rows", n, "by", p.UserID)
	return c.Redirect("/console/unions?removed="+u.Slug, fiber.StatusSeeOther)
}

type accountsData struct {
	Accounts []auth.PlatformAccount
	New      map[string]string
	Errors   map[string]string
	Error    string
	Saved    bool
	Self     uuid.UUID
}

func (s *Server) consoleAccountsPage(c *fiber.Ctx) error {
	p, err := platformSignedIn(c)
	if err != nil {
		return consoleRedirect(c, err)
	}
	return s.renderAccounts(c, fiber.StatusOK, p, nil, nil)
}

func (s *Server) renderAccounts(c *fiber.Ctx, status int, p *auth.Principal, f *form, values map[string]string) error {
	list, err := s.auth.PlatformAccounts(c.UserContext(), p)
	if err != nil {
		return err
	}
	d := accountsData{Accounts: list, New: values, Errors: map[string]string{}, Saved: c.Query("saved") != "", Self: p.UserID}
	if d.New == nil {
		d.New = map[string]string{}
	}
	if f != nil {
		d.Errors, d.Error, d.Saved = f.Errors, f.Error, false
	}
	pg := s.page(c, "console.accounts.title")
	pg.Data = d
	return s.render(c, status, "console_accounts", pg)
}

func (s *Server) consoleAccountCreate(c *fiber.Ctx) error {
	p, err := platformSignedIn(c)
	if err != nil {
		return err
	}
	values := map[string]string{"name": c.FormValue("name"), "email": c.FormValue("email"), "role": c.FormValue("role")}
	_, err = s.auth.CreatePlatformAccountAs(c.UserContext(), p, auth.NewAccount{Name: strings.TrimSpace(values["name"]),
		Email: values["email"], Role: values["role"], Password: c.FormValue("password")})
	if err != nil {
		f, status, ferr := s.formFailure(c, err, nil)
		if ferr != nil {
			return ferr
		}
		return s.renderAccounts(c, status, p, f, values)
	}
	return c.Redirect("/console/accounts?saved=1", fiber.StatusSeeOther)
}

func (s *Server) consoleAccountSet(disable bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := platformSignedIn(c)
		if err != nil {
			return err
		}
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		if err := s.auth.SetPlatformAccountDisabled(c.UserContext(), p, id, disable); err != nil {
			f, status, ferr := s.formFailure(c, err, nil)
			if ferr != nil {
				return ferr
			}
			return s.renderAccounts(c, status, p, f, nil)
		}
		return c.Redirect("/console/accounts?saved=1", fiber.StatusSeeOther)
	}
}
