package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
)

// Settings are a tenant's notification switches (a row of notify_settings;
// a tenant without one gets DefaultSettings: in-app only).
type Settings struct {
	bun.BaseModel `bun:"table:notify_settings"`

	TenantID        uuid.UUID `bun:"tenant_id,pk,type:uuid" json:"-"`
	EmailEnabled    bool      `bun:"email_enabled" json:"email_enabled"`
	SMSEnabled      bool      `bun:"sms_enabled" json:"sms_enabled"`
	WhatsAppEnabled bool      `bun:"whatsapp_enabled" json:"whatsapp_enabled"`
	SenderName      string    `bun:"sender_name" json:"sender_name"`
	SenderEmail     string    `bun:"sender_email" json:"sender_email"`
	GatewayURL      string    `bun:"gateway_url" json:"gateway_url"`
	// GatewayToken is write-only over the API.
	GatewayToken string `bun:"gateway_token" json:"gateway_token,omitempty"`
	QuietStart   int    `bun:"quiet_start" json:"quiet_start"`
	QuietEnd     int    `bun:"quiet_end" json:"quiet_end"`
	TimeZone     string `bun:"time_zone" json:"time_zone"`
	// Templates override the default wording: locale → template → text,
	// with {reference}, {link} and {app} as the only placeholders.
	Templates map[string]map[string]string `bun:"templates,type:jsonb" json:"templates"`
	UpdatedAt time.Time                    `bun:"updated_at" json:"updated_at"`
}

// DefaultSettings is what a tenant has before an admin sets anything.
func DefaultSettings(tenantID uuid.UUID) *Settings {
	return &Settings{TenantID: tenantID, QuietStart: 21, QuietEnd: 6, TimeZone: "Asia/Jakarta",
		Templates: map[string]map[string]string{}}
}

// enabled reports whether the tenant has ch switched on.
func (st *Settings) enabled(ch Channel) bool {
	switch ch {
	case ChannelInApp:
		return true
	case ChannelEmail:
		return st.EmailEnabled
	case ChannelSMS:
		return st.SMSEnabled && st.GatewayURL != ""
	case ChannelWhatsApp:
		return st.WhatsAppEnabled && st.GatewayURL != ""
	}
	return false
}

func (st *Settings) location() *time.Location {
	if l, err := time.LoadLocation(st.TimeZone); err == nil && st.TimeZone != "" {
		return l
	}
	return time.FixedZone("WIB", 7*3600)
}

// quietUntil returns when the quiet hours around t end, or the zero time
// when t is outside them. Quiet hours run [QuietStart, QuietEnd) local
// time and may wrap midnight; equal hours mean none.
func (st *Settings) quietUntil(t time.Time) time.Time {
	if st.QuietStart == st.QuietEnd {
		return time.Time{}
	}
	lt := t.In(st.location())
	h := lt.Hour()
	var quiet bool
	if st.QuietStart < st.QuietEnd {
		quiet = h >= st.QuietStart && h < st.QuietEnd
	} else {
		quiet = h >= st.QuietStart || h < st.QuietEnd
	}
	if !quiet {
		return time.Time{}
	}
	end := time.Date(lt.Year(), lt.Month(), lt.Day(), st.QuietEnd, 0, 0, 0, lt.Location())
	if !end.After(lt) {
		end = end.AddDate(0, 0, 1)
	}
	return end.UTC()
}

// nextDigest is the next daily digest time after t: the end of quiet hours
// (06:00 by default), when handlers start their day.
func (st *Settings) nextDigest(t time.Time) time.Time {
	lt := t.In(st.location())
	d := time.Date(lt.Year(), lt.Month(), lt.Day(), st.QuietEnd, 0, 0, 0, lt.Location())
	if !d.After(lt) {
		d = d.AddDate(0, 0, 1)
	}
	return d.UTC()
}

func loadSettings(ctx context.Context, tx bun.IDB, tenantID uuid.UUID) (*Settings, error) {
	st := &Settings{}
	err := tx.NewSelect().Model(st).Where("tenant_id = ?", tenantID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSettings(tenantID), nil
	}
	if err != nil {
		return nil, fmt.Errorf("load notification settings: %w", err)
	}
	if st.Templates == nil {
		st.Templates = map[string]map[string]string{}
	}
	return st, nil
}

// Settings returns the tenant's settings to an admin (the gateway token
// left out).
func (s *Service) Settings(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string) (*Settings, error) {
	if err := s.checkAdmin(ctx, p, tenantID, slug, "read"); err != nil {
		return nil, err
	}
	var st *Settings
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) (err error) {
		st, err = loadSettings(ctx, tx, tenantID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("notification settings: %w", err)
	}
	st.GatewayToken = ""
	return st, nil
}

