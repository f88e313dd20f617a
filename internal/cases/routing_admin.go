package cases

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

// RoutingRuleRow is a routing rule as the admin pages list it, with names.
type RoutingRuleRow struct {
	RoutingRule
	Category  string    `json:"category,omitempty" bun:"category"`
	Workplace string    `json:"workplace,omitempty" bun:"workplace"`
	Branch    string    `json:"branch,omitempty" bun:"branch"`
	Officer   string    `json:"officer,omitempty" bun:"officer"`
	CreatedAt time.Time `json:"created_at" bun:"created_at"`
}

// RoutingRules lists the tenant's routing rules in the order they are
// tried; it needs tenant_settings read at the root (federation admins).
func (s *Service) RoutingRules(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string) ([]RoutingRuleRow, error) {
	if err := s.authz.Check(ctx, p, slug, "tenant_settings", "read"); err != nil {
		return nil, err
	}
	out := []RoutingRuleRow{}
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewRaw(`SELECT r.tenant_id, r.id, r.category_id, r.workplace_id, r.branch_id, r.officer_id, r.priority, r.created_at,
				coalesce(c.name_id, '') AS category, coalesce(w.company || CASE WHEN w.name <> '' THEN ' — ' || w.name ELSE '' END, '') AS workplace,
				coalesce(b.name, '') AS branch, coalesce(u.name, '') AS officer
			FROM routing_rules r
			LEFT JOIN categories c ON c.tenant_id = r.tenant_id AND c.id = r.category_id
			LEFT JOIN workplaces w ON w.tenant_id = r.tenant_id AND w.id = r.workplace_id
			LEFT JOIN branches b ON b.tenant_id = r.tenant_id AND b.id = r.branch_id
			LEFT JOIN users u ON u.tenant_id = r.tenant_id AND u.id = r.officer_id
			ORDER BY (r.category_id IS NOT NULL)::int + (r.workplace_id IS NOT NULL)::int DESC, r.priority, r.created_at`).Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("routing rules: %w", err)
	}
	return out, nil
}

// DeleteRoutingRule removes a rule (tenant_settings update, as adding).
func (s *Service) DeleteRoutingRule(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string, id uuid.UUID) error {
	if err := s.authz.Check(ctx, p, slug, "tenant_settings", "update"); err != nil {
		return err
	}
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Table("routing_rules").Where("id = ?", id).Exec(ctx)
		if err != nil {
			return fmt.Errorf("delete routing rule: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrNotFound
		}
		return nil
	})
}

// StaffConflict is a recorded conflict of interest.
type StaffConflict struct {
	UserID      uuid.UUID `json:"user_id" bun:"user_id"`
	Name        string    `json:"name" bun:"name"`
	WorkplaceID uuid.UUID `json:"workplace_id" bun:"workplace_id"`
	Workplace   string    `json:"workplace" bun:"workplace"`
	Reason      string    `json:"reason" bun:"reason"`
	CreatedAt   time.Time `json:"created_at" bun:"created_at"`
}

// StaffConflicts lists the tenant's conflicts of interest (staff
// assign_role at the root, as adding them).
func (s *Service) StaffConflicts(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string) ([]StaffConflict, error) {
	if err := s.authz.Check(ctx, p, slug, "staff", "assign_role"); err != nil {
		return nil, err
	}
	out := []StaffConflict{}
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewRaw(`SELECT sc.user_id, u.name, sc.workplace_id, w.company || CASE WHEN w.name <> '' THEN ' — ' || w.name ELSE '' END AS workplace,
				sc.reason, sc.created_at
			FROM staff_conflicts sc JOIN users u ON u.tenant_id = sc.tenant_id AND u.id = sc.user_id
			JOIN workplaces w ON w.tenant_id = sc.tenant_id AND w.id = sc.workplace_id
			ORDER BY u.name, w.company`).Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("staff conflicts: %w", err)
	}
	return out, nil
}

// DeleteStaffConflict removes a conflict of interest.
func (s *Service) DeleteStaffConflict(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string, userID, workplaceID uuid.UUID) error {
	if err := s.authz.Check(ctx, p, slug, "staff", "assign_role"); err != nil {
		return err
	}
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Table("staff_conflicts").Where("user_id = ? AND workplace_id = ?", userID, workplaceID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("delete staff conflict: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrNotFound
		}
		return nil
	})
}
