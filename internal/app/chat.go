package app

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/chat"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/tenant"
)

// newChat builds WhatsApp/SMS intake over the core services.
func newChat(cfg *config.Config, log *slog.Logger, bdb *bun.DB, c *core) (*chat.Service, error) {
	keys, err := cases.ParseKeyRing(cfg.Security.IdentityKeys)
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(cfg.HTTP.Addr)
	suffix := ""
	if port != "80" && port != "443" && port != "" {
		suffix = ":" + port
	}
	return chat.New(bdb, chat.Options{
		Keys: keys, Cases: c.cases, Accounts: c.accounts, Authz: c.authz, Log: log,
		Tenant: func(id uuid.UUID) *tenant.Tenant { return tenantByID(c.resolver, id) },
		BaseURL: func(slug string) string {
			return cfg.HTTP.PublicScheme + "://" + slug + "." + cfg.HTTP.BaseDomain + suffix
		},
		HTTPClient: &http.Client{Timeout: 20 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
	}), nil
}

func tenantByID(r *tenant.Resolver, id uuid.UUID) *tenant.Tenant {
	for _, t := range r.All() {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// chainEvents runs every hook of a case event in order; the first error
// aborts the event.
func chainEvents(hooks ...func(ctx context.Context, tx bun.Tx, c *cases.Case, kind, visibility string, payload []byte) error) func(ctx context.Context, tx bun.Tx, c *cases.Case, kind, visibility string, payload []byte) error {
	return func(ctx context.Context, tx bun.Tx, c *cases.Case, kind, visibility string, payload []byte) error {
		for _, h := range hooks {
			if err := h(ctx, tx, c, kind, visibility, payload); err != nil {
				return err
			}
		}
		return nil
	}
}
