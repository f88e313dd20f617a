package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/ratelimit"
	"github.com/suara-id/suara/internal/tenant"
)

const (
	sessionCookie = "suara_session"
	csrfCookie    = "suara_csrf"
	csrfField     = "_csrf"
)

// authenticate finds the principal: a bearer token on the API, the session
// cookie on pages. A bad bearer token is refused outright; a stale cookie
// just means "not signed in". Page forms get CSRF protection here too.
func (s *Server) authenticate(c *fiber.Ctx) error {
	rc := reqCtx(c)
	ctx := c.UserContext()
	var token string
	if rc.API {
		if h := c.Get(fiber.HeaderAuthorization); h != "" {
			t, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return apperr.ErrUnauthorized
			}
			token = strings.TrimSpace(t)
			if cases.IsReceiptSessionToken(token) {
				// A receipt session, not an account: only the
				// /api/v1/receipt routes read it.
				rc.ReceiptToken = strings.Clone(token)
				return c.Next()
			}
		}
	} else if strings.HasPrefix(c.Path(), "/webhooks/") {
		// Provider webhooks carry no session and no CSRF token: they are
		// signed instead (intake.go).
		return c.Next()
	} else {
		token = c.Cookies(sessionCookie)
		if err := s.checkCSRF(c); err != nil {
			return err
		}
	}
	if token == "" {
		return c.Next()
	}
	var p *auth.Principal
	var err error
	if rc.Tenant != nil {
		// A filing's or upload's limit check rides in the look-up's round
		// trip, counting only when the token lets the request go on;
		// enforceLimits reads its verdict.
		var also []*db.Row
		if rc.limitCheck = s.limitCheckFor(c); rc.limitCheck != nil {
			also = append(also, &rc.limitCheck.check.OnlyIf(auth.SignedInSetting).Row)
		}
		p, err = s.auth.Authenticate(ctx, rc.Tenant.ID, token, also...)
	} else {
		p, err = s.auth.AuthenticatePlatform(ctx, token)
	}
	switch {
	case errors.Is(err, apperr.ErrUnauthorized) && !rc.API:
		c.ClearCookie(sessionCookie)
	case err != nil:
		return err
	default:
		rc.Principal = p
		// A session that still owes its second factor can do nothing but
		// finish it: enforced here, once, for every route.
		if p.Pending2FA && !pending2FAAllowed(c.Path()) {
			if rc.API {
				return errTwoFactorRequired
			}
			if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
				return c.Redirect("/2fa", fiber.StatusSeeOther)
			}
			return errTwoFactorRequired
		}
	}
	return c.Next()
}

// checkCSRF implements the double-submit cookie: every page gets a random
// token in a cookie and in its forms; a state-changing form post must carry
// both, equal. Stateless, so it works across replicas.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	tok := c.Cookies(csrfCookie)
	if len(tok) != 43 {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		tok = base64.RawURLEncoding.EncodeToString(b)
		c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: tok, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: s.cfg.HTTP.SecureCookies})
		if c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead {
			return fiber.NewError(fiber.StatusForbidden, "csrf")
		}
	}
	c.Locals("csrf", tok)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return nil
	}
	form := c.FormValue(csrfField)
	if subtle.ConstantTimeCompare([]byte(form), []byte(tok)) != 1 {
		return fiber.NewError(fiber.StatusForbidden, "csrf")
	}
	return nil
}

// principal returns the signed-in account or nil.
func principal(c *fiber.Ctx) *auth.Principal { return reqCtx(c).Principal }

// requireSignedIn returns the principal or ErrUnauthorized. A session still
// owing its second factor counts as signed out except for enrolment.
func requireSignedIn(c *fiber.Ctx) (*auth.Principal, error) {
	p := principal(c)
	if p == nil {
		return nil, apperr.ErrUnauthorized
	}
	return p, nil
}

// requireTenantStaff returns a staff principal of the current tenant.
func requireTenantStaff(c *fiber.Ctx) (*auth.Principal, error) {
	p, err := requireSignedIn(c)
	if err != nil {
		return nil, err
	}
	if !p.IsStaff() {
		return nil, apperr.ErrForbidden
	}
	return p, nil
}

// perIPLimit limits attempts per client address and tenant; the account
// lockout in auth handles slow, distributed guessing.
func (s *Server) perIPLimit(max int, window time.Duration) fiber.Handler {
	return s.sharedLimit(windowLimit{
		Name:   "ip",
		Max:    max,
		Window: window,
		Key: func(c *fiber.Ctx) string {
			slug := ""
			if t := reqCtx(c).Tenant; t != nil {
				slug = t.Slug
			}
			return slug + "|" + c.IP() + "|" + c.Route().Path
		},
		Reached: func(c *fiber.Ctx, _ ratelimit.Result) error {
			return &apperr.Limited{RetryAfterSeconds: int(window.Seconds()), Key: "error.rate_limited"}
		},
	})
}

// parseJSON decodes a JSON body into v: 415 for another content type, 400
// for malformed JSON. Unknown fields are ignored.
func parseJSON(c *fiber.Ctx, v any) error {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return fiber.ErrUnsupportedMediaType
	}
	if err := json.Unmarshal(c.Body(), v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return apperr.Invalid(te.Field, "error.invalid")
		}
		return fiber.ErrBadRequest
	}
	return nil
}

// tenantOnly returns the request's tenant or a 404 on the platform host.
func tenantOnly(c *fiber.Ctx) (*tenant.Tenant, error) {
	if t := reqCtx(c).Tenant; t != nil {
		return t, nil
	}
	return nil, fiber.ErrNotFound
}

