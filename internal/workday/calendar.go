// Package workday owns the Indonesian working-day calendar: weekends,
// national holidays and cuti bersama loaded from yearly files, tenant
// overrides, and the working-day arithmetic behind SLA clocks (deadlines,
// elapsed days, pauses while a case waits for its reporter).
//
// Every computation happens on local dates in Asia/Jakarta (WIB), whatever
// the zone of the times passed in: a union in Medan and a server in UTC must
// agree on which day a case was filed.
package workday

import (
	"sort"
	"time"
	_ "time/tzdata" // the binary must know Asia/Jakarta on hosts without zoneinfo
)

// Kind says why a date is a holiday.
type Kind string

const (
	// KindNational is a hari libur nasional.
	KindNational Kind = "national"
	// KindCutiBersama is a joint leave day set by the SKB 3 Menteri.
	KindCutiBersama Kind = "cuti_bersama"
)

// Name is a holiday's name in the two languages the interface speaks.
type Name struct {
	ID string // Bahasa Indonesia
	EN string // English
}

// Holiday is one official non-working day.
type Holiday struct {
	Date time.Time // midnight WIB
	Name Name
	Kind Kind
}

// civil is a local WIB date, counted in days since 1970-01-01. Integer days
// make "the next day" a plain increment and map keys cheap.
type civil int64

func civilOf(y int, m time.Month, d int) civil {
	return civil(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func (d civil) ymd() (int, time.Month, int) {
	return time.Unix(int64(d)*86400, 0).UTC().Date()
}

func (d civil) weekday() time.Weekday {
	// 1970-01-01 was a Thursday; the double modulo keeps dates before 1970 right.
	return time.Weekday(((int64(d)+4)%7 + 7) % 7)
}

// Calendar answers working-day questions. It is immutable after Load and safe
// for concurrent use; WithOverrides derives a tenant's calendar without
// copying the shared holiday table.
type Calendar struct {
	loc           *time.Location
	holidays      map[civil][]Holiday // shared between derived calendars, never written after load
	years         map[int]bool
	extraHolidays map[civil]bool
	extraWorkdays map[civil]bool
}

// Jakarta is the zone reporters and officers read times in (WIB).
func Jakarta() *time.Location { return jakarta() }

// jakarta returns Asia/Jakarta. WIB has had no daylight saving since 1964, so
// the fixed +07:00 fallback gives the same answers for every date we handle.
func jakarta() *time.Location {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		return time.FixedZone("WIB", 7*60*60)
	}
	return loc
}

// Location is the zone every local date is taken in (Asia/Jakarta).
func (c *Calendar) Location() *time.Location { return c.loc }

// WithOverrides returns a calendar that also treats extraHolidays as days off
// (a regional holiday, a union congress) and extraWorkdays as working days
// even when they fall on a weekend, a holiday or cuti bersama (a union that
// works through cuti bersama). A date in both lists is a working day: the
// explicit "we work that day" is the more specific statement. Overrides add to
// any the receiver already has; the receiver is not changed.
func (c *Calendar) WithOverrides(extraHolidays, extraWorkdays []time.Time) *Calendar {
	out := &Calendar{
		loc:           c.loc,
		holidays:      c.holidays,
		years:         c.years,
		extraHolidays: make(map[civil]bool, len(c.extraHolidays)+len(extraHolidays)),
		extraWorkdays: make(map[civil]bool, len(c.extraWorkdays)+len(extraWorkdays)),
	}
	for d := range c.extraHolidays {
		out.extraHolidays[d] = true
	}
	for d := range c.extraWorkdays {
		out.extraWorkdays[d] = true
	}
	for _, t := range extraHolidays {
		out.extraHolidays[c.dateOf(t)] = true
	}
	for _, t := range extraWorkdays {
		out.extraWorkdays[c.dateOf(t)] = true
	}
	return out
}

// Covers reports whether holiday data was loaded for t's year. Outside the
// loaded years only weekends are days off, so callers may want to warn.
func (c *Calendar) Covers(t time.Time) bool {
	return c.years[t.In(c.loc).Year()]
}

// Years lists the years holiday data was loaded for, in order.
func (c *Calendar) Years() []int {
	out := make([]int, 0, len(c.years))
	for y := range c.years {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// HolidaysOn returns the official holidays on t's local date (usually none or
// one; two holidays can share a date). Tenant overrides are not included.
func (c *Calendar) HolidaysOn(t time.Time) []Holiday {
	d := c.dateOf(t)
	return append(append([]Holiday(nil), c.holidays[d]...), c.fixedOn(d)...)
}

// HolidaysIn returns the official holidays of a year in date order.
func (c *Calendar) HolidaysIn(year int) []Holiday {
	var out []Holiday
	for d, hs := range c.holidays {
		if y, _, _ := d.ymd(); y == year {
			out = append(out, hs...)
		}
	}
	if !c.years[year] {
		for _, f := range fixedDates {
			out = append(out, c.fixedOn(civilOf(year, f.Month, f.Day))...)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// IsWorkingDay reports whether t's local WIB date is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	return c.working(c.dateOf(t))
}

func (c *Calendar) working(d civil) bool {
	if c.extraWorkdays[d] {
		return true
	}
	if wd := d.weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	if c.extraHolidays[d] {
		return false
	}
	return len(c.holidays[d]) == 0 && len(c.fixedOn(d)) == 0
}

func (c *Calendar) dateOf(t time.Time) civil {
	return civilOf(t.In(c.loc).Date())
}

// startOf is local midnight at the start of d.
func (c *Calendar) startOf(d civil) time.Time {
	y, m, dd := d.ymd()
	return time.Date(y, m, dd, 0, 0, 0, 0, c.loc)
}

// endOf is the last instant of d that PostgreSQL can store. A timestamptz has
// microsecond precision and rounds, so 23:59:59.999999999 would be stored as
// the next day's midnight and a deadline would silently move by a day.
func (c *Calendar) endOf(d civil) time.Time {
	y, m, dd := d.ymd()
	return time.Date(y, m, dd, 23, 59, 59, 999999000, c.loc)
}

// AddWorkingDays returns the deadline n working days after start. Counting
// starts on the working day after start's local date, whatever the time of
// day (a case filed on Friday evening or on Saturday both start counting on
// Monday), and the deadline is the end of the n-th working day: the last
// microsecond of that WIB date, so "met by the deadline" is t <= deadline.
// For n <= 0 it returns the end of start's own date.
func (c *Calendar) AddWorkingDays(start time.Time, n int) time.Time {
	d := c.dateOf(start)
	for counted := 0; counted < n; {
		d++
		if c.working(d) {
			counted++
		}
	}
	return c.endOf(d)
}

// WorkingDaysBetween counts the working days after from's local date up to
// and including to's local date, the same way AddWorkingDays counts, so
// WorkingDaysBetween(s, AddWorkingDays(s, n)) == n for n >= 0. It is negative
// when to is before from.
func (c *Calendar) WorkingDaysBetween(from, to time.Time) int {
	a, b := c.dateOf(from), c.dateOf(to)
	sign := 1
	if b < a {
		a, b, sign = b, a, -1
	}
	n := 0
	for d := a + 1; d <= b; d++ {
		if c.working(d) {
			n++
		}
	}
	return sign * n
}
