package cases

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/apperr"
)

// The expectation below is written from the product rules, in words, not
// from lifecycleRules: each line is "transition: from states → to; who".
// A change to the state machine must be made in both places on purpose.
var lifecycleSpec = []struct {
	t    string
	from string // space-separated
	to   string // "<previous>" for provide_info
	who  string // space-separated
}{
	{"verify", "submitted", "verified", "case_officer branch_admin federation_admin"},
	{"start", "verified reopened", "in_progress", "case_officer branch_admin federation_admin"},
	{"request_info", "submitted verified in_progress reopened", "needs_info", "case_officer branch_admin federation_admin"},
	{"provide_info", "needs_info", "<previous>", "reporter"},
	{"resolve", "in_progress reopened", "resolved", "case_officer branch_admin federation_admin"},
	{"close", "resolved", "closed", "branch_admin federation_admin system"},
	{"reject", "submitted verified needs_info", "rejected", "case_officer branch_admin federation_admin"},
	{"mark_duplicate", "submitted verified needs_info", "duplicate", "case_officer branch_admin federation_admin"},
	{"refer", "verified in_progress", "referred", "case_officer branch_admin federation_admin"},
	{"withdraw", "submitted verified in_progress needs_info reopened", "withdrawn", "reporter"},
	{"reopen", "resolved", "reopened", "reporter"},
}

// lifecycleFullRequest satisfies every transition's input needs.
var lifecycleFullRequest = TransitionRequest{
	Reason:      "Bukti slip gaji belum dilampirkan.",
	DuplicateOf: "0f9d3c1e-8a51-4c43-9d7a-5b7f0e2c9a11",
	Previous:    StatusInProgress,
}

func TestApplyEveryTriple(t *testing.T) {
	type spec struct {
		from map[string]bool
		to   string
		who  map[string]bool
	}
	set := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, f := range strings.Fields(s) {
			m[f] = true
		}
		return m
	}
	want := map[string]spec{}
	for _, l := range lifecycleSpec {
		want[l.t] = spec{set(l.from), l.to, set(l.who)}
	}
	if len(want) != len(AllTransitions()) {
		t.Fatalf("spec has %d transitions, package %d", len(want), len(AllTransitions()))
	}
	// Unknown values are part of the space: they must fail closed.
	statuses := append(AllStatuses(), "archived")
	transitions := append(AllTransitions(), "delete")
	actors := append(AllActors(), "employer")

	var ok, conflict, forbidden int
	for _, from := range statuses {
		for _, tr := range transitions {
			for _, actor := range actors {
				s, known := want[string(tr)]
				got, err := Apply(from, tr, actor, lifecycleFullRequest)
				var te *TransitionError
				switch {
				case !known || !s.from[string(from)]:
					conflict++
					if !errors.As(err, &te) || !errors.Is(err, apperr.ErrConflict) {
						t.Errorf("%s --%s--> by %s: err %v, want *TransitionError (409)", from, tr, actor, err)
						continue
					}
					if te.From != from || te.Transition != tr || !slices.Equal(te.Allowed, AllowedTransitions(from, actor)) {
						t.Errorf("%s --%s--> by %s: TransitionError %+v", from, tr, actor, te)
					}
				case !s.who[string(actor)]:
					forbidden++
					if !errors.Is(err, ErrActorNotAllowed) || !errors.Is(err, apperr.ErrForbidden) || errors.As(err, &te) {
						t.Errorf("%s --%s--> by %s: err %v, want ErrActorNotAllowed (403)", from, tr, actor, err)
					}
				default:
					ok++
					wantTo := Status(s.to)
					if s.to == "<previous>" {
						wantTo = lifecycleFullRequest.Previous
					}
					if err != nil || got != wantTo {
						t.Errorf("%s --%s--> by %s = %q, %v; want %q", from, tr, actor, got, err, wantTo)
					}
				}
			}
		}
	}
	// Guard the guard: the loops really visited all three classes.
	t.Logf("ok %d, 409 %d, 403 %d", ok, conflict, forbidden)
	if ok == 0 || conflict == 0 || forbidden == 0 {
		t.Fatal("a class of outcomes was never exercised")
	}
	if total := len(statuses) * len(transitions) * len(actors); ok+conflict+forbidden != total {
		t.Fatalf("visited %d triples, want %d", ok+conflict+forbidden, total)
	}
}

