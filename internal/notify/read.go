package notify

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
)

// Authorizer decides whether a principal may act on an object in a branch
// (Casbin, see internal/auth).
type Authorizer interface {
	Check(ctx context.Context, p *auth.Principal, domain, obj, act string) error
}

// checkAdmin lets federation admins (tenant_settings at the tenant root)
// see delivery status and change settings.
func (s *Service) checkAdmin(ctx context.Context, p *auth.Principal, tenantID uuid.UUID, slug, act string) error {
	if p == nil {
		return apperr.ErrUnauthorized
	}
	if p.TenantID != tenantID || !p.IsStaff() || s.Authz == nil {
		return apperr.ErrForbidden
	}
	return s.Authz.Check(ctx, p, slug, "tenant_settings", act)
}

// Item is an in-app notification as its recipient sees it.
type Item struct {
	ID        uuid.UUID  `json:"id"`
	CaseID    *uuid.UUID `json:"case_id,omitempty"`
	Reference string     `json:"reference"`
	Kind      string     `json:"kind"`
	Text      string     `json:"text"`
	Link      string     `json:"link"`
	Read      bool       `json:"read"`
	CreatedAt time.Time  `json:"created_at"`
}

// MaxItems bounds one list.
const MaxItems = 100

// items renders rows for a reader in locale ("" = each row's own).
func (s *Service) items(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, locale string, rows []row) ([]Item, error) {
	st, err := loadSettings(ctx, tx, tenantID)
	if err != nil {
		return nil, err
	}
	var app string
	if err := tx.QueryRowContext(ctx, "SELECT app_name FROM tenants WHERE id = ?", tenantID).Scan(&app); err != nil {
		return nil, fmt.Errorf("tenant name: %w", err)
	}
	out := make([]Item, len(rows))
	for i, r := range rows {
		loc := locale
		if loc == "" {
			loc = r.Locale
		}
		out[i] = Item{ID: r.ID, CaseID: r.CaseID, Reference: r.Reference, Kind: r.Trigger, Link: r.Link,
			Read: r.ReadAt != nil, CreatedAt: r.CreatedAt,
			Text: render(st.text(loc, r.Template), r.Reference, r.Link, app)}
	}
	return out, nil
}

// Inbox lists the signed-in account's in-app notifications, unread
// critical alarms first (an anonymous case's alarm carries its hour, not
// its minute, and must not sink below the hour's later news), then newest
// first, the unread first among those of the same moment (an anonymous
// case's notices all carry its hour):
// those addressed to the account, and those on the cases it reported
// without its id being stored (confidential reports; ReporterCases lists
// them).
func (s *Service) Inbox(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, locale string, limit int) ([]Item, error) {
	if p == nil || p.TenantID != tenantID {
		return nil, apperr.ErrUnauthorized
	}
	if limit <= 0 || limit > MaxItems {
		limit = MaxItems
	}
	var mine []uuid.UUID
	if s.ReporterCases != nil && !p.IsStaff() {
		var err error
		if mine, err = s.ReporterCases(ctx, tenantID, p); err != nil {
			return nil, fmt.Errorf("reporter cases: %w", err)
		}
	}
	var out []Item
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var rows []row
		q := tx.NewSelect().Model(&rows).Where("channel = 'in_app'").WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where("recipient_user_id = ?", p.UserID)
			if len(mine) > 0 {
				q = q.WhereOr("recipient_role = 'reporter' AND recipient_user_id IS NULL AND case_id IN (?)", bun.List(mine))
			}
			return q
		}).OrderExpr("critical AND read_at IS NULL DESC, created_at DESC, read_at IS NULL DESC, id DESC").Limit(int64(limit))
		if err := q.Scan(ctx); err != nil {
			return fmt.Errorf("list notifications: %w", err)
		}
		var err error
		out, err = s.items(ctx, tx, tenantID, locale, rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return out, nil
}

// MarkRead marks the account's in-app notifications read (all of them when
// ids is empty) and returns how many changed.
func (s *Service) MarkRead(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, ids []uuid.UUID) (int, error) {
	if p == nil || p.TenantID != tenantID {
		return 0, apperr.ErrUnauthorized
	}
	var n int64
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Table("outbox").Set("read_at = ?", storedAt(s.Now())).
			Where("channel = 'in_app' AND recipient_user_id = ? AND read_at IS NULL", p.UserID)
		if len(ids) > 0 {
			q = q.Where("id IN (?)", bun.List(ids))
		}
		res, err := q.Exec(ctx)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mark read: %w", err)
	}
	return int(n), nil
}

// ForCase lists the in-app notifications of a case's reporter when the
// reporter has no account on record (anonymous: the receipt page, whose
// code the caller has already checked).
func (s *Service) ForCase(ctx context.Context, tenantID, caseID uuid.UUID, locale string) ([]Item, error) {
	var out []Item
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var rows []row
		err := tx.NewSelect().Model(&rows).Where("channel = 'in_app' AND case_id = ? AND recipient_role = 'reporter' AND recipient_user_id IS NULL", caseID).
			OrderExpr("created_at DESC, id DESC").Limit(MaxItems).Scan(ctx)
		if err != nil {
			return fmt.Errorf("list case notifications: %w", err)
		}
		out, err = s.items(ctx, tx, tenantID, locale, rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("case notifications: %w", err)
	}
	return out, nil
}

// Delivery is an outbox row as admins see it: where it stands, never the
// recipient's address or a body.
type Delivery struct {
	ID            uuid.UUID  `json:"id"`
	Reference     string     `json:"reference"`
	Kind          string     `json:"kind"`
	Channel       Channel    `json:"channel"`
	RecipientRole string     `json:"recipient_role"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	LastError     string     `json:"last_error,omitempty"`
	NotBefore     time.Time  `json:"not_before"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

// Deliveries lists outside-channel deliveries for federation admins,
// newest first, optionally by status (pending, delivered, failed, skipped).
func (s *Service) Deliveries(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug, status string, limit int) ([]Delivery, error) {
	switch status {
	case "", StatusPending, StatusDelivered, StatusFailed, StatusSkipped:
	default:
		return nil, apperr.Invalid("status", "error.invalid_choice")
	}
	if err := s.checkAdmin(ctx, p, tenantID, slug, "read"); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxItems {
		limit = MaxItems
	}
	var out []Delivery
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var rows []row
		q := tx.NewSelect().Model(&rows).Where("channel <> 'in_app'").OrderExpr("created_at DESC, id DESC").Limit(int64(limit))
		if status != "" {
			q = q.Where("status = ?", status)
		}
		if err := q.Scan(ctx); err != nil {
			return fmt.Errorf("list deliveries: %w", err)
		}
		out = make([]Delivery, len(rows))
		for i, r := range rows {
			out[i] = Delivery{ID: r.ID, Reference: r.Reference, Kind: r.Trigger, Channel: r.Channel, RecipientRole: r.RecipientRole,
				Status: r.Status, Attempts: r.Attempts, LastError: r.LastError, NotBefore: r.NotBefore,
				DeliveredAt: r.DeliveredAt, CreatedAt: r.CreatedAt}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	return out, nil
}
