package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/suara-id/suara/internal/classify"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/tenant"
)

// EvalOptions choose what `suara eval` scores.
type EvalOptions struct {
	Data       string // labelled JSONL (format of shared/data/complaints-dev.jsonl)
	Classifier string // builtin | ollama
	Tenant     string // use this tenant's categories (and confirmed labels' model); "" = default taxonomy
	// Predictions, when set, names a file that gets one JSON line per text
	// (gold, predicted, confidence) for error analysis.
	Predictions string
	// CV > 1 cross-validates the built-in model over the project's own
	// training examples in CV folds instead of reading Data.
	CV int
}

// Eval scores a classifier on a labelled file; the report's last line is
// `macro_f1=… accuracy=… n=…`.
func Eval(ctx context.Context, cfg *config.Config, log *slog.Logger, o EvalOptions, out io.Writer) (err error) {
	var pred io.Writer
	if o.Predictions != "" {
		pf, err := os.Create(o.Predictions)
		if err != nil {
			return fmt.Errorf("create predictions file: %w", err)
		}
		defer func() {
			if cerr := pf.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("close predictions file: %w", cerr)
			}
		}()
		pred = pf
	}
	if o.CV > 1 {
		_, err := classify.CrossValidate(ctx, classify.BaseExamples(), classify.DefaultCategories(), classify.DefaultTags(), o.CV, out, pred)
		return err
	}
	f, err := os.Open(o.Data)
	if err != nil {
		return fmt.Errorf("open labelled data: %w", err)
	}
	defer f.Close()
	cats := classify.DefaultCategories()
	if o.Tenant != "" {
		bdb, err := openApp(ctx, cfg)
		if err != nil {
			return err
		}
		defer bdb.Close()
		res := tenant.NewResolver(cfg.HTTP.BaseDomain, bdb)
		if err := res.Refresh(ctx); err != nil {
			return err
		}
		t := res.BySlug(o.Tenant)
		if t == nil {
			return fmt.Errorf("no active tenant %q", o.Tenant)
		}
		rows, err := tenant.ListCategories(ctx, bdb, t.ID)
		if err != nil {
			return err
		}
		cats = cats[:0]
		for _, c := range rows {
			cats = append(cats, classify.Category{Slug: c.Slug, NameID: c.NameID, NameEN: c.NameEN,
				DescriptionID: c.DescriptionID, DescriptionEN: c.DescriptionEN, Examples: c.Examples, Keywords: c.Keywords})
		}
	}
	var c classify.Classifier = classify.Train(classify.BaseExamples(), cats, nil)
	switch o.Classifier {
	case "", "builtin":
	case "ollama":
		oc := ollamaConfig(cfg)
		ol, err := classify.NewOllama(oc, c, log)
		if err != nil {
			return err
		}
		if ok, err := ol.Available(ctx); !ok {
			return fmt.Errorf("ollama at %s has no model %s (%v): pull it or use --classifier builtin", oc.Host, oc.Model, err)
		}
		c = ol
	default:
		return fmt.Errorf("unknown classifier %q (builtin or ollama)", o.Classifier)
	}
	_, err = classify.EvaluateTo(ctx, c, f, cats, classify.DefaultTags(), out, pred)
	return err
}

func ollamaConfig(cfg *config.Config) classify.OllamaConfig {
	o := cfg.Classify.Ollama
	return classify.OllamaConfig{Host: o.Host, Model: o.Model, Timeout: o.Timeout, KeepAlive: o.KeepAlive,
		NumCtx: o.NumCtx, NumPredict: o.NumPredict, Seed: o.Seed}
}
