package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/cases"
)

// CheckinArgs asks a closed case's reporter check-in question n (1 at +30
// days, 2 at +90 days after closure).
type CheckinArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	CaseID   uuid.UUID `json:"case_id"`
	N        int       `json:"n"`
}

// Kind names the job in River's table.
func (CheckinArgs) Kind() string { return "case_checkin" }

// InsertOpts retries a failed check-in with River's backoff.
func (CheckinArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, Queue: river.QueueDefault}
}

// CheckinWorker puts a due check-in question on the reporter's timeline.
type CheckinWorker struct {
	river.WorkerDefaults[CheckinArgs]

	Cases *cases.Service
	Log   *slog.Logger
}

// Work runs one job; asking twice changes nothing, so retries are safe.
func (w *CheckinWorker) Work(ctx context.Context, job *river.Job[CheckinArgs]) error {
	return w.Cases.AskCheckin(ctx, job.Args.TenantID, job.Args.CaseID, job.Args.N)
}

// ScheduleCheckinTx queues check-in n of a case for at, inside tx (the
// closing transaction): the job exists if and only if the closing does.
// Its signature is cases.Service.ScheduleCheckin's.
func (q *Runner) ScheduleCheckinTx(ctx context.Context, tx bun.Tx, tenantID, caseID uuid.UUID, n int, at time.Time) error {
	err := q.insertTx(ctx, tx, CheckinArgs{TenantID: tenantID, CaseID: caseID, N: n},
		&river.InsertOpts{ScheduledAt: at})
	if err != nil {
		return fmt.Errorf("schedule check-in %d: %w", n, err)
	}
	return nil
}
