package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
)

// Account recovery and phone verification (issue 19), the registration
// answer that says nothing about a phone (issue 18), and the second factor
// for staff and platform accounts (issue 20). Pages work without
// JavaScript: each step's answer is the next step's form.

func meta(c *fiber.Ctx) auth.RequestMeta {
	rc := reqCtx(c)
	return auth.RequestMeta{IP: strings.Clone(c.IP()), Locale: rc.Locale}
}

// pending2FAAllowed lists what a session still owing its second factor may
// reach: enrolment, confirmation, signing out and the assets those pages
// need. Everything else answers 403 two_factor_required (API) or sends the
// browser to /2fa.
func pending2FAAllowed(path string) bool {
	switch path {
	case "/api/v1/me/2fa", "/api/v1/me/2fa/confirm", "/api/v1/auth/logout",
		"/2fa", "/2fa/start", "/2fa/confirm", "/logout",
		"/theme.css", "/logo.svg", "/favicon.svg":
		return true
	}
	return strings.HasPrefix(path, "/static/")
}

// errTwoFactorRequired refuses a pending-2FA session.
var errTwoFactorRequired = fiber.NewError(fiber.StatusForbidden, "two_factor_required")

func (s *Server) apiVerifyRegistration(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	var body struct {
		Phone string `json:"phone"`
		Code  string `json:"code"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	u, tok, err := s.auth.VerifyRegistration(c.UserContext(), t, body.Phone, body.Code, meta(c), "api")
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": tok, "user": u})
}

func (s *Server) apiForgotPassword(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	var body struct {
		Phone string `json:"phone"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	sent, err := s.auth.ForgotPassword(c.UserContext(), t, body.Phone, meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(sent)
}

func (s *Server) apiResetPassword(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	var r auth.PasswordReset
	if err := parseJSON(c, &r); err != nil {
		return err
	}
	if err := s.auth.ResetPassword(c.UserContext(), t, r, meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiStaffResetCode(c *fiber.Ctx) error {
	if _, err := tenantOnly(c); err != nil {
		return err
	}
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	code, exp, err := s.auth.StaffResetCode(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"code": code, "expires_at": exp})
}

func (s *Server) apiVerifyMember(c *fiber.Ctx) error {
	if _, err := tenantOnly(c); err != nil {
		return err
	}
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var mc auth.MemberCheck
	if err := parseJSON(c, &mc); err != nil {
		return err
	}
	u, err := s.auth.VerifyMember(c.UserContext(), p, id, mc)
	if err != nil {
		return err
	}
	return c.JSON(u)
}

// codeForm is the data of the verify and reset pages.
type codeForm struct {
	Phone string
	Sent  bool
}

func (s *Server) renderCodePage(c *fiber.Ctx, name, title string, f *form, status int) error {
	p := s.page(c, title)
	p.Data = f
	return s.render(c, status, name, p)
}

func (s *Server) verifyPage(c *fiber.Ctx) error {
	if _, err := tenantOnly(c); err != nil {
		return err
	}
	return s.renderCodePage(c, "register_verify", "account.verify.title", &form{Values: codeForm{}}, fiber.StatusOK)
}

func (s *Server) verifySubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	phone, code := strings.Clone(c.FormValue("phone")), strings.Clone(c.FormValue("code"))
	_, tok, err := s.auth.VerifyRegistration(c.UserContext(), t, phone, code, meta(c), "session")
	if err != nil {
		f, status, ferr := s.formFailure(c, err, codeForm{Phone: phone})
		if ferr != nil {
			return ferr
		}
		return s.renderCodePage(c, "register_verify", "account.verify.title", f, status)
	}
	s.setSession(c, tok)
	return c.Redirect("/profile", fiber.StatusSeeOther)
}

func (s *Server) forgotPage(c *fiber.Ctx) error {
	if _, err := tenantOnly(c); err != nil {
		return err
	}
	return s.renderCodePage(c, "password_forgot", "account.forgot.title", &form{Values: codeForm{}}, fiber.StatusOK)
}

func (s *Server) forgotSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	phone := strings.Clone(c.FormValue("phone"))
	if _, err := s.auth.ForgotPassword(c.UserContext(), t, phone, meta(c)); err != nil {
		f, status, ferr := s.formFailure(c, err, codeForm{Phone: phone})
		if ferr != nil {
			return ferr
		}
		return s.renderCodePage(c, "password_forgot", "account.forgot.title", f, status)
	}
	// The same page whether or not the phone has an account.
	return s.renderCodePage(c, "password_reset", "account.reset.title", &form{Values: codeForm{Phone: phone, Sent: true}}, fiber.StatusOK)
}

func (s *Server) resetPage(c *fiber.Ctx) error {
	if _, err := tenantOnly(c); err != nil {
		return err
	}
	return s.renderCodePage(c, "password_reset", "account.reset.title", &form{Values: codeForm{}}, fiber.StatusOK)
}

func (s *Server) resetSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	var r auth.PasswordReset
	if err := c.BodyParser(&r); err != nil {
		return fiber.ErrBadRequest
	}
	r.Phone, r.Code = strings.Clone(r.Phone), strings.Clone(r.Code)
	if err := s.auth.ResetPassword(c.UserContext(), t, r, meta(c)); err != nil {
		f, status, ferr := s.formFailure(c, err, codeForm{Phone: r.Phone})
		if ferr != nil {
			return ferr
		}
		return s.renderCodePage(c, "password_reset", "account.reset.title", f, status)
	}
	return c.Redirect("/login?reset=1", fiber.StatusSeeOther)
}

