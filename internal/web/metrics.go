package web

import (
	"crypto/subtle"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/suara-id/suara/internal/metrics"
	"github.com/suara-id/suara/internal/tenant"
)

// unmatchedRoute labels requests that reached no route handler (404s,
// unknown hosts, requests stopped by middleware): their raw path may hold
// anything a client typed, so it is never a label.
const unmatchedRoute = "unmatched"

// observe records each request's route template, status, tenant and latency.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	defer func() {
		// A panic skips the recording below; count it as the 500 that the
		// recover middleware, outside us, turns it into, and let it go on.
		if p := recover(); p != nil {
			s.metrics.ObserveHTTP(routeLabel(c), c.Method(), fiber.StatusInternalServerError, tenantLabel(reqCtx(c)), time.Since(start))
			panic(p)
		}
	}()
	err := c.Next()
	if err != nil {
		// logRequests, outside us, would only set the status after we
		// record; let the error handler set it now, once, as logRequests does.
		if herr := s.handleError(c, err); herr != nil {
			s.log.Error("error handler failed", "err", herr)
		}
		err = nil
	}
	s.metrics.ObserveHTTP(routeLabel(c), c.Method(), c.Response().StatusCode(), tenantLabel(reqCtx(c)), time.Since(start))
	return err
}

// routeLabel is the template of the route that handled the request, never
// the raw path. Fiber reports the deepest route that ran; when no handler
// matched (a 404, an unknown host), that is a middleware route, whose path
// is a registered prefix: bounded and free of what the client typed. The
// catch-all prefix "/" would read as the home page, so a request that ended
// there on any other path is labelled "unmatched".
func routeLabel(c *fiber.Ctx) string {
	r := c.Route()
	if r == nil {
		return unmatchedRoute
	}
	if r.Path == "/" && c.Path() != "/" {
		return unmatchedRoute
	}
	return r.Path
}

// Metrics returns the collectors the server records into (nil without
// metrics), so that what runs beside it — jobs, the pool, tests — records
// into the same registry.
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// tenantLabel is the tenant's slug: "" on the platform host, "unknown" for
// hosts that resolve to nothing and for probes that never resolve a host.
func tenantLabel(rc *requestCtx) string {
	switch {
	case rc.Tenant != nil:
		return rc.Tenant.Slug
	case rc.Target == tenant.Platform:
		return ""
	default:
		return "unknown"
	}
}

// serveMetrics exposes the registry on the platform host. Tenant hosts
// answer 404, as for any route they do not have: a union's domain must not
// reveal the platform's internals. With security.metrics_token set, a
// scraper must send it as a bearer token.
func (s *Server) serveMetrics(c *fiber.Ctx) error {
	if s.metrics == nil || reqCtx(c).Target != tenant.Platform {
		return fiber.ErrNotFound
	}
	if want := s.cfg.Security.MetricsToken; want != "" {
		// Constant time: the comparison must not leak how much of a guess
		// was right.
		got, ok := bearerToken(c.Get(fiber.HeaderAuthorization))
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return fiber.ErrUnauthorized
		}
	}
	return s.metricsHandler(c)
}

// bearerToken takes the token from an Authorization header; the scheme is
// case-insensitive (RFC 9110).
func bearerToken(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// metricsHandler writes the registry through promhttp, which negotiates the
// exposition format (text, OpenMetrics, protobuf) with the scraper. It is
// built per scrape (every 15s or so) rather than kept on the Server, whose
// fields this file does not own; building one is cheap.
func (s *Server) metricsHandler(c *fiber.Ctx) error {
	h := promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
	})
	return adaptor.HTTPHandler(h)(c)
}
