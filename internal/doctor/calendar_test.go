package doctor_test

import (
	"strings"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/doctor"
	"github.com/suara-id/suara/internal/workday"
)

func TestDoctorCalendarWarnsNinetyDaysBeforeDataEnds(t *testing.T) {
	cal, err := workday.Load(map[string][]byte{"2027.yaml": []byte(`year: 2027
holidays:
  - {date: "2027-01-01", kind: national, name: {id: "Tahun Baru", en: "New Year"}}
`)})
	if err != nil {
		t.Fatal(err)
	}
	wib := cal.Location()
	if r := doctor.CalendarResult(cal, time.Date(2027, 9, 1, 12, 0, 0, 0, wib)); r.Status != doctor.OK {
		t.Errorf("1 Sep 2027 (121 days left): %v %s", r.Status, r.Detail)
	}
	r := doctor.CalendarResult(cal, time.Date(2027, 10, 15, 12, 0, 0, 0, wib))
	if r.Status != doctor.Warn || !strings.Contains(r.Detail, "2027-12-31") || !strings.Contains(r.Fix, "2028.yaml") {
		t.Errorf("15 Oct 2027 (78 days left): %v %q fix %q", r.Status, r.Detail, r.Fix)
	}
	r = doctor.CalendarResult(cal, time.Date(2028, 3, 1, 12, 0, 0, 0, wib))
	if r.Status != doctor.Warn || !strings.Contains(r.Detail, "ended") {
		t.Errorf("1 Mar 2028 (past the end): %v %q", r.Status, r.Detail)
	}
	var out strings.Builder
	doctor.Print(&out, []doctor.Result{r})
	if !strings.Contains(out.String(), "holiday calendar") || !strings.Contains(out.String(), "warn") {
		t.Errorf("printed:\n%s", out.String())
	}
}
