package app

import (
	"context"
	"log/slog"
	"net"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/netguard"
	"github.com/suara-id/suara/internal/notify"
)

// newNotify builds the notification service: SMTP from config, links to
// each tenant's public address. The service holds no state of its own, so
// the web server and the job queue may each have one.
func newNotify(cfg *config.Config, log *slog.Logger, bdb *bun.DB, authz *auth.Authorizer, caseSvc *cases.Service) *notify.Service {
	s := cfg.Notify.SMTP
	_, port, _ := net.SplitHostPort(cfg.HTTP.Addr)
	suffix := ""
	if port != "" && port != "80" && port != "443" {
		suffix = ":" + port
	}
	o := notify.Options{
		BaseURL: func(slug string) string {
			return cfg.HTTP.PublicScheme + "://" + slug + "." + cfg.HTTP.BaseDomain + suffix
		},
		SMTP:          notify.SMTPConfig{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password, From: s.From},
		Log:           log,
		Guard:         &netguard.Policy{AllowHosts: cfg.Notify.OutboundAllowHosts},
		SenderDomains: cfg.Notify.SenderDomains,
	}
	if authz != nil {
		o.Authz = authz
	}
	ns := notify.New(bdb, o)
	if caseSvc != nil {
		ns.ReporterCases = func(ctx context.Context, tenantID uuid.UUID, p *auth.Principal) ([]uuid.UUID, error) {
			list, _, err := caseSvc.ListMine(ctx, tenantID, p, "", cases.MaxPageSize)
			if err != nil {
				return nil, err
			}
			ids := make([]uuid.UUID, len(list))
			for i, c := range list {
				ids[i] = c.ID
			}
			return ids, nil
		}
	}
	return ns
}
