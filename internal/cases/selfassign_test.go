package cases_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/cases"
)

// A branch admin who assigns a confidential case to themselves gets the
// reporter's identity: without a reveal's written reason the assignment is
// refused (nothing changes), with one it is logged as a reveal, and the
// identity view that follows is logged as a reveal too. Assigning it to
// someone else needs no reason.
func TestSelfAssignmentOfAConfidentialCaseIsAReveal(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	svc := f.service(t, keyA)
	h := f.handlers(t)
	conf, err := svc.File(ctx, f.t, f.workers[0], cases.Filing{Type: "complaint", SafetyMode: "confidential",
		WorkplaceID: f.workplace(t, "pt-maju-jaya-garmen"), Description: "Mandor mengancam kami yang ikut serikat."})
	if err != nil {
		t.Fatal(err)
	}
	count := func(kind string) int {
		n := 0
		v, err := svc.Get(ctx, f.t.ID, h.fed, conf.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range v.Events {
			if string(e.Kind) == kind {
				n++
			}
		}
		return n
	}
	self := cases.AssignInput{OfficerID: h.branch.UserID.String()}
	before := f.events(t, conf.ID)
	for _, reason := range []string{"", "short", strings.Repeat("x", cases.MaxReasonRunes+1)} {
		self.Reason = reason
		_, err := svc.Assign(ctx, f.t.ID, h.branch, conf.ID, self)
		var ve *apperr.Validation
		if !errors.As(err, &ve) || ve.Fields["reason"] == "" {
			t.Fatalf("self-assignment with reason %q: %v", reason, err)
		}
	}
	var assigned *string
	f.caseRow(t, conf.ID, "assigned_to::text", &assigned)
	if assigned != nil || f.events(t, conf.ID) != before {
		t.Fatalf("a refused self-assignment changed the case: assigned %v, events %d → %d", assigned, before, f.events(t, conf.ID))
	}
	// Without the assignment the branch admin sees no identity.
	if v, err := svc.Get(ctx, f.t.ID, h.branch, conf.ID); err != nil || v.Reporter != nil {
		t.Fatalf("before: %v %v", v, err)
	}
	revealsBefore := count(cases.EventIdentityRevealed)
	self.Reason = "Pelapor meminta bertemu langsung dengan pengurus cabang."
	if _, err := svc.Assign(ctx, f.t.ID, h.branch, conf.ID, self); err != nil {
		t.Fatal(err)
	}
	if n := count(cases.EventIdentityRevealed); n != revealsBefore+1 {
		t.Fatalf("self-assignment: %d reveals, want %d", n, revealsBefore+1)
	}
	v, err := svc.Get(ctx, f.t.ID, h.branch, conf.ID)
	if err != nil || v.Reporter == nil {
		t.Fatalf("self-assigned handler: %v %v", v, err)
	}
	if n := count(cases.EventIdentityRevealed); n != revealsBefore+2 {
		t.Fatalf("the self-assigned view: %d reveals, want %d", n, revealsBefore+2)
	}
	var viewed int
	f.caseRow(t, conf.ID, "(SELECT count(*) FROM case_events e WHERE e.case_id = cases.id AND e.kind = 'identity_viewed')", &viewed)
	if viewed != 0 {
		t.Fatalf("the view was logged as an ordinary view")
	}
	var reason string
	f.caseRow(t, conf.ID, `(SELECT payload::jsonb->>'reason' FROM case_events e WHERE e.case_id = cases.id
		AND e.kind = 'identity_revealed' ORDER BY seq DESC LIMIT 1)`, &reason)
	if reason != self.Reason {
		t.Fatalf("the view's reveal carries reason %q", reason)
	}

	// Assigning the case to the officer (not oneself) needs no reason, and
	// the officer's views are ordinary assigned-handler views.
	if _, err := svc.Assign(ctx, f.t.ID, h.branch, conf.ID, cases.AssignInput{OfficerID: h.officer.UserID.String()}); err != nil {
		t.Fatal(err)
	}
	if v, err := svc.Get(ctx, f.t.ID, h.officer, conf.ID); err != nil || v.Reporter == nil {
		t.Fatalf("assigned officer: %v %v", v, err)
	}
	f.caseRow(t, conf.ID, "(SELECT count(*) FROM case_events e WHERE e.case_id = cases.id AND e.kind = 'identity_viewed')", &viewed)
	if viewed != 1 {
		t.Fatalf("officer's view: %d identity_viewed events", viewed)
	}
	if _, err := svc.VerifyTimeline(ctx, f.t.ID, conf.ID); err != nil {
		t.Fatal(err)
	}
}
