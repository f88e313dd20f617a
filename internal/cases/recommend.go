package cases

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
)

// Recommendation is what an officer sees as next steps for a case: the
// category's reviewed playbook, the AI's steps tailored to this case (when a
// language model produced them), and similar resolved cases of the union
// with how they ended.
type Recommendation struct {
	Category string        `json:"category,omitempty"`
	Playbook []string      `json:"playbook"`
	Tailored []string      `json:"tailored,omitempty"`
	Model    string        `json:"model,omitempty"`
	Similar  []SimilarCase `json:"similar"`
}

// SimilarCase is a resolved case like this one, for the officer's reference.
type SimilarCase struct {
	ID         uuid.UUID `json:"id"`
	Reference  string    `json:"reference"`
	Title      string    `json:"title"`
	Status     Status    `json:"status"`
	Resolution string    `json:"resolution,omitempty"`
	Score      float64   `json:"score"`
	// Masked: the case was filed anonymously or confidentially, so its
	// title and resolution (the reporter's or officers' words, which may
	// name people or places) are withheld; only the reference and status show.
	Masked bool `json:"masked,omitempty"`
}

const (
	maxSimilar = 5
	// similarCandidates are ranked before the viewer's scope filters them.
	similarCandidates = 40
)

// Recommendations gathers next steps for a case, for staff who may read it.
// Similar cases come from PostgreSQL's indonesian full-text search (any of
// the case's words) ranked with trigram similarity; restricted categories
// are never offered as examples.
func (s *Service) Recommendations(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, caseID uuid.UUID, locale string) (*Recommendation, error) {
	rec := &Recommendation{Playbook: []string{}, Similar: []SimilarCase{}}
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffRead(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		var sg Suggestion
		hasSuggestion := tx.NewSelect().Model(&sg).Where("case_id = ?", caseID).Order("created_at DESC").Limit(1).Scan(ctx) == nil
		// The case's category, else the one the AI suggests.
		q := tx.NewSelect().Table("categories").Column("slug", "playbook_id", "playbook_en")
		switch {
		case c.CategoryID != nil:
			q = q.Where("id = ?", *c.CategoryID)
		case hasSuggestion:
			q = q.Where("slug = ?", sg.CategorySlug)
		default:
			q = nil
		}
		var cat struct {
			Slug       string   `bun:"slug"`
			PlaybookID []string `bun:"playbook_id,array"`
			PlaybookEN []string `bun:"playbook_en,array"`
		}
		if q != nil && q.Limit(1).Scan(ctx, &cat) == nil {
			rec.Category = cat.Slug
			rec.Playbook = cat.PlaybookID
			if locale == "en" && len(cat.PlaybookEN) > 0 {
				rec.Playbook = cat.PlaybookEN
			}
		}
		if hasSuggestion && sg.Model != "builtin" && len(sg.Steps) > 0 {
			rec.Tailored, rec.Model = sg.Steps, sg.Model
		}
		terms := searchTerms(c.Title + " " + c.Description)
		if len(terms) == 0 {
			return nil
		}
		text := c.Title + " " + c.Description
		rows, err := tx.QueryContext(ctx, `SELECT c.id, c.reference, c.title, c.status, b.path, c.safety_mode,
				ts_rank(to_tsvector('indonesian', c.title || ' ' || c.description), q) + similarity(c.title || ' ' || c.description, ?) AS score,
				coalesce((SELECT e.payload FROM case_events e WHERE e.tenant_id = c.tenant_id AND e.case_id = c.id
					AND e.visibility = 'reporter' ORDER BY e.seq DESC LIMIT 1), '')
			FROM cases c JOIN branches b ON b.tenant_id = c.tenant_id AND b.id = c.branch_id
				LEFT JOIN categories k ON k.tenant_id = c.tenant_id AND k.id = c.category_id,
				to_tsquery('indonesian', ?) q
			WHERE c.id <> ? AND c.status IN ('resolved', 'closed') AND NOT coalesce(k.restricted, false)
				AND to_tsvector('indonesian', c.title || ' ' || c.description) @@ q
			ORDER BY score DESC LIMIT ?`, text, strings.Join(terms, " | "), caseID, similarCandidates)
		if err != nil {
			return err
		}
		type found struct {
			sc   SimilarCase
			path string
		}
		var list []found
		for rows.Next() {
			var f found
			var payload, mode string
			if err := rows.Scan(&f.sc.ID, &f.sc.Reference, &f.sc.Title, &f.sc.Status, &f.path, &mode, &f.sc.Score, &payload); err != nil {
				rows.Close()
				return err
			}
			f.sc.Resolution = resolutionOf(payload)
			if SafetyMode(mode) != ModeNamed {
				f.sc.Title, f.sc.Resolution, f.sc.Masked = "", "", true
			}
			list = append(list, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Only cases the viewer may read where they sit: a plant
		// officer is not shown another province's cases as examples.
		for _, f := range list {
			if len(rec.Similar) == maxSimilar {
				break
			}
			if err := s.authz.Check(ctx, p, f.path, "case", "read"); err != nil {
				if errors.Is(err, apperr.ErrForbidden) {
					continue
				}
				return err
			}
			rec.Similar = append(rec.Similar, f.sc)
		}
		return nil
	})
	if err != nil {
		return nil, db.MapError(err)
	}
	return rec, nil
}

// searchTerms keeps the letters-only words of text worth searching for,
// safe to join into a to_tsquery expression.
func searchTerms(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return r < 'a' || r > 'z' }) {
		if len(w) < 4 || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == 24 {
			break
		}
	}
	return out
}

// resolutionOf picks a human summary from a reporter-visible event payload:
// agreement terms, an outcome, or a reason.
func resolutionOf(payload string) string {
	var m map[string]any
	if json.Unmarshal([]byte(payload), &m) != nil {
		return ""
	}
	for _, k := range []string{"terms", "outcome", "reason", "summary"} {
		if v, ok := m[k].(string); ok && v != "" {
			return v
		}
	}
	return ""
}
