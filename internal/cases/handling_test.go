package cases_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
)

// handlers adds a branch admin at spn/jabar, a federation admin at spn and
// an officer of another unit (spn/banten/serang/puk-kharisma-sepatu).
type handlers struct {
	officer, branch, fed, outsider *auth.Principal
}

func (f *fixture) handlers(t *testing.T) handlers {
	t.Helper()
	accounts := auth.NewService(f.db.App, f.authz, slog.New(slog.DiscardHandler), 3600e9, 3600e9)
	h := handlers{officer: f.officer}
	for _, a := range []struct {
		dst  **auth.Principal
		acct auth.NewAccount
	}{
		{&h.branch, auth.NewAccount{Name: "Admin Cabang", Email: "branch@spn.example", Role: "branch_admin", BranchPath: "spn/jabar"}},
		{&h.fed, auth.NewAccount{Name: "Admin", Email: "admin@spn.example", Role: "federation_admin"}},
		{&h.outsider, auth.NewAccount{Name: "Petugas Serang", Email: "serang@spn.example", Role: "case_officer", BranchPath: "spn/banten/serang/puk-kharisma-sepatu"}},
	} {
		a.acct.Password, a.acct.SkipStrengthCheck = "suara-demo", true
		u, _, err := accounts.CreateAccount(context.Background(), f.t, a.acct)
		if err != nil {
			t.Fatal(err)
		}
		*a.dst = &auth.Principal{UserID: u.ID, TenantID: f.t.ID, Kind: u.Kind, Name: u.Name}
	}
	return h
}

func (f *fixture) workplace(t *testing.T, slug string) string {
	t.Helper()
	var wp string
	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM workplaces WHERE slug = ?", slug).Scan(&wp)
	}); err != nil {
		t.Fatal(err)
	}
	return wp
}

