package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/classify"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/jobs"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

type fixture struct {
	t        testing.TB
	db       *pgtest.DB
	cases    *cases.Service
	queue    *jobs.Runner
	resolver *tenant.Resolver
	authz    *auth.Authorizer
	accounts *auth.Service
}

// models is shared by every fixture: unions seeded from the same templates
// share one trained model (Models), so the suite trains each template once
// rather than once per test.
var models = jobs.NewModels()

// newFixture provisions the seed tenants and runs a queue with workers over
// the test's database, with Ollama at ollamaURL ("" = built-in only).
func newFixture(tb testing.TB, ollamaURL string, timeout time.Duration, workers int) *fixture {
	tb.Helper()
	tdb := pgtest.New(tb)
	ctx := context.Background()
	tenanttest.Seed(tb, tdb)
	res := tenant.NewResolver("localhost", tdb.App)
	if err := res.Refresh(ctx); err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	authz := auth.NewBundledAuthorizer(tdb.App, log)
	keys, err := cases.ParseKeyRing(config.DevIdentityKey)
	if err != nil {
		tb.Fatal(err)
	}
	svc := cases.New(tdb.App, authz, cases.Options{Keys: keys, Store: &evidence.LocalStore{Root: tb.TempDir()}, Limits: evidence.DefaultLimits(), Log: log})
	svc.ReceiptFloor = 0
	w := &jobs.ClassifyWorker{Cases: svc, Models: models, Log: log}
	if ollamaURL != "" {
		w.Ollama = &classify.OllamaConfig{Host: ollamaURL, Model: "qwen2.5:3b", Timeout: timeout, NumCtx: 4096, NumPredict: 512, Seed: 42}
	}
	workersReg := river.NewWorkers()
	river.AddWorker(workersReg, w)
	river.AddWorker(workersReg, &jobs.CheckinWorker{Cases: svc, Log: log})
	q, err := jobs.New(tdb.App, workersReg, jobs.Options{Workers: workers, Poll: 50 * time.Millisecond, Log: log,
		SuspendedWait: 100 * time.Millisecond})
	if err != nil {
		tb.Fatal(err)
	}
	svc.OnFiled = func(ctx context.Context, tx bun.Tx, c *cases.Case) error {
		return q.EnqueueClassifyTx(ctx, tx, c.TenantID, c.ID)
	}
	if err := q.Start(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})
	return &fixture{t: tb, db: tdb, cases: svc, queue: q, resolver: res, authz: authz,
		accounts: auth.NewService(tdb.App, authz, log, time.Hour, time.Hour)}
}

func (f *fixture) file(slug, text string) uuid.UUID {
	f.t.Helper()
	filed, err := f.cases.File(context.Background(), f.resolver.BySlug(slug), nil,
		cases.Filing{Type: "complaint", Description: text, SafetyMode: "anonymous"})
	if err != nil {
		f.t.Fatalf("file: %v", err)
	}
	return filed.ID
}

type storedSuggestion struct {
	Model, Category, Fallback, Urgency string
}

// waitSuggestion polls (as the superuser, across tenants) until the case
// has a suggestion.
func (f *fixture) waitSuggestion(caseID uuid.UUID, within time.Duration) storedSuggestion {
	f.t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var s storedSuggestion
		err := f.db.Super.QueryRowContext(context.Background(),
			"SELECT model, category_slug, fallback_reason, urgency FROM case_suggestions WHERE case_id = ? ORDER BY created_at DESC LIMIT 1", caseID).
			Scan(&s.Model, &s.Category, &s.Fallback, &s.Urgency)
		if err == nil {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	var jobErrors string
	_ = f.db.Super.QueryRowContext(context.Background(),
		"SELECT coalesce(string_agg(state || ': ' || coalesce(errors::text, 'not attempted yet'), '; '), 'no job') FROM river_job WHERE args->>'case_id' = ?", caseID.String()).Scan(&jobErrors)
	f.t.Fatalf("case %s not classified within %v (jobs: %s)", caseID, within, jobErrors)
	return storedSuggestion{}
}

// fakeOllama speaks Ollama's wire format: one compact JSON line per reply.
type fakeOllama struct {
	chat   func(w http.ResponseWriter, r *http.Request)
	models []string
}

func (f *fakeOllama) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/api/chat":
		f.chat(w, r)
	case "/api/tags":
		ms := []map[string]any{}
		for _, m := range f.models {
			ms = append(ms, map[string]any{"name": m, "model": m, "modified_at": "2026-01-01T00:00:00Z", "size": 1929912432, "digest": "abc"})
		}
		line(w, 200, map[string]any{"models": ms})
	default:
		http.NotFound(w, r)
	}
}

func line(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func reply(content string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		line(w, 200, map[string]any{"model": "qwen2.5:3b", "created_at": "2026-11-26T10:00:00Z",
			"message": map[string]any{"role": "assistant", "content": content}, "done": true, "done_reason": "stop",
			"total_duration": 812345678, "eval_count": 64})
	}
}