func TestAllowedTransitions(t *testing.T) {
	for _, tc := range []struct {
		from  Status
		actor Actor
		want  []Transition
	}{
		{StatusSubmitted, ActorCaseOfficer, []Transition{TransitionVerify, TransitionRequestInfo, TransitionReject, TransitionMarkDuplicate}},
		{StatusSubmitted, ActorReporter, []Transition{TransitionWithdraw}},
		{StatusNeedsInfo, ActorReporter, []Transition{TransitionProvideInfo, TransitionWithdraw}},
		{StatusResolved, ActorCaseOfficer, nil},
		{StatusResolved, ActorBranchAdmin, []Transition{TransitionClose}},
		{StatusResolved, ActorReporter, []Transition{TransitionReopen}},
		{StatusResolved, ActorSystem, []Transition{TransitionClose}},
		{StatusReopened, ActorFederationAdmin, []Transition{TransitionStart, TransitionRequestInfo, TransitionResolve}},
		{StatusClosed, ActorFederationAdmin, nil},
		{StatusInProgress, ActorSystem, nil},
	} {
		if got := AllowedTransitions(tc.from, tc.actor); !slices.Equal(got, tc.want) {
			t.Errorf("AllowedTransitions(%s, %s) = %v, want %v", tc.from, tc.actor, got, tc.want)
		}
	}
}

func TestReasons(t *testing.T) {
	needReason := []struct {
		from Status
		t    Transition
		by   Actor
	}{
		{StatusSubmitted, TransitionReject, ActorCaseOfficer},
		{StatusVerified, TransitionMarkDuplicate, ActorBranchAdmin},
		{StatusInProgress, TransitionRefer, ActorFederationAdmin},
		{StatusResolved, TransitionReopen, ActorReporter},
		{StatusVerified, TransitionRequestInfo, ActorCaseOfficer},
	}
	long := strings.Repeat("é", MaxReasonRunes) // 2000 runes, 4000 bytes
	for _, c := range needReason {
		for reason, wantKey := range map[string]string{
			"":                                      "error.reason_required",
			" \n\t ":                                "error.reason_required",
			long + "x":                              "error.reason_too_long",
			"\xff\xfe bukan teks":                   "error.reason_invalid",
			"  " + long + "\n":                      "", // trimmed before counting
			"Sudah ditangani Disnaker Kab. Bekasi.": "",
		} {
			req := lifecycleFullRequest
			req.Reason = reason
			_, err := Apply(c.from, c.t, c.by, req)
			if wantKey == "" {
				if err != nil {
					t.Errorf("%s with a %d-rune reason: %v", c.t, len([]rune(reason)), err)
				}
				continue
			}
			var rr *ReasonRequiredError
			var ve *apperr.Validation
			if !errors.As(err, &rr) || rr.Key != wantKey || rr.Transition != c.t {
				t.Errorf("%s with reason %.20q: err %v, want key %s", c.t, reason, err, wantKey)
				continue
			}
			if !errors.As(err, &ve) || ve.Fields["reason"] != wantKey {
				t.Errorf("%s: ReasonRequiredError does not unwrap to a reason field error: %v", c.t, err)
			}
		}
	}
	// Transitions without a reason do not ask for one.
	if _, err := Apply(StatusSubmitted, TransitionVerify, ActorCaseOfficer, TransitionRequest{}); err != nil {
		t.Errorf("verify without reason: %v", err)
	}
	if _, err := Apply(StatusInProgress, TransitionWithdraw, ActorReporter, TransitionRequest{}); err != nil {
		t.Errorf("withdraw without reason: %v", err)
	}
	// The 409 and 403 checks come before the reason check.
	var te *TransitionError
	if _, err := Apply(StatusClosed, TransitionReject, ActorCaseOfficer, TransitionRequest{}); !errors.As(err, &te) {
		t.Errorf("reject a closed case without reason: %v, want TransitionError", err)
	}
	if _, err := Apply(StatusSubmitted, TransitionReject, ActorReporter, TransitionRequest{}); !errors.Is(err, ErrActorNotAllowed) {
		t.Errorf("reporter rejects without reason: %v, want ErrActorNotAllowed", err)
	}
}

