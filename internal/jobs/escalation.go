package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/suara-id/suara/internal/cases"
)

// EscalateArgs asks for one escalation sweep over every tenant: overdue
// cases past their tenant's grace move up the org tree, and failed
// bipartite negotiations raise a prompt (cases.EscalateAll). It carries
// nothing: the sweep reads the clock and the database.
type EscalateArgs struct{}

// Kind names the job in River's table.
func (EscalateArgs) Kind() string { return "escalate_overdue" }

// InsertOpts keeps one sweep per period even with several leaders in a
// row, and does not retry hard: the next period sweeps again anyway.
func (EscalateArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, Queue: river.QueueDefault,
		UniqueOpts: river.UniqueOpts{ByPeriod: EscalationEvery}}
}

// EscalationEvery is how often the sweep runs. Deadlines fall at the end of
// a working day, so a quarter of an hour is prompt enough.
const EscalationEvery = 15 * time.Minute

// EscalationWorker runs a sweep.
type EscalationWorker struct {
	river.WorkerDefaults[EscalateArgs]

	Cases *cases.Service
	Log   *slog.Logger
}

// Work runs one sweep. A tenant that fails does not stop the others; the
// error still fails the job so River records it.
func (w *EscalationWorker) Work(ctx context.Context, _ *river.Job[EscalateArgs]) error {
	r, err := w.Cases.EscalateAll(ctx)
	if w.Log != nil && r.Escalated+r.Prompted > 0 {
		w.Log.Info("escalation sweep", "escalated", r.Escalated, "prompted", r.Prompted)
	}
	return err
}

// ScheduleEscalations runs the sweep every EscalationEvery, and once when
// the runner starts. Only a runner that works jobs may schedule (River's
// rule), so call it when Workers > 0.
func (q *Runner) ScheduleEscalations() {
	q.client.PeriodicJobs().Add(river.NewPeriodicJob(river.PeriodicInterval(EscalationEvery),
		func() (river.JobArgs, *river.InsertOpts) { return EscalateArgs{}, nil },
		&river.PeriodicJobOpts{ID: "escalate_overdue", RunOnStart: true}))
}
