package notify

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
)

// inboxScope limits an outbox query to the account's inbox as Inbox lists
// it: rows addressed to the account, and reporter rows of the cases it
// reported without its id being stored (mine).
func inboxScope(q bun.QueryBuilder, p *auth.Principal, mine []uuid.UUID) bun.QueryBuilder {
	return q.Where("channel = 'in_app'").WhereGroup(" AND ", func(q bun.QueryBuilder) bun.QueryBuilder {
		q = q.Where("recipient_user_id = ?", p.UserID)
		if len(mine) > 0 {
			q = q.WhereOr("recipient_role = 'reporter' AND recipient_user_id IS NULL AND case_id IN (?)", bun.List(mine))
		}
		return q
	})
}

// reporterCases lists the cases p reported (for its confidential rows).
func (s *Service) reporterCases(ctx context.Context, tenantID uuid.UUID, p *auth.Principal) ([]uuid.UUID, error) {
	if s.ReporterCases == nil || p.IsStaff() {
		return nil, nil
	}
	mine, err := s.ReporterCases(ctx, tenantID, p)
	if err != nil {
		return nil, fmt.Errorf("reporter cases: %w", err)
	}
	return mine, nil
}

// Unread counts the account's unread in-app notifications (the badge on
// every page's "Notifications" link), up to MaxItems.
func (s *Service) Unread(ctx context.Context, tenantID uuid.UUID, p *auth.Principal) (int, error) {
	if p == nil || p.TenantID != tenantID {
		return 0, apperr.ErrUnauthorized
	}
	mine, err := s.reporterCases(ctx, tenantID, p)
	if err != nil {
		return 0, err
	}
	var n int
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Table("outbox").Column("id").Where("read_at IS NULL").Limit(MaxItems)
		q = inboxScope(q.QueryBuilder(), p, mine).Unwrap().(*bun.SelectQuery)
		k, err := tx.NewSelect().TableExpr("(?) AS u", q).Count(ctx)
		n = int(k)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("unread notifications: %w", err)
	}
	return n, nil
}

// MarkInboxRead marks every notification of the account's inbox read,
// including those of its confidential cases (which carry no account id,
// so MarkRead does not reach them), and returns how many changed.
func (s *Service) MarkInboxRead(ctx context.Context, tenantID uuid.UUID, p *auth.Principal) (int, error) {
	if p == nil || p.TenantID != tenantID {
		return 0, apperr.ErrUnauthorized
	}
	mine, err := s.reporterCases(ctx, tenantID, p)
	if err != nil {
		return 0, err
	}
	var n int64
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Table("outbox").Set("read_at = ?", storedAt(s.Now())).Where("read_at IS NULL")
		q = inboxScope(q.QueryBuilder(), p, mine).Unwrap().(*bun.UpdateQuery)
		res, err := q.Exec(ctx)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mark inbox read: %w", err)
	}
	return int(n), nil
}
