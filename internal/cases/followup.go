package cases

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
)

// withFloor runs fn and then waits until at least floor has passed since
// start, so a wrong receipt code answers after the same time as a right one
// (whose work is done well within the floor).
func (s *Service) withFloor(ctx context.Context, fn func() error) error {
	start := time.Now()
	err := fn()
	if wait := s.ReceiptFloor - time.Since(start); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
	return err
}

// caseByReceipt finds the anonymous case a receipt code opens, or
// apperr.ErrNotFound. A malformed code is not found either: it must not be
// told apart from a well-formed wrong one.
func (s *Service) caseByReceipt(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, code string) (*Case, error) {
	code, ok := NormaliseReceipt(code)
	if !ok {
		code = "0000000000000000x" // still hashed and looked up, matching nothing
	}
	var id uuid.UUID
	err := tx.NewSelect().Table("cases").Column("id").
		Where("receipt_hash IN (?)", bun.List(s.keys.receiptHashes(tenantID, code))).Scan(ctx, &id)
	if err != nil {
		return nil, db.MapError(err)
	}
	return loadCase(ctx, tx, id)
}

// ByReceipt is an anonymous reporter's view of their case: status,
// reporter-visible timeline and evidence list.
func (s *Service) ByReceipt(ctx context.Context, tenantID uuid.UUID, token string) (*View, error) {
	var v *View
	err := s.sessionCall(ctx, func() error {
		return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
			c, err := s.caseBySession(ctx, tx, tenantID, token)
			if err != nil {
				return err
			}
			v, err = s.view(ctx, tx, c, true)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("case by receipt: %w", err)
	}
	return v, nil
}

// AddMessageByReceipt posts an anonymous reporter's message to their case.
func (s *Service) AddMessageByReceipt(ctx context.Context, tenantID uuid.UUID, token, body string) (*Event, error) {
	body, err := checkMessage(body)
	if err != nil {
		return nil, err
	}
	var out *Event
	err = s.sessionCall(ctx, func() error {
		return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
			c, err := s.caseBySession(ctx, tx, tenantID, token)
			if err != nil {
				return err
			}
			out, err = s.message(ctx, tx, c, "", "reporter", body)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("message by receipt: %w", err)
	}
	return out, nil
}

// AddMessage posts a message on the case thread: by its reporter, or by
// staff who may message cases at its branch.
func (s *Service) AddMessage(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, body string) (*Event, error) {
	body, err := checkMessage(body)
	if err != nil {
		return nil, err
	}
	var out *Event
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, r, err := s.caseAs(ctx, tx, p, id, loadCase)
		if err != nil {
			return err
		}
		if r == roleReporter {
			out, err = s.message(ctx, tx, c, reporterActor(p, c), "reporter", body)
			return err
		}
		if err := s.authz.Check(ctx, p, c.BranchPath, "case", "message"); err != nil {
			return err
		}
		out, err = s.message(ctx, tx, c, p.UserID.String(), "staff", body)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("add message: %w", err)
	}
	return out, nil
}

func checkMessage(body string) (string, error) {
	body, ok := cleanText(body)
	switch n := utf8.RuneCountInString(body); {
	case !ok:
		return "", apperr.Invalid("body", "error.invalid")
	case n == 0:
		return "", apperr.Invalid("body", "error.required")
	case n > maxMessageRunes:
		return "", apperr.Invalid("body", "error.too_long")
	}
	return body, nil
}

func (s *Service) message(ctx context.Context, tx bun.Tx, c *Case, actor, by, body string) (*Event, error) {
	e, err := s.addEvent(ctx, tx, c, EventMessage, actor, VisibilityReporter, map[string]any{"by": by, "body": body})
	if err != nil {
		return nil, err
	}
	return &Event{Seq: e.Seq, Kind: e.Kind, Visibility: e.Visibility, By: by, Payload: RawJSON(e.Payload), CreatedAt: e.CreatedAt}, nil
}
