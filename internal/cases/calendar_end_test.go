package cases_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/cases"
)

// TestDeadlinesPastHolidayDataAreComputedAndFlagged is acceptance 4 of
// issue 25: with the clock at 2028-03-01, after the shipped holiday data
// ends, a new case still gets deadlines (weekends and fixed-date holidays
// only) and the staff view flags them as provisional; a case inside the
// data is not flagged.
func TestDeadlinesPastHolidayDataAreComputedAndFlagged(t *testing.T) {
	f := setup(t)
	svc := f.service(t, keyA)
	svc.Calendar = calendar(t)
	if end := svc.Calendar.DataEnd(); end.Year() >= 2028 {
		t.Skipf("holiday data now runs to %s; move this test's clock past it", end.Format(time.DateOnly))
	}
	fed := staffAt(t, f, "fed@spn.example", "federation_admin", "spn")
	var upah uuid.UUID
	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, `UPDATE categories SET sla_first_response_days = 2, sla_resolution_days = 7
			WHERE slug = 'upah' RETURNING id`).Scan(&upah)
	}); err != nil {
		t.Fatal(err)
	}
	wp := workplaceID(t, f, "pt-maju-jaya-garmen")
	file := func(at time.Time, title string) *cases.View {
		t.Helper()
		svc.Now = func() time.Time { return at }
		filed := fileCase(t, svc, f, f.workers[0], cases.Filing{Title: title,
			Description: "Upah bulan lalu dipotong tanpa penjelasan dari perusahaan.", WorkplaceID: wp, CategoryID: upah.String()})
		v, err := svc.Get(context.Background(), f.t.ID, fed, filed.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	// Wednesday 1 March 2028: Thu 2, Fri 3 → first response; then Mon 6 … Fri 10.
	v := file(wibAt(2028, 3, 1, 10), "Potongan upah Maret")
	first, res := storedDue(t, f, v.ID)
	sameInstant(t, "first response due", first, endOf(2028, 3, 3))
	sameInstant(t, "resolution due", res, endOf(2028, 3, 10))
	if !v.DeadlinesProvisional || v.ResolutionDue == nil {
		t.Errorf("2028 case: provisional %v resolution %v, want flagged deadlines", v.DeadlinesProvisional, v.ResolutionDue)
	}

	// Friday 28 April 2028: 1 May (Labour Day) is known for any year, so
	// two working days are Tue 2 and Wed 3 May.
	v = file(wibAt(2028, 4, 28, 10), "Potongan upah April")
	first, _ = storedDue(t, f, v.ID)
	sameInstant(t, "first response due over 1 May", first, endOf(2028, 5, 3))

	// Inside the data: not flagged.
	v = file(wibAt(2026, 3, 2, 10), "Potongan upah 2026")
	if v.DeadlinesProvisional || v.ResolutionDue == nil {
		t.Errorf("2026 case: provisional %v resolution %v", v.DeadlinesProvisional, v.ResolutionDue)
	}
}

// TestCriticalSignalAtFiling: a filing that reports a locked fire exit is
// critical from the moment it is filed (before any classification job) and
// sorts first in the queue's default order; an ordinary complaint and a
// suggestion stay normal, and a request (aspiration) that reports the
// danger is raised.
func TestCriticalSignalAtFiling(t *testing.T) {
	f := setup(t)
	svc := f.service(t, keyA)
	fed := staffAt(t, f, "fed@spn.example", "federation_admin", "spn")
	wp := workplaceID(t, f, "pt-maju-jaya-garmen")
	fire := fileCase(t, svc, f, f.workers[0], cases.Filing{Title: "Pintu darurat",
		Description: "Pintu darurat gedung jahit digembok dari luar selama shift malam.", WorkplaceID: wp})
	plain := fileCase(t, svc, f, f.workers[0], cases.Filing{Title: "Slip gaji",
		Description: "Slip gaji bulan ini belum dibagikan oleh HRD.", WorkplaceID: wp})
	idea := fileCase(t, svc, f, f.workers[0], cases.Filing{Type: "aspiration", Title: "Usul",
		Description: "Usul ada latihan evakuasi rutin untuk semua shift.", WorkplaceID: wp})
	plea := fileCase(t, svc, f, f.workers[0], cases.Filing{Type: "aspiration", Title: "Mohon",
		Description: "Mohon pintu darurat jangan digembok lagi waktu shift malam.", WorkplaceID: wp})
	items := mustQueue(t, svc, f, fed, cases.QueueParams{}) // the default order
	urg := map[uuid.UUID]string{}
	for _, it := range items {
		urg[it.ID] = it.Urgency
	}
	if urg[fire.ID] != "critical" || urg[plain.ID] != "normal" || urg[idea.ID] != "normal" || urg[plea.ID] != "critical" {
		t.Errorf("urgency fire %q plain %q suggestion %q plea %q", urg[fire.ID], urg[plain.ID], urg[idea.ID], urg[plea.ID])
	}
	if len(items) < 2 || items[0].Urgency != "critical" || items[1].Urgency != "critical" {
		t.Errorf("the critical cases are not first in the urgency-sorted queue")
	}
}
