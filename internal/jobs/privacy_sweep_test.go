package jobs_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/jobs"
	"github.com/suara-id/suara/internal/privacy"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

// newPrivacyFixture is newFixture without a classification queue: the
// only queue client that works jobs is the test's own, with the privacy
// worker, so no other client can take (and fail) a sweep.
func newPrivacyFixture(t *testing.T) *fixture {
	t.Helper()
	tdb := pgtest.New(t)
	ctx := context.Background()
	tenanttest.Seed(t, tdb)
	res := tenant.NewResolver("localhost", tdb.App)
	if err := res.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	authz := auth.NewBundledAuthorizer(tdb.App, log)
	keys, err := cases.ParseKeyRing(config.DevIdentityKey)
	if err != nil {
		t.Fatal(err)
	}
	svc := cases.New(tdb.App, authz, cases.Options{Keys: keys, Store: &evidence.LocalStore{Root: t.TempDir()}, Limits: evidence.DefaultLimits(), Log: log})
	svc.ReceiptFloor = 0
	return &fixture{t: t, db: tdb, cases: svc, resolver: res, authz: authz, accounts: auth.NewService(tdb.App, authz, log, time.Hour, time.Hour)}
}

// The privacy job as River runs it, over the real privacy service with a
// fixed clock: a deletion request is carried out by the first sweep, well
// inside its 72 hours; a legal hold stops both the deletion and retention
// (anonymising and evidence deletion) until it is lifted; retention is per
// tenant. The sweep runs hourly, so 72 hours leave room for many retries.
func TestPrivacyJobFixedClockWithLegalHold(t *testing.T) {
	if jobs.PrivacySweepEvery*10 > privacy.DeletionDeadline {
		t.Fatalf("sweep every %v: too few tries within the %v deadline", jobs.PrivacySweepEvery, privacy.DeletionDeadline)
	}
	f := newPrivacyFixture(t)
	ctx := context.Background()
	store := evidence.LocalStore{Root: t.TempDir()}
	svc := privacy.New(f.db.App, privacy.Options{Cases: f.cases, Store: store})
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	svc.Now = func() time.Time { return now }

	reg := river.NewWorkers()
	river.AddWorker(reg, &jobs.PrivacyWorker{Privacy: svc, Log: slog.New(slog.DiscardHandler)})
	// sweep counts completed jobs: they must outlive the test.
	q, err := jobs.New(f.db.App, reg, jobs.Options{Workers: 1, Poll: 50 * time.Millisecond, Log: slog.New(slog.DiscardHandler),
		FinishedRetention: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})
	// sweep enqueues the job and waits for River to complete it.
	sweeps := 0
	sweep := func() {
		t.Helper()
		if err := q.EnqueuePrivacySweep(ctx); err != nil {
			t.Fatal(err)
		}
		sweeps++
		deadline := time.Now().Add(60 * time.Second)
		for {
			var done int
			if err := f.db.Super.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'privacy_sweep' AND state = 'completed'`).Scan(&done); err != nil {
				t.Fatal(err)
			}
			if done == sweeps {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("sweep %d not completed (%d done)", sweeps, done)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := f.db.Super.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := f.db.Super.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	worker := func(slug, name, phone string) *auth.Principal {
		t.Helper()
		tn := f.resolver.BySlug(slug)
		u, _, err := f.accounts.CreateAccount(ctx, tn, auth.NewAccount{Name: name, Phone: phone, Role: "worker", Password: "suara-demo", SkipStrengthCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		return &auth.Principal{UserID: u.ID, TenantID: tn.ID, Kind: u.Kind, Name: u.Name}
	}
	file := func(slug string, p *auth.Principal, desc string) uuid.UUID {
		t.Helper()
		out, err := f.cases.File(ctx, f.resolver.BySlug(slug), p, cases.Filing{Type: "complaint", SafetyMode: "named", Description: desc})
		if err != nil {
			t.Fatal(err)
		}
		return out.ID
	}
	closedMonthsAgo := func(id uuid.UUID, months int) {
		at := now.AddDate(0, -months, 0)
		exec("UPDATE cases SET status = 'closed', closed_at = ?, updated_at = ? WHERE id = ?", at, at, id)
	}
	putEvidence := func(tenantID, caseID uuid.UUID, content string) string {
		t.Helper()
		s := sha256.Sum256([]byte(content))
		sum := hex.EncodeToString(s[:])
		key, err := store.Put(ctx, tenantID.String(), sum, strings.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO evidence_files (tenant_id, case_id, kind, mime, size, stored_sha256,
			storage_key, display_name, uploaded_by) VALUES (?, ?, 'document', 'application/pdf', ?, ?, ?, 'bukti-1.pdf', 'reporter')`,
			tenantID, caseID, len(content), sum, key)
		return key
	}
	spn, garteks := f.resolver.BySlug("spn"), f.resolver.BySlug("garteks")

	siti := worker("spn", "Siti Rahma", "081277770001")
	budi := worker("spn", "Budi Santoso", "081277770002")
	rina := worker("spn", "Rina Wati", "081277770003")
	dewi := worker("garteks", "Dewi Lestari", "081277770004")
	sitiCase := file("spn", siti, "Upah lembur tidak dibayar penuh bulan ini.")
	budiFree := file("spn", budi, "Jadwal shift diubah tanpa pemberitahuan.")
	budiHeld := file("spn", budi, "Kasus PHK yang sedang di pengadilan hubungan industrial.")
	rinaOld := file("spn", rina, "Kasus lama yang sudah lama ditutup.")
	dewiOld := file("garteks", dewi, "Kasus lama di serikat lain tanpa aturan retensi.")
	closedMonthsAgo(budiHeld, 30)
	closedMonthsAgo(rinaOld, 25)
	closedMonthsAgo(dewiOld, 30)
	heldKey := putEvidence(spn.ID, budiHeld, "bukti persidangan")
	oldKey := putEvidence(spn.ID, rinaOld, "bukti lama")
	putEvidence(garteks.ID, dewiOld, "bukti serikat lain")

	var ref string
	if err := f.db.Super.QueryRowContext(ctx, "SELECT reference FROM cases WHERE id = ?", budiHeld).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetLegalHold(ctx, spn.ID, ref, true, "Gugatan PHI no. 12/2027"); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetSettings(ctx, spn.ID, privacy.Settings{AnonymiseClosedAfterMonths: 24, DeleteEvidenceAfterMonths: 12}); err != nil {
		t.Fatal(err)
	}
	sitiReq, err := svc.RequestDeletion(ctx, siti)
	if err != nil {
		t.Fatal(err)
	}
	budiReq, err := svc.RequestDeletion(ctx, budi)
	if err != nil {
		t.Fatal(err)
	}
	if !sitiReq.DueAt.Equal(now.Add(72 * time.Hour)) {
		t.Fatalf("due %v, want 72 hours after %v", sitiReq.DueAt, now)
	}

	// The first sweep, an hour later.
	now = now.Add(jobs.PrivacySweepEvery)
	sweep()
	anonymised := `SELECT count(*) FROM cases WHERE id = ? AND reporter_user_id IS NULL AND safety_mode = 'anonymous'`
	if count(anonymised, sitiCase) != 1 || count(anonymised, budiFree) != 1 {
		t.Error("the deletion requests' free cases are not anonymised")
	}
	if count("SELECT count(*) FROM deletion_requests WHERE id = ? AND status = 'done' AND done_at = ? AND done_at <= due_at", sitiReq.ID, now) != 1 {
		t.Error("Siti's deletion not done by the first sweep, within 72 hours")
	}
	if count("SELECT count(*) FROM users WHERE id = ? AND name <> 'Siti Rahma' AND phone <> '+6281277770001'", siti.UserID) != 1 {
		t.Error("Siti's account still names her")
	}
	// The hold stops Budi's deletion and retention of his held case.
	if count("SELECT count(*) FROM deletion_requests WHERE id = ? AND status = 'held'", budiReq.ID) != 1 {
		t.Error("Budi's request not held")
	}
	if count("SELECT count(*) FROM cases WHERE id = ? AND reporter_user_id = ? AND description <> ?", budiHeld, budi.UserID, privacy.Redacted) != 1 {
		t.Error("the held case was anonymised")
	}
	if count("SELECT count(*) FROM users WHERE id = ? AND name = 'Budi Santoso'", budi.UserID) != 1 {
		t.Error("Budi's account scrubbed while a case of his is held")
	}
	if count("SELECT count(*) FROM evidence_files WHERE case_id = ?", budiHeld) != 1 {
		t.Error("the held case's evidence was deleted")
	}
	if ok, _ := store.Exists(ctx, heldKey); !ok {
		t.Error("the held case's evidence content was deleted")
	}
	// Retention in SPN: the case closed 25 months ago is anonymised and
	// its evidence gone; Garteks set no retention, so nothing changes.
	if count("SELECT count(*) FROM cases WHERE id = ? AND safety_mode = 'anonymous' AND description = ?", rinaOld, privacy.Redacted) != 1 {
		t.Error("SPN's old closed case not anonymised by retention")
	}
	if count("SELECT count(*) FROM evidence_files WHERE case_id = ?", rinaOld) != 0 {
		t.Error("SPN's old evidence kept")
	}
	if ok, _ := store.Exists(ctx, oldKey); ok {
		t.Error("SPN's old evidence content kept")
	}
	if count("SELECT count(*) FROM cases WHERE id = ? AND reporter_user_id = ? AND description <> ?", dewiOld, dewi.UserID, privacy.Redacted) != 1 ||
		count("SELECT count(*) FROM evidence_files WHERE case_id = ?", dewiOld) != 1 {
		t.Error("Garteks, with no retention set, was changed by SPN's")
	}

	// Lifting the hold: the next sweep finishes Budi's deletion and
	// applies retention to the formerly held case.
	if err := svc.SetLegalHold(ctx, spn.ID, ref, false, ""); err != nil {
		t.Fatal(err)
	}
	now = now.Add(jobs.PrivacySweepEvery)
	sweep()
	if count("SELECT count(*) FROM deletion_requests WHERE id = ? AND status = 'done' AND done_at = ?", budiReq.ID, now) != 1 {
		t.Error("Budi's deletion not done after the hold was lifted")
	}
	if count("SELECT count(*) FROM cases WHERE id = ? AND reporter_user_id IS NULL AND description = ?", budiHeld, privacy.Redacted) != 1 {
		t.Error("the formerly held case not anonymised by retention")
	}
	if count("SELECT count(*) FROM evidence_files WHERE case_id = ?", budiHeld) != 0 {
		t.Error("the formerly held case's evidence kept")
	}
	// Aggregate counts are kept: anonymising never deletes a case.
	if count("SELECT count(*) FROM cases WHERE id IN (?, ?, ?, ?, ?)", sitiCase, budiFree, budiHeld, rinaOld, dewiOld) != 5 {
		t.Error("a case was deleted")
	}
}
