package cases

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/classify"
	"github.com/suara-id/suara/internal/db"
)

// Hint is a similar open case at the same workplace, as shown before
// filing. It carries no text, reporter or date of the other case: only that
// a similar issue is being handled, and the id to add one's voice to it.
type Hint struct {
	ID         uuid.UUID `json:"id"`
	Supporters int       `json:"supporters"`
}

// Duplicate hints answer strangers, so they must not be an oracle (issue
// 18): a hint only ever comes from a collective case — a named case whose
// reporter chose to let others join — never from an anonymous or
// confidential one; the probe must carry several meaningful terms, and
// several of them must occur in the case, so a single word ("does anyone
// mention Budi?") answers nothing; and the only id given is one that
// leads to "add my voice" on that collective case, which its reporter
// asked for. The web layer adds a per-account rate limit.
const (
	hintMinTerms   = 4   // meaningful terms a probe needs before anything is compared
	hintMinShared  = 4   // terms a case must share with the probe
	hintThreshold  = 0.5 // and the share of the probe's terms it must contain
	hintMaxTerms   = 60  // longer probes are cut: a dictionary is not a report
	hintCandidates = 200
	maxHints       = 3
)

// DuplicateHints returns up to three open collective cases at the workplace
// whose text strongly resembles text. Only signed-in accounts of the tenant
// may ask: hints tell that an issue exists at a workplace, which an
// employer must not be able to probe anonymously; cases in restricted
// categories (violence and harassment) are never hinted at.
func (s *Service) DuplicateHints(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, workplaceID uuid.UUID, text string) ([]Hint, error) {
	if p == nil || p.TenantID != tenantID {
		return nil, apperr.ErrUnauthorized
	}
	words := wordSet(text)
	if len(words) < hintMinTerms {
		return []Hint{}, nil
	}
	if len(words) > hintMaxTerms {
		return []Hint{}, nil
	}
	type cand struct {
		ID          uuid.UUID `bun:"id"`
		Title       string    `bun:"title"`
		Description string    `bun:"description"`
		Supporters  int       `bun:"supporters"`
	}
	var cands []cand
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().TableExpr("cases AS c").Column("c.id", "c.title", "c.description", "c.supporters").
			Join("LEFT JOIN categories AS k ON k.tenant_id = c.tenant_id AND k.id = c.category_id").
			Where("c.workplace_id = ?", workplaceID).
			Where("c.collective AND c.safety_mode = ?", ModeNamed).
			Where("c.status IN (?)", bun.List([]Status{StatusSubmitted, StatusVerified, StatusInProgress, StatusNeedsInfo, StatusReopened})).
			Where("NOT coalesce(k.restricted, false)").
			Where("c.reporter_user_id IS DISTINCT FROM ?", p.UserID).
			OrderExpr("c.created_at DESC").Limit(hintCandidates).Scan(ctx, &cands)
	})
	if err != nil {
		return nil, fmt.Errorf("duplicate hints: %w", err)
	}
	type scored struct {
		h Hint
		s float64
	}
	var best []scored
	for _, c := range cands {
		other := wordSet(c.Title + " " + c.Description)
		shared := 0
		for w := range words {
			if other[w] {
				shared++
			}
		}
		sc := float64(shared) / float64(len(words))
		if shared >= hintMinShared && sc >= hintThreshold {
			best = append(best, scored{Hint{ID: c.ID, Supporters: c.Supporters}, sc})
		}
	}
	// A few candidates at most: insertion order by score is enough.
	for i := 1; i < len(best); i++ {
		for j := i; j > 0 && best[j].s > best[j-1].s; j-- {
			best[j], best[j-1] = best[j-1], best[j]
		}
	}
	out := []Hint{}
	for i := 0; i < len(best) && i < maxHints; i++ {
		out = append(out, best[i].h)
	}
	return out, nil
}

// wordSet is the set of lower-cased words of three letters or more.
func wordSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(w)) >= 3 && !classify.IsStopword(w) {
			out[w] = true
		}
	}
	return out
}

// Support adds the caller's voice to an open case: the supporters count
// goes up once per person, however often they ask. The person is recorded
// only as a keyed hash. It returns the case's supporters count.
func (s *Service) Support(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, caseID uuid.UUID) (int, error) {
	if p == nil || p.TenantID != tenantID {
		return 0, apperr.ErrUnauthorized
	}
	return s.support(ctx, tenantID, caseID, p.UserID[:])
}

// SupportByReceipt adds an anonymous reporter's voice, keyed by their own
// receipt so they count once too.
func (s *Service) SupportByReceipt(ctx context.Context, tenantID uuid.UUID, token string, caseID uuid.UUID) (int, error) {
	var who []byte
	err := s.sessionCall(ctx, func() error {
		return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
			c, err := s.caseBySession(ctx, tx, tenantID, token)
			if err != nil {
				return err
			}
			who = c.ReceiptHash
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("support: %w", err)
	}
	return s.support(ctx, tenantID, caseID, who)
}

func (s *Service) support(ctx context.Context, tenantID, caseID uuid.UUID, who []byte) (int, error) {
	var n int
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := loadCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		// Only collective cases take supporters: any other id answers as
		// if it did not exist, so "add my voice" tells nobody whether a
		// case is there or open.
		if !IsOpen(c.Status) || !c.Collective {
			return apperr.ErrNotFound
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO case_supporters (tenant_id, case_id, supporter_key) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, tenantID, caseID, s.keys.supporterKey(tenantID, who))
		if err != nil {
			return fmt.Errorf("record supporter: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			n = c.Supporters
			return nil
		}
		if err := tx.QueryRowContext(ctx, "UPDATE cases SET supporters = supporters + 1 WHERE id = ? RETURNING supporters", caseID).Scan(&n); err != nil {
			return fmt.Errorf("count supporter: %w", err)
		}
		_, err = s.addEvent(ctx, tx, c, EventSupported, "", VisibilityInternal, map[string]any{"by": "system", "supporters": n})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("support: %w", err)
	}
	return n, nil
}
