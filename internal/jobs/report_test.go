package jobs

import (
	"testing"
	"time"
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
