package tenant

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
)

// SectorReport says what applying a sector template changed; applying it
// again changes nothing.
type SectorReport struct {
	Sector            string `json:"sector"`
	SectorAdded       bool   `json:"sector_added"`
	CategoriesCreated int    `json:"categories_created"`
	ExamplesAdded     int    `json:"examples_added"`
	TagsCreated       int    `json:"tags_created"`
}

// Changed reports whether anything was written.
func (r SectorReport) Changed() bool {
	return r.SectorAdded || r.CategoriesCreated > 0 || r.ExamplesAdded > 0 || r.TagsCreated > 0
}

// SectorTemplates lists the sectors the bundle has templates for, in the
// order of KnownSectors.
func (b *Bundle) SectorTemplates() []SectorTemplate {
	var out []SectorTemplate
	for _, s := range KnownSectors {
		if t, ok := b.Sectors[s]; ok {
			out = append(out, t)
		}
	}
	return out
}

// applySector gives an existing tenant a sector's starting category set:
// the sector joins the tenant's sectors, the template's categories that the
// tenant lacks are created (by slug, so renamed ones are not duplicated),
// and each category the tenant has gets the sector's example grievances it
// does not have yet (examples train the built-in classifier, which
// retrains because the category's updated_at moves), and the sector's own
// tags the union lacks join its vocabulary. Hidden and merged
// categories stay as the admins left them, and nothing else of a category
// changes. Idempotent; an admin audit event when anything changed.
func (a *Admin) applySector(ctx context.Context, b *Bundle, tenantID, actorID uuid.UUID, sector string) (SectorReport, error) {
	rep := SectorReport{Sector: sector}
	tmpl, ok := b.Sectors[sector]
	if !ok || !isSector(sector) {
		return rep, apperr.Invalid("sector", "error.sector_unknown")
	}
	err := db.InTenantTx(ctx, a.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var t Tenant
		if err := tx.NewSelect().Model(&t).Where("id = ?", tenantID).For("UPDATE").Scan(ctx); err != nil {
			return fmt.Errorf("load tenant: %w", db.MapError(err))
		}
		template := "default"
		for i := range b.Manifests {
			if b.Manifests[i].Slug == t.Slug && b.Manifests[i].Categories.Template != "" {
				template = b.Manifests[i].Categories.Template
			}
		}
		tax, ok := b.Taxonomy[template]
		if !ok {
			return fmt.Errorf("no category template %q", template)
		}
		if !slices.Contains(t.Sectors, sector) {
			if _, err := tx.ExecContext(ctx, "UPDATE tenants SET sectors = array_append(sectors, ?), updated_at = now() WHERE id = ?", sector, tenantID); err != nil {
				return fmt.Errorf("add sector: %w", err)
			}
			rep.SectorAdded = true
		}
		var existing []Category
		if err := tx.NewSelect().Model(&existing).Scan(ctx); err != nil {
			return fmt.Errorf("load categories: %w", err)
		}
		bySlug := map[string]*Category{}
		maxOrder := 0
		for i := range existing {
			bySlug[existing[i].Slug] = &existing[i]
			maxOrder = max(maxOrder, existing[i].SortOrder)
		}
		for _, c := range tax.Categories {
			examples := tmpl.Examples[c.Slug]
			cur := bySlug[c.Slug]
			if cur == nil {
				row := &Category{
					TenantID: tenantID, Slug: c.Slug, NameID: c.Name.ID, NameEN: c.Name.EN,
					DescriptionID: c.Description.ID, DescriptionEN: c.Description.EN, Sectors: nonNil(c.Sectors),
					SLAFirstResponseDays: orDefault(c.SLA.FirstResponseDays, 3), SLAResolutionDays: orDefault(c.SLA.ResolutionDays, 30),
					Restricted: c.Restricted, NoticeID: c.Notice.ID, NoticeEN: c.Notice.EN,
					PlaybookID: nonNil(c.Playbook.ID), PlaybookEN: nonNil(c.Playbook.EN),
					Keywords: nonNil(c.Keywords), Examples: append(nonNil(c.Examples), examples...), Active: true,
				}
				maxOrder += 10
				row.SortOrder = maxOrder
				if p := bySlug[c.Parent]; c.Parent != "" && p != nil {
					row.ParentID = &p.ID
				}
				if _, err := tx.NewInsert().Model(row).ExcludeColumn("id", "created_at", "updated_at").Returning("id").Exec(ctx); err != nil {
					return fmt.Errorf("create category %s: %w", c.Slug, err)
				}
				bySlug[c.Slug] = row
				rep.CategoriesCreated++
				continue
			}
			var missing []string
			for _, ex := range examples {
				if !slices.Contains(cur.Examples, ex) && !slices.Contains(missing, ex) {
					missing = append(missing, ex)
				}
			}
			if len(missing) == 0 {
				continue
			}
			cur.Examples = append(cur.Examples, missing...)
			if _, err := tx.NewUpdate().Model(cur).Column("examples").Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("add examples to %s: %w", c.Slug, err)
			}
			rep.ExamplesAdded += len(missing)
		}
		// The sector's own tags the union lacks; retired ones stay retired.
		specs, err := mergeTags(nil, tmpl.Tags)
		if err != nil {
			return err
		}
		if rep.TagsCreated, err = insertTags(ctx, tx, tenantID, specs); err != nil {
			return err
		}
		if !rep.Changed() {
			return nil
		}
		return LogAdminEvent(ctx, tx, tenantID, actorID, "sector.apply", sector, rep)
	})
	if err != nil {
		return rep, fmt.Errorf("apply sector %s: %w", sector, err)
	}
	return rep, nil
}
