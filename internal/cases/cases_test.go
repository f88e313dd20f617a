package cases_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

const (
	keyA = "a:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=" // 32 × 'A'
	keyB = "b:" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=" // 32 × 'B'
)

type fixture struct {
	db      *pgtest.DB
	authz   *auth.Authorizer
	t       *tenant.Tenant
	workers []*auth.Principal
	officer *auth.Principal
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	tdb := pgtest.New(t)
	tenanttest.Seed(t, tdb)
	log := slog.New(slog.DiscardHandler)
	authz := auth.NewBundledAuthorizer(tdb.App, log)
	accounts := auth.NewService(tdb.App, authz, log, 3600e9, 3600e9)
	res := tenant.NewResolver("localhost", tdb.App)
	if err := res.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: tdb, authz: authz, t: res.BySlug("spn")}
	for _, a := range []auth.NewAccount{
		{Name: "Siti", Phone: "081200000001", Role: "worker"},
		{Name: "Budi", Phone: "081200000002", Role: "worker"},
		{Name: "Petugas", Email: "officer@spn.example", Role: "case_officer", BranchPath: "spn/jabar/bekasi/puk-maju-jaya"},
	} {
		a.Password, a.SkipStrengthCheck = "suara-demo", true
		u, _, err := accounts.CreateAccount(ctx, f.t, a)
		if err != nil {
			t.Fatal(err)
		}
		p := &auth.Principal{UserID: u.ID, TenantID: f.t.ID, Kind: u.Kind, Name: u.Name}
		if u.Kind == "staff" {
			f.officer = p
		} else {
			f.workers = append(f.workers, p)
		}
	}
	return f
}

func (f *fixture) service(t *testing.T, keys string) *cases.Service {
	t.Helper()
	kr, err := cases.ParseKeyRing(keys)
	if err != nil {
		t.Fatal(err)
	}
	svc := cases.New(f.db.App, f.authz, cases.Options{Keys: kr, Store: evidence.LocalStore{Root: t.TempDir()},
		Limits: evidence.DefaultLimits(), MaxFiles: 3})
	svc.ReceiptFloor = 0
	svc.TmpDir = t.TempDir()
	return svc
}

