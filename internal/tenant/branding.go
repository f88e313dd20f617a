package tenant

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
)

// Branding is what a tenant's admins set over their theme: colours,
// welcome text in both languages, and whether an uploaded logo replaces
// the theme's. Empty fields fall back to the theme. Stored in the tenant's
// settings under "branding"; the app name is the tenant's app_name.
type Branding struct {
	Primary    string `yaml:"primary" json:"primary,omitempty"`
	OnPrimary  string `yaml:"on_primary" json:"on_primary,omitempty"`
	Accent     string `yaml:"accent" json:"accent,omitempty"`
	Background string `yaml:"background" json:"background,omitempty"`
	Text       string `yaml:"text" json:"text,omitempty"`
	WelcomeID  string `yaml:"welcome_id" json:"welcome_id,omitempty"`
	WelcomeEN  string `yaml:"welcome_en" json:"welcome_en,omitempty"`
	// Logo is the SHA-256 of the live uploaded logo ("" for the theme's):
	// it changes the logo's URL, so browsers never show a stale one.
	Logo string `yaml:"-" json:"logo,omitempty"`
}

// Welcome returns the welcome text in locale, else in the other language.
func (b Branding) Welcome(locale string) string {
	if locale == "en" && b.WelcomeEN != "" || b.WelcomeID == "" {
		return b.WelcomeEN
	}
	return b.WelcomeID
}

// HasColors reports whether the admins chose their own colours.
func (b Branding) HasColors() bool { return b.Primary != "" }

// BrandingInput is what the branding form submits.
type BrandingInput struct {
	AppName    string `json:"app_name" form:"app_name"`
	Primary    string `json:"primary" form:"primary"`
	OnPrimary  string `json:"on_primary" form:"on_primary"`
	Accent     string `json:"accent" form:"accent"`
	Background string `json:"background" form:"background"`
	Text       string `json:"text" form:"text"`
	WelcomeID  string `json:"welcome_id" form:"welcome_id"`
	WelcomeEN  string `json:"welcome_en" form:"welcome_en"`
}

// MinContrast is WCAG 2's AA ratio for body text.
const MinContrast = 4.5

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// CheckBranding trims and validates in: colours as #rrggbb, text on the
// primary colour and body text on the background at least 4.5:1, an app
// name of 1–40 characters and welcome texts of at most 600.
func CheckBranding(in BrandingInput) (BrandingInput, error) {
	v := &apperr.Validation{}
	in.AppName = strings.TrimSpace(in.AppName)
	if n := utf8.RuneCountInString(in.AppName); n == 0 || n > 40 || strings.ContainsAny(in.AppName, "<>\r\n") {
		v.Add("app_name", "error.branding_app_name")
	}
	for field, c := range map[string]*string{"primary": &in.Primary, "on_primary": &in.OnPrimary, "accent": &in.Accent,
		"background": &in.Background, "text": &in.Text} {
		*c = strings.ToLower(strings.TrimSpace(*c))
		if !hexColor.MatchString(*c) {
			v.Add(field, "error.branding_color")
		}
	}
	if v.Fields["primary"] == "" && v.Fields["on_primary"] == "" && Contrast(in.Primary, in.OnPrimary) < MinContrast {
		v.Add("on_primary", "error.branding_contrast")
	}
	if v.Fields["background"] == "" && v.Fields["text"] == "" && Contrast(in.Background, in.Text) < MinContrast {
		v.Add("text", "error.branding_contrast")
	}
	in.WelcomeID, in.WelcomeEN = strings.TrimSpace(in.WelcomeID), strings.TrimSpace(in.WelcomeEN)
	if utf8.RuneCountInString(in.WelcomeID) > 600 || !utf8.ValidString(in.WelcomeID) {
		v.Add("welcome_id", "error.too_long")
	}
	if utf8.RuneCountInString(in.WelcomeEN) > 600 || !utf8.ValidString(in.WelcomeEN) {
		v.Add("welcome_en", "error.too_long")
	}
	return in, v.Err()
}

