// Package brands owns a union's brand directory (issue 22): the buyer
// brands and certification bodies its officers and workers pick from,
// the brands each workplace produces for by default (with the estate's
// certification and mill for palm oil), and the union's choice to hand
// redacted case packets to them. A brand typed freely on a case is
// normalised to the same slug (cases.NormaliseBrand); officers fold such
// free-text slugs into a directory entry (Merge) and retire entries no
// longer offered. Every change is an admin audit event.
package brands

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// Kinds of directory entries.
const (
	KindBrand             = "brand"
	KindCertificationBody = "certification_body"
)

// Kinds lists them.
var Kinds = []string{KindBrand, KindCertificationBody}

// Certifications are a palm-oil estate's certification choices.
var Certifications = []string{"rspo", "ispo", "rspo_ispo", "none"}

// Admin audit kinds.
const (
	EventAdded     = "brand.added"
	EventRetired   = "brand.retired"
	EventRestored  = "brand.restored"
	EventMerged    = "brand.merged"
	EventWorkplace = "brand.workplace_context"
	EventPackets   = "settings.brand_packets"
)

// maxWorkplaceBrands bounds a workplace's default list (as the table does).
const maxWorkplaceBrands = 10

// Brand is a directory entry with how many cases name it.
type Brand struct {
	Slug      string     `bun:"slug" json:"slug"`
	Name      string     `bun:"name" json:"name"`
	Kind      string     `bun:"kind" json:"kind"`
	RetiredAt *time.Time `bun:"retired_at" json:"retired_at,omitempty"`
	Cases     int        `bun:"cases" json:"cases"`
}

// Unlisted is a slug named on cases (typed freely) that the directory
// does not hold.
type Unlisted struct {
	Slug  string `bun:"slug" json:"slug"`
	Cases int    `bun:"cases" json:"cases"`
}

// Workplace is a workplace's brand context.
type Workplace struct {
	ID            uuid.UUID `bun:"id" json:"id"`
	Company       string    `bun:"company" json:"company"`
	Name          string    `bun:"name" json:"name"`
	Sector        string    `bun:"sector" json:"sector"`
	Certification string    `bun:"certification" json:"certification"`
	Mill          string    `bun:"mill" json:"mill"`
	DefaultBrands []string  `bun:"default_brands,array" json:"default_brands"`
}

// Label is the workplace as a list shows it.
func (w Workplace) Label() string {
	if w.Name != "" && w.Name != w.Company {
		return w.Company + " — " + w.Name
	}
	return w.Company
}

// Directory is everything the brands page shows.
type Directory struct {
	Brands     []Brand     `json:"brands"`
	Unlisted   []Unlisted  `json:"unlisted"`
	Workplaces []Workplace `json:"workplaces"`
	// Packets: the union shares redacted case packets with the brands and
	// certification bodies of its directory (settings.brand_packets).
	Packets bool `json:"packets"`
	// Can is what the caller may change, for the page's forms.
	Can Can `json:"-"`
}

// Can is what a caller may change in the directory: its entries (brand
// update), the packet choice (tenant_settings update) and workplaces'
// context (workplace update).
type Can struct {
	Update, Settings, Workplace bool
}

// Service reads and changes brand directories. Every exported method
// takes the caller and asks the authorizer first (tenant.Allow), union-wide
// as the admin service does: brand read to see the directory, brand update
// to change it, workplace update for a workplace's context and
// tenant_settings update for the packet choice.
type Service struct {
	db    *bun.DB
	authz tenant.Authorizer
}

// New returns a Service over the app's database handle, asking authz
// before each call (nil refuses every caller).
func New(bdb *bun.DB, authz tenant.Authorizer) *Service { return &Service{db: bdb, authz: authz} }

