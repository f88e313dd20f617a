package tenant

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
)

// Tenant statuses.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Suspended reports whether the union is suspended: its pages show a
// notice, logins and filings stop, its data stays.
func (t *Tenant) Suspended() bool { return t != nil && t.Status == StatusSuspended }

// NewUnion is what the platform console's "create a union" form sends.
// The console writes the same rows a manifest does (Apply): the tenant, its
// root branch and the categories of the chosen template, with the sectors'
// example grievances.
type NewUnion struct {
	Slug      string   `form:"slug" json:"slug"`
	Name      string   `form:"name" json:"name"`
	ShortName string   `form:"short_name" json:"short_name"`
	AppName   string   `form:"app_name" json:"app_name"`
	Domain    string   `form:"domain" json:"domain"`
	Locale    string   `form:"default_locale" json:"default_locale"`
	Sectors   []string `form:"sectors" json:"sectors"`
	// Colours over the default theme; all empty keeps the theme's.
	Primary    string `form:"primary" json:"primary"`
	OnPrimary  string `form:"on_primary" json:"on_primary"`
	Accent     string `form:"accent" json:"accent"`
	Background string `form:"background" json:"background"`
	Text       string `form:"text" json:"text"`
	// AdminEmail is the first federation admin, invited by email.
	AdminEmail string `form:"admin_email" json:"admin_email"`
	// RequireStaff2FA: whether the union's staff must enrol in two-step
	// verification; nil follows the platform's default.
	RequireStaff2FA *bool `form:"-" json:"require_staff_2fa,omitempty"`
}

// SectorChoices lists the sectors the templates know, with their names.
func (b *Bundle) SectorChoices() []SectorTemplate {
	out := make([]SectorTemplate, 0, len(b.Sectors))
	for _, s := range b.Sectors {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Sector < out[j].Sector })
	return out
}

