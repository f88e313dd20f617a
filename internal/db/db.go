// Package db opens bun on PostgreSQL (pgx v5 stdlib driver), runs the
// embedded migrations, and gives services the only two ways to touch data:
// InTenantTx (row-level security scoped to one tenant) and InPlatformTx.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/lib/pq"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/suara-id/suara/internal/apperr"
)

// Options size the connection pool.
type Options struct {
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
}

// Open connects to url and checks the connection.
func Open(ctx context.Context, url string, o Options) (*bun.DB, error) {
	pcfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqldb := sql.OpenDB(inlinedConnector{stdlib.GetConnector(*pcfg)})
	if o.MaxOpenConns > 0 {
		sqldb.SetMaxOpenConns(o.MaxOpenConns)
	}
	if o.MaxIdleConns > 0 {
		sqldb.SetMaxIdleConns(o.MaxIdleConns)
	}
	if o.ConnMaxLifetime > 0 {
		sqldb.SetConnMaxLifetime(o.ConnMaxLifetime)
	}
	bdb := bun.NewDB(sqldb, pgdialect.New())
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := bdb.PingContext(pingCtx); err != nil {
		_ = bdb.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return bdb, nil
}

// inlinedConnector hands out connections that send a statement without
// parameters over the simple query protocol (one round trip) the first time
// they see its text, and let pgx prepare and cache it from the second time
// on. bun formats every value into the SQL text, so many texts are seen
// once (a timestamp, a new id in them): pgx's default (cache_statement)
// prepared each of those — a round trip to prepare, one to execute, and one
// to deallocate what its 512-entry cache evicted. Texts that repeat (a
// tenant's lookups, a handler's page query) are still prepared and planned
// once per connection, as before. Statements with $1 parameters (River's,
// TenantQueryRow's) go to pgx's cache as before.
type inlinedConnector struct{ driver.Connector }

func (c inlinedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		return nil, fmt.Errorf("database driver connection is %T, not pgx", dc)
	}
	return &inlinedConn{stdConn: sc, seen: map[uint64]struct{}{}}, nil
}

// inlinedConn is pgx's database/sql connection; its other methods
// (Exec — already simple protocol without parameters —, session reset,
// Conn() for pgx's own API) are stdlib's. database/sql uses a connection
// from one goroutine at a time, so seen needs no lock.
type inlinedConn struct {
	*stdConn
	// seen holds hashes of the parameterless texts run once (a collision
	// only means a text is prepared that need not be).
	seen map[uint64]struct{}
	// begin is the tenant of a lazy transaction whose BEGIN and scope are
	// not yet sent (BeginTx).
	begin string
}

// seenMax bounds seen; when full it starts again.
const seenMax = 4096

var seenSeed = maphash.MakeSeed()

// stdConn names stdlib.Conn so that, embedded, its Conn method is promoted
// (a field named Conn would hide it).
type stdConn = stdlib.Conn

// simpleProtocol is the pgx query option that stdlib passes through.
var simpleProtocol = []driver.NamedValue{{Ordinal: 1, Value: pgx.QueryExecModeSimpleProtocol}}

// BeginTx begins the transaction. For InTenantTx it sends nothing yet:
// BEGIN and the tenant scope go out with the transaction's first statement
// (execWithBegin, sendBegin), so a transaction that starts with an Exec —
// a filing's River insert — saves a round trip.
func (c *inlinedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	b, ok := ctx.Value(tenantBeginKey{}).(*tenantBegin)
	if !ok || opts.Isolation != driver.IsolationLevel(sql.LevelDefault) || opts.ReadOnly {
		return c.stdConn.BeginTx(ctx, opts)
	}
	if c.Conn().IsClosed() {
		return nil, driver.ErrBadConn
	}
	c.begin = b.id.String()
	b.set = true
	return &lazyTx{ctx: ctx, c: c}, nil
}

// lazyTx is a transaction whose BEGIN waits for its first statement.
type lazyTx struct {
	ctx context.Context
	c   *inlinedConn
}

