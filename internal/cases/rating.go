package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
)

// LowRatingAtMost flags a case for its branch admin when either score is
// at or below it.
const LowRatingAtMost = 2

// maxRatingComment bounds a rating's comment.
const maxRatingComment = 2000

// RatingInput is a reporter's satisfaction rating.
type RatingInput struct {
	Handling int    `json:"handling" form:"handling"`
	Outcome  int    `json:"outcome" form:"outcome"`
	Comment  string `json:"comment" form:"comment"`
}

// Rating is a stored rating.
type Rating struct {
	Handling  int       `json:"handling"`
	Outcome   int       `json:"outcome"`
	Comment   string    `json:"comment,omitempty"`
	LowRating bool      `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

func checkRating(in RatingInput) (RatingInput, error) {
	v := &apperr.Validation{}
	if in.Handling < 1 || in.Handling > 5 {
		v.Add("handling", "error.rating_range")
	}
	if in.Outcome < 1 || in.Outcome > 5 {
		v.Add("outcome", "error.rating_range")
	}
	in.Comment = checkText(v, "comment", in.Comment, maxRatingComment, false)
	return in, v.Err()
}

// Rate records the reporter's rating of a resolved or closed case, once.
func (s *Service) Rate(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, in RatingInput) (*Rating, error) {
	return s.rateAs(ctx, tenantID, p, s.signedIn(p, id), in, "rate case")
}

// RateByReceipt is Rate for an anonymous reporter.
func (s *Service) RateByReceipt(ctx context.Context, tenantID uuid.UUID, token string, in RatingInput) (*Rating, error) {
	return s.rateAs(ctx, tenantID, nil, s.receiptCase(tenantID, token), in, "rate by receipt")
}

// rateAs is Rate for the reporter find locks the case for (p nil: anonymous).
func (s *Service) rateAs(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, find reporterLookup, in RatingInput, what string) (*Rating, error) {
	in, err := checkRating(in)
	if err != nil {
		return nil, err
	}
	out, err := asReporter(ctx, s, tenantID, find, func(ctx context.Context, tx bun.Tx, c *Case) (*Rating, error) {
		return s.rate(ctx, tx, c, reporterActor(p, c), in)
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func (s *Service) rate(ctx context.Context, tx bun.Tx, c *Case, actor string, in RatingInput) (*Rating, error) {
	if c.Status != StatusResolved && c.Status != StatusClosed {
		return nil, &apperr.FieldConflict{Field: "rating", Key: "error.rating_not_yet"}
	}
	now := s.stampFor(c)
	res, err := tx.ExecContext(ctx, `INSERT INTO case_ratings (tenant_id, case_id, handling, outcome, comment, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, case_id) DO NOTHING`, c.TenantID, c.ID, in.Handling, in.Outcome, in.Comment, now)
	if err != nil {
		return nil, fmt.Errorf("store rating: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, &apperr.FieldConflict{Field: "rating", Key: "error.already_rated"}
	}
	low := in.Handling <= LowRatingAtMost || in.Outcome <= LowRatingAtMost
	if low {
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET low_rating = true WHERE id = ?", c.ID); err != nil {
			return nil, fmt.Errorf("flag low rating: %w", err)
		}
	}
	payload := map[string]any{"by": "reporter", "handling": in.Handling, "outcome": in.Outcome}
	if in.Comment != "" {
		payload["comment"] = in.Comment
	}
	if _, err := s.addEvent(ctx, tx, c, EventRated, actor, VisibilityReporter, payload); err != nil {
		return nil, err
	}
	return &Rating{Handling: in.Handling, Outcome: in.Outcome, Comment: in.Comment, LowRating: low, CreatedAt: now}, nil
}
