package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Analyst is who asks a query, for the query log.
type Analyst struct {
	ID   uuid.UUID
	Name string
}

// Surfaces a query may come from (analytics_query_log.surface).
const (
	SurfaceAPI     = "api"
	SurfaceConsole = "console"
	SurfaceCSV     = "csv"
	SurfaceTrend   = "trend"
)

// Explore answers an analyst's query and logs it (who, when, what, how
// many rows left) in analytics_query_log, which the platform admin reads.
// A query that cannot be logged is not answered.
func (s *Store) Explore(ctx context.Context, who Analyst, surface string, q Query) (*Result, error) {
	res, err := s.Aggregate(ctx, q)
	if err != nil {
		return nil, err
	}
	what, err := json.Marshal(map[string]any{"by": nonNil(q.By), "measures": q.Measures, "from": q.From.String(),
		"to": q.To.String(), "filters": q.Filters})
	if err != nil {
		return nil, fmt.Errorf("encode query: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO analytics_query_log (analyst_id, analyst, at, surface, query, rows)
		VALUES (?, ?, ?, ?, ?, ?)`, who.ID, who.Name, s.opts.Now().UTC(), surface, string(what), len(res.Rows)); err != nil {
		return nil, fmt.Errorf("log query: %w", err)
	}
	return res, nil
}

// LoggedQuery is one line of the query log.
type LoggedQuery struct {
	ID        int64           `json:"id"`
	AnalystID uuid.UUID       `json:"analyst_id"`
	Analyst   string          `json:"analyst"`
	At        time.Time       `json:"at"`
	Surface   string          `json:"surface"`
	Query     json.RawMessage `json:"query"`
	Rows      int             `json:"rows"`
}

// QueryLog lists logged queries, newest first: at most limit, older than
// before when it is set (paging), of one analyst when analyst is set.
func (s *Store) QueryLog(ctx context.Context, analyst uuid.UUID, before int64, limit int) ([]LoggedQuery, error) {
	if limit < 1 || limit > 500 {
		limit = 100
	}
	q := s.db.NewSelect().TableExpr("analytics_query_log").
		ColumnExpr("id, analyst_id, analyst, at, surface, query, rows").OrderExpr("id DESC").Limit(int64(limit))
	if analyst != uuid.Nil {
		q = q.Where("analyst_id = ?", analyst)
	}
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	rows, err := q.Rows(ctx)
	if err != nil {
		return nil, fmt.Errorf("query log: %w", err)
	}
	defer rows.Close()
	out := []LoggedQuery{}
	for rows.Next() {
		var l LoggedQuery
		var query []byte
		if err := rows.Scan(&l.ID, &l.AnalystID, &l.Analyst, &l.At, &l.Surface, &query, &l.Rows); err != nil {
			return nil, fmt.Errorf("read query log: %w", err)
		}
		l.Query = query
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read query log: %w", err)
	}
	return out, nil
}
