package cases

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
)

// EventOutcome: staff recorded the case's outcome (shown to the reporter).
const EventOutcome = "outcome_recorded"

// Ladder stages, the dispute steps of UU 2/2004 a case may reach, and the
// outcome types of a resolution (migration 20261206007000).
var (
	LadderStages = []string{"none", "bipartite", "mediation", "conciliation", "arbitration", "industrial_court", "supreme_court"}
	OutcomeTypes = []string{"reinstatement", "back_pay", "contract_conversion", "apology", "policy_change", "compensation",
		"no_remedy", "other"}
)

// maxMoneyIDR bounds a recovered amount (a thousand trillion rupiah).
const maxMoneyIDR = 1_000_000_000_000_000

// OutcomeInput is an outcome as staff record it. Money is a string so that
// "12.500.000" or "12500000" both read; empty means none recovered.
type OutcomeInput struct {
	LadderStage  string   `json:"ladder_stage" form:"ladder_stage"`
	Types        []string `json:"outcome_types" form:"outcome_types"`
	MoneyIDR     string   `json:"money_idr" form:"money_idr"`
	MoneyWorkers string   `json:"money_workers" form:"money_workers"`
}

// Outcome is a case's recorded outcome.
type Outcome struct {
	bun.BaseModel `bun:"table:case_outcomes"`

	TenantID     uuid.UUID `bun:"tenant_id,pk,type:uuid" json:"-"`
	CaseID       uuid.UUID `bun:"case_id,pk,type:uuid" json:"-"`
	LadderStage  string    `bun:"ladder_stage" json:"ladder_stage"`
	Types        []string  `bun:"outcome_types,array" json:"outcome_types"`
	MoneyIDR     *int64    `bun:"money_idr" json:"money_idr"`
	MoneyWorkers *int      `bun:"money_workers" json:"money_workers"`
	RecordedBy   uuid.UUID `bun:"recorded_by,type:uuid" json:"-"`
	RecordedAt   time.Time `bun:"recorded_at" json:"recorded_at"`
}

// parseOutcome validates an outcome.
func parseOutcome(in OutcomeInput) (Outcome, error) {
	v := &apperr.Validation{}
	o := Outcome{LadderStage: strings.TrimSpace(in.LadderStage), Types: []string{}}
	if o.LadderStage == "" {
		v.Add("ladder_stage", "error.required")
	} else if !slices.Contains(LadderStages, o.LadderStage) {
		v.Add("ladder_stage", "error.invalid_choice")
	}
	for _, item := range in.Types {
		for _, t := range strings.Split(item, ",") {
			if t = strings.TrimSpace(t); t == "" {
				continue
			}
			if !slices.Contains(OutcomeTypes, t) {
				v.Add("outcome_types", "error.invalid_choice")
			} else if !slices.Contains(o.Types, t) {
				o.Types = append(o.Types, t)
			}
		}
	}
	if len(o.Types) == 0 {
		v.Add("outcome_types", "error.required")
	}
	money := strings.NewReplacer(".", "", ",", "", " ", "", "Rp", "", "rp", "").Replace(strings.TrimSpace(in.MoneyIDR))
	if money != "" && money != "0" {
		n, err := strconv.ParseInt(money, 10, 64)
		if err != nil || n < 0 || n > maxMoneyIDR {
			v.Add("money_idr", "error.invalid")
		} else {
			o.MoneyIDR = &n
		}
	}
	if w := strings.TrimSpace(in.MoneyWorkers); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > maxAffected {
			v.Add("money_workers", "error.invalid")
		} else {
			o.MoneyWorkers = &n
		}
	}
	switch {
	case o.MoneyIDR != nil && o.MoneyWorkers == nil:
		v.Add("money_workers", "error.required")
	case o.MoneyIDR == nil && o.MoneyWorkers != nil:
		v.Add("money_idr", "error.required")
	}
	return o, v.Err()
}

// RecordOutcome records (or corrects) a case's outcome: staff who may move
// the case, once it is resolved or closed. The reporter's timeline gets an
// event that says it in plain words; the rollup carries it into the ILO
// figures.
func (s *Service) RecordOutcome(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, in OutcomeInput) (*Outcome, error) {
	o, err := parseOutcome(in)
	if err != nil {
		return nil, err
	}
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffCase(ctx, tx, p, id, "transition")
		if err != nil {
			return err
		}
		if c.Status != StatusResolved && c.Status != StatusClosed {
			return &apperr.FieldConflict{Field: "status", Key: "error.outcome_not_resolved"}
		}
		o.TenantID, o.CaseID, o.RecordedBy, o.RecordedAt = tenantID, c.ID, p.UserID, s.stampFor(c)
		if _, err := tx.NewInsert().Model(&o).On("CONFLICT (tenant_id, case_id) DO UPDATE").
			Set("ladder_stage = EXCLUDED.ladder_stage, outcome_types = EXCLUDED.outcome_types, money_idr = EXCLUDED.money_idr, " +
				"money_workers = EXCLUDED.money_workers, recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at").
			Exec(ctx); err != nil {
			return fmt.Errorf("store outcome: %w", db.MapError(err))
		}
		payload := map[string]any{"by": "staff", "ladder_stage": o.LadderStage, "outcome_types": o.Types}
		if o.MoneyIDR != nil {
			payload["money_idr"], payload["money_workers"] = *o.MoneyIDR, *o.MoneyWorkers
		}
		_, err = s.addEvent(ctx, tx, c, EventOutcome, p.UserID.String(), VisibilityReporter, payload)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("record outcome: %w", err)
	}
	return &o, nil
}

// CaseOutcome loads a case's outcome (nil when none is recorded). The
// caller has already checked that p may read the case.
func (s *Service) CaseOutcome(ctx context.Context, tenantID, id uuid.UUID) (*Outcome, error) {
	var out *Outcome
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		o := new(Outcome)
		err := tx.NewSelect().Model(o).Where("case_id = ?", id).Scan(ctx)
		if err != nil {
			if err = db.MapError(err); err == apperr.ErrNotFound {
				return nil
			}
			return err
		}
		out = o
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load outcome: %w", err)
	}
	return out, nil
}