// Commit commits what was begun; a transaction that ran nothing has
// nothing to commit. A commit of a failed transaction rolls it back, which
// PostgreSQL reports as success: it is an error here, as in pgx.Tx.
func (t *lazyTx) Commit() error {
	if t.c.endUnbegun() {
		return nil
	}
	tag, err := t.c.Conn().Exec(t.ctx, "COMMIT")
	if err != nil {
		return err
	}
	if tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

func (t *lazyTx) Rollback() error {
	if t.c.endUnbegun() {
		return nil
	}
	_, err := t.c.Conn().Exec(t.ctx, "ROLLBACK")
	return err
}

// takeBegin returns the simple query that begins the lazy transaction and
// scopes it, and marks it sent.
func (c *inlinedConn) takeBegin() string {
	// The id is a parsed UUID: formatting it into the text is safe.
	q := "BEGIN; SELECT set_config('app.tenant_id', '" + c.begin + "', true)"
	c.begin = ""
	return q
}

// endUnbegun ends a lazy transaction and reports whether its BEGIN was
// never sent.
func (c *inlinedConn) endUnbegun() bool {
	unbegun := c.begin != ""
	c.begin = ""
	return unbegun
}

// sendBegin sends a lazy transaction's BEGIN and scope on their own, before
// a statement that cannot travel with them (a query: database/sql reads
// its rows through stdlib).
func (c *inlinedConn) sendBegin(ctx context.Context) error {
	pc := c.Conn()
	if _, err := pc.Exec(ctx, c.takeBegin()); err != nil {
		if !pc.IsClosed() && pc.PgConn().TxStatus() != 'I' {
			// BEGIN ran, set_config failed: leave no open transaction.
			_, _ = pc.Exec(ctx, "ROLLBACK")
		}
		return fmt.Errorf("set tenant: %w", err)
	}
	return nil
}

// execWithBegin sends a lazy transaction's BEGIN and scope with its first
// statement, an Exec, in one round trip: a pgx batch when it has
// parameters, one simple query when it has none. An error leaves the
// transaction failed (or not begun); database/sql then rolls it back.
func (c *inlinedConn) execWithBegin(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	pc := c.Conn()
	if len(args) == 0 {
		results, err := pc.PgConn().Exec(ctx, c.takeBegin()+"; "+query).ReadAll()
		if err != nil {
			return nil, err
		}
		return driver.RowsAffected(results[len(results)-1].CommandTag.RowsAffected()), nil
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue("SELECT set_config('app.tenant_id', $1, true)", c.begin)
	c.begin = ""
	values := make([]any, len(args))
	for i, a := range args {
		values[i] = a.Value
	}
	b.Queue(query, values...)
	br := pc.SendBatch(ctx, b)
	for range 2 {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, fmt.Errorf("set tenant: %w", err)
		}
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
}

func (c *inlinedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.begin != "" {
		if err := c.sendBegin(ctx); err != nil {
			return nil, err
		}
	}
	if len(args) == 0 {
		h := maphash.String(seenSeed, query)
		if _, ok := c.seen[h]; !ok {
			if len(c.seen) >= seenMax {
				clear(c.seen)
			}
			c.seen[h] = struct{}{}
			args = simpleProtocol
		}
	}
	return c.stdConn.QueryContext(ctx, query, nativeArrays(args))
}

// ExecContext is stdlib's with River's lib/pq arrays made native (nativeArrays).
func (c *inlinedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.begin != "" {
		return c.execWithBegin(ctx, query, nativeArrays(args))
	}
	return c.stdConn.ExecContext(ctx, query, nativeArrays(args))
}

// nativeArrays replaces the lib/pq array parameters that River's
// database/sql driver passes (pq.Array of its job columns) by the Go slices
// they wrap. pgx encodes a slice in binary with a cached plan; a pq array
// it would format as array text (its driver.Valuer), parse back into Go
// values and encode again — 12% of a filing's CPU in BenchmarkFileCase's
// profile. The values sent are the same as lib/pq's.
func nativeArrays(args []driver.NamedValue) []driver.NamedValue {
	var out []driver.NamedValue
	for i, a := range args {
		var v any
		switch x := a.Value.(type) {
		case *pq.StringArray:
			v = []string(*x)
		case *pq.Int64Array:
			v = []int64(*x)
		case *pq.ByteaArray:
			// lib/pq sends a nil element as an empty bytea, not NULL.
			b := make([][]byte, len(*x))
			for j, e := range *x {
				if e == nil {
					e = []byte{}
				}
				b[j] = e
			}
			v = b
		case *pq.BoolArray:
			v = []bool(*x)
		case *pq.Float64Array:
			v = []float64(*x)
		case *pq.Int32Array:
			v = []int32(*x)
		case pq.GenericArray:
			switch y := x.A.(type) {
			case []time.Time, []int16, []int32, []int64, []string:
				v = y
			default:
				continue
			}
		default:
			continue
		}
		if out == nil {
			out = slices.Clone(args)
		}
		out[i].Value = v
	}
	if out == nil {
		return args
	}
	return out
}

// PgxConn is what a raw database/sql connection of Open's pools offers for
// pgx's own API (batches, COPY): conn.Raw(func(dc any) error {
// dc.(db.PgxConn).Conn() … }).
type PgxConn interface{ Conn() *pgx.Conn }

// InTenantTx runs fn in one transaction whose app.tenant_id is tenantID.
// The setting is transaction-local (set_config(..., true)), so a pooled
// connection never carries it into another request. On Open's pools it
// travels with BEGIN, in the same round trip (see inlinedConn.BeginTx).
func InTenantTx(ctx context.Context, db bun.IDB, tenantID uuid.UUID, fn func(ctx context.Context, tx bun.Tx) error) error {
	if tenantID == uuid.Nil {
		return errors.New("tenant transaction without a tenant")
	}
	// fn gets ctx, not bctx: a transaction fn might begin on another pool
	// or for the platform must not inherit the tenant.
	b := &tenantBegin{id: tenantID}
	bctx := context.WithValue(ctx, tenantBeginKey{}, b)
	return db.RunInTx(bctx, nil, func(_ context.Context, tx bun.Tx) error {
		if !b.set {
			if err := SetTenant(ctx, tx, tenantID); err != nil {
				return err
			}
		}
		return fn(ctx, tx)
	})
}

// tenantBegin asks the driver's BeginTx to scope the transaction to id in
// the BEGIN round trip; set says it did.
type tenantBegin struct {
	id  uuid.UUID
	set bool
}

type tenantBeginKey struct{}

// SetTenant scopes an open transaction to tenantID.
func SetTenant(ctx context.Context, tx bun.Tx, tenantID uuid.UUID) error {
	if _, err := tx.ExecContext(ctx, "SELECT set_config('app.tenant_id', ?, true)", tenantID.String()); err != nil {
		return fmt.Errorf("set tenant: %w", err)
	}
	return nil
}

// InPlatformTx runs fn in a transaction with no tenant set: tenant-owned
// tables show no rows in it, only platform tables can be read.
func InPlatformTx(ctx context.Context, db bun.IDB, fn func(ctx context.Context, tx bun.Tx) error) error {
	return db.RunInTx(ctx, nil, fn)
}

// PostgreSQL error codes the app turns into domain errors.
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeCheckViolation      = "23514"
	codeNotNullViolation    = "23502"
	codeRLSViolation        = "42501"
)

// MapError turns a PostgreSQL error into a domain error, keeping the
// original wrapped for logs.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", apperr.ErrNotFound, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case codeUniqueViolation:
			return fmt.Errorf("%w: %w", apperr.ErrConflict, err)
		case codeForeignKeyViolation:
			return fmt.Errorf("%w: %w", apperr.ErrNotFound, err)
		case codeCheckViolation, codeNotNullViolation:
			return &apperr.Validation{Fields: map[string]string{"input": "error.invalid"}}
		case codeRLSViolation:
			return fmt.Errorf("%w: %w", apperr.ErrForbidden, err)
		}
	}
	return err
}

