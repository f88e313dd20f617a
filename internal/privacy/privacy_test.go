package privacy_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/privacy"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

const testKeys = "a:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="

type fixture struct {
	db      *pgtest.DB
	t       *tenant.Tenant
	cases   *cases.Service
	store   evidence.LocalStore
	svc     *privacy.Service
	workers []*auth.Principal
	now     time.Time
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	tdb := pgtest.New(t)
	tenanttest.Seed(t, tdb)
	log := slog.New(slog.DiscardHandler)
	authz := auth.NewBundledAuthorizer(tdb.App, log)
	accounts := auth.NewService(tdb.App, authz, log, time.Hour, time.Hour)
	res := tenant.NewResolver("localhost", tdb.App)
	if err := res.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	kr, err := cases.ParseKeyRing(testKeys)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: tdb, t: res.BySlug("spn"), store: evidence.LocalStore{Root: t.TempDir()},
		now: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)}
	f.cases = cases.New(tdb.App, authz, cases.Options{Keys: kr, Store: f.store, Limits: evidence.DefaultLimits(), MaxFiles: 5})
	f.cases.ReceiptFloor = 0
	f.cases.TmpDir = t.TempDir()
	f.svc = privacy.New(tdb.App, privacy.Options{Cases: f.cases, Store: f.store})
	f.svc.Now = func() time.Time { return f.now }
	for _, a := range []auth.NewAccount{
		{Name: "Siti Rahma", Phone: "081200000001", Role: "worker"},
		{Name: "Budi", Phone: "081200000002", Role: "worker"},
	} {
		a.Password, a.SkipStrengthCheck = "suara-demo", true
		u, _, err := accounts.CreateAccount(ctx, f.t, a)
		if err != nil {
			t.Fatal(err)
		}
		f.workers = append(f.workers, &auth.Principal{UserID: u.ID, TenantID: f.t.ID, Kind: u.Kind, Name: u.Name})
	}
	return f
}

func (f *fixture) file(t *testing.T, p *auth.Principal, mode, desc string) uuid.UUID {
	t.Helper()
	out, err := f.cases.File(context.Background(), f.t, p, cases.Filing{Type: "complaint", SafetyMode: mode, Description: desc})
	if err != nil {
		t.Fatalf("file: %v", err)
	}
	return out.ID
}

