package cases

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/suara-id/suara/internal/apperr"
)

// Status is where a case stands in its life.
type Status string

const (
	StatusSubmitted  Status = "submitted"
	StatusVerified   Status = "verified"
	StatusInProgress Status = "in_progress"
	StatusNeedsInfo  Status = "needs_info" // waiting for the reporter; the SLA clock pauses
	StatusResolved   Status = "resolved"
	StatusClosed     Status = "closed"
	StatusRejected   Status = "rejected"
	StatusDuplicate  Status = "duplicate"
	StatusReferred   Status = "referred" // handed to another body (Disnaker, Lapor Menaker, a brand)
	StatusWithdrawn  Status = "withdrawn"
	StatusReopened   Status = "reopened" // the reporter disputes a resolution
)

// Transition names a move between statuses.
type Transition string

const (
	TransitionVerify        Transition = "verify"
	TransitionStart         Transition = "start"
	TransitionRequestInfo   Transition = "request_info"
	TransitionProvideInfo   Transition = "provide_info"
	TransitionResolve       Transition = "resolve"
	TransitionClose         Transition = "close"
	TransitionReject        Transition = "reject"
	TransitionMarkDuplicate Transition = "mark_duplicate"
	TransitionRefer         Transition = "refer"
	TransitionWithdraw      Transition = "withdraw"
	TransitionReopen        Transition = "reopen"
)

// Actor is the part someone plays on a case; the service maps a user (or a
// receipt code, or a background job) to one.
type Actor string

const (
	ActorReporter        Actor = "reporter"
	ActorCaseOfficer     Actor = "case_officer"
	ActorBranchAdmin     Actor = "branch_admin"
	ActorFederationAdmin Actor = "federation_admin"
	// ActorSystem is a background job. It may only close a resolved case whose
	// reopen window has passed, so automatic closing goes through the same
	// rules as a person and shows in the timeline under its own name.
	ActorSystem Actor = "system"
)

// MaxReasonRunes bounds a reporter-visible reason.
const MaxReasonRunes = 2000

// AllStatuses lists every status in lifecycle order.
func AllStatuses() []Status {
	return []Status{
		StatusSubmitted, StatusVerified, StatusInProgress, StatusNeedsInfo, StatusResolved,
		StatusClosed, StatusRejected, StatusDuplicate, StatusReferred, StatusWithdrawn, StatusReopened,
	}
}

// AllTransitions lists every transition; AllowedTransitions keeps this order.
func AllTransitions() []Transition {
	return []Transition{
		TransitionVerify, TransitionStart, TransitionRequestInfo, TransitionProvideInfo,
		TransitionResolve, TransitionClose, TransitionReject, TransitionMarkDuplicate,
		TransitionRefer, TransitionWithdraw, TransitionReopen,
	}
}

// AllActors lists every actor, ActorSystem included.
func AllActors() []Actor {
	return []Actor{ActorReporter, ActorCaseOfficer, ActorBranchAdmin, ActorFederationAdmin, ActorSystem}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(AllStatuses(), s) }

// Valid reports whether t is a known transition.
func (t Transition) Valid() bool { return slices.Contains(AllTransitions(), t) }

// Valid reports whether a is a known actor.
func (a Actor) Valid() bool { return slices.Contains(AllActors(), a) }

// IsOpen reports whether the union is still working on a case in s (or
// waiting for its reporter). Resolved is not open: handling is done and the
// case only waits to be closed or reopened.
func IsOpen(s Status) bool {
	switch s {
	case StatusSubmitted, StatusVerified, StatusInProgress, StatusNeedsInfo, StatusReopened:
		return true
	}
	return false
}

// IsFinal reports whether no transition leads out of s.
func IsFinal(s Status) bool {
	switch s {
	case StatusClosed, StatusRejected, StatusDuplicate, StatusReferred, StatusWithdrawn:
		return true
	}
	return false
}

var (
	lifecycleOpen     = []Status{StatusSubmitted, StatusVerified, StatusInProgress, StatusNeedsInfo, StatusReopened}
	lifecycleStaff    = []Actor{ActorCaseOfficer, ActorBranchAdmin, ActorFederationAdmin}
	lifecycleReporter = []Actor{ActorReporter}
)

// lifecycleRule is one transition: the statuses it leaves from, where it
// goes, who may make it and whether it needs a reporter-visible reason.
type lifecycleRule struct {
	from   []Status
	to     Status // empty for provide_info, which returns to the previous status
	actors []Actor
	reason bool
}

// lifecycleRules is the whole state machine. It is read-only after init.
//
// Decisions worth knowing:
//   - provide_info is the reporter's alone: the reply is what the case waits
//     for and what restarts the SLA clock, so staff cannot end a pause on the
//     reporter's behalf (an answer by phone goes into a message or note, and
//     the reporter, or the receipt-code holder, confirms it).
//   - close belongs to branch and federation admins (and the system job after
//     the reopen window): officers resolve, an admin signs the case off.
//   - withdraw and reopen are the reporter's alone; reopen also needs the
//     reopen window, which the service checks with CanReopen.
var lifecycleRules = map[Transition]lifecycleRule{
	TransitionVerify:        {from: []Status{StatusSubmitted}, to: StatusVerified, actors: lifecycleStaff},
	TransitionStart:         {from: []Status{StatusVerified, StatusReopened}, to: StatusInProgress, actors: lifecycleStaff},
	TransitionRequestInfo:   {from: []Status{StatusSubmitted, StatusVerified, StatusInProgress, StatusReopened}, to: StatusNeedsInfo, actors: lifecycleStaff, reason: true},
	TransitionProvideInfo:   {from: []Status{StatusNeedsInfo}, actors: lifecycleReporter},
	TransitionResolve:       {from: []Status{StatusInProgress, StatusReopened}, to: StatusResolved, actors: lifecycleStaff},
	TransitionClose:         {from: []Status{StatusResolved}, to: StatusClosed, actors: []Actor{ActorBranchAdmin, ActorFederationAdmin, ActorSystem}},
	TransitionReject:        {from: []Status{StatusSubmitted, StatusVerified, StatusNeedsInfo}, to: StatusRejected, actors: lifecycleStaff, reason: true},
	TransitionMarkDuplicate: {from: []Status{StatusSubmitted, StatusVerified, StatusNeedsInfo}, to: StatusDuplicate, actors: lifecycleStaff, reason: true},
	TransitionRefer:         {from: []Status{StatusVerified, StatusInProgress}, to: StatusReferred, actors: lifecycleStaff, reason: true},
	TransitionWithdraw:      {from: lifecycleOpen, to: StatusWithdrawn, actors: lifecycleReporter},
	TransitionReopen:        {from: []Status{StatusResolved}, to: StatusReopened, actors: lifecycleReporter, reason: true},
}

