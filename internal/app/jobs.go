package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/classify"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/jobs"
)

// newQueue builds the job queue with every worker registered, and makes
// filing enqueue classification in the filing transaction. workers = 0
// gives an insert-only queue (a web server leaving jobs to `suara worker`).
func newQueue(ctx context.Context, cfg *config.Config, log *slog.Logger, bdb *bun.DB, svc *cases.Service, workers int) (*jobs.Queue, error) {
	w := &jobs.ClassifyWorker{Cases: svc, Models: jobs.NewModels(), Log: log}
	if cfg.Classify.Ollama.Enabled && workers > 0 {
		oc := ollamaConfig(cfg)
		// Ask once at start-up whether the model is there; if not, say so
		// once and let the built-in classifier answer.
		probe, err := classify.NewOllama(oc, classify.Train(nil, classify.DefaultCategories(), nil), log)
		if err != nil {
			return nil, err
		}
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		ok, err := probe.Available(pctx)
		cancel()
		if ok {
			w.Ollama = &oc
			log.Info("classification uses ollama", "host", oc.Host, "model", oc.Model)
		} else {
			log.Warn("ollama or its model is not available: the built-in classifier answers", "host", oc.Host, "model", oc.Model, "err", err)
		}
	}
	registry := river.NewWorkers()
	river.AddWorker(registry, w)
	river.AddWorker(registry, &jobs.RollupWorker{Analytics: newAnalytics(cfg, log, bdb), Log: log})
	river.AddWorker(registry, &jobs.ReportWorker{Analytics: newAnalytics(cfg, log, bdb), Log: log})
	river.AddWorker(registry, &jobs.CheckinWorker{Cases: svc, Log: log})
	river.AddWorker(registry, &jobs.EscalationWorker{Cases: svc, Log: log})
	notifier := newNotify(cfg, log, bdb, nil, nil)
	river.AddWorker(registry, &jobs.NotifyWorker{Notify: notifier})
	river.AddWorker(registry, &jobs.PrivacyWorker{Privacy: newPrivacy(cfg, log, bdb, svc), Log: log})
	q, err := jobs.New(bdb, registry, jobs.Options{Workers: workers, Log: log})
	if err != nil {
		return nil, err
	}
	// Only a queue that works jobs can schedule the rollup (River's rule).
	if workers > 0 {
		if err := q.AddPeriodicRollup(cfg.Analytics.RollupInterval); err != nil {
			return nil, err
		}
		if err := q.AddPeriodicReport(); err != nil {
			return nil, err
		}
		q.SchedulePrivacySweep(jobs.PrivacySweepEvery)
		q.ScheduleEscalations()
	}
	notifier.Queue = q
	svc.OnEvent = notifier.OnEvent
	svc.ScheduleCheckin = q.ScheduleCheckinTx
	svc.OnFiled = func(ctx context.Context, tx bun.Tx, c *cases.Case) error {
		return q.EnqueueClassifyTx(ctx, tx, c.TenantID, c.ID)
	}
	return q, nil
}

// Worker runs background jobs only, until ctx ends (`suara worker`).
func Worker(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	bdb, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer bdb.Close()
	c, err := newCore(ctx, cfg, log, bdb)
	if err != nil {
		return err
	}
	svc := c.cases
	workers := cfg.Classify.Workers
	if workers < 1 {
		workers = 1
	}
	q, err := newQueue(ctx, cfg, log, bdb, svc, workers)
	if err != nil {
		return err
	}
	if err := q.Start(ctx); err != nil {
		return err
	}
	log.Info("worker running", "workers", workers)
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.HTTP.ShutdownTimeout)
	defer cancel()
	return q.Stop(stopCtx)
}