// Contrast is the WCAG 2 contrast ratio of two #rrggbb colours (1 to 21).
func Contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c string) float64 {
	if !hexColor.MatchString(c) {
		return 0
	}
	ch := func(i int) float64 {
		v, _ := strconv.ParseUint(c[i:i+2], 16, 8)
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(1) + 0.7152*ch(3) + 0.0722*ch(5)
}

// Logo limits: small enough for a header on a cheap phone.
const (
	MaxLogoBytes = 256 << 10
	MaxLogoSide  = 1024
)

// CleanLogo checks an uploaded logo by its bytes: an SVG is rebuilt from
// an allow-list of elements and attributes (no scripts, no event handlers,
// no references outside the document); a PNG is decoded and re-encoded
// (dropping any text chunks). Anything else is refused.
func CleanLogo(data []byte) (contentType string, clean []byte, err error) {
	if len(data) == 0 || len(data) > MaxLogoBytes {
		return "", nil, apperr.Invalid("logo", "error.branding_logo_size")
	}
	if bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide || cfg.Width == 0 || cfg.Height == 0 {
			return "", nil, apperr.Invalid("logo", "error.branding_logo")
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return "", nil, apperr.Invalid("logo", "error.branding_logo")
		}
		var out bytes.Buffer
		if err := png.Encode(&out, img); err != nil {
			return "", nil, fmt.Errorf("encode logo: %w", err)
		}
		if out.Len() > MaxLogoBytes {
			return "", nil, apperr.Invalid("logo", "error.branding_logo_size")
		}
		return "image/png", out.Bytes(), nil
	}
	svg, err := SanitizeSVG(data)
	if err != nil {
		return "", nil, apperr.Invalid("logo", "error.branding_logo")
	}
	return "image/svg+xml", svg, nil
}

// putDraftLogo stores a cleaned logo as the tenant's draft (shown only in
// the branding preview) and returns its hash.
func (a *Admin) putDraftLogo(ctx context.Context, tenantID uuid.UUID, contentType string, data []byte) (string, error) {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tenant_logos (tenant_id, slot, content_type, data, sha256) VALUES (?, 'draft', ?, ?, ?)
			ON CONFLICT (tenant_id, slot) DO UPDATE SET content_type = EXCLUDED.content_type, data = EXCLUDED.data,
				sha256 = EXCLUDED.sha256, updated_at = now()`, tenantID, contentType, data, h)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store draft logo: %w", err)
	}
	return h, nil
}

// logo returns the tenant's logo in slot ("live" or "draft"), or
// apperr.ErrNotFound.
func (a *Admin) logo(ctx context.Context, tenantID uuid.UUID, slot string) (contentType string, data []byte, err error) {
	err = db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT content_type, data FROM tenant_logos WHERE slot = ?", slot).Scan(&contentType, &data)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, apperr.ErrNotFound
	}
	if err != nil {
		return "", nil, fmt.Errorf("load logo: %w", err)
	}
	return contentType, data, nil
}

// saveBranding stores the checked branding: the app name on the tenant
// row, colours and welcome texts under settings.branding (other settings
// keys are left as they are, including keys this build does not know),
// and, when useDraftLogo, the previewed draft logo goes live. The change
// is an admin audit event.
func (a *Admin) saveBranding(ctx context.Context, tenantID, actorID uuid.UUID, in BrandingInput, useDraftLogo bool) error {
	in, err := CheckBranding(in)
	if err != nil {
		return err
	}
	err = db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var cur string
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(settings->>'branding', '{}') FROM tenants WHERE id = ? FOR UPDATE", tenantID).Scan(&cur); err != nil {
			return fmt.Errorf("load branding: %w", err)
		}
		var b Branding
		_ = json.Unmarshal([]byte(cur), &b)
		b.Primary, b.OnPrimary, b.Accent, b.Background, b.Text = in.Primary, in.OnPrimary, in.Accent, in.Background, in.Text
		b.WelcomeID, b.WelcomeEN = in.WelcomeID, in.WelcomeEN
		if useDraftLogo {
			var sha string
			err := tx.QueryRowContext(ctx, `INSERT INTO tenant_logos (tenant_id, slot, content_type, data, sha256)
				SELECT tenant_id, 'live', content_type, data, sha256 FROM tenant_logos WHERE slot = 'draft'
				ON CONFLICT (tenant_id, slot) DO UPDATE SET content_type = EXCLUDED.content_type, data = EXCLUDED.data,
					sha256 = EXCLUDED.sha256, updated_at = now()
				RETURNING sha256`).Scan(&sha)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Invalid("logo", "error.branding_no_draft")
			}
			if err != nil {
				return fmt.Errorf("promote logo: %w", err)
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM tenant_logos WHERE slot = 'draft'"); err != nil {
				return fmt.Errorf("drop draft logo: %w", err)
			}
			b.Logo = sha
		}
		raw, err := json.Marshal(b)
		if err != nil {
			return err
		}
		// jsonb_set keeps every other key of settings as stored.
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET app_name = ?, settings = jsonb_set(coalesce(settings, '{}'), '{branding}', ?::jsonb),
				updated_at = now() WHERE id = ?`, in.AppName, string(raw), tenantID); err != nil {
			return fmt.Errorf("save branding: %w", err)
		}
		return LogAdminEvent(ctx, tx, tenantID, actorID, "branding.update", in.AppName, map[string]any{
			"primary": in.Primary, "on_primary": in.OnPrimary, "accent": in.Accent, "background": in.Background,
			"text": in.Text, "logo_changed": useDraftLogo})
	})
	if err != nil {
		return fmt.Errorf("branding: %w", err)
	}
	return nil
}
