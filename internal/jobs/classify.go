package jobs

import (
	"context"
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
// never on a request.
type Models struct {
	base []classify.Example

	mu     sync.Mutex
	models map[uuid.UUID]*tenantModel
}

type tenantModel struct {
	key   string
	model *classify.Builtin
}

// NewModels starts an empty cache over the shipped training set.
func NewModels() *Models {
	return &Models{base: classify.BaseExamples(), models: map[uuid.UUID]*tenantModel{}}
}

// For returns the tenant's current model, training it if stale.
func (m *Models) For(in *cases.ClassificationInput) *classify.Builtin {
	m.mu.Lock()
	defer m.mu.Unlock()
	if tm := m.models[in.TenantID]; tm != nil && tm.key == in.ModelKey {
		return tm.model
	}
	cats := make([]classify.Category, len(in.Categories))
	for i, c := range in.Categories {
		cats[i] = categoryOf(c)
	}
	confirmed := make([]classify.Example, len(in.Labels))
	for i, l := range in.Labels {
		confirmed[i] = classify.Example{Text: l.Text, Sector: l.Sector, Type: l.Type, Category: l.Category, Urgency: l.Urgency, Tags: l.Tags}
	}
	model := classify.Train(m.base, cats, confirmed)
	m.models[in.TenantID] = &tenantModel{key: in.ModelKey, model: model}
	return model
}
