package workday

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

var wib = time.FixedZone("WIB", 7*60*60)

// at builds a WIB time; tests write dates the way a union officer reads them.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, wib)
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) time.Time { return at(s + " 00:00") }

// endOfDay is the deadline instant AddWorkingDays promises for a WIB date.
func endOfDay(s string) time.Time {
	return at(s + " 23:59").Add(59*time.Second + 999999*time.Microsecond)
}

func loadReal(t testing.TB) *Calendar {
	t.Helper()
	c, err := LoadFS(os.DirFS("../../config"), "holidays")
	if err != nil {
		t.Fatalf("load shipped calendars: %v", err)
	}
	return c
}

func TestShippedFilesMatchSKB(t *testing.T) {
	c := loadReal(t)
	if got := c.Years(); len(got) != 3 || got[0] != 2025 || got[2] != 2027 {
		t.Fatalf("years = %v, want [2025 2026 2027]", got)
	}
	// Counts published with each SKB: 2025 had 17 + 10 cuti bersama plus
	// 18 August added in 2025; 2026 has 17 + 8.
	for _, tc := range []struct {
		year               int
		national, cutiBers int
	}{{2025, 17, 11}, {2026, 17, 8}} {
		var nat, cb int
		for _, h := range c.HolidaysIn(tc.year) {
			switch h.Kind {
			case KindNational:
				nat++
			case KindCutiBersama:
				cb++
			}
		}
		if nat != tc.national || cb != tc.cutiBers {
			t.Errorf("%d: %d national, %d cuti bersama; want %d and %d", tc.year, nat, cb, tc.national, tc.cutiBers)
		}
	}
	for _, tc := range []struct {
		date string
		kind Kind
		name string
	}{
		{"2026-03-21", KindNational, "Idul Fitri 1447 Hijriah"},
		{"2026-03-24", KindCutiBersama, "Cuti Bersama Idul Fitri 1447 Hijriah"},
		{"2026-12-24", KindCutiBersama, "Cuti Bersama Kelahiran Yesus Kristus"},
		{"2025-08-18", KindCutiBersama, "Cuti Bersama HUT ke-80 Kemerdekaan RI"},
		{"2027-01-01", KindNational, "Tahun Baru 2027 Masehi"},
	} {
		hs := c.HolidaysOn(day(tc.date))
		if len(hs) != 1 || hs[0].Kind != tc.kind || hs[0].Name.ID != tc.name {
			t.Errorf("HolidaysOn(%s) = %+v, want one %s %q", tc.date, hs, tc.kind, tc.name)
		}
	}
	if !c.Covers(day("2027-06-01")) || c.Covers(day("2028-01-03")) {
		t.Error("Covers: want 2027 covered and 2028 not")
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := loadReal(t)
	for date, want := range map[string]bool{
		"2026-03-18": false, // cuti bersama Nyepi (Wednesday)
		"2026-03-25": true,  // first working day after Lebaran
		"2026-06-06": false, // Saturday
		"2026-06-07": false, // Sunday
		"2026-06-08": true,  // Monday
		"2026-05-01": false, // Hari Buruh
		"2025-08-18": false, // added cuti bersama
		"2028-01-03": true,  // outside loaded data: weekdays work
	} {
		if got := c.IsWorkingDay(day(date)); got != want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", date, got, want)
		}
	}
	// The date is the WIB date whatever the input zone: 2026-06-07 18:00 UTC
	// is Monday 01:00 in Jakarta.
	if !c.IsWorkingDay(time.Date(2026, 6, 7, 18, 0, 0, 0, time.UTC)) {
		t.Error("Sunday 18:00 UTC is Monday in WIB and must be a working day")
	}
	// Friday 18:00 in New York is Saturday 06:00 in Jakarta: a day off.
	if c.IsWorkingDay(time.Date(2026, 6, 5, 18, 0, 0, 0, time.FixedZone("EDT", -4*3600))) {
		t.Error("Friday evening EDT is Saturday in WIB and must not be a working day")
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := loadReal(t)
	for _, tc := range []struct {
		name  string
		start time.Time
		n     int
		want  string
	}{
		// 25 Dec Natal, weekend, 28-31 Dec count 1-4, 1 Jan 2027 holiday,
		// weekend, 4 Jan is the fifth.
		{"year end over Natal and New Year", at("2026-12-24 10:00"), 5, "2027-01-04"},
		{"start on the cuti bersama before Natal", at("2026-12-23 16:00"), 1, "2026-12-28"},
		// Idul Fitri 2026: 18 Mar cuti Nyepi, 19 Nyepi, 20 cuti, 21-22 Lebaran
		// (weekend), 23-24 cuti: nothing counts until Wednesday 25 March.
		{"Lebaran week", at("2026-03-17 14:00"), 1, "2026-03-25"},
		{"Lebaran week +3", at("2026-03-17 14:00"), 3, "2026-03-27"},
		{"filed during Lebaran", at("2026-03-21 09:00"), 1, "2026-03-25"},
		{"Saturday start", at("2026-06-06 20:00"), 1, "2026-06-08"},
		{"Sunday start", at("2026-06-07 08:00"), 2, "2026-06-09"},
		{"Friday evening start", at("2026-06-05 22:30"), 1, "2026-06-08"},
		{"UTC input late Sunday is Monday in WIB", time.Date(2026, 6, 7, 17, 30, 0, 0, time.UTC), 1, "2026-06-09"},
		{"zero days is the start's own day", at("2026-06-06 10:00"), 0, "2026-06-06"},
		{"thirty days of bipartite talks", at("2026-04-01 09:00"), 30, "2026-05-19"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := c.AddWorkingDays(tc.start, tc.n)
			if want := endOfDay(tc.want); !got.Equal(want) {
				t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", tc.start, tc.n, got, want)
			}
			if tc.n > 0 {
				if got := c.WorkingDaysBetween(tc.start, got); got != tc.n {
					t.Errorf("WorkingDaysBetween back = %d, want %d", got, tc.n)
				}
			}
		})
	}
}

