package cases_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
)

var wib = time.FixedZone("WIB", 7*3600)

// wibAt is h:00 on a WIB date.
func wibAt(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, wib) }

// endOf is the last stored instant of a WIB date: how deadlines are kept.
func endOf(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 23, 59, 59, 999999000, wib)
}

// changeStatus moves a case the way the transition code does: update the
// row, then RecordStatusChange in the same transaction.
func changeStatus(t *testing.T, f *fixture, svc *cases.Service, id uuid.UUID, to cases.Status) {
	t.Helper()
	err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		c := &cases.Case{}
		if err := tx.NewSelect().Model(c).Column("tenant_id", "id", "status", "category_id", "created_at").
			Where("id = ?", id).Scan(ctx); err != nil {
			return err
		}
		from := c.Status
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET status = ? WHERE id = ?", to, id); err != nil {
			return err
		}
		c.Status = to
		return svc.RecordStatusChange(ctx, tx, c, from, to, svc.Now())
	})
	if err != nil {
		t.Fatalf("%s → %s: %v", id, to, err)
	}
}

func storedDue(t *testing.T, f *fixture, id uuid.UUID) (first, resolution sql.NullTime) {
	t.Helper()
	err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT first_response_due, resolution_due FROM cases WHERE id = ?", id).Scan(&first, &resolution)
	})
	if err != nil {
		t.Fatal(err)
	}
	return first, resolution
}

func sameInstant(t *testing.T, what string, got sql.NullTime, want time.Time) {
	t.Helper()
	if !got.Valid || !got.Time.Equal(want) {
		t.Errorf("%s = %v (valid %v), want %v", what, got.Time.In(wib), got.Valid, want)
	}
}

// queueItem returns the case's queue item as the federation admin sees it,
// and whether the overdue filter returns it.
func queueItem(t *testing.T, svc *cases.Service, f *fixture, p *auth.Principal, id uuid.UUID) (cases.QueueItem, bool) {
	t.Helper()
	var item *cases.QueueItem
	for _, it := range mustQueue(t, svc, f, p, cases.QueueParams{}) {
		if it.ID == id {
			item = &it
		}
	}
	if item == nil {
		t.Fatalf("case %s not in the queue", id)
	}
	overdue := false
	for _, it := range mustQueue(t, svc, f, p, cases.QueueParams{Overdue: "1"}) {
		overdue = overdue || it.ID == id
	}
	if overdue != item.Overdue {
		t.Errorf("overdue filter (%v) and item flag (%v) disagree", overdue, item.Overdue)
	}
	return *item, overdue
}

