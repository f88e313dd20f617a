package web

import (
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/tenant"
)

// requestCtx is what the middleware learns about a request.
type requestCtx struct {
	Target tenant.Target
	Tenant *tenant.Tenant
	Locale string
	API    bool
	loc    *i18n.Localizer
	// Principal is the signed-in account, nil when anonymous.
	Principal *auth.Principal
	// ReceiptToken is an anonymous reporter's receipt session token sent
	// as the API's bearer token (receipts.go); never an account's.
	ReceiptToken string
	// limitCheck is the request's filing or upload limit check when
	// authenticate ran it (ratelimit.go).
	limitCheck *limitCheck
}

const rcKey = "suara.rc"

func reqCtx(c *fiber.Ctx) *requestCtx {
	if rc, ok := c.Locals(rcKey).(*requestCtx); ok {
		return rc
	}
	rc := &requestCtx{Locale: "id", API: isAPI(c)}
	c.Locals(rcKey, rc)
	return rc
}

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// logRequests logs one line per request. It never logs IP addresses or
// query strings: reporters filing anonymously must not be traceable by logs.
func (s *Server) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Let the error handler set the status now so the log line has it.
		if herr := s.handleError(c, err); herr != nil {
			s.log.Error("error handler failed", "err", herr)
		}
	}
	if !s.log.Enabled(c.UserContext(), slog.LevelInfo) {
		// Building the line costs more than the rest of this middleware;
		// at log.level warn (as benchmarked) nothing would print it.
		return nil
	}
	rc := reqCtx(c)
	attrs := []any{
		"method", c.Method(), "route", c.Route().Path, "status", c.Response().StatusCode(),
		"duration_ms", time.Since(start).Milliseconds(), "request_id", c.GetRespHeader(fiber.HeaderXRequestID),
	}
	if rc.Tenant != nil {
		attrs = append(attrs, "tenant", rc.Tenant.Slug)
	}
	s.log.Info("request", attrs...)
	return nil
}

func (s *Server) securityHeaders(c *fiber.Ctx) error {
	h := &c.Response().Header
	if s.cfg.HTTP.SecureCookies {
		// Secure cookies mean the site is served over TLS: browsers must
		// never fall back to plain HTTP, where a reporter can be watched.
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	return c.Next()
}

// resolveHost finds the tenant (or the platform) from the host and the
// request's locale. An unknown host gets a bare 404 that names no tenant.
func (s *Server) resolveHost(c *fiber.Ctx) error {
	rc := reqCtx(c)
	rc.Target, rc.Tenant = s.resolver.Resolve(c.Hostname())
	fallback := s.cfg.I18n.DefaultLocale
	if rc.Tenant != nil {
		fallback = rc.Tenant.DefaultLocale
	}
	accept := ""
	if rc.API {
		// Pages follow the union's language unless the reader switches;
		// the API follows the phone's Accept-Language, as apps expect.
		accept = c.Get(fiber.HeaderAcceptLanguage)
	}
	locale, fromQuery := pickLocale(strings.ToLower(c.Query("lang")), c.Cookies("lang"), accept, fallback)
	rc.Locale = locale
	rc.loc = i18n.NewLocalizer(s.bundle, locale)
	if fromQuery && !rc.API {
		c.Cookie(&fiber.Cookie{Name: "lang", Value: locale, Path: "/", MaxAge: 365 * 24 * 3600,
			HTTPOnly: true, SameSite: "Lax", Secure: s.cfg.HTTP.SecureCookies})
	}
	if rc.Target == tenant.Unknown {
		return fiber.ErrNotFound
	}
	return c.Next()
}