const wageText = "Gaji bulan ini dibayar di bawah UMK dan THR belum dibayar sampai sekarang, mohon bantuan serikat."

// Every Ollama failure still ends in a stored suggestion: Ollama's when it
// answers well, the built-in model's (with the reason) otherwise.
func TestClassificationWithFakeOllama(t *testing.T) {
	valid := `{"category":"upah","confidence":0.91,"tags":["thr","upah_minimum"],"urgency":"normal","type":"complaint","language":"id","steps":["Kumpulkan slip gaji"]}`
	scenarios := []struct {
		name         string
		chat         func(http.ResponseWriter, *http.Request)
		models       []string
		wantModel    string
		wantFallback string
	}{
		{"valid reply", reply(valid), nil, "qwen2.5:3b", ""},
		{"off the enum", reply(strings.Replace(valid, `"upah"`, `"gaji_buta"`, 1)), nil, classify.BuiltinModelName, classify.ReasonInvalidReply},
		{"malformed json", reply(`{"category": "upah", `), nil, classify.BuiltinModelName, classify.ReasonInvalidJSON},
		{"slow past the timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(3 * time.Second):
			case <-r.Context().Done():
			}
			reply(valid)(w, r)
		}, nil, classify.BuiltinModelName, classify.ReasonTimeout},
		{"server error", func(w http.ResponseWriter, _ *http.Request) {
			line(w, 500, map[string]any{"error": "llama runner process has terminated"})
		}, nil, classify.BuiltinModelName, classify.ReasonHTTP},
		{"model missing", func(w http.ResponseWriter, _ *http.Request) {
			line(w, 404, map[string]any{"error": `model "qwen2.5:3b" not found, try pulling it first`})
		}, nil, classify.BuiltinModelName, classify.ReasonModelMissing},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			srv := httptest.NewServer(&fakeOllama{chat: sc.chat, models: []string{"qwen2.5:3b"}})
			defer srv.Close()
			f := newFixture(t, srv.URL, 500*time.Millisecond, 2)
			start := time.Now()
			id := f.file("spn", wageText)
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("filing took %v: classification must not delay it", d)
			}
			got := f.waitSuggestion(id, 2*time.Minute)
			if got.Model != sc.wantModel || !strings.HasPrefix(got.Fallback, sc.wantFallback) {
				t.Fatalf("suggestion %+v, want model %s fallback %q", got, sc.wantModel, sc.wantFallback)
			}
			if got.Category != "upah" {
				t.Errorf("category %q, want upah", got.Category)
			}
		})
	}
}

