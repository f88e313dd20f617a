package tenant

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
)

// The reopen window is how many days after a resolution its reporter may
// still dispute it. A year at most: past that a dispute is a new case.
const (
	DefaultReopenWindowDays = 30
	MinReopenWindowDays     = 1
	MaxReopenWindowDays     = 365
)

// AdminEventReopenWindow is the admin audit kind of a reopen window change.
const AdminEventReopenWindow = "settings.reopen_window"

// ReopenWindow is the tenant's reopen window in days: its own, or the
// default when it set none.
func (s Settings) ReopenWindow() int {
	if s.ReopenWindowDays <= 0 {
		return DefaultReopenWindowDays
	}
	return s.ReopenWindowDays
}

// CheckReopenWindow refuses a window outside 1–365 days.
func CheckReopenWindow(days int) error {
	if days < MinReopenWindowDays || days > MaxReopenWindowDays {
		return apperr.Invalid("days", "error.reopen_window_days")
	}
	return nil
}

// settings reads the tenant's settings as stored now: the resolver's copy
// may be minutes old, and a settings page must show what it just saved.
func (a *Admin) settings(ctx context.Context, tenantID uuid.UUID) (Settings, error) {
	var st Settings
	var raw []byte
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT coalesce(settings, '{}') FROM tenants WHERE id = ?", tenantID).Scan(&raw)
	})
	if err != nil {
		return st, fmt.Errorf("load settings: %w", db.MapError(err))
	}
	// Keys of another type than this build expects (a newer build's) are
	// left at their zero value, as the resolver does.
	_ = json.Unmarshal(raw, &st)
	return st, nil
}

// setReopenWindow stores the tenant's reopen window (1–365 days) under
// settings.reopen_window_days, leaving every other key as stored, and logs
// the change with the previous value.
func (a *Admin) setReopenWindow(ctx context.Context, tenantID, actorID uuid.UUID, days int) error {
	if err := CheckReopenWindow(days); err != nil {
		return err
	}
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var prev *string // as stored, JSON: null when the tenant set none
		if err := tx.QueryRowContext(ctx, "SELECT settings->'reopen_window_days' FROM tenants WHERE id = ? FOR UPDATE", tenantID).Scan(&prev); err != nil {
			return fmt.Errorf("load reopen window: %w", db.MapError(err))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET settings = jsonb_set(coalesce(settings, '{}'), '{reopen_window_days}', to_jsonb(?::int)),
				updated_at = now() WHERE id = ?`, days, tenantID); err != nil {
			return fmt.Errorf("save reopen window: %w", err)
		}
		payload := map[string]any{"days": days, "previous": nil}
		if prev != nil {
			payload["previous"] = json.RawMessage(*prev)
		}
		return LogAdminEvent(ctx, tx, tenantID, actorID, AdminEventReopenWindow, strconv.Itoa(days), payload)
	})
	if err != nil {
		return fmt.Errorf("reopen window: %w", err)
	}
	return nil
}

// AdminEventAnalyticsSharing is the admin audit kind of a change to what
// the union shares with the platform's analysts.
const AdminEventAnalyticsSharing = "settings.analytics_sharing"

// sharingSQL reads both sharing switches the way the analytics read them
// (analytics_tenant_labels, the rollup): anything but JSON true is off.
const sharingSQL = `SELECT coalesce(settings -> 'analytics_anonymous' = 'true'::jsonb, false),
	coalesce(settings -> 'analytics_share_company' = 'true'::jsonb, false) FROM tenants WHERE id = ?`

// setAnalyticsSharing stores whether the union is shown as "Union A"...
// rather than by its short name (settings.analytics_anonymous) and whether
// its employers' names may appear (settings.analytics_share_company) in the
// platform's cross-union statistics, leaving every other key as stored, and
// logs the change with the previous values.
//
// The union's label is computed when analysts query, so anonymity applies at
// once. The company is written into the facts by the rollup, so when
// share_company changes the tenant's watermark goes back to the start: the
// next rollup re-reads every case and rewrites each fact with or without its
// company (it moves the cube's cells by each fact's difference, so re-reading
// is safe). Until then the queries hide the company of a union that shares
// none; a union that just opted in shows its companies once recounted.
func (a *Admin) setAnalyticsSharing(ctx context.Context, tenantID, actorID uuid.UUID, anonymous, shareCompany bool) error {
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var prevAnonymous, prevShare bool
		if err := tx.QueryRowContext(ctx, sharingSQL+" FOR UPDATE", tenantID).Scan(&prevAnonymous, &prevShare); err != nil {
			return fmt.Errorf("load analytics sharing: %w", db.MapError(err))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET settings = jsonb_set(jsonb_set(coalesce(settings, '{}'),
				'{analytics_anonymous}', to_jsonb(?::boolean)), '{analytics_share_company}', to_jsonb(?::boolean)),
				updated_at = now() WHERE id = ?`, anonymous, shareCompany, tenantID); err != nil {
			return fmt.Errorf("save analytics sharing: %w", err)
		}
		if shareCompany != prevShare {
			// No row yet means the rollup never ran for the tenant: it
			// will start from the beginning anyway.
			if _, err := tx.ExecContext(ctx, `UPDATE rollup_watermarks SET updated_at = '-infinity',
					case_id = '00000000-0000-0000-0000-000000000000' WHERE tenant_id = ?`, tenantID); err != nil {
				return fmt.Errorf("reset rollup watermark: %w", err)
			}
		}
		return LogAdminEvent(ctx, tx, tenantID, actorID, AdminEventAnalyticsSharing,
			fmt.Sprintf("anonymous=%t share_company=%t", anonymous, shareCompany), map[string]any{
				"anonymous": anonymous, "share_company": shareCompany,
				"previous": map[string]bool{"anonymous": prevAnonymous, "share_company": prevShare},
			})
	})
	if err != nil {
		return fmt.Errorf("analytics sharing: %w", err)
	}
	return nil
}
