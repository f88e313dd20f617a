package tenant

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
)

// newBranchSlugRE is the manifest's branch slug rule with a length cap.
var newBranchSlugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// Admin audit event kinds for the org tree.
const (
	EventBranchCreated = "branch.created"
	EventBranchRenamed = "branch.renamed"
	EventBranchMoved   = "branch.moved"
	EventBranchClosed  = "branch.closed"
)

// BranchInput creates a branch under ParentID.
type BranchInput struct {
	ParentID    string `json:"parent_id" form:"parent_id"`
	Slug        string `json:"slug" form:"slug"`
	Name        string `json:"name" form:"name"`
	Level       string `json:"level" form:"level"`
	WorkplaceID string `json:"workplace_id" form:"workplace_id"`
}

// branches lists the tenant's whole tree, closed branches included, in
// path order (parents before children).
func (a *Admin) branches(ctx context.Context, tenantID uuid.UUID) ([]Branch, error) {
	var out []Branch
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Order("path").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("list branches: %w", err)
	}
	return out, nil
}

// branch returns one branch.
func (a *Admin) branch(ctx context.Context, tenantID, id uuid.UUID) (*Branch, error) {
	b := &Branch{}
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(b).Where("id = ?", id).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("load branch: %w", db.MapError(err))
	}
	return b, nil
}

// createBranch adds a branch below an open parent.
func (a *Admin) createBranch(ctx context.Context, tenantID, actorID uuid.UUID, in BranchInput) (*Branch, error) {
	v := &apperr.Validation{}
	in.Slug, in.Name = strings.TrimSpace(in.Slug), strings.TrimSpace(in.Name)
	parentID, err := uuid.Parse(in.ParentID)
	if err != nil {
		v.Add("parent_id", "error.invalid")
	}
	if !newBranchSlugRE.MatchString(in.Slug) {
		v.Add("slug", "error.branch_slug")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 {
		v.Add("name", "error.required")
	}
	if _, ok := levelOrder[in.Level]; !ok {
		v.Add("level", "error.invalid_choice")
	}
	var wp *uuid.UUID
	if in.WorkplaceID != "" {
		id, err := uuid.Parse(in.WorkplaceID)
		if err != nil {
			v.Add("workplace_id", "error.invalid")
		}
		wp = &id
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	b := &Branch{TenantID: tenantID, ID: uuid.New(), ParentID: &parentID, Slug: in.Slug, Name: in.Name, Level: in.Level, WorkplaceID: wp}
	err = db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var parent Branch
		if err := tx.NewSelect().Model(&parent).Where("id = ? AND closed_at IS NULL", parentID).Scan(ctx); err != nil {
			return apperr.Invalid("parent_id", "error.invalid")
		}
		if levelOrder[in.Level] <= levelOrder[parent.Level] {
			return apperr.Invalid("level", "error.branch_level")
		}
		if wp != nil {
			var ok bool
			if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM workplaces WHERE id = ? AND merged_into IS NULL)", *wp).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return apperr.Invalid("workplace_id", "error.invalid")
			}
		}
		b.Path = parent.Path + "/" + b.Slug
		if _, err := tx.NewInsert().Model(b).ExcludeColumn("created_at", "updated_at", "closed_at").Returning("created_at, updated_at").Exec(ctx); err != nil {
			if db.IsUniqueViolation(err, "") {
				return &apperr.FieldConflict{Field: "slug", Key: "error.branch_slug_taken"}
			}
			return db.MapError(err)
		}
		return LogAdminEvent(ctx, tx, tenantID, actorID, EventBranchCreated, b.Path, map[string]any{"name": b.Name, "level": b.Level})
	})
	if err != nil {
		return nil, fmt.Errorf("create branch: %w", err)
	}
	return b, nil
}

// renameBranch changes a branch's display name (its path stays).
func (a *Admin) renameBranch(ctx context.Context, tenantID, actorID, id uuid.UUID, name string) error {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return apperr.Invalid("name", "error.required")
	}
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var path, old string
		err := tx.QueryRowContext(ctx, "UPDATE branches b SET name = ?, updated_at = now() FROM branches o WHERE b.id = ? AND o.tenant_id = b.tenant_id AND o.id = b.id RETURNING b.path, o.name",
			name, id).Scan(&path, &old)
		if err != nil {
			return db.MapError(err)
		}
		return LogAdminEvent(ctx, tx, tenantID, actorID, EventBranchRenamed, path, map[string]any{"from": old, "to": name})
	})
	if err != nil {
		return fmt.Errorf("rename branch: %w", err)
	}
	return nil
}

