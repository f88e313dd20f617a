// Package jobs owns background work on River (jobs kept in PostgreSQL):
// the job runner (River's client over its job queue), job kinds and their
// workers. Jobs carry ids only, never case text, and a worker never holds a
// tenant transaction while it calls the network.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/metrics"
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

// Runner inserts jobs and, when started with workers, works them. It uses
// River's database/sql driver over the app's own pool in poll-only mode, so
// a job is inserted in the same transaction as the change that causes it.
type Runner struct {
	client *river.Client[*sql.Tx]
	db     *bun.DB
}

// Options size the job runner.
type Options struct {
	// Workers is how many jobs run at once in this process; 0 makes an
	// insert-only client (the web server with `--workers 0`).
	Workers int
	// Poll is how often idle workers look for new jobs.
	Poll time.Duration
	Log  *slog.Logger
	// Metrics, when set, counts failed attempts by job kind.
	Metrics *metrics.Metrics
	// SuspendedWait is how long a suspended union's job waits before it
	// looks again (suspended.go); 0: DefaultSuspendedWait.
	SuspendedWait time.Duration
	// FinishedRetention is how long a completed or cancelled job's row is
	// kept; 0: DefaultFinishedRetention.
	FinishedRetention time.Duration
}

// DefaultFinishedRetention keeps a completed or cancelled job a minute
// (River's default is a day). A job's row holds its times to the
// microsecond beside its arguments: a classify_case job names its case and
// is inserted in the filing's own transaction, so for a day it would give
// an anonymous filing's exact time, which the case itself keeps only to the
// hour (cases.StoredTime). Discarded jobs, the failures an operator must
// look into, keep River's week.
const DefaultFinishedRetention = time.Minute

// New builds the job runner (River's client) with the given workers registered.
func New(bdb *bun.DB, workers *river.Workers, o Options) (*Runner, error) {
	retention := cmp.Or(o.FinishedRetention, DefaultFinishedRetention)
	cfg := &river.Config{
		PollOnly:                    true,
		Logger:                      o.Log,
		Workers:                     workers,
		CompletedJobRetentionPeriod: retention,
		CancelledJobRetentionPeriod: retention,
	}
	wait := o.SuspendedWait
	if wait <= 0 {
		wait = DefaultSuspendedWait
	}
	cfg.Middleware = []rivertype.Middleware{&suspendedGate{db: bdb, wait: wait}}
	if o.Metrics != nil {
		cfg.ErrorHandler = failureCounter{o.Metrics}
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
	return &Runner{client: client, db: bdb}, nil
}

// failureCounter counts every failed attempt (an error or a panic) by job
// kind. River calls it for nothing else: snoozes and cancellations are not
// failures. It changes nothing about the retry schedule.
type failureCounter struct{ m *metrics.Metrics }

func (f failureCounter) HandleError(_ context.Context, job *rivertype.JobRow, _ error) *river.ErrorHandlerResult {
	f.m.JobFailed(job.Kind)
	return nil
}

func (f failureCounter) HandlePanic(_ context.Context, job *rivertype.JobRow, _ any, _ string) *river.ErrorHandlerResult {
	f.m.JobFailed(job.Kind)
	return nil
}

// Depth counts the unfinished jobs by kind and state, for the metrics
// scrape. The states are those River's fetch index leads with, so the
// count reads the index, not the whole table of finished jobs.
func (q *Runner) Depth(ctx context.Context) ([]metrics.JobDepth, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT kind, state::text, count(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running') GROUP BY kind, state`)
	if err != nil {
		return nil, fmt.Errorf("count queued jobs: %w", err)
	}
	defer rows.Close()
	var out []metrics.JobDepth
	for rows.Next() {
		var d metrics.JobDepth
		if err := rows.Scan(&d.Kind, &d.State, &d.N); err != nil {
			return nil, fmt.Errorf("count queued jobs: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// insertTx inserts one job inside tx. River's fast insert writes the same
// row without reading it back: InsertTx returns the whole job row, and
// decoding it (metadata JSON, arrays) cost 87 of a filing's 682
// allocations. None of the jobs inserted here is unique, the one case the
// fast insert cannot handle (a conflict would fail the insert, not skip it).
func (q *Runner) insertTx(ctx context.Context, tx bun.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := q.client.InsertManyFastTx(ctx, tx.Tx, []river.InsertManyParams{{Args: args, InsertOpts: opts}})
	return err
}

// EnqueueClassifyTx queues classification of a case inside tx, the filing
// transaction: the job exists if and only if the case does.
func (q *Runner) EnqueueClassifyTx(ctx context.Context, tx bun.Tx, tenantID, caseID uuid.UUID) error {
	if err := q.insertTx(ctx, tx, ClassifyArgs{TenantID: tenantID, CaseID: caseID}, nil); err != nil {
		return fmt.Errorf("enqueue classification: %w", err)
	}
	return nil
}

// Start begins working jobs (no-op for an insert-only runner).
func (q *Runner) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop lets running jobs finish, up to ctx's deadline.
func (q *Runner) Stop(ctx context.Context) error { return q.client.Stop(ctx) }
