package tenant

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
)

// ListWorkplaces returns the tenant's confirmed, unmerged workplaces.
func ListWorkplaces(ctx context.Context, bdb *bun.DB, tenantID uuid.UUID) ([]Workplace, error) {
	var out []Workplace
	err := db.InTenantTx(ctx, bdb, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Where("merged_into IS NULL AND NOT unverified").Order("company", "name").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("list workplaces: %w", err)
	}
	return out, nil
}

// ListCategories returns the tenant's active categories in their order.
func ListCategories(ctx context.Context, bdb *bun.DB, tenantID uuid.UUID) ([]Category, error) {
	var out []Category
	err := db.InTenantTx(ctx, bdb, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Where("active").Order("sort_order", "slug").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	return out, nil
}
