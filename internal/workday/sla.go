package workday

import "time"

// Interval is a span during which an SLA clock is paused (a case in
// needs_info, waiting for its reporter). A zero To means the pause is still
// open. An interval whose To is before its From is ignored.
//
// The clock counts whole working days: a working day counts only if the clock
// ran through all of it. The day a pause starts and the day it ends therefore
// do not count, so an answer from the reporter restarts counting on the next
// working day, exactly as a new filing does.
type Interval struct {
	From, To time.Time
}

// covers reports whether any pause overlaps [from, to).
func covers(pauses []Interval, from, to time.Time) bool {
	for _, p := range pauses {
		if p.From.Before(to) && p.To.After(from) {
			return true
		}
	}
	return false
}

// closePauses drops invalid intervals and ends open ones at now.
func closePauses(pauses []Interval, now time.Time) []Interval {
	out := make([]Interval, 0, len(pauses))
	for _, p := range pauses {
		if p.To.IsZero() {
			p.To = now
		}
		if p.To.Before(p.From) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// ElapsedWorkingDays counts the working days of the clock that started at
// start, up to now: working days after start's date up to and including
// today, leaving out every day a pause touched (an open pause runs to now).
// Today counts if no pause touched it so far, so on the n-th counted day the
// result is n ("day 3 of 5"). It is 0 when now is not after start.
func (c *Calendar) ElapsedWorkingDays(start, now time.Time, pauses []Interval) int {
	if !now.After(start) {
		return 0
	}
	closed := closePauses(pauses, now)
	n := 0
	last := c.dateOf(now)
	for d := c.dateOf(start) + 1; d <= last; d++ {
		if !c.working(d) {
			continue
		}
		end := c.startOf(d + 1)
		if end.After(now) {
			end = now
		}
		if covers(closed, c.startOf(d), end) {
			continue
		}
		n++
	}
	return n
}

// Due returns the deadline of a clock that started at start with a target of
// target working days, pushed back by the days the pauses touched. Like
// AddWorkingDays it is the last microsecond of the target-th counted day;
// with no pauses the two agree. While a pause is open the clock is stopped
// and there is no deadline yet unless it had already fallen before the pause
// began: then Due returns that (passed) deadline, otherwise the zero time.
func (c *Calendar) Due(start time.Time, target int, pauses []Interval) time.Time {
	d := c.dateOf(start)
	if target <= 0 {
		return c.endOf(d)
	}
	var closed []Interval
	var open *time.Time // earliest start of an open pause
	for _, p := range pauses {
		switch {
		case p.To.IsZero():
			if open == nil || p.From.Before(*open) {
				from := p.From
				open = &from
			}
		case !p.To.Before(p.From):
			closed = append(closed, p)
		}
	}
	// Terminates: closed pauses and holidays are finite, so working days
	// untouched by them keep coming; an open pause stops the walk below.
	for counted := 0; ; {
		d++
		if !c.working(d) {
			continue
		}
		dayStart, dayEnd := c.startOf(d), c.startOf(d+1)
		if open != nil && open.Before(dayEnd) {
			return time.Time{}
		}
		if covers(closed, dayStart, dayEnd) {
			continue
		}
		counted++
		if counted == target {
			return c.endOf(d)
		}
	}
}

// Overdue reports whether the clock's deadline passed before now. An open
// pause is taken to end at now: a case waiting for its reporter does not
// become overdue, but one that was already overdue when the pause began
// stays overdue.
func (c *Calendar) Overdue(start, now time.Time, target int, pauses []Interval) bool {
	due := c.Due(start, target, closePauses(pauses, now))
	return now.After(due)
}
