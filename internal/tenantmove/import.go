package tenantmove

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/evidence"
)

// batchRows is how many rows one INSERT carries.
const batchRows = 500

// Import loads a file written by Export into the database behind owner (the
// owner role) and its evidence into store, in one transaction: either the
// whole tenant arrives or nothing does. The tenant must not exist there
// (neither its id nor its slug), and the schema must be the exporter's
// (same last migration). Other tenants are never touched: every statement
// runs scoped to the imported tenant under row-level security.
//
// Evidence files are written before the rows commit; a failed import may
// leave files behind, content-addressed under the tenant's id, which a
// retried import reuses.
func Import(ctx context.Context, owner *bun.DB, store evidence.Store, r io.Reader) (*Header, *Summary, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	line, err := readLine(br)
	if err != nil {
		return nil, nil, fmt.Errorf("import: read header: %w", err)
	}
	var h Header
	if err := json.Unmarshal(line, &h); err != nil || h.Format != Format {
		return nil, nil, errors.New("import: not a Suara tenant export")
	}
	if h.Version != Version {
		return nil, nil, fmt.Errorf("import: export format version %d, this build reads %d", h.Version, Version)
	}
	schema, err := schemaVersion(ctx, owner)
	if err != nil {
		return nil, nil, err
	}
	if schema != h.Schema {
		return nil, nil, fmt.Errorf("import: the export is of schema %s, this database is at %s: migrate both to the same version first", h.Schema, schema)
	}
	var clash int
	if err := owner.QueryRowContext(ctx, "SELECT count(*) FROM tenants WHERE id = ? OR slug = ?", h.TenantID, h.Slug).Scan(&clash); err != nil {
		return nil, nil, fmt.Errorf("import: %w", err)
	}
	if clash > 0 {
		return nil, nil, fmt.Errorf("import: tenant %s (%s) already exists here", h.Slug, h.TenantID)
	}

	sum := &Summary{Rows: map[string]int{}}
	err = db.InTenantTx(ctx, owner, h.TenantID, func(ctx context.Context, tx bun.Tx) error {
		tables, err := catalogue(ctx, tx)
		if err != nil {
			return err
		}
		im, err := newImporter(tx, tables, h.Tables)
		if err != nil {
			return err
		}
		var end *Summary
		for {
			line, err := readLine(br)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			switch {
			case bytes.HasPrefix(line, []byte(`{"t":`)):
				var rl rowLine
				if err := json.Unmarshal(line, &rl); err != nil {
					return fmt.Errorf("bad row line: %w", err)
				}
				if err := im.add(ctx, rl.T, rl.R); err != nil {
					return err
				}
			case bytes.HasPrefix(line, []byte(`{"file":`)):
				if err := im.finish(ctx); err != nil {
					return err
				}
				var fl fileLine
				if err := json.Unmarshal(line, &fl); err != nil || fl.File == nil {
					return fmt.Errorf("bad file line: %v", err)
				}
				key, err := store.Put(ctx, h.TenantID.String(), fl.File.SHA256, bytes.NewReader(fl.File.Data))
				if err != nil {
					return fmt.Errorf("store evidence %s: %w", fl.File.Key, err)
				}
				if key != fl.File.Key {
					return fmt.Errorf("evidence %s stored as %s", fl.File.Key, key)
				}
				sum.Files++
			case bytes.HasPrefix(line, []byte(`{"end":`)):
				var el endLine
				if err := json.Unmarshal(line, &el); err != nil || el.End == nil {
					return fmt.Errorf("bad trailer: %v", err)
				}
				end = el.End
			default:
				return fmt.Errorf("unexpected line %.60q", line)
			}
		}
		if err := im.finish(ctx); err != nil {
			return err
		}
		if end == nil {
			return errors.New("the file ends before its trailer: it was cut off")
		}
		sum.Rows = im.counts
		for t, n := range end.Rows {
			if sum.Rows[t] != n {
				return fmt.Errorf("table %s: %d rows read, the trailer says %d", t, sum.Rows[t], n)
			}
			var stored int
			if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", quoteIdent(t), tenantCond(t)), h.TenantID).Scan(&stored); err != nil {
				return fmt.Errorf("count %s: %w", t, err)
			}
			if stored != n {
				return fmt.Errorf("table %s: %d rows stored, the export has %d", t, stored, n)
			}
		}
		if end.Files != sum.Files {
			return fmt.Errorf("%d evidence files read, the trailer says %d", sum.Files, end.Files)
		}
		return im.bumpSequences(ctx)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("import tenant %s: %w", h.Slug, err)
	}
	return &h, sum, nil
}

// readLine reads one line of any length, without its newline.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadBytes('\n')
	if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

// importer inserts rows table by table in batches.
type importer struct {
	tx     bun.Tx
	tables map[string]*table
	cols   map[string][]string // the columns the file carries, per table
	counts map[string]int
	seen   map[string]bool // tables whose rows have begun

	cur     *table
	batch   []json.RawMessage
	have    map[string]bool // keys of the current table's rows already in (self references)
	pending []pendingRow
}

type pendingRow struct {
	row  json.RawMessage
	key  string
	deps []string
}