func TestParseKeyRing(t *testing.T) {
	for _, bad := range []string{"", "nokey", "a:notbase64!", "a:QUJD", keyA + "," + keyA} {
		if _, err := cases.ParseKeyRing(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := cases.ParseKeyRing(keyB + ", " + keyA); err != nil {
		t.Fatal(err)
	}
}

func TestNormaliseReceipt(t *testing.T) {
	for in, want := range map[string]string{
		"1234567890123456":     "1234567890123456",
		"1234-5678-9012-3456":  "1234567890123456",
		" 1234 5678 9012 3456": "1234567890123456",
		"123456789012345":      "",
		"12345678901234567":    "",
		"123456789012345a":     "",
		"١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦":     "", // Arabic-Indic digits are not ASCII digits
	} {
		got, ok := cases.NormaliseReceipt(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormaliseReceipt(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestDeriveTitle(t *testing.T) {
	if got := cases.DeriveTitle("Upah dipotong. Mandor marah."); got != "Upah dipotong" {
		t.Errorf("first sentence: %q", got)
	}
	long := strings.Repeat("lembur ", 30)
	got := cases.DeriveTitle(long)
	if len([]rune(got)) > 81 || !strings.HasSuffix(got, "…") || strings.Contains(got, "lembur l…") {
		t.Errorf("long title %q", got)
	}
}

func TestDeclaredKind(t *testing.T) {
	for _, c := range []struct {
		name, mime string
		want       evidence.Kind
	}{
		{"a.pdf", "application/pdf", evidence.KindDocument},
		{"a.pdf", "", evidence.KindDocument},
		{"a.jpg", "application/octet-stream", evidence.KindPhoto},
		{"rekaman", "video/mp4", evidence.KindVideo},
		{"a.bin", "", ""},
		{"", "", ""},
		{"catatan.m4a", "audio/mp4; codecs=mp4a", evidence.KindAudio},
	} {
		if got := cases.DeclaredKind(c.name, c.mime); got != c.want {
			t.Errorf("DeclaredKind(%q, %q) = %q, want %q", c.name, c.mime, got, c.want)
		}
	}
}

// TestFilingAndKeyRotation files in all three modes under key a, then reads
// back under the ring "b,a" (rotated) and refuses under "b" alone.
func TestFilingAndKeyRotation(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	w := f.workers[0]
	named, err := svc.File(ctx, f.t, w, cases.Filing{Type: "complaint", Description: "Upah lembur tidak dibayar penuh."})
	if err != nil {
		t.Fatal(err)
	}
	var wp string
	_ = dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM workplaces WHERE slug = 'pt-maju-jaya-garmen'").Scan(&wp)
	})
	conf, err := svc.File(ctx, f.t, w, cases.Filing{Type: "complaint", SafetyMode: "confidential", WorkplaceID: wp,
		Description: "Kontrak terus diperpanjang tanpa kejelasan."})
	if err != nil {
		t.Fatal(err)
	}
	anon, err := svc.File(ctx, f.t, nil, cases.Filing{Type: "aspiration", Description: "Usul ruang laktasi di pabrik kami."})
	if err != nil || len(anon.ReceiptCode) != 16 {
		t.Fatalf("anonymous: %v %v", anon, err)
	}
	if named.Reference == conf.Reference || !strings.HasPrefix(named.Reference, "SPN-") {
		t.Fatalf("references %s %s", named.Reference, conf.Reference)
	}
	// Named and confidential modes without an account are refused.
	var ve *apperr.Validation
	if _, err := svc.File(ctx, f.t, nil, cases.Filing{Type: "complaint", SafetyMode: "named", Description: "Sesuatu yang cukup panjang."}); !errors.As(err, &ve) {
		t.Fatalf("named without account: %v", err)
	}

	rotated := f.service(t, keyB+","+keyA)
	if v, err := rotated.ByReceipt(ctx, f.t.ID, session(t, rotated, f.t.ID, anon.ReceiptCode)); err != nil || v.ID != anon.ID {
		t.Fatalf("receipt after rotation: %v", err)
	}
	mine, _, err := rotated.ListMine(ctx, f.t.ID, w, "", 10)
	if err != nil || len(mine) != 2 {
		t.Fatalf("my cases after rotation: %d %v", len(mine), err)
	}
	setAssigned(t, f, conf.ID, f.officer.UserID)
	v, err := rotated.Get(ctx, f.t.ID, f.officer, conf.ID)
	if err != nil || v.Reporter == nil || v.Reporter.Name != "Siti" {
		t.Fatalf("assigned officer after rotation: %+v %v", v, err)
	}
	// New filings use the new first key; the old key alone cannot read them.
	anon2, err := rotated.File(ctx, f.t, nil, cases.Filing{Type: "complaint", Description: "Toilet rusak sejak sebulan."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.OpenReceiptSession(ctx, f.t.ID, anon2.ReceiptCode); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("old ring found a new receipt: %v", err)
	}
	onlyB := f.service(t, keyB)
	if _, err := onlyB.OpenReceiptSession(ctx, f.t.ID, anon.ReceiptCode); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("ring without key a found an old receipt: %v", err)
	}
	if _, err := onlyB.Get(ctx, f.t.ID, f.officer, conf.ID); err == nil {
		t.Fatal("identity decrypted without its key")
	}
	// The other worker sees none of it.
	if _, err := svc.Get(ctx, f.t.ID, f.workers[1], named.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("other worker: %v", err)
	}
	// Every timeline verifies.
	for _, id := range []uuid.UUID{named.ID, conf.ID, anon.ID} {
		if at, err := svc.VerifyTimeline(ctx, f.t.ID, id); at != -1 || err != nil {
			t.Fatalf("chain of %s broken at %d: %v", id, at, err)
		}
	}
}

func setAssigned(t *testing.T, f *fixture, caseID, userID uuid.UUID) {
	t.Helper()
	err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE cases SET assigned_to = ? WHERE id = ?", userID, caseID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func dbTenant(f *fixture, fn func(ctx context.Context, tx bun.Tx) error) error {
	return f.db.Owner.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT set_config('app.tenant_id', ?, true)", f.t.ID.String()); err != nil {
			return err
		}
		return fn(ctx, tx)
	})
}

// TestTimelineAppendOnly: the app role cannot rewrite or delete events, and
// messages keep the chain intact.
func TestTimelineAppendOnly(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	anon, err := svc.File(ctx, f.t, nil, cases.Filing{Type: "complaint", Description: "Air minum kotor di kantin."})
	if err != nil {
		t.Fatal(err)
	}
	tok := session(t, svc, f.t.ID, anon.ReceiptCode)
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := svc.AddMessageByReceipt(ctx, f.t.ID, tok, "pesan "+string(rune('a'+i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if at, err := svc.VerifyTimeline(ctx, f.t.ID, anon.ID); at != -1 || err != nil {
		t.Fatalf("chain after concurrent messages: %d %v", at, err)
	}
	for _, q := range []string{"UPDATE case_events SET payload = '{}'", "DELETE FROM case_events"} {
		_, err := f.db.App.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s as the app role: %v", q, err)
		}
	}
}

// TestOnFiledRunsInTransaction: a failing hook leaves no case behind.
func TestOnFiledRunsInTransaction(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	var seen *cases.Case
	svc.OnFiled = func(ctx context.Context, tx bun.Tx, c *cases.Case) error {
		seen = c
		return errors.New("queue down")
	}
	if _, err := svc.File(ctx, f.t, nil, cases.Filing{Type: "complaint", Description: "Gaji telat dua minggu."}); err == nil {
		t.Fatal("filing succeeded with a failing hook")
	}
	var n int
	_ = dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM cases WHERE id = ?", seen.ID).Scan(&n)
	})
	if seen == nil || n != 0 {
		t.Fatalf("hook saw %v; %d rows left", seen, n)
	}
}

// TestPaginationHintsSupport covers my-cases cursors, duplicate hints and
// "add my voice".
func TestPaginationHintsSupport(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	var wp string
	_ = dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM workplaces WHERE slug = 'pt-maju-jaya-garmen'").Scan(&wp)
	})
	w0, w1 := f.workers[0], f.workers[1]
	var first *cases.Filed
	for i := range 5 {
		out, err := svc.File(ctx, f.t, w0, cases.Filing{Type: "complaint", WorkplaceID: wp, Collective: true,
			Description: "Upah lembur bagian sewing tidak dibayar sesuai jam kerja " + strings.Repeat("!", i)})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = out
		}
	}
	seen := map[uuid.UUID]bool{}
	cursor := ""
	for page := 0; ; page++ {
		list, next, err := svc.ListMine(ctx, f.t.ID, w0, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			if seen[c.ID] {
				t.Fatalf("case %s on two pages", c.ID)
			}
			seen[c.ID] = true
		}
		if next == "" {
			break
		}
		cursor = next
		if page > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seen) != 5 {
		t.Fatalf("paged through %d cases, want 5", len(seen))
	}
	if _, _, err := svc.ListMine(ctx, f.t.ID, w0, "garbage", 2); err == nil {
		t.Fatal("bad cursor accepted")
	}
	wid := uuid.MustParse(wp)
	hints, err := svc.DuplicateHints(ctx, f.t.ID, w1, wid, "Upah lembur kami di sewing tidak dibayar")
	if err != nil || len(hints) == 0 {
		t.Fatalf("hints: %v %v", hints, err)
	}
	if h, _ := svc.DuplicateHints(ctx, f.t.ID, w1, wid, "Kantin menyajikan makanan basi setiap hari"); len(h) != 0 {
		t.Fatalf("unrelated text hinted: %v", h)
	}
	if _, err := svc.DuplicateHints(ctx, f.t.ID, nil, wid, "Upah lembur kami di sewing tidak dibayar"); !errors.Is(err, apperr.ErrUnauthorized) {
		t.Fatalf("anonymous hints: %v", err)
	}
	for range 3 {
		n, err := svc.Support(ctx, f.t.ID, w1, hints[0].ID)
		if err != nil || n != 1 {
			t.Fatalf("support: %d %v", n, err)
		}
	}
	anon, err := svc.File(ctx, f.t, nil, cases.Filing{Type: "complaint", Description: "Sama, lembur tidak dibayar."})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := svc.SupportByReceipt(ctx, f.t.ID, session(t, svc, f.t.ID, anon.ReceiptCode), hints[0].ID); err != nil || n != 2 {
		t.Fatalf("support by receipt: %d %v", n, err)
	}
	if n, _ := svc.SupportByReceipt(ctx, f.t.ID, session(t, svc, f.t.ID, anon.ReceiptCode), hints[0].ID); n != 2 {
		t.Fatalf("second support by the same receipt counted: %d", n)
	}
}

// TestEvidenceLimitRace: concurrent uploads never exceed the maximum.
func TestEvidenceLimitRace(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	out, err := svc.File(ctx, f.t, f.workers[0], cases.Filing{Type: "complaint", Description: "Dokumen slip gaji yang salah hitung."})
	if err != nil {
		t.Fatal(err)
	}
	pdf := "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, full := 0, 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := pdf + strings.Repeat(" ", i) // distinct content
			_, err := svc.AddEvidence(ctx, f.t.ID, f.workers[0], out.ID, "slip.pdf", "application/pdf", io.Reader(strings.NewReader(body)))
			mu.Lock()
			defer mu.Unlock()
			var tm *cases.TooManyFilesError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &tm):
				full++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 3 || full != 5 {
		t.Fatalf("%d stored, %d refused; want 3 and 5", ok, full)
	}
}

// session exchanges a receipt code for a receipt session token.
func session(t *testing.T, svc *cases.Service, tenantID uuid.UUID, code string) string {
	t.Helper()
	sess, err := svc.OpenReceiptSession(context.Background(), tenantID, code)
	if err != nil {
		t.Fatalf("receipt session: %v", err)
	}
	return sess.Token
}
