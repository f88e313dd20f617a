package tenant

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
)

// Admin audit event kinds for workplaces.
const (
	EventWorkplaceCreated = "workplace.created"
	EventWorkplaceMerged  = "workplace.merged"
)

// WorkplaceInput is a new workplace: the company, its site, and where it
// is. Estate and afdeling are for plantations; headcount is optional.
type WorkplaceInput struct {
	Company   string `json:"company" form:"company"`
	Name      string `json:"name" form:"name"`
	Sector    string `json:"sector" form:"sector"`
	Province  string `json:"province" form:"province"`
	District  string `json:"district" form:"district"`
	Estate    string `json:"estate" form:"estate"`
	Afdeling  string `json:"afdeling" form:"afdeling"`
	Headcount *int   `json:"headcount" form:"headcount"`
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// adminWorkplaces lists every unmerged workplace, those typed by workers
// (unverified) first so duplicates get merged.
func (a *Admin) adminWorkplaces(ctx context.Context, tenantID uuid.UUID) ([]Workplace, error) {
	var out []Workplace
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Where("merged_into IS NULL").OrderExpr("unverified DESC, company, name").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("list workplaces: %w", err)
	}
	return out, nil
}

// createWorkplace adds a confirmed workplace; its slug comes from the
// company and site names.
func (a *Admin) createWorkplace(ctx context.Context, t *Tenant, actorID uuid.UUID, in WorkplaceInput) (*Workplace, error) {
	v := &apperr.Validation{}
	field := func(name string, s *string, required bool) {
		*s = strings.TrimSpace(*s)
		switch {
		case required && *s == "":
			v.Add(name, "error.required")
		case !utf8.ValidString(*s) || utf8.RuneCountInString(*s) > 200:
			v.Add(name, "error.too_long")
		}
	}
	field("company", &in.Company, true)
	field("name", &in.Name, false)
	field("province", &in.Province, false)
	field("district", &in.District, false)
	field("estate", &in.Estate, false)
	field("afdeling", &in.Afdeling, false)
	if !slices.Contains(t.Sectors, in.Sector) {
		v.Add("sector", "error.sector_unknown")
	}
	if in.Headcount != nil && (*in.Headcount < 0 || *in.Headcount > 10_000_000) {
		v.Add("headcount", "error.invalid")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	base := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(in.Company+" "+in.Name), "-"), "-")
	if base == "" {
		base = "workplace"
	}
	if len(base) > 60 {
		base = strings.Trim(base[:60], "-")
	}
	w := &Workplace{TenantID: t.ID, ID: uuid.New(), Company: in.Company, Name: in.Name, Sector: in.Sector, Province: in.Province,
		District: in.District, Estate: in.Estate, Afdeling: in.Afdeling, Headcount: in.Headcount}
	err := db.InTenantTx(ctx, a.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		// The first free slug among base, base-2, base-3...
		var taken []string
		if err := tx.NewSelect().Table("workplaces").Column("slug").Where("slug = ? OR slug LIKE ?", base, base+"-%").Scan(ctx, &taken); err != nil {
			return err
		}
		w.Slug = base
		for i := 2; slices.Contains(taken, w.Slug); i++ {
			w.Slug = fmt.Sprintf("%s-%d", base, i)
		}
		if _, err := tx.NewInsert().Model(w).ExcludeColumn("created_at", "updated_at", "merged_into", "unverified").
			Returning("created_at, updated_at").Exec(ctx); err != nil {
			return db.MapError(err)
		}
		return LogAdminEvent(ctx, tx, t.ID, actorID, EventWorkplaceCreated, w.Slug, map[string]any{"company": w.Company, "sector": w.Sector})
	})
	if err != nil {
		return nil, fmt.Errorf("create workplace: %w", err)
	}
	return w, nil
}

// LockWorkplaceMerge checks a merge of workplace from into into inside tx
// and locks both rows: neither may be merged already. A merge folds a
// duplicate (typically one a worker typed) into another; it remains only
// as a pointer (merged_into) so old references still resolve.
// cases.Service.MergeWorkplaces runs the whole merge (it moves the cases,
// which only it may write) between this and FinishWorkplaceMerge.
func LockWorkplaceMerge(ctx context.Context, tx bun.Tx, fromID, intoID uuid.UUID) (from, into *Workplace, err error) {
	if fromID == intoID {
		return nil, nil, apperr.Invalid("into", "error.invalid")
	}
	from, into = &Workplace{}, &Workplace{}
	if err := tx.NewSelect().Model(from).Where("id = ? AND merged_into IS NULL", fromID).For("UPDATE").Scan(ctx); err != nil {
		return nil, nil, db.MapError(err)
	}
	if err := tx.NewSelect().Model(into).Where("id = ? AND merged_into IS NULL", intoID).For("UPDATE").Scan(ctx); err != nil {
		return nil, nil, apperr.Invalid("into", "error.invalid")
	}
	return from, into, nil
}

// FinishWorkplaceMerge ends a merge inside tx once from's cases are in
// into (moved["cases"] says how many): it moves from's users and branches,
// confirms into, points from at into and logs the merge with every count
// in moved.
func FinishWorkplaceMerge(ctx context.Context, tx bun.Tx, tenantID, actorID uuid.UUID, from, into *Workplace, moved map[string]int64) error {
	for _, table := range []string{"users", "branches"} {
		res, err := tx.ExecContext(ctx, "UPDATE "+table+" SET workplace_id = ?, updated_at = now() WHERE workplace_id = ?", into.ID, from.ID)
		if err != nil {
			return fmt.Errorf("move %s: %w", table, err)
		}
		moved[table], _ = res.RowsAffected()
	}
	// A confirmed workplace absorbing a worker-typed one stays
	// confirmed; merging into an unverified one confirms it.
	if _, err := tx.ExecContext(ctx, "UPDATE workplaces SET unverified = false, updated_at = now() WHERE id = ?", into.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE workplaces SET merged_into = ?, updated_at = now() WHERE id = ?", into.ID, from.ID); err != nil {
		return err
	}
	return LogAdminEvent(ctx, tx, tenantID, actorID, EventWorkplaceMerged, from.Slug, map[string]any{"into": into.Slug, "moved": moved})
}
