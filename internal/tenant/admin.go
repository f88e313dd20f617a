package tenant

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
)

// Admin owns what a tenant's admins change about their union: categories,
// branches, workplaces and the admin audit log. Every exported method
// takes the caller and asks the authorizer first (admin_access.go); every
// method runs in its own tenant transaction and records what changed in
// admin_events.
type Admin struct {
	db    *bun.DB
	authz Authorizer
}

// NewAdmin returns the tenant administration service over bdb, asking
// authz before each call (nil refuses every caller).
func NewAdmin(bdb *bun.DB, authz Authorizer) *Admin { return &Admin{db: bdb, authz: authz} }

// AdminEvent is one entry of a tenant's admin audit log.
type AdminEvent struct {
	ID        int64           `json:"id"`
	ActorID   *uuid.UUID      `json:"actor_id"`
	Kind      string          `json:"kind"`
	Subject   string          `json:"subject"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"created_at"`
}

// LogAdminEvent appends to the tenant's admin audit log inside tx. Other
// packages (exports, branding) call it so each change and its log entry
// commit together.
func LogAdminEvent(ctx context.Context, tx bun.IDB, tenantID, actorID uuid.UUID, kind, subject string, payload any) error {
	if payload == nil {
		payload = map[string]any{}
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode admin event: %w", err)
	}
	var actor *uuid.UUID
	if actorID != uuid.Nil {
		actor = &actorID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO admin_events (tenant_id, actor_id, kind, subject, payload) VALUES (?, ?, ?, ?, ?)`,
		tenantID, actor, kind, subject, string(b))
	if err != nil {
		return fmt.Errorf("log admin event %s: %w", kind, err)
	}
	return nil
}

// adminEvents returns the newest entries of the tenant's admin log.
func (a *Admin) adminEvents(ctx context.Context, tenantID uuid.UUID, limit int) ([]AdminEvent, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	out := []AdminEvent{} // an empty log is [], not null
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, actor_id, kind, subject, payload::text, created_at
			FROM admin_events ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e AdminEvent
			var payload string
			if err := rows.Scan(&e.ID, &e.ActorID, &e.Kind, &e.Subject, &payload, &e.CreatedAt); err != nil {
				return err
			}
			e.Payload = json.RawMessage(payload)
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list admin events: %w", err)
	}
	return out, nil
}
