package jobs

import (
	"context"
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
	q, err := New(tdb.App, workers, Options{Workers: 1, Poll: 50 * time.Millisecond, Log: slog.New(slog.DiscardHandler),
		FinishedRetention: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	caseID := uuid.New()
	if _, err := q.client.Insert(ctx, doneArgs{CaseID: caseID}, nil); err != nil {
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
	count := func(state string) int {
		t.Helper()
		var n int
		if err := tdb.Super.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE args->>'case_id' = ? AND state::text LIKE ?`,
			caseID.String(), state).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	completed := false
	// River's cleaner runs every 30 s.
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if count("completed") == 1 {
			completed = true
		}
		if completed && count("%") == 0 {
			return
		}
	}
	t.Fatalf("job naming the case: completed %v, still stored after 90 s (%d rows)", completed, count("%"))
}