// Directory returns the union's directory, the free-text slugs on its
// cases, its workplaces' brand context and its packet choice (brand read).
func (s *Service) Directory(ctx context.Context, t *tenant.Tenant, caller tenant.Caller) (*Directory, error) {
	tenantID, _, err := tenant.Allow(ctx, s.authz, t, caller, "brand", "read")
	if err != nil {
		return nil, err
	}
	may := func(obj, act string) bool {
		_, _, err := tenant.Allow(ctx, s.authz, t, caller, obj, act)
		return err == nil
	}
	d := &Directory{Brands: []Brand{}, Unlisted: []Unlisted{}, Workplaces: []Workplace{},
		Can: Can{Update: may("brand", "update"), Settings: may("tenant_settings", "update"), Workplace: may("workplace", "update")}}
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewRaw(`WITH used AS (SELECT u.slug, count(*)::int AS cases FROM cases c, unnest(c.buyer_brands) u(slug) GROUP BY 1)
			SELECT b.slug, b.name, b.kind, b.retired_at, coalesce(used.cases, 0) AS cases
			FROM brands b LEFT JOIN used ON used.slug = b.slug
			ORDER BY b.retired_at IS NOT NULL, b.kind, lower(b.name)`).Scan(ctx, &d.Brands); err != nil {
			return fmt.Errorf("list brands: %w", err)
		}
		if err := tx.NewRaw(`SELECT u.slug, count(*)::int AS cases FROM cases c, unnest(c.buyer_brands) u(slug)
			WHERE NOT EXISTS (SELECT 1 FROM brands b WHERE b.slug = u.slug)
			GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 200`).Scan(ctx, &d.Unlisted); err != nil {
			return fmt.Errorf("list unlisted brands: %w", err)
		}
		if err := tx.NewRaw(`SELECT id, company, name, sector, coalesce(certification, '') AS certification, mill, default_brands
			FROM workplaces WHERE merged_into IS NULL AND NOT unverified ORDER BY company, name`).Scan(ctx, &d.Workplaces); err != nil {
			return fmt.Errorf("list workplaces: %w", err)
		}
		var err error
		d.Packets, err = cases.BrandPacketsEnabled(ctx, tx, tenantID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("brand directory: %w", err)
	}
	for i := range d.Brands {
		if d.Brands[i].RetiredAt != nil {
			t := d.Brands[i].RetiredAt.UTC()
			d.Brands[i].RetiredAt = &t
		}
	}
	return d, nil
}

// Input is a new directory entry.
type Input struct {
	Name string `json:"name" form:"name"`
	Kind string `json:"kind" form:"kind"`
}

// cleanName trims a display name and refuses one that is empty, too long
// or holds control characters.
func cleanName(v *apperr.Validation, field, s string) string {
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "":
		v.Add(field, "error.required")
	case len([]rune(s)) > 120 || strings.ContainsFunc(s, unicode.IsControl):
		v.Add(field, "error.invalid")
	}
	return s
}

// Add puts an entry in the directory under the slug its name normalises
// to ("H&M Group" → h-and-m-group). A retired entry of the same slug is
// restored with the new name; an active one is a conflict (brand update).
func (s *Service) Add(ctx context.Context, t *tenant.Tenant, caller tenant.Caller, in Input) (*Brand, error) {
	tenantID, actorID, err := tenant.Allow(ctx, s.authz, t, caller, "brand", "update")
	if err != nil {
		return nil, err
	}
	v := &apperr.Validation{}
	name := cleanName(v, "name", in.Name)
	kind := strings.TrimSpace(in.Kind)
	if kind == "" {
		kind = KindBrand
	}
	if !slices.Contains(Kinds, kind) {
		v.Add("kind", "error.invalid_choice")
	}
	slug, ok := cases.NormaliseBrand(name)
	if name != "" && !ok {
		v.Add("name", "error.invalid")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := &Brand{Slug: slug, Name: name, Kind: kind}
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var retired *time.Time
		err := tx.QueryRowContext(ctx, "SELECT retired_at FROM brands WHERE slug = ? FOR UPDATE", slug).Scan(&retired)
		event := EventAdded
		switch {
		case err == nil && retired == nil:
			return &apperr.FieldConflict{Field: "name", Key: "error.brand_exists"}
		case err == nil:
			event = EventRestored
			if _, err := tx.ExecContext(ctx, "UPDATE brands SET name = ?, kind = ?, retired_at = NULL WHERE slug = ?", name, kind, slug); err != nil {
				return fmt.Errorf("restore brand: %w", err)
			}
		default:
			if _, err := tx.ExecContext(ctx, "INSERT INTO brands (tenant_id, slug, name, kind) VALUES (?, ?, ?, ?)", tenantID, slug, name, kind); err != nil {
				return fmt.Errorf("insert brand: %w", db.MapError(err))
			}
		}
		return tenant.LogAdminEvent(ctx, tx, tenantID, actorID, event, slug, map[string]any{"name": name, "kind": kind})
	})
	if err != nil {
		return nil, fmt.Errorf("add brand: %w", err)
	}
	return out, nil
}

