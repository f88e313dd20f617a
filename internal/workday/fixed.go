package workday

import "time"

// fixedDates are the national holidays that fall on the same Gregorian date
// every year (UU/Keppres). They are known for any year, so a calendar never
// runs out of them; the movable holidays (Islamic, Chinese, Hindu, Buddhist
// and Christian ones, cuti bersama) come only from the yearly data files.
var fixedDates = []struct {
	Month time.Month
	Day   int
	Name  Name
}{
	{time.January, 1, Name{ID: "Tahun Baru Masehi", EN: "New Year's Day"}},
	{time.May, 1, Name{ID: "Hari Buruh Internasional", EN: "International Labour Day"}},
	{time.June, 1, Name{ID: "Hari Lahir Pancasila", EN: "Pancasila Day"}},
	{time.August, 17, Name{ID: "Hari Kemerdekaan Republik Indonesia", EN: "Independence Day"}},
	{time.December, 25, Name{ID: "Hari Raya Natal", EN: "Christmas Day"}},
}

// fixedOn returns the fixed-date holidays on d when d's year has no data
// file (a loaded year lists them itself, and its file is authoritative).
func (c *Calendar) fixedOn(d civil) []Holiday {
	y, m, dd := d.ymd()
	if c.years[y] {
		return nil
	}
	var out []Holiday
	for _, f := range fixedDates {
		if f.Month == m && f.Day == dd {
			out = append(out, Holiday{Date: time.Date(y, m, dd, 0, 0, 0, 0, c.loc), Name: f.Name, Kind: KindNational})
		}
	}
	return out
}

// DataEnd is the last date the movable-holiday data covers: 31 December of
// the last loaded year (zero when nothing was loaded). After it, deadlines
// are computed with weekends and fixed-date holidays only.
func (c *Calendar) DataEnd() time.Time {
	last := 0
	for y := range c.years {
		last = max(last, y)
	}
	if last == 0 {
		return time.Time{}
	}
	return time.Date(last, time.December, 31, 0, 0, 0, 0, c.loc)
}

// Provisional reports whether a deadline at due was counted past the end of
// the movable-holiday data, so it may fall earlier than it will once the
// missing holidays are known (the safe side for reporters). Such deadlines
// are still computed; callers flag them.
func (c *Calendar) Provisional(due time.Time) bool {
	end := c.DataEnd()
	return end.IsZero() || c.dateOf(due) > c.dateOf(end)
}

// WarnBefore is how long before the movable-holiday data ends `suara
// doctor` and the union admin dashboard start to warn: time enough to add
// next year's file from the SKB.
const WarnBefore = 90 * 24 * time.Hour

// EndsWithin reports whether the calendar data ends within d of now (or has
// already ended), so `suara doctor` and the admin pages can warn in time.
func (c *Calendar) EndsWithin(now time.Time, d time.Duration) bool {
	end := c.DataEnd()
	return end.IsZero() || !now.Add(d).Before(end.AddDate(0, 0, 1))
}
