package workday

import (
	"testing"
	"time"
)

func TestCalendarBeyondDataKeepsFixedHolidaysAndFlags(t *testing.T) {
	c, err := Load(map[string][]byte{"2026.yaml": []byte(`year: 2026
holidays:
  - {date: "2026-03-20", kind: national, name: {id: "Idul Fitri", en: "Eid al-Fitr"}}
`)})
	if err != nil {
		t.Fatal(err)
	}
	wib := c.Location()
	if got := c.DataEnd(); !got.Equal(time.Date(2026, 12, 31, 0, 0, 0, 0, wib)) {
		t.Fatalf("DataEnd %v", got)
	}
	// 2028: no data, but 17 August and 1 May are still holidays
	for _, d := range []time.Time{time.Date(2028, 8, 17, 10, 0, 0, 0, wib), time.Date(2029, 5, 1, 10, 0, 0, 0, wib)} {
		if c.IsWorkingDay(d) || len(c.HolidaysOn(d)) != 1 {
			t.Errorf("%s should be a fixed-date holiday: %v", d.Format(time.DateOnly), c.HolidaysOn(d))
		}
	}
	if n := len(c.HolidaysIn(2030)); n != 5 {
		t.Errorf("HolidaysIn(2030) = %d holidays, want the 5 fixed-date ones", n)
	}
	// a loaded year's file is authoritative: 1 May 2026 is not in it
	if !c.IsWorkingDay(time.Date(2026, 5, 1, 10, 0, 0, 0, wib)) {
		t.Error("a loaded year must not gain fixed-date holidays its file leaves out")
	}
	// Wednesday 2028-08-16 + 2 working days skips the 17th (Thu): Friday 18th, then Monday 21st
	due := c.AddWorkingDays(time.Date(2028, 8, 16, 9, 0, 0, 0, wib), 2)
	if due.Format(time.DateOnly) != "2028-08-21" {
		t.Errorf("deadline %s, want 2028-08-21", due.Format(time.DateOnly))
	}
	if !c.Provisional(due) || c.Provisional(time.Date(2026, 12, 31, 23, 0, 0, 0, wib)) {
		t.Error("Provisional must hold exactly for deadlines after the data's end")
	}
	if c.EndsWithin(time.Date(2026, 9, 1, 0, 0, 0, 0, wib), 90*24*time.Hour) {
		t.Error("1 September: data ends in 121 days, no warning yet")
	}
	if !c.EndsWithin(time.Date(2026, 10, 3, 0, 0, 0, 0, wib), 90*24*time.Hour) {
		t.Error("3 October: data ends within 90 days, warn")
	}
}
