package cases_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/cases"
)

// TestAnswerInfoRequest: the reporter's answer goes on the thread, the case
// returns to where it was and its SLA clock runs again; anyone else, or a
// case that is not waiting, writes nothing.
func TestAnswerInfoRequest(t *testing.T) {
	f := setup(t)
	h := f.handlers(t)
	svc := f.service(t, keyA)
	ctx := context.Background()
	reporter := f.workers[0]
	r := f.fileAt(t, svc, reporter)
	events := func() int {
		var n int
		if err := dbTenantScan(f, "SELECT count(*) FROM case_events WHERE case_id = ?", r.ID, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := svc.AnswerInfoRequest(ctx, f.t.ID, reporter, r.ID, "Ini slip gaji saya."); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("answer while submitted: %v, want conflict", err)
	}
	for _, tr := range []string{"verify", "start", "request_info"} {
		if _, err := svc.Transition(ctx, f.t.ID, h.officer, r.ID, cases.TransitionInput{Transition: tr, Reason: "Mohon kirim slip gaji bulan Mei."}); err != nil {
			t.Fatalf("%s: %v", tr, err)
		}
	}
	var open int
	if err := dbTenantScan(f, "SELECT count(*) FROM case_pauses WHERE case_id = ? AND ended_at IS NULL", r.ID, &open); err != nil || open != 1 {
		t.Fatalf("pause while waiting: %d %v", open, err)
	}
	before := events()
	var ve *apperr.Validation
	if _, err := svc.AnswerInfoRequest(ctx, f.t.ID, reporter, r.ID, "   "); !errors.As(err, &ve) || ve.Fields["body"] != "error.required" {
		t.Fatalf("empty answer: %v", err)
	}
	if _, err := svc.AnswerInfoRequest(ctx, f.t.ID, f.workers[1], r.ID, "Saya juga."); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("another worker: %v, want not found", err)
	}
	if _, err := svc.AnswerInfoRequest(ctx, f.t.ID, h.officer, r.ID, "Dijawab petugas."); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("officer answering: %v, want not found", err)
	}
	if n := events(); n != before {
		t.Fatalf("refused answers wrote %d events", n-before)
	}
	res, err := svc.AnswerInfoRequest(ctx, f.t.ID, reporter, r.ID, "Slip gaji Mei saya lampirkan; lembur 36 jam tidak dibayar.")
	if err != nil {
		t.Fatal(err)
	}
	if res.Result.Status != cases.StatusInProgress || res.Message == nil || res.Message.By != "reporter" {
		t.Fatalf("result %+v", res)
	}
	if n := events(); n != before+2 {
		t.Fatalf("answer wrote %d events, want 2 (message, status)", n-before)
	}
	if err := dbTenantScan(f, "SELECT count(*) FROM case_pauses WHERE case_id = ? AND ended_at IS NULL", r.ID, &open); err != nil || open != 0 {
		t.Fatalf("clock still paused after the answer: %d %v", open, err)
	}
	if _, err := svc.AnswerInfoRequest(ctx, f.t.ID, reporter, r.ID, "Sekali lagi."); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("second answer: %v, want conflict", err)
	}
	// The same account id under another union never reaches the case.
	var garteks uuid.UUID
	if err := f.db.Owner.QueryRowContext(ctx, "SELECT id FROM tenants WHERE slug = 'garteks'").Scan(&garteks); err != nil {
		t.Fatal(err)
	}
	f.setStatus(t, r.ID, cases.StatusNeedsInfo)
	other := *reporter
	other.TenantID = garteks
	if _, err := svc.AnswerInfoRequest(ctx, garteks, &other, r.ID, "Dari serikat lain."); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("answer through another tenant: %v, want not found", err)
	}
}

func dbTenantScan(f *fixture, q string, arg, dst any) error {
	return dbTenant(f, func(ctx context.Context, tx bun.Tx) error { return tx.QueryRowContext(ctx, q, arg).Scan(dst) })
}

// TestWaitingOnReporter: the home page's "waiting on you" marks.
func TestWaitingOnReporter(t *testing.T) {
	f := setup(t)
	svc := f.service(t, keyA)
	ctx := context.Background()
	reporter := f.workers[0]
	info, checkin, rating, quiet := f.fileAt(t, svc, reporter), f.fileAt(t, svc, reporter), f.fileAt(t, svc, reporter), f.fileAt(t, svc, reporter)
	f.setStatus(t, info.ID, cases.StatusNeedsInfo)
	f.setStatus(t, checkin.ID, cases.StatusClosed)
	f.setStatus(t, rating.ID, cases.StatusResolved)
	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO case_checkins (tenant_id, case_id, n, due_at) VALUES (?, ?, 1, now())`, f.t.ID, checkin.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := svc.AskCheckin(ctx, f.t.ID, checkin.ID, 1); err != nil {
		t.Fatal(err)
	}
	list, _, err := svc.ListMine(ctx, f.t.ID, reporter, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := svc.WaitingOnReporter(ctx, f.t.ID, list)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uuid.UUID]string{info.ID: cases.WaitingInfo, checkin.ID: cases.WaitingCheckin, rating.ID: cases.WaitingRating, quiet.ID: ""}
	for _, m := range mine {
		if w, ok := want[m.ID]; ok && m.Waiting != w {
			t.Errorf("%s (%s): waiting %q, want %q", m.Reference, m.Status, m.Waiting, w)
		}
	}
}
