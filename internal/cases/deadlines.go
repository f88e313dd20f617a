package cases

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/workday"
)

// Deadline events tell handlers (through notifications) that a case's
// current target is a working day away, or has passed. Each is written once
// per target date: a moved deadline warns again.
const (
	EventDeadlineApproaching = "deadline_approaching"
	EventDeadlinePassed      = "deadline_passed"
)

// warnDeadlines appends the deadline events due at now; it runs with the
// escalation scan, in the tenant's transaction.
func (s *Service) warnDeadlines(ctx context.Context, tx bun.Tx, cal *workday.Calendar, now time.Time) (int, error) {
	soon := cal.AddWorkingDays(now, 1)
	var rows []struct {
		ID  uuid.UUID `bun:"id"`
		Due time.Time `bun:"due"`
	}
	err := tx.NewRaw(`SELECT c.id, `+dueKeySQL+` AS due FROM cases AS c
		WHERE c.status IN (?) AND `+dueKeySQL+` <= ?
		ORDER BY `+dueKeySQL+`, c.id LIMIT ?`, bun.List(lifecycleOpen), soon, escalationBatch).Scan(ctx, &rows)
	if err != nil {
		return 0, fmt.Errorf("list cases near their deadline: %w", err)
	}
	n := 0
	for _, r := range rows {
		kind := EventDeadlineApproaching
		if r.Due.Before(now) {
			kind = EventDeadlinePassed
		}
		due := r.Due.UTC().Format(time.RFC3339)
		var seen bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM case_events
			WHERE case_id = ? AND kind = ? AND payload::jsonb ->> 'due' = ?)`, r.ID, kind, due).Scan(&seen); err != nil {
			return n, err
		}
		if seen {
			continue
		}
		c, err := loadCase(ctx, tx, r.ID)
		if err != nil {
			return n, err
		}
		if _, err := s.addEvent(ctx, tx, c, kind, "", VisibilityInternal, map[string]any{"by": "system", "due": due}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
