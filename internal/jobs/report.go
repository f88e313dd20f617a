package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/suara-id/suara/internal/analytics"
)

// ReportArgs asks for a monthly analytics report. Month is YYYY-MM; empty
// means the month before the job runs (the periodic job on the 1st).
type ReportArgs struct {
	Month string `json:"month,omitempty"`
}

// Kind names the job in River's table.
func (ReportArgs) Kind() string { return "analytics_monthly_report" }

// ReportWorker generates and stores a monthly report.
type ReportWorker struct {
	river.WorkerDefaults[ReportArgs]

	Analytics *analytics.Store
	Log       *slog.Logger
	// Now is the clock (tests); time.Now when nil.
	Now func() time.Time
}

// Work generates the report. The rollup runs every few seconds, so the
// month is complete in the facts by the time this runs.
func (w *ReportWorker) Work(ctx context.Context, job *river.Job[ReportArgs]) error {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	m := analytics.ReportMonthFor(now())
	if job.Args.Month != "" {
		var ok bool
		if m, ok = analytics.ParseMonth(job.Args.Month); !ok {
			return river.JobCancel(fmt.Errorf("bad report month %q", job.Args.Month))
		}
	}
	rep, err := w.Analytics.GenerateReport(ctx, m)
	if err != nil {
		return fmt.Errorf("monthly report: %w", err)
	}
	if w.Log != nil {
		w.Log.Info("analytics monthly report", "month", m.String(), "sectors", len(rep.Sectors))
	}
	return nil
}

// monthlySchedule fires at 01:00 Jakarta time on the 1st of each month.
type monthlySchedule struct{ loc *time.Location }

// Next is the first 1st-of-the-month 01:00 after t.
func (s monthlySchedule) Next(t time.Time) time.Time {
	lt := t.In(s.loc)
	next := time.Date(lt.Year(), lt.Month(), 1, 1, 0, 0, 0, s.loc)
	if !next.After(lt) {
		next = next.AddDate(0, 1, 0)
	}
	return next
}

// AddPeriodicReport schedules the monthly report on the 1st of each month.
// A process that was down at that moment does not catch up: the console
// generates any month on demand.
func (q *Runner) AddPeriodicReport() error {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		loc = time.FixedZone("WIB", 7*3600)
	}
	_, err = q.client.PeriodicJobs().AddSafely(river.NewPeriodicJob(monthlySchedule{loc: loc},
		func() (river.JobArgs, *river.InsertOpts) {
			return ReportArgs{}, &river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByPeriod: 24 * time.Hour}}
		},
		&river.PeriodicJobOpts{ID: "analytics_monthly_report"},
	))
	if err != nil {
		return fmt.Errorf("schedule monthly report: %w", err)
	}
	return nil
}
