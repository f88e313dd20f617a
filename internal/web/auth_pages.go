package web

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/tenant"
)

// form is what a page with a form shows again after a refusal.
type form struct {
	Values any
	Errors map[string]string // field → translated message
	Error  string            // a message for the whole form
	Extra  any
}

// formFailure turns a service error into a form to show again, or returns
// the error itself when it is not about the input.
func (s *Server) formFailure(c *fiber.Ctx, err error, values any) (*form, int, error) {
	loc := reqCtx(c).loc
	f := &form{Values: values, Errors: map[string]string{}}
	var ve *apperr.Validation
	var fc *apperr.FieldConflict
	var lim *apperr.Limited
	switch {
	case errors.As(err, &ve):
		for k, v := range ve.Fields {
			f.Errors[k] = translate(loc, v)
		}
		return f, fiber.StatusUnprocessableEntity, nil
	case errors.As(err, &fc):
		f.Errors[fc.Field] = translate(loc, fc.Key)
		return f, fiber.StatusConflict, nil
	case errors.As(err, &lim):
		f.Error = translate(loc, lim.Key)
		return f, fiber.StatusTooManyRequests, nil
	case errors.Is(err, apperr.ErrUnauthorized):
		f.Error = translate(loc, "error.login_failed")
		return f, fiber.StatusUnauthorized, nil
	}
	return nil, 0, err
}

func (s *Server) setSession(c *fiber.Ctx, token string) {
	// A new session id at every login: the old one, if any, is revoked.
	if old := principal(c); old != nil {
		_ = s.auth.Logout(c.UserContext(), old)
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: token, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: s.cfg.HTTP.SecureCookies, Expires: time.Now().Add(s.cfg.Security.SessionTTL)})
}

type registerData struct {
	Form       *form
	Sectors    []option
	Workplaces []option
	Genders    []option
}

type option struct{ Value, Label string }

func (s *Server) registerForm(c *fiber.Ctx, t *tenant.Tenant, f *form, status int) error {
	p := s.page(c, "register.title")
	wps, err := s.admin.WorkplaceDirectory(c.UserContext(), t.ID)
	if err != nil {
		return err
	}
	d := registerData{Form: f}
	for _, sec := range t.Sectors {
		d.Sectors = append(d.Sectors, option{sec, p.T(sectorKeys[sec])})
	}
	for _, w := range wps {
		d.Workplaces = append(d.Workplaces, option{w.ID.String(), w.Label()})
	}
	for _, g := range []string{"female", "male", "prefer_not_to_say"} {
		d.Genders = append(d.Genders, option{g, p.T("gender." + g)})
	}
	p.Data = d
	return s.render(c, status, "register", p)
}

func (s *Server) registerPage(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	return s.registerForm(c, t, &form{Values: auth.Registration{}}, fiber.StatusOK)
}

func (s *Server) registerSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	var r auth.Registration
	if err := c.BodyParser(&r); err != nil {
		return fiber.ErrBadRequest
	}
	r.Phone = strings.Clone(r.Phone)
	if _, err := s.auth.Register(c.UserContext(), t, r, meta(c)); err != nil {
		r.Password = ""
		f, status, err := s.formFailure(c, err, r)
		if err != nil {
			return err
		}
		return s.registerForm(c, t, f, status)
	}
	// The same next step for a new and a taken phone: type the code.
	return s.renderCodePage(c, "register_verify", "account.verify.title", &form{Values: codeForm{Phone: r.Phone, Sent: true}}, fiber.StatusOK)
}

func (s *Server) loginPage(c *fiber.Ctx) error {
	p := s.page(c, "login.title")
	p.Data = &form{Values: auth.Credentials{}, Extra: map[string]bool{"Reset": c.Query("reset") != ""}}
	return s.render(c, fiber.StatusOK, "login", p)
}