func TestMarkDuplicateNeedsSurvivor(t *testing.T) {
	req := lifecycleFullRequest
	req.DuplicateOf = "  "
	_, err := Apply(StatusSubmitted, TransitionMarkDuplicate, ActorCaseOfficer, req)
	var ve *apperr.Validation
	if !errors.As(err, &ve) || ve.Fields["duplicate_of"] != "error.duplicate_of_required" {
		t.Fatalf("mark_duplicate without survivor: %v", err)
	}
}

func TestProvideInfoReturnsToPrevious(t *testing.T) {
	for _, prev := range []Status{StatusSubmitted, StatusVerified, StatusInProgress, StatusReopened} {
		got, err := Apply(StatusNeedsInfo, TransitionProvideInfo, ActorReporter, TransitionRequest{Previous: prev})
		if err != nil || got != prev {
			t.Errorf("provide_info back to %s = %q, %v", prev, got, err)
		}
	}
	for _, prev := range []Status{"", StatusNeedsInfo, StatusClosed, StatusResolved, "archived"} {
		_, err := Apply(StatusNeedsInfo, TransitionProvideInfo, ActorReporter, TransitionRequest{Previous: prev})
		var ve *apperr.Validation
		if err == nil || errors.As(err, &ve) {
			t.Errorf("provide_info back to %q: err %v, want an internal (non-validation) error", prev, err)
		}
	}
}

func TestStatusClasses(t *testing.T) {
	open := map[Status]bool{StatusSubmitted: true, StatusVerified: true, StatusInProgress: true, StatusNeedsInfo: true, StatusReopened: true}
	final := map[Status]bool{StatusClosed: true, StatusRejected: true, StatusDuplicate: true, StatusReferred: true, StatusWithdrawn: true}
	for _, s := range AllStatuses() {
		if IsOpen(s) != open[s] || IsFinal(s) != final[s] {
			t.Errorf("%s: IsOpen %v IsFinal %v", s, IsOpen(s), IsFinal(s))
		}
		// Final means no way out for anyone; every other status has one.
		var out int
		for _, a := range AllActors() {
			out += len(AllowedTransitions(s, a))
		}
		if (out == 0) != final[s] {
			t.Errorf("%s: %d transitions out, final %v", s, out, final[s])
		}
		if !s.Valid() {
			t.Errorf("%s not Valid", s)
		}
	}
	if IsOpen("archived") || Status("archived").Valid() || Transition("delete").Valid() || Actor("employer").Valid() {
		t.Error("unknown values reported valid or open")
	}
}

func TestCanReopen(t *testing.T) {
	resolved := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	for _, tc := range []struct {
		now    time.Time
		window time.Duration
		want   bool
	}{
		{resolved.Add(time.Hour), week, true},
		{resolved.Add(week), week, true}, // boundary included
		{resolved.Add(week + time.Microsecond), week, false},
		{resolved.Add(-time.Minute), week, false}, // before the resolution: clock skew or bad data
		{resolved.Add(time.Hour), 0, false},       // reopening disabled
	} {
		if got := CanReopen(tc.now, resolved, tc.window); got != tc.want {
			t.Errorf("CanReopen(+%s, window %s) = %v, want %v", tc.now.Sub(resolved), tc.window, got, tc.want)
		}
	}
}
