package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/ratelimit"
)

// filingAndUploadLimits cap filings and evidence uploads (config rate_limits):
// per client address within a tenant, then per tenant across addresses.
// The per-address check comes first, so a single address hammering after
// its own 429 does not use up its union's allowance. They run after
// authenticate: a CSRF-less cross-site post is refused before it counts.
func (s *Server) filingAndUploadLimits() []fiber.Handler {
	l := s.cfg.RateLimits
	return []fiber.Handler{
		s.addressThenUnionLimit(isFiling, l.Filing.PerIP, l.Filing.PerTenant, l.Window, "error.filing_limited", "error.filing_busy"),
		s.addressThenUnionLimit(isEvidenceUpload, l.Upload.PerIP, l.Upload.PerTenant, l.Window, "error.upload_limited", "error.upload_busy"),
	}
}

// addressThenUnionLimit counts the requests match selects per client
// address within a tenant (at most perIP in a window) and then per tenant
// (perTenant), in one statement (ratelimit.WindowChain). Each limit keeps
// its own key and message. Requests on the platform host are left alone:
// it files nothing.
func (s *Server) addressThenUnionLimit(match func(*fiber.Ctx) bool, perIP, perTenant int, window time.Duration, ipMsg, tenantMsg string) fiber.Handler {
	ipPrefix := fmt.Sprintf("%s|%d|%s|", ipMsg, perIP, window)
	tenantPrefix := fmt.Sprintf("%s|%d|%s|", tenantMsg, perTenant, window)
	return func(c *fiber.Ctx) error {
		t := reqCtx(c).Tenant
		if t == nil || !match(c) {
			return c.Next()
		}
		tenant := t.ID.String()
		which, r, err := s.limits.WindowChain(c.UserContext(),
			ratelimit.WindowLimit{Key: ipPrefix + tenant + "|" + c.IP(), Max: perIP, Window: window},
			ratelimit.WindowLimit{Key: tenantPrefix + tenant, Max: perTenant, Window: window})
		if err != nil {
			return err
		}
		if which == 0 {
			return c.Next()
		}
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(r.RetrySeconds()))
		// What is left of the window, not the whole window.
		key := ipMsg
		if which == 2 {
			key = tenantMsg
		}
		return &apperr.Limited{RetryAfterSeconds: r.RetrySeconds(), Key: key}
	}
}

// routerPath is the path as Fiber's router matches it by default: case
// does not matter and trailing slashes do not count, so /API/v1/cases/
// cannot slip past a limit that /api/v1/cases meets.
func routerPath(c *fiber.Ctx) string {
	p := strings.ToLower(c.Path())
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
	}
	return p
}

// isFiling reports a new case: the API's POST /api/v1/cases or the filing
// form's POST /cases/new (its "check for similar cases" step included).
func isFiling(c *fiber.Ctx) bool {
	if c.Method() != fiber.MethodPost {
		return false
	}
	p := routerPath(c)
	return p == "/api/v1/cases" || p == "/cases/new"
}

// isEvidenceUpload reports an evidence upload, on a case or by receipt
// code, API or page: every POST .../evidence.
func isEvidenceUpload(c *fiber.Ctx) bool {
	return c.Method() == fiber.MethodPost && strings.HasSuffix(routerPath(c), "/evidence")
}
