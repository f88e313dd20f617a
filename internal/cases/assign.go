package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
)

// ErrConflictOfInterest refuses a handler linked to the case's workplace
// (staff_conflicts) or named as its reporter.
var ErrConflictOfInterest = &apperr.FieldConflict{Field: "officer_id", Key: "error.conflict_of_interest"}

// AssignInput moves a case to a branch, to an officer, or both.
type AssignInput struct {
	OfficerID string `json:"officer_id" form:"officer_id"`
	BranchID  string `json:"branch_id" form:"branch_id"`
	// Reason is required when staff assign a confidential case to
	// themselves: taking the case gives them the reporter's identity, so it
	// is a reveal and needs a reveal's written reason (selfassign.go).
	Reason string `json:"reason" form:"reason"`
}

// Assignment is where a case stands after an assignment.
type Assignment struct {
	BranchID   uuid.UUID  `json:"branch_id"`
	BranchPath string     `json:"branch"`
	OfficerID  *uuid.UUID `json:"officer_id,omitempty"`
}

// Assign gives a case to a branch and/or an officer. p needs case assign
// at the case's branch; a target branch must be in p's sub-tree (case
// assign there too); the officer must hold a staff role covering the
// case's (new) branch and have no conflict of interest with it. Moving a
// case to another branch without naming an officer leaves it unassigned
// there. One internal "assigned" event records it.
func (s *Service) Assign(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, in AssignInput) (*Assignment, error) {
	var officer, branch *uuid.UUID
	v := &apperr.Validation{}
	if o := strings.TrimSpace(in.OfficerID); o != "" {
		u, err := uuid.Parse(o)
		if err != nil {
			v.Add("officer_id", "error.invalid_choice")
		}
		officer = &u
	}
	if b := strings.TrimSpace(in.BranchID); b != "" {
		u, err := uuid.Parse(b)
		if err != nil {
			v.Add("branch_id", "error.invalid_choice")
		}
		branch = &u
	}
	if officer == nil && branch == nil {
		v.Add("officer_id", "error.required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *Assignment
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffCase(ctx, tx, p, id, "assign")
		if err != nil {
			return err
		}
		if IsFinal(c.Status) {
			return &apperr.FieldConflict{Field: "status", Key: "error.case_final"}
		}
		payload := map[string]any{"by": "staff", "from_branch": c.BranchPath}
		if c.AssignedTo != nil {
			payload["from_officer"] = c.AssignedTo.String()
		}
		if branch != nil && *branch != c.BranchID {
			var path string
			err := tx.NewSelect().Table("branches").Column("path").Where("id = ? AND closed_at IS NULL", *branch).Scan(ctx, &path)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Invalid("branch_id", "error.invalid_choice")
			} else if err != nil {
				return err
			}
			if err := s.authz.Check(ctx, p, path, "case", "assign"); err != nil {
				return err
			}
			c.BranchID, c.BranchPath, c.AssignedTo = *branch, path, nil
		}
		if officer != nil {
			if err := assignable(ctx, tx, c, *officer); err != nil {
				return err
			}
			if err := s.selfAssignReveal(ctx, tx, c, p, *officer, in.Reason); err != nil {
				return err
			}
			c.AssignedTo = officer
		}
		if _, err := tx.NewUpdate().Table("cases").Set("branch_id = ?, assigned_to = ?", c.BranchID, c.AssignedTo).
			Where("id = ?", c.ID).Exec(ctx); err != nil {
			return fmt.Errorf("update assignment: %w", db.MapError(err))
		}
		payload["branch"] = c.BranchPath
		if c.AssignedTo != nil {
			payload["officer"] = c.AssignedTo.String()
		}
		if _, err := s.addEvent(ctx, tx, c, EventAssigned, p.UserID.String(), VisibilityInternal, payload); err != nil {
			return err
		}
		out = &Assignment{BranchID: c.BranchID, BranchPath: c.BranchPath, OfficerID: c.AssignedTo}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("assign case: %w", err)
	}
	return out, nil
}

// assignable checks that a user may handle the case: a staff role at or
// above its branch, and no conflict of interest.
func assignable(ctx context.Context, tx bun.Tx, c *Case, userID uuid.UUID) error {
	a, err := staffActor(ctx, tx, userID, c.BranchPath)
	if err != nil {
		return err
	}
	if a == "" {
		return apperr.Invalid("officer_id", "error.officer_not_in_branch")
	}
	conflict, err := hasConflict(ctx, tx, c, userID)
	if err != nil {
		return err
	}
	if conflict {
		return ErrConflictOfInterest
	}
	return nil
}

func hasConflict(ctx context.Context, tx bun.Tx, c *Case, userID uuid.UUID) (bool, error) {
	if c.ReporterUserID != nil && *c.ReporterUserID == userID {
		return true, nil
	}
	if c.WorkplaceID == nil {
		return false, nil
	}
	var n int
	err := tx.QueryRowContext(ctx, "SELECT count(*) FROM staff_conflicts WHERE user_id = ? AND workplace_id = ?",
		userID, *c.WorkplaceID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("conflicts of interest: %w", err)
	}
	return n > 0, nil
}