func (s *Server) apiRegister(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	var r auth.Registration
	if err := parseJSON(c, &r); err != nil {
		return err
	}
	// 202 and the same body for a new and a taken phone: the account is
	// made when the code sent to the phone comes back (register/verify).
	sent, err := s.auth.Register(c.UserContext(), t, r, meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(sent)
}

func (s *Server) apiLogin(c *fiber.Ctx) error {
	var cr auth.Credentials
	if err := parseJSON(c, &cr); err != nil {
		return err
	}
	rc := reqCtx(c)
	if rc.Tenant == nil {
		tok, u, err := s.auth.PlatformLogin(c.UserContext(), cr, "api")
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"token": tok, "user": u, "two_factor_pending": s.auth.MustEnrol(nil, u.TOTPEnabled)})
	}
	tok, u, err := s.auth.Login(c.UserContext(), rc.Tenant, cr, "api")
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"token": tok, "user": u, "two_factor_pending": u.Kind == "staff" && s.auth.MustEnrol(rc.Tenant, u.TOTPEnabled)})
}

func (s *Server) apiLogout(c *fiber.Ctx) error {
	p, err := requireSignedIn(c)
	if err != nil {
		return err
	}
	if err := s.auth.Logout(c.UserContext(), p); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiMe(c *fiber.Ctx) error {
	p, err := requireSignedIn(c)
	if err != nil {
		return err
	}
	roles, err := s.authz.Roles(c.UserContext(), p)
	if err != nil {
		return err
	}
	type role struct {
		Role   string `json:"role"`
		Domain string `json:"domain"`
	}
	rs := make([]role, len(roles))
	for i, r := range roles {
		rs[i] = role{Role: r.Role, Domain: r.Domain}
	}
	out := fiber.Map{"id": p.UserID, "kind": p.Kind, "name": p.Name, "roles": rs, "two_factor_pending": p.Pending2FA}
	if p.TenantID != uuid.Nil {
		u, err := s.auth.User(c.UserContext(), p.TenantID, p.UserID)
		if err != nil {
			return err
		}
		out["user"] = u
	}
	return c.JSON(out)
}

func (s *Server) apiStartTOTP(c *fiber.Ctx) error {
	p, err := s.twoFactorSubject(c)
	if err != nil {
		return err
	}
	enr, err := s.auth.StartTOTP(c.UserContext(), p, s.issuer(c))
	if err != nil {
		return err
	}
	return c.JSON(enr)
}

func (s *Server) apiConfirmTOTP(c *fiber.Ctx) error {
	p, err := s.twoFactorSubject(c)
	if err != nil {
		return err
	}
	var body struct {
		Code string `json:"code"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	if err := s.auth.ConfirmTOTP(c.UserContext(), p, body.Code); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiStaff(c *fiber.Ctx) error {
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	list, err := s.auth.Staff(c.UserContext(), p)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"staff": list})
}

func (s *Server) apiAssignRole(c *fiber.Ctx) error {
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	var r auth.RoleRequest
	if err := parseJSON(c, &r); err != nil {
		return err
	}
	m, err := s.auth.AssignRole(c.UserContext(), p, r)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(m)
}

func (s *Server) apiRevokeRole(c *fiber.Ctx) error {
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.ErrNotFound
	}
	if err := s.auth.RevokeRole(c.UserContext(), p, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiInvite(c *fiber.Ctx) error {
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	var r auth.StaffInvite
	if err := parseJSON(c, &r); err != nil {
		return err
	}
	inv, tok, err := s.auth.InviteStaff(c.UserContext(), p, r)
	if err != nil {
		return err
	}
	// The link goes out through the union's channel (admin_team.go) and
	// back to the admin, who may pass it on; it works once and expires.
	t := reqCtx(c).Tenant
	if t == nil {
		return fiber.ErrNotFound
	}
	sent := s.sendInvite(c.UserContext(), t, inv, tok)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"invite": inv, "url": s.inviteURL(t, tok), "sent": sent})
}

func (s *Server) apiAcceptInvite(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	var body struct {
		Token    string `json:"token"`
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	u, tok, err := s.auth.AcceptInvite(c.UserContext(), t, body.Token, body.Name, body.Password, "api")
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": tok, "user": u})
}

func (s *Server) apiRevokeTokens(c *fiber.Ctx) error {
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.ErrNotFound
	}
	if err := s.auth.RevokeUserTokens(c.UserContext(), p, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiResetTOTP(c *fiber.Ctx) error {
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(c.Params("id"))
	if err != nil {
		return apperr.ErrNotFound
	}
	if err := s.auth.ResetTOTP(c.UserContext(), p, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// caseOf is what a case route acts on: the request's tenant, the case id in
// the path and who asks (who: requireSignedIn or requireTenantStaff), in
// that order, so a platform host or a malformed id is refused before the
// person is looked at.
func caseOf(c *fiber.Ctx, who func(*fiber.Ctx) (*auth.Principal, error)) (*tenant.Tenant, uuid.UUID, *auth.Principal, error) {
	t, err := tenantOnly(c)
	if err != nil {
		return nil, uuid.Nil, nil, err
	}
	id, err := caseID(c, "id")
	if err != nil {
		return nil, uuid.Nil, nil, err
	}
	p, err := who(c)
	if err != nil {
		return nil, uuid.Nil, nil, err
	}
	return t, id, p, nil
}

// staffCaseOf is a staff-only case route's caller and case id, the role
// first: a reporter is refused (403) whatever id they send, and staff get
// 404 for an id that is malformed, unknown or another tenant's.
func staffCaseOf(c *fiber.Ctx) (*auth.Principal, uuid.UUID, error) {
	p, err := requireTenantStaff(c)
	if err != nil {
		return nil, uuid.Nil, err
	}
	id, err := caseID(c, "id")
	if err != nil {
		return nil, uuid.Nil, err
	}
	return p, id, nil
}