// Retire stops offering an entry; cases and facts keep its slug, and
// links already handed to it stop working (cases.BrandShare checks)
// (brand update).
func (s *Service) Retire(ctx context.Context, t *tenant.Tenant, caller tenant.Caller, slug string) error {
	tenantID, actorID, err := tenant.Allow(ctx, s.authz, t, caller, "brand", "update")
	if err != nil {
		return err
	}
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE brands SET retired_at = now() WHERE slug = ? AND retired_at IS NULL", slug)
		if err != nil {
			return fmt.Errorf("retire brand: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrNotFound
		}
		return tenant.LogAdminEvent(ctx, tx, tenantID, actorID, EventRetired, slug, nil)
	})
	if err != nil {
		return fmt.Errorf("retire brand %q: %w", slug, err)
	}
	return nil
}

// MergeInput folds a slug (typed freely on cases, or a duplicate entry)
// into a directory entry.
type MergeInput struct {
	From string `json:"from" form:"from"`
	Into string `json:"into" form:"into"`
}

// Merge rewrites every case and workplace default that names From to name
// Into instead (once), and retires From when it is a directory entry. The
// cases' updated_at moves, so the next rollup re-reads them and the
// analytics count them under Into. Returns how many cases changed (brand
// update).
func (s *Service) Merge(ctx context.Context, t *tenant.Tenant, caller tenant.Caller, in MergeInput) (int, error) {
	tenantID, actorID, err := tenant.Allow(ctx, s.authz, t, caller, "brand", "update")
	if err != nil {
		return 0, err
	}
	v := &apperr.Validation{}
	from, ok := cases.NormaliseBrand(in.From)
	if !ok {
		v.Add("from", "error.invalid")
	}
	into := strings.TrimSpace(in.Into)
	if into == "" {
		v.Add("into", "error.required")
	}
	if ok && from == into {
		v.Add("into", "error.brand_merge_self")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	var n int
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM brands WHERE slug = ? AND retired_at IS NULL)", into).Scan(&exists); err != nil {
			return fmt.Errorf("load brand: %w", err)
		}
		if !exists {
			return apperr.Invalid("into", "error.invalid_choice")
		}
		// array_remove then append keeps each slug once.
		res, err := tx.ExecContext(ctx, `UPDATE cases SET buyer_brands = CASE WHEN ?1 = ANY (buyer_brands)
				THEN array_remove(buyer_brands, ?0) ELSE array_replace(buyer_brands, ?0, ?1) END, updated_at = now()
			WHERE ?0 = ANY (buyer_brands)`, from, into)
		if err != nil {
			return fmt.Errorf("rewrite cases: %w", err)
		}
		c, _ := res.RowsAffected()
		n = int(c)
		if _, err := tx.ExecContext(ctx, `UPDATE workplaces SET default_brands = CASE WHEN ?1 = ANY (default_brands)
				THEN array_remove(default_brands, ?0) ELSE array_replace(default_brands, ?0, ?1) END, updated_at = now()
			WHERE ?0 = ANY (default_brands)`, from, into); err != nil {
			return fmt.Errorf("rewrite workplaces: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE brands SET retired_at = now() WHERE slug = ? AND retired_at IS NULL", from); err != nil {
			return fmt.Errorf("retire merged brand: %w", err)
		}
		return tenant.LogAdminEvent(ctx, tx, tenantID, actorID, EventMerged, from+" → "+into,
			map[string]any{"from": from, "into": into, "cases": n})
	})
	if err != nil {
		return 0, fmt.Errorf("merge brand: %w", err)
	}
	return n, nil
}

