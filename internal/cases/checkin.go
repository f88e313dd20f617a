package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// CheckinAfterDays are the days after closure when the reporter is asked
// whether the remedy held and whether they faced retaliation (n = 1, 2).
var CheckinAfterDays = [2]int{30, 90}

// retaliationCategory is the category a retaliation case gets when the
// tenant has it: retaliation for speaking up is a freedom-of-association
// matter.
const retaliationCategory = "berserikat"

// CheckinAnswer is the reporter's answer to a check-in.
type CheckinAnswer struct {
	RemedyHeld  *bool  `json:"remedy_held"`
	Retaliation *bool  `json:"retaliation"`
	Comment     string `json:"comment"`
}

// CheckinResult is what answering a check-in did. LinkedCase is set when
// "retaliation: yes" opened a new case; for an anonymous reporter it holds
// the new case's receipt code, shown this once.
type CheckinResult struct {
	N          int    `json:"n"`
	LinkedCase *Filed `json:"linked_case,omitempty"`
}

// scheduleCheckins records the two check-ins of a case closed at closedAt
// and has ScheduleCheckin queue their jobs, in the closing transaction.
func (s *Service) scheduleCheckins(ctx context.Context, tx bun.Tx, c *Case, closedAt time.Time) error {
	for i, days := range CheckinAfterDays {
		n, due := i+1, closedAt.AddDate(0, 0, days)
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_checkins (tenant_id, case_id, n, due_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, c.TenantID, c.ID, n, due); err != nil {
			return fmt.Errorf("record check-in: %w", err)
		}
		if s.ScheduleCheckin != nil {
			if err := s.ScheduleCheckin(ctx, tx, c.TenantID, c.ID, n, due); err != nil {
				return fmt.Errorf("schedule check-in: %w", err)
			}
		}
	}
	return nil
}

