package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/workday"
)

// Event kinds written by the escalation job.
const (
	// EventEscalated: an overdue case moved up the org tree (internal).
	EventEscalated = "escalated"
	// EventEscalationPrompt: bipartite negotiation ran past its legal 30
	// working days with no further step; the union should consider
	// registering the dispute with Disnaker (internal).
	EventEscalationPrompt = "escalation_prompt"
)

// Follow-up actions are events of kind "action_<kind>" (or "action")
// whose payload "kind" names the step (written by actions.go).
const (
	eventAction     = "action"
	actionBipartite = "bipartite"
)

// BipartiteLimitDays is how long bipartite negotiation may take before it
// counts as failed (UU 2/2004 art. 3(2): 30 working days).
const BipartiteLimitDays = 30

// DefaultEscalationGraceDays applies when a tenant set no grace.
const DefaultEscalationGraceDays = 5

// escalationBatch bounds the cases one run escalates per tenant, so one
// transaction stays short; the next run takes the rest.
const escalationBatch = 500

// beyondBipartite are the action kinds that take a dispute past bipartite
// negotiation (or end it): once one is recorded no prompt is due.
var beyondBipartite = []string{"disnaker", "disnaker_registration", "mediation", "conciliation", "arbitration",
	"industrial_court", "court", "referral", "agreement", "agreement_reached"}

// EscalationReport says what one run did.
type EscalationReport struct {
	Escalated int `json:"escalated"`
	Prompted  int `json:"prompted"`
	Warned    int `json:"warned"` // deadline events written
}

func (r *EscalationReport) add(o EscalationReport) {
	r.Escalated += o.Escalated
	r.Prompted += o.Prompted
	r.Warned += o.Warned
}

// EscalateAll runs EscalateOverdue for every active tenant. A tenant that
// fails is logged and skipped, so one union's bad data never stops the
// others' escalations; the first error is returned after all ran.
func (s *Service) EscalateAll(ctx context.Context) (EscalationReport, error) {
	var tenants []*tenant.Tenant
	err := db.InPlatformTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&tenants).Where("status = 'active'").Order("slug").Scan(ctx)
	})
	if err != nil {
		return EscalationReport{}, fmt.Errorf("list tenants: %w", err)
	}
	var total EscalationReport
	var first error
	for _, t := range tenants {
		r, err := s.EscalateOverdue(ctx, t)
		total.add(r)
		if err != nil {
			s.log.Error("escalation failed", "tenant", t.Slug, "err", err)
			if first == nil {
				first = err
			}
		}
	}
	return total, first
}

// EscalateOverdue escalates the tenant's overdue open cases and raises
// bipartite prompts, as of s.Now(). A case whose deadline passed more than
// k grace periods ago (grace = the tenant's EscalationGraceDays working
// days) sits k levels above its branch; each run moves cases that are below
// their level straight up to it, writing one case_escalations row and one
// internal "escalated" event per move. Running it twice changes nothing.
func (s *Service) EscalateOverdue(ctx context.Context, t *tenant.Tenant) (EscalationReport, error) {
	var rep EscalationReport
	if s.Calendar == nil {
		return rep, nil
	}
	grace := t.Settings.EscalationGraceDays
	if grace <= 0 {
		grace = DefaultEscalationGraceDays
	}
	now := s.Now().UTC()
	err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		cal, err := s.tenantCalendar(ctx, tx)
		if err != nil {
			return err
		}
		var branches []branchInfo
		if err := tx.NewRaw("SELECT id, parent_id, path FROM branches").Scan(ctx, &branches); err != nil {
			return fmt.Errorf("load branches: %w", err)
		}
		parent := make(map[uuid.UUID]*uuid.UUID, len(branches))
		paths := make(map[uuid.UUID]string, len(branches))
		for _, b := range branches {
			parent[b.ID], paths[b.ID] = b.ParentID, b.Path
		}
		// Overdue open cases, by the same expression (and index) as the
		// queue's overdue filter.
		var rows []struct {
			ID       uuid.UUID  `bun:"id"`
			BranchID uuid.UUID  `bun:"branch_id"`
			Due      time.Time  `bun:"due"`
			Level    int        `bun:"level"`
			At       *uuid.UUID `bun:"at_branch"`
		}
		err = tx.NewRaw(`SELECT c.id, c.branch_id, `+dueKeySQL+` AS due,
				coalesce(e.level, 0) AS level, e.to_branch_id AS at_branch
			FROM cases AS c
			LEFT JOIN LATERAL (SELECT level, to_branch_id FROM case_escalations x
				WHERE x.tenant_id = c.tenant_id AND x.case_id = c.id ORDER BY level DESC LIMIT 1) e ON true
			WHERE c.tenant_id = ? AND `+dueKeySQL+` < ? AND c.status IN (?)
			ORDER BY `+dueKeySQL+`, c.id LIMIT ?`,
			t.ID, now, bun.List(lifecycleOpen), escalationBatch).Scan(ctx, &rows)
		if err != nil {
			return fmt.Errorf("list overdue cases: %w", err)
		}
		for _, r := range rows {
			// The level the case should be at: k grace periods past due.
			want := 0
			for k := r.Level + 1; ; k++ {
				if !now.After(cal.AddWorkingDays(r.Due, grace*k)) {
					break
				}
				want = k
			}
			if want <= r.Level {
				continue
			}
			from := r.BranchID
			if r.At != nil {
				from = *r.At
			}
			to, level := from, r.Level
			for level < want && parent[to] != nil {
				to, level = *parent[to], level+1
			}
			if level == r.Level {
				continue // already at the root
			}
			c, err := loadCase(ctx, tx, r.ID)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_escalations (tenant_id, case_id, level, from_branch_id, to_branch_id, due_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, t.ID, c.ID, level, from, to, r.Due, StoredTime(c.SafetyMode, now)); err != nil {
				return fmt.Errorf("record escalation: %w", err)
			}
			payload := map[string]any{"by": "system", "level": level, "from_branch": paths[from], "to_branch": paths[to],
				"to_branch_id": to.String(), "due": r.Due.UTC().Format(time.RFC3339), "grace_days": grace}
			if _, err := s.addEvent(ctx, tx, c, EventEscalated, "", VisibilityInternal, payload); err != nil {
				return err
			}
			rep.Escalated++
		}
		n, err := s.raisePrompts(ctx, tx, cal, now)
		rep.Prompted = n
		if err != nil {
			return err
		}
		rep.Warned, err = s.warnDeadlines(ctx, tx, cal, now)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("escalate overdue cases of %s: %w", t.Slug, err)
	}
	if rep.Escalated+rep.Prompted > 0 {
		s.log.Info("escalations", "tenant", t.Slug, "escalated", rep.Escalated, "prompted", rep.Prompted)
	}
	return rep, nil
}

