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

// Settings reads the tenant's settings as stored now: the resolver's copy
// may be minutes old, and a settings page must show what it just saved.
func (a *Admin) Settings(ctx context.Context, tenantID uuid.UUID) (Settings, error) {
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

// SetReopenWindow stores the tenant's reopen window (1–365 days) under
// settings.reopen_window_days, leaving every other key as stored, and logs
// the change with the previous value.
func (a *Admin) SetReopenWindow(ctx context.Context, tenantID, actorID uuid.UUID, days int) error {
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
