// Package jobs owns background work on River (jobs kept in PostgreSQL):
// the queue client, job kinds and their workers. Jobs carry ids only, never
// case text, and a worker never holds a tenant transaction while it calls
// the network.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/uptrace/bun"
)

// ClassifyArgs asks for a case to be classified.
type ClassifyArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	CaseID   uuid.UUID `json:"case_id"`
}

// Kind names the job in River's table.
func (ClassifyArgs) Kind() string { return "classify_case" }

// InsertOpts retries classification with River's backoff.
func (ClassifyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, Queue: river.QueueDefault}
}

// Queue inserts jobs and, when started with workers, works them. It uses
// River's database/sql driver over the app's own pool in poll-only mode, so
// a job is inserted in the same transaction as the change that causes it.
type Queue struct {
	client *river.Client[*sql.Tx]
}

// Options size the queue.
type Options struct {
	// Workers is how many jobs run at once in this process; 0 makes an
	// insert-only client (the web server with `--workers 0`).
	Workers int
	// Poll is how often idle workers look for new jobs.
	Poll time.Duration
	Log  *slog.Logger
}

// New builds the queue client with the given workers registered.
func New(bdb *bun.DB, workers *river.Workers, o Options) (*Queue, error) {
	cfg := &river.Config{
		PollOnly: true,
		Logger:   o.Log,
		Workers:  workers,
	}
	if o.Workers > 0 {
		poll := o.Poll
		if poll <= 0 {
			poll = 500 * time.Millisecond
		}
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}}
		cfg.FetchPollInterval = poll
		cfg.FetchCooldown = poll / 5
	}
	client, err := river.NewClient(riverdatabasesql.New(bdb.DB), cfg)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Queue{client: client}, nil
}

// EnqueueClassifyTx queues classification of a case inside tx, the filing
// transaction: the job exists if and only if the case does.
func (q *Queue) EnqueueClassifyTx(ctx context.Context, tx bun.Tx, tenantID, caseID uuid.UUID) error {
	if _, err := q.client.InsertTx(ctx, tx.Tx, ClassifyArgs{TenantID: tenantID, CaseID: caseID}, nil); err != nil {
		return fmt.Errorf("enqueue classification: %w", err)
	}
	return nil
}

// Start begins working jobs (no-op for an insert-only queue).
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop lets running jobs finish, up to ctx's deadline.
func (q *Queue) Stop(ctx context.Context) error { return q.client.Stop(ctx) }