// TestClocksPauseOverdueAndEscalation is acceptance 2: working days across
// a year end and a cuti bersama week, a needs_info pause and a tenant
// holiday push the deadline; the overdue flag appears once a test clock
// passes it, and past the tenant's grace the case escalates up the tree,
// one level per grace period, with an internal event each time.
func TestClocksPauseOverdueAndEscalation(t *testing.T) {
	f := setup(t)
	svc := f.service(t, keyA)
	svc.Calendar = calendar(t)
	ctx := context.Background()
	fed := staffAt(t, f, "fed@spn.example", "federation_admin", "spn")
	jabar := staffAt(t, f, "jabar@spn.example", "branch_admin", "spn/jabar")
	var upah uuid.UUID
	branch := map[string]uuid.UUID{}
	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.QueryRowContext(ctx, `UPDATE categories SET sla_first_response_days = 2, sla_resolution_days = 7
			WHERE slug = 'upah' RETURNING id`).Scan(&upah); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT path, id FROM branches")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p string
			var id uuid.UUID
			if err := rows.Scan(&p, &id); err != nil {
				return err
			}
			branch[p] = id
		}
		return rows.Err()
	}); err != nil {
		t.Fatal(err)
	}
	if f.t.Settings.EscalationGraceDays != 5 {
		t.Fatalf("spn grace is %d working days; this test assumes 5", f.t.Settings.EscalationGraceDays)
	}
	now := wibAt(2025, 12, 22, 10) // a Monday before Christmas
	svc.Now = func() time.Time { return now }
	filed := fileCase(t, svc, f, f.workers[0], cases.Filing{Title: "Upah lembur akhir tahun",
		Description: "Upah lembur bulan Desember tidak dibayar penuh oleh perusahaan.",
		WorkplaceID: workplaceID(t, f, "pt-maju-jaya-garmen"), CategoryID: upah.String()})
	id := filed.ID

	// Across the year end: 23, 24 | 25 Christmas, 26 cuti bersama, weekend |
	// 29, 30, 31 | 1 January | 2 | weekend | 5.
	first, res := storedDue(t, f, id)
	sameInstant(t, "first response due", first, endOf(2025, 12, 24))
	sameInstant(t, "resolution due", res, endOf(2026, 1, 5))

	now = wibAt(2025, 12, 24, 20)
	if it, _ := queueItem(t, svc, f, fed, id); it.Overdue || it.Due == nil || !it.Due.Equal(endOf(2025, 12, 24)) {
		t.Errorf("on the last day: %+v, want due 24 Dec and not overdue", it)
	}
	now = wibAt(2025, 12, 29, 8) // Christmas, cuti bersama and a weekend later
	if it, _ := queueItem(t, svc, f, fed, id); !it.Overdue {
		t.Errorf("first response past due but not overdue: %+v", it)
	}

	// Verified: the first response is given; the resolution clock runs.
	now = wibAt(2025, 12, 29, 9)
	changeStatus(t, f, svc, id, cases.StatusVerified)
	if it, _ := queueItem(t, svc, f, fed, id); it.Overdue || !it.Due.Equal(endOf(2026, 1, 5)) {
		t.Errorf("verified: %+v, want resolution due 5 Jan, not overdue", it)
	}

	// needs_info: the clock stops; no deadline while waiting.
	now = wibAt(2025, 12, 30, 10)
	changeStatus(t, f, svc, id, cases.StatusNeedsInfo)
	now = wibAt(2026, 1, 6, 12) // past the original deadline
	if it, _ := queueItem(t, svc, f, fed, id); it.Overdue || it.Due != nil || !it.Paused {
		t.Errorf("waiting for the reporter: %+v, want paused, no due, not overdue", it)
	}
	// The union declares 8 January a day off (a congress).
	if err := svc.SetTenantDay(ctx, f.t.ID, cases.TenantDay{Day: wibAt(2026, 1, 8, 0), Name: "Kongres serikat"}); err != nil {
		t.Fatal(err)
	}
	// The reporter answers on 7 January. Counted before the pause: 23, 24,
	// 29 (3 days). The pause touched 30 Dec to 7 Jan; 8 Jan is the tenant's
	// holiday; then 9 (4), 12 (5), 13 (6), 14 (7).
	now = wibAt(2026, 1, 7, 10)
	changeStatus(t, f, svc, id, cases.StatusInProgress)
	_, res = storedDue(t, f, id)
	sameInstant(t, "resolution due after the pause", res, endOf(2026, 1, 14))
	clocks, err := svc.Clocks(ctx, f.t.ID, fed, id)
	if err != nil {
		t.Fatal(err)
	}
	if !clocks.FirstResponse.Done || clocks.Resolution.Due == nil || !clocks.Resolution.Due.Equal(endOf(2026, 1, 14)) ||
		clocks.Resolution.ElapsedDays != 3 || clocks.Resolution.TargetDays != 7 {
		t.Errorf("clocks = %+v / %+v", clocks.FirstResponse, clocks.Resolution)
	}
	if _, err := svc.Clocks(ctx, f.t.ID, f.workers[1], id); err == nil {
		t.Error("a worker who is not the reporter read the clocks")
	}

	// A working day before the deadline the handlers are warned, once; the
	// morning after it they are told it passed, once.
	warned := func(want int) {
		t.Helper()
		r, err := svc.EscalateOverdue(ctx, f.t)
		if err != nil {
			t.Fatal(err)
		}
		if r.Warned != want {
			t.Errorf("at %v: %d deadline events, want %d", now, r.Warned, want)
		}
	}
	now = wibAt(2026, 1, 12, 10)
	warned(0) // two working days to go
	now = wibAt(2026, 1, 13, 10)
	warned(1)
	warned(0)
	now = wibAt(2026, 1, 14, 22)
	if it, _ := queueItem(t, svc, f, fed, id); it.Overdue {
		t.Errorf("on the deadline day: overdue")
	}
	now = wibAt(2026, 1, 15, 9)
	if it, _ := queueItem(t, svc, f, fed, id); !it.Overdue || it.EscalatedTo != nil {
		t.Errorf("the morning after: %+v, want overdue, not yet escalated", it)
	}
	warned(1) // passed
	warned(0)

	escalate := func(want int) {
		t.Helper()
		r, err := svc.EscalateOverdue(ctx, f.t)
		if err != nil {
			t.Fatal(err)
		}
		if r.Escalated != want {
			t.Errorf("at %v: escalated %d, want %d", now, r.Escalated, want)
		}
	}
	// Grace of 5 working days after 14 Jan: 15, (16 Isra Mikraj), 19, 20,
	// 21, 22.
	now = wibAt(2026, 1, 22, 20)
	escalate(0)
	now = wibAt(2026, 1, 23, 9)
	escalate(1)
	escalate(0) // idempotent
	it, _ := queueItem(t, svc, f, fed, id)
	if it.EscalatedTo == nil || *it.EscalatedTo != branch["spn/jabar/bekasi"] || it.EscalationLevel != 1 {
		t.Errorf("after one grace period: %+v, want escalated to spn/jabar/bekasi", it)
	}
	if got := mustQueue(t, svc, f, jabar, cases.QueueParams{Escalated: "1"}); len(got) != 1 || got[0].ID != id {
		t.Errorf("jabar admin's escalated view: %v", queueIDs(got))
	}
	// A second grace period: 23, 26, 27, 28, 29 → level 2, the province.
	now = wibAt(2026, 1, 30, 9)
	escalate(1)
	it, _ = queueItem(t, svc, f, fed, id)
	if it.EscalatedTo == nil || *it.EscalatedTo != branch["spn/jabar"] || it.EscalationLevel != 2 {
		t.Errorf("after two grace periods: %+v, want escalated to spn/jabar", it)
	}

	staffView, err := svc.Get(ctx, f.t.ID, fed, id)
	if err != nil {
		t.Fatal(err)
	}
	var escalations []string
	for _, e := range staffView.Events {
		if e.Kind == cases.EventEscalated {
			if e.Visibility != cases.VisibilityInternal {
				t.Errorf("escalation event visible to %s", e.Visibility)
			}
			escalations = append(escalations, e.Field("to_branch"))
		}
	}
	if len(escalations) != 2 || escalations[0] != "spn/jabar/bekasi" || escalations[1] != "spn/jabar" {
		t.Errorf("escalation events to %v", escalations)
	}
	reporterView, err := svc.Get(ctx, f.t.ID, f.workers[0], id)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range reporterView.Events {
		if e.Kind == cases.EventEscalated {
			t.Error("the reporter sees an escalation event")
		}
	}
	if _, err := svc.VerifyTimeline(ctx, f.t.ID, id); err != nil {
		t.Errorf("timeline after escalations: %v", err)
	}

	// A resolved case neither runs late nor escalates.
	changeStatus(t, f, svc, id, cases.StatusResolved)
	now = wibAt(2026, 3, 2, 9)
	escalate(0)
	if it, _ := queueItem(t, svc, f, fed, id); it.Overdue || it.Due != nil {
		t.Errorf("resolved: %+v", it)
	}

	// A cuti bersama week: filed Tuesday 17 March 2026; 18 cuti bersama, 19
	// Nyepi, 20 cuti bersama, weekend (Idul Fitri), 23 and 24 cuti bersama;
	// the default 3-day first response falls on 25, 26, 27.
	now = wibAt(2026, 3, 17, 10)
	lebaran := fileCase(t, svc, f, f.workers[1], cases.Filing{Title: "THR belum dibayar",
		Description: "Tunjangan hari raya belum dibayar padahal Idul Fitri sudah dekat."})
	first, _ = storedDue(t, f, lebaran.ID)
	sameInstant(t, "first response due over Idul Fitri", first, endOf(2026, 3, 27))
}

