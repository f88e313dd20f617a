// Package tenantmove owns moving one tenant's data out of an installation
// and into another: every row of every tenant-owned table, and the
// tenant's evidence files, as one JSON-lines file. It is the platform
// team's off-boarding and per-union backup path.
//
// The tables are not listed here: they are read from the database's
// catalogue (every table with a tenant_id column, plus the tenants row
// itself) and ordered by their foreign keys, so a table added by a later
// migration is exported without anyone remembering to add it. Rows are
// encoded by PostgreSQL itself (to_jsonb) and decoded by it
// (jsonb_populate_recordset), so every column type round-trips as
// PostgreSQL writes it, and the case timeline's hash chain (which hashes
// stored values) still verifies after an import.
package tenantmove

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/uptrace/bun"
)

// Format and Version name the file format in its header line.
const (
	Format  = "suara-tenant-export"
	Version = 1
)

// fk is a foreign key of a table: its columns and the referenced table's.
type fk struct {
	cols    []string
	refCols []string
	refTab  string
}

// table is one tenant-owned table in the catalogue.
type table struct {
	Name string
	// Cols are the insertable columns (no generated ones), in order.
	Cols []string
	// Identity lists identity columns whose sequences follow an import.
	Identity []string
	// AlwaysIdentity: inserting explicit values needs OVERRIDING SYSTEM VALUE.
	AlwaysIdentity bool
	// PK orders the export (stable files for the same data).
	PK []string
	// Self are foreign keys into the table itself (a branch's parent):
	// imported rows wait until the row they point at is in.
	Self []fk
	deps []string
}

// catalogue reads the tenant-owned tables (and tenants, first) in an order
// where every table comes after the tables it references.
func catalogue(ctx context.Context, idb bun.IDB) ([]table, error) {
	var names []string
	err := idb.NewRaw(`SELECT c.relname FROM pg_class c
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
		  AND (c.relname = 'tenants' OR EXISTS (SELECT 1 FROM pg_attribute a
		       WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped))
		ORDER BY c.relname`).Scan(ctx, &names)
	if err != nil {
		return nil, fmt.Errorf("read catalogue: %w", err)
	}
	byName := map[string]*table{}
	for _, n := range names {
		t := &table{Name: n}
		byName[n] = t
		var cols []struct {
			Name      string `bun:"attname"`
			Identity  string `bun:"attidentity"`
			Generated string `bun:"attgenerated"`
		}
		err := idb.NewRaw(`SELECT attname, attidentity::text, attgenerated::text FROM pg_attribute
			WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, quoteIdent(n)).Scan(ctx, &cols)
		if err != nil {
			return nil, fmt.Errorf("columns of %s: %w", n, err)
		}
		for _, c := range cols {
			if c.Generated != "" {
				continue
			}
			t.Cols = append(t.Cols, c.Name)
			if c.Identity != "" {
				t.Identity = append(t.Identity, c.Name)
				t.AlwaysIdentity = t.AlwaysIdentity || c.Identity == "a"
			}
		}
		err = idb.NewRaw(`SELECT a.attname FROM pg_index i
			JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
			JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
			WHERE i.indrelid = ?::regclass AND i.indisprimary ORDER BY k.ord`, quoteIdent(n)).Scan(ctx, &t.PK)
		if err != nil {
			return nil, fmt.Errorf("primary key of %s: %w", n, err)
		}
	}
	var fks []struct {
		Table   string   `bun:"tab"`
		RefTab  string   `bun:"reftab"`
		Cols    []string `bun:"cols,array"`
		RefCols []string `bun:"refcols,array"`
	}
	err = idb.NewRaw(`SELECT c.conrelid::regclass::text AS tab, c.confrelid::regclass::text AS reftab,
			array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS cols,
			array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o) AS refcols
		FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`).Scan(ctx, &fks)
	if err != nil {
		return nil, fmt.Errorf("foreign keys: %w", err)
	}
	for _, f := range fks {
		t, ok := byName[f.Table]
		if !ok {
			continue
		}
		if f.RefTab == f.Table {
			t.Self = append(t.Self, fk{cols: f.Cols, refCols: f.RefCols, refTab: f.RefTab})
			continue
		}
		if _, ok := byName[f.RefTab]; !ok {
			return nil, fmt.Errorf("table %s references %s, which is not tenant-owned: cannot move it", f.Table, f.RefTab)
		}
		if !slices.Contains(t.deps, f.RefTab) {
			t.deps = append(t.deps, f.RefTab)
		}
	}
	// Topological order (Kahn), alphabetical among equals so the file is
	// stable.
	var out []table
	done := map[string]bool{}
	for len(out) < len(names) {
		var ready []string
		for _, n := range names {
			if done[n] {
				continue
			}
			ok := true
			for _, d := range byName[n].deps {
				ok = ok && done[d]
			}
			if ok {
				ready = append(ready, n)
			}
		}
		if len(ready) == 0 {
			return nil, fmt.Errorf("foreign keys between tenant tables form a cycle")
		}
		sort.Strings(ready)
		for _, n := range ready {
			done[n] = true
			out = append(out, *byName[n])
		}
	}
	return out, nil
}

// quoteIdent quotes a PostgreSQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteIdents(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = quoteIdent(c)
	}
	return strings.Join(q, ", ")
}