// Filing 1,000 cases while Ollama takes 5 s per answer: filing keeps its
// normal speed and every case ends up classified (Ollama times out after
// one second here and the built-in model answers).
func TestThousandFilingsWithSlowOllama(t *testing.T) {
	if testing.Short() {
		t.Skip("long: -short")
	}
	var calls atomic.Int64
	srv := httptest.NewServer(&fakeOllama{models: []string{"qwen2.5:3b"}, chat: func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
			return
		}
		reply(`{"category":"upah","confidence":0.9,"tags":[],"urgency":"normal","type":"complaint","language":"id","steps":[]}`)(w, r)
	}})
	defer srv.Close()
	f := newFixture(t, srv.URL, time.Second, 100)
	const n = 1000
	ids := make([]uuid.UUID, n)
	var slowest time.Duration
	start := time.Now()
	for i := range ids {
		s := time.Now()
		ids[i] = f.file("spn", fmt.Sprintf("Laporan nomor %d: upah lembur tidak dibayar penuh bulan ini.", i))
		if d := time.Since(s); d > slowest {
			slowest = d
		}
	}
	filing := time.Since(start)
	t.Logf("filed %d cases in %v (%.1f ms each on average, slowest %v) while Ollama answered in 5 s", n, filing, float64(filing.Milliseconds())/n, slowest)
	// Filing never waits for the model: not one filing took anywhere near
	// Ollama's 5 s (or its 1 s timeout).
	if slowest >= time.Second {
		t.Errorf("slowest filing took %v", slowest)
	}
	deadline := time.Now().Add(4 * time.Minute)
	var done int
	for time.Now().Before(deadline) {
		if err := f.db.Super.QueryRowContext(context.Background(), "SELECT count(DISTINCT case_id) FROM case_suggestions").Scan(&done); err != nil {
			t.Fatal(err)
		}
		if done == n {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if done != n {
		t.Fatalf("%d of %d cases classified", done, n)
	}
	t.Logf("all %d classified %v after the first filing; %d calls reached Ollama", n, time.Since(start), calls.Load())
}

// An officer's correction (category and urgency, in one decision) teaches
// that tenant's built-in model, and only that tenant's.
func TestCorrectionChangesNextPredictionForThatTenantOnly(t *testing.T) {
	f := newFixture(t, "", 0, 2)
	ctx := context.Background()
	// A text the base model files under fasilitas (canteen food).
	text := "Makanan di kantin pabrik sering basi dan porsinya dikurangi sejak bulan lalu."
	before := f.waitSuggestion(f.file("spn", text), 2*time.Minute)
	target := "jaminan_sosial"
	if before.Category == target {
		target = "lainnya"
	}
	urgency := "high"
	if before.Urgency == urgency {
		urgency = "low"
	}
	spn := f.resolver.BySlug("spn")
	admin, _, err := f.accounts.CreateAccount(ctx, spn, auth.NewAccount{Name: "Admin", Email: "admin@spn.example",
		Password: "suara-demo", SkipStrengthCheck: true, Role: "federation_admin"})
	if err != nil {
		t.Fatal(err)
	}
	p := &auth.Principal{UserID: admin.ID, TenantID: spn.ID, Kind: "staff"}
	// The officer corrects a few cases of this kind.
	for i := 0; i < 3; i++ {
		id := f.file("spn", text)
		f.waitSuggestion(id, 2*time.Minute)
		if _, err := f.cases.DecideSuggestion(ctx, spn.ID, p, id, cases.Decision{Category: target, Urgency: urgency}); err != nil {
			t.Fatalf("correct: %v", err)
		}
		var got string
		if err := f.db.Super.QueryRowContext(ctx, "SELECT urgency FROM cases WHERE id = ?", id).Scan(&got); err != nil || got != urgency {
			t.Fatalf("case urgency after the correction %q (%v), want %q", got, err, urgency)
		}
	}
	after := f.waitSuggestion(f.file("spn", text+" "), 2*time.Minute)
	if after.Category != target || after.Urgency != urgency {
		t.Fatalf("after corrections spn predicts %q/%q, want %q/%q (before: %q/%q)", after.Category, after.Urgency,
			target, urgency, before.Category, before.Urgency)
	}
	other := f.waitSuggestion(f.file("garteks", text), 2*time.Minute)
	if other.Category != before.Category || other.Urgency != before.Urgency {
		t.Fatalf("garteks predicts %q/%q, want the untaught %q/%q", other.Category, other.Urgency, before.Category, before.Urgency)
	}
	// The correction is on the timeline and the acceptance counter.
	rates, err := f.cases.AcceptanceRates(ctx, spn.ID)
	if err != nil || len(rates) == 0 {
		t.Fatalf("rates %v %v", rates, err)
	}
	var events int
	_ = db.InTenantTx(ctx, f.db.App, spn.ID, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM case_events WHERE kind = ?", cases.EventAISuggestionDecided).Scan(&events)
	})
	if events != 3 {
		t.Fatalf("%d decision events, want 3", events)
	}
}

// Recommendations: the suggested category's playbook and similar resolved
// cases of the same union, never another union's.
func TestRecommendations(t *testing.T) {
	f := newFixture(t, "", 0, 2)
	ctx := context.Background()
	spn := f.resolver.BySlug("spn")
	resolved := f.file("spn", "Lembur hari Minggu tidak dibayar sesuai aturan, upah lembur dipotong mandor.")
	otherUnion := f.file("garteks", "Lembur hari Minggu tidak dibayar sesuai aturan, upah lembur dipotong mandor.")
	if _, err := f.db.Super.ExecContext(ctx, "UPDATE cases SET status = 'resolved' WHERE id IN (?, ?)", resolved, otherUnion); err != nil {
		t.Fatal(err)
	}
	open := f.file("spn", "Upah lembur kami dipotong dan lembur hari Minggu tidak dibayar penuh.")
	f.waitSuggestion(open, 2*time.Minute)
	admin, _, err := f.accounts.CreateAccount(ctx, spn, auth.NewAccount{Name: "Admin", Email: "admin@spn.example",
		Password: "suara-demo", SkipStrengthCheck: true, Role: "federation_admin"})
	if err != nil {
		t.Fatal(err)
	}
	p := &auth.Principal{UserID: admin.ID, TenantID: spn.ID, Kind: "staff"}
	rec, err := f.cases.Recommendations(ctx, spn.ID, p, open, "id")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Category == "" || len(rec.Playbook) == 0 {
		t.Fatalf("no playbook: %+v", rec)
	}
	if len(rec.Similar) != 1 || rec.Similar[0].ID != resolved {
		t.Fatalf("similar = %+v, want only the resolved spn case", rec.Similar)
	}
	// A worker (not staff) is told the case does not exist.
	if _, err := f.cases.Recommendations(ctx, spn.ID, &auth.Principal{UserID: uuid.New(), TenantID: spn.ID, Kind: "worker"}, open, "id"); err == nil {
		t.Fatal("a worker got recommendations")
	}
}
