package tenant

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
)

// ApplyReport counts what one apply created; a second apply of the same
// manifest creates nothing.
type ApplyReport struct {
	Tenant        string
	TenantCreated bool
	Workplaces    int
	Branches      int
	Categories    int
	Tags          int
}

func (r ApplyReport) String() string {
	return fmt.Sprintf("%s: tenant created=%t, +%d workplaces, +%d branches, +%d categories, +%d tags",
		r.Tenant, r.TenantCreated, r.Workplaces, r.Branches, r.Categories, r.Tags)
}

// Apply provisions m: it inserts what does not exist yet and never updates a
// row that does, so whatever tenant admins changed after provisioning stays.
// It runs as the app role, inside the tenant's own RLS scope.
func Apply(ctx context.Context, bdb *bun.DB, b *Bundle, m *Manifest) (ApplyReport, error) {
	rep := ApplyReport{Tenant: m.Slug}
	cats, err := b.Categories(m)
	if err != nil {
		return rep, err
	}
	tags, err := b.Tags(m)
	if err != nil {
		return rep, fmt.Errorf("tenant %s: %w", m.Slug, err)
	}
	err = bdb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t := &Tenant{
			Slug: m.Slug, Name: m.Name, ShortName: m.ShortName, AppName: m.AppName,
			Domains: nonNil(m.Domains), DefaultLocale: m.DefaultLocale, Theme: m.Theme,
			Sectors: m.Sectors, Settings: m.Settings, Status: "active",
		}
		if t.Theme == "" {
			t.Theme = "default"
		}
		res, err := tx.NewInsert().Model(t).ExcludeColumn("id", "created_at", "updated_at").
			On("CONFLICT (slug) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("insert tenant: %w", err)
		}
		n, _ := res.RowsAffected()
		rep.TenantCreated = n == 1
		if err := tx.NewSelect().Model(t).Where("slug = ?", m.Slug).Scan(ctx); err != nil {
			return fmt.Errorf("load tenant: %w", err)
		}
		if err := db.SetTenant(ctx, tx, t.ID); err != nil {
			return err
		}

		wpIDs := map[string]uuid.UUID{}
		for _, w := range m.Workplaces {
			row := &Workplace{
				TenantID: t.ID, Slug: w.Slug, Company: w.Company, Name: w.Name, Sector: w.Sector,
				Province: w.Province, District: w.District, Estate: w.Estate, Afdeling: w.Afdeling, Headcount: w.Headcount,
			}
			created, err := insertMissing(ctx, tx, row, "(tenant_id, slug)")
			if err != nil {
				return fmt.Errorf("workplace %s: %w", w.Slug, err)
			}
			rep.Workplaces += created
			if err := tx.NewSelect().Model(row).Column("id").Where("slug = ?", w.Slug).Scan(ctx); err != nil {
				return fmt.Errorf("load workplace %s: %w", w.Slug, err)
			}
			wpIDs[w.Slug] = row.ID
		}

		var walk func(n OrgNode, path string, parent *uuid.UUID) error
		walk = func(n OrgNode, path string, parent *uuid.UUID) error {
			slug := n.Slug
			if parent == nil {
				slug = m.Slug
			}
			row := &Branch{TenantID: t.ID, ParentID: parent, Slug: slug, Path: path, Name: n.Name, Level: n.Level}
			if n.Workplace != "" {
				id := wpIDs[n.Workplace]
				row.WorkplaceID = &id
			}
			created, err := insertMissing(ctx, tx, row, "(tenant_id, path)")
			if err != nil {
				return fmt.Errorf("branch %s: %w", path, err)
			}
			rep.Branches += created
			if err := tx.NewSelect().Model(row).Column("id").Where("path = ?", path).Scan(ctx); err != nil {
				return fmt.Errorf("load branch %s: %w", path, err)
			}
			for _, c := range n.Children {
				if err := walk(c, path+"/"+c.Slug, &row.ID); err != nil {
					return err
				}
			}
			return nil
		}
		if err := walk(m.Org, m.Slug, nil); err != nil {
			return err
		}

		catIDs := map[string]uuid.UUID{}
		for i, c := range cats {
			row := &Category{
				TenantID: t.ID, Slug: c.Slug, NameID: c.Name.ID, NameEN: c.Name.EN,
				DescriptionID: c.Description.ID, DescriptionEN: c.Description.EN, Sectors: nonNil(c.Sectors),
				SLAFirstResponseDays: orDefault(c.SLA.FirstResponseDays, 3), SLAResolutionDays: orDefault(c.SLA.ResolutionDays, 30),
				Restricted: c.Restricted, NoticeID: c.Notice.ID, NoticeEN: c.Notice.EN,
				PlaybookID: nonNil(c.Playbook.ID), PlaybookEN: nonNil(c.Playbook.EN),
				Keywords: nonNil(c.Keywords), Examples: nonNil(c.Examples), Active: true, SortOrder: (i + 1) * 10,
			}
			if c.Parent != "" {
				id := catIDs[c.Parent]
				row.ParentID = &id
			}
			created, err := insertMissing(ctx, tx, row, "(tenant_id, slug)")
			if err != nil {
				return fmt.Errorf("category %s: %w", c.Slug, err)
			}
			rep.Categories += created
			if err := tx.NewSelect().Model(row).Column("id").Where("slug = ?", c.Slug).Scan(ctx); err != nil {
				return fmt.Errorf("load category %s: %w", c.Slug, err)
			}
			catIDs[c.Slug] = row.ID
		}
		// Missing tags only: a tag the admins retired stays retired.
		rep.Tags, err = insertTags(ctx, tx, t.ID, tags)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("apply tenant %s: %w", m.Slug, err)
	}
	return rep, nil
}

func insertMissing(ctx context.Context, tx bun.Tx, model any, conflict string) (int, error) {
	res, err := tx.NewInsert().Model(model).ExcludeColumn("id", "created_at", "updated_at").
		On("CONFLICT " + conflict + " DO NOTHING").Exec(ctx)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orDefault(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}
