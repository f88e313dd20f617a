package analytics

import (
	"context"
	"fmt"
	"math/bits"
	"runtime"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"golang.org/x/sync/errgroup"

	"github.com/suara-id/suara/internal/db"
)

// The cube (migration 0020, table analytics_cells) pre-aggregates the facts
// so that the explorer's queries do not scan one row per case. A cell sums
// the measures of the facts sharing a tenant, a month and the values of the
// dimensions in its grain; grain is a bit mask over the fact dimensions
// (cellDims order), and a dimension outside the grain is stored as ''.
//
// The cube keeps every grain of at most maxGrainDims dimensions plus the
// full grain; analytics_aggregate reads the smallest grain that holds every
// dimension a query groups or filters by, and falls back to the full one.
// The SQL function applies the same rule: change both together (the
// consistency test compares the cube with the facts for every grain).
//
// Queries that neither group nor filter by tenant or company read the
// platform cube instead (migration 0021): the same cells summed over every
// tenant, at every grain of up to four of the other seven dimensions, so
// they touch one row per month and value combination rather than one per
// tenant too. The rollup hands it the full-grain deltas of each batch
// (inboxSQL) and analytics_platform_apply folds them in, in the same
// transaction.

// cellDims are the fact dimensions in bit order: cellDims[i] is bit 1<<i.
var cellDims = []string{"sector", "category", "province", "company", "type", "status", "gender", "safety_mode"}

// fullGrain holds every dimension.
const fullGrain = 255

// maxGrainDims is the largest partial grain kept.
const maxGrainDims = 3

// histBuckets is how many buckets a duration histogram has.
const histBuckets = 14

// histLow and histHigh bound the duration histograms' buckets in days; the
// fourteenth bucket is open (180+), and its estimate is its low end.
// Medians are interpolated inside a bucket, so they are estimates: see
// histMedian.
var (
	histLow  = [histBuckets]float64{0, 1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 180}
	histHigh = [histBuckets]float64{1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 180, 180}
)

// histBounds are the buckets' upper bounds as a PostgreSQL array literal
// for width_bucket: a duration at or past the last one falls in the open
// bucket.
var histBounds = func() string {
	parts := make([]string, histBuckets-1)
	for i := range parts {
		parts[i] = strconv.FormatFloat(histHigh[i], 'f', -1, 64)
	}
	return "{" + strings.Join(parts, ",") + "}"
}()

// cellMeasureCols are the cube's additive columns.
func cellMeasureCols() []string {
	cols := []string{"cases", "fr_n"}
	for i := 0; i < histBuckets; i++ {
		cols = append(cols, fmt.Sprintf("fr_h%d", i))
	}
	cols = append(cols, "res_n")
	for i := 0; i < histBuckets; i++ {
		cols = append(cols, fmt.Sprintf("res_h%d", i))
	}
	return append(cols, "target_n", "within_target", "satisfaction_n", "satisfaction_sum", "reopened", "retaliation")
}

// fullCellsSQL sums the fact rows of src (a relation, a CTE name or a
// parenthesised subquery, with a sign column, +1 for a contribution to add
// and -1 for one to take away, and the case_facts columns) into
// full-grain cells: tenant_id, month, the cellDims and the measures.
func fullCellsSQL(src string) string {
	measures := cellMeasureCols()
	sum := func(cond string) string { return fmt.Sprintf("coalesce(sum(x.sign) FILTER (WHERE %s), 0)", cond) }
	full := []string{"sum(x.sign)", sum("x.frb IS NOT NULL")}
	for i := 0; i < histBuckets; i++ {
		full = append(full, sum(fmt.Sprintf("x.frb = %d", i)))
	}
	full = append(full, sum("x.resb IS NOT NULL"))
	for i := 0; i < histBuckets; i++ {
		full = append(full, sum(fmt.Sprintf("x.resb = %d", i)))
	}
	full = append(full, sum("x.within_target IS NOT NULL"), sum("x.within_target"), sum("x.satisfaction IS NOT NULL"),
		"coalesce(sum(x.sign * x.satisfaction), 0)", sum("x.reopened"), sum("x.retaliation"))
	for i := range full {
		full[i] += " AS " + measures[i]
	}
	return fmt.Sprintf(`SELECT x.tenant_id, x.month, x.%[3]s,
             %[4]s
      FROM (SELECT y.*,
                   width_bucket(y.first_response_days, '%[2]s'::real[]) AS frb,
                   width_bucket(y.resolution_days, '%[2]s'::real[]) AS resb
            FROM %[1]s y) x
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`, src, histBounds, strings.Join(cellDims, ", x."), strings.Join(full, ",\n             "))
}

