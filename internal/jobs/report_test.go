package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/db/pgtest"
)

func TestMonthlyScheduleFiresOnTheFirst(t *testing.T) {
	loc := time.FixedZone("WIB", 7*3600)
	s := monthlySchedule{loc: loc}
	for _, c := range []struct{ at, want time.Time }{
		{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 1, 0, 0, 0, loc)},
		{time.Date(2026, 12, 1, 0, 30, 0, 0, loc), time.Date(2026, 12, 1, 1, 0, 0, 0, loc)},
		{time.Date(2026, 12, 1, 1, 0, 0, 0, loc), time.Date(2027, 1, 1, 1, 0, 0, 0, loc)},
		{time.Date(2026, 12, 31, 23, 0, 0, 0, loc), time.Date(2027, 1, 1, 1, 0, 0, 0, loc)},
	} {
		if got := s.Next(c.at); !got.Equal(c.want) {
			t.Errorf("Next(%s) = %s, want %s", c.at, got, c.want)
		}
	}
}

// The job run on the 1st stores the report of the month before (Jakarta
// time: 1 December 01:00 WIB is still 30 November in UTC).
func TestReportWorkerStoresLastMonth(t *testing.T) {
	tdb := pgtest.New(t)
	ctx := context.Background()
	store := analytics.New(tdb.App, analytics.Options{K: 5})
	w := &ReportWorker{Analytics: store, Now: func() time.Time { return time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC) }}
	if err := w.Work(ctx, &river.Job[ReportArgs]{JobRow: &rivertype.JobRow{}, Args: ReportArgs{}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Work(ctx, &river.Job[ReportArgs]{JobRow: &rivertype.JobRow{}, Args: ReportArgs{Month: "2026-07"}}); err != nil {
		t.Fatal(err)
	}
	list, err := store.Reports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Month.String() != "2026-11" || list[1].Month.String() != "2026-07" {
		t.Fatalf("reports stored: %+v", list)
	}
	if err := w.Work(ctx, &river.Job[ReportArgs]{JobRow: &rivertype.JobRow{}, Args: ReportArgs{Month: "bad"}}); err == nil {
		t.Error("a bad month was accepted")
	}
}
