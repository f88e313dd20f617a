package db_test

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/uptrace/bun/migrate"

	"github.com/suara-id/suara/internal/db/pgtest"
)

// distributabilityProblems inspects the catalogue of the public schema and
// lists what would stop Citus from distributing every tenant-owned table
// (a table with a tenant_id column) by tenant_id, with tables without one
// (tenants, platform tables) as reference tables:
//
//   - tenant_id must lead the primary key (rows of a tenant stay together
//     and the key routes to one shard);
//   - every unique constraint or unique index must include tenant_id (Citus
//     can only enforce uniqueness inside one shard);
//   - every foreign key to another tenant table must pair tenant_id with
//     the referenced tenant_id (co-located joins); foreign keys to a table
//     without tenant_id — a reference table such as tenants — are fine;
//   - no table without tenant_id may reference a tenant table (Citus has no
//     foreign keys from a reference table to a distributed one).
//
// It returns the number of tenant tables seen, so a caller can tell an
// empty pass from a real one.
func distributabilityProblems(ctx context.Context, q *sql.DB) (tenantTables int, problems []string, err error) {
	const tenantTablesCTE = `
WITH tt AS (
    SELECT c.oid, c.relname, a.attnum AS tcol
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
)`
	// cols renders a constraint's or index's columns by name.
	const cols = `(SELECT string_agg(coalesce(att.attname, '<expr>'), ', ' ORDER BY k.ord)
	               FROM unnest(%s) WITH ORDINALITY k(attnum, ord)
	               LEFT JOIN pg_attribute att ON att.attrelid = %s AND att.attnum = k.attnum)`
	if err := q.QueryRowContext(ctx, tenantTablesCTE+`SELECT count(*) FROM tt`).Scan(&tenantTables); err != nil {
		return 0, nil, err
	}
	queries := []string{
		// Primary keys.
		`SELECT CASE WHEN con.oid IS NULL THEN tt.relname || ': no primary key'
		             ELSE tt.relname || ': primary key (' || ` + sprintf(cols, "con.conkey", "tt.oid") + ` || ') does not lead with tenant_id' END
		 FROM tt LEFT JOIN pg_constraint con ON con.conrelid = tt.oid AND con.contype = 'p'
		 WHERE con.oid IS NULL OR con.conkey[1] <> tt.tcol`,
		// Unique constraints and unique indexes (a UNIQUE constraint is
		// backed by an index of the same name).
		`SELECT tt.relname || ': unique ' || CASE WHEN con.oid IS NULL THEN 'index ' ELSE 'constraint ' END || ic.relname
		        || ' (' || ` + sprintf(cols, "i.indkey::int2[]", "tt.oid") + ` || ') lacks tenant_id'
		 FROM tt
		 JOIN pg_index i ON i.indrelid = tt.oid AND i.indisunique AND NOT i.indisprimary
		 JOIN pg_class ic ON ic.oid = i.indexrelid
		 LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype = 'u'
		 WHERE NOT (tt.tcol = ANY (i.indkey::int2[]))`,
		// Exclusion constraints are enforced per shard too.
		`SELECT tt.relname || ': exclusion constraint ' || con.conname || ' lacks tenant_id'
		 FROM tt JOIN pg_constraint con ON con.conrelid = tt.oid AND con.contype = 'x'
		 WHERE NOT (tt.tcol = ANY (con.conkey))`,
		// Foreign keys from a tenant table to another tenant table.
		`SELECT tt.relname || ': foreign key ' || con.conname
		        || ' (' || ` + sprintf(cols, "con.conkey", "tt.oid") + ` || ') → '
		        || rt.relname || ' (' || ` + sprintf(cols, "con.confkey", "rt.oid") + ` || ')'
		        || CASE WHEN array_position(con.conkey, tt.tcol) IS NULL THEN ' lacks tenant_id'
		                ELSE ' does not pair tenant_id with ' || rt.relname || '.tenant_id' END
		 FROM tt
		 JOIN pg_constraint con ON con.conrelid = tt.oid AND con.contype = 'f'
		 JOIN tt rt ON rt.oid = con.confrelid
		 WHERE array_position(con.conkey, tt.tcol) IS NULL
		    OR con.confkey[array_position(con.conkey, tt.tcol)] <> rt.tcol`,
		// Foreign keys from a table without tenant_id to a tenant table.
		`SELECT c.relname || ': foreign key ' || con.conname || ' references tenant table ' || tt.relname
		        || ' from a table without tenant_id'
		 FROM pg_constraint con
		 JOIN tt ON tt.oid = con.confrelid
		 JOIN pg_class c ON c.oid = con.conrelid
		 JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE con.contype = 'f' AND n.nspname = 'public'
		   AND NOT EXISTS (SELECT 1 FROM tt t2 WHERE t2.oid = con.conrelid)`,
	}
	for _, query := range queries {
		rows, err := q.QueryContext(ctx, tenantTablesCTE+query+` ORDER BY 1`)
		if err != nil {
			return 0, nil, err
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return 0, nil, err
			}
			problems = append(problems, s)
		}
		if err := rows.Close(); err != nil {
			return 0, nil, err
		}
		if err := rows.Err(); err != nil {
			return 0, nil, err
		}
	}
	return tenantTables, problems, nil
}