// cellsFromFullSQL is an INSERT of the cells of every grain kept that the
// full-grain cells of full (a relation as fullCellsSQL returns) add up to.
// onConflict ends the statement.
func cellsFromFullSQL(full, onConflict string) string {
	var b strings.Builder
	keys := append([]string{"tenant_id", "grain", "month"}, cellDims...)
	measures := cellMeasureCols()
	fmt.Fprintf(&b, "INSERT INTO analytics_cells AS c (%s, %s)\n", strings.Join(keys, ", "), strings.Join(measures, ", "))
	b.WriteString("SELECT s.tenant_id, gr.g, s.month")
	for i, d := range cellDims {
		fmt.Fprintf(&b, ",\n    CASE WHEN gr.g & %d <> 0 THEN s.%s ELSE '' END", 1<<i, d)
	}
	for _, m := range measures {
		fmt.Fprintf(&b, ", sum(s.%s)", m)
	}
	fmt.Fprintf(&b, `
FROM %[1]s s,
     (SELECT g FROM generate_series(0, 255) g WHERE g = %[2]d OR bit_count(g::bit(8)) <= %[3]d) gr
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
%[4]s`, full, fullGrain, maxGrainDims, onConflict)
	return b.String()
}

// rebuildSQL builds a tenant's cells of every grain kept from its facts
// (parameter: the tenant) with one GROUPING SETS pass over the full-grain
// sums: each full cell feeds one hash table per grain, where cellsFromFullSQL's
// cross join materialises and sorts a row per full cell and grain. Used by
// the rebuilds (millions of facts); the rollup's small batches keep
// cellsFromFullSQL.
func rebuildSQL() string {
	src := fmt.Sprintf("(SELECT 1 AS sign, %s FROM case_facts WHERE tenant_id = ?)", factCols)
	measures := cellMeasureCols()
	var sets, grain, dims, sums []string
	for g := 0; g <= fullGrain; g++ {
		if g != fullGrain && bits.OnesCount(uint(g)) > maxGrainDims {
			continue
		}
		cols := []string{"s.tenant_id", "s.month"}
		for i, d := range cellDims {
			if g&(1<<i) != 0 {
				cols = append(cols, "s."+d)
			}
		}
		sets = append(sets, "("+strings.Join(cols, ", ")+")")
	}
	for i, d := range cellDims {
		grain = append(grain, fmt.Sprintf("CASE WHEN GROUPING(s.%s) = 0 THEN %d ELSE 0 END", d, 1<<i))
		dims = append(dims, fmt.Sprintf("coalesce(s.%s, '')", d))
	}
	for _, m := range measures {
		sums = append(sums, "sum(s."+m+")")
	}
	keys := append([]string{"tenant_id", "grain", "month"}, cellDims...)
	return fmt.Sprintf(`INSERT INTO analytics_cells (%s, %s)
SELECT s.tenant_id, (%s)::smallint, s.month, %s, %s
FROM (%s) s
GROUP BY GROUPING SETS (%s)`, strings.Join(keys, ", "), strings.Join(measures, ", "), strings.Join(grain, " | "),
		strings.Join(dims, ", "), strings.Join(sums, ", "), fullCellsSQL(src), strings.Join(sets, ", "))
}

// inboxSQL hands full-grain deltas (a relation as fullCellsSQL returns) to
// the platform cube (migration 0021): the app role may only append to the
// inbox; analytics_platform_apply folds it in.
func inboxSQL(full string) string {
	dims := []string{"sector", "category", "province", "type", "status", "gender", "safety_mode"}
	cols := strings.Join(append(append([]string{"month"}, dims...), cellMeasureCols()...), ", ")
	return fmt.Sprintf("INSERT INTO analytics_platform_inbox (%[1]s) SELECT %[1]s FROM %[2]s AS full_cells", cols, full)
}

// cellsAddSQL folds signed deltas into existing cells. Cells that fall to
// zero cases stay (the aggregate skips them): deleting them would race
// with nothing but cost a statement per batch.
var cellsAddSQL = func() string {
	sets := make([]string, 0, len(cellMeasureCols()))
	for _, c := range cellMeasureCols() {
		sets = append(sets, fmt.Sprintf("%[1]s = c.%[1]s + EXCLUDED.%[1]s", c))
	}
	return cellsFromFullSQL("fullc", fmt.Sprintf("ON CONFLICT (tenant_id, grain, month, %s) DO UPDATE SET %s",
		strings.Join(cellDims, ", "), strings.Join(sets, ", ")))
}()

// factCols are the case_facts columns the cube reads, in a fixed order so
// that the old and new rows of the rollup line up.
const factCols = `tenant_id, month, sector, category, province, company, type, status, gender, safety_mode,
    first_response_days, resolution_days, within_target, satisfaction, reopened, retaliation,
    employment_status, membership, certification, age_band, channel, ladder, brands, workers_affected,
    outcome_types, money_idr, workers_reached`

