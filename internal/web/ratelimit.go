package web

import (
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
		s.rateLimit(isFiling, l.Filing.PerIP, l.Window, false, "error.filing_limited"),
		s.rateLimit(isFiling, l.Filing.PerTenant, l.Window, true, "error.filing_busy"),
		s.rateLimit(isEvidenceUpload, l.Upload.PerIP, l.Window, false, "error.upload_limited"),
		s.rateLimit(isEvidenceUpload, l.Upload.PerTenant, l.Window, true, "error.upload_busy"),
	}
}

// rateLimit is a shared window limit (shared_limits.go) over the requests
// match selects, keyed by tenant and, unless perTenant, address. Requests
// on the platform host are left alone: it files nothing.
func (s *Server) rateLimit(match func(*fiber.Ctx) bool, max int, window time.Duration, perTenant bool, msgKey string) fiber.Handler {
	return s.sharedLimit(windowLimit{
		Name:   msgKey,
		Max:    max,
		Window: window,
		Next: func(c *fiber.Ctx) bool {
			return reqCtx(c).Tenant == nil || !match(c)
		},
		Key: func(c *fiber.Ctx) string {
			key := reqCtx(c).Tenant.ID.String()
			if !perTenant {
				key += "|" + c.IP()
			}
			return key
		},
		Reached: func(c *fiber.Ctx, r ratelimit.Result) error {
			// What is left of the window, not the whole window.
			return &apperr.Limited{RetryAfterSeconds: r.RetrySeconds(), Key: msgKey}
		},
	})
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
