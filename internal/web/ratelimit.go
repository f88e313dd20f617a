package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/suara-id/suara/internal/apperr"
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

// rateLimit is Fiber's limiter (as for login and receipts) over the
// requests match selects, keyed by tenant and, unless perTenant, address.
// Requests on the platform host are left alone: it files nothing.
func (s *Server) rateLimit(match func(*fiber.Ctx) bool, max int, window time.Duration, perTenant bool, msgKey string) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:        max,
		Expiration: window,
		Next: func(c *fiber.Ctx) bool {
			return reqCtx(c).Tenant == nil || !match(c)
		},
		KeyGenerator: func(c *fiber.Ctx) string {
			key := reqCtx(c).Tenant.ID.String()
			if !perTenant {
				key += "|" + c.IP()
			}
			return key
		},
		LimitReached: func(c *fiber.Ctx) error {
			// The limiter has set Retry-After to what is left of the
			// window; keep it rather than the whole window.
			secs, err := strconv.Atoi(string(c.Response().Header.Peek(fiber.HeaderRetryAfter)))
			if err != nil || secs < 1 {
				secs = int(window.Seconds())
			}
			return &apperr.Limited{RetryAfterSeconds: secs, Key: msgKey}
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