// fileAt files a named case by worker 0 at PT Maju Jaya (unit puk-maju-jaya).
func (f *fixture) fileAt(t *testing.T, svc *cases.Service, p *auth.Principal) *cases.Filed {
	t.Helper()
	out, err := svc.File(context.Background(), f.t, p, cases.Filing{Type: "complaint", WorkplaceID: f.workplace(t, "pt-maju-jaya-garmen"),
		Description: "Upah lembur tidak dibayar sesuai aturan sejak tiga bulan."})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// setStatus forces a case's status as the owner, as if it had got there.
func (f *fixture) setStatus(t *testing.T, id uuid.UUID, st cases.Status) {
	t.Helper()
	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cases SET status = ?, info_return_status = CASE WHEN ? = 'needs_info' THEN 'verified' END,
			resolved_at = CASE WHEN ? IN ('resolved', 'closed') THEN now() - interval '1 day' END, duplicate_of = NULL, closed_at = NULL
			WHERE id = ?`, string(st), string(st), string(st), id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) caseRow(t *testing.T, id uuid.UUID, col string, dst any) {
	t.Helper()
	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT "+col+" FROM cases WHERE id = ?", id).Scan(dst)
	}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) events(t *testing.T, id uuid.UUID) int {
	t.Helper()
	var n int
	f.caseRow(t, id, "(SELECT count(*) FROM case_events e WHERE e.case_id = cases.id)", &n)
	return n
}

// expectedRules is the intended lifecycle, stated here apart from
// lifecycle.go: transition → (statuses it leaves from, who may make it).
var expectedRules = map[cases.Transition]struct {
	from   []cases.Status
	actors []cases.Actor
}{
	"verify":         {[]cases.Status{"submitted"}, []cases.Actor{"case_officer", "branch_admin", "federation_admin"}},
	"start":          {[]cases.Status{"verified", "reopened"}, []cases.Actor{"case_officer", "branch_admin", "federation_admin"}},
	"request_info":   {[]cases.Status{"submitted", "verified", "in_progress", "reopened"}, []cases.Actor{"case_officer", "branch_admin", "federation_admin"}},
	"provide_info":   {[]cases.Status{"needs_info"}, []cases.Actor{"reporter"}},
	"resolve":        {[]cases.Status{"in_progress", "reopened"}, []cases.Actor{"case_officer", "branch_admin", "federation_admin"}},
	"close":          {[]cases.Status{"resolved"}, []cases.Actor{"branch_admin", "federation_admin"}},
	"reject":         {[]cases.Status{"submitted", "verified", "needs_info"}, []cases.Actor{"case_officer", "branch_admin", "federation_admin"}},
	"mark_duplicate": {[]cases.Status{"submitted", "verified", "needs_info"}, []cases.Actor{"case_officer", "branch_admin", "federation_admin"}},
	"refer":          {[]cases.Status{"verified", "in_progress"}, []cases.Actor{"case_officer", "branch_admin", "federation_admin"}},
	"withdraw":       {[]cases.Status{"submitted", "verified", "in_progress", "needs_info", "reopened"}, []cases.Actor{"reporter"}},
	"reopen":         {[]cases.Status{"resolved"}, []cases.Actor{"reporter"}},
}

var expectedTo = map[cases.Transition]cases.Status{
	"verify": "verified", "start": "in_progress", "request_info": "needs_info", "provide_info": "verified",
	"resolve": "resolved", "close": "closed", "reject": "rejected", "mark_duplicate": "duplicate", "refer": "referred",
	"withdraw": "withdrawn", "reopen": "reopened",
}

// Acceptance 1: every (state, transition, role) triple through the
// service. Allowed ones succeed with exactly one new event; the others
// answer 409 (no such transition from the state) or 403 (not this role)
// and append nothing.
func TestEveryStateTransitionRole(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	h := f.handlers(t)
	reporter := f.workers[0]
	surviving := f.fileAt(t, svc, f.workers[1])
	roles := []struct {
		actor cases.Actor
		p     *auth.Principal
	}{
		{"reporter", reporter}, {"case_officer", h.officer}, {"branch_admin", h.branch}, {"federation_admin", h.fed},
	}
	if len(expectedRules) != len(cases.AllTransitions()) {
		t.Fatalf("the test's table lacks transitions: %d of %d", len(expectedRules), len(cases.AllTransitions()))
	}
	cells := 0
	for _, r := range roles {
		filed := f.fileAt(t, svc, reporter)
		for _, st := range cases.AllStatuses() {
			for _, tr := range cases.AllTransitions() {
				cells++
				f.setStatus(t, filed.ID, st)
				before := f.events(t, filed.ID)
				in := cases.TransitionInput{Transition: string(tr), Reason: "Alasan yang dapat dibaca pelapor.", DuplicateOf: surviving.Reference}
				res, err := svc.Transition(ctx, f.t.ID, r.p, filed.ID, in)
				rule := expectedRules[tr]
				name := fmt.Sprintf("%s %s by %s", st, tr, r.actor)
				var after cases.Status
				f.caseRow(t, filed.ID, "status", &after)
				n := f.events(t, filed.ID)
				switch {
				case slices.Contains(rule.from, st) && slices.Contains(rule.actors, r.actor):
					if err != nil {
						t.Errorf("%s: %v", name, err)
						continue
					}
					if res.Status != expectedTo[tr] || after != expectedTo[tr] || n != before+1 || res.Event.Kind != cases.EventStatusChanged {
						t.Errorf("%s: status %s/%s, events %d→%d, kind %s", name, res.Status, after, before, n, res.Event.Kind)
					}
				case !slices.Contains(rule.from, st):
					var te *cases.TransitionError
					if !errors.As(err, &te) || !errors.Is(err, apperr.ErrConflict) {
						t.Errorf("%s: want 409, got %v", name, err)
					} else if want := expectedAllowed(st, r.actor); !slices.Equal(te.Allowed, want) {
						t.Errorf("%s: allowed %v, want %v", name, te.Allowed, want)
					}
				default:
					if !errors.Is(err, apperr.ErrForbidden) {
						t.Errorf("%s: want 403, got %v", name, err)
					}
				}
				if err != nil && (n != before || after != st) {
					t.Errorf("%s refused but changed the case: status %s, events %d→%d", name, after, before, n)
				}
			}
		}
		if _, err := svc.VerifyTimeline(ctx, f.t.ID, filed.ID); err != nil {
			t.Errorf("%s's timeline: %v", r.actor, err)
		}
	}
	if cells != 11*11*4 {
		t.Fatalf("%d cells", cells)
	}
}

func expectedAllowed(st cases.Status, a cases.Actor) []cases.Transition {
	var out []cases.Transition
	for _, tr := range cases.AllTransitions() {
		if r := expectedRules[tr]; slices.Contains(r.from, st) && slices.Contains(r.actors, a) {
			out = append(out, tr)
		}
	}
	return out
}

func TestTransitionRules(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	h := f.handlers(t)
	reporter := f.workers[0]
	c := f.fileAt(t, svc, reporter)

	t.Run("strangers see nothing", func(t *testing.T) {
		for name, p := range map[string]*auth.Principal{"other worker": f.workers[1], "officer of another unit": h.outsider} {
			if _, err := svc.Transition(ctx, f.t.ID, p, c.ID, cases.TransitionInput{Transition: "verify"}); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
	t.Run("reasons are required and reporter-visible", func(t *testing.T) {
		_, err := svc.Transition(ctx, f.t.ID, h.officer, c.ID, cases.TransitionInput{Transition: "reject"})
		var ve *apperr.Validation
		if !errors.As(err, &ve) || ve.Fields["reason"] != "error.reason_required" {
			t.Fatalf("reject without reason: %v", err)
		}
		if _, err := svc.Transition(ctx, f.t.ID, h.officer, c.ID, cases.TransitionInput{Transition: "reject", Reason: "Bukan ranah serikat."}); err != nil {
			t.Fatal(err)
		}
		v, err := svc.Get(ctx, f.t.ID, reporter, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := v.Events[len(v.Events)-1]
		if v.Status != "rejected" || last.Kind != cases.EventStatusChanged || last.Field("reason") != "Bukan ranah serikat." {
			t.Fatalf("reporter view: %s %+v", v.Status, last)
		}
	})
	t.Run("duplicate links the surviving case", func(t *testing.T) {
		dup, surv := f.fileAt(t, svc, reporter), f.fileAt(t, svc, f.workers[1])
		for _, bad := range []string{"", dup.Reference, "SPN-1999-000001"} {
			_, err := svc.Transition(ctx, f.t.ID, h.officer, dup.ID, cases.TransitionInput{Transition: "mark_duplicate", Reason: "Sama.", DuplicateOf: bad})
			var ve *apperr.Validation
			if !errors.As(err, &ve) || ve.Fields["duplicate_of"] == "" {
				t.Errorf("duplicate_of %q: %v", bad, err)
			}
		}
		res, err := svc.Transition(ctx, f.t.ID, h.officer, dup.ID, cases.TransitionInput{Transition: "mark_duplicate", Reason: "Sama dengan laporan lain.", DuplicateOf: strings.ToLower(surv.Reference)})
		if err != nil {
			t.Fatal(err)
		}
		var link uuid.UUID
		f.caseRow(t, dup.ID, "duplicate_of", &link)
		if link != surv.ID || res.Event.Field("duplicate_of") != surv.Reference {
			t.Fatalf("link %s, payload %s", link, res.Event.Payload)
		}
	})
	t.Run("reopen window", func(t *testing.T) {
		r := f.fileAt(t, svc, reporter)
		f.setStatus(t, r.ID, cases.StatusResolved)
		svc.Now = func() time.Time { return time.Now().Add(30 * 24 * time.Hour) } // resolved 31 days before
		defer func() { svc.Now = time.Now }()
		_, err := svc.Transition(ctx, f.t.ID, reporter, r.ID, cases.TransitionInput{Transition: "reopen", Reason: "Upah masih dipotong."})
		var fc *apperr.FieldConflict
		if !errors.As(err, &fc) || fc.Key != "error.reopen_window_passed" {
			t.Fatalf("after the window: %v", err)
		}
		svc.Now = time.Now
		if _, err := svc.Transition(ctx, f.t.ID, reporter, r.ID, cases.TransitionInput{Transition: "reopen", Reason: "Upah masih dipotong."}); err != nil {
			t.Fatalf("within the window: %v", err)
		}
	})
	t.Run("needs_info returns where it was", func(t *testing.T) {
		r := f.fileAt(t, svc, reporter)
		for _, step := range []struct {
			p  *auth.Principal
			tr string
		}{{h.officer, "verify"}, {h.officer, "start"}, {h.officer, "request_info"}, {reporter, "provide_info"}} {
			if _, err := svc.Transition(ctx, f.t.ID, step.p, r.ID, cases.TransitionInput{Transition: step.tr, Reason: "Kirim slip gaji."}); err != nil {
				t.Fatalf("%s: %v", step.tr, err)
			}
		}
		var st cases.Status
		f.caseRow(t, r.ID, "status", &st)
		if st != cases.StatusInProgress {
			t.Fatalf("after provide_info: %s", st)
		}
	})
	t.Run("anonymous reporter by receipt", func(t *testing.T) {
		anon, err := svc.File(ctx, f.t, nil, cases.Filing{Type: "complaint", Description: "Pintu darurat dikunci saat jam kerja."})
		if err != nil {
			t.Fatal(err)
		}
		tok := session(t, svc, f.t.ID, anon.ReceiptCode)
		if _, err := svc.TransitionByReceipt(ctx, f.t.ID, tok, cases.TransitionInput{Transition: "verify"}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("reporter verifying: %v", err)
		}
		res, err := svc.TransitionByReceipt(ctx, f.t.ID, tok, cases.TransitionInput{Transition: "withdraw"})
		if err != nil || res.Status != cases.StatusWithdrawn || res.Event.By != "reporter" {
			t.Fatalf("withdraw: %v %v", res, err)
		}
	})
}

func TestAssignmentRoutingAndConflicts(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	h := f.handlers(t)
	c := f.fileAt(t, svc, f.workers[0])
	officer := cases.AssignInput{OfficerID: h.officer.UserID.String()}

	if _, err := svc.Assign(ctx, f.t.ID, h.officer, c.ID, officer); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("officer assigning: %v", err)
	}
	before := f.events(t, c.ID)
	a, err := svc.Assign(ctx, f.t.ID, h.branch, c.ID, officer)
	if err != nil || a.OfficerID == nil || *a.OfficerID != h.officer.UserID {
		t.Fatalf("assign: %v %v", a, err)
	}
	if n := f.events(t, c.ID); n != before+1 {
		t.Fatalf("events %d → %d", before, n)
	}
	v, _ := svc.Get(ctx, f.t.ID, f.workers[0], c.ID)
	for _, e := range v.Events {
		if e.Kind == cases.EventAssigned {
			t.Fatal("the reporter sees the internal assignment")
		}
	}
	var ve *apperr.Validation
	if _, err := svc.Assign(ctx, f.t.ID, h.branch, c.ID, cases.AssignInput{OfficerID: h.outsider.UserID.String()}); !errors.As(err, &ve) || ve.Fields["officer_id"] != "error.officer_not_in_branch" {
		t.Fatalf("officer of another branch: %v", err)
	}
	var bogor, serang string
	_ = dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		_ = tx.QueryRowContext(ctx, "SELECT id::text FROM branches WHERE path = 'spn/jabar/bogor'").Scan(&bogor)
		return tx.QueryRowContext(ctx, "SELECT id::text FROM branches WHERE path = 'spn/banten/serang'").Scan(&serang)
	})
	if _, err := svc.Assign(ctx, f.t.ID, h.branch, c.ID, cases.AssignInput{BranchID: serang}); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("branch outside the sub-tree: %v", err)
	}
	if a, err := svc.Assign(ctx, f.t.ID, h.branch, c.ID, cases.AssignInput{BranchID: bogor}); err != nil || a.BranchPath != "spn/jabar/bogor" || a.OfficerID != nil {
		t.Fatalf("move within the sub-tree: %+v %v", a, err)
	}
	// Conflict of interest: the officer is linked to PT Maju Jaya.
	if err := svc.AddStaffConflict(ctx, f.t.ID, h.fed, "spn", h.officer.UserID, uuid.MustParse(f.workplace(t, "pt-maju-jaya-garmen")), "Saudara HRD"); err != nil {
		t.Fatal(err)
	}
	c2 := f.fileAt(t, svc, f.workers[1])
	var fc *apperr.FieldConflict
	if _, err := svc.Assign(ctx, f.t.ID, h.branch, c2.ID, officer); !errors.As(err, &fc) || fc.Key != "error.conflict_of_interest" {
		t.Fatalf("conflicted officer: %v", err)
	}
	// The reporter themself is never their own handler either.
	named := f.fileAt(t, svc, h.fed)
	if _, err := svc.Assign(ctx, f.t.ID, h.branch, named.ID, cases.AssignInput{OfficerID: h.fed.UserID.String()}); !errors.As(err, &fc) {
		t.Fatalf("assigning the reporter: %v", err)
	}

	// Routing: PT Sinar Busana cases go to the federation admin at verify.
	wp := uuid.MustParse(f.workplace(t, "pt-sinar-busana-garmen"))
	if _, err := svc.AddRoutingRule(ctx, f.t.ID, h.branch, "spn", cases.RoutingRule{WorkplaceID: &wp, OfficerID: &h.fed.UserID}); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("branch admin adding a rule: %v", err)
	}
	if _, err := svc.AddRoutingRule(ctx, f.t.ID, h.fed, "spn", cases.RoutingRule{WorkplaceID: &wp, OfficerID: &h.fed.UserID}); err != nil {
		t.Fatal(err)
	}
	routed, err := svc.File(ctx, f.t, f.workers[0], cases.Filing{Type: "complaint", WorkplaceID: wp.String(), Description: "THR tidak dibayar tahun ini."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Transition(ctx, f.t.ID, h.fed, routed.ID, cases.TransitionInput{Transition: "verify"}); err != nil {
		t.Fatal(err)
	}
	var assigned uuid.NullUUID
	f.caseRow(t, routed.ID, "assigned_to", &assigned)
	if assigned.UUID != h.fed.UserID {
		t.Fatalf("routed to %v", assigned)
	}
}

func TestActionsAndNotes(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	h := f.handlers(t)
	c := f.fileAt(t, svc, f.workers[0])
	for _, tc := range []struct {
		in     cases.ActionInput
		fields []string
	}{
		{cases.ActionInput{Kind: "bipartite", Visibility: "internal"}, []string{"meeting_date", "participants", "outcome"}},
		{cases.ActionInput{Kind: "bipartite", Visibility: "secret", MeetingDate: "2026-13-01", Participants: []string{"HRD"}, Outcome: "won"}, []string{"visibility", "meeting_date", "outcome"}},
		{cases.ActionInput{Kind: "referral", Visibility: "reporter", Target: "brand"}, []string{"target_detail"}},
		{cases.ActionInput{Kind: "referral", Visibility: "reporter", Target: "police"}, []string{"target"}},
		{cases.ActionInput{Kind: "mediation", Visibility: "reporter", Date: "2026-03-01"}, []string{"method", "outcome"}},
		{cases.ActionInput{Kind: "disnaker_registration", Visibility: "reporter"}, []string{"date", "office"}},
		{cases.ActionInput{Kind: "industrial_court", Visibility: "reporter", Date: "2026-03-01"}, []string{"court"}},
		{cases.ActionInput{Kind: "employer_response", Visibility: "reporter", Date: "2026-03-01"}, []string{"summary"}},
		{cases.ActionInput{Kind: "agreement", Visibility: "reporter", Date: "2026-03-01"}, []string{"terms"}},
		{cases.ActionInput{Kind: "strike", Visibility: "reporter"}, []string{"kind"}},
		{cases.ActionInput{Kind: "bipartite", Visibility: "internal", MeetingDate: "2026-03-01", Participants: []string{"HRD"}, Outcome: "failed", MinutesID: uuid.NewString()}, []string{"minutes_evidence_id"}},
	} {
		before := f.events(t, c.ID)
		_, err := svc.RecordAction(ctx, f.t.ID, h.officer, c.ID, tc.in)
		var ve *apperr.Validation
		if !errors.As(err, &ve) {
			t.Errorf("%+v: %v", tc.in, err)
			continue
		}
		for _, k := range tc.fields {
			if ve.Fields[k] == "" {
				t.Errorf("%s: no error on %s (%v)", tc.in.Kind, k, ve.Fields)
			}
		}
		if n := f.events(t, c.ID); n != before {
			t.Errorf("%s: refused action appended an event", tc.in.Kind)
		}
	}
	e, err := svc.RecordAction(ctx, f.t.ID, h.officer, c.ID, cases.ActionInput{Kind: "bipartite", Visibility: "reporter",
		MeetingDate: "2026-03-02", Participants: []string{"Ketua PUK\nHRD PT Maju Jaya"}, Outcome: "continued"})
	if err != nil || e.Kind != "action_bipartite" || e.Visibility != "reporter" || !strings.Contains(string(e.Payload), `"participants":["Ketua PUK","HRD PT Maju Jaya"]`) {
		t.Fatalf("bipartite: %+v %v", e, err)
	}
	if _, err := svc.RecordAction(ctx, f.t.ID, f.workers[0], c.ID, cases.ActionInput{Kind: "agreement", Visibility: "reporter", Date: "2026-03-01", Terms: "x"}); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("reporter recording an action: %v", err)
	}
	if _, err := svc.AddNote(ctx, f.t.ID, h.officer, c.ID, "Catatan rahasia: mandor saudara HRD."); err != nil {
		t.Fatal(err)
	}
	v, _ := svc.Get(ctx, f.t.ID, f.workers[0], c.ID)
	for _, ev := range v.Events {
		if ev.Visibility != cases.VisibilityReporter || strings.Contains(string(ev.Payload), "rahasia") {
			t.Fatalf("reporter sees %+v", ev)
		}
	}
}

func TestRatingAndCheckins(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	h := f.handlers(t)
	var scheduled []int
	svc.ScheduleCheckin = func(_ context.Context, _ bun.Tx, tenantID, caseID uuid.UUID, n int, at time.Time) error {
		if d := time.Until(at); d < 29*24*time.Hour {
			t.Errorf("check-in %d at %s", n, at)
		}
		scheduled = append(scheduled, n)
		return nil
	}
	reporter := f.workers[0]
	c := f.fileAt(t, svc, reporter)
	good := cases.RatingInput{Handling: 2, Outcome: 4, Comment: "Lambat tapi selesai."}
	var fc *apperr.FieldConflict
	if _, err := svc.Rate(ctx, f.t.ID, reporter, c.ID, good); !errors.As(err, &fc) || fc.Key != "error.rating_not_yet" {
		t.Fatalf("rating an open case: %v", err)
	}
	f.setStatus(t, c.ID, cases.StatusResolved)
	var ve *apperr.Validation
	if _, err := svc.Rate(ctx, f.t.ID, reporter, c.ID, cases.RatingInput{Handling: 0, Outcome: 6, Comment: strings.Repeat("x", 2001)}); !errors.As(err, &ve) || len(ve.Fields) != 3 {
		t.Fatalf("bad rating: %v", err)
	}
	if _, err := svc.Rate(ctx, f.t.ID, h.branch, c.ID, good); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("staff rating: %v", err)
	}
	if r, err := svc.Rate(ctx, f.t.ID, reporter, c.ID, good); err != nil || !r.LowRating {
		t.Fatalf("rate: %+v %v", r, err)
	}
	if _, err := svc.Rate(ctx, f.t.ID, reporter, c.ID, good); !errors.As(err, &fc) || fc.Key != "error.already_rated" {
		t.Fatalf("second rating: %v", err)
	}
	var low bool
	f.caseRow(t, c.ID, "low_rating", &low)
	if !low {
		t.Fatal("a handling score of 2 does not flag the case")
	}

	if _, err := svc.Transition(ctx, f.t.ID, h.branch, c.ID, cases.TransitionInput{Transition: "close"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(scheduled, []int{1, 2}) {
		t.Fatalf("scheduled %v", scheduled)
	}
	yes, no := true, false
	ans := cases.CheckinAnswer{RemedyHeld: &no, Retaliation: &yes, Comment: "Saya dipindah ke gudang setelah melapor."}
	if _, err := svc.AnswerCheckin(ctx, f.t.ID, reporter, c.ID, 1, ans); !errors.As(err, &fc) || fc.Key != "error.checkin_not_due" {
		t.Fatalf("answer before due: %v", err)
	}
	svc.Now = func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }
	if err := svc.AskCheckin(ctx, f.t.ID, c.ID, 1); err != nil {
		t.Fatal(err)
	}
	before := f.events(t, c.ID)
	if err := svc.AskCheckin(ctx, f.t.ID, c.ID, 1); err != nil || f.events(t, c.ID) != before {
		t.Fatalf("asking twice: %v", err)
	}
	res, err := svc.AnswerCheckin(ctx, f.t.ID, reporter, c.ID, 1, ans)
	if err != nil || res.LinkedCase == nil {
		t.Fatalf("answer: %+v %v", res, err)
	}
	if _, err := svc.AnswerCheckin(ctx, f.t.ID, reporter, c.ID, 1, ans); !errors.As(err, &fc) || fc.Key != "error.checkin_answered" {
		t.Fatalf("answer twice: %v", err)
	}
	var urgency, cat, branchSame string
	var linked uuid.UUID
	_ = dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT n.urgency, k.slug, (n.branch_id = o.branch_id)::text, n.linked_from FROM cases n
			JOIN categories k ON k.id = n.category_id JOIN cases o ON o.id = ? WHERE n.id = ?`, c.ID, res.LinkedCase.ID).
			Scan(&urgency, &cat, &branchSame, &linked)
	})
	if urgency != "high" || cat != "berserikat" || branchSame != "true" || linked != c.ID {
		t.Fatalf("linked case: %s %s %s %s", urgency, cat, branchSame, linked)
	}
	// The reporter follows the new case as their own.
	if v, err := svc.Get(ctx, f.t.ID, reporter, res.LinkedCase.ID); err != nil || !v.AsReporter {
		t.Fatalf("reporter's new case: %v", err)
	}

	// Anonymous: the new case gets its own receipt code, shown once.
	anon, err := svc.File(ctx, f.t, nil, cases.Filing{Type: "complaint", Description: "Pintu darurat dikunci saat jam kerja."})
	if err != nil {
		t.Fatal(err)
	}
	svc.Now = time.Now
	anonID := anon.ID
	f.setStatus(t, anonID, cases.StatusResolved)
	// Filed without a workplace, it sits at the tenant root.
	if _, err := svc.Transition(ctx, f.t.ID, h.fed, anonID, cases.TransitionInput{Transition: "close"}); err != nil {
		t.Fatal(err)
	}
	// Due means due to the minute: the answer's stored time keeps the
	// anonymous case's hour, its due check does not.
	var due time.Time
	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT due_at FROM case_checkins WHERE case_id = ? AND n = 1", anonID).Scan(&due)
	}); err != nil {
		t.Fatal(err)
	}
	if due.Equal(due.Truncate(time.Hour)) {
		due = due.Add(time.Minute) // the check below needs a due time inside its hour
	}
	svc.Now = func() time.Time { return due.Add(time.Second) }
	if _, err := svc.AnswerCheckinByReceipt(ctx, f.t.ID, session(t, svc, f.t.ID, anon.ReceiptCode), 1, cases.CheckinAnswer{RemedyHeld: &yes, Retaliation: &no}); err != nil {
		t.Fatalf("anonymous check-in answered a second after it was due: %v", err)
	}
	svc.Now = func() time.Time { return time.Now().Add(91 * 24 * time.Hour) }
	res, err = svc.AnswerCheckinByReceipt(ctx, f.t.ID, session(t, svc, f.t.ID, anon.ReceiptCode), 2, cases.CheckinAnswer{RemedyHeld: &yes, Retaliation: &yes})
	if err != nil || res.LinkedCase == nil || len(res.LinkedCase.ReceiptCode) != 16 {
		t.Fatalf("anonymous retaliation: %+v %v", res, err)
	}
	if v, err := svc.ByReceipt(ctx, f.t.ID, session(t, svc, f.t.ID, res.LinkedCase.ReceiptCode)); err != nil || v.ID != res.LinkedCase.ID {
		t.Fatalf("new receipt: %v", err)
	}
}

