package tenant

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
)

// Caller is who asks a service: a signed-in staff member of a union or a
// platform account (auth.Principal). Its id goes into the audit logs.
type Caller interface {
	CallerID() uuid.UUID
	IsStaff() bool
	// IsPlatform: a platform account (ILO analyst, platform admin), not a
	// member of any union.
	IsPlatform() bool
}

// Authorizer decides whether caller may do act on obj at domain, a branch
// path (a union's root branch path is its slug) or "platform"; an error
// wrapping apperr.ErrForbidden (or ErrUnauthorized) when not.
// auth.Authorizer is the real one.
type Authorizer interface {
	Authorize(ctx context.Context, caller Caller, domain, obj, act string) error
}

// Allow checks that caller, a staff member of union t, may do act on obj
// union-wide: at t's root branch, where federation admins hold their role.
// It returns the ids the services work with. Services over a union's data
// (Admin here, brands.Service) start each exported method with it, so no
// handler can skip the check; a nil authz refuses everyone.
func Allow(ctx context.Context, authz Authorizer, t *Tenant, caller Caller, obj, act string) (tenantID, actorID uuid.UUID, err error) {
	if t == nil || caller == nil || authz == nil {
		return uuid.Nil, uuid.Nil, apperr.ErrForbidden
	}
	if !caller.IsStaff() {
		return uuid.Nil, uuid.Nil, apperr.ErrForbidden
	}
	if err := authz.Authorize(ctx, caller, t.Slug, obj, act); err != nil {
		return uuid.Nil, uuid.Nil, fmt.Errorf("%s %s: %w", act, obj, err)
	}
	return t.ID, caller.CallerID(), nil
}

// AllowPlatform checks that caller, a platform account, may do act on obj
// in the platform domain. The platform console's services (Console here,
// analytics.Console) start each exported method with it.
func AllowPlatform(ctx context.Context, authz Authorizer, caller Caller, obj, act string) error {
	if caller == nil {
		return apperr.ErrUnauthorized
	}
	if authz == nil || !caller.IsPlatform() {
		return apperr.ErrForbidden
	}
	if err := authz.Authorize(ctx, caller, "platform", obj, act); err != nil {
		return fmt.Errorf("%s %s: %w", act, obj, err)
	}
	return nil
}

// allow is Allow with the admin service's authorizer. Every exported Admin
// method that reads or changes what admins manage starts here (this file);
// admin_access_test.go walks them all.
func (a *Admin) allow(ctx context.Context, t *Tenant, caller Caller, obj, act string) (tenantID, actorID uuid.UUID, err error) {
	return Allow(ctx, a.authz, t, caller, obj, act)
}

// The service's permissions, one method each: read the table to know what
// an admin page needs (config/permissions.yaml has who holds what).

// AdminEvents returns the newest entries of the union's admin log
// (tenant_settings:read).
func (a *Admin) AdminEvents(ctx context.Context, t *Tenant, caller Caller, limit int) ([]AdminEvent, error) {
	tid, _, err := a.allow(ctx, t, caller, "tenant_settings", "read")
	if err != nil {
		return nil, err
	}
	return a.adminEvents(ctx, tid, limit)
}

// Branches lists the union's whole tree, closed branches included, in
// path order (branch:read).
func (a *Admin) Branches(ctx context.Context, t *Tenant, caller Caller) ([]Branch, error) {
	tid, _, err := a.allow(ctx, t, caller, "branch", "read")
	if err != nil {
		return nil, err
	}
	return a.branches(ctx, tid)
}

// BranchDirectory lists the union's branches for showing their names (case
// pages, the team page's branch choice): no permission, as the paths
// themselves are on every case a caller may see.
func (a *Admin) BranchDirectory(ctx context.Context, tenantID uuid.UUID) ([]Branch, error) {
	return a.branches(ctx, tenantID)
}