func TestDeadlineSurvivesMicrosecondStorage(t *testing.T) {
	c := loadReal(t)
	due := c.AddWorkingDays(at("2026-06-08 09:00"), 1)
	stored := due.Round(time.Microsecond) // what a timestamptz keeps
	if y, m, d := stored.In(wib).Date(); y != 2026 || m != 6 || d != 9 {
		t.Fatalf("stored deadline moved to %d-%02d-%02d", y, m, d)
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := loadReal(t)
	if got := c.WorkingDaysBetween(at("2026-12-24 09:00"), at("2027-01-04 08:00")); got != 5 {
		t.Errorf("24 Dec → 4 Jan = %d, want 5", got)
	}
	if got := c.WorkingDaysBetween(at("2027-01-04 08:00"), at("2026-12-24 09:00")); got != -5 {
		t.Errorf("reversed = %d, want -5", got)
	}
	if got := c.WorkingDaysBetween(at("2026-06-08 08:00"), at("2026-06-08 20:00")); got != 0 {
		t.Errorf("same day = %d, want 0", got)
	}
	// Property: Between inverts Add over a whole year of start dates.
	for s := day("2026-01-01"); s.Year() == 2026; s = s.AddDate(0, 0, 1) {
		for _, n := range []int{1, 5, 14, 30} {
			if got := c.WorkingDaysBetween(s, c.AddWorkingDays(s, n)); got != n {
				t.Fatalf("start %s n %d: Between = %d", s.Format(time.DateOnly), n, got)
			}
		}
	}
}

func TestPauseShiftsDue(t *testing.T) {
	c := loadReal(t)
	start := at("2026-06-08 09:00") // Monday
	// Without a pause: 9, 10, 11, 12, 15 June.
	if got, want := c.Due(start, 5, nil), endOfDay("2026-06-15"); !got.Equal(want) {
		t.Fatalf("Due without pause = %s, want %s", got, want)
	}
	// needs_info from Wednesday 10:00 to Friday 15:00: 10, 11 and 12 June do
	// not count; 16 June is 1 Muharam. Counted: 9, 15, 17, 18, 19.
	pause := []Interval{{From: at("2026-06-10 10:00"), To: at("2026-06-12 15:00")}}
	due := c.Due(start, 5, pause)
	if want := endOfDay("2026-06-19"); !due.Equal(want) {
		t.Fatalf("Due with pause = %s, want %s", due, want)
	}
	if got := c.ElapsedWorkingDays(start, at("2026-06-15 12:00"), pause); got != 2 {
		t.Errorf("elapsed on 15 June = %d, want 2", got)
	}
	if got := c.ElapsedWorkingDays(start, at("2026-06-19 12:00"), pause); got != 5 {
		t.Errorf("elapsed on the due day = %d, want 5", got)
	}
	if c.Overdue(start, at("2026-06-19 23:00"), 5, pause) {
		t.Error("overdue before the end of the due day")
	}
	if !c.Overdue(start, at("2026-06-20 00:01"), 5, pause) {
		t.Error("not overdue after the due day")
	}
	// The same instants without the pause are overdue: the pause is what saves them.
	if !c.Overdue(start, at("2026-06-19 23:00"), 5, nil) {
		t.Error("without the pause the case is overdue on 19 June")
	}
}

func TestOpenPause(t *testing.T) {
	c := loadReal(t)
	start := at("2026-06-08 09:00")
	open := []Interval{{From: at("2026-06-10 10:00")}}
	if got := c.Due(start, 5, open); !got.IsZero() {
		t.Errorf("Due with an open pause before the deadline = %s, want zero (clock stopped)", got)
	}
	if c.Overdue(start, at("2026-07-30 10:00"), 5, open) {
		t.Error("a case waiting for its reporter became overdue")
	}
	// Paused days do not count, however long the wait.
	if got := c.ElapsedWorkingDays(start, at("2026-07-30 10:00"), open); got != 1 {
		t.Errorf("elapsed during open pause = %d, want 1 (only 9 June)", got)
	}
	// A pause opened after the deadline passed does not cure it.
	late := []Interval{{From: at("2026-06-17 10:00")}}
	if got, want := c.Due(start, 5, late), endOfDay("2026-06-15"); !got.Equal(want) {
		t.Errorf("Due with a late open pause = %s, want %s", got, want)
	}
	if !c.Overdue(start, at("2026-06-20 10:00"), 5, late) {
		t.Error("an overdue case stopped being overdue when paused")
	}
	// A reversed interval is ignored rather than stopping the clock.
	bad := []Interval{{From: at("2026-06-12 10:00"), To: at("2026-06-10 10:00")}}
	if got, want := c.Due(start, 5, bad), endOfDay("2026-06-15"); !got.Equal(want) {
		t.Errorf("Due with a reversed interval = %s, want %s", got, want)
	}
}

func TestDueMatchesAddWithoutPauses(t *testing.T) {
	c := loadReal(t)
	for s := at("2025-12-01 13:00"); s.Before(at("2027-02-01 00:00")); s = s.Add(17 * time.Hour) {
		for _, n := range []int{0, 1, 3, 10} {
			if a, d := c.AddWorkingDays(s, n), c.Due(s, n, nil); !a.Equal(d) {
				t.Fatalf("start %s n %d: Add %s, Due %s", s, n, a, d)
			}
		}
	}
}

func TestElapsedWorkingDays(t *testing.T) {
	c := loadReal(t)
	start := at("2026-06-08 09:00")
	for now, want := range map[string]int{
		"2026-06-08 08:00": 0, // before the start
		"2026-06-08 17:00": 0, // filing day does not count
		"2026-06-09 07:00": 1, // first counted day, in progress
		"2026-06-13 10:00": 4, // Saturday after four counted days
		"2026-06-17 10:00": 6, // 16 June is 1 Muharam
	} {
		if got := c.ElapsedWorkingDays(start, at(now), nil); got != want {
			t.Errorf("elapsed at %s = %d, want %d", now, got, want)
		}
	}
}

func TestOverrides(t *testing.T) {
	base := loadReal(t)
	tenant := base.WithOverrides(
		[]time.Time{day("2026-06-09")},                    // local holiday
		[]time.Time{day("2026-12-24"), day("2026-06-13")}, // works cuti bersama and one Saturday
	)
	if tenant.IsWorkingDay(day("2026-06-09")) {
		t.Error("tenant holiday is a working day")
	}
	if !tenant.IsWorkingDay(day("2026-12-24")) || !tenant.IsWorkingDay(day("2026-06-13")) {
		t.Error("declared workdays are not working days")
	}
	if !base.IsWorkingDay(day("2026-06-09")) || base.IsWorkingDay(day("2026-12-24")) {
		t.Error("WithOverrides changed the base calendar")
	}
	// Monday 8 June + 2: 9 is off, so 10 and 11.
	if got, want := tenant.AddWorkingDays(at("2026-06-08 09:00"), 2), endOfDay("2026-06-11"); !got.Equal(want) {
		t.Errorf("tenant deadline = %s, want %s", got, want)
	}
	// 23 Dec + 1 lands on the cuti bersama the tenant works.
	if got, want := tenant.AddWorkingDays(at("2026-12-23 09:00"), 1), endOfDay("2026-12-24"); !got.Equal(want) {
		t.Errorf("tenant deadline over cuti bersama = %s, want %s", got, want)
	}
	// Overrides stack, and a workday beats a holiday on the same date.
	both := tenant.WithOverrides([]time.Time{day("2026-12-24"), day("2026-06-10")}, nil)
	if !both.IsWorkingDay(day("2026-12-24")) || both.IsWorkingDay(day("2026-06-10")) || both.IsWorkingDay(day("2026-06-09")) {
		t.Error("stacked overrides lost an earlier override or let a holiday beat a declared workday")
	}
	// Overrides are taken as WIB dates: 17:00 UTC on 8 June is 9 June in WIB.
	utc := base.WithOverrides([]time.Time{time.Date(2026, 6, 8, 17, 0, 0, 0, time.UTC)}, nil)
	if utc.IsWorkingDay(day("2026-06-09")) || !utc.IsWorkingDay(day("2026-06-08")) {
		t.Error("override date not taken in WIB")
	}
}

func TestLoadErrors(t *testing.T) {
	good := "year: 2026\nholidays:\n  - {date: \"2026-01-01\", kind: national, name: {id: Tahun Baru, en: New Year}}\n"
	for _, tc := range []struct {
		name  string
		files map[string][]byte
		want  []string // all must appear in the error
	}{
		{"malformed yaml", map[string][]byte{"holidays/2026.yaml": []byte("year: 2026\nholidays: [ {date: \n")}, []string{"holidays/2026.yaml", "parse"}},
		{"empty file", map[string][]byte{"2026.yaml": nil}, []string{"2026.yaml", "empty"}},
		{"unknown key", map[string][]byte{"2026.yaml": []byte(strings.Replace(good, "kind:", "knd:", 1))}, []string{"2026.yaml", "knd"}},
		{"bad date", map[string][]byte{"2026.yaml": []byte(strings.Replace(good, "2026-01-01", "2026-13-01", 1))}, []string{"2026.yaml", "holiday 1", "YYYY-MM-DD"}},
		{"date in other year", map[string][]byte{"2026.yaml": []byte(strings.Replace(good, "2026-01-01", "2025-01-01", 1))}, []string{"2026.yaml", "not in year 2026"}},
		{"bad kind", map[string][]byte{"2026.yaml": []byte(strings.Replace(good, "national", "regional", 1))}, []string{"2026.yaml", "regional"}},
		{"missing english name", map[string][]byte{"2026.yaml": []byte(strings.Replace(good, ", en: New Year", "", 1))}, []string{"2026.yaml", "id and en"}},
		{"missing year", map[string][]byte{"x.yaml": []byte("holidays: []\n")}, []string{"x.yaml", "year 0"}},
		{"file name disagrees", map[string][]byte{"2027.yaml": []byte(good)}, []string{"2027.yaml", "holds year 2026"}},
		{"year twice", map[string][]byte{"2026.yaml": []byte(good), "extra.yaml": []byte(good)}, []string{"extra.yaml", "already loaded from 2026.yaml"}},
		{"listed twice", map[string][]byte{"2026.yaml": []byte(good + "  - {date: \"2026-01-01\", kind: national, name: {id: Tahun Baru, en: New Year}}\n")}, []string{"2026.yaml", "listed twice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.files)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := Load(map[string][]byte{"2026.yaml": []byte(good)}); err != nil {
		t.Fatalf("the good file fails: %v", err)
	}
	if _, err := LoadFS(fstest.MapFS{"holidays/README": {Data: []byte("x")}}, "holidays"); err == nil ||
		!strings.Contains(err.Error(), "no *.yaml files in holidays") {
		t.Errorf("LoadFS on an empty dir: %v", err)
	}
}

func TestTwoHolidaysOneDate(t *testing.T) {
	c, err := Load(map[string][]byte{"2027.yaml": []byte(`year: 2027
holidays:
  - {date: "2027-12-25", kind: national, name: {id: Natal, en: Christmas}}
  - {date: "2027-12-25", kind: national, name: {id: Isra Mikraj, en: Isra Miraj}}
`)})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(c.HolidaysOn(day("2027-12-25"))); got != 2 {
		t.Fatalf("HolidaysOn = %d holidays, want 2", got)
	}
}

func BenchmarkDueWithPauses(b *testing.B) {
	c := loadReal(b)
	start := at("2026-03-02 09:00")
	pauses := []Interval{
		{From: at("2026-03-04 10:00"), To: at("2026-03-06 10:00")},
		{From: at("2026-04-07 10:00"), To: at("2026-04-09 10:00")},
	}
	for b.Loop() {
		c.Due(start, 30, pauses)
	}
}
