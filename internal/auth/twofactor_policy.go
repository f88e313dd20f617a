package auth

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// Who must enrol in two-step verification before acting.
//
// The platform's setting security.require_2fa gives a TwoFactorPolicy:
//   - "on": every staff and platform account must enrol; a union cannot
//     turn it off (Forced).
//   - "auto" (the default): required in production, not in development;
//     each union's federation admins may choose otherwise for their staff.
//   - "off": not required by default; a union may still require it.
//
// A union's choice is settings.require_staff_2fa: unset follows the
// platform's default, true requires it, false does not (unless Forced).
// Platform accounts always follow the platform's default. Workers never
// need it.

// TwoFactorPolicy is the platform's rule.
type TwoFactorPolicy struct {
	// Default: accounts must enrol when their union chose nothing; platform
	// accounts always follow it.
	Default bool
	// Forced: every union's staff must enrol, whatever the union chose.
	Forced bool
}

// SetTwoFactorPolicy sets the platform's rule.
func (s *Service) SetTwoFactorPolicy(p TwoFactorPolicy) { s.twoFA = p }

// Staff2FA is where a union's rule stands.
type Staff2FA struct {
	// Required: the union's staff must enrol before they act.
	Required bool `json:"required"`
	// Forced: the platform requires it of every union.
	Forced bool `json:"forced"`
	// PlatformDefault applies while the union has made no choice (Chosen nil).
	PlatformDefault bool  `json:"platform_default"`
	Chosen          *bool `json:"chosen"`
}

// Staff2FAFor is the rule for a union with settings st.
func (s *Service) Staff2FAFor(st tenant.Settings) Staff2FA {
	r := Staff2FA{Forced: s.twoFA.Forced, PlatformDefault: s.twoFA.Default, Chosen: st.RequireStaff2FA}
	switch {
	case s.twoFA.Forced:
		r.Required = true
	case st.RequireStaff2FA != nil:
		r.Required = *st.RequireStaff2FA
	default:
		r.Required = s.twoFA.Default
	}
	return r
}

// MustEnrol reports whether a staff account of t (nil: a platform
// account) without two-factor login must enrol before acting.
func (s *Service) MustEnrol(t *tenant.Tenant, enrolled bool) bool {
	if enrolled {
		return false
	}
	if t == nil {
		return s.twoFA.Default
	}
	return s.staffMust2FA(t)
}

// staffMust2FA reports whether t's staff must enrol before acting.
func (s *Service) staffMust2FA(t *tenant.Tenant) bool {
	return s.Staff2FAFor(t.Settings).Required
}

// AdminEventStaff2FA is the admin audit kind of a change to the union's
// two-step verification rule.
const AdminEventStaff2FA = "settings.staff_two_factor"

// Staff2FASetting reads the union's rule as stored now (the resolver's
// copy may be minutes old), for those who may read its settings.
func (s *Service) Staff2FASetting(ctx context.Context, by *Principal, t *tenant.Tenant) (Staff2FA, error) {
	st, err := tenant.NewAdmin(s.db, s.authz).Settings(ctx, t, by)
	if err != nil {
		return Staff2FA{}, err
	}
	return s.Staff2FAFor(st), nil
}

// SetStaff2FA records the union's choice whether its staff must enrol in
// two-step verification (tenant_security update, held at the union's root:
// federation admins). Turning it on puts every open session of a staff
// member not yet enrolled back to "finish two-step verification first";
// turning it off lifts that. Turning it off while the platform forces it
// is refused. The change is logged with the previous choice.
func (s *Service) SetStaff2FA(ctx context.Context, by *Principal, t *tenant.Tenant, on bool) error {
	if err := s.authz.Check(ctx, by, t.Slug, "tenant_security", "update"); err != nil {
		return err
	}
	if !on && s.twoFA.Forced {
		return &apperr.FieldConflict{Field: "required", Key: "error.staff_2fa_forced"}
	}
	err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		var prev *string // JSON as stored: null when the union chose nothing
		if err := tx.QueryRowContext(ctx, "SELECT settings->'require_staff_2fa' FROM tenants WHERE id = ? FOR UPDATE", t.ID).Scan(&prev); err != nil {
			return fmt.Errorf("load 2fa setting: %w", db.MapError(err))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET settings = jsonb_set(coalesce(settings, '{}'), '{require_staff_2fa}', to_jsonb(?::boolean)),
				updated_at = now() WHERE id = ?`, on, t.ID); err != nil {
			return fmt.Errorf("save 2fa setting: %w", err)
		}
		// Open sessions follow at once (RLS keeps this to the union).
		if _, err := tx.ExecContext(ctx, `UPDATE auth_tokens SET pending_2fa = ? WHERE pending_2fa <> ?
				AND user_id IN (SELECT id FROM users WHERE kind = 'staff' AND NOT totp_enabled)`, on, on); err != nil {
			return fmt.Errorf("sessions owing 2fa: %w", err)
		}
		payload := map[string]any{"required": on, "previous": nil}
		if prev != nil {
			payload["previous"] = json.RawMessage(*prev)
		}
		return tenant.LogAdminEvent(ctx, tx, t.ID, by.UserID, AdminEventStaff2FA, fmt.Sprintf("required=%t", on), payload)
	})
	if err != nil {
		return fmt.Errorf("staff 2fa: %w", err)
	}
	return nil
}
