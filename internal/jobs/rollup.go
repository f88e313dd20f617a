package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/suara-id/suara/internal/analytics"
)

// RollupArgs asks for the analytics facts to be brought up to date. It
// carries nothing: the watermarks say where each tenant stands.
type RollupArgs struct{}

// Kind names the job in River's table.
func (RollupArgs) Kind() string { return "analytics_rollup" }

// RollupWorker folds changed cases into the analytics facts.
type RollupWorker struct {
	river.WorkerDefaults[RollupArgs]

	Analytics *analytics.Store
	Log       *slog.Logger
}

// Work runs one rollup over every tenant.
func (w *RollupWorker) Work(ctx context.Context, _ *river.Job[RollupArgs]) error {
	start := time.Now()
	rep, err := w.Analytics.Rollup(ctx)
	if err != nil {
		return fmt.Errorf("analytics rollup: %w", err)
	}
	if rep.Cases > 0 && w.Log != nil {
		w.Log.Info("analytics rollup", "tenants", rep.Tenants, "cases", rep.Cases, "duration_ms", time.Since(start).Milliseconds())
	}
	return nil
}

// Timeout lets a large catch-up finish; later runs wait on the watermark
// locks rather than repeat its work.
func (w *RollupWorker) Timeout(*river.Job[RollupArgs]) time.Duration { return 10 * time.Minute }

// AddPeriodicRollup schedules the rollup every interval (and once at
// start). Only a runner that works jobs can schedule: an insert-only runner
// leaves the rollup to `suara worker`. One run per interval is kept unique,
// so a slow run does not pile up copies.
func (q *Runner) AddPeriodicRollup(interval time.Duration) error {
	if interval <= 0 {
		return fmt.Errorf("rollup interval must be positive, got %s", interval)
	}
	_, err := q.client.PeriodicJobs().AddSafely(river.NewPeriodicJob(
		river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) {
			return RollupArgs{}, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: interval}}
		},
		&river.PeriodicJobOpts{ID: "analytics_rollup", RunOnStart: true},
	))
	if err != nil {
		return fmt.Errorf("schedule analytics rollup: %w", err)
	}
	return nil
}
