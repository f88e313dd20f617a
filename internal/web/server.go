// Package web owns HTTP: the Fiber app, middleware (request ids, logs,
// recovery, host → tenant, locale, per-request tenant transaction), pages and
// the JSON API, templates, static files and i18n. Handlers parse input, call
// one service method and render; domain rules live in the feature packages.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/brands"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/chat"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/metrics"
	"github.com/suara-id/suara/internal/notify"
	"github.com/suara-id/suara/internal/privacy"
	"github.com/suara-id/suara/internal/ratelimit"
	"github.com/suara-id/suara/internal/tenant"
)

// Deps are what the web layer needs; app wires them.
type Deps struct {
	Config *config.Config
	Log    *slog.Logger
	// Ready pings the database for /readyz.
	Ready  func(context.Context) error
	Admin  *tenant.Admin   // union administration (checks its callers)
	Brands *brands.Service // brand directories
	// Limits counts rate limits in PostgreSQL, shared by every replica.
	Limits    *ratelimit.Limits
	Resolver  *tenant.Resolver
	Metrics   *metrics.Metrics // nil: no metrics
	Auth      *auth.Service
	Authz     *auth.Authorizer
	Cases     *cases.Service
	Notify    *notify.Service    // nil: notification routes answer 404
	Analytics *analytics.Console // cross-union aggregates for the platform console and API
	Privacy   *privacy.Service   // nil: /me/export and /me/delete answer 404
	// Console is what the platform console's union pages need
	// (platform_unions.go); nil fields turn those actions off.
	Console ConsoleDeps
	Chat    *chat.Service // nil: the webhooks and channel settings answer 404
}

// Server holds the Fiber app and what handlers share.
type Server struct {
	cfg      *config.Config
	log      *slog.Logger
	ready    func(context.Context) error
	resolver *tenant.Resolver
	metrics  *metrics.Metrics
	auth     *auth.Service
	authz    *auth.Authorizer
	cases    *cases.Service
	receipts *receiptThrottle
	limits   *ratelimit.Limits // shared rate limits (shared_limits.go)
	// requestLimits cap filings and uploads (ratelimit.go).
	requestLimits []requestLimit
	bundle        *i18n.Bundle
	themes        map[string]*Theme
	app           *fiber.App
	notify        *notify.Service
	analytics     *analytics.Console
	admin         *tenant.Admin   // tenant administration
	brands        *brands.Service // brand directories
	privacy       *privacy.Service
	console       ConsoleDeps
	chat          *chat.Service
}

// New builds the Fiber app with every route.
func New(d Deps) (*Server, error) {
	bundle, err := newBundle()
	if err != nil {
		return nil, err
	}
	themesRoot, err := fs.Sub(suara.ThemesFS, "themes")
	if err != nil {
		return nil, err
	}
	themes, err := loadThemes(themesRoot, templatesFS)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: d.Config, log: d.Log, ready: d.Ready, resolver: d.Resolver, metrics: d.Metrics, auth: d.Auth, authz: d.Authz, bundle: bundle, themes: themes,
		cases: d.Cases, limits: d.Limits, receipts: newReceiptThrottle(d.Limits),
		requestLimits: requestLimits(d.Config.RateLimits)}
	s.app = fiber.New(fiber.Config{
		AppName:               "suara",
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		ReadTimeout:           d.Config.HTTP.ReadTimeout,
		WriteTimeout:          d.Config.HTTP.WriteTimeout,
		IdleTimeout:           d.Config.HTTP.IdleTimeout,
		BodyLimit:             d.Config.HTTP.BodyLimitMB << 20,
		// Evidence uploads stream to disk (up to 100 MB of video) instead of
		// being read into memory; limitBody keeps every other route to
		// BodyLimit, and multipart forms are parsed only when asked for.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		// Without the check Fiber trusts any client's X-Forwarded-Host, and
		// any client could pick its tenant.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          d.Config.HTTP.TrustedProxies,
		ProxyHeader:             d.Config.HTTP.ProxyHeader,
		// Only addresses count from the proxy header: garbage in it
		// falls back to the peer, so it cannot mint fresh rate-limit keys.
		EnableIPValidation: true,
	})
	s.notify = d.Notify
	s.analytics = d.Analytics
	s.privacy = d.Privacy
	s.console = d.Console
	s.chat = d.Chat
	s.admin = d.Admin
	s.brands = d.Brands
	s.routes()
	return s, nil
}

// App returns the Fiber app (tests call app.Test on it).
func (s *Server) App() *fiber.App { return s.app }

// Listen serves until ctx ends, then shuts down gracefully: in-flight
// requests finish within the shutdown timeout.
func (s *Server) Listen(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.app.Listen(s.cfg.HTTP.Addr) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down http server")
	if err := s.app.ShutdownWithTimeout(s.cfg.HTTP.ShutdownTimeout); err != nil {
		return err
	}
	return <-errc
}

// healthz answers the liveness probe.
func (s *Server) healthz(c *fiber.Ctx) error { return c.SendString("ok") }

func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.ready(ctx); err != nil {
		s.log.Warn("readiness: database unreachable", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unreachable")
	}
	return c.SendString("ready")
}