// twoFactorData is the enrolment page: the secret once started.
type twoFactorData struct {
	Enrolment *auth.Enrolment
	Pending   bool
	On        bool
}

func (s *Server) twoFactorSubject(c *fiber.Ctx) (*auth.Principal, error) {
	p := principal(c)
	if p == nil {
		return nil, apperr.ErrUnauthorized
	}
	if !p.IsStaff() && p.Kind != "platform" {
		return nil, apperr.ErrForbidden
	}
	return p, nil
}

func (s *Server) twoFactorPage(c *fiber.Ctx) error {
	p, err := s.twoFactorSubject(c)
	if errors.Is(err, apperr.ErrUnauthorized) {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	return s.renderTwoFactor(c, &form{Values: map[string]string{}}, &twoFactorData{Pending: p.Pending2FA, On: c.Query("on") != ""}, fiber.StatusOK)
}

func (s *Server) renderTwoFactor(c *fiber.Ctx, f *form, d *twoFactorData, status int) error {
	f.Extra = d
	p := s.page(c, "account.2fa.title")
	p.Data = f
	return s.render(c, status, "two_factor", p)
}

func (s *Server) issuer(c *fiber.Ctx) string {
	if t := reqCtx(c).Tenant; t != nil {
		return t.AppName
	}
	return "Suara"
}

func (s *Server) twoFactorStart(c *fiber.Ctx) error {
	p, err := s.twoFactorSubject(c)
	if err != nil {
		return err
	}
	enr, err := s.auth.StartTOTP(c.UserContext(), p, s.issuer(c))
	if err != nil {
		f, status, ferr := s.formFailure(c, err, map[string]string{})
		if ferr != nil {
			return ferr
		}
		return s.renderTwoFactor(c, f, &twoFactorData{Pending: p.Pending2FA}, status)
	}
	return s.renderTwoFactor(c, &form{Values: map[string]string{}}, &twoFactorData{Enrolment: enr, Pending: p.Pending2FA}, fiber.StatusOK)
}

func (s *Server) twoFactorConfirm(c *fiber.Ctx) error {
	p, err := s.twoFactorSubject(c)
	if err != nil {
		return err
	}
	if err := s.auth.ConfirmTOTP(c.UserContext(), p, strings.Clone(c.FormValue("code"))); err != nil {
		f, status, ferr := s.formFailure(c, err, map[string]string{})
		if ferr != nil {
			return ferr
		}
		// The secret stays as started: show it again to try once more.
		enr := &auth.Enrolment{Secret: strings.Clone(c.FormValue("secret"))}
		return s.renderTwoFactor(c, f, &twoFactorData{Enrolment: enr, Pending: p.Pending2FA}, status)
	}
	return c.Redirect("/profile", fiber.StatusSeeOther)
}
