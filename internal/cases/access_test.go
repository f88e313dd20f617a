package cases_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/auth/authtest"
	"github.com/suara-id/suara/internal/cases"
)

// The callers a method may have to refuse (TestServiceMethodsRefuseUnauthorisedCallers).
const (
	stranger   = "another worker of the union"
	outsider   = "an officer of another unit"
	officer    = "the case's own officer (no union-wide role)"
	otherUnion = "another union's federation admin"
)

// Who is refused what: every case-scoped staff method refuses a worker who
// is not the reporter, an officer of another unit and another union's
// admin; union-wide settings refuse the case's own officer too; the
// reporter's own actions refuse staff as well.
var (
	caseStaff = []string{stranger, outsider, otherUnion}
	// caseSenior: what a case officer may not do (assign, export).
	caseSenior = []string{stranger, outsider, officer, otherUnion}
	unionWide  = []string{stranger, outsider, officer, otherUnion}
	reporters  = []string{stranger, outsider, officer, otherUnion}
)

// accessUnchecked are the methods that take a caller but refuse nobody of
// the union, each with why; every other method is in the table below.
var accessUnchecked = map[string]string{
	"File":           "anyone may file with a union, signed in or anonymous; TestFile* cover the modes",
	"FileOnce":       "File with an idempotency key",
	"ListMine":       "lists the caller's own cases: there is nobody else's to name",
	"DuplicateHints": "every worker on the filing form gets them; the hint shows no reporter (duplicate tests)",
	"Support":        "any worker may add their voice to a collective case (collective tests)",
	"QueueBranches":  "lists only the branches the caller holds a role in",
	"ExplainQueue":   "the staff queue's query plan; Queue's visibility, refused below",
}