// moveBranch puts a branch (with its sub-tree) under another parent. The
// paths of the branch and every descendant change in one statement, in
// one transaction; memberships, cases and invites follow because they
// reference branch ids, not paths. Callers drop cached permissions.
func (a *Admin) moveBranch(ctx context.Context, tenantID, actorID, id, newParentID uuid.UUID) (*Branch, error) {
	var moved Branch
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var b, parent Branch
		if err := tx.NewSelect().Model(&b).Where("id = ?", id).For("UPDATE").Scan(ctx); err != nil {
			return db.MapError(err)
		}
		if b.ParentID == nil {
			return &apperr.FieldConflict{Field: "branch", Key: "error.branch_root"}
		}
		if err := tx.NewSelect().Model(&parent).Where("id = ? AND closed_at IS NULL", newParentID).Scan(ctx); err != nil {
			return apperr.Invalid("parent_id", "error.invalid")
		}
		if parent.Path == b.Path || strings.HasPrefix(parent.Path, b.Path+"/") {
			return apperr.Invalid("parent_id", "error.branch_cycle")
		}
		if levelOrder[b.Level] <= levelOrder[parent.Level] {
			return apperr.Invalid("parent_id", "error.branch_level")
		}
		oldPath, newPath := b.Path, parent.Path+"/"+b.Slug
		if _, err := tx.ExecContext(ctx, "UPDATE branches SET parent_id = ?, updated_at = now() WHERE id = ?", newParentID, id); err != nil {
			return err
		}
		// Descendants first match on the old prefix; one UPDATE keeps the
		// unique (tenant_id, path) check at statement end consistent.
		_, err := tx.ExecContext(ctx, `UPDATE branches SET path = ? || substr(path, length(?) + 1), updated_at = now()
			WHERE path = ? OR path LIKE ? ESCAPE '\'`, newPath, oldPath, oldPath, LikePrefix(oldPath)+"/%")
		if err != nil {
			if db.IsUniqueViolation(err, "") {
				return &apperr.FieldConflict{Field: "parent_id", Key: "error.branch_slug_taken"}
			}
			return err
		}
		if err := tx.NewSelect().Model(&moved).Where("id = ?", id).Scan(ctx); err != nil {
			return err
		}
		return LogAdminEvent(ctx, tx, tenantID, actorID, EventBranchMoved, newPath, map[string]any{"from": oldPath, "to": newPath})
	})
	if err != nil {
		return nil, fmt.Errorf("move branch: %w", err)
	}
	return &moved, nil
}

// closeBranch closes a branch with no open branches below it. Its
// memberships stop granting anything (the enforcer skips closed
// branches); its cases stay readable from the branches above.
func (a *Admin) closeBranch(ctx context.Context, tenantID, actorID, id uuid.UUID) error {
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var b Branch
		if err := tx.NewSelect().Model(&b).Where("id = ?", id).For("UPDATE").Scan(ctx); err != nil {
			return db.MapError(err)
		}
		if b.ParentID == nil {
			return &apperr.FieldConflict{Field: "branch", Key: "error.branch_root"}
		}
		if b.ClosedAt != nil {
			return nil
		}
		var open bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM branches WHERE parent_id = ? AND closed_at IS NULL)", id).Scan(&open); err != nil {
			return err
		}
		if open {
			return &apperr.FieldConflict{Field: "branch", Key: "error.branch_has_children"}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE branches SET closed_at = now(), updated_at = now() WHERE id = ?", id); err != nil {
			return err
		}
		return LogAdminEvent(ctx, tx, tenantID, actorID, EventBranchClosed, b.Path, nil)
	})
	if err != nil {
		return fmt.Errorf("close branch: %w", err)
	}
	return nil
}

// LikePrefix escapes LIKE wildcards in a branch path (slugs allow neither, but
// the query should not depend on that).
func LikePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