// raisePrompts writes an escalation_prompt event, once per case, on each
// open case whose bipartite negotiation failed: its outcome was recorded as
// failed, or its first meeting is more than BipartiteLimitDays working days
// old without an agreement, and no step beyond bipartite has been recorded.
func (s *Service) raisePrompts(ctx context.Context, tx bun.Tx, cal *workday.Calendar, now time.Time) (int, error) {
	var rows []struct {
		CaseID    uuid.UUID `bun:"case_id"`
		Payload   string    `bun:"payload"`
		CreatedAt time.Time `bun:"created_at"`
	}
	// case_events_kind_idx (tenant_id, kind, created_at) finds the actions.
	err := tx.NewRaw(`SELECT a.case_id, a.payload, a.created_at
		FROM case_events a JOIN cases c ON c.tenant_id = a.tenant_id AND c.id = a.case_id
		WHERE a.kind IN (?) AND a.payload::jsonb ->> 'kind' = ? AND c.status IN (?)
		  AND NOT EXISTS (SELECT 1 FROM case_events p WHERE p.tenant_id = a.tenant_id AND p.case_id = a.case_id AND p.kind = ?)
		  AND NOT EXISTS (SELECT 1 FROM case_events b WHERE b.tenant_id = a.tenant_id AND b.case_id = a.case_id
		      AND b.kind LIKE 'action%' AND b.payload::jsonb ->> 'kind' IN (?))
		ORDER BY a.case_id, a.seq`,
		bun.List(actionKinds(actionBipartite)), actionBipartite, bun.List(lifecycleOpen),
		EventEscalationPrompt, bun.List(beyondBipartite)).Scan(ctx, &rows)
	if err != nil {
		return 0, fmt.Errorf("list bipartite negotiations: %w", err)
	}
	type negotiation struct {
		start          time.Time
		failed, agreed bool
	}
	var order []uuid.UUID
	cases := map[uuid.UUID]*negotiation{}
	for _, r := range rows {
		var p struct {
			MeetingDate string `json:"meeting_date"`
			Outcome     string `json:"outcome"`
		}
		_ = json.Unmarshal([]byte(r.Payload), &p)
		start := r.CreatedAt
		if d, err := time.ParseInLocation(time.DateOnly, p.MeetingDate, jakarta); err == nil && d.Before(start) {
			start = d
		}
		n := cases[r.CaseID]
		if n == nil {
			n = &negotiation{start: start}
			cases[r.CaseID] = n
			order = append(order, r.CaseID)
		}
		if start.Before(n.start) {
			n.start = start
		}
		// The latest outcome counts: failed, then agreed after all, is agreed.
		n.failed, n.agreed = p.Outcome == "failed", p.Outcome == "agreed"
	}
	raised := 0
	for _, id := range order {
		n := cases[id]
		limit := cal.AddWorkingDays(n.start, BipartiteLimitDays)
		if n.agreed || (!n.failed && !now.After(limit)) {
			continue
		}
		c, err := loadCase(ctx, tx, id)
		if err != nil {
			return raised, err
		}
		reason := "limit"
		if n.failed {
			reason = "failed"
		}
		payload := map[string]any{"by": "system", "reason": reason, "since": n.start.UTC().Format(time.RFC3339),
			"limit": limit.UTC().Format(time.RFC3339), "working_days": BipartiteLimitDays, "suggest": "disnaker_registration"}
		if _, err := s.addEvent(ctx, tx, c, EventEscalationPrompt, "", VisibilityInternal, payload); err != nil {
			return raised, err
		}
		raised++
	}
	return raised, nil
}

// actionKinds are the event kinds an action of payload kind k may be
// stored under: "action_<k>" (handling.go) or plain "action".
func actionKinds(k string) []string { return []string{eventAction, eventAction + "_" + k} }
