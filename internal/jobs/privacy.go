package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/suara-id/suara/internal/privacy"
)

// PrivacySweepArgs asks for every tenant's deletion requests and retention
// to be carried out. It carries nothing: the sweep finds its own work.
type PrivacySweepArgs struct{}

// Kind names the job in River's table.
func (PrivacySweepArgs) Kind() string { return "privacy_sweep" }

// InsertOpts retries a failed sweep. Sweeps are idempotent, so two that
// overlap do no harm.
func (PrivacySweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, Queue: river.QueueDefault}
}

// Sweeper is what the privacy job runs (privacy.Service).
type Sweeper interface {
	Sweep(ctx context.Context) (privacy.SweepReport, error)
}

// PrivacyWorker runs the privacy sweep.
type PrivacyWorker struct {
	river.WorkerDefaults[PrivacySweepArgs]
	Privacy Sweeper
	Log     *slog.Logger
}

// Work runs one sweep; an error makes River retry it with backoff.
func (w *PrivacyWorker) Work(ctx context.Context, _ *river.Job[PrivacySweepArgs]) error {
	rep, err := w.Privacy.Sweep(ctx)
	if err != nil {
		return fmt.Errorf("privacy sweep: %w", err)
	}
	if w.Log != nil && (rep.DeletionsDone > 0 || rep.Retention != (privacy.RetentionReport{})) {
		w.Log.Info("privacy sweep", "deletions_done", rep.DeletionsDone, "cases_anonymised", rep.Retention.CasesAnonymised,
			"evidence_deleted", rep.Retention.EvidenceDeleted, "skipped_legal_hold", rep.Retention.SkippedLegalHold)
	}
	return nil
}

// PrivacySweepEvery is how often the sweep runs: far inside the 72 hours
// the law allows for a deletion, even after several failed attempts.
const PrivacySweepEvery = time.Hour

// SchedulePrivacySweep makes the job runner run the sweep every interval (and
// once at start). Only a runner with workers runs periodic jobs.
func (q *Runner) SchedulePrivacySweep(every time.Duration) {
	q.client.PeriodicJobs().Add(river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return PrivacySweepArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true}))
}

// EnqueuePrivacySweep asks for a sweep now (after a deletion request, so it
// is carried out in minutes rather than at the next period).
func (q *Runner) EnqueuePrivacySweep(ctx context.Context) error {
	if _, err := q.client.Insert(ctx, PrivacySweepArgs{}, nil); err != nil {
		return fmt.Errorf("enqueue privacy sweep: %w", err)
	}
	return nil
}
