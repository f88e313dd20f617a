package jobs

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/suara-id/suara/internal/db/pgtest"
)

// doneArgs names a case, as classify_case does.
type doneArgs struct {
	CaseID uuid.UUID `json:"case_id"`
}

func (doneArgs) Kind() string { return "test_done" }

type doneWorker struct{ river.WorkerDefaults[doneArgs] }

func (doneWorker) Work(context.Context, *river.Job[doneArgs]) error { return nil }

// A finished job's row, with its exact times beside the case it names, is
// deleted after FinishedRetention, not after River's default day; a
// discarded one stays for the operator.
func TestFinishedJobsAreNotKept(t *testing.T) {
	if DefaultFinishedRetention > time.Minute {
		t.Fatalf("finished jobs kept %v by default: an anonymous filing's job would date it", DefaultFinishedRetention)
	}
	tdb := pgtest.New(t)
	ctx := context.Background()
	workers := river.NewWorkers()
	river.AddWorker(workers, doneWorker{})
	start := func() *Runner {
		t.Helper()
		q, err := New(tdb.App, workers, Options{Workers: 1, Poll: 50 * time.Millisecond, Log: slog.New(slog.DiscardHandler),
			FinishedRetention: time.Nanosecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return q
	}
	stop := func(q *Runner) {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = q.Stop(stopCtx)
	}
	caseID := uuid.New()
	q := start()
	defer func() { stop(q) }()
	if _, err := q.client.Insert(ctx, doneArgs{CaseID: caseID}, nil); err != nil {
		t.Fatal(err)
	}
	state := func() string {
		t.Helper()
		var st string
		err := tdb.Super.QueryRowContext(ctx, `SELECT state::text FROM river_job WHERE args->>'case_id' = ?`, caseID.String()).Scan(&st)
		if errors.Is(err, sql.ErrNoRows) {
			return "gone"
		}
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	// River's cleaner runs when a runner becomes the leader, then every
	// 30 s: once the job is done, a new runner's first run must delete it.
	restarted := false
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		switch st := state(); {
		case st == "gone":
			return
		case st == "completed" && !restarted:
			stop(q)
			q, restarted = start(), true
		}
	}
	t.Fatalf("the finished job naming the case is still stored (%s)", state())
}