// WorkplaceInput is a workplace's brand context as a form or body gives
// it: brands are directory slugs or free text, comma-separated allowed.
type WorkplaceInput struct {
	Certification string   `json:"certification" form:"certification"`
	Mill          string   `json:"mill" form:"mill"`
	Brands        []string `json:"default_brands" form:"default_brands"`
}

// SetWorkplace stores a workplace's default brands, certification and
// mill. Cases of the workplace that name no brand take the defaults at
// their next rollup (workplace update).
func (s *Service) SetWorkplace(ctx context.Context, t *tenant.Tenant, caller tenant.Caller, workplaceID uuid.UUID, in WorkplaceInput) (*Workplace, error) {
	tenantID, actorID, err := tenant.Allow(ctx, s.authz, t, caller, "workplace", "update")
	if err != nil {
		return nil, err
	}
	v := &apperr.Validation{}
	var cert *string
	if c := strings.TrimSpace(in.Certification); c != "" {
		if !slices.Contains(Certifications, c) {
			v.Add("certification", "error.invalid_choice")
		}
		cert = &c
	}
	mill := strings.Join(strings.Fields(in.Mill), " ")
	if len([]rune(mill)) > 200 || strings.ContainsFunc(mill, unicode.IsControl) {
		v.Add("mill", "error.invalid")
	}
	slugs := []string{}
	for _, item := range in.Brands {
		for _, b := range strings.Split(item, ",") {
			if strings.TrimSpace(b) == "" {
				continue
			}
			slug, ok := cases.NormaliseBrand(b)
			if !ok {
				v.Add("default_brands", "error.invalid")
				continue
			}
			if !slices.Contains(slugs, slug) {
				slugs = append(slugs, slug)
			}
		}
	}
	if len(slugs) > maxWorkplaceBrands {
		v.Add("default_brands", "error.too_long")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := &Workplace{}
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewRaw(`UPDATE workplaces SET certification = ?, mill = ?, default_brands = ?, updated_at = now()
			WHERE id = ? AND merged_into IS NULL
			RETURNING id, company, name, sector, coalesce(certification, '') AS certification, mill, default_brands`,
			cert, mill, pgdialect.Array(slugs), workplaceID).Scan(ctx, out)
		if err != nil {
			return db.MapError(err)
		}
		// Cases of the workplace that name no brand of their own change
		// their brands with it: the rollup must read them again.
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET updated_at = now() WHERE workplace_id = ? AND cardinality(buyer_brands) = 0", workplaceID); err != nil {
			return fmt.Errorf("touch cases: %w", err)
		}
		return tenant.LogAdminEvent(ctx, tx, tenantID, actorID, EventWorkplace, out.Company,
			map[string]any{"workplace_id": workplaceID, "certification": cert, "mill": mill, "default_brands": slugs})
	})
	if err != nil {
		return nil, fmt.Errorf("workplace brands: %w", err)
	}
	return out, nil
}

// SetPackets records the union's choice to share redacted case packets
// with the brands and certification bodies of its directory
// (tenant_settings update).
func (s *Service) SetPackets(ctx context.Context, t *tenant.Tenant, caller tenant.Caller, on bool) error {
	tenantID, actorID, err := tenant.Allow(ctx, s.authz, t, caller, "tenant_settings", "update")
	if err != nil {
		return err
	}
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET settings = jsonb_set(coalesce(settings, '{}'), '{brand_packets}', to_jsonb(?::boolean)),
				updated_at = now() WHERE id = ?`, on, tenantID); err != nil {
			return fmt.Errorf("save brand packet setting: %w", err)
		}
		return tenant.LogAdminEvent(ctx, tx, tenantID, actorID, EventPackets, fmt.Sprintf("brand_packets=%t", on), map[string]any{"brand_packets": on})
	})
	if err != nil {
		return fmt.Errorf("brand packets: %w", err)
	}
	return nil
}