// SaveSettings stores an admin's settings. An empty gateway token keeps the
// stored one.
func (s *Service) SaveSettings(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string, in Settings) (*Settings, error) {
	if err := s.checkAdmin(ctx, p, tenantID, slug, "update"); err != nil {
		return nil, err
	}
	if err := validateSettings(&in); err != nil {
		return nil, err
	}
	// Outside any transaction: these resolve names.
	if err := s.checkOutbound(ctx, slug, &in); err != nil {
		return nil, err
	}
	in.TenantID = tenantID
	in.UpdatedAt = s.Now().UTC()
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if in.GatewayToken == "" {
			old, err := loadSettings(ctx, tx, tenantID)
			if err != nil {
				return err
			}
			in.GatewayToken = old.GatewayToken
		}
		_, err := tx.NewInsert().Model(&in).On("CONFLICT (tenant_id) DO UPDATE").
			Set("email_enabled = EXCLUDED.email_enabled, sms_enabled = EXCLUDED.sms_enabled").
			Set("whatsapp_enabled = EXCLUDED.whatsapp_enabled, sender_name = EXCLUDED.sender_name").
			Set("sender_email = EXCLUDED.sender_email, gateway_url = EXCLUDED.gateway_url").
			Set("gateway_token = EXCLUDED.gateway_token, quiet_start = EXCLUDED.quiet_start").
			Set("quiet_end = EXCLUDED.quiet_end, time_zone = EXCLUDED.time_zone").
			Set("templates = EXCLUDED.templates, updated_at = EXCLUDED.updated_at").Exec(ctx)
		return db.MapError(err)
	})
	if err != nil {
		return nil, fmt.Errorf("save notification settings: %w", err)
	}
	in.GatewayToken = ""
	return &in, nil
}

// Placeholders a template may use: nothing else of a case can reach a body.
var placeholders = []string{"{reference}", "{link}", "{app}"}

