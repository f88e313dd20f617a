package chat

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// channelRow binds a sealed config to (tenant, channel).
func channelRowKey(channel string) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("suara:chat-channel:"+channel))
}

// loadConfig reads and opens a channel's config; ErrNoChannel when the
// channel is not set up or switched off.
func (s *Service) loadConfig(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, channel string) (Config, error) {
	var sl cases.Sealed
	var enabled bool
	err := tx.QueryRowContext(ctx, `SELECT enabled, key_id, wrapped_key, nonce, ciphertext FROM chat_channels WHERE channel = ?`, channel).
		Scan(&enabled, &sl.KeyID, &sl.WrappedKey, &sl.Nonce, &sl.Ciphertext)
	if errors.Is(err, sql.ErrNoRows) {
		return Config{}, ErrNoChannel
	}
	if err != nil {
		return Config{}, wrap("load chat channel", err)
	}
	var cfg Config
	if err := s.open(purposeChannel, tenantID, channelRowKey(channel), sl, &cfg); err != nil {
		return Config{}, wrap("open chat channel", err)
	}
	if !enabled {
		return cfg, ErrNoChannel
	}
	return cfg, nil
}

func (s *Service) config(ctx context.Context, tenantID uuid.UUID, channel string) (Config, error) {
	var cfg Config
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		cfg, err = s.loadConfig(ctx, tx, tenantID, channel)
		return err
	})
	return cfg, err
}

// ChannelInput is what an admin sets. An empty secret keeps the stored one;
// Clear lists secrets to remove.
type ChannelInput struct {
	Enabled       *bool    `json:"enabled" form:"enabled"`
	VerifyToken   string   `json:"verify_token" form:"verify_token"`
	AppSecret     string   `json:"app_secret" form:"app_secret"`
	AccessToken   string   `json:"access_token" form:"access_token"`
	PhoneNumberID string   `json:"phone_number_id" form:"phone_number_id"`
	APIBase       string   `json:"api_base" form:"api_base"`
	Clear         []string `json:"clear" form:"clear"`
}

// ChannelView is a channel as its admin sees it: secrets only as set or not.
type ChannelView struct {
	Channel        string        `json:"channel"`
	Configured     bool          `json:"configured"`
	Enabled        bool          `json:"enabled"`
	PhoneNumberID  string        `json:"phone_number_id"`
	APIBase        string        `json:"api_base"`
	HasVerifyToken bool          `json:"has_verify_token"`
	HasAppSecret   bool          `json:"has_app_secret"`
	HasAccessToken bool          `json:"has_access_token"`
	WebhookPath    string        `json:"webhook_path"`
	Outbox         []OutboxEntry `json:"outbox"`
	Pending        int           `json:"pending"`
	Failed         int           `json:"failed"`
}

// OutboxEntry is one reply's delivery state (never its address or text).
type OutboxEntry struct {
	ID          uuid.UUID  `json:"id"`
	Kind        string     `json:"kind"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"last_error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

func validChannel(ch string) error {
	if ch != WhatsApp && ch != SMS {
		return apperr.ErrNotFound
	}
	return nil
}

func (s *Service) requireAdmin(ctx context.Context, t *tenant.Tenant, p *auth.Principal, act string) error {
	if p == nil || p.TenantID != t.ID || !p.IsStaff() || p.Pending2FA {
		return apperr.ErrForbidden
	}
	return s.authz.Check(ctx, p, t.Slug, "tenant_settings", act)
}

// Channel returns a channel's settings and recent deliveries for admins.
func (s *Service) Channel(ctx context.Context, t *tenant.Tenant, p *auth.Principal, channel string) (*ChannelView, error) {
	if err := validChannel(channel); err != nil {
		return nil, err
	}
	if err := s.requireAdmin(ctx, t, p, "read"); err != nil {
		return nil, err
	}
	v := &ChannelView{Channel: channel, WebhookPath: "/webhooks/" + channel, Outbox: []OutboxEntry{}}
	err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		cfg, err := s.loadConfig(ctx, tx, t.ID, channel)
		switch {
		case errors.Is(err, ErrNoChannel):
			v.Configured = cfg != (Config{})
		case err != nil:
			return err
		default:
			v.Configured, v.Enabled = true, true
		}
		v.PhoneNumberID, v.APIBase = cfg.PhoneNumberID, cfg.APIBase
		v.HasVerifyToken, v.HasAppSecret, v.HasAccessToken = cfg.VerifyToken != "", cfg.AppSecret != "", cfg.AccessToken != ""
		if err := tx.NewSelect().Table("chat_outbox").Column("id", "kind", "status", "attempts", "last_error", "created_at", "delivered_at").
			Where("channel = ?", channel).Order("created_at DESC").Limit(20).Scan(ctx, &v.Outbox); err != nil {
			return wrap("chat outbox", err)
		}
		return tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'failed')
			FROM chat_outbox WHERE channel = ?`, channel).Scan(&v.Pending, &v.Failed)
	})
	if err != nil {
		return nil, wrap("chat channel", err)
	}
	return v, nil
}

