package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// A suspended union's due jobs do nothing while it is suspended (its case
// is not classified, its reporter is not asked the check-in question) and
// run once it is resumed; another union's jobs go on meanwhile.
func TestSuspendedUnionJobsWaitForResume(t *testing.T) {
	f := newFixture(t, "", 0, 2)
	ctx := context.Background()
	spn := f.resolver.BySlug("spn")
	if err := tenant.SetSuspended(ctx, f.db.App, spn.ID, true); err != nil {
		t.Fatal(err)
	}
	held := f.file("spn", "Upah kami dibayar di bawah upah minimum dan lembur tidak dibayar sejak Januari.")
	// A check-in falls due now for the same case.
	if _, err := f.db.Super.ExecContext(ctx, `INSERT INTO case_checkins (tenant_id, case_id, n, due_at) VALUES (?, ?, 1, now())`,
		spn.ID, held); err != nil {
		t.Fatal(err)
	}
	if err := db.InTenantTx(ctx, f.db.App, spn.ID, func(ctx context.Context, tx bun.Tx) error {
		return f.queue.ScheduleCheckinTx(ctx, tx, spn.ID, held, 1, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	// Another union's case is classified meanwhile: the workers are busy.
	f.waitSuggestion(f.file("garteks", "Upah lembur tidak dibayar penuh sejak bulan lalu di pabrik kami."), 20*time.Second)

	// Give the held jobs many turns (each looks again every 100 ms).
	time.Sleep(time.Second)
	var suggestions, asked, snoozes int
	q := func(sql string, dest *int, args ...any) {
		t.Helper()
		if err := f.db.Super.QueryRowContext(ctx, sql, args...).Scan(dest); err != nil {
			t.Fatal(err)
		}
	}
	q("SELECT count(*) FROM case_suggestions WHERE case_id = ?", &suggestions, held)
	q("SELECT count(*) FROM case_checkins WHERE case_id = ? AND asked_at IS NOT NULL", &asked, held)
	q(`SELECT coalesce(min((metadata->>'snoozes')::int), 0) FROM river_job WHERE args->>'case_id' = ?`, &snoozes, held.String())
	if suggestions != 0 || asked != 0 {
		t.Fatalf("while suspended: %d suggestion(s), %d check-in(s) asked; want none", suggestions, asked)
	}
	if snoozes == 0 {
		t.Fatal("the held jobs were never looked at (no snooze recorded): the test proves nothing")
	}

	if err := tenant.SetSuspended(ctx, f.db.App, spn.ID, false); err != nil {
		t.Fatal(err)
	}
	f.waitSuggestion(held, 20*time.Second)
	for end := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		q("SELECT count(*) FROM case_checkins WHERE case_id = ? AND asked_at IS NOT NULL", &asked, held)
		if asked == 1 {
			break
		}
		if time.Now().After(end) {
			t.Fatal("the check-in was not asked after the union was resumed")
		}
	}
}