// Branch returns one branch (branch:read).
func (a *Admin) Branch(ctx context.Context, t *Tenant, caller Caller, id uuid.UUID) (*Branch, error) {
	tid, _, err := a.allow(ctx, t, caller, "branch", "read")
	if err != nil {
		return nil, err
	}
	return a.branch(ctx, tid, id)
}

// CreateBranch adds a branch below an open parent (branch:create).
func (a *Admin) CreateBranch(ctx context.Context, t *Tenant, caller Caller, in BranchInput) (*Branch, error) {
	tid, actor, err := a.allow(ctx, t, caller, "branch", "create")
	if err != nil {
		return nil, err
	}
	return a.createBranch(ctx, tid, actor, in)
}

// RenameBranch changes a branch's display name (branch:update).
func (a *Admin) RenameBranch(ctx context.Context, t *Tenant, caller Caller, id uuid.UUID, name string) error {
	tid, actor, err := a.allow(ctx, t, caller, "branch", "update")
	if err != nil {
		return err
	}
	return a.renameBranch(ctx, tid, actor, id, name)
}

// MoveBranch puts a branch and its sub-tree under another parent
// (branch:update). Callers drop cached permissions.
func (a *Admin) MoveBranch(ctx context.Context, t *Tenant, caller Caller, id, newParentID uuid.UUID) (*Branch, error) {
	tid, actor, err := a.allow(ctx, t, caller, "branch", "update")
	if err != nil {
		return nil, err
	}
	return a.moveBranch(ctx, tid, actor, id, newParentID)
}

// CloseBranch closes a branch with no open branches below it
// (branch:update).
func (a *Admin) CloseBranch(ctx context.Context, t *Tenant, caller Caller, id uuid.UUID) error {
	tid, actor, err := a.allow(ctx, t, caller, "branch", "update")
	if err != nil {
		return err
	}
	return a.closeBranch(ctx, tid, actor, id)
}

// Categories lists every category, hidden and merged ones included
// (category:read). The admin pages' list with case counts, the deletion
// of a category and the merges of categories and workplaces touch cases:
// they are cases.Service's (AdminCategories, DeleteCategory,
// MergeCategories, MergeWorkplaces).
func (a *Admin) Categories(ctx context.Context, t *Tenant, caller Caller) ([]AdminCategory, error) {
	tid, _, err := a.allow(ctx, t, caller, "category", "read")
	if err != nil {
		return nil, err
	}
	return a.categories(ctx, tid)
}

// Category returns one category with its handlers (category:read).
func (a *Admin) Category(ctx context.Context, t *Tenant, caller Caller, id uuid.UUID) (*AdminCategory, error) {
	tid, _, err := a.allow(ctx, t, caller, "category", "read")
	if err != nil {
		return nil, err
	}
	return a.category(ctx, tid, id)
}

// CreateCategory adds a category (category:create).
func (a *Admin) CreateCategory(ctx context.Context, t *Tenant, caller Caller, in CategoryInput) (*Category, error) {
	_, actor, err := a.allow(ctx, t, caller, "category", "create")
	if err != nil {
		return nil, err
	}
	return a.createCategory(ctx, t, actor, in)
}

// UpdateCategory changes the fields set in in (category:update).
func (a *Admin) UpdateCategory(ctx context.Context, t *Tenant, caller Caller, id uuid.UUID, in CategoryInput) (*Category, error) {
	_, actor, err := a.allow(ctx, t, caller, "category", "update")
	if err != nil {
		return nil, err
	}
	return a.updateCategory(ctx, t, actor, id, in)
}

// SetCategoryActive hides or shows a category (category:update).
func (a *Admin) SetCategoryActive(ctx context.Context, t *Tenant, caller Caller, id uuid.UUID, active bool) error {
	tid, actor, err := a.allow(ctx, t, caller, "category", "update")
	if err != nil {
		return err
	}
	return a.setCategoryActive(ctx, tid, actor, id, active)
}

// ReorderCategories puts the listed categories first, in that order
// (category:update).
func (a *Admin) ReorderCategories(ctx context.Context, t *Tenant, caller Caller, ids []uuid.UUID) error {
	tid, actor, err := a.allow(ctx, t, caller, "category", "update")
	if err != nil {
		return err
	}
	return a.reorderCategories(ctx, tid, actor, ids)
}