func validateSettings(in *Settings) error {
	v := &apperr.Validation{}
	in.SenderName = strings.TrimSpace(in.SenderName)
	if len(in.SenderName) > 100 || strings.ContainsAny(in.SenderName, "\r\n<>\"") {
		v.Add("sender_name", "error.invalid")
	}
	in.SenderEmail = strings.ToLower(strings.TrimSpace(in.SenderEmail))
	if in.SenderEmail != "" {
		if a, err := mail.ParseAddress(in.SenderEmail); err != nil || a.Address != in.SenderEmail {
			v.Add("sender_email", "error.invalid")
		}
	}
	in.GatewayURL = strings.TrimSpace(in.GatewayURL)
	if in.GatewayURL != "" {
		u, err := url.Parse(in.GatewayURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(in.GatewayURL) > 500 {
			v.Add("gateway_url", "error.invalid")
		}
	}
	if len(in.GatewayToken) > 500 {
		v.Add("gateway_token", "error.too_long")
	}
	if in.QuietStart < 0 || in.QuietStart > 23 {
		v.Add("quiet_start", "error.invalid")
	}
	if in.QuietEnd < 0 || in.QuietEnd > 23 {
		v.Add("quiet_end", "error.invalid")
	}
	if in.TimeZone == "" {
		in.TimeZone = "Asia/Jakarta"
	}
	if _, err := time.LoadLocation(in.TimeZone); err != nil {
		v.Add("time_zone", "error.invalid")
	}
	if in.Templates == nil {
		in.Templates = map[string]map[string]string{}
	}
	for loc, ts := range in.Templates {
		if loc != "id" && loc != "en" {
			v.Add("templates", "error.invalid")
			continue
		}
		for name, text := range ts {
			if _, ok := defaultTemplates["id"][name]; !ok || len(text) > 500 || strings.TrimSpace(text) == "" || !onlyPlaceholders(text) {
				v.Add("templates", "error.invalid")
			}
		}
	}
	return v.Err()
}

// onlyPlaceholders reports whether every {...} in text is a known
// placeholder.
func onlyPlaceholders(text string) bool {
	for _, p := range placeholders {
		text = strings.ReplaceAll(text, p, "")
	}
	return !strings.ContainsAny(text, "{}")
}

// Preferences are an account's choices (a row of notify_preferences; no row
// means the defaults: every outside channel the tenant has on, except
// WhatsApp, which needs an opt-in).
type Preferences struct {
	bun.BaseModel `bun:"table:notify_preferences"`

	TenantID        uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"-"`
	UserID          uuid.UUID  `bun:"user_id,pk,type:uuid" json:"-"`
	Email           bool       `bun:"email" json:"email"`
	SMS             bool       `bun:"sms" json:"sms"`
	WhatsApp        bool       `bun:"whatsapp" json:"whatsapp"`
	WhatsAppOptInAt *time.Time `bun:"whatsapp_opt_in_at" json:"whatsapp_opt_in_at,omitempty"`
	StoppedAt       *time.Time `bun:"stopped_at" json:"stopped_at,omitempty"`
	Digest          bool       `bun:"digest" json:"digest"`
	Locale          string     `bun:"locale" json:"locale"`
	UpdatedAt       time.Time  `bun:"updated_at" json:"updated_at"`
}

func defaultPreferences(tenantID, userID uuid.UUID) *Preferences {
	return &Preferences{TenantID: tenantID, UserID: userID, Email: true, SMS: true}
}

// allows reports whether the account wants messages on ch.
func (p *Preferences) allows(ch Channel) bool {
	if ch == ChannelInApp {
		return true
	}
	if p.StoppedAt != nil {
		return false
	}
	switch ch {
	case ChannelEmail:
		return p.Email
	case ChannelSMS:
		return p.SMS
	case ChannelWhatsApp:
		return p.WhatsApp && p.WhatsAppOptInAt != nil
	}
	return false
}

func loadPreferences(ctx context.Context, tx bun.IDB, tenantID, userID uuid.UUID) (*Preferences, error) {
	p := &Preferences{}
	err := tx.NewSelect().Model(p).Where("user_id = ?", userID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return defaultPreferences(tenantID, userID), nil
	}
	if err != nil {
		return nil, fmt.Errorf("load preferences: %w", err)
	}
	return p, nil
}

// PreferencesInput is what an account sends to change its choices. Nil
// fields keep their value. Stop true stops every outside channel; false
// resumes them. WhatsApp true records the opt-in.
type PreferencesInput struct {
	Email    *bool   `json:"email"`
	SMS      *bool   `json:"sms"`
	WhatsApp *bool   `json:"whatsapp"`
	Stop     *bool   `json:"stop"`
	Digest   *bool   `json:"digest"`
	Locale   *string `json:"locale"`
}

// Preferences returns the signed-in account's choices.
func (s *Service) Preferences(ctx context.Context, tenantID uuid.UUID, p *auth.Principal) (*Preferences, error) {
	if p == nil || p.TenantID != tenantID {
		return nil, apperr.ErrUnauthorized
	}
	var out *Preferences
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) (err error) {
		out, err = loadPreferences(ctx, tx, tenantID, p.UserID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("preferences: %w", err)
	}
	return out, nil
}

// SetPreferences changes the signed-in account's choices. Turning WhatsApp
// on records the opt-in time (consent); turning it off keeps the record of
// when consent was given but sends nothing.
func (s *Service) SetPreferences(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, in PreferencesInput) (*Preferences, error) {
	if p == nil || p.TenantID != tenantID {
		return nil, apperr.ErrUnauthorized
	}
	if in.Locale != nil && *in.Locale != "" && *in.Locale != "id" && *in.Locale != "en" {
		return nil, apperr.Invalid("locale", "error.invalid_choice")
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	var out *Preferences
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		cur, err := loadPreferences(ctx, tx, tenantID, p.UserID)
		if err != nil {
			return err
		}
		set := func(dst *bool, v *bool) {
			if v != nil {
				*dst = *v
			}
		}
		set(&cur.Email, in.Email)
		set(&cur.SMS, in.SMS)
		set(&cur.Digest, in.Digest)
		if in.WhatsApp != nil {
			cur.WhatsApp = *in.WhatsApp
			if cur.WhatsApp {
				cur.WhatsAppOptInAt = &now
			}
		}
		if in.Stop != nil {
			cur.StoppedAt = nil
			if *in.Stop {
				cur.StoppedAt = &now
			}
		}
		if in.Locale != nil {
			cur.Locale = *in.Locale
		}
		cur.UpdatedAt = now
		_, err = tx.NewInsert().Model(cur).On("CONFLICT (tenant_id, user_id) DO UPDATE").
			Set("email = EXCLUDED.email, sms = EXCLUDED.sms, whatsapp = EXCLUDED.whatsapp").
			Set("whatsapp_opt_in_at = EXCLUDED.whatsapp_opt_in_at, stopped_at = EXCLUDED.stopped_at").
			Set("digest = EXCLUDED.digest, locale = EXCLUDED.locale, updated_at = EXCLUDED.updated_at").Exec(ctx)
		if err != nil {
			return fmt.Errorf("store preferences: %w", db.MapError(err))
		}
		out = cur
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("set preferences: %w", err)
	}
	return out, nil
}
