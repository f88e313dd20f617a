package cases

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
)

// InfoAnswerResult is the case after the reporter answered a request for
// information: the message that carries the answer and the status the case
// went back to (its SLA clock running again).
type InfoAnswerResult struct {
	Message *Event `json:"message"`
	Status  Status `json:"status"`
}

// AnswerInfoRequest is the signed-in reporter's answer to "we need more
// information" (status needs_info): the answer goes on the thread as the
// reporter's message and the case returns, in the same transaction, to the
// status it had when staff asked (provide_info), which resumes its SLA
// clock. Evidence the reporter adds with the answer is attached separately
// (AddEvidence) before this call. Someone who is not the case's reporter
// gets not found; a case that is not waiting for information is a
// conflict, and then nothing is written.
func (s *Service) AnswerInfoRequest(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, body string) (*InfoAnswerResult, error) {
	body, err := checkMessage(body)
	if err != nil {
		return nil, err
	}
	var out *InfoAnswerResult
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := lockedCase(ctx, tx, id)
		if err != nil {
			return err
		}
		if r, err := s.roleOf(ctx, p, c); err != nil {
			return err
		} else if r != roleReporter {
			return apperr.ErrNotFound
		}
		out, err = s.answerInfoRequest(ctx, tx, c, reporterActor(p, c), body)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("answer info request: %w", err)
	}
	return out, nil
}

// answerInfoRequest records the answer of c's reporter (actorID as
// reporterActor gives it; "" for an anonymous reporter) inside tx, c locked
// and its reporter already checked, body already checked by checkMessage.
func (s *Service) answerInfoRequest(ctx context.Context, tx bun.Tx, c *Case, actorID, body string) (*InfoAnswerResult, error) {
	if c.Status != StatusNeedsInfo {
		return nil, &TransitionError{From: c.Status, Transition: TransitionProvideInfo, Allowed: AllowedTransitions(c.Status, ActorReporter)}
	}
	msg, err := s.message(ctx, tx, c, actorID, "reporter", body)
	if err != nil {
		return nil, err
	}
	res, err := s.transition(ctx, tx, c, ActorReporter, actorID, TransitionInput{Transition: string(TransitionProvideInfo)})
	if err != nil {
		return nil, err
	}
	return &InfoAnswerResult{Message: msg, Status: res.Status}, nil
}
