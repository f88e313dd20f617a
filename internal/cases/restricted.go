package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// Restricted categories (sexual harassment, for instance) hide their cases
// from every staff member but the officers named for the category and the
// federation admins. The rule is applied in two places that must agree:
// roleOf (one case: Get, messages, evidence) and RestrictedVisible (lists:
// queue, search, dashboards, exports).

// EventCategoryMerged is written on a case whose category was merged into
// another by an admin.
const EventCategoryMerged = "category_merged"

// restriction is what roleOf needs about a case's category.
type restriction struct {
	restricted bool
	handlers   []uuid.UUID
}

// RestrictedVisible returns a SQL predicate over the cases table aliased
// alias, true for the cases userID may see as far as restricted categories
// go, with its arguments. Use it with bun as q.Where(pred, args...). It
// adds to, never replaces, the branch scope.
func RestrictedVisible(alias string, userID uuid.UUID) (string, []any) {
	pred := fmt.Sprintf(`(%[1]s.category_id IS NULL
		OR NOT EXISTS (SELECT 1 FROM categories rk WHERE rk.tenant_id = %[1]s.tenant_id AND rk.id = %[1]s.category_id AND rk.restricted)
		OR EXISTS (SELECT 1 FROM category_handlers rh WHERE rh.tenant_id = %[1]s.tenant_id AND rh.category_id = %[1]s.category_id AND rh.user_id = ?)
		OR EXISTS (SELECT 1 FROM memberships rm WHERE rm.tenant_id = %[1]s.tenant_id AND rm.user_id = ? AND rm.role = 'federation_admin'))`, alias)
	return pred, []any{userID, userID}
}

// loadRestriction reads whether c's category is restricted and who is
// named for it, in the caller's transaction.
func loadRestriction(ctx context.Context, tx bun.Tx, c *Case) error {
	c.restriction = &restriction{}
	if c.CategoryID == nil {
		return nil
	}
	var handlers []string
	err := tx.QueryRowContext(ctx, `SELECT k.restricted,
			coalesce(array(SELECT h.user_id::text FROM category_handlers h WHERE h.category_id = k.id), '{}')
		FROM categories k WHERE k.id = ?`, *c.CategoryID).Scan(&c.restriction.restricted, pgdialect.Array(&handlers))
	if err != nil {
		return fmt.Errorf("load category restriction: %w", err)
	}
	for _, h := range handlers {
		if id, err := uuid.Parse(h); err == nil {
			c.restriction.handlers = append(c.restriction.handlers, id)
		}
	}
	return nil
}

// mayHandleRestricted reports whether staff member p may see c as far as
// its category's restriction goes.
func (s *Service) mayHandleRestricted(ctx context.Context, p *auth.Principal, c *Case) (bool, error) {
	if c.restriction == nil || !c.restriction.restricted {
		return true, nil
	}
	if slices.Contains(c.restriction.handlers, p.UserID) {
		return true, nil
	}
	// Federation admins are the ones who may change categories at the
	// tenant root (the policy grants that to federation_admin only, the
	// role RestrictedVisible names).
	root, _, _ := strings.Cut(c.BranchPath, "/")
	switch err := s.authz.Check(ctx, p, root, "category", "update"); {
	case err == nil:
		return true, nil
	case errors.Is(err, apperr.ErrForbidden):
		return false, nil
	default:
		return false, err
	}
}

// MergeCategories folds category from into into as one operation: the
// checks and the category rows are tenant's (LockCategoryMerge,
// FinishCategoryMerge), the cases move here, each with an internal
// timeline event, all in one transaction. It needs category:merge at the
// union's root and returns how many cases moved.
func (s *Service) MergeCategories(ctx context.Context, t *tenant.Tenant, p *auth.Principal, fromID, intoID uuid.UUID) (int, error) {
	if err := s.authz.Check(ctx, p, t.Slug, "category", "merge"); err != nil {
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
