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
