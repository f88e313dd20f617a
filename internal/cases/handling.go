package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// Event kinds written while a case is handled.
const (
	EventStatusChanged = "status_changed"
	EventAssigned      = "assigned"
	EventNote          = "note"
	EventRated         = "rated"
	EventCheckinAsked  = "checkin_asked"
	EventCheckinAnswer = "checkin_answered"
	// EventActionPrefix + an action kind ("action_bipartite") is a follow-up action.
	EventActionPrefix = "action_"
)

// ErrReopenWindowPassed refuses a reopen after the tenant's window.
var ErrReopenWindowPassed = &apperr.FieldConflict{Field: "transition", Key: "error.reopen_window_passed"}

// TransitionInput is a transition as a client asks for it.
type TransitionInput struct {
	Transition  string `json:"transition" form:"transition"`
	Reason      string `json:"reason" form:"reason"`
	DuplicateOf string `json:"duplicate_of" form:"duplicate_of"` // id or reference of the surviving case
}

// TransitionResult is the case's status after a transition and the event
// that recorded it.
type TransitionResult struct {
	Status Status `json:"status"`
	Event  Event  `json:"event"`
}

// staffActor is the lifecycle actor a staff member plays on a case: their
// highest role among those held at the case's branch or above it. Roles
// come from the memberships table in the same transaction, so a role
// granted or revoked a moment ago counts at once.
func staffActor(ctx context.Context, tx bun.Tx, userID uuid.UUID, branchPath string) (Actor, error) {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT m.role FROM memberships m
		JOIN branches b ON b.tenant_id = m.tenant_id AND b.id = m.branch_id
		JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
		WHERE m.user_id = ? AND b.closed_at IS NULL AND u.disabled_at IS NULL AND u.kind = 'staff'
		  AND (b.path = ? OR ? LIKE b.path || '/%')`, userID, branchPath, branchPath)
	if err != nil {
		return "", fmt.Errorf("staff roles: %w", err)
	}
	defer rows.Close()
	best := Actor("")
	rank := map[Actor]int{ActorCaseOfficer: 1, ActorBranchAdmin: 2, ActorFederationAdmin: 3}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return "", err
		}
		if a := Actor(r); rank[a] > rank[best] {
			best = a
		}
	}
	return best, rows.Err()
}

// actorFor loads case id with load (see caseAs) and maps a principal to
// their part on it: reporter, a staff actor, or apperr.ErrNotFound for
// anyone who may not even see it.
func (s *Service) actorFor(ctx context.Context, tx bun.Tx, p *auth.Principal, id uuid.UUID,
	load func(context.Context, bun.Tx, uuid.UUID) (*Case, error)) (*Case, Actor, error) {
	c, r, err := s.caseAs(ctx, tx, p, id, load)
	if err != nil {
		return nil, "", err
	}
	if r == roleReporter {
		return c, ActorReporter, nil
	}
	a, err := staffActor(ctx, tx, p.UserID, c.BranchPath)
	if err != nil {
		return nil, "", err
	}
	if a == "" {
		return nil, "", apperr.ErrForbidden
	}
	return c, a, nil
}

// Transition moves a case through its lifecycle on behalf of p: its
// reporter, or staff who may transition cases at its branch (their
// highest role there decides what they may do). A success appends exactly
// one reporter-visible status_changed event; a refusal appends none.
// Verifying a case also applies the tenant's routing rules to it.
func (s *Service) Transition(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, in TransitionInput) (*TransitionResult, error) {
	var out *TransitionResult
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, actor, err := s.actorFor(ctx, tx, p, id, lockedCase)
		if err != nil {
			return err
		}
		if actor != ActorReporter {
			if err := s.authz.Check(ctx, p, c.BranchPath, "case", "transition"); err != nil {
				return err
			}
		}
		out, err = s.transition(ctx, tx, c, actor, actorID(p, c, actor), in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("transition case: %w", err)
	}
	return out, nil
}

// TransitionByReceipt is Transition for an anonymous reporter (withdraw,
// provide_info, reopen).
func (s *Service) TransitionByReceipt(ctx context.Context, tenantID uuid.UUID, token string, in TransitionInput) (*TransitionResult, error) {
	var out *TransitionResult
	err := s.sessionCall(ctx, func() error {
		return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
			c, err := s.receiptCase(tenantID, token)(ctx, tx)
			if err != nil {
				return err
			}
			out, err = s.transition(ctx, tx, c, ActorReporter, "", in)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("transition by receipt: %w", err)
	}
	return out, nil
}

// actorID is the actor id stored on an event: staff by account, the
// reporter only for named cases (see reporterActor).
func actorID(p *auth.Principal, c *Case, a Actor) string {
	if a == ActorReporter {
		return reporterActor(p, c)
	}
	return p.UserID.String()
}

// byOf is the "by" of an event payload for an actor.
func byOf(a Actor) string {
	switch a {
	case ActorReporter:
		return "reporter"
	case ActorSystem:
		return "system"
	}
	return "staff"
}

// lockedCase loads a case and locks its row for the rest of the
// transaction, so two transitions of one case cannot interleave.
func lockedCase(ctx context.Context, tx bun.Tx, id uuid.UUID) (*Case, error) {
	if _, err := tx.ExecContext(ctx, "SELECT 1 FROM cases WHERE id = ? FOR UPDATE", id); err != nil {
		return nil, fmt.Errorf("lock case: %w", err)
	}
	return loadCase(ctx, tx, id)
}

// transition applies the lifecycle rules and their side effects inside tx.
func (s *Service) transition(ctx context.Context, tx bun.Tx, c *Case, actor Actor, actorID string, in TransitionInput) (*TransitionResult, error) {
	t := Transition(strings.TrimSpace(in.Transition))
	req := TransitionRequest{Reason: in.Reason, DuplicateOf: in.DuplicateOf}
	if c.Status == StatusNeedsInfo {
		req.Previous = StatusSubmitted
		if c.InfoReturnStatus != nil {
			req.Previous = Status(*c.InfoReturnStatus)
		}
	}
	to, err := Apply(c.Status, t, actor, req)
	if err != nil {
		return nil, err
	}
	// The reopen window is judged by the clock; what is stored keeps an
	// anonymous case's hour (stampFor): a reporter's withdrawal or reopening
	// would otherwise date their visit.
	now, at := s.Now().UTC(), s.stampFor(c)
	payload := map[string]any{"by": byOf(actor), "transition": string(t), "from": string(c.Status), "to": string(to)}
	if r := strings.TrimSpace(in.Reason); r != "" {
		payload["reason"] = r
	}
	set := map[string]any{"status": string(to)}
	switch t {
	case TransitionReopen:
		window, err := reopenWindow(ctx, tx)
		if err != nil {
			return nil, err
		}
		if c.ResolvedAt == nil || !CanReopen(now, *c.ResolvedAt, window) {
			return nil, ErrReopenWindowPassed
		}
	case TransitionMarkDuplicate:
		target, err := survivingCase(ctx, tx, c, in.DuplicateOf)
		if err != nil {
			return nil, err
		}
		set["duplicate_of"] = target.ID
		payload["duplicate_of"] = target.Reference
	case TransitionRequestInfo:
		set["info_return_status"] = string(c.Status)
	case TransitionProvideInfo:
		set["info_return_status"] = nil
	case TransitionResolve:
		set["resolved_at"] = at
	case TransitionClose:
		set["closed_at"] = at
	}
	q := tx.NewUpdate().Table("cases").Where("id = ?", c.ID)
	for col, v := range set {
		q = q.Set("? = ?", bun.Ident(col), v)
	}
	if _, err := q.Exec(ctx); err != nil {
		return nil, fmt.Errorf("update status: %w", db.MapError(err))
	}
	from := c.Status
	c.Status = to
	// The SLA clock (clocks.go) pauses and resumes with the status.
	if err := s.RecordStatusChange(ctx, tx, c, from, to, at); err != nil {
		return nil, err
	}
	e, err := s.addEvent(ctx, tx, c, EventStatusChanged, actorID, VisibilityReporter, payload)
	if err != nil {
		return nil, err
	}
	switch t {
	case TransitionClose:
		if err := s.scheduleCheckins(ctx, tx, c, at); err != nil {
			return nil, err
		}
	case TransitionVerify:
		if _, err := s.applyRouting(ctx, tx, c); err != nil {
			return nil, err
		}
	}
	return &TransitionResult{Status: to, Event: eventOf(e)}, nil
}

func eventOf(e *eventRow) Event {
	return Event{Seq: e.Seq, Kind: e.Kind, Visibility: e.Visibility, By: eventBy(*e), Payload: RawJSON(e.Payload), CreatedAt: e.CreatedAt}
}

// reopenWindow is the tenant's reopen window (tenant.Settings.ReopenWindow),
// read in the transaction so a change applies to the next request.
func reopenWindow(ctx context.Context, tx bun.Tx) (time.Duration, error) {
	var raw []byte
	if err := tx.QueryRowContext(ctx, "SELECT settings FROM tenants WHERE id = NULLIF(current_setting('app.tenant_id', true), '')::uuid").Scan(&raw); err != nil {
		return 0, fmt.Errorf("tenant settings: %w", err)
	}
	var st tenant.Settings
	_ = json.Unmarshal(raw, &st)
	return time.Duration(st.ReopenWindow()) * 24 * time.Hour, nil
}

// survivingCase finds the case a duplicate joins, by id or reference: it
// must be another case of the tenant that is not itself a duplicate.
func survivingCase(ctx context.Context, tx bun.Tx, c *Case, ref string) (*Case, error) {
	ref = strings.TrimSpace(ref)
	var id uuid.UUID
	if u, err := uuid.Parse(ref); err == nil {
		id = u
	} else {
		err := tx.NewSelect().Table("cases").Column("id").Where("reference = ?", strings.ToUpper(ref)).Scan(ctx, &id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.Invalid("duplicate_of", "error.invalid_choice")
		} else if err != nil {
			return nil, err
		}
	}
	if id == c.ID {
		return nil, apperr.Invalid("duplicate_of", "error.duplicate_of_self")
	}
	target, err := loadCase(ctx, tx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, apperr.Invalid("duplicate_of", "error.invalid_choice")
	} else if err != nil {
		return nil, err
	}
	if target.Status == StatusDuplicate {
		return nil, apperr.Invalid("duplicate_of", "error.duplicate_of_duplicate")
	}
	return target, nil
}

// Allowed lists the transitions p may make on the case now (for buttons).
func (s *Service) Allowed(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID) (Actor, []Transition, error) {
	var actor Actor
	var out []Transition
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, a, err := s.actorFor(ctx, tx, p, id, loadCase)
		if err != nil {
			return err
		}
		actor = a
		if actor != ActorReporter {
			if err := s.authz.Check(ctx, p, c.BranchPath, "case", "transition"); errors.Is(err, apperr.ErrForbidden) {
				return nil
			} else if err != nil {
				return err
			}
		}
		out = AllowedTransitions(c.Status, actor)
		return nil
	})
	return actor, out, err
}
