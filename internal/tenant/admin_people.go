package tenant

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
)

// WorkerRow is a worker account as the admins' list shows it. It carries
// nothing about cases: who filed what, and in which safety mode, never
// shows here, so a confidential reporter is just a member like any other
// and anonymous reporters (who have no account) cannot appear at all.
type WorkerRow struct {
	ID           uuid.UUID `json:"id"`
	Name         string    `json:"name"`
	Phone        string    `json:"phone"`
	IsMember     bool      `json:"is_member"`
	MemberNumber string    `json:"member_number"`
	Sector       string    `json:"sector"`
	Workplace    string    `json:"workplace"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
}

// WorkerFilter narrows the worker list.
type WorkerFilter struct {
	Member *bool // nil: members and non-members
	Limit  int
	Offset int
}

// workers lists the tenant's worker accounts, newest first.
func (a *Admin) workers(ctx context.Context, tenantID uuid.UUID, f WorkerFilter) ([]WorkerRow, int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	var out []WorkerRow
	var total int
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		where, args := "u.kind = 'worker'", []any{}
		if f.Member != nil {
			where += " AND u.is_member = ?"
			args = append(args, *f.Member)
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users u WHERE "+where, args...).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT u.id, u.name, coalesce(u.phone, ''), u.is_member, u.member_number, u.sector,
				coalesce(w.company || CASE WHEN w.name <> '' THEN ' — ' || w.name ELSE '' END, ''), u.disabled_at IS NOT NULL, u.created_at
			FROM users u LEFT JOIN workplaces w ON w.tenant_id = u.tenant_id AND w.id = u.workplace_id
			WHERE `+where+` ORDER BY u.created_at DESC, u.id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r WorkerRow
			if err := rows.Scan(&r.ID, &r.Name, &r.Phone, &r.IsMember, &r.MemberNumber, &r.Sector, &r.Workplace, &r.Disabled, &r.CreatedAt); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list workers: %w", err)
	}
	return out, total, nil
}
