package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/ratelimit"
)

// requestLimit caps the requests match selects (config rate_limits): per
// client address within a tenant (perIP in a window), then per tenant
// across addresses (perTenant), in one statement (ratelimit.Chain). The
// per-address check comes first, so a single address hammering after its
// own 429 does not use up its union's allowance. Each limit keeps its own
// key and message. Requests on the platform host are left alone: it files
// nothing.
type requestLimit struct {
	match                  func(*fiber.Ctx) bool
	perIP, perTenant       int
	window                 time.Duration
	ipMsg, tenantMsg       string
	ipPrefix, tenantPrefix string
}

func newRequestLimit(match func(*fiber.Ctx) bool, perIP, perTenant int, window time.Duration, ipMsg, tenantMsg string) requestLimit {
	return requestLimit{match: match, perIP: perIP, perTenant: perTenant, window: window, ipMsg: ipMsg, tenantMsg: tenantMsg,
		ipPrefix:     fmt.Sprintf("%s|%d|%s|", ipMsg, perIP, window),
		tenantPrefix: fmt.Sprintf("%s|%d|%s|", tenantMsg, perTenant, window)}
}

// requestLimits are the filing and evidence-upload limits; a request
// matches at most one.
func requestLimits(l config.RateLimits) []requestLimit {
	return []requestLimit{
		newRequestLimit(isFiling, l.Filing.PerIP, l.Filing.PerTenant, l.Window, "error.filing_limited", "error.filing_busy"),
		newRequestLimit(isEvidenceUpload, l.Upload.PerIP, l.Upload.PerTenant, l.Window, "error.upload_limited", "error.upload_busy"),
	}
}

// limitCheck is the check of the limit that applies to a request, built
// once: authenticate runs it beside the token look-up, enforceLimits reads
// its verdict.
type limitCheck struct {
	limit *requestLimit
	check *ratelimit.ChainCheck
}

// limitCheckFor builds the check of the limit that applies to c, or nil.
func (s *Server) limitCheckFor(c *fiber.Ctx) *limitCheck {
	t := reqCtx(c).Tenant
	if t == nil {
		return nil
	}
	for i := range s.requestLimits {
		l := &s.requestLimits[i]
		if !l.match(c) {
			continue
		}
		tenant := t.ID.String()
		return &limitCheck{limit: l, check: s.limits.Chain(
			ratelimit.WindowLimit{Key: l.ipPrefix + tenant + "|" + c.IP(), Max: l.perIP, Window: l.window},
			ratelimit.WindowLimit{Key: l.tenantPrefix + tenant, Max: l.perTenant, Window: l.window})}
	}
	return nil
}

// enforceLimits applies the filing and upload limits. It runs after
// authenticate, so a CSRF-less cross-site post is refused before it
// counts, and so does a request with an unknown token. A signed-in
// request's hit was counted in its token look-up's round trip
// (authenticate); any other request's is counted here.
func (s *Server) enforceLimits(c *fiber.Ctx) error {
	ctx := c.UserContext()
	lc := reqCtx(c).limitCheck
	if lc == nil || !lc.check.Counted() {
		if lc = s.limitCheckFor(c); lc == nil {
			return c.Next()
		}
		s.limits.Run(ctx, lc.check)
	}
	which, r, err := lc.check.Verdict(ctx)
	if err != nil {
		return err
	}
	if which == 0 {
		return c.Next()
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(r.RetrySeconds()))
	// What is left of the window, not the whole window.
	key := lc.limit.ipMsg
	if which == 2 {
		key = lc.limit.tenantMsg
	}
	return &apperr.Limited{RetryAfterSeconds: r.RetrySeconds(), Key: key}
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
