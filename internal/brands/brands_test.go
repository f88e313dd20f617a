package brands_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/brands"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

// The directory's rules against the real tables under RLS: names
// normalise to one slug, a retired entry comes back when added again,
// merging keeps each slug once in a list, and one union's service calls
// never reach another union's rows.
func TestDirectoryRules(t *testing.T) {
	d := pgtest.New(t)
	tenanttest.Seed(t, d)
	ctx := context.Background()
	ids := map[string]uuid.UUID{}
	for _, slug := range []string{"spn", "garteks"} {
		var id uuid.UUID
		if err := d.Super.QueryRowContext(ctx, "SELECT id FROM tenants WHERE slug = ?", slug).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[slug] = id
	}
	var wp uuid.UUID
	if err := d.Super.QueryRowContext(ctx, "SELECT id FROM workplaces WHERE tenant_id = ? AND NOT unverified LIMIT 1", ids["spn"]).Scan(&wp); err != nil {
		t.Fatal(err)
	}
	s := brands.New(d.App, &tenanttest.Authz{}) // allows: the permissions are checked below and in web's tests
	actor := tenanttest.Caller{ID: uuid.New(), Staff: true}
	spn := &tenant.Tenant{ID: ids["spn"], Slug: "spn"}
	garteks := &tenant.Tenant{ID: ids["garteks"], Slug: "garteks"}

	b, err := s.Add(ctx, spn, actor, brands.Input{Name: "Adidas AG"})
	if err != nil || b.Slug != "adidas" || b.Kind != brands.KindBrand {
		t.Fatalf("add: %+v %v", b, err)
	}
	var fc *apperr.FieldConflict
	if _, err := s.Add(ctx, spn, actor, brands.Input{Name: "ADIDAS"}); !errors.As(err, &fc) {
		t.Errorf("same slug again: %v", err)
	}
	var ve *apperr.Validation
	if _, err := s.Add(ctx, spn, actor, brands.Input{Name: "\x01"}); !errors.As(err, &ve) {
		t.Errorf("control character: %v", err)
	}
	if err := s.Retire(ctx, spn, actor, "adidas"); err != nil {
		t.Fatal(err)
	}
	if b, err := s.Add(ctx, spn, actor, brands.Input{Name: "adidas", Kind: brands.KindBrand}); err != nil || b.Slug != "adidas" {
		t.Errorf("restore: %+v %v", b, err)
	}

	if _, err := s.SetWorkplace(ctx, spn, actor, wp, brands.WorkplaceInput{Brands: []string{"Nike", "adidas"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Merge(ctx, spn, actor, brands.MergeInput{From: "nike", Into: "adidas"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := d.Super.QueryRowContext(ctx, "SELECT default_brands FROM workplaces WHERE id = ?", wp).Scan(pgdialect.Array(&got)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"adidas"}) {
		t.Errorf("after merging nike into adidas: %v", got)
	}

	// Garteks: SPN's workplace is not found, SPN's brand not retired.
	if _, err := s.SetWorkplace(ctx, garteks, actor, wp, brands.WorkplaceInput{Mill: "x"}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("garteks sets SPN's workplace: %v", err)
	}
	if err := s.Retire(ctx, garteks, actor, "adidas"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("garteks retires SPN's brand: %v", err)
	}
	dir, err := s.Directory(ctx, garteks, actor)
	if err != nil || len(dir.Brands) != 0 {
		t.Errorf("garteks' directory: %+v %v", dir, err)
	}
}

// TestServiceRefusesUnauthorisedCallers: every exported method of
// brands.Service checks its caller itself, as tenant.Admin's do.
func TestServiceRefusesUnauthorisedCallers(t *testing.T) {
	tenanttest.CallerCheck{
		New: func(authz tenant.Authorizer) any { return brands.New(nil, authz) },
		Refused: []tenanttest.Refused{
			{Name: "refused staff member", Caller: tenanttest.Caller{Staff: true}, Asks: true},
			{Name: "worker", Caller: tenanttest.Caller{}},
			{Name: "platform account", Caller: tenanttest.Caller{Platform: true}},
		},
		Min: 6,
	}.Run(t)
}
