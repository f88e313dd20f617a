package cases

import (
	"context"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
)

// What a case waits for from its reporter (Mine.Waiting).
const (
	WaitingInfo    = "info"    // staff asked for more information (needs_info)
	WaitingCheckin = "checkin" // a +30/+90-day check-in is open
	WaitingRating  = "rating"  // resolved or closed and not rated yet
)

// Mine is one of the reporter's cases on their home page, with what it
// waits for from them ("" when nothing).
type Mine struct {
	Summary
	Waiting string
}

// WaitingOnReporter tells, for each of the reporter's own cases in list
// (as ListMine returned them to that reporter), what the case waits for
// from them: an answer to a request for information first, then an open
// check-in, then a rating.
func (s *Service) WaitingOnReporter(ctx context.Context, tenantID uuid.UUID, list []Summary) ([]Mine, error) {
	out := make([]Mine, len(list))
	var ids []uuid.UUID
	for i, c := range list {
		out[i].Summary = c
		switch c.Status {
		case StatusNeedsInfo:
			out[i].Waiting = WaitingInfo
		case StatusResolved, StatusClosed:
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	type ev struct {
		CaseID uuid.UUID `bun:"case_id"`
		Kind   string    `bun:"kind"`
		N      string    `bun:"n"`
	}
	var evs []ev
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Table("case_events").Column("case_id", "kind").ColumnExpr("coalesce(payload::jsonb->>'n', '') AS n").
			Where("case_id IN (?)", bun.List(ids)).Where("kind IN (?)", bun.List([]string{EventRated, EventCheckinAsked, EventCheckinAnswer})).
			OrderExpr("seq").Scan(ctx, &evs)
	})
	if err != nil {
		return nil, fmt.Errorf("waiting on reporter: %w", err)
	}
	rated := map[uuid.UUID]bool{}
	open := map[uuid.UUID]map[string]bool{}
	for _, e := range evs {
		switch e.Kind {
		case EventRated:
			rated[e.CaseID] = true
		case EventCheckinAsked, EventCheckinAnswer:
			if _, err := strconv.Atoi(e.N); err != nil {
				continue
			}
			if open[e.CaseID] == nil {
				open[e.CaseID] = map[string]bool{}
			}
			open[e.CaseID][e.N] = e.Kind == EventCheckinAsked
		}
	}
	for i := range out {
		if out[i].Waiting != "" {
			continue
		}
		for _, asked := range open[out[i].ID] {
			if asked {
				out[i].Waiting = WaitingCheckin
			}
		}
		if out[i].Waiting == "" && (out[i].Status == StatusResolved || out[i].Status == StatusClosed) && !rated[out[i].ID] {
			out[i].Waiting = WaitingRating
		}
	}
	return out, nil
}
