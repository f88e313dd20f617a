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
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/uptrace/bun"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/auth"
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
	Config    *config.Config
	Log       *slog.Logger
	DB        *bun.DB
	Resolver  *tenant.Resolver
	Metrics   *metrics.Metrics // nil: no metrics
	Auth      *auth.Service
	Authz     *auth.Authorizer
	Cases     *cases.Service
	Notify    *notify.Service  // nil: notification routes answer 404
	Analytics *analytics.Store // cross-union aggregates for the platform console and API
	Privacy   *privacy.Service // nil: /me/export and /me/delete answer 404
	// Console is what the platform console's union pages need
	// (platform_unions.go); nil fields turn those actions off.
	Console ConsoleDeps
	Chat    *chat.Service // nil: the webhooks and channel settings answer 404
}

// Server holds the Fiber app and what handlers share.
type Server struct {
	cfg       *config.Config
	log       *slog.Logger
	db        *bun.DB
	resolver  *tenant.Resolver
	metrics   *metrics.Metrics
	auth      *auth.Service
	authz     *auth.Authorizer
	cases     *cases.Service
	receipts  *receiptThrottle
	limits    *ratelimit.Limits // shared rate limits (shared_limits.go)
	bundle    *i18n.Bundle
	themes    map[string]*Theme
	app       *fiber.App
	notify    *notify.Service
	analytics *analytics.Store
	admin     *tenant.Admin // tenant administration, built by adminRoutes
	privacy   *privacy.Service
	console   ConsoleDeps
	chat      *chat.Service
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
	s := &Server{cfg: d.Config, log: d.Log, db: d.DB, resolver: d.Resolver, metrics: d.Metrics, auth: d.Auth, authz: d.Authz, bundle: bundle, themes: themes,
		cases: d.Cases, limits: ratelimit.New(d.DB, limitSecret(d.Config)),
		receipts: newReceiptThrottle(ratelimit.New(d.DB, limitSecret(d.Config)))}
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

func (s *Server) routes() {
	app := s.app
	app.Use(recover.New(recover.Config{EnableStackTrace: false}))
	app.Use(requestid.New())
	app.Use(s.logRequests)
	if s.metrics != nil {
		app.Use(s.observe)
	}
	app.Use(s.securityHeaders)
	app.Use(s.limitBody)

	// Probes answer on any host: load balancers do not send tenant hosts.
	app.Get("/healthz", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/readyz", s.ready)

	app.Use(s.resolveHost)
	app.Use(s.stopSuspended)
	app.Use(s.authenticate)
	s.useRateLimits()
	app.Get("/metrics", s.serveMetrics)
	app.Get("/static/*", s.static)
	app.Get("/theme.css", s.themeAsset("css"))
	app.Get("/logo.svg", s.themeAsset("logo"))
	app.Get("/favicon.svg", s.themeAsset("favicon"))
	app.Get("/", s.home)
	s.authRoutes()
	s.caseRoutes()
	s.receiptRoutes()
	s.journeyRoutes()
	s.suggestionRoutes()
	s.notificationRoutes()
	s.adminRoutes()
	s.handlingRoutes()
	s.platformRoutes()
	s.privacyRoutes()
	s.openAPIRoutes()
	s.queueRoutes()
	s.intakeRoutes()
}

func (s *Server) ready(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.db.PingContext(ctx); err != nil {
		s.log.Warn("readiness: database unreachable", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unreachable")
	}
	return c.SendString("ready")
}
