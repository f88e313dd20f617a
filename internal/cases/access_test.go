package cases_test

import (
	"context"
	"errors"
	"reflect"
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

	type entry struct {
		refuse []string
		call   func(p *auth.Principal) error
	}
	e1 := func(err error) error { return err }
	table := map[string]entry{
		"RecordAction": {caseStaff, func(p *auth.Principal) error {
			return second(svc.RecordAction(ctx, tid, p, id, cases.ActionInput{Kind: cases.ActionBipartite, Visibility: "internal",
				Date: time.Now().Format(time.DateOnly), Participants: []string{"HRD", "Ketua PUK"}, Outcome: "scheduled"}))
		}},
		"AddNote": {caseStaff, func(p *auth.Principal) error {
			return second(svc.AddNote(ctx, tid, p, id, "Catatan internal petugas."))
		}},
		"CannedReplies":     {[]string{stranger, otherUnion}, func(p *auth.Principal) error { return second(svc.CannedReplies(ctx, tid, p, "id")) }},
		"CannedReply":       {[]string{stranger, otherUnion}, func(p *auth.Principal) error { return second(svc.CannedReply(ctx, tid, p, reply.ID)) }},
		"AddCannedReply":    {unionWide, func(p *auth.Principal) error { return second(svc.AddCannedReply(ctx, tid, p, f.t.Slug, *reply)) }},
		"DeleteCannedReply": {unionWide, func(p *auth.Principal) error { return e1(svc.DeleteCannedReply(ctx, tid, p, f.t.Slug, reply.ID)) }},
		"SetStatusWording": {unionWide, func(p *auth.Principal) error {
			return svc.SetStatusWording(ctx, tid, p, f.t.Slug, cases.StatusWording{Status: cases.StatusSubmitted, ID: "Diterima", EN: "Received"})
		}},
		"SetStatusWordings": {unionWide, func(p *auth.Principal) error {
			return svc.SetStatusWordings(ctx, tid, p, f.t.Slug, []cases.StatusWording{{Status: cases.StatusSubmitted, ID: "Diterima", EN: "Received"}})
		}},
		"Playbook": {caseStaff, func(p *auth.Principal) error { return second(svc.Playbook(ctx, tid, p, id, "id")) }},
		"Assign": {caseSenior, func(p *auth.Principal) error {
			return second(svc.Assign(ctx, tid, p, id, cases.AssignInput{OfficerID: f.officer.UserID.String()}))
		}},
		"AddRoutingRule": {unionWide, func(p *auth.Principal) error {
			return second(svc.AddRoutingRule(ctx, tid, p, f.t.Slug, cases.RoutingRule{WorkplaceID: &wp, OfficerID: &f.officer.UserID}))
		}},
		"RoutingRules":      {unionWide, func(p *auth.Principal) error { return second(svc.RoutingRules(ctx, tid, p, f.t.Slug)) }},
		"DeleteRoutingRule": {unionWide, func(p *auth.Principal) error { return svc.DeleteRoutingRule(ctx, tid, p, f.t.Slug, uuid.New()) }},
		"AddStaffConflict": {unionWide, func(p *auth.Principal) error {
			return svc.AddStaffConflict(ctx, tid, p, f.t.Slug, f.officer.UserID, wp, "Kerabat manajer perusahaan.")
		}},
		"StaffConflicts": {unionWide, func(p *auth.Principal) error { return second(svc.StaffConflicts(ctx, tid, p, f.t.Slug)) }},
		"DeleteStaffConflict": {unionWide, func(p *auth.Principal) error {
			return svc.DeleteStaffConflict(ctx, tid, p, f.t.Slug, f.officer.UserID, wp)
		}},
		"SetBrandConsent":  {reporters, func(p *auth.Principal) error { return svc.SetBrandConsent(ctx, tid, p, id, true) }},
		"BrandConsent":     {[]string{stranger, outsider, otherUnion}, func(p *auth.Principal) error { return second(svc.BrandConsent(ctx, tid, p, id)) }},
		"BrandSharingOf":   {caseSenior, func(p *auth.Principal) error { return second(svc.BrandSharingOf(ctx, tid, p, id)) }},
		"ShareWithBrand":   {caseSenior, func(p *auth.Principal) error { return second(svc.ShareWithBrand(ctx, tid, p, id, "Merek Contoh")) }},
		"RevokeBrandShare": {caseSenior, func(p *auth.Principal) error { return svc.RevokeBrandShare(ctx, tid, p, id, uuid.New()) }},
		"AnswerCheckin": {reporters, func(p *auth.Principal) error {
			return second(svc.AnswerCheckin(ctx, tid, p, id, 1, cases.CheckinAnswer{RemedyHeld: &yes, Retaliation: &yes}))
		}},
		"Clocks": {caseStaff, func(p *auth.Principal) error { return second(svc.Clocks(ctx, tid, p, id)) }},
		"Dashboard": {[]string{stranger, outsider, officer, otherUnion}, func(p *auth.Principal) error {
			return second(svc.Dashboard(ctx, f.t, p, "spn/jabar", "id", time.Now()))
		}},
		"FilteredDashboard": {[]string{stranger, outsider, officer, otherUnion}, func(p *auth.Principal) error {
			return second(svc.FilteredDashboard(ctx, f.t, p, "spn/jabar", "id", time.Now(), cases.DashboardFilter{VerifiedMembers: true}))
		}},
		"AddEvidence": {[]string{stranger, outsider, otherUnion}, func(p *auth.Principal) error {
			return second(svc.AddEvidence(ctx, tid, p, id, "catatan.txt", "text/plain", strings.NewReader("bukti")))
		}},
		"OpenEvidence": {caseStaff, func(p *auth.Principal) error {
			_, _, err := svc.OpenEvidence(ctx, tid, p, id, uuid.New())
			return err
		}},
		"ExportCases":     {unionWide, func(p *auth.Principal) error { return second(svc.ExportCases(ctx, tid, p, nil)) }},
		"SetShareConsent": {reporters, func(p *auth.Principal) error { return svc.SetShareConsent(ctx, tid, p, id, true) }},
		"ShareConsent":    {[]string{stranger, outsider, otherUnion}, func(p *auth.Principal) error { return second(svc.ShareConsent(ctx, tid, p, id)) }},
		"ExportPacket":    {caseSenior, func(p *auth.Principal) error { return second(svc.ExportPacket(ctx, tid, p, id, "id")) }},
		"AddMessage":      {[]string{stranger, outsider, otherUnion}, func(p *auth.Principal) error { return second(svc.AddMessage(ctx, tid, p, id, "Mohon kabar terbaru.")) }},
		"Transition": {caseStaff, func(p *auth.Principal) error {
			return second(svc.Transition(ctx, tid, p, id, cases.TransitionInput{Transition: "verify"}))
		}},
		"Allowed": {[]string{stranger, outsider, otherUnion}, func(p *auth.Principal) error {
			_, _, err := svc.Allowed(ctx, tid, p, id)
			return err
		}},
		"AddTranscript": {caseStaff, func(p *auth.Principal) error { return svc.AddTranscript(ctx, tid, p, id, "Isi rekaman suara pelapor.") }},
		"Intake":        {caseStaff, func(p *auth.Principal) error { return second(svc.Intake(ctx, tid, p, id)) }},
		"RecordOutcome": {caseStaff, func(p *auth.Principal) error {
			return second(svc.RecordOutcome(ctx, tid, p, id, cases.OutcomeInput{LadderStage: "bipartite", Types: []string{"apology"}}))
		}},
		"Queue": {[]string{stranger, otherUnion}, func(p *auth.Principal) error {
			_, _, err := svc.Queue(ctx, tid, p, cases.QueueFilter{})
			return err
		}},
		"Rate": {reporters, func(p *auth.Principal) error {
			return second(svc.Rate(ctx, tid, p, id, cases.RatingInput{Handling: 4, Outcome: 4}))
		}},
		"Get": {caseStaff, func(p *auth.Principal) error { return second(svc.Get(ctx, tid, p, id)) }},
		"RevealIdentity": {unionWide, func(p *auth.Principal) error {
			return second(svc.RevealIdentity(ctx, tid, p, id, "Perlu menghubungi pelapor untuk mediasi."))
		}},
		"Recommendations": {caseStaff, func(p *auth.Principal) error { return second(svc.Recommendations(ctx, tid, p, id, "id")) }},
		"AnswerInfoRequest": {reporters, func(p *auth.Principal) error {
			return second(svc.AnswerInfoRequest(ctx, tid, p, id, "Slip gaji bulan lalu sudah saya lampirkan."))
		}},
		"LatestSuggestion": {caseStaff, func(p *auth.Principal) error { return second(svc.LatestSuggestion(ctx, tid, p, id)) }},
		"DecideSuggestion": {caseStaff, func(p *auth.Principal) error {
			return second(svc.DecideSuggestion(ctx, tid, p, id, cases.Decision{Accept: true}))
		}},
		"FileVia": {[]string{stranger, outsider, otherUnion}, func(p *auth.Principal) error {
			return second(svc.FileVia(ctx, f.t, nil, cases.Filing{Type: "complaint", WorkplaceID: wp.String(),
				Description: "Pekerja datang ke kantor: upah lembur tidak dibayar."}, cases.Intake{Channel: "walk_in", AssistedBy: p, Consent: true}))
		}},
		"AdminCategories": {unionWide, func(p *auth.Principal) error { return second(svc.AdminCategories(ctx, f.t, p)) }},
		"AdminCategory":   {unionWide, func(p *auth.Principal) error { return second(svc.AdminCategory(ctx, f.t, p, cat)) }},
		"DeleteCategory":  {unionWide, func(p *auth.Principal) error { return svc.DeleteCategory(ctx, f.t, p, cat) }},
		"MergeWorkplaces": {unionWide, func(p *auth.Principal) error {
			return second(svc.MergeWorkplaces(ctx, f.t, p, wp, uuid.MustParse(f.workplace(t, "pt-sinar-busana-garmen"))))
		}},
		"MergeCategories": {unionWide, func(p *auth.Principal) error { return second(svc.MergeCategories(ctx, f.t, p, cat, uuid.New())) }},
	}

	// The table and accessUnchecked together name exactly the methods that
	// take a caller.
	principal := reflect.TypeOf((*auth.Principal)(nil))
	var takers []string
	typ := reflect.TypeOf(svc)
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		for j := 1; j < m.Type.NumIn(); j++ {
			if m.Type.In(j) == principal {
				takers = append(takers, m.Name)
				break
			}
		}
	}
	for _, name := range takers {
		_, listed := table[name]
		_, excused := accessUnchecked[name]
		if listed == excused {
			t.Errorf("%s takes a caller: list it once, in the table (who it refuses) or in accessUnchecked (why nobody)", name)
		}
	}
	for name := range table {
		if !slices.Contains(takers, name) {
			t.Errorf("%s is in the table but takes no caller", name)
		}
	}
	if len(takers) < 55 {
		t.Fatalf("only %d methods take a caller: the walk found too few", len(takers))
	}

	before := f.events(t, id)
	names := make([]string, 0, len(table))
	for name := range table {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, who := range table[name].refuse {
			err := table[name].call(callers[who])
			if !errors.Is(err, apperr.ErrForbidden) && !errors.Is(err, apperr.ErrNotFound) && !errors.Is(err, apperr.ErrUnauthorized) {
				t.Errorf("%s by %s: %v, want refused (forbidden or not found)", name, who, err)
			}
		}
	}
	if got := f.events(t, id); got != before {
		t.Errorf("refused calls wrote %d timeline events", got-before)
	}
}

// second returns the error of a two-result call.
func second[T any](_ T, err error) error { return err }
