package tenantmove

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/evidence"
)

// Remove deletes every row of the tenant from every tenant-owned table (the
// catalogue Export reads, in reverse foreign-key order, so a table added by
// a later migration is removed too), then the tenant's evidence files. It
// refuses unless the tenant is suspended and was exported after its
// suspension (tenants.exported_at, set by the console's export), and
// unless confirm is the tenant's slug typed again. owner is the owner
// role's connection (the app role may not delete tenants). It returns the
// number of rows removed.
func Remove(ctx context.Context, owner *bun.DB, store evidence.Store, tenantID uuid.UUID, confirm string) (int, error) {
	var slug, status string
	var removable bool
	err := owner.QueryRowContext(ctx, `SELECT slug, status, (status = 'suspended' AND suspended_at IS NOT NULL
		AND exported_at IS NOT NULL AND exported_at >= suspended_at) FROM tenants WHERE id = ?`, tenantID).Scan(&slug, &status, &removable)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("find tenant: %w", err)
	}
	v := &apperr.Validation{}
	if !removable {
		v.Add("export", "error.union_remove_export")
	}
	if strings.TrimSpace(confirm) != slug {
		v.Add("confirm", "error.union_remove_confirm")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	total := 0
	var keys []string
	err = owner.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := db.SetTenant(ctx, tx, tenantID); err != nil {
			return err
		}
		// Lock the tenant row and check again: a resume or a new case
		// between the check and here must not be lost.
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT status = 'suspended' AND exported_at >= suspended_at FROM tenants WHERE id = ? FOR UPDATE`,
			tenantID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return apperr.Invalid("export", "error.union_remove_export")
		}
		if err := tx.NewRaw("SELECT DISTINCT storage_key FROM evidence_files WHERE tenant_id = ?", tenantID).Scan(ctx, &keys); err != nil {
			return fmt.Errorf("list evidence: %w", err)
		}
		tables, err := catalogue(ctx, tx)
		if err != nil {
			return err
		}
		slices.Reverse(tables)
		for _, t := range tables {
			res, err := tx.ExecContext(ctx, "DELETE FROM "+quoteIdent(t.Name)+" WHERE "+tenantCond(t.Name), tenantID)
			if err != nil {
				return fmt.Errorf("remove %s: %w", t.Name, err)
			}
			n, _ := res.RowsAffected()
			total += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("remove tenant %s: %w", slug, err)
	}
	for _, k := range keys {
		if err := store.Delete(ctx, k); err != nil {
			return total, fmt.Errorf("remove tenant %s: evidence: %w", slug, err)
		}
	}
	return total, nil
}