// TestServiceMethodsRefuseUnauthorisedCallers walks every exported
// cases.Service method that takes a caller (*auth.Principal): each is
// called with real arguments — a real case of the union, its tenant, valid
// input — by every caller it must refuse, and must answer ErrForbidden,
// ErrNotFound or ErrUnauthorized and change nothing. The table is kept
// complete by reflection: a new method that takes a caller fails the test
// until it is listed here or in accessUnchecked. A check removed from a
// method makes its call succeed or fail otherwise (a validation or state
// error), which fails the test.
func TestServiceMethodsRefuseUnauthorisedCallers(t *testing.T) {
	f := setup(t)
	svc := f.service(t, keyA)
	h := f.handlers(t)
	ctx := context.Background()
	_, foreign := f.otherAdmin(t)
	callers := map[string]*auth.Principal{stranger: f.workers[1], outsider: h.outsider, officer: f.officer, otherUnion: foreign}

	filed := f.fileAt(t, svc, f.workers[0])
	id, tid := filed.ID, f.t.ID
	wp := uuid.MustParse(f.workplace(t, "pt-maju-jaya-garmen"))
	var cat uuid.UUID
	f.caseRow(t, id, "category_id", &cat)
	if cat == uuid.Nil {
		var other uuid.UUID
		if err := dbTenant(f, func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT id FROM categories ORDER BY slug LIMIT 1").Scan(&other)
		}); err != nil {
			t.Fatal(err)
		}
		cat = other
	}
	yes := true
	reply, err := svc.AddCannedReply(ctx, tid, h.fed, f.t.Slug, cases.CannedReply{Locale: "id", Title: "Salam", Body: "Terima kasih atas laporan Anda."})
	if err != nil {
		t.Fatal(err)
	}

	e1 := func(err error) error { return err }
	table := map[string]authtest.Call{
		"RecordAction": {Refuse: caseStaff, Do: func(p *auth.Principal) error {
			return second(svc.RecordAction(ctx, tid, p, id, cases.ActionInput{Kind: cases.ActionBipartite, Visibility: "internal",
				Date: time.Now().Format(time.DateOnly), Participants: []string{"HRD", "Ketua PUK"}, Outcome: "scheduled"}))
		}},
		"AddNote": {Refuse: caseStaff, Do: func(p *auth.Principal) error {
			return second(svc.AddNote(ctx, tid, p, id, "Catatan internal petugas."))
		}},
		"CannedReplies":     {Refuse: []string{stranger, otherUnion}, Do: func(p *auth.Principal) error { return second(svc.CannedReplies(ctx, tid, p, "id")) }},
		"CannedReply":       {Refuse: []string{stranger, otherUnion}, Do: func(p *auth.Principal) error { return second(svc.CannedReply(ctx, tid, p, reply.ID)) }},
		"AddCannedReply":    {Refuse: unionWide, Do: func(p *auth.Principal) error { return second(svc.AddCannedReply(ctx, tid, p, f.t.Slug, *reply)) }},
		"DeleteCannedReply": {Refuse: unionWide, Do: func(p *auth.Principal) error { return e1(svc.DeleteCannedReply(ctx, tid, p, f.t.Slug, reply.ID)) }},
		"SetStatusWording": {Refuse: unionWide, Do: func(p *auth.Principal) error {
			return svc.SetStatusWording(ctx, tid, p, f.t.Slug, cases.StatusWording{Status: cases.StatusSubmitted, ID: "Diterima", EN: "Received"})
		}},
		"SetStatusWordings": {Refuse: unionWide, Do: func(p *auth.Principal) error {
			return svc.SetStatusWordings(ctx, tid, p, f.t.Slug, []cases.StatusWording{{Status: cases.StatusSubmitted, ID: "Diterima", EN: "Received"}})
		}},
		"Playbook": {Refuse: caseStaff, Do: func(p *auth.Principal) error { return second(svc.Playbook(ctx, tid, p, id, "id")) }},
		"Assign": {Refuse: caseSenior, Do: func(p *auth.Principal) error {
			return second(svc.Assign(ctx, tid, p, id, cases.AssignInput{OfficerID: f.officer.UserID.String()}))
		}},
		"AddRoutingRule": {Refuse: unionWide, Do: func(p *auth.Principal) error {
			return second(svc.AddRoutingRule(ctx, tid, p, f.t.Slug, cases.RoutingRule{WorkplaceID: &wp, OfficerID: &f.officer.UserID}))
		}},
		"RoutingRules":      {Refuse: unionWide, Do: func(p *auth.Principal) error { return second(svc.RoutingRules(ctx, tid, p, f.t.Slug)) }},
		"DeleteRoutingRule": {Refuse: unionWide, Do: func(p *auth.Principal) error { return svc.DeleteRoutingRule(ctx, tid, p, f.t.Slug, uuid.New()) }},
		"AddStaffConflict": {Refuse: unionWide, Do: func(p *auth.Principal) error {
			return svc.AddStaffConflict(ctx, tid, p, f.t.Slug, f.officer.UserID, wp, "Kerabat manajer perusahaan.")
		}},
		"StaffConflicts": {Refuse: unionWide, Do: func(p *auth.Principal) error { return second(svc.StaffConflicts(ctx, tid, p, f.t.Slug)) }},
		"DeleteStaffConflict": {Refuse: unionWide, Do: func(p *auth.Principal) error {
			return svc.DeleteStaffConflict(ctx, tid, p, f.t.Slug, f.officer.UserID, wp)
		}},
		"SetBrandConsent":  {Refuse: reporters, Do: func(p *auth.Principal) error { return svc.SetBrandConsent(ctx, tid, p, id, true) }},
		"BrandConsent":     {Refuse: []string{stranger, outsider, otherUnion}, Do: func(p *auth.Principal) error { return second(svc.BrandConsent(ctx, tid, p, id)) }},
		"BrandSharingOf":   {Refuse: caseSenior, Do: func(p *auth.Principal) error { return second(svc.BrandSharingOf(ctx, tid, p, id)) }},
		"ShareWithBrand":   {Refuse: caseSenior, Do: func(p *auth.Principal) error { return second(svc.ShareWithBrand(ctx, tid, p, id, "Merek Contoh")) }},
		"RevokeBrandShare": {Refuse: caseSenior, Do: func(p *auth.Principal) error { return svc.RevokeBrandShare(ctx, tid, p, id, uuid.New()) }},
		"AnswerCheckin": {Refuse: reporters, Do: func(p *auth.Principal) error {
			return second(svc.AnswerCheckin(ctx, tid, p, id, 1, cases.CheckinAnswer{RemedyHeld: &yes, Retaliation: &yes}))
		}},
		"Clocks": {Refuse: caseStaff, Do: func(p *auth.Principal) error { return second(svc.Clocks(ctx, tid, p, id)) }},
		"Dashboard": {Refuse: []string{stranger, outsider, officer, otherUnion}, Do: func(p *auth.Principal) error {
			return second(svc.Dashboard(ctx, f.t, p, "spn/jabar", "id", time.Now()))
		}},
		"FilteredDashboard": {Refuse: []string{stranger, outsider, officer, otherUnion}, Do: func(p *auth.Principal) error {
			return second(svc.FilteredDashboard(ctx, f.t, p, "spn/jabar", "id", time.Now(), cases.DashboardFilter{VerifiedMembers: true}))
		}},
		"AddEvidence": {Refuse: []string{stranger, outsider, otherUnion}, Do: func(p *auth.Principal) error {
			return second(svc.AddEvidence(ctx, tid, p, id, "catatan.txt", "text/plain", strings.NewReader("bukti")))
		}},
		"OpenEvidence": {Refuse: caseStaff, Do: func(p *auth.Principal) error {
			_, _, err := svc.OpenEvidence(ctx, tid, p, id, uuid.New())
			return err
		}},
		"ExportCases":     {Refuse: unionWide, Do: func(p *auth.Principal) error { return second(svc.ExportCases(ctx, tid, p, nil)) }},
		"SetShareConsent": {Refuse: reporters, Do: func(p *auth.Principal) error { return svc.SetShareConsent(ctx, tid, p, id, true) }},
		"ShareConsent":    {Refuse: []string{stranger, outsider, otherUnion}, Do: func(p *auth.Principal) error { return second(svc.ShareConsent(ctx, tid, p, id)) }},
		"ExportPacket":    {Refuse: caseSenior, Do: func(p *auth.Principal) error { return second(svc.ExportPacket(ctx, tid, p, id, "id")) }},
		"AddMessage":      {Refuse: []string{stranger, outsider, otherUnion}, Do: func(p *auth.Principal) error { return second(svc.AddMessage(ctx, tid, p, id, "Mohon kabar terbaru.")) }},
		"Transition": {Refuse: caseStaff, Do: func(p *auth.Principal) error {
			return second(svc.Transition(ctx, tid, p, id, cases.TransitionInput{Transition: "verify"}))
		}},
		"Allowed": {Refuse: []string{stranger, outsider, otherUnion}, Do: func(p *auth.Principal) error {
			_, _, err := svc.Allowed(ctx, tid, p, id)
			return err
		}},
		"AddTranscript": {Refuse: caseStaff, Do: func(p *auth.Principal) error { return svc.AddTranscript(ctx, tid, p, id, "Isi rekaman suara pelapor.") }},
		"Intake":        {Refuse: caseStaff, Do: func(p *auth.Principal) error { return second(svc.Intake(ctx, tid, p, id)) }},
		"RecordOutcome": {Refuse: caseStaff, Do: func(p *auth.Principal) error {
			return second(svc.RecordOutcome(ctx, tid, p, id, cases.OutcomeInput{LadderStage: "bipartite", Types: []string{"apology"}}))
		}},
		"Queue": {Refuse: []string{stranger, otherUnion}, Do: func(p *auth.Principal) error {
			_, _, err := svc.Queue(ctx, tid, p, cases.QueueFilter{})
			return err
		}},
		"Rate": {Refuse: reporters, Do: func(p *auth.Principal) error {
			return second(svc.Rate(ctx, tid, p, id, cases.RatingInput{Handling: 4, Outcome: 4}))
		}},
		"Get": {Refuse: caseStaff, Do: func(p *auth.Principal) error { return second(svc.Get(ctx, tid, p, id)) }},
		"RevealIdentity": {Refuse: unionWide, Do: func(p *auth.Principal) error {
			return second(svc.RevealIdentity(ctx, tid, p, id, "Perlu menghubungi pelapor untuk mediasi."))
		}},
		"Recommendations": {Refuse: caseStaff, Do: func(p *auth.Principal) error { return second(svc.Recommendations(ctx, tid, p, id, "id")) }},
		"AnswerInfoRequest": {Refuse: reporters, Do: func(p *auth.Principal) error {
			return second(svc.AnswerInfoRequest(ctx, tid, p, id, "Slip gaji bulan lalu sudah saya lampirkan."))
		}},
		"LatestSuggestion": {Refuse: caseStaff, Do: func(p *auth.Principal) error { return second(svc.LatestSuggestion(ctx, tid, p, id)) }},
		"DecideSuggestion": {Refuse: caseStaff, Do: func(p *auth.Principal) error {
			return second(svc.DecideSuggestion(ctx, tid, p, id, cases.Decision{Accept: true}))
		}},
		"FileVia": {Refuse: []string{stranger, outsider, otherUnion}, Do: func(p *auth.Principal) error {
			return second(svc.FileVia(ctx, f.t, nil, cases.Filing{Type: "complaint", WorkplaceID: wp.String(),
				Description: "Pekerja datang ke kantor: upah lembur tidak dibayar."}, cases.Intake{Channel: "walk_in", AssistedBy: p, Consent: true}))
		}},
		"AdminCategories": {Refuse: unionWide, Do: func(p *auth.Principal) error { return second(svc.AdminCategories(ctx, f.t, p)) }},
		"AdminCategory":   {Refuse: unionWide, Do: func(p *auth.Principal) error { return second(svc.AdminCategory(ctx, f.t, p, cat)) }},
		"DeleteCategory":  {Refuse: unionWide, Do: func(p *auth.Principal) error { return svc.DeleteCategory(ctx, f.t, p, cat) }},
		"MergeWorkplaces": {Refuse: unionWide, Do: func(p *auth.Principal) error {
			return second(svc.MergeWorkplaces(ctx, f.t, p, wp, uuid.MustParse(f.workplace(t, "pt-sinar-busana-garmen"))))
		}},
		"MergeCategories": {Refuse: unionWide, Do: func(p *auth.Principal) error { return second(svc.MergeCategories(ctx, f.t, p, cat, uuid.New())) }},
	}

	before := f.events(t, id)
	authtest.Walk(t, svc, table, accessUnchecked, callers, 55)
	if got := f.events(t, id); got != before {
		t.Errorf("refused calls wrote %d timeline events", got-before)
	}
}

// second returns the error of a two-result call.
func second[T any](_ T, err error) error { return err }