// AskCheckin is the check-in job's work: it puts the question on the
// reporter's timeline (a reporter-visible checkin_asked event), once; a
// retried job changes nothing.
func (s *Service) AskCheckin(ctx context.Context, tenantID, caseID uuid.UUID, n int) error {
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := lockedCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE case_checkins SET asked_at = ? WHERE case_id = ? AND n = ? AND asked_at IS NULL`,
			s.Now().UTC(), caseID, n)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return nil
		}
		_, err = s.addEvent(ctx, tx, c, EventCheckinAsked, "system", VisibilityReporter, map[string]any{"by": "system", "n": n})
		return err
	})
	if err != nil {
		return fmt.Errorf("ask check-in: %w", err)
	}
	return nil
}

func checkAnswer(a CheckinAnswer) (CheckinAnswer, error) {
	v := &apperr.Validation{}
	if a.RemedyHeld == nil {
		v.Add("remedy_held", "error.required")
	}
	if a.Retaliation == nil {
		v.Add("retaliation", "error.required")
	}
	a.Comment = checkText(v, "comment", a.Comment, maxRatingComment, false)
	return a, v.Err()
}

// AnswerCheckin records the reporter's answer to check-in n of their case,
// once it is due and only once. "Retaliation: yes" opens a linked case in
// the same transaction: category berserikat (or the original's), urgency
// high, same branch, same reporter and safety mode.
func (s *Service) AnswerCheckin(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, n int, a CheckinAnswer) (*CheckinResult, error) {
	return s.answerCheckinAs(ctx, tenantID, p, s.signedIn(p, id), n, a, "answer check-in")
}

// AnswerCheckinByReceipt is AnswerCheckin for an anonymous reporter.
func (s *Service) AnswerCheckinByReceipt(ctx context.Context, tenantID uuid.UUID, token string, n int, a CheckinAnswer) (*CheckinResult, error) {
	return s.answerCheckinAs(ctx, tenantID, nil, s.receiptCase(tenantID, token), n, a, "answer check-in by receipt")
}

// answerCheckinAs is AnswerCheckin for the reporter find locks the case
// for (p nil: anonymous).
func (s *Service) answerCheckinAs(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, find reporterLookup, n int, a CheckinAnswer, what string) (*CheckinResult, error) {
	a, err := checkAnswer(a)
	if err != nil {
		return nil, err
	}
	out, err := asReporter(ctx, s, tenantID, find, func(ctx context.Context, tx bun.Tx, c *Case) (*CheckinResult, error) {
		return s.answerCheckin(ctx, tx, c, p, n, a)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func (s *Service) answerCheckin(ctx context.Context, tx bun.Tx, c *Case, p *auth.Principal, n int, a CheckinAnswer) (*CheckinResult, error) {
	now := s.Now().UTC()
	var due time.Time
	var answered sql.NullTime
	err := tx.QueryRowContext(ctx, "SELECT due_at, answered_at FROM case_checkins WHERE case_id = ? AND n = ?", c.ID, n).Scan(&due, &answered)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("load check-in: %w", err)
	}
	switch {
	case answered.Valid:
		return nil, &apperr.FieldConflict{Field: "checkin", Key: "error.checkin_answered"}
	case now.Before(due):
		return nil, &apperr.FieldConflict{Field: "checkin", Key: "error.checkin_not_due"}
	}
	// Stored, the answer keeps an anonymous case's hour (stampFor).
	at := s.stampFor(c)
	out := &CheckinResult{N: n}
	var linked *uuid.UUID
	if *a.Retaliation {
		nc, filed, err := s.openRetaliationCase(ctx, tx, c, a.Comment, at)
		if err != nil {
			return nil, err
		}
		linked, out.LinkedCase = &nc.ID, filed
	}
	if _, err := tx.ExecContext(ctx, `UPDATE case_checkins SET answered_at = ?, remedy_held = ?, retaliation = ?, linked_case_id = ?
		WHERE case_id = ? AND n = ?`, at, *a.RemedyHeld, *a.Retaliation, linked, c.ID, n); err != nil {
		return nil, fmt.Errorf("store check-in answer: %w", err)
	}
	payload := map[string]any{"by": "reporter", "n": n, "remedy_held": *a.RemedyHeld, "retaliation": *a.Retaliation}
	if a.Comment != "" {
		payload["comment"] = a.Comment
	}
	if out.LinkedCase != nil {
		payload["linked_case"] = out.LinkedCase.Reference
	}
	if _, err := s.addEvent(ctx, tx, c, EventCheckinAnswer, reporterActor(p, c), VisibilityReporter, payload); err != nil {
		return nil, err
	}
	return out, nil
}

// openRetaliationCase files the follow-up case a retaliation report opens.
func (s *Service) openRetaliationCase(ctx context.Context, tx bun.Tx, orig *Case, comment string, now time.Time) (*Case, *Filed, error) {
	t := &tenant.Tenant{ID: orig.TenantID}
	if err := tx.QueryRowContext(ctx, "SELECT slug FROM tenants WHERE id = ?", orig.TenantID).Scan(&t.Slug); err != nil {
		return nil, nil, fmt.Errorf("tenant: %w", err)
	}
	category := orig.CategoryID
	var cat uuid.UUID
	err := tx.QueryRowContext(ctx, "SELECT id FROM categories WHERE slug = ? AND active", retaliationCategory).Scan(&cat)
	switch {
	case err == nil:
		category = &cat
	case !errors.Is(err, sql.ErrNoRows):
		return nil, nil, fmt.Errorf("retaliation category: %w", err)
	}
	// The reporter's comment is the description when it says enough; the
	// case must never be empty for handlers.
	desc := comment
	if utf8.RuneCountInString(desc) < minDescriptionRunes {
		desc = "Pelapor menyatakan mengalami pembalasan setelah pengaduan " + orig.Reference + "."
		if comment != "" {
			desc += "\n\n" + comment
		}
	}
	c := &Case{
		TenantID: orig.TenantID, ID: uuid.New(), Type: TypeComplaint,
		Title:       "Pembalasan setelah pengaduan " + orig.Reference,
		Description: desc, Sector: orig.Sector, WorkplaceID: orig.WorkplaceID, BranchID: orig.BranchID,
		CategoryID: category, Tags: []string{"retaliation"}, Urgency: "high", Status: StatusSubmitted,
		SafetyMode: orig.SafetyMode, ReporterUserID: orig.ReporterUserID, ReporterLookup: orig.ReporterLookup,
		AffectedCount: 1, LinkedFrom: &orig.ID, CreatedAt: now, UpdatedAt: now,
	}
	filed := &Filed{ID: c.ID, Status: c.Status}
	if c.SafetyMode == ModeAnonymous {
		code, err := newReceiptCode()
		if err != nil {
			return nil, nil, fmt.Errorf("receipt code: %w", err)
		}
		filed.ReceiptCode = code
		c.ReceiptHash = s.keys.receiptHashes(c.TenantID, code)[0]
	}
	first, resolution := 3, 30
	if category != nil {
		if err := tx.QueryRowContext(ctx, "SELECT sla_first_response_days, sla_resolution_days FROM categories WHERE id = ?",
			*category).Scan(&first, &resolution); err != nil {
			return nil, nil, fmt.Errorf("category SLA: %w", err)
		}
	}
	if s.Calendar != nil {
		fr, res := s.Calendar.Due(now, first, nil), s.Calendar.Due(now, resolution, nil)
		c.FirstResponseDue, c.ResolutionDue = &fr, &res
		c.DeadlinesProvisional = s.Calendar.Provisional(res)
	}
	ref, err := nextReference(ctx, tx, t, now)
	if err != nil {
		return nil, nil, err
	}
	c.Reference, filed.Reference = ref, ref
	if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("insert retaliation case: %w", db.MapError(err))
	}
	if c.SafetyMode == ModeConfidential {
		// Re-sealed under the new case: the envelope is bound to its case id.
		id, err := s.openIdentity(ctx, tx, orig)
		if err != nil {
			return nil, nil, err
		}
		if err := s.storeIdentity(ctx, tx, c, &auth.Principal{UserID: id.UserID, Name: id.Name}); err != nil {
			return nil, nil, err
		}
	}
	actor := ""
	if c.SafetyMode == ModeNamed && c.ReporterUserID != nil {
		actor = c.ReporterUserID.String()
	}
	payload := map[string]any{"type": c.Type, "safety_mode": c.SafetyMode, "by": "reporter", "linked_from": orig.Reference, "urgency": c.Urgency}
	if _, err := appendEvent(ctx, tx, c.TenantID, c.ID, 1, nil, EventFiled, actor, VisibilityReporter, payload, now); err != nil {
		return nil, nil, err
	}
	if s.OnFiled != nil {
		if err := s.OnFiled(ctx, tx, c); err != nil {
			return nil, nil, fmt.Errorf("on filed: %w", err)
		}
	}
	return c, filed, nil
}
