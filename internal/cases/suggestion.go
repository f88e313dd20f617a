package cases

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// ReviewBelow marks suggestions under this confidence for review in queues.
const ReviewBelow = 0.5

// Event kinds of the AI loop.
const (
	EventAISuggested         = "ai_suggested"
	EventAISuggestionDecided = "ai_suggestion_decided"
)

// Suggestion is a stored classification of a case: the AI proposes, an
// officer decides.
type Suggestion struct {
	bun.BaseModel `bun:"table:case_suggestions"`

	TenantID       uuid.UUID `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID             uuid.UUID `bun:"id,pk,type:uuid,default:gen_random_uuid()" json:"id"`
	CaseID         uuid.UUID `bun:"case_id,type:uuid" json:"case_id"`
	Model          string    `bun:"model" json:"model"`
	Version        string    `bun:"version" json:"version"`
	CategorySlug   string    `bun:"category_slug" json:"category"`
	Confidence     float64   `bun:"confidence" json:"confidence"`
	Tags           []string  `bun:"tags,array" json:"tags"`
	Urgency        string    `bun:"urgency" json:"urgency"`
	Type           string    `bun:"type" json:"type"`
	Language       string    `bun:"language" json:"language"`
	Steps          []string  `bun:"steps,array" json:"steps"`
	LatencyMS      int       `bun:"latency_ms" json:"latency_ms"`
	FallbackReason string    `bun:"fallback_reason" json:"fallback_reason,omitempty"`
	// CategoryTerms and UrgencyRules are the suggestion's "why": the case's
	// words that weighed most for the category, the life-and-limb rules
	// under the urgency.
	CategoryTerms []string   `bun:"category_terms,array" json:"category_terms"`
	UrgencyRules  []string   `bun:"urgency_rules,array" json:"urgency_rules"`
	Status        string     `bun:"status" json:"status"`
	NeedsReview   bool       `bun:"needs_review" json:"needs_review"`
	DecidedBy     *uuid.UUID `bun:"decided_by,type:uuid" json:"-"`
	DecidedAt     *time.Time `bun:"decided_at" json:"decided_at,omitempty"`
	CreatedAt     time.Time  `bun:"created_at,nullzero,default:now()" json:"created_at"`
}

// Label is an officer-confirmed classification, training data for the
// tenant's built-in model.
type Label struct {
	Text, Sector, Type, Category, Urgency string
	Tags                                  []string
}

// ClassificationInput is what a classifier needs about one case.
type ClassificationInput struct {
	TenantID   uuid.UUID
	CaseID     uuid.UUID
	Locale     string
	Text       string
	Sector     string
	Type       string
	Categories []tenant.Category
	// Tags is the union's active tag vocabulary: suggestions carry only
	// these (never nil; empty when the union retired every tag).
	Tags   []string
	Labels []Label
	// ModelKey changes whenever the categories or the confirmed labels do:
	// a cached built-in model trained for another key is stale.
	ModelKey string
}

// ClassificationInput loads a case's text with the tenant's active
// categories and tags and its confirmed labels, in one short transaction:
// classifiers (and Ollama over the network) run after it has ended.
func (s *Service) ClassificationInput(ctx context.Context, tenantID, caseID uuid.UUID) (*ClassificationInput, error) {
	in := &ClassificationInput{TenantID: tenantID, CaseID: caseID}
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := loadCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		in.Text = strings.TrimSpace(c.Title + "\n" + c.Description + "\n" + c.Transcript)
		in.Sector, in.Type = c.Sector, string(c.Type)
		if err := tx.QueryRowContext(ctx, "SELECT default_locale FROM tenants WHERE id = ?", tenantID).Scan(&in.Locale); err != nil {
			return err
		}
		if err := tx.NewSelect().Model(&in.Categories).Where("active").Order("sort_order", "slug").Scan(ctx); err != nil {
			return err
		}
		if in.Tags, err = tenant.ActiveTagSlugs(ctx, tx); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT text, sector, type, category_slug, urgency, tags FROM classifier_labels ORDER BY id")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l Label
			var tags []string
			if err := rows.Scan(&l.Text, &l.Sector, &l.Type, &l.Category, &l.Urgency, pgdialect.Array(&tags)); err != nil {
				return err
			}
			l.Tags = tags
			in.Labels = append(in.Labels, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("load case for classification: %w", db.MapError(err))
	}
	in.ModelKey = modelKey(in.Categories, in.Labels)
	return in, nil
}

func modelKey(cats []tenant.Category, labels []Label) string {
	h := sha256.New()
	for _, c := range cats {
		fmt.Fprintf(h, "%s|%s|%s|%s|%s|%s\x00", c.Slug, c.NameID, c.NameEN,
			strings.Join(c.Keywords, ","), strings.Join(c.Examples, "\x01"), c.UpdatedAt.UTC().Format(time.RFC3339Nano))
	}
	fmt.Fprintf(h, "labels:%d", len(labels))
	if n := len(labels); n > 0 {
		l := labels[n-1]
		fmt.Fprintf(h, "|%s|%s", l.Category, l.Text)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// SaveSuggestion stores a classifier's answer for a case and records it on
// the internal timeline. It never changes the case itself: officers decide.
func (s *Service) SaveSuggestion(ctx context.Context, tenantID uuid.UUID, sg *Suggestion) error {
	sg.TenantID = tenantID
	sg.Status = "pending"
	sg.NeedsReview = sg.Confidence < ReviewBelow
	if sg.Tags == nil {
		sg.Tags = []string{}
	}
	if sg.Steps == nil {
		sg.Steps = []string{}
	}
	if sg.CategoryTerms == nil {
		sg.CategoryTerms = []string{}
	}
	if sg.UrgencyRules == nil {
		sg.UrgencyRules = []string{}
	}
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := loadCase(ctx, tx, sg.CaseID)
		if err != nil {
			return err
		}
		// The latest suggestion is the one shown.
		if sg.CreatedAt, err = stampAfter(ctx, tx, "case_suggestions", c.ID, s.stampFor(c)); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(sg).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
			return fmt.Errorf("insert suggestion: %w", err)
		}
		_, err = s.addEvent(ctx, tx, c, EventAISuggested, "system", VisibilityInternal, map[string]any{
			"suggestion_id": sg.ID.String(), "model": sg.Model, "version": sg.Version, "category": sg.CategorySlug,
			"confidence": fmt.Sprintf("%.3f", sg.Confidence), "fallback_reason": sg.FallbackReason,
		})
		return err
	})
}

// LatestSuggestion returns the newest suggestion for a case, to staff who
// may read it.
func (s *Service) LatestSuggestion(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, caseID uuid.UUID) (*Suggestion, error) {
	var sg Suggestion
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.staffRead(ctx, tx, p, caseID); err != nil {
			return err
		}
		return tx.NewSelect().Model(&sg).Where("case_id = ?", caseID).Order("created_at DESC").Limit(1).Scan(ctx)
	})
	if err != nil {
		return nil, db.MapError(err)
	}
	return &sg, nil
}

// Decision is an officer's answer to a suggestion: accept it as it is, or
// set the category, tags and urgency they judge right — in one action.
type Decision struct {
	Accept   bool     `json:"accept"`
	Category string   `json:"category"`
	Tags     []string `json:"tags"`
	Urgency  string   `json:"urgency"`
}

var urgencies = []string{"critical", "high", "normal", "low"}

// DecideSuggestion applies an officer's decision: the case gets the
// category, tags and urgency; the suggestion is marked accepted or
// corrected; the timeline records it; the result becomes a confirmed label
// that the tenant's built-in model learns from.
func (s *Service) DecideSuggestion(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, caseID uuid.UUID, d Decision) (*Suggestion, error) {
	var sg Suggestion
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffRead(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if err := s.authz.Check(ctx, p, c.BranchPath, "case", "act"); err != nil {
			return err
		}
		if err := tx.NewSelect().Model(&sg).Where("case_id = ?", caseID).Order("created_at DESC").Limit(1).For("UPDATE").Scan(ctx); err != nil {
			return err
		}
		if sg.Status != "pending" {
			return &apperr.FieldConflict{Field: "suggestion", Key: "error.suggestion_decided"}
		}
		category, tags, urgency := sg.CategorySlug, sg.Tags, sg.Urgency
		status := "accepted"
		if !d.Accept {
			v := &apperr.Validation{}
			if d.Category != "" {
				category = d.Category
			}
			if d.Tags != nil {
				tags = d.Tags
			}
			if d.Urgency != "" {
				urgency = d.Urgency
			}
			if !slices.Contains(urgencies, urgency) {
				v.Add("urgency", "error.invalid_choice")
			}
			if len(tags) > 5 {
				v.Add("tags", "error.too_many")
			}
			// Only the union's active tags: a retired or unknown tag
			// would train the union's model on a label it no longer
			// uses (a tag retired since the suggestion included).
			active, err := tenant.ActiveTagSlugs(ctx, tx)
			if err != nil {
				return err
			}
			for _, t := range tags {
				if !slices.Contains(active, t) {
					v.Add("tags", "error.tag_unknown")
					break
				}
			}
			if err := v.Err(); err != nil {
				return err
			}
			if category != sg.CategorySlug || urgency != sg.Urgency || !slices.Equal(tags, sg.Tags) {
				status = "corrected"
			}
		}
		var catID uuid.UUID
		err = tx.NewSelect().Table("categories").Column("id").Where("slug = ? AND active", category).Scan(ctx, &catID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Invalid("category", "error.invalid_choice")
		} else if err != nil {
			return err
		}
		now := s.stampFor(c)
		if _, err := tx.NewUpdate().Table("cases").Set("category_id = ?, tags = ?, urgency = ?", catID, pgdialect.Array(tags), urgency).
			Where("id = ?", caseID).Exec(ctx); err != nil {
			return err
		}
		sg.Status, sg.DecidedBy, sg.DecidedAt = status, &p.UserID, &now
		if _, err := tx.NewUpdate().Model(&sg).Column("status", "decided_by", "decided_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO classifier_labels (tenant_id, case_id, text, sector, type, category_slug, urgency, tags)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, tenantID, caseID, strings.TrimSpace(c.Title+"\n"+c.Description), c.Sector, string(c.Type),
			category, urgency, pgdialect.Array(tags)); err != nil {
			return err
		}
		_, err = s.addEvent(ctx, tx, c, EventAISuggestionDecided, p.UserID.String(), VisibilityInternal, map[string]any{
			"suggestion_id": sg.ID.String(), "decision": status, "category": category, "urgency": urgency, "tags": tags,
			"suggested_category": sg.CategorySlug, "model": sg.Model,
		})
		return err
	})
	if err != nil {
		return nil, db.MapError(err)
	}
	return &sg, nil
}

// AcceptanceRate is, per category and model, how many decided suggestions
// officers accepted unchanged.
type AcceptanceRate struct {
	Model    string  `json:"model"`
	Category string  `json:"category"`
	Decided  int     `json:"decided"`
	Accepted int     `json:"accepted"`
	Share    float64 `json:"share"`
}

// AcceptanceRates is the dashboard counter of the AI loop.
func (s *Service) AcceptanceRates(ctx context.Context, tenantID uuid.UUID) ([]AcceptanceRate, error) {
	out := []AcceptanceRate{} // none decided yet is [], not null
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT model, category_slug, count(*), count(*) FILTER (WHERE status = 'accepted')
			FROM case_suggestions WHERE status <> 'pending' GROUP BY model, category_slug ORDER BY model, category_slug`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r AcceptanceRate
			if err := rows.Scan(&r.Model, &r.Category, &r.Decided, &r.Accepted); err != nil {
				return err
			}
			if r.Decided > 0 {
				r.Share = float64(r.Accepted) / float64(r.Decided)
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}