func (s *Server) loginSubmit(c *fiber.Ctx) error {
	var cr auth.Credentials
	if err := c.BodyParser(&cr); err != nil {
		return fiber.ErrBadRequest
	}
	rc := reqCtx(c)
	var tok string
	var err error
	pending := false
	if rc.Tenant == nil {
		var u *auth.PlatformUser
		tok, u, err = s.auth.PlatformLogin(c.UserContext(), cr, "session")
		pending = err == nil && s.auth.MustEnrol(nil, u.TOTPEnabled)
	} else {
		var u *auth.User
		tok, u, err = s.auth.Login(c.UserContext(), rc.Tenant, cr, "session")
		pending = err == nil && u.Kind == "staff" && s.auth.MustEnrol(rc.Tenant, u.TOTPEnabled)
	}
	if err != nil {
		cr.Password, cr.TOTP = "", ""
		f, status, err := s.formFailure(c, err, cr)
		if err != nil {
			return err
		}
		p := s.page(c, "login.title")
		p.Data = f
		return s.render(c, status, "login", p)
	}
	s.setSession(c, tok)
	if pending {
		return c.Redirect("/2fa", fiber.StatusSeeOther)
	}
	return c.Redirect("/profile", fiber.StatusSeeOther)
}

func (s *Server) logoutSubmit(c *fiber.Ctx) error {
	if p := principal(c); p != nil {
		if err := s.auth.Logout(c.UserContext(), p); err != nil {
			return err
		}
	}
	c.ClearCookie(sessionCookie)
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (s *Server) profilePage(c *fiber.Ctx) error {
	pr := principal(c)
	if pr == nil {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	p := s.page(c, "profile.title")
	roles, err := s.authz.Roles(c.UserContext(), pr)
	if err != nil {
		return err
	}
	data := map[string]any{"Principal": pr, "Roles": roles}
	// Where each role works: the profile is where everyone lands after
	// signing in, so it links to their pages.
	for _, r := range roles {
		if r.Role == "federation_admin" {
			data["ManagesCategories"] = true
		}
	}
	data["Console"] = pr.Kind == "platform"
	if rc := reqCtx(c); rc.Tenant != nil {
		u, err := s.auth.User(c.UserContext(), pr.TenantID, pr.UserID)
		if err != nil {
			return err
		}
		data["User"] = u
	}
	p.Data = data
	return s.render(c, fiber.StatusOK, "profile", p)
}

func (s *Server) invitePage(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	inv, err := s.auth.InviteByToken(c.UserContext(), t.ID, c.Params("token"))
	if err != nil {
		return err
	}
	p := s.page(c, "invite.title")
	p.Data = &form{Extra: inv, Values: map[string]string{}}
	return s.render(c, fiber.StatusOK, "invite", p)
}

func (s *Server) inviteSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	token := c.Params("token")
	name, password := c.FormValue("name"), c.FormValue("password")
	_, tok, err := s.auth.AcceptInvite(c.UserContext(), t, token, name, password, "session")
	if err != nil {
		f, status, ferr := s.formFailure(c, err, map[string]string{"name": name})
		if ferr != nil {
			return ferr
		}
		inv, ierr := s.auth.InviteByToken(c.UserContext(), t.ID, token)
		if ierr != nil {
			return ierr
		}
		f.Extra = inv
		p := s.page(c, "invite.title")
		p.Data = f
		return s.render(c, status, "invite", p)
	}
	s.setSession(c, tok)
	return c.Redirect("/profile", fiber.StatusSeeOther)
}

func (s *Server) staffPage(c *fiber.Ctx) error {
	pr, err := requireTenantStaff(c)
	if err != nil {
		if errors.Is(err, apperr.ErrUnauthorized) {
			return c.Redirect("/login", fiber.StatusSeeOther)
		}
		return err
	}
	list, err := s.auth.Staff(c.UserContext(), pr)
	if err != nil {
		return err
	}
	p := s.page(c, "staff.title")
	p.Data = list
	return s.render(c, fiber.StatusOK, "staff", p)
}
