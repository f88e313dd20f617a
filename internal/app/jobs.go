package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/chat"
	"github.com/suara-id/suara/internal/classify"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/jobs"
	"github.com/suara-id/suara/internal/metrics"
)

// newJobs builds the job runner with every worker registered, and makes
// filing enqueue classification in the filing transaction. workers = 0
// gives an insert-only runner (a web server leaving jobs to `suara worker`).
// m (nil: none) receives the workers' metrics and reports the job queue's depth.
func newJobs(ctx context.Context, cfg *config.Config, log *slog.Logger, bdb *bun.DB, svc *cases.Service, ch *chat.Service, workers int, m *metrics.Metrics) (*jobs.Runner, error) {
	w := &jobs.ClassifyWorker{Cases: svc, Models: jobs.NewModels(), Log: log, Metrics: m}
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
	notifier.Metrics = m
	river.AddWorker(registry, &jobs.NotifyWorker{Notify: notifier})
	river.AddWorker(registry, &jobs.PrivacyWorker{Privacy: newPrivacy(cfg, log, bdb, svc), Log: log})
	jobs.AddChatWorkers(registry, ch)
	q, err := jobs.New(bdb, registry, jobs.Options{Workers: workers, Log: log, Metrics: m})
	if err != nil {
		return nil, err
	}
	// The depth is read from the database, so even an insert-only runner
	// (serve beside a separate worker) reports it.
	m.SetJobDepth(q.Depth)
	// Only a runner that works jobs can schedule the rollup (River's rule).
	if workers > 0 {
		if err := q.AddPeriodicRollup(cfg.Analytics.RollupInterval); err != nil {
			return nil, err
		}
		if err := q.AddPeriodicReport(); err != nil {
			return nil, err
		}
		q.SchedulePrivacySweep(jobs.PrivacySweepEvery)
		q.ScheduleChatPurge()
		q.ScheduleEscalations()
	}
	notifier.Jobs = q
	ch.Jobs = q
	svc.OnEvent = chainEvents(notifier.OnEvent, ch.OnEvent)
	svc.ScheduleCheckin = q.ScheduleCheckinTx
	svc.OnFiled = func(ctx context.Context, tx bun.Tx, c *cases.Case) error {
		return q.EnqueueClassifyTx(ctx, tx, c.TenantID, c.ID)
	}
	return q, nil
}

// Worker runs background jobs only, until ctx ends (`suara worker`). With
// classify.metrics_addr set it serves its own /metrics there: its jobs'
// metrics (classification, deliveries, failures) live in this process.
func Worker(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	bdb, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer bdb.Close()
	m := metrics.New()
	if err := m.RegisterDB(bdb.DB, "app"); err != nil {
		return err
	}
	c, err := newCore(ctx, cfg, log, bdb)
	if err != nil {
		return err
	}
	svc := c.cases
	svc.Metrics = m
	workers := cfg.Classify.Workers
	if workers < 1 {
		workers = 1
	}
	q, err := newJobs(ctx, cfg, log, bdb, svc, c.chat, workers, m)
	if err != nil {
		return err
	}
	stopMetrics, err := serveWorkerMetrics(cfg, log, m)
	if err != nil {
		return err
	}
	defer stopMetrics()
	if err := q.Start(ctx); err != nil {
		return err
	}
	log.Info("worker running", "workers", workers, "metrics_addr", cfg.Classify.MetricsAddr)
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.HTTP.ShutdownTimeout)
	defer cancel()
	return q.Stop(stopCtx)
}

// serveWorkerMetrics listens on classify.metrics_addr (nothing when empty)
// and serves the registry at /metrics, behind security.metrics_token when
// set. The returned func closes the listener.
func serveWorkerMetrics(cfg *config.Config, log *slog.Logger, m *metrics.Metrics) (func(), error) {
	addr := cfg.Classify.MetricsAddr
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("worker metrics listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler(cfg.Security.MetricsToken))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: cfg.HTTP.IdleTimeout}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("worker metrics listener stopped", "err", err)
		}
	}()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
