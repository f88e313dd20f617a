package tenant_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/classify"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/tenant"
)

func loadBundle(t *testing.T) *tenant.Bundle {
	t.Helper()
	b, err := tenant.LoadBundle(suara.TenantsFS, "tenants")
	if err != nil {
		t.Fatalf("load manifests: %v", err)
	}
	return b
}

func applyAll(t *testing.T, bdb *bun.DB, b *tenant.Bundle) []tenant.ApplyReport {
	t.Helper()
	var out []tenant.ApplyReport
	for i := range b.Manifests {
		rep, err := tenant.Apply(context.Background(), bdb, b, &b.Manifests[i])
		if err != nil {
			t.Fatalf("apply: %v", err)
		}
		out = append(out, rep)
	}
	return out
}

func tenantID(t *testing.T, bdb bun.IDB, slug string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := bdb.NewSelect().Table("tenants").Column("id").Where("slug = ?", slug).Scan(context.Background(), &id); err != nil {
		t.Fatalf("tenant %s: %v", slug, err)
	}
	return id
}

func TestSeedManifestsAreComplete(t *testing.T) {
	b := loadBundle(t)
	want := map[string]string{"spn": "SoPaN SPN", "garteks": "Teman Garteks", "fsptsk": "Hallo Siola", "japbusi": ""}
	if len(b.Manifests) != len(want) {
		t.Fatalf("got %d manifests, want %d", len(b.Manifests), len(want))
	}
	for _, m := range b.Manifests {
		app, ok := want[m.Slug]
		if !ok {
			t.Errorf("unexpected manifest %s", m.Slug)
			continue
		}
		if app != "" && m.AppName != app {
			t.Errorf("%s: app name %q, want %q", m.Slug, m.AppName, app)
		}
		provinces, units := 0, 0
		for _, p := range m.Org.Children {
			provinces++
			for _, c := range p.Children {
				units += len(c.Children)
			}
		}
		if provinces < 2 || units < 3 {
			t.Errorf("%s: %d provinces and %d units, want at least 2 and 3", m.Slug, provinces, units)
		}
		cats, err := b.Categories(&m)
		if err != nil || len(cats) < 13 {
			t.Errorf("%s: %d categories (%v)", m.Slug, len(cats), err)
		}
	}
}

func TestApplyIsIdempotentAndKeepsAdminChanges(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	b := loadBundle(t)
	first := applyAll(t, tdb.App, b)
	for _, r := range first {
		if !r.TenantCreated || r.Branches == 0 || r.Workplaces == 0 || r.Categories < 13 || r.Tags < len(classify.DefaultTags()) {
			t.Fatalf("first apply created too little: %v", r)
		}
	}
	counts := func() map[string]int {
		out := map[string]int{}
		for _, m := range b.Manifests {
			id := tenantID(t, tdb.App, m.Slug)
			err := db.InTenantTx(ctx, tdb.App, id, func(ctx context.Context, tx bun.Tx) error {
				for _, table := range []string{"branches", "workplaces", "categories", "tags"} {
					var n int
					if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
						return err
					}
					out[m.Slug+"/"+table] = n
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	before := counts()

	// A tenant admin renames a category and retires a tag after
	// provisioning.
	spn := tenantID(t, tdb.App, "spn")
	if err := db.InTenantTx(ctx, tdb.App, spn, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE tags SET retired_at = now() WHERE slug = 'lembur'"); err != nil {
			return err
		}
		_, err := tx.NewUpdate().Table("categories").Set("name_id = ?", "Gaji dan THR").Where("slug = 'upah'").Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	second := applyAll(t, tdb.App, b)
	for _, r := range second {
		if r.TenantCreated || r.Branches+r.Workplaces+r.Categories+r.Tags != 0 {
			t.Errorf("second apply changed something: %v", r)
		}
	}
	after := counts()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %d rows before, %d after the second apply", k, v, after[k])
		}
	}
	var name string
	if err := db.InTenantTx(ctx, tdb.App, spn, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Table("categories").Column("name_id").Where("slug = 'upah'").Scan(ctx, &name)
	}); err != nil {
		t.Fatal(err)
	}
	var retired bool
	if err := db.InTenantTx(ctx, tdb.App, spn, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT retired_at IS NOT NULL FROM tags WHERE slug = 'lembur'").Scan(&retired)
	}); err != nil || !retired {
		t.Errorf("apply brought back a retired tag (retired %v, %v)", retired, err)
	}
	if name != "Gaji dan THR" {
		t.Fatalf("apply overwrote the admin's rename: %q", name)
	}
}