// SetChannel stores a channel's settings, sealed.
func (s *Service) SetChannel(ctx context.Context, t *tenant.Tenant, p *auth.Principal, channel string, in ChannelInput) (*ChannelView, error) {
	if err := validChannel(channel); err != nil {
		return nil, err
	}
	if err := s.requireAdmin(ctx, t, p, "update"); err != nil {
		return nil, err
	}
	v := &apperr.Validation{}
	field := func(name, val string, max int) string {
		val = strings.TrimSpace(val)
		if utf8.RuneCountInString(val) > max || strings.ContainsAny(val, "\r\n\t ") {
			v.Add(name, "error.invalid")
		}
		return val
	}
	in.VerifyToken = field("verify_token", in.VerifyToken, 200)
	in.AppSecret = field("app_secret", in.AppSecret, 200)
	in.AccessToken = field("access_token", in.AccessToken, 1000)
	in.PhoneNumberID = field("phone_number_id", in.PhoneNumberID, 40)
	in.APIBase = field("api_base", in.APIBase, 300)
	if in.PhoneNumberID != "" && strings.Trim(in.PhoneNumberID, "0123456789") != "" {
		v.Add("phone_number_id", "error.invalid")
	}
	if in.APIBase != "" {
		// Address checks against private ranges belong to the outbound
		// URL validation (SSRF); here only the form.
		if u, err := url.Parse(in.APIBase); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			v.Add("api_base", "error.invalid")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		cfg, err := s.loadConfig(ctx, tx, t.ID, channel)
		enabled := err == nil
		if err != nil && !errors.Is(err, ErrNoChannel) {
			return err
		}
		if errors.Is(err, ErrNoChannel) && cfg == (Config{}) {
			enabled = true // a new channel starts on
		}
		if in.Enabled != nil {
			enabled = *in.Enabled
		}
		set := func(dst *string, val string) {
			if val != "" {
				*dst = val
			}
		}
		set(&cfg.VerifyToken, in.VerifyToken)
		set(&cfg.AppSecret, in.AppSecret)
		set(&cfg.AccessToken, in.AccessToken)
		set(&cfg.PhoneNumberID, in.PhoneNumberID)
		set(&cfg.APIBase, in.APIBase)
		for _, c := range in.Clear {
			switch c {
			case "verify_token":
				cfg.VerifyToken = ""
			case "app_secret":
				cfg.AppSecret = ""
			case "access_token":
				cfg.AccessToken = ""
			case "api_base":
				cfg.APIBase = ""
			}
		}
		return s.storeConfig(ctx, tx, t.ID, channel, cfg, enabled)
	})
	if err != nil {
		return nil, wrap("set chat channel", err)
	}
	s.log.Info("chat channel updated", "tenant", t.Slug, "channel", channel)
	return s.Channel(ctx, t, p, channel)
}

// storeConfig upserts a channel's sealed config (also used by the demo seed).
func (s *Service) storeConfig(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, channel string, cfg Config, enabled bool) error {
	sl, err := s.seal(purposeChannel, tenantID, channelRowKey(channel), cfg)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO chat_channels (tenant_id, channel, enabled, key_id, wrapped_key, nonce, ciphertext, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, now())
		ON CONFLICT (tenant_id, channel) DO UPDATE SET enabled = EXCLUDED.enabled, key_id = EXCLUDED.key_id,
			wrapped_key = EXCLUDED.wrapped_key, nonce = EXCLUDED.nonce, ciphertext = EXCLUDED.ciphertext, updated_at = now()`,
		tenantID, channel, enabled, sl.KeyID, sl.WrappedKey, sl.Nonce, sl.Ciphertext)
	return wrap("store chat channel", err)
}

// SeedChannel sets a channel's config without an admin (demo seed,
// provisioning); it leaves an existing channel alone.
func (s *Service) SeedChannel(ctx context.Context, tenantID uuid.UUID, channel string, cfg Config) error {
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM chat_channels WHERE channel = ?", channel).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		return s.storeConfig(ctx, tx, tenantID, channel, cfg, true)
	})
}

// Handshake answers WhatsApp's webhook verification: GET with
// hub.mode=subscribe, hub.verify_token and hub.challenge; the challenge is
// echoed when the token matches the union's (compared in constant time).
func (s *Service) Handshake(ctx context.Context, t *tenant.Tenant, mode, token, challenge string) (string, error) {
	cfg, err := s.config(ctx, t.ID, WhatsApp)
	if err != nil {
		return "", ErrNoChannel
	}
	if mode != "subscribe" || cfg.VerifyToken == "" || challenge == "" || len(challenge) > 200 ||
		subtle.ConstantTimeCompare([]byte(token), []byte(cfg.VerifyToken)) != 1 {
		return "", ErrBadSignature
	}
	return challenge, nil
}
