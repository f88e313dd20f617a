package tenant

import (
	"context"
	"io"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
)

// Console is the platform console's service over unions on the app
// connection: list and read them, create one from the manifests bundle,
// suspend or resume, export and remove one. Every exported method that
// reads or changes a union takes the caller and checks the platform
// admin's right (platform_tenants) itself (AllowPlatform).
type Console struct {
	db     *bun.DB
	bundle *Bundle
	authz  Authorizer
	io     ConsoleIO
}

// ConsoleIO are a union's export and removal, which read and delete every
// tenant table and its evidence files (the app wires them to tenantmove
// over the owner connection). A nil one turns that action off.
type ConsoleIO struct {
	Export func(ctx context.Context, slug string, w io.Writer) error
	Remove func(ctx context.Context, tenantID uuid.UUID, confirm string) (int, error)
}

// NewConsole returns the console's union service asking authz before each
// call (nil refuses everyone); bundle may be nil (no new unions then).
func NewConsole(bdb *bun.DB, bundle *Bundle, authz Authorizer, io ConsoleIO) *Console {
	return &Console{db: bdb, bundle: bundle, authz: authz, io: io}
}

// Bundle is the manifests bundle new unions start from, or nil.
func (c *Console) Bundle() *Bundle { return c.bundle }

// CanExport and CanRemove say whether the actions are wired at all.
func (c *Console) CanExport() bool { return c.io.Export != nil }
func (c *Console) CanRemove() bool { return c.io.Remove != nil }

// Unions lists every union with its counts (platform_tenants:read).
func (c *Console) Unions(ctx context.Context, caller Caller) ([]UnionRow, error) {
	if err := AllowPlatform(ctx, c.authz, caller, "platform_tenants", "read"); err != nil {
		return nil, err
	}
	return Unions(ctx, c.db)
}

// Union returns one union for a caller about to do act on it
// (platform_tenants:act: read, suspend, export or remove).
func (c *Console) Union(ctx context.Context, caller Caller, act string, id uuid.UUID) (*UnionRow, error) {
	if err := AllowPlatform(ctx, c.authz, caller, "platform_tenants", act); err != nil {
		return nil, err
	}
	return Union(ctx, c.db, id)
}

// CreateUnion creates a union from the bundle's templates, with logo (if
// any) as its live logo (platform_tenants:create). A refused logo does not
// undo the union: logoErr says why it was not stored.
func (c *Console) CreateUnion(ctx context.Context, caller Caller, in NewUnion, logo []byte) (t *Tenant, logoErr, err error) {
	if err := AllowPlatform(ctx, c.authz, caller, "platform_tenants", "create"); err != nil {
		return nil, nil, err
	}
	t, err = c.bundle.CreateUnion(ctx, c.db, in)
	if err != nil {
		return nil, nil, err
	}
	if len(logo) > 0 {
		logoErr = SetLogo(ctx, c.db, t.ID, logo)
	}
	return t, logoErr, nil
}

// SetSuspended suspends or resumes a union (platform_tenants:suspend).
func (c *Console) SetSuspended(ctx context.Context, caller Caller, id uuid.UUID, suspend bool) error {
	if err := AllowPlatform(ctx, c.authz, caller, "platform_tenants", "suspend"); err != nil {
		return err
	}
	return SetSuspended(ctx, c.db, id, suspend)
}

// Export writes the union's export file to w and records the export
// (platform_tenants:export).
func (c *Console) Export(ctx context.Context, caller Caller, u *UnionRow, w io.Writer) error {
	if err := AllowPlatform(ctx, c.authz, caller, "platform_tenants", "export"); err != nil {
		return err
	}
	if c.io.Export == nil {
		return apperr.ErrNotFound
	}
	if err := c.io.Export(ctx, u.Slug, w); err != nil {
		return err
	}
	return MarkExported(ctx, c.db, u.ID)
}

// Remove removes a suspended, exported union when confirm is its slug
// typed again (platform_tenants:remove); it returns how many rows went.
func (c *Console) Remove(ctx context.Context, caller Caller, id uuid.UUID, confirm string) (int, error) {
	if err := AllowPlatform(ctx, c.authz, caller, "platform_tenants", "remove"); err != nil {
		return 0, err
	}
	if c.io.Remove == nil {
		return 0, apperr.ErrNotFound
	}
	return c.io.Remove(ctx, id, confirm)
}