// Acceptance 3 (service side): the audit walks every chain, finds the
// exact event an owner tampered with, and the app role cannot rewrite or
// delete events at all.
func TestAuditChains(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	h := f.handlers(t)
	c := f.fileAt(t, svc, f.workers[0])
	other := f.fileAt(t, svc, f.workers[1])
	for _, tr := range []string{"verify", "start"} {
		if _, err := svc.Transition(ctx, f.t.ID, h.officer, c.ID, cases.TransitionInput{Transition: tr}); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := cases.AuditChains(ctx, f.db.App)
	if err != nil || len(sum.Broken) != 0 || sum.Cases != 2 || sum.Events != 4 {
		t.Fatalf("clean audit: %+v %v", sum, err)
	}

	for _, stmt := range []string{
		"UPDATE case_events SET payload = '{}' WHERE case_id = ?",
		"DELETE FROM case_events WHERE case_id = ?",
	} {
		err := f.db.App.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "SELECT set_config('app.tenant_id', ?, true)", f.t.ID.String()); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, stmt, c.ID)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("app role %q: %v", strings.Fields(stmt)[0], err)
		}
	}

	if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE case_events SET payload = replace(payload, 'verify', 'reject') WHERE case_id = ? AND seq = 2`, c.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sum, err = cases.AuditChains(ctx, f.db.App)
	if err != nil || len(sum.Broken) != 1 {
		t.Fatalf("after tampering: %+v %v", sum, err)
	}
	b := sum.Broken[0]
	if b.Tenant != "spn" || b.Reference != c.Reference || b.Seq != 2 || b.CaseID == other.ID || !errors.Is(b.Reason, cases.ErrChainBroken) {
		t.Fatalf("reported %s", b)
	}
}