// sprintf fills the %s placeholders of a SQL fragment in order.
func sprintf(format string, args ...string) string {
	for _, a := range args {
		format = strings.Replace(format, "%s", a, 1)
	}
	return format
}

// The current schema can be distributed by tenant_id as it stands.
func TestDistributableSchema(t *testing.T) {
	tdb := pgtest.New(t)
	n, problems, err := distributabilityProblems(context.Background(), tdb.App.DB)
	if err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Fatalf("found only %d tenant tables: the check would pass on an empty schema", n)
	}
	for _, p := range problems {
		t.Errorf("not distributable by tenant_id: %s", p)
	}
	t.Logf("%d tenant tables, all distributable by tenant_id", n)
}

// The checker catches each way a migration can break distributability.
func TestDistributabilityCheckerCatchesBadMigration(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	// The bad migration runs through bun's migrator, as `suara migrate`
	// runs ours, on top of the current schema.
	migrations := migrate.NewMigrations()
	if err := migrations.Discover(os.DirFS("testdata/bad_migrations")); err != nil {
		t.Fatal(err)
	}
	m := migrate.NewMigrator(tdb.Owner, migrations)
	if err := m.Init(ctx); err != nil {
		t.Fatal(err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		t.Fatalf("apply the bad migration: %v", err)
	}
	if len(group.Migrations) != 1 {
		t.Fatalf("applied %d migrations, want the one bad one", len(group.Migrations))
	}
	_, problems, err := distributabilityProblems(ctx, tdb.Owner.DB)
	if err != nil {
		t.Fatal(err)
	}
	report := strings.Join(problems, "\n")
	for _, want := range []string{
		"bad_things: primary key (id) does not lead with tenant_id",
		"bad_pk_order: primary key (id, tenant_id) does not lead with tenant_id",
		"bad_no_pk: no primary key",
		"bad_links: unique constraint bad_links_code_key (code) lacks tenant_id",
		"bad_links: unique index bad_links_slug_idx (slug) lacks tenant_id",
		"bad_links: foreign key bad_links_thing_id_fkey (thing_id) → bad_things (id) lacks tenant_id",
		"bad_links: foreign key bad_links_swapped_fkey (workplace_id, tenant_id) → workplaces (tenant_id, id) does not pair tenant_id with workplaces.tenant_id",
		"platform_notes: foreign key platform_notes_tenant_link_fkey references tenant table bad_links from a table without tenant_id",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("checker missed: %s\nreport:\n%s", want, report)
		}
	}
	// What is right in the bad migration is not blamed, nor is the schema.
	for _, fine := range []string{"bad_links_tenant_id_slug_key", "good_links_workplace_fkey", "bad_links_tenant_id_fkey", "bad_no_pk_tenant_id_fkey"} {
		if strings.Contains(report, fine) {
			t.Errorf("checker blames %s, which is distributable:\n%s", fine, report)
		}
	}
	if len(problems) != 8 {
		t.Errorf("checker reported %d problems, want exactly the 8 planted:\n%s", len(problems), report)
	}
}