// RebuildCells replaces a tenant's cube with the cells its facts add up to,
// in the tenant's transaction, and moves the platform cube by the
// difference. The rollup keeps both cubes current on its own; this is for
// tools and for facts written by other means.
func (s *Store) RebuildCells(ctx context.Context, tenantID uuid.UUID) error {
	return s.rebuildCells(ctx, tenantID, true)
}

// RebuildCube rebuilds every tenant's cube (as many at once as there are
// cores) and then the platform cube in one pass (suara analytics rebuild,
// the benchmark's generated facts): cheaper than RebuildCells per tenant,
// which folds each tenant's difference into the shared cells. It ends by
// rewriting the three cubes in their keys' order (a table lock meanwhile).
func (s *Store) RebuildCube(ctx context.Context) error {
	var ids []uuid.UUID
	if err := s.db.NewSelect().Table("tenants").Column("id").OrderExpr("created_at, id").Scan(ctx, &ids); err != nil {
		return fmt.Errorf("list tenants: %w", err)
	}
	// Tenants' cubes are disjoint: build them side by side, one per core.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, id := range ids {
		g.Go(func() error { return s.rebuildCells(gctx, id, false) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := s.RebuildPlatform(ctx); err != nil {
		return err
	}
	// Cells in their keys' order: a query then reads a grain's months from
	// a few contiguous pages per tenant rather than a page per cell
	// (migration 2026120814001).
	if _, err := s.db.ExecContext(ctx, "SELECT analytics_cluster_cubes()"); err != nil {
		return fmt.Errorf("order the cubes' cells: %w", err)
	}
	return nil
}

// RebuildPlatform recomputes the platform cube from every tenant's cube:
// after rows arrived by other means than the rollup (a tenant import).
func (s *Store) RebuildPlatform(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, "SELECT analytics_platform_rebuild()"); err != nil {
		return fmt.Errorf("rebuild platform cube: %w", err)
	}
	return nil
}

func (s *Store) rebuildCells(ctx context.Context, tenantID uuid.UUID, platform bool) error {
	// The tenant's full cells, signed, as fullCellsSQL shapes them.
	fullCells := func(sign string) string {
		cols := make([]string, 0, len(cellMeasureCols()))
		for _, m := range cellMeasureCols() {
			cols = append(cols, sign+m+" AS "+m)
		}
		return fmt.Sprintf("(SELECT tenant_id, month, %s, %s FROM analytics_cells WHERE tenant_id = ? AND grain = %d)",
			strings.Join(cellDims, ", "), strings.Join(cols, ", "), fullGrain)
	}
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		// The rollup takes this lock before it changes facts and cells.
		if _, err := tx.ExecContext(ctx, "INSERT INTO rollup_watermarks (tenant_id) VALUES (?) ON CONFLICT DO NOTHING", tenantID); err != nil {
			return fmt.Errorf("create watermark: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "SELECT 1 FROM rollup_watermarks WHERE tenant_id = ? FOR UPDATE", tenantID); err != nil {
			return fmt.Errorf("lock watermark: %w", err)
		}
		if platform {
			if _, err := tx.ExecContext(ctx, inboxSQL(fullCells("-")), tenantID); err != nil {
				return fmt.Errorf("take old cells from the platform cube: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM analytics_cells WHERE tenant_id = ?", tenantID); err != nil {
			return fmt.Errorf("clear cells: %w", err)
		}
		// Enough memory for the grains' hash tables of a large tenant; no
		// JIT (compiling a hundred aggregates costs more than it saves).
		for _, set := range []string{"SET LOCAL work_mem = '256MB'", "SET LOCAL jit = off"} {
			if _, err := tx.ExecContext(ctx, set); err != nil {
				return fmt.Errorf("%s: %w", set, err)
			}
		}
		if _, err := tx.ExecContext(ctx, rebuildSQL(), tenantID); err != nil {
			return fmt.Errorf("build cells: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM analytics_ilo_cells WHERE tenant_id = ?", tenantID); err != nil {
			return fmt.Errorf("clear ilo cells: %w", err)
		}
		if _, err := tx.ExecContext(ctx, iloCellsSQL("(SELECT 1 AS sign, "+factCols+" FROM case_facts WHERE tenant_id = ?)", ""), tenantID); err != nil {
			return fmt.Errorf("build ilo cells: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE case_facts SET ilo = true WHERE tenant_id = ? AND NOT ilo", tenantID); err != nil {
			return fmt.Errorf("mark facts: %w", err)
		}
		if platform {
			if _, err := tx.ExecContext(ctx, inboxSQL(fullCells("")), tenantID); err != nil {
				return fmt.Errorf("add new cells to the platform cube: %w", err)
			}
			if _, err := tx.ExecContext(ctx, "SELECT analytics_platform_apply()"); err != nil {
				return fmt.Errorf("fold into platform cube: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rebuild cells of tenant %s: %w", tenantID, err)
	}
	return nil
}
