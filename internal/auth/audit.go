package auth

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"
)

// auditTx records an account action by an admin in the tenant's
// append-only admin_events log, in the action's own transaction.
func auditTx(ctx context.Context, tx bun.Tx, by *Principal, kind, subject string, payload map[string]any) error {
	if payload == nil {
		payload = map[string]any{}
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO admin_events (tenant_id, actor_id, kind, subject, payload) VALUES (?, ?, ?, ?, ?)`,
		by.TenantID, by.UserID, kind, subject, string(b)); err != nil {
		return fmt.Errorf("audit %s: %w", kind, err)
	}
	return nil
}
