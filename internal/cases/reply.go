package cases

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
)

// InfoAnswer is what AnswerInfoRequest returns: the reporter's message and
// the status the case went back to.
type InfoAnswer struct {
	Message *Event            `json:"message"`
	Result  *TransitionResult `json:"transition"`
}

// AnswerInfoRequest answers staff's request for more information on a case
// waiting for its reporter (needs_info): the reporter's text goes on the
// thread and the case returns to the status it was asked from, which
// resumes its SLA clock — both in one transaction, so an answer never
// leaves the case waiting. Evidence sent with the answer is attached first
// by the caller (AddEvidence). Only the case's reporter may answer; a case
// not waiting for information is a conflict on "body".
func (s *Service) AnswerInfoRequest(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, body string) (*InfoAnswer, error) {
	return s.answerInfoAs(ctx, tenantID, p, s.signedIn(p, id), body, "answer information request")
}

// AnswerInfoRequestByReceipt is AnswerInfoRequest for an anonymous reporter
// holding a receipt session token.
func (s *Service) AnswerInfoRequestByReceipt(ctx context.Context, tenantID uuid.UUID, token, body string) (*InfoAnswer, error) {
	return s.answerInfoAs(ctx, tenantID, nil, s.receiptCase(tenantID, token), body, "answer information request by receipt")
}

// answerInfoAs is AnswerInfoRequest for the reporter find locks the case
// for (p nil: anonymous).
func (s *Service) answerInfoAs(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, find reporterLookup, body, what string) (*InfoAnswer, error) {
	body, err := checkMessage(body)
	if err != nil {
		return nil, err
	}
	out, err := asReporter(ctx, s, tenantID, find, func(ctx context.Context, tx bun.Tx, c *Case) (*InfoAnswer, error) {
		return s.answerInfo(ctx, tx, c, reporterActor(p, c), body)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func (s *Service) answerInfo(ctx context.Context, tx bun.Tx, c *Case, actor, body string) (*InfoAnswer, error) {
	if c.Status != StatusNeedsInfo {
		return nil, &apperr.FieldConflict{Field: "body", Key: "error.not_waiting_for_info"}
	}
	m, err := s.message(ctx, tx, c, actor, "reporter", body)
	if err != nil {
		return nil, err
	}
	res, err := s.transition(ctx, tx, c, ActorReporter, actor, TransitionInput{Transition: string(TransitionProvideInfo)})
	if err != nil {
		return nil, err
	}
	return &InfoAnswer{Message: m, Result: res}, nil
}