// TransitionRequest carries what some transitions need besides the actor.
type TransitionRequest struct {
	// Reason is shown to the reporter; required for reject, mark_duplicate,
	// refer, reopen and request_info. Stored trimmed (strings.TrimSpace).
	Reason string
	// DuplicateOf is the surviving case, required for mark_duplicate. That it
	// exists, is another case and belongs to the tenant is the service's check.
	DuplicateOf string
	// Previous is the status the case had when information was requested;
	// provide_info returns to it.
	Previous Status
}

// ErrActorNotAllowed means the transition exists from the case's status but
// this actor may not make it (HTTP 403).
var ErrActorNotAllowed = fmt.Errorf("actor may not make this transition: %w", apperr.ErrForbidden)

// TransitionError means the transition does not exist from the case's status
// for anyone (HTTP 409): the case moved on, or the client is confused.
// Allowed lists what this actor may do from From instead.
type TransitionError struct {
	From       Status
	Transition Transition
	Allowed    []Transition
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s a case that is %s", e.Transition, e.From)
}

// Unwrap makes the error a conflict for the web layer.
func (e *TransitionError) Unwrap() error { return apperr.ErrConflict }

// ReasonRequiredError means a transition that needs a reporter-visible reason
// got none, an over-long one or one that is not valid UTF-8. It unwraps to an
// *apperr.Validation on field "reason" (HTTP 422).
type ReasonRequiredError struct {
	Transition Transition
	Key        string // message key: error.reason_required, error.reason_too_long or error.reason_invalid
}

func (e *ReasonRequiredError) Error() string {
	return fmt.Sprintf("%s: reason: %s", e.Transition, e.Key)
}

// Unwrap exposes the field error the web layer renders.
func (e *ReasonRequiredError) Unwrap() error { return apperr.Invalid("reason", e.Key) }

// Apply checks that actor may make transition t from a case in status from
// and returns the status the case moves to. Checks run in this order: the
// transition must exist from from (else *TransitionError, 409), the actor must
// be allowed (else ErrActorNotAllowed, 403), then the request must carry what
// the transition needs (*ReasonRequiredError or an *apperr.Validation, 422).
// Unknown statuses and transitions are *TransitionError; unknown actors are
// refused as not allowed.
func Apply(from Status, t Transition, actor Actor, req TransitionRequest) (Status, error) {
	r, ok := lifecycleRules[t]
	if !ok || !slices.Contains(r.from, from) {
		return "", &TransitionError{From: from, Transition: t, Allowed: AllowedTransitions(from, actor)}
	}
	if !slices.Contains(r.actors, actor) {
		return "", fmt.Errorf("%w: %s may not %s a %s case", ErrActorNotAllowed, actor, t, from)
	}
	if r.reason {
		if key := lifecycleReasonProblem(req.Reason); key != "" {
			return "", &ReasonRequiredError{Transition: t, Key: key}
		}
	}
	switch t {
	case TransitionMarkDuplicate:
		if strings.TrimSpace(req.DuplicateOf) == "" {
			return "", apperr.Invalid("duplicate_of", "error.duplicate_of_required")
		}
	case TransitionProvideInfo:
		// Previous comes from the case's own history, not from the user, so a
		// bad one is a bug or corrupt data (500), not a validation error.
		if !slices.Contains(lifecycleRules[TransitionRequestInfo].from, req.Previous) {
			return "", fmt.Errorf("provide_info: previous status %q is not one information can be requested from", req.Previous)
		}
		return req.Previous, nil
	}
	return r.to, nil
}

func lifecycleReasonProblem(reason string) string {
	s := strings.TrimSpace(reason)
	switch {
	case s == "":
		return "error.reason_required"
	case !utf8.ValidString(s):
		return "error.reason_invalid"
	case utf8.RuneCountInString(s) > MaxReasonRunes:
		return "error.reason_too_long"
	}
	return ""
}

// AllowedTransitions lists, in AllTransitions order, the transitions actor may
// make from status from (for buttons and for TransitionError.Allowed). It does
// not know about reasons or the reopen window.
func AllowedTransitions(from Status, actor Actor) []Transition {
	var out []Transition
	for _, t := range AllTransitions() {
		r := lifecycleRules[t]
		if slices.Contains(r.from, from) && slices.Contains(r.actors, actor) {
			out = append(out, t)
		}
	}
	return out
}

// CanReopen reports whether a case resolved at resolvedAt may still be
// reopened at now: within window after the resolution, boundary included.
// A zero or negative window disables reopening.
func CanReopen(now, resolvedAt time.Time, window time.Duration) bool {
	if window <= 0 || now.Before(resolvedAt) {
		return false
	}
	return now.Sub(resolvedAt) <= window
}
