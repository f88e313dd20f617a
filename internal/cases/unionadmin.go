package cases

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// The union admin's operations that read or write cases along with the
// categories and workplaces tenant owns. Each runs as one transaction: the
// rows, checks and audit events of categories and workplaces are tenant's
// (tenant.LockCategoryMerge and FinishCategoryMerge, LockCategoryDelete
// and FinishCategoryDelete, LockWorkplaceMerge and FinishWorkplaceMerge,
// CategoryTree), the case tables are read and written only here. Each
// checks its caller first (allowAdmin), as tenant.Admin's methods do.

// allowAdmin checks that p, a staff member, may do act on obj union-wide:
// tenant.Allow, the one check every union-admin service starts with.
func (s *Service) allowAdmin(ctx context.Context, t *tenant.Tenant, p *auth.Principal, obj, act string) error {
	_, _, err := tenant.Allow(ctx, s.authz, t, p, obj, act)
	return err
}

// AdminCategory is a category as the admin pages show it, with how many
// cases use it.
type AdminCategory struct {
	tenant.AdminCategory
	Cases int
}

// AdminCategories lists every category of the union, hidden and merged
// ones included, parents before their children, each with how many cases
// use it (category:read).
func (s *Service) AdminCategories(ctx context.Context, t *tenant.Tenant, p *auth.Principal) ([]AdminCategory, error) {
	if err := s.allowAdmin(ctx, t, p, "category", "read"); err != nil {
		return nil, err
	}
	var out []AdminCategory
	err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		cats, err := tenant.CategoryTree(ctx, tx)
		if err != nil {
			return err
		}
		var counts []struct {
			CategoryID uuid.UUID `bun:"category_id"`
			N          int       `bun:"n"`
		}
		if err := tx.NewRaw(`SELECT category_id, count(*) AS n FROM cases WHERE category_id IS NOT NULL GROUP BY 1`).Scan(ctx, &counts); err != nil {
			return fmt.Errorf("count cases per category: %w", err)
		}
		n := make(map[uuid.UUID]int, len(counts))
		for _, c := range counts {
			n[c.CategoryID] = c.N
		}
		out = make([]AdminCategory, len(cats))
		for i := range cats {
			out[i] = AdminCategory{AdminCategory: cats[i], Cases: n[cats[i].ID]}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	return out, nil
}

// AdminCategory returns one category with its handlers and case count
// (category:read).
func (s *Service) AdminCategory(ctx context.Context, t *tenant.Tenant, p *auth.Principal, id uuid.UUID) (*AdminCategory, error) {
	all, err := s.AdminCategories(ctx, t, p)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return nil, apperr.ErrNotFound
}

// DeleteCategory removes a category nobody ever used (category:delete). A
// category named by a case or a classifier suggestion, or with children,
// confirmed labels or a merge pointing at it, can only be hidden: deleting
// it would rewrite history.
func (s *Service) DeleteCategory(ctx context.Context, t *tenant.Tenant, p *auth.Principal, id uuid.UUID) error {
	if err := s.allowAdmin(ctx, t, p, "category", "delete"); err != nil {
		return err
	}
	err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		cat, err := tenant.LockCategoryDelete(ctx, tx, id)
		if err != nil {
			return err
		}
		var used bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM cases c WHERE c.category_id = ?)
				OR EXISTS (SELECT 1 FROM case_suggestions s WHERE s.category_slug = ?)`, cat.ID, cat.Slug).Scan(&used); err != nil {
			return fmt.Errorf("check category use: %w", err)
		}
		if used {
			return tenant.ErrCategoryInUse
		}
		return tenant.FinishCategoryDelete(ctx, tx, t.ID, p.UserID, cat)
	})
	if err != nil {
		return fmt.Errorf("delete category: %w", err)
	}
	return nil
}

// MergeWorkplaces folds a duplicate workplace (typically one a worker
// typed) into another as one operation (workplace:merge): its cases move
// here, its users and branches in tenant.FinishWorkplaceMerge. It returns
// how many rows moved per table (cases, users, branches).
func (s *Service) MergeWorkplaces(ctx context.Context, t *tenant.Tenant, p *auth.Principal, fromID, intoID uuid.UUID) (map[string]int64, error) {
	if err := s.allowAdmin(ctx, t, p, "workplace", "merge"); err != nil {
		return nil, err
	}
	moved := map[string]int64{}
	err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		from, into, err := tenant.LockWorkplaceMerge(ctx, tx, fromID, intoID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE cases SET workplace_id = ?, updated_at = now() WHERE workplace_id = ?", into.ID, from.ID)
		if err != nil {
			return fmt.Errorf("move cases: %w", err)
		}
		moved["cases"], _ = res.RowsAffected()
		return tenant.FinishWorkplaceMerge(ctx, tx, t.ID, p.UserID, from, into, moved)
	})
	if err != nil {
		return nil, fmt.Errorf("merge workplaces: %w", err)
	}
	return moved, nil
}

// MergeCategories folds category from into into as one operation: the
// checks and the category rows are tenant's (LockCategoryMerge,
// FinishCategoryMerge), the cases move here, each with an internal
// timeline event, all in one transaction. It needs category:merge at the
// union's root and returns how many cases moved.
func (s *Service) MergeCategories(ctx context.Context, t *tenant.Tenant, p *auth.Principal, fromID, intoID uuid.UUID) (int, error) {
	if err := s.allowAdmin(ctx, t, p, "category", "merge"); err != nil {
		return 0, err
	}
	moved := 0
	err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		from, into, err := tenant.LockCategoryMerge(ctx, tx, fromID, intoID)
		if err != nil {
			return err
		}
		if moved, err = s.moveCategoryCases(ctx, tx, from, into, p.UserID); err != nil {
			return fmt.Errorf("move cases: %w", err)
		}
		return tenant.FinishCategoryMerge(ctx, tx, t.ID, p.UserID, from, into, moved)
	})
	if err != nil {
		return 0, fmt.Errorf("merge categories: %w", err)
	}
	return moved, nil
}

// moveCategoryCases moves every case of from into into inside tx, with an
// internal timeline event on each.
func (s *Service) moveCategoryCases(ctx context.Context, tx bun.Tx, from, into *tenant.Category, actorID uuid.UUID) (int, error) {
	var ids []uuid.UUID
	if err := tx.NewSelect().Table("cases").Column("id").Where("category_id = ?", from.ID).Order("created_at", "id").Scan(ctx, &ids); err != nil {
		return 0, fmt.Errorf("list cases of %s: %w", from.Slug, err)
	}
	for _, id := range ids {
		c, err := loadCase(ctx, tx, id)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET category_id = ?, updated_at = now() WHERE id = ?", into.ID, id); err != nil {
			return 0, fmt.Errorf("move case: %w", err)
		}
		if _, err := s.addEvent(ctx, tx, c, EventCategoryMerged, actorID.String(), VisibilityInternal,
			map[string]any{"from": from.Slug, "to": into.Slug}); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
