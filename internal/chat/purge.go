package chat

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
)

// Retention of what chat intake keeps when a conversation does not finish.
const (
	// SessionMaxIdle: an abandoned conversation (and the sealed address in
	// it) is deleted after this long without a message.
	SessionMaxIdle = 7 * 24 * time.Hour
	// ReplyMaxAge: a reply the provider never accepted has its sealed
	// address and text wiped after this long (WhatsApp's customer-service
	// window is 24 hours anyway); its status and error stay.
	ReplyMaxAge = 3 * 24 * time.Hour
	// InboundMaxAge: message-id hashes are kept this long (providers
	// retry for at most 7 days).
	InboundMaxAge = 30 * 24 * time.Hour
)

// PurgeReport counts what a purge removed.
type PurgeReport struct {
	Sessions, Replies, Inbound int64
}

// Purge deletes abandoned sessions, wipes undeliverable replies and drops
// old message-id hashes, for every tenant (the chat_purge job).
func (s *Service) Purge(ctx context.Context) (PurgeReport, error) {
	var rep PurgeReport
	now := s.Now().UTC()
	var tenants []uuid.UUID
	if err := s.db.NewSelect().Table("tenants").Column("id").Scan(ctx, &tenants); err != nil {
		return rep, wrap("list tenants", err)
	}
	for _, tid := range tenants {
		err := db.InTenantTx(ctx, s.db, tid, func(ctx context.Context, tx bun.Tx) error {
			r, err := tx.ExecContext(ctx, "DELETE FROM chat_sessions WHERE updated_at < ?", now.Add(-SessionMaxIdle))
			if err != nil {
				return err
			}
			n, _ := r.RowsAffected()
			rep.Sessions += n
			r, err = tx.ExecContext(ctx, `UPDATE chat_outbox SET status = 'failed', key_id = NULL, wrapped_key = NULL, nonce = NULL, ciphertext = NULL,
				last_error = CASE WHEN last_error = '' THEN 'expired' ELSE last_error END
				WHERE status <> 'delivered' AND ciphertext IS NOT NULL AND created_at < ?`, now.Add(-ReplyMaxAge))
			if err != nil {
				return err
			}
			n, _ = r.RowsAffected()
			rep.Replies += n
			r, err = tx.ExecContext(ctx, "DELETE FROM chat_inbound WHERE received_at < ?", now.Add(-InboundMaxAge))
			if err != nil {
				return err
			}
			n, _ = r.RowsAffected()
			rep.Inbound += n
			return nil
		})
		if err != nil {
			return rep, wrap("purge chat intake", err)
		}
	}
	return rep, nil
}
