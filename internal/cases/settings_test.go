package cases_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/tenant"
)

// otherAdmin creates a federation admin of another union (garteks).
func (f *fixture) otherAdmin(t *testing.T) (*tenant.Tenant, *auth.Principal) {
	t.Helper()
	ctx := context.Background()
	res := tenant.NewResolver("localhost", f.db.App)
	if err := res.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	g := res.BySlug("garteks")
	accounts := auth.NewService(f.db.App, f.authz, slog.New(slog.DiscardHandler), 3600e9, 3600e9)
	u, _, err := accounts.CreateAccount(ctx, g, auth.NewAccount{Name: "Admin Garteks", Email: "admin@garteks.example",
		Role: "federation_admin", Password: "suara-demo", SkipStrengthCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	return g, &auth.Principal{UserID: u.ID, TenantID: g.ID, Kind: u.Kind, Name: u.Name}
}

func (f *fixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, sql, args...).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCannedRepliesAddDelete: only the union's federation admin adds and
// deletes canned replies, each change is in the admin log, and another
// union's admin cannot reach this union's replies.
func TestCannedRepliesAddDelete(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	h := f.handlers(t)

	_, err := svc.AddCannedReply(ctx, f.t.ID, h.fed, "spn", cases.CannedReply{Locale: "id", Title: "  ", Body: strings.Repeat("x", 5001)})
	var ve *apperr.Validation
	if !errors.As(err, &ve) || ve.Fields["title"] != "error.required" || ve.Fields["body"] != "error.too_long" {
		t.Fatalf("bad reply: %v", err)
	}
	r, err := svc.AddCannedReply(ctx, f.t.ID, h.fed, "spn", cases.CannedReply{Locale: "id", Title: " Terima kasih ", Body: "Laporan Anda kami terima."})
	if err != nil || r.Title != "Terima kasih" {
		t.Fatalf("add: %+v %v", r, err)
	}
	for name, p := range map[string]*auth.Principal{"officer": h.officer, "branch admin": h.branch} {
		if err := svc.DeleteCannedReply(ctx, f.t.ID, p, "spn", r.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("%s deleting: %v", name, err)
		}
	}
	g, gAdmin := f.otherAdmin(t)
	if err := svc.DeleteCannedReply(ctx, g.ID, gAdmin, "garteks", r.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another union's admin, in their union: %v", err)
	}
	if err := svc.DeleteCannedReply(ctx, f.t.ID, gAdmin, "spn", r.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("another union's admin, in this union: %v", err)
	}
	if n := f.count(t, "SELECT count(*) FROM canned_replies WHERE id = ?", r.ID); n != 1 {
		t.Fatalf("refused deletes removed the reply")
	}
	if err := svc.DeleteCannedReply(ctx, f.t.ID, h.fed, "spn", r.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteCannedReply(ctx, f.t.ID, h.fed, "spn", r.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
	for kind, want := range map[string]int{cases.AdminEventCannedReplyAdded: 1, cases.AdminEventCannedReplyDeleted: 1} {
		if n := f.count(t, "SELECT count(*) FROM admin_events WHERE kind = ? AND actor_id = ?", kind, h.fed.UserID); n != want {
			t.Errorf("%s: %d events, want %d", kind, n, want)
		}
	}
}

// TestHandlingStatusWordingsAllOrNothing: the wording form's statuses are
// saved together or not at all, empty labels restore the default, and
// only statuses sent are touched.
func TestHandlingStatusWordingsAllOrNothing(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	h := f.handlers(t)
	good := cases.StatusWording{Status: cases.StatusResolved, ID: "Sudah ditangani", EN: "Handled"}

	for _, tc := range []struct {
		bad   cases.StatusWording
		field string
		key   string
	}{
		{cases.StatusWording{Status: cases.StatusInProgress, ID: strings.Repeat("a", 101)}, "in_progress.id", "error.too_long"},
		{cases.StatusWording{Status: cases.StatusInProgress, EN: "Being\nhandled"}, "in_progress.en", "error.invalid"},
		{cases.StatusWording{Status: "asleep", ID: "Tidur"}, "status", "error.invalid_choice"},
	} {
		err := svc.SetStatusWordings(ctx, f.t.ID, h.fed, "spn", []cases.StatusWording{good, tc.bad})
		var ve *apperr.Validation
		if !errors.As(err, &ve) || ve.Fields[tc.field] != tc.key {
			t.Errorf("%+v: %v", tc.bad, err)
		}
	}
	if words, err := svc.StatusWordings(ctx, f.t.ID); err != nil || len(words) != 0 {
		t.Fatalf("a refused form stored %v (%v)", words, err)
	}
	if err := svc.SetStatusWordings(ctx, f.t.ID, h.branch, "spn", []cases.StatusWording{good}); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("branch admin: %v", err)
	}

	ip := cases.StatusWording{Status: cases.StatusInProgress, ID: " Sedang diurus ", EN: "In hand"}
	if err := svc.SetStatusWordings(ctx, f.t.ID, h.fed, "spn", []cases.StatusWording{good, ip}); err != nil {
		t.Fatal(err)
	}
	words, _ := svc.StatusWordings(ctx, f.t.ID)
	if words[cases.StatusResolved] != good || words[cases.StatusInProgress].ID != "Sedang diurus" {
		t.Fatalf("stored %v", words)
	}
	// Resolved back to the default; in_progress, not sent, stays.
	if err := svc.SetStatusWordings(ctx, f.t.ID, h.fed, "spn", []cases.StatusWording{{Status: cases.StatusResolved}}); err != nil {
		t.Fatal(err)
	}
	words, _ = svc.StatusWordings(ctx, f.t.ID)
	if _, ok := words[cases.StatusResolved]; ok || words[cases.StatusInProgress].EN != "In hand" {
		t.Fatalf("after clearing resolved: %v", words)
	}
	// The one-status API names its fields as before.
	err := svc.SetStatusWording(ctx, f.t.ID, h.fed, "spn", cases.StatusWording{Status: cases.StatusClosed, EN: strings.Repeat("b", 101)})
	var ve *apperr.Validation
	if !errors.As(err, &ve) || ve.Fields["en"] != "error.too_long" {
		t.Errorf("one status: %v", err)
	}
	if n := f.count(t, "SELECT count(*) FROM admin_events WHERE kind = ?", cases.AdminEventStatusWordings); n != 2 {
		t.Errorf("%d wording events, want 2", n)
	}
}

// TestReopenWindowSetting: the window the admins set decides reopening at
// once, other settings keys survive, and an unset window is 30 days.
func TestReopenWindowSetting(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	h := f.handlers(t)
	admin := tenant.NewAdmin(f.db.App, f.authz)
	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE tenants SET settings = settings - 'reopen_window_days' || '{"future_key": [1, 2]}' WHERE id = ?`, f.t.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if st, err := admin.Settings(ctx, f.t, h.fed); err != nil || st.ReopenWindow() != tenant.DefaultReopenWindowDays {
		t.Fatalf("unset window: %+v %v", st, err)
	}
	for _, bad := range []int{0, -1, 366} {
		var ve *apperr.Validation
		if err := admin.SetReopenWindow(ctx, f.t, h.fed, bad); !errors.As(err, &ve) || ve.Fields["days"] != "error.reopen_window_days" {
			t.Errorf("%d days: %v", bad, err)
		}
	}
	if err := admin.SetReopenWindow(ctx, f.t, h.fed, 7); err != nil {
		t.Fatal(err)
	}
	var settings string
	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT settings::text FROM tenants WHERE id = ?", f.t.ID).Scan(&settings)
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(settings, `"future_key": [1, 2]`) || !strings.Contains(settings, `"reopen_window_days": 7`) || !strings.Contains(settings, `"anonymous_filing"`) {
		t.Fatalf("settings after save: %s", settings)
	}
	if n := f.count(t, "SELECT count(*) FROM admin_events WHERE kind = ? AND payload->>'days' = '7' AND payload->'previous' = 'null'", tenant.AdminEventReopenWindow); n != 1 {
		t.Errorf("%d reopen window events", n)
	}

	reporter := f.workers[0]
	defer func() { svc.Now = time.Now }()
	for _, tc := range []struct {
		days int // since the resolution (setStatus resolves a day ago)
		ok   bool
	}{{8, false}, {6, true}} {
		c := f.fileAt(t, svc, reporter)
		f.setStatus(t, c.ID, cases.StatusResolved)
		svc.Now = func() time.Time { return time.Now().Add(time.Duration(tc.days-1) * 24 * time.Hour) }
		_, err := svc.Transition(ctx, f.t.ID, reporter, c.ID, cases.TransitionInput{Transition: "reopen", Reason: "Upah masih dipotong."})
		if tc.ok && err != nil {
			t.Errorf("reopen after %d days: %v", tc.days, err)
		}
		if !tc.ok && !errors.Is(err, cases.ErrReopenWindowPassed) {
			t.Errorf("reopen after %d days: %v, want the window passed", tc.days, err)
		}
	}
}
