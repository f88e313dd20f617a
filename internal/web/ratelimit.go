package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/ratelimit"
)

// requestLimit caps one kind of request (config rate_limits): per client
// address within a tenant, then per tenant across addresses. The
// per-address check comes first, so a single address hammering after its
// own 429 does not use up its union's allowance. Requests on the platform
// host are left alone: it files nothing.
type requestLimit struct {
	match                  func(*fiber.Ctx) bool
	perIP, perTenant       int
	window                 time.Duration
	ipMsg, tenantMsg       string
	ipPrefix, tenantPrefix string
}

// newRequestLimits are the filing and the evidence-upload limits.
func newRequestLimits(l config.RateLimits) []*requestLimit {
	mk := func(match func(*fiber.Ctx) bool, rl config.RateLimit, ipMsg, tenantMsg string) *requestLimit {
		return &requestLimit{match: match, perIP: rl.PerIP, perTenant: rl.PerTenant, window: l.Window,
			ipMsg: ipMsg, tenantMsg: tenantMsg,
			ipPrefix:     fmt.Sprintf("%s|%d|%s|", ipMsg, rl.PerIP, l.Window),
			tenantPrefix: fmt.Sprintf("%s|%d|%s|", tenantMsg, rl.PerTenant, l.Window)}
	}
	return []*requestLimit{
		mk(isFiling, l.Filing, "error.filing_limited", "error.filing_busy"),
		mk(isEvidenceUpload, l.Upload, "error.upload_limited", "error.upload_busy"),
	}
}

// limitCount is a request's count against one limit: refused 0 (allowed),
// 1 (the address's limit) or 2 (the union's).
type limitCount struct {
	limit   *requestLimit
	refused int
	r       ratelimit.Result
	err     error
	done    chan struct{}
}

// newCount is a count of one request against l, not yet done.
func (l *requestLimit) newCount() *limitCount {
	return &limitCount{limit: l, done: make(chan struct{})}
}

// count counts a request against both of l's windows in one statement
// (ratelimit.WindowChain) into lc, and closes lc.done.
func (l *requestLimit) count(ctx context.Context, limits *ratelimit.Limits, tenant, ip string, lc *limitCount) {
	lc.refused, lc.r, lc.err = limits.WindowChain(ctx,
		ratelimit.WindowLimit{Key: l.ipPrefix + tenant + "|" + ip, Max: l.perIP, Window: l.window},
		ratelimit.WindowLimit{Key: l.tenantPrefix + tenant, Max: l.perTenant, Window: l.window})
	close(lc.done)
}

// countEarly starts the count of a limited request (a filing, an upload)
// while authenticate looks the session up: the two round trips overlap
// instead of following each other. It runs after the CSRF check, so a
// cross-site post is still refused before it counts; the limit's
// middleware waits for the result and refuses as before.
func (s *Server) countEarly(c *fiber.Ctx, rc *requestCtx) {
	if rc.Tenant == nil {
		return
	}
	for _, l := range s.requestLimits {
		if l.match(c) {
			lc := l.newCount()
			// The address is copied: fasthttp reuses its buffer after the request.
			go l.count(c.UserContext(), s.limits, rc.Tenant.ID.String(), strings.Clone(c.IP()), lc)
			rc.limitCount = lc
			return
		}
	}
}

// middleware refuses a request over l's limits with 429, Retry-After and
// the message of the limit that refused it; each limit keeps its own key.
func (l *requestLimit) middleware(limits *ratelimit.Limits) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rc := reqCtx(c)
		if rc.Tenant == nil || !l.match(c) {
			return c.Next()
		}
		lc := rc.limitCount
		if lc == nil || lc.limit != l {
			lc = l.newCount()
			l.count(c.UserContext(), limits, rc.Tenant.ID.String(), c.IP(), lc)
		}
		<-lc.done
		if lc.err != nil {
			return lc.err
		}
		if lc.refused == 0 {
			return c.Next()
		}
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(lc.r.RetrySeconds()))
		// What is left of the window, not the whole window.
		key := l.ipMsg
		if lc.refused == 2 {
			key = l.tenantMsg
		}
		return &apperr.Limited{RetryAfterSeconds: lc.r.RetrySeconds(), Key: key}
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
