package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
)

// revealReason checks a reveal's written reason: clean text of 10 to
// MaxReasonRunes characters.
func revealReason(reason string) (string, error) {
	reason, ok := cleanText(reason)
	switch n := utf8.RuneCountInString(reason); {
	case !ok:
		return "", apperr.Invalid("reason", "error.reason_invalid")
	case n < 10:
		return "", apperr.Invalid("reason", "error.reason_required")
	case n > MaxReasonRunes:
		return "", apperr.Invalid("reason", "error.reason_too_long")
	}
	return reason, nil
}

// selfAssignReveal guards an assignment of a confidential case by p to p:
// the assigned handler sees the reporter's identity, so taking the case
// oneself is a reveal. It needs case_identity reveal at the case's branch
// and a reveal's written reason, and writes an identity_revealed event
// carrying it (in the assignment's transaction). Assigning someone else,
// re-assigning oneself, and named or anonymous cases need nothing more.
func (s *Service) selfAssignReveal(ctx context.Context, tx bun.Tx, c *Case, p *auth.Principal, officer uuid.UUID, reason string) error {
	if officer != p.UserID || c.SafetyMode != ModeConfidential || (c.AssignedTo != nil && *c.AssignedTo == p.UserID) {
		return nil
	}
	if err := s.authz.Check(ctx, p, c.BranchPath, "case_identity", "reveal"); err != nil {
		return err
	}
	reason, err := revealReason(reason)
	if err != nil {
		return err
	}
	_, err = s.addEvent(ctx, tx, c, EventIdentityRevealed, p.UserID.String(), VisibilityInternal,
		map[string]any{"by": "staff", "as": "self_assignment", "reason": reason})
	return err
}

// selfAssigned reports whether p holds the case by their own assignment
// (the latest assignment event's actor is p and names p), with the reason
// they gave.
func selfAssigned(ctx context.Context, tx bun.Tx, c *Case, p *auth.Principal) (string, bool, error) {
	var actor, payload string
	err := tx.QueryRowContext(ctx, `SELECT actor_id, payload FROM case_events WHERE case_id = ? AND kind = ?
		ORDER BY seq DESC LIMIT 1`, c.ID, EventAssigned).Scan(&actor, &payload)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("latest assignment: %w", err)
	}
	var pl map[string]any
	_ = json.Unmarshal([]byte(payload), &pl)
	if actor != p.UserID.String() || pl["officer"] != p.UserID.String() {
		return "", false, nil
	}
	var reveal string
	err = tx.QueryRowContext(ctx, `SELECT payload FROM case_events WHERE case_id = ? AND kind = ? AND actor_id = ?
		ORDER BY seq DESC LIMIT 1`, c.ID, EventIdentityRevealed, actor).Scan(&reveal)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("self-assignment reason: %w", err)
	}
	var rp map[string]any
	_ = json.Unmarshal([]byte(reveal), &rp)
	r, _ := rp["reason"].(string)
	return r, true, nil
}