// TestBipartitePrompt: bipartite negotiation without another step for more
// than 30 working days (or recorded as failed) raises one internal
// escalation_prompt; a Disnaker registration settles it.
func TestBipartitePrompt(t *testing.T) {
	f := setup(t)
	svc := f.service(t, keyA)
	svc.Calendar = calendar(t)
	ctx := context.Background()
	now := wibAt(2026, 2, 2, 9)
	svc.Now = func() time.Time { return now }
	maju := workplaceID(t, f, "pt-maju-jaya-garmen")
	slow := fileCase(t, svc, f, f.workers[0], cases.Filing{Title: "Perundingan upah",
		Description: "Perundingan bipartit tentang upah minimum sektoral belum selesai.", WorkplaceID: maju})
	failed := fileCase(t, svc, f, f.workers[1], cases.Filing{Title: "Perundingan PHK",
		Description: "Perundingan bipartit tentang pesangon PHK sepihak gagal total.", WorkplaceID: maju})
	record := func(id uuid.UUID, in cases.ActionInput) {
		t.Helper()
		in.Visibility = cases.VisibilityInternal
		if _, err := svc.RecordAction(ctx, f.t.ID, f.officer, id, in); err != nil {
			t.Fatalf("record %s: %v", in.Kind, err)
		}
	}
	record(slow.ID, cases.ActionInput{Kind: cases.ActionBipartite, MeetingDate: "2026-02-02",
		Participants: []string{"Ketua PUK", "HRD"}, Outcome: "continued"})
	record(failed.ID, cases.ActionInput{Kind: cases.ActionBipartite, MeetingDate: "2026-02-02",
		Participants: []string{"Ketua PUK", "HRD"}, Outcome: "failed"})

	prompt := func(want int) {
		t.Helper()
		r, err := svc.EscalateOverdue(ctx, f.t)
		if err != nil {
			t.Fatal(err)
		}
		if r.Prompted != want {
			t.Errorf("at %v: %d prompts, want %d", now.In(wib), r.Prompted, want)
		}
	}
	flag := func(id uuid.UUID) bool {
		t.Helper()
		for _, it := range mustQueue(t, svc, f, f.officer, cases.QueueParams{}) {
			if it.ID == id {
				return it.EscalationPrompt
			}
		}
		t.Fatalf("case %s not in the officer's queue", id)
		return false
	}
	now = wibAt(2026, 2, 3, 9)
	prompt(1) // the failed one, at once
	if !flag(failed.ID) || flag(slow.ID) {
		t.Errorf("prompt flags: failed %v, slow %v", flag(failed.ID), flag(slow.ID))
	}
	limit := svc.Calendar.AddWorkingDays(wibAt(2026, 2, 2, 0), cases.BipartiteLimitDays)
	now = limit.Add(-time.Hour)
	prompt(0)
	now = limit.Add(time.Hour)
	prompt(1)
	prompt(0) // once per case
	if !flag(slow.ID) {
		t.Error("no prompt flag after 30 working days")
	}
	record(slow.ID, cases.ActionInput{Kind: cases.ActionDisnakerRegistration, Date: now.In(wib).Format(time.DateOnly),
		Office: "Disnaker Kabupaten Bekasi"})
	if flag(slow.ID) {
		t.Error("prompt flag still set after the Disnaker registration")
	}
}