// Connected as the app role: a query with no WHERE sees only the current
// tenant's rows, another tenant's id cannot be written, and without the
// setting nothing is visible.
func TestRowLevelSecurity(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	applyAll(t, tdb.App, loadBundle(t))
	spn, garteks := tenantID(t, tdb.App, "spn"), tenantID(t, tdb.App, "garteks")

	for _, table := range []string{"branches", "workplaces", "categories"} {
		err := db.InTenantTx(ctx, tdb.App, spn, func(ctx context.Context, tx bun.Tx) error {
			var ids []uuid.UUID
			if err := tx.NewSelect().Table(table).Column("tenant_id").Scan(ctx, &ids); err != nil {
				return err
			}
			if len(ids) == 0 {
				t.Errorf("%s: spn sees no rows of its own", table)
			}
			for _, id := range ids {
				if id != spn {
					t.Errorf("%s: spn sees a row of tenant %s", table, id)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		// No tenant set: nothing at all.
		var n int
		if err := tdb.App.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows visible without a tenant setting", table, n)
		}
	}

	// Writing a row for another tenant is refused by the policy.
	err := db.InTenantTx(ctx, tdb.App, spn, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&tenant.Workplace{TenantID: garteks, Slug: "sneaky", Company: "PT Sneaky", Sector: "garment"}).
			ExcludeColumn("id", "created_at", "updated_at").Exec(ctx)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Fatalf("insert with another tenant's id: err = %v, want an RLS violation", err)
	}
	// Nor can a row be moved to another tenant.
	err = db.InTenantTx(ctx, tdb.App, spn, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Table("workplaces").Set("tenant_id = ?", garteks).Where("true").Exec(ctx)
		return err
	})
	if err == nil {
		t.Fatal("moving rows to another tenant succeeded")
	}

	// After a tenant transaction the setting is '' on the pooled
	// connection, which must still show nothing.
	conn, err := tdb.App.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "SELECT set_config('app.tenant_id', ?, true)", spn.String()); err != nil {
		t.Fatal(err)
	}
	_ = tx.Commit()
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM categories").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("%d categories visible after the tenant transaction ended", n)
	}
}

// TestApplySeedsTagVocabulary: every union starts with the default tags,
// labelled (BPJS in capitals, not the bare slug), a palm-oil union with its
// sector's tags too and others without them; a tag an admin retired stays
// retired through another apply.
func TestApplySeedsTagVocabulary(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	b := loadBundle(t)
	applyAll(t, tdb.App, b)
	for _, m := range b.Manifests {
		palm := slices.Contains(m.Sectors, "palm_oil")
		id := tenantID(t, tdb.App, m.Slug)
		var active []string
		var label, brondolan string
		if err := db.InTenantTx(ctx, tdb.App, id, func(ctx context.Context, tx bun.Tx) error {
			var err error
			if active, err = tenant.ActiveTagSlugs(ctx, tx); err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, "SELECT name_id FROM tags WHERE slug = 'bpjs_kesehatan'").Scan(&label); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, "SELECT coalesce((SELECT name_en FROM tags WHERE slug = 'brondolan'), '')").Scan(&brondolan)
		}); err != nil {
			t.Fatal(err)
		}
		for _, tag := range classify.DefaultTags() {
			if !slices.Contains(active, tag) {
				t.Errorf("%s: default tag %s missing", m.Slug, tag)
			}
		}
		if label != "BPJS kesehatan" {
			t.Errorf("%s: bpjs_kesehatan labelled %q", m.Slug, label)
		}
		if palm != (brondolan == "Loose fruit") {
			t.Errorf("%s (palm oil %v): brondolan labelled %q", m.Slug, palm, brondolan)
		}
	}
}

// TestTagsAreIsolated: under RLS (the app's role), a union's transaction
// sees and writes its own tags only, and outside any union none at all.
func TestTagsAreIsolated(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	applyAll(t, tdb.App, loadBundle(t))
	spn, garteks := tenantID(t, tdb.App, "spn"), tenantID(t, tdb.App, "garteks")
	var outside int
	if err := tdb.App.QueryRowContext(ctx, "SELECT count(*) FROM tags").Scan(&outside); err != nil || outside != 0 {
		t.Errorf("outside a union: %d tags (%v)", outside, err)
	}
	err := db.InTenantTx(ctx, tdb.App, spn, func(ctx context.Context, tx bun.Tx) error {
		var foreign int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM tags WHERE tenant_id = ?", garteks).Scan(&foreign); err != nil {
			return err
		}
		if foreign != 0 {
			t.Errorf("spn sees %d of garteks's tags", foreign)
		}
		res, err := tx.ExecContext(ctx, "UPDATE tags SET retired_at = now() WHERE tenant_id = ?", garteks)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 0 {
			t.Errorf("spn retired %d of garteks's tags", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTenantTx(ctx, tdb.App, spn, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO tags (tenant_id, slug, name_id, name_en) VALUES (?, 'disusupkan', 'x', 'x')", garteks)
		return err
	})
	if err == nil {
		t.Error("spn wrote a tag for garteks")
	}
}