// MoveCategory moves a category one place up or down (category:update).
func (a *Admin) MoveCategory(ctx context.Context, t *Tenant, caller Caller, id uuid.UUID, delta int) error {
	tid, actor, err := a.allow(ctx, t, caller, "category", "update")
	if err != nil {
		return err
	}
	return a.moveCategory(ctx, tid, actor, id, delta)
}

// ApplySector gives the union a sector's starting category set
// (category:create).
func (a *Admin) ApplySector(ctx context.Context, b *Bundle, t *Tenant, caller Caller, sector string) (SectorReport, error) {
	tid, actor, err := a.allow(ctx, t, caller, "category", "create")
	if err != nil {
		return SectorReport{}, err
	}
	return a.applySector(ctx, b, tid, actor, sector)
}

// Tags lists the union's tag vocabulary, retired tags included (tag:read).
func (a *Admin) Tags(ctx context.Context, t *Tenant, caller Caller) ([]Tag, error) {
	tid, _, err := a.allow(ctx, t, caller, "tag", "read")
	if err != nil {
		return nil, err
	}
	return a.tags(ctx, tid)
}

// AddTag adds a tag, or restores a retired one of the same slug
// (tag:create).
func (a *Admin) AddTag(ctx context.Context, t *Tenant, caller Caller, in TagInput) (*Tag, error) {
	tid, actor, err := a.allow(ctx, t, caller, "tag", "create")
	if err != nil {
		return nil, err
	}
	return a.addTag(ctx, tid, actor, in)
}

// RetireTag stops suggesting and offering a tag; cases keep it
// (tag:update).
func (a *Admin) RetireTag(ctx context.Context, t *Tenant, caller Caller, slug string) error {
	tid, actor, err := a.allow(ctx, t, caller, "tag", "update")
	if err != nil {
		return err
	}
	return a.retireTag(ctx, tid, actor, slug)
}

// Workers lists the union's worker accounts (worker_account:read).
func (a *Admin) Workers(ctx context.Context, t *Tenant, caller Caller, f WorkerFilter) ([]WorkerRow, int, error) {
	tid, _, err := a.allow(ctx, t, caller, "worker_account", "read")
	if err != nil {
		return nil, 0, err
	}
	return a.workers(ctx, tid, f)
}

// AdminWorkplaces lists every unmerged workplace (workplace:read).
func (a *Admin) AdminWorkplaces(ctx context.Context, t *Tenant, caller Caller) ([]Workplace, error) {
	tid, _, err := a.allow(ctx, t, caller, "workplace", "read")
	if err != nil {
		return nil, err
	}
	return a.adminWorkplaces(ctx, tid)
}

// CreateWorkplace adds a confirmed workplace (workplace:create).
func (a *Admin) CreateWorkplace(ctx context.Context, t *Tenant, caller Caller, in WorkplaceInput) (*Workplace, error) {
	_, actor, err := a.allow(ctx, t, caller, "workplace", "create")
	if err != nil {
		return nil, err
	}
	return a.createWorkplace(ctx, t, actor, in)
}

// PutDraftLogo stores a cleaned logo as the union's draft, shown only in
// the branding preview (tenant_settings:update).
func (a *Admin) PutDraftLogo(ctx context.Context, t *Tenant, caller Caller, contentType string, data []byte) (string, error) {
	tid, _, err := a.allow(ctx, t, caller, "tenant_settings", "update")
	if err != nil {
		return "", err
	}
	return a.putDraftLogo(ctx, tid, contentType, data)
}

// DraftLogo returns the draft logo for the branding preview
// (tenant_settings:update), or apperr.ErrNotFound.
func (a *Admin) DraftLogo(ctx context.Context, t *Tenant, caller Caller) (contentType string, data []byte, err error) {
	tid, _, err := a.allow(ctx, t, caller, "tenant_settings", "update")
	if err != nil {
		return "", nil, err
	}
	return a.logo(ctx, tid, "draft")
}