func newImporter(tx bun.Tx, tables []table, shapes []TableShape) (*importer, error) {
	im := &importer{tx: tx, tables: map[string]*table{}, cols: map[string][]string{}, counts: map[string]int{}, seen: map[string]bool{}}
	for i := range tables {
		im.tables[tables[i].Name] = &tables[i]
	}
	for _, s := range shapes {
		t, ok := im.tables[s.Name]
		if !ok {
			return nil, fmt.Errorf("the export has table %s, which this database lacks", s.Name)
		}
		for _, c := range s.Cols {
			if !slices.Contains(t.Cols, c) {
				return nil, fmt.Errorf("the export has column %s.%s, which this database lacks", s.Name, c)
			}
		}
		im.cols[s.Name] = s.Cols
		im.counts[s.Name] = 0
	}
	return im, nil
}

// add queues one row of table name.
func (im *importer) add(ctx context.Context, name string, row json.RawMessage) error {
	if im.cur == nil || im.cur.Name != name {
		if err := im.finish(ctx); err != nil {
			return err
		}
		t, ok := im.tables[name]
		if !ok || im.cols[name] == nil {
			return fmt.Errorf("row of unknown table %q", name)
		}
		if im.seen[name] {
			return fmt.Errorf("rows of %s are not together in the file", name)
		}
		im.seen[name] = true
		im.cur, im.have = t, map[string]bool{}
	}
	if len(im.cur.Self) == 0 {
		return im.queue(ctx, row)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(row, &m); err != nil {
		return fmt.Errorf("bad %s row: %w", name, err)
	}
	p := pendingRow{row: row, key: keyOf(m, im.cur.Self[0].refCols)}
	for _, f := range im.cur.Self {
		if d := keyOf(m, f.cols); d != "" && d != keyOf(m, f.refCols) {
			p.deps = append(p.deps, d)
		}
	}
	if im.ready(p) {
		im.have[p.key] = true
		return im.queue(ctx, row)
	}
	im.pending = append(im.pending, p)
	return nil
}

func (im *importer) ready(p pendingRow) bool {
	for _, d := range p.deps {
		if !im.have[d] {
			return false
		}
	}
	return true
}

// keyOf joins the JSON values of cols; "" when any is null or missing.
func keyOf(m map[string]json.RawMessage, cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		v, ok := m[c]
		if !ok || string(v) == "null" {
			return ""
		}
		parts[i] = string(v)
	}
	return strings.Join(parts, "|")
}

func (im *importer) queue(ctx context.Context, row json.RawMessage) error {
	im.batch = append(im.batch, row)
	im.counts[im.cur.Name]++
	if len(im.batch) >= batchRows {
		return im.flush(ctx)
	}
	return nil
}

// finish writes what is left of the current table: the batch, then the
// rows that waited for the rows they point at, pass after pass.
func (im *importer) finish(ctx context.Context) error {
	if im.cur == nil {
		return nil
	}
	for len(im.pending) > 0 {
		var still []pendingRow
		progress := false
		for _, p := range im.pending {
			if im.ready(p) {
				im.have[p.key] = true
				if err := im.queue(ctx, p.row); err != nil {
					return err
				}
				progress = true
			} else {
				still = append(still, p)
			}
		}
		im.pending = still
		if !progress {
			return fmt.Errorf("%d rows of %s point at rows the file lacks", len(still), im.cur.Name)
		}
		// Rows queued in this pass are in one statement with the rows that
		// wait for them: foreign keys are checked at its end.
	}
	if err := im.flush(ctx); err != nil {
		return err
	}
	im.cur, im.have = nil, nil
	return nil
}

func (im *importer) flush(ctx context.Context) error {
	if len(im.batch) == 0 {
		return nil
	}
	t := im.cur
	arr, err := json.Marshal(im.batch)
	if err != nil {
		return err
	}
	cols := quoteIdents(im.cols[t.Name])
	override := ""
	if t.AlwaysIdentity {
		override = " OVERRIDING SYSTEM VALUE"
	}
	// A row already there can only have been written by a trigger of this
	// import (the tenant is new: case_terms follows cases). The counts are
	// compared with the trailer at the end, so nothing is lost silently.
	q := fmt.Sprintf("INSERT INTO %s (%s)%s SELECT %s FROM jsonb_populate_recordset(NULL::%s, ?::jsonb) ON CONFLICT DO NOTHING",
		quoteIdent(t.Name), cols, override, cols, quoteIdent(t.Name))
	if _, err := im.tx.ExecContext(ctx, q, string(arr)); err != nil {
		return fmt.Errorf("insert into %s: %w", t.Name, db.MapError(err))
	}
	im.batch = im.batch[:0]
	return nil
}

// bumpSequences moves identity sequences past the imported ids, so the
// next row the app inserts does not collide with an imported one.
func (im *importer) bumpSequences(ctx context.Context) error {
	for _, t := range im.tables {
		for _, c := range t.Identity {
			var seq *string
			if err := im.tx.QueryRowContext(ctx, "SELECT pg_get_serial_sequence(?, ?)", quoteIdent(t.Name), c).Scan(&seq); err != nil {
				return fmt.Errorf("sequence of %s.%s: %w", t.Name, c, err)
			}
			if seq == nil {
				continue
			}
			q := fmt.Sprintf(`SELECT setval(?, greatest((SELECT last_value FROM %s), (SELECT coalesce(max(%s), 0) FROM %s)))`,
				*seq, quoteIdent(c), quoteIdent(t.Name))
			if _, err := im.tx.ExecContext(ctx, q, *seq); err != nil {
				return fmt.Errorf("move sequence of %s.%s: %w", t.Name, c, err)
			}
		}
	}
	return nil
}
