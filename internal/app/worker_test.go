package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/app"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/jobs"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

// `suara worker` has no web server: with classify.metrics_addr set it
// serves its own /metrics, behind the metrics token, with its pool, its
// jobs' failures and the queue depth read from the database.
func TestWorkerServesMetrics(t *testing.T) {
	ctx := context.Background()
	tdb := pgtest.New(t)
	tenanttest.Seed(t, tdb)
	cfg, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database.URL = tdb.AppURL
	cfg.Paths.Data = t.TempDir()
	cfg.Classify.Ollama.Enabled = false
	cfg.Classify.Workers = 1
	cfg.Security.MetricsToken = "worker-scrape-token"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg.Classify.MetricsAddr = addr

	// A classification job for a case that does not exist: it fails.
	var spn uuid.UUID
	if err := tdb.App.QueryRowContext(ctx, "SELECT id FROM tenants WHERE slug = 'spn'").Scan(&spn); err != nil {
		t.Fatal(err)
	}
	q, err := jobs.New(tdb.App, nil, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := tdb.App.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.EnqueueClassifyTx(ctx, tx, spn, uuid.New()); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- app.Worker(wctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	}()

	get := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	// The failure is counted, then River marks the job for its retry (and
	// retries it soon: each want needs to show in some scrape).
	wants := []string{`suara_jobs_failures_total{kind="classify_case"} `, `go_sql_open_connections{db_name="app"} `,
		`suara_jobs_queued{kind="classify_case",state="retryable"} 1`}
	seen := map[string]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, body := get(cfg.Security.MetricsToken)
		missing := ""
		for _, w := range wants {
			seen[w] = seen[w] || (status == http.StatusOK && strings.Contains(body, w))
			if !seen[w] && missing == "" {
				missing = w
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker metrics after 30s: %d, lacking %s\n%s", status, missing, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status, _ := get(""); status != http.StatusUnauthorized {
		t.Errorf("worker metrics without the token: %d, want 401", status)
	}
}
