package tenantmove

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/evidence"
)

// The file is JSON lines: a header, then one line per row ({"t": table,
// "r": row}) in foreign-key order, then one line per evidence file
// ({"file": {...}}), then a trailer with the counts, so a cut-off file is
// refused rather than half imported.

// Header is the first line of an export.
type Header struct {
	Format     string       `json:"format"`
	Version    int          `json:"version"`
	TenantID   uuid.UUID    `json:"tenant_id"`
	Slug       string       `json:"slug"`
	Schema     string       `json:"schema"` // the last migration applied at the source
	ExportedAt time.Time    `json:"exported_at"`
	Tables     []TableShape `json:"tables"`
}

// TableShape is a table's name and the columns its rows carry.
type TableShape struct {
	Name string   `json:"name"`
	Cols []string `json:"cols"`
}

type rowLine struct {
	T string          `json:"t"`
	R json.RawMessage `json:"r"`
}

type fileLine struct {
	File *fileRec `json:"file"`
}

type fileRec struct {
	Key    string `json:"key"`
	SHA256 string `json:"sha256"`
	Data   []byte `json:"data"` // base64 in the file
}

type endLine struct {
	End *Summary `json:"end"`
}

// Summary is what an export or import moved.
type Summary struct {
	Rows  map[string]int `json:"rows"`
	Files int            `json:"files"`
}

// Total is the number of rows over every table.
func (s *Summary) Total() int {
	n := 0
	for _, c := range s.Rows {
		n += c
	}
	return n
}

// schemaVersion is the last migration applied to the database.
func schemaVersion(ctx context.Context, idb bun.IDB) (string, error) {
	var name string
	err := idb.QueryRowContext(ctx, "SELECT name FROM bun_migrations ORDER BY name DESC LIMIT 1").Scan(&name)
	if err != nil {
		return "", fmt.Errorf("read schema version: %w", err)
	}
	return name, nil
}

// tenantCond is the WHERE clause that picks the tenant's rows of t.
func tenantCond(t string) string {
	if t == "tenants" {
		return "id = ?"
	}
	return "tenant_id = ?"
}

// Export writes every row of the tenant slug and its evidence files to w.
// owner must be a connection that may read every tenant table (the owner
// role; row-level security still applies, so the read runs in a
// transaction scoped to the tenant). The read is one repeatable-read
// snapshot: the file is consistent even while the union keeps working.
func Export(ctx context.Context, owner *bun.DB, store evidence.Store, slug string, w io.Writer) (*Summary, error) {
	var tenantID uuid.UUID
	if err := owner.QueryRowContext(ctx, "SELECT id FROM tenants WHERE slug = ?", slug).Scan(&tenantID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("no tenant %q", slug)
		}
		return nil, fmt.Errorf("find tenant: %w", err)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	sum := &Summary{Rows: map[string]int{}}
	err := owner.RunInTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, func(ctx context.Context, tx bun.Tx) error {
		if err := db.SetTenant(ctx, tx, tenantID); err != nil {
			return err
		}
		tables, err := catalogue(ctx, tx)
		if err != nil {
			return err
		}
		schema, err := schemaVersion(ctx, tx)
		if err != nil {
			return err
		}
		h := Header{Format: Format, Version: Version, TenantID: tenantID, Slug: slug, Schema: schema, ExportedAt: time.Now().UTC()}
		for _, t := range tables {
			h.Tables = append(h.Tables, TableShape{Name: t.Name, Cols: t.Cols})
		}
		if err := writeLine(bw, h); err != nil {
			return err
		}
		for _, t := range tables {
			n, err := exportTable(ctx, tx, bw, t, tenantID)
			if err != nil {
				return err
			}
			sum.Rows[t.Name] = n
		}
		var keys []struct {
			Key    string `bun:"storage_key"`
			SHA256 string `bun:"stored_sha256"`
		}
		if err := tx.NewRaw("SELECT DISTINCT storage_key, stored_sha256 FROM evidence_files WHERE tenant_id = ? ORDER BY storage_key", tenantID).Scan(ctx, &keys); err != nil {
			return fmt.Errorf("list evidence: %w", err)
		}
		for _, k := range keys {
			if err := exportFile(ctx, store, bw, k.Key, k.SHA256); err != nil {
				return err
			}
			sum.Files++
		}
		return writeLine(bw, endLine{End: sum})
	})
	if err != nil {
		return nil, fmt.Errorf("export tenant %s: %w", slug, err)
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("export tenant %s: %w", slug, err)
	}
	return sum, nil
}

func exportTable(ctx context.Context, tx bun.Tx, w *bufio.Writer, t table, tenantID uuid.UUID) (int, error) {
	order := quoteIdents(t.PK)
	if order == "" {
		order = "1"
	}
	rows, err := tx.QueryContext(ctx, fmt.Sprintf("SELECT to_jsonb(x)::text FROM %s x WHERE %s ORDER BY %s",
		quoteIdent(t.Name), tenantCond(t.Name), order), tenantID)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", t.Name, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return 0, fmt.Errorf("read %s: %w", t.Name, err)
		}
		if err := writeLine(w, rowLine{T: t.Name, R: json.RawMessage(r)}); err != nil {
			return 0, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read %s: %w", t.Name, err)
	}
	return n, nil
}

// exportFile streams one evidence file as a base64 line, without holding
// it in memory.
func exportFile(ctx context.Context, store evidence.Store, w *bufio.Writer, key, sha string) error {
	rc, err := store.Open(ctx, key)
	if err != nil {
		return fmt.Errorf("open evidence %s: %w", key, err)
	}
	defer rc.Close()
	kb, _ := json.Marshal(key)
	sb, _ := json.Marshal(sha)
	fmt.Fprintf(w, `{"file":{"key":%s,"sha256":%s,"data":"`, kb, sb)
	enc := base64.NewEncoder(base64.StdEncoding, w)
	if _, err := io.Copy(enc, rc); err != nil {
		return fmt.Errorf("read evidence %s: %w", key, err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err = w.WriteString("\"}}\n")
	return err
}

func writeLine(w *bufio.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// Counts returns the number of the tenant's rows in every tenant-owned
// table (tests and the CLI compare installations with it).
func Counts(ctx context.Context, owner *bun.DB, tenantID uuid.UUID) (map[string]int, error) {
	out := map[string]int{}
	err := db.InTenantTx(ctx, owner, tenantID, func(ctx context.Context, tx bun.Tx) error {
		tables, err := catalogue(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range tables {
			var n int
			if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", quoteIdent(t.Name), tenantCond(t.Name)), tenantID).Scan(&n); err != nil {
				return fmt.Errorf("count %s: %w", t.Name, err)
			}
			out[t.Name] = n
		}
		return nil
	})
	return out, err
}