// LiveLogo returns the union's logo as everyone sees it, or
// apperr.ErrNotFound: no permission, it is on every page.
func (a *Admin) LiveLogo(ctx context.Context, tenantID uuid.UUID) (contentType string, data []byte, err error) {
	return a.logo(ctx, tenantID, "live")
}

// SaveBranding stores the checked branding (tenant_settings:update).
func (a *Admin) SaveBranding(ctx context.Context, t *Tenant, caller Caller, in BrandingInput, useDraftLogo bool) error {
	tid, actor, err := a.allow(ctx, t, caller, "tenant_settings", "update")
	if err != nil {
		return err
	}
	return a.saveBranding(ctx, tid, actor, in, useDraftLogo)
}

// Settings reads the union's settings as stored now (tenant_settings:read).
func (a *Admin) Settings(ctx context.Context, t *Tenant, caller Caller) (Settings, error) {
	tid, _, err := a.allow(ctx, t, caller, "tenant_settings", "read")
	if err != nil {
		return Settings{}, err
	}
	return a.settings(ctx, tid)
}

// SetReopenWindow stores the union's reopen window (tenant_settings:update).
func (a *Admin) SetReopenWindow(ctx context.Context, t *Tenant, caller Caller, days int) error {
	tid, actor, err := a.allow(ctx, t, caller, "tenant_settings", "update")
	if err != nil {
		return err
	}
	return a.setReopenWindow(ctx, tid, actor, days)
}

// SetAnalyticsSharing stores what the union shares with the platform's
// analysts (tenant_settings:update).
func (a *Admin) SetAnalyticsSharing(ctx context.Context, t *Tenant, caller Caller, anonymous, shareCompany bool) error {
	tid, actor, err := a.allow(ctx, t, caller, "tenant_settings", "update")
	if err != nil {
		return err
	}
	return a.setAnalyticsSharing(ctx, tid, actor, anonymous, shareCompany)
}

// May answers whether caller may do act on obj union-wide, nil when it may.
// Handlers use it only to refuse before saying an id is malformed; every
// method above checks for itself.
func (a *Admin) May(ctx context.Context, t *Tenant, caller Caller, obj, act string) error {
	_, _, err := a.allow(ctx, t, caller, obj, act)
	return err
}

// MayEditSettings answers whether caller may change the union's settings
// (tenant_settings:update), for pages that show or preview a settings form
// from what the request already holds (branding): nil when it may.
func (a *Admin) MayEditSettings(ctx context.Context, t *Tenant, caller Caller) error {
	_, _, err := a.allow(ctx, t, caller, "tenant_settings", "update")
	return err
}

// MayApplySector answers whether caller may give the union a sector's
// category set (category:create), for the sector page: nil when it may.
func (a *Admin) MayApplySector(ctx context.Context, t *Tenant, caller Caller) error {
	_, _, err := a.allow(ctx, t, caller, "category", "create")
	return err
}

// WorkplaceDirectory lists the union's confirmed workplaces for the
// filing and intake forms and the queue's filters: no permission, every
// worker chooses from it.
func (a *Admin) WorkplaceDirectory(ctx context.Context, tenantID uuid.UUID) ([]Workplace, error) {
	return ListWorkplaces(ctx, a.db, tenantID)
}

// TagDirectory lists the union's active tags for the staff case page's
// correction form: no permission, as the officers who correct a
// suggestion choose from it (cases.Service checks the decision itself).
func (a *Admin) TagDirectory(ctx context.Context, tenantID uuid.UUID) ([]Tag, error) {
	return a.activeTags(ctx, tenantID)
}

// CategoryDirectory lists the union's active categories in their order,
// for the same forms: no permission, every worker chooses from it.
func (a *Admin) CategoryDirectory(ctx context.Context, tenantID uuid.UUID) ([]Category, error) {
	return ListCategories(ctx, a.db, tenantID)
}
