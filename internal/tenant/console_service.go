package tenant

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Console is the platform console's service over unions on the app
// connection: list and read them, create one from the manifests bundle,
// suspend or resume, record an export. The console's handlers check the
// platform admin's right (platform_tenants) before each call.
type Console struct {
	db     *bun.DB
	bundle *Bundle
}

// NewConsole returns the console's union service; bundle may be nil (no
// new unions then).
func NewConsole(bdb *bun.DB, bundle *Bundle) *Console { return &Console{db: bdb, bundle: bundle} }

// Bundle is the manifests bundle new unions start from, or nil.
func (c *Console) Bundle() *Bundle { return c.bundle }

// Unions lists every union with its counts.
func (c *Console) Unions(ctx context.Context) ([]UnionRow, error) { return Unions(ctx, c.db) }

// Union returns one union.
func (c *Console) Union(ctx context.Context, id uuid.UUID) (*UnionRow, error) {
	return Union(ctx, c.db, id)
}

// CreateUnion creates a union from the bundle's templates.
func (c *Console) CreateUnion(ctx context.Context, in NewUnion) (*Tenant, error) {
	return c.bundle.CreateUnion(ctx, c.db, in)
}

// SetLogo stores a cleaned logo as the union's live logo.
func (c *Console) SetLogo(ctx context.Context, tenantID uuid.UUID, data []byte) error {
	return SetLogo(ctx, c.db, tenantID, data)
}

// SetSuspended suspends or resumes a union.
func (c *Console) SetSuspended(ctx context.Context, id uuid.UUID, suspend bool) error {
	return SetSuspended(ctx, c.db, id, suspend)
}

// MarkExported records that a union was exported.
func (c *Console) MarkExported(ctx context.Context, id uuid.UUID) error {
	return MarkExported(ctx, c.db, id)
}
