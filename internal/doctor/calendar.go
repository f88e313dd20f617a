package doctor

import (
	"fmt"
	"time"

	suara "github.com/suara-id/suara"
	"github.com/suara-id/suara/internal/workday"
)

// CheckCalendar is the holiday-calendar check's name.
const CheckCalendar = "holiday calendar"

// CalendarWarnBefore is how long before the movable-holiday data ends doctor
// starts to warn, the same span as the union admin dashboard's warning.
const CalendarWarnBefore = workday.WarnBefore

func checkShippedCalendar(now time.Time) Result {
	cal, err := workday.LoadFS(suara.ConfigFS, "config/holidays")
	if err != nil {
		return Result{Check: CheckCalendar, Status: Fail, Detail: err.Error(),
			Fix: "correct the file named above in config/holidays"}
	}
	return CalendarResult(cal, now)
}

// CalendarResult judges a calendar at now: a warning when its movable-holiday
// data ends within CalendarWarnBefore (or has ended), since deadlines after
// that are counted without Islamic, Chinese, Hindu, Buddhist and Christian
// holidays and cuti bersama, and flagged as provisional.
func CalendarResult(cal *workday.Calendar, now time.Time) Result {
	r := Result{Check: CheckCalendar}
	end := cal.DataEnd()
	if !cal.EndsWithin(now, CalendarWarnBefore) {
		r.Status, r.Detail = OK, fmt.Sprintf("holiday data runs to %s", end.Format(time.DateOnly))
		return r
	}
	r.Status = Warn
	if end.IsZero() {
		r.Detail = "no holiday data loaded"
	} else {
		days := int(end.Sub(now).Hours()/24) + 1
		if days > 0 {
			r.Detail = fmt.Sprintf("holiday data ends %s, in %d day(s)", end.Format(time.DateOnly), days)
		} else {
			r.Detail = fmt.Sprintf("holiday data ended %s: new deadlines skip movable holidays and are flagged provisional", end.Format(time.DateOnly))
		}
	}
	r.Fix = fmt.Sprintf("add config/holidays/%d.yaml (national holidays and cuti bersama from the SKB 3 Menteri)", end.Year()+1)
	return r
}
