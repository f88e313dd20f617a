package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/privacy"
)

type panicArgs struct{}

func (panicArgs) Kind() string { return "test_panic" }

type panicWorker struct {
	river.WorkerDefaults[panicArgs]
	runs *atomic.Int32
}

func (w *panicWorker) Work(context.Context, *river.Job[panicArgs]) error {
	w.runs.Add(1)
	panic("boom")
}

// Retry quickly: the default backoff would make the test wait seconds.
func (w *panicWorker) NextRetry(*river.Job[panicArgs]) time.Time { return time.Now() }

type fakeSweeper struct {
	calls atomic.Int32
	fail  atomic.Bool
}

func (f *fakeSweeper) Sweep(context.Context) (privacy.SweepReport, error) {
	f.calls.Add(1)
	if f.fail.Load() {
		return privacy.SweepReport{}, errors.New("database gone")
	}
	return privacy.SweepReport{DeletionsDone: 1}, nil
}

// A job that panics is retried, then recorded as discarded with its error:
// never lost silently. The privacy sweep runs when asked, and on schedule.
func TestPanickingJobIsRetriedThenRecordedAndSweepRuns(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	runs := &atomic.Int32{}
	sweeper := &fakeSweeper{}
	workers := river.NewWorkers()
	river.AddWorker(workers, &panicWorker{runs: runs})
	river.AddWorker(workers, &PrivacyWorker{Privacy: sweeper, Log: slog.New(slog.DiscardHandler)})
	q, err := New(tdb.App, workers, Options{Workers: 2, Poll: 50 * time.Millisecond, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	q.SchedulePrivacySweep(time.Hour)
	if _, err := q.client.Insert(ctx, panicArgs{}, &river.InsertOpts{MaxAttempts: 3}); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = q.Stop(stopCtx)
	}()
	if err := q.EnqueuePrivacySweep(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	var state string
	var attempts, errs int
	for time.Now().Before(deadline) {
		err := tdb.Super.QueryRowContext(ctx, `SELECT state, attempt, coalesce(array_length(errors, 1), 0) FROM river_job WHERE kind = 'test_panic'`).
			Scan(&state, &attempts, &errs)
		if err != nil {
			t.Fatal(err)
		}
		if state == "discarded" && sweeper.calls.Load() >= 1 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if state != "discarded" || attempts != 3 || errs != 3 || runs.Load() != 3 {
		t.Fatalf("panicking job: state %s, attempts %d, errors %d, runs %d; want discarded after 3", state, attempts, errs, runs.Load())
	}
	var recorded string
	if err := tdb.Super.QueryRowContext(ctx, `SELECT errors[3]->>'error' FROM river_job WHERE kind = 'test_panic'`).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if recorded == "" {
		t.Error("the panic is not recorded on the job")
	}
	if sweeper.calls.Load() < 1 {
		t.Fatal("privacy sweep never ran")
	}
	var sweeps int
	if err := tdb.Super.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'privacy_sweep' AND state = 'completed'`).Scan(&sweeps); err != nil {
		t.Fatal(err)
	}
	if sweeps < 1 {
		t.Errorf("completed sweeps %d", sweeps)
	}
}