// IsUniqueViolation reports whether err is a unique violation on constraint
// (any constraint when constraint is empty).
func IsUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == codeUniqueViolation &&
		(constraint == "" || pgErr.ConstraintName == constraint)
}

// TenantQueryRow runs one read-only statement scoped to tenantID and scans
// its single row into dest, in one round trip (TenantRows). query uses
// PostgreSQL's $1 placeholders; no rows is sql.ErrNoRows.
func TenantQueryRow(ctx context.Context, bdb *bun.DB, tenantID uuid.UUID, dest []any, query string, args ...any) error {
	r := &Row{Query: query, Args: args, Dest: dest}
	if err := TenantRows(ctx, bdb, tenantID, r); err != nil {
		return err
	}
	return r.Err
}

// Row is one single-row statement of TenantRows: its text ($1
// placeholders), arguments and where its row's columns go. After the run,
// Err is the statement's own outcome (sql.ErrNoRows when it found none).
type Row struct {
	Query string
	Args  []any
	Dest  []any
	Err   error
}

// TenantRows runs single-row statements scoped to tenantID in one round
// trip: set_config and the statements are pipelined (a pgx batch, one
// Sync), so they run in one implicit transaction and the setting ends with
// it. What InTenantTx does in three round trips or more (BEGIN with the
// scope, each statement, COMMIT), for the look-ups every request makes
// (the bearer token, with a filing's rate limit beside it). A statement
// that finds no row sets its Err and the others still run; any other error
// ends the batch (PostgreSQL aborts the implicit transaction) and is
// returned.
func TenantRows(ctx context.Context, bdb *bun.DB, tenantID uuid.UUID, rows ...*Row) error {
	if tenantID == uuid.Nil {
		return errors.New("tenant query without a tenant")
	}
	conn, err := bdb.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("tenant query: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(PgxConn)
		if !ok {
			return fmt.Errorf("tenant query: driver connection is %T, not pgx", dc)
		}
		b := &pgx.Batch{}
		b.Queue("SELECT set_config('app.tenant_id', $1, true)", tenantID.String())
		for _, r := range rows {
			b.Queue(r.Query, r.Args...)
		}
		br := sc.Conn().SendBatch(ctx, b)
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return fmt.Errorf("set tenant: %w", err)
		}
		for _, r := range rows {
			r.Err = br.QueryRow().Scan(r.Dest...)
			if r.Err != nil && !errors.Is(r.Err, sql.ErrNoRows) {
				err := r.Err
				_ = br.Close()
				return err
			}
		}
		return br.Close()
	})
}
