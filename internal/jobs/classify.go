package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/classify"
	"github.com/suara-id/suara/internal/metrics"
	"github.com/suara-id/suara/internal/tenant"
)

// ClassifyWorker classifies one case: load (short tenant transaction),
// classify with no transaction open (Ollama may take seconds), store the
// suggestion (another short transaction).
type ClassifyWorker struct {
	river.WorkerDefaults[ClassifyArgs]

	Cases *cases.Service
	// Ollama, when set, is tried first; the tenant's built-in model answers
	// when it fails, is late or is off the schema.
	Ollama *classify.OllamaConfig
	Models *Models
	Log    *slog.Logger
	// Metrics, when set, records each classification's latency by model.
	Metrics *metrics.Metrics
}

// Work runs one job.
func (w *ClassifyWorker) Work(ctx context.Context, job *river.Job[ClassifyArgs]) error {
	in, err := w.Cases.ClassificationInput(ctx, job.Args.TenantID, job.Args.CaseID)
	if err != nil {
		return err
	}
	builtin := w.Models.For(in)
	var c classify.Classifier = builtin
	if w.Ollama != nil {
		o, err := classify.NewOllama(*w.Ollama, builtin, w.Log)
		if err != nil {
			return err
		}
		c = o
	}
	start := time.Now()
	res, err := c.Classify(ctx, Input(in))
	if err != nil {
		return fmt.Errorf("classify case: %w", err)
	}
	// Labelled by the model asked: with Ollama configured, its model, even
	// when the built-in one had to answer (that is the fallback).
	model := res.Model
	if w.Ollama != nil {
		model = w.Ollama.Model
	}
	w.Metrics.ClassificationDone(model, res.FallbackReason != "", time.Since(start))
	return w.Cases.SaveSuggestion(ctx, in.TenantID, &cases.Suggestion{
		CaseID: in.CaseID, Model: res.Model, Version: res.Version, CategorySlug: res.Category,
		Confidence: clamp01(res.Confidence), Tags: res.Tags, Urgency: res.Urgency, Type: res.Type,
		Language: res.Language, Steps: res.Steps, LatencyMS: int(res.Latency.Milliseconds()), FallbackReason: res.FallbackReason,
		CategoryTerms: res.CategoryTerms, UrgencyRules: res.UrgencyRules,
	})
}

func clamp01(f float64) float64 {
	switch {
	case f < 0:
		return 0
	case f > 1:
		return 1
	}
	return f
}

// Input turns a case's classification input into the classifier's.
func Input(in *cases.ClassificationInput) classify.Input {
	// The union's active tags, never the shipped default list: a union's
	// suggestions carry its own vocabulary only, and a retired tag is
	// suggested no more. Non-nil, so a union that retired every tag gets
	// none rather than the defaults.
	tags := in.Tags
	if tags == nil {
		tags = []string{}
	}
	out := classify.Input{Text: in.Text, Sector: in.Sector, Type: in.Type, Locale: in.Locale,
		Tags: tags, Playbook: map[string][]string{}}
	for _, c := range in.Categories {
		out.Categories = append(out.Categories, categoryOf(c))
		steps := c.PlaybookID
		if in.Locale == "en" && len(c.PlaybookEN) > 0 {
			steps = c.PlaybookEN
		}
		if len(steps) > 0 {
			out.Playbook[c.Slug] = steps
		}
	}
	return out
}

func categoryOf(c tenant.Category) classify.Category {
	return classify.Category{Slug: c.Slug, NameID: c.NameID, NameEN: c.NameEN, DescriptionID: c.DescriptionID,
		DescriptionEN: c.DescriptionEN, Examples: c.Examples, Keywords: c.Keywords}
}

// Models caches each tenant's built-in model, retrained when the tenant's
// categories or confirmed labels change. Training happens in the worker,
// never on a request. Tenants whose training inputs are equal (the sector
// templates unchanged, no confirmed labels yet) share one model: Train gives
// the same model for the same inputs, so sharing shows no tenant anything
// of another's, and a new union costs no training.
//
// Training (about a second on the shipped set) runs outside the cache's
// lock, once per digest: one union's retraining never holds up another
// union's classification, and tenants asking for the same inputs at once
// wait for the one training.
type Models struct {
	base  []classify.Example
	train func(base []classify.Example, cats []classify.Category, confirmed []classify.Example) *classify.Builtin

	mu      sync.Mutex
	tenants map[uuid.UUID]tenantModel
	trained map[string]*sharedModel // by trainingDigest
}

type tenantModel struct {
	key    string // cases.ClassificationInput.ModelKey
	digest string
}

type sharedModel struct {
	model func() *classify.Builtin // trains on its first call; later calls wait for it
	users int                      // tenants whose current model this is
}

// NewModels starts an empty cache over the shipped training set.
func NewModels() *Models {
	return &Models{base: classify.BaseExamples(), train: classify.Train,
		tenants: map[uuid.UUID]tenantModel{}, trained: map[string]*sharedModel{}}
}

// For returns the tenant's current model, training it if stale.
func (m *Models) For(in *cases.ClassificationInput) *classify.Builtin {
	return m.entry(in).model()
}

// entry finds or registers the tenant's current model under the lock; the
// caller trains it, if nobody has yet, after the lock is released.
func (m *Models) entry(in *cases.ClassificationInput) *sharedModel {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, had := m.tenants[in.TenantID]
	if had && old.key == in.ModelKey {
		return m.trained[old.digest]
	}
	cats := make([]classify.Category, len(in.Categories))
	for i, c := range in.Categories {
		cats[i] = categoryOf(c)
	}
	confirmed := make([]classify.Example, len(in.Labels))
	for i, l := range in.Labels {
		confirmed[i] = classify.Example{Text: l.Text, Sector: l.Sector, Type: l.Type, Category: l.Category, Urgency: l.Urgency, Tags: l.Tags}
	}
	digest := trainingDigest(cats, confirmed)
	sm := m.trained[digest]
	if sm == nil {
		base, train := m.base, m.train
		sm = &sharedModel{model: sync.OnceValue(func() *classify.Builtin { return train(base, cats, confirmed) })}
		m.trained[digest] = sm
	}
	sm.users++
	if had {
		if prev := m.trained[old.digest]; prev != nil {
			if prev.users--; prev.users == 0 {
				delete(m.trained, old.digest)
			}
		}
	}
	m.tenants[in.TenantID] = tenantModel{key: in.ModelKey, digest: digest}
	return sm
}

// trainingDigest names Train's inputs by their content: the ModelKey also
// changes when a category is saved unchanged, and differs between tenants
// seeded from the same template.
func trainingDigest(cats []classify.Category, confirmed []classify.Example) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	// Encoding plain structs of strings cannot fail.
	_ = enc.Encode(cats)
	_ = enc.Encode(confirmed)
	return hex.EncodeToString(h.Sum(nil))
}