// manifest turns the form into a manifest, checked as manifests are (the
// same rules as LoadBundle), with each problem on its form field.
func (b *Bundle) manifest(in *NewUnion) (*Manifest, error) {
	v := &apperr.Validation{}
	in.Slug = strings.ToLower(strings.TrimSpace(in.Slug))
	if !slugRE.MatchString(in.Slug) || in.Slug == "www" || in.Slug == "api" {
		v.Add("slug", "error.union_slug")
	}
	clean := func(field string, s *string, max int) {
		*s = strings.TrimSpace(*s)
		if n := utf8.RuneCountInString(*s); n == 0 || n > max || strings.ContainsAny(*s, "<>\r\n") {
			v.Add(field, "error.required")
		}
	}
	clean("name", &in.Name, 200)
	if strings.TrimSpace(in.ShortName) == "" {
		in.ShortName = in.Slug
	}
	clean("short_name", &in.ShortName, 40)
	clean("app_name", &in.AppName, 40)
	in.Domain = strings.ToLower(strings.TrimSpace(in.Domain))
	var domains []string
	if in.Domain != "" {
		if !domainRE.MatchString(in.Domain) {
			v.Add("domain", "error.union_domain")
		}
		domains = []string{in.Domain}
	}
	if in.Locale == "" {
		in.Locale = "id"
	}
	if in.Locale != "id" && in.Locale != "en" {
		v.Add("default_locale", "error.invalid_choice")
	}
	if len(in.Sectors) == 0 {
		v.Add("sectors", "error.union_sectors")
	}
	for _, s := range in.Sectors {
		if _, ok := b.Sectors[s]; !ok {
			v.Add("sectors", "error.invalid_choice")
		}
	}
	var br Branding
	if in.Primary+in.OnPrimary+in.Accent+in.Background+in.Text != "" {
		checked, err := CheckBranding(BrandingInput{AppName: in.AppName, Primary: in.Primary, OnPrimary: in.OnPrimary,
			Accent: in.Accent, Background: in.Background, Text: in.Text})
		var ve *apperr.Validation
		if errors.As(err, &ve) {
			for f, k := range ve.Fields {
				v.Add(f, k)
			}
		}
		br = Branding{Primary: checked.Primary, OnPrimary: checked.OnPrimary, Accent: checked.Accent,
			Background: checked.Background, Text: checked.Text}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	m := &Manifest{Slug: in.Slug, Name: in.Name, ShortName: in.ShortName, AppName: in.AppName, Domains: domains,
		DefaultLocale: in.Locale, Theme: "default", Sectors: in.Sectors,
		// RequireStaff2FA is the console form's box, or unset: the
		// platform's default (auth.Staff2FAFor), as for manifests.
		Settings: Settings{AnonymousFiling: true, ReopenWindowDays: 30, EscalationGraceDays: 5, Branding: br,
			RequireStaff2FA: in.RequireStaff2FA},
		Org:        OrgNode{Slug: in.Slug, Name: in.Name, Level: "national"},
		Categories: CategoriesSection{Template: "default"}}
	if err := b.validate(m); err != nil {
		return nil, fmt.Errorf("%w: %w", apperr.ErrConflict, err)
	}
	return m, nil
}

// CreateUnion provisions a union from the console form through Apply (the
// rows a manifest writes). A slug or domain already in use is a conflict:
// unlike a manifest, the console never adopts an existing union.
func (b *Bundle) CreateUnion(ctx context.Context, bdb *bun.DB, in NewUnion) (*Tenant, error) {
	m, err := b.manifest(&in)
	if err != nil {
		return nil, err
	}
	var n int
	if err := bdb.QueryRowContext(ctx, "SELECT count(*) FROM tenants WHERE slug = ?", m.Slug).Scan(&n); err != nil {
		return nil, fmt.Errorf("check slug: %w", err)
	}
	if n > 0 {
		return nil, &apperr.FieldConflict{Field: "slug", Key: "error.union_slug_taken"}
	}
	if len(m.Domains) > 0 {
		if err := bdb.QueryRowContext(ctx, "SELECT count(*) FROM tenants WHERE ? = ANY(domains)", m.Domains[0]).Scan(&n); err != nil {
			return nil, fmt.Errorf("check domain: %w", err)
		}
		if n > 0 {
			return nil, &apperr.FieldConflict{Field: "domain", Key: "error.union_domain_taken"}
		}
	}
	rep, err := Apply(ctx, bdb, b, m)
	if err != nil {
		return nil, err
	}
	if !rep.TenantCreated {
		return nil, &apperr.FieldConflict{Field: "slug", Key: "error.union_slug_taken"}
	}
	t := &Tenant{}
	if err := bdb.NewSelect().Model(t).Where("slug = ?", m.Slug).Scan(ctx); err != nil {
		return nil, fmt.Errorf("load new union: %w", err)
	}
	return t, nil
}

// SetLogo stores a cleaned logo as the union's live logo (console
// creation; admins change it later on their branding page).
func SetLogo(ctx context.Context, bdb *bun.DB, tenantID uuid.UUID, data []byte) error {
	ct, clean, err := CleanLogo(data)
	if err != nil {
		return err
	}
	a := NewAdmin(bdb, nil)
	if _, err := a.putDraftLogo(ctx, tenantID, ct, clean); err != nil {
		return err
	}
	return db.InTenantTx(ctx, bdb, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var sha string
		err := tx.QueryRowContext(ctx, `INSERT INTO tenant_logos (tenant_id, slot, content_type, data, sha256)
			SELECT tenant_id, 'live', content_type, data, sha256 FROM tenant_logos WHERE slot = 'draft'
			ON CONFLICT (tenant_id, slot) DO UPDATE SET content_type = EXCLUDED.content_type, data = EXCLUDED.data,
				sha256 = EXCLUDED.sha256, updated_at = now() RETURNING sha256`).Scan(&sha)
		if err != nil {
			return fmt.Errorf("logo: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM tenant_logos WHERE slot = 'draft'"); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE tenants SET settings = jsonb_set(coalesce(settings, '{}'), '{branding,logo}', to_jsonb(?::text))
			WHERE id = ?`, sha, tenantID)
		return err
	})
}

// UnionRow is one union in the console's list.
type UnionRow struct {
	ID          uuid.UUID  `json:"id" bun:"id"`
	Slug        string     `json:"slug" bun:"slug"`
	Name        string     `json:"name" bun:"name"`
	AppName     string     `json:"app_name" bun:"app_name"`
	Domains     []string   `json:"domains" bun:"domains,array"`
	Status      string     `json:"status" bun:"status"`
	SuspendedAt *time.Time `json:"suspended_at,omitempty" bun:"suspended_at"`
	ExportedAt  *time.Time `json:"exported_at,omitempty" bun:"exported_at"`
	CreatedAt   time.Time  `json:"created_at" bun:"created_at"`
}

// Removable reports whether the union may be removed: suspended, and
// exported after the suspension (so the export holds everything).
func (u *UnionRow) Removable() bool {
	return u.Status == StatusSuspended && u.SuspendedAt != nil && u.ExportedAt != nil && !u.ExportedAt.Before(*u.SuspendedAt)
}

// Unions lists every union (the platform table; no tenant rows).
func Unions(ctx context.Context, bdb bun.IDB) ([]UnionRow, error) {
	var out []UnionRow
	err := bdb.NewSelect().Table("tenants").Column("id", "slug", "name", "app_name", "domains", "status", "suspended_at", "exported_at", "created_at").
		OrderExpr("slug").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("list unions: %w", err)
	}
	return out, nil
}

// Union returns one union by id, or apperr.ErrNotFound.
func Union(ctx context.Context, bdb bun.IDB, id uuid.UUID) (*UnionRow, error) {
	var out []UnionRow
	err := bdb.NewSelect().Table("tenants").Column("id", "slug", "name", "app_name", "domains", "status", "suspended_at", "exported_at", "created_at").
		Where("id = ?", id).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("load union: %w", err)
	}
	if len(out) == 0 {
		return nil, apperr.ErrNotFound
	}
	return &out[0], nil
}

// SetSuspended suspends or resumes a union. Nothing of its data changes;
// the resolver (refreshed by the caller) then serves its host a notice.
func SetSuspended(ctx context.Context, bdb bun.IDB, id uuid.UUID, suspend bool) error {
	q := bdb.NewUpdate().Table("tenants").Where("id = ?", id).Set("updated_at = now()")
	if suspend {
		q = q.Set("status = ?, suspended_at = now()", StatusSuspended).Where("status = ?", StatusActive)
	} else {
		q = q.Set("status = ?, suspended_at = NULL", StatusActive).Where("status = ?", StatusSuspended)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return fmt.Errorf("set union status: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := Union(ctx, bdb, id); err != nil {
			return err
		}
		return &apperr.FieldConflict{Field: "status", Key: "error.union_status"}
	}
	return nil
}

// MarkExported records that the union was exported now.
func MarkExported(ctx context.Context, bdb bun.IDB, id uuid.UUID) error {
	_, err := bdb.NewUpdate().Table("tenants").Set("exported_at = clock_timestamp()").Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("record export: %w", err)
	}
	return nil
}