func (f *fixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := f.db.Super.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Super.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestExportHasProfileAndOwnCasesOnly(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	siti, budi := f.workers[0], f.workers[1]
	named := f.file(t, siti, "named", "Upah lembur tidak dibayar penuh bulan ini.")
	conf := f.file(t, siti, "confidential", "Kontrak diperpanjang terus tanpa kejelasan.")
	f.file(t, budi, "named", "Kasus milik orang lain, bukan Siti.")
	if _, err := f.cases.AddMessage(ctx, f.t.ID, siti, named, "Pesan dari <b>Siti</b>"); err != nil {
		t.Fatal(err)
	}
	exp, err := f.svc.Export(ctx, siti)
	if err != nil {
		t.Fatal(err)
	}
	if exp.Profile.Name != "Siti Rahma" || exp.Profile.Phone != "+6281200000001" {
		t.Errorf("profile %+v", exp.Profile)
	}
	got := map[uuid.UUID]bool{}
	for _, v := range exp.Cases {
		got[v.ID] = true
	}
	if len(exp.Cases) != 2 || !got[named] || !got[conf] {
		t.Fatalf("exported cases %v, want %s and %s", got, named, conf)
	}
	if _, err := f.svc.Export(ctx, nil); !errors.Is(err, apperr.ErrUnauthorized) {
		t.Errorf("anonymous export: %v", err)
	}
}

func TestDeletionAnonymisesKeepsCountsAndRespectsLegalHold(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	siti := f.workers[0]
	named := f.file(t, siti, "named", "Upah lembur tidak dibayar penuh bulan ini.")
	conf := f.file(t, siti, "confidential", "Kontrak diperpanjang terus tanpa kejelasan.")
	held := f.file(t, siti, "named", "Kasus di pengadilan hubungan industrial.")
	other := f.file(t, f.workers[1], "named", "Kasus Budi yang tidak boleh tersentuh.")
	total := f.count(t, "SELECT count(*) FROM cases")

	if err := f.svc.SetLegalHold(ctx, f.t.ID, "no-such-ref", true, "PHI"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("hold on unknown case: %v", err)
	}
	var ref string
	if err := f.db.Super.QueryRowContext(ctx, "SELECT reference FROM cases WHERE id = ?", held).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetLegalHold(ctx, f.t.ID, ref, true, ""); err == nil {
		t.Fatal("a hold without a reason was accepted")
	}
	if err := f.svc.SetLegalHold(ctx, f.t.ID, ref, true, "Gugatan PHI no. 12/2027"); err != nil {
		t.Fatal(err)
	}

	r1, err := f.svc.RequestDeletion(ctx, siti)
	if err != nil {
		t.Fatal(err)
	}
	if !r1.DueAt.Equal(f.now.Add(72*time.Hour)) || r1.Status != privacy.StatusPending {
		t.Fatalf("request %+v", r1)
	}
	// Asking twice gives the same open request.
	r2, err := f.svc.RequestDeletion(ctx, siti)
	if err != nil || r2.ID != r1.ID {
		t.Fatalf("second request: %v %v vs %v", err, r2, r1.ID)
	}
	staff := &auth.Principal{UserID: uuid.New(), TenantID: f.t.ID, Kind: "staff"}
	if _, err := f.svc.RequestDeletion(ctx, staff); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("staff deletion request: %v", err)
	}

	f.now = f.now.Add(time.Hour)
	done, err := f.svc.ProcessDeletions(ctx, f.t.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done != 0 {
		t.Fatalf("completed %d requests while a case is held", done)
	}
	// The free cases are anonymous now; the held one is untouched.
	for _, id := range []uuid.UUID{named, conf} {
		if n := f.count(t, `SELECT count(*) FROM cases WHERE id = ? AND safety_mode = 'anonymous' AND reporter_user_id IS NULL
			AND reporter_lookup IS NULL AND EXISTS (SELECT 1 FROM case_privacy p WHERE p.case_id = cases.id AND p.anonymised_at IS NOT NULL)`, id); n != 1 {
			t.Errorf("case %s not anonymised", id)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM case_identities WHERE case_id = ?", conf); n != 0 {
		t.Error("confidential identity kept")
	}
	if n := f.count(t, "SELECT count(*) FROM cases WHERE id = ? AND reporter_user_id = ?", held, siti.UserID); n != 1 {
		t.Error("a held case was anonymised")
	}
	if n := f.count(t, "SELECT count(*) FROM users WHERE id = ? AND name = 'Siti Rahma'", siti.UserID); n != 1 {
		t.Error("account scrubbed while a case of theirs is held")
	}
	if n := f.count(t, "SELECT count(*) FROM deletion_requests WHERE id = ? AND status = 'held' AND cases_anonymised = 2", r1.ID); n != 1 {
		t.Error("request not marked held with 2 cases")
	}
	if n := f.count(t, "SELECT count(*) FROM auth_tokens WHERE user_id = ?", siti.UserID); n != 0 {
		t.Error("sessions survive a deletion request")
	}

	// Lifting the hold lets the next run finish the job.
	if err := f.svc.SetLegalHold(ctx, f.t.ID, ref, false, ""); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	if done, err = f.svc.ProcessDeletions(ctx, f.t.ID); err != nil || done != 1 {
		t.Fatalf("second run: %d %v", done, err)
	}
	if n := f.count(t, `SELECT count(*) FROM users WHERE id = ? AND name = 'Dihapus' AND disabled_at IS NOT NULL
		AND phone LIKE '+62800%' AND member_number = '' AND password_hash = '!'`, siti.UserID); n != 1 {
		t.Error("account not scrubbed")
	}
	if n := f.count(t, "SELECT count(*) FROM users WHERE phone = '+6281200000001' OR name LIKE '%Siti%'"); n != 0 {
		t.Error("the worker's name or phone survives")
	}
	if n := f.count(t, "SELECT count(*) FROM deletion_requests WHERE id = ? AND status = 'done' AND done_at = ? AND done_at <= due_at", r1.ID, f.now); n != 1 {
		t.Error("request not done within its deadline")
	}
	// Aggregate counts are kept; another worker's case is untouched.
	if n := f.count(t, "SELECT count(*) FROM cases"); n != total {
		t.Errorf("cases %d, want %d", n, total)
	}
	if n := f.count(t, "SELECT count(*) FROM cases WHERE id = ? AND safety_mode = 'named'", other); n != 1 {
		t.Error("another worker's case changed")
	}
	// The timeline still verifies: anonymising never touches events.
	if _, err := f.cases.VerifyTimeline(ctx, f.t.ID, named); err != nil {
		t.Errorf("timeline after anonymising: %v", err)
	}
}

func TestRetentionWithFixedClockAndLegalHold(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	siti := f.workers[0]
	old := f.file(t, siti, "named", "Kasus lama yang sudah ditutup lama sekali.")
	heldOld := f.file(t, siti, "confidential", "Kasus lama yang masih di pengadilan.")
	recent := f.file(t, siti, "named", "Kasus yang baru saja ditutup bulan lalu.")
	open := f.file(t, siti, "named", "Kasus yang masih berjalan sekarang ini.")
	closeAt := func(id uuid.UUID, at time.Time) {
		f.exec(t, "UPDATE cases SET status = 'closed', closed_at = ?, updated_at = ? WHERE id = ?", at, at, id)
	}
	closeAt(old, f.now.AddDate(0, -25, 0))
	closeAt(heldOld, f.now.AddDate(0, -30, 0))
	closeAt(recent, f.now.AddDate(0, -1, 0))
	f.exec(t, "INSERT INTO case_holds (tenant_id, case_id, reason, held_at) VALUES (?, ?, 'PHI', now())", f.t.ID, heldOld)
	// One evidence file per case, sharing content between the old and the
	// held case: the shared content must stay for the held one.
	shared := f.putEvidence(t, old, "shared content")
	f.putEvidence(t, heldOld, "shared content")
	own := f.putEvidence(t, recent, "recent content")
	f.putEvidence(t, open, "open content")

	// Nothing happens without settings.
	if rep, err := f.svc.ApplyRetention(ctx, f.t.ID); err != nil || rep != (privacy.RetentionReport{}) {
		t.Fatalf("retention without settings: %+v %v", rep, err)
	}
	if err := f.svc.SetSettings(ctx, f.t.ID, privacy.Settings{AnonymiseClosedAfterMonths: -1}); err == nil {
		t.Fatal("negative months accepted")
	}
	if err := f.svc.SetSettings(ctx, f.t.ID, privacy.Settings{AnonymiseClosedAfterMonths: 24, DeleteEvidenceAfterMonths: 12}); err != nil {
		t.Fatal(err)
	}
	rep, err := f.svc.ApplyRetention(ctx, f.t.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.CasesAnonymised != 1 || rep.EvidenceDeleted != 1 || rep.SkippedLegalHold != 1 {
		t.Fatalf("report %+v", rep)
	}
	if n := f.count(t, "SELECT count(*) FROM cases WHERE id = ? AND safety_mode = 'anonymous' AND title = ? AND description = ?",
		old, privacy.Redacted, privacy.Redacted); n != 1 {
		t.Error("old closed case not anonymised and redacted")
	}
	if n := f.count(t, "SELECT count(*) FROM cases WHERE id = ? AND safety_mode = 'confidential' AND description <> ?", heldOld, privacy.Redacted); n != 1 {
		t.Error("held case anonymised")
	}
	if n := f.count(t, "SELECT count(*) FROM case_identities WHERE case_id = ?", heldOld); n != 1 {
		t.Error("held case lost its identity")
	}
	if n := f.count(t, "SELECT count(*) FROM cases WHERE id IN (?, ?) AND safety_mode = 'named' AND description <> ?", recent, open, privacy.Redacted); n != 2 {
		t.Error("recent or open case anonymised")
	}
	if n := f.count(t, "SELECT count(*) FROM evidence_files WHERE case_id = ?", old); n != 0 {
		t.Error("old evidence kept")
	}
	if n := f.count(t, "SELECT count(*) FROM evidence_files WHERE case_id IN (?, ?, ?)", heldOld, recent, open); n != 3 {
		t.Error("evidence of held, recent or open cases deleted")
	}
	if ok, _ := f.store.Exists(ctx, shared); !ok {
		t.Error("content still used by the held case was deleted")
	}
	if ok, _ := f.store.Exists(ctx, own); !ok {
		t.Error("recent evidence content deleted")
	}
	// Idempotent: a second run changes nothing.
	if rep, err := f.svc.ApplyRetention(ctx, f.t.ID); err != nil || rep.CasesAnonymised != 0 || rep.EvidenceDeleted != 0 {
		t.Fatalf("second run: %+v %v", rep, err)
	}
	// A year later the recent case's evidence goes, content and all.
	f.now = f.now.AddDate(1, 0, 0)
	if rep, err = f.svc.ApplyRetention(ctx, f.t.ID); err != nil || rep.EvidenceDeleted != 1 {
		t.Fatalf("a year later: %+v %v", rep, err)
	}
	if ok, _ := f.store.Exists(ctx, own); ok {
		t.Error("unreferenced content kept on disk")
	}
	// Sweep covers every tenant without error.
	if _, err := f.svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
}

// putEvidence stores content and records it for the case, returning the key.
func (f *fixture) putEvidence(t *testing.T, caseID uuid.UUID, content string) string {
	t.Helper()
	sum := sha256hex(content)
	key, err := f.store.Put(context.Background(), f.t.ID.String(), sum, strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	f.exec(t, `INSERT INTO evidence_files (tenant_id, case_id, kind, mime, size, stored_sha256,
		storage_key, display_name, uploaded_by) VALUES (?, ?, 'document', 'application/pdf', ?, ?, ?, 'bukti-1.pdf', 'reporter')`,
		f.t.ID, caseID, len(content), sum, key)
	return key
}

func sha256hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