// RoutingRule sends cases of a category and/or workplace to a branch
// and/or an officer.
type RoutingRule struct {
	bun.BaseModel `bun:"table:routing_rules"`

	TenantID    uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID          uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()" json:"id"`
	CategoryID  *uuid.UUID `bun:"category_id,type:uuid" json:"category_id,omitempty"`
	WorkplaceID *uuid.UUID `bun:"workplace_id,type:uuid" json:"workplace_id,omitempty"`
	BranchID    *uuid.UUID `bun:"branch_id,type:uuid" json:"branch_id,omitempty"`
	OfficerID   *uuid.UUID `bun:"officer_id,type:uuid" json:"officer_id,omitempty"`
	Priority    int        `bun:"priority" json:"priority"`
}

// AddRoutingRule stores a tenant routing rule; it needs tenant_settings
// update (a federation admin's decision).
func (s *Service) AddRoutingRule(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string, r RoutingRule) (*RoutingRule, error) {
	if err := s.authz.Check(ctx, p, slug, "tenant_settings", "update"); err != nil {
		return nil, err
	}
	v := &apperr.Validation{}
	if r.CategoryID == nil && r.WorkplaceID == nil {
		v.Add("category_id", "error.required")
	}
	if r.BranchID == nil && r.OfficerID == nil {
		v.Add("branch_id", "error.required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	r.TenantID = tenantID
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&r).ExcludeColumn("id").Returning("id").Exec(ctx)
		return db.MapError(err)
	})
	if err != nil {
		return nil, fmt.Errorf("add routing rule: %w", err)
	}
	return &r, nil
}

// AddStaffConflict records that a handler must not handle a workplace's
// cases; it needs staff assign_role at the tenant root.
func (s *Service) AddStaffConflict(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string, userID, workplaceID uuid.UUID, reason string) error {
	if err := s.authz.Check(ctx, p, slug, "staff", "assign_role"); err != nil {
		return err
	}
	reason, _ = cleanText(reason)
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO staff_conflicts (tenant_id, user_id, workplace_id, reason)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, tenantID, userID, workplaceID, reason)
		return db.MapError(err)
	})
	if err != nil {
		return fmt.Errorf("add staff conflict: %w", err)
	}
	return nil
}

// ApplyRoutingTx applies the tenant's routing rules to a case not yet
// given to an officer, inside the caller's transaction (for whoever sets a
// case's category). It reports whether a rule applied.
func (s *Service) ApplyRoutingTx(ctx context.Context, tx bun.Tx, caseID uuid.UUID) (bool, error) {
	c, err := loadCase(ctx, tx, caseID)
	if err != nil {
		return false, err
	}
	return s.applyRouting(ctx, tx, c)
}

// applyRouting moves an unassigned case by the most specific matching rule
// (category and workplace both set beats one, then the lowest priority). An
// officer with a conflict of interest, or without a role covering the
// rule's branch, is skipped: the case still goes to the branch. A routed
// case gets one internal "assigned" event.
func (s *Service) applyRouting(ctx context.Context, tx bun.Tx, c *Case) (bool, error) {
	if c.AssignedTo != nil || (c.CategoryID == nil && c.WorkplaceID == nil) {
		return false, nil
	}
	var rules []RoutingRule
	err := tx.NewSelect().Model(&rules).
		Where("(category_id IS NULL OR category_id = ?)", c.CategoryID).
		Where("(workplace_id IS NULL OR workplace_id = ?)", c.WorkplaceID).
		OrderExpr("(category_id IS NOT NULL)::int + (workplace_id IS NOT NULL)::int DESC, priority, created_at").
		Limit(1).Scan(ctx)
	if err != nil {
		return false, fmt.Errorf("routing rules: %w", err)
	}
	if len(rules) == 0 {
		return false, nil
	}
	r := rules[0]
	payload := map[string]any{"by": "system", "rule": r.ID.String(), "from_branch": c.BranchPath}
	if r.BranchID != nil && *r.BranchID != c.BranchID {
		var path string
		if err := tx.NewSelect().Table("branches").Column("path").Where("id = ? AND closed_at IS NULL", *r.BranchID).Scan(ctx, &path); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return false, nil // a closed branch: leave the case where it is
			}
			return false, err
		}
		c.BranchID, c.BranchPath = *r.BranchID, path
	}
	if r.OfficerID != nil {
		if err := assignable(ctx, tx, c, *r.OfficerID); err == nil {
			c.AssignedTo = r.OfficerID
		} else {
			var fc *apperr.FieldConflict
			var ve *apperr.Validation
			if !errors.As(err, &fc) && !errors.As(err, &ve) {
				return false, err
			}
			payload["skipped_officer"] = r.OfficerID.String()
		}
	}
	if _, err := tx.NewUpdate().Table("cases").Set("branch_id = ?, assigned_to = ?", c.BranchID, c.AssignedTo).
		Where("id = ?", c.ID).Exec(ctx); err != nil {
		return false, fmt.Errorf("route case: %w", err)
	}
	payload["branch"] = c.BranchPath
	if c.AssignedTo != nil {
		payload["officer"] = c.AssignedTo.String()
	}
	if _, err := s.addEvent(ctx, tx, c, EventAssigned, "system", VisibilityInternal, payload); err != nil {
		return false, err
	}
	return true, nil
}
