package chat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/chat"
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db/pgtest"
	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/jobs"
	"github.com/suara-id/suara/internal/logtest"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

const (
	appSecret = "test-app-secret"
	token     = "test-access-token"
	pnid      = "106540352242922"
	gpsMark   = "SECRET-GPS-MARK-6.2S"
)

// fakeGraph is the WhatsApp Cloud API at the HTTP boundary: the messages
// endpoint records what was sent, the media endpoints serve files.
type fakeGraph struct {
	srv   *httptest.Server
	mu    sync.Mutex
	sent  []sentMsg
	media map[string][]byte
	down  atomic.Bool
}

type sentMsg struct{ To, Body string }

func newFakeGraph(t *testing.T) *fakeGraph {
	g := &fakeGraph{media: map[string][]byte{}}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}`)
			return
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/"+pnid+"/messages":
			if g.down.Load() {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = io.WriteString(w, `{"error":{"message":"Service temporarily unavailable","code":2}}`)
				return
			}
			var m struct {
				MessagingProduct string `json:"messaging_product"`
				To               string `json:"to"`
				Type             string `json:"type"`
				Text             struct {
					Body string `json:"body"`
				} `json:"text"`
			}
			if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.MessagingProduct != "whatsapp" || m.Type != "text" {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			g.mu.Lock()
			g.sent = append(g.sent, sentMsg{m.To, m.Text.Body})
			n := len(g.sent)
			g.mu.Unlock()
			fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":"wamid.out%d"}]}`, m.To, m.To, n)
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/media/"):
			g.mu.Lock()
			b := g.media[strings.TrimPrefix(r.URL.Path, "/media/")]
			g.mu.Unlock()
			_, _ = w.Write(b)
		case r.Method == http.MethodGet:
			id := strings.TrimPrefix(r.URL.Path, "/")
			g.mu.Lock()
			b, ok := g.media[id]
			g.mu.Unlock()
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			fmt.Fprintf(w, `{"messaging_product":"whatsapp","url":%q,"mime_type":"application/octet-stream","sha256":"x","file_size":%d,"id":%q}`,
				g.srv.URL+"/media/"+id, len(b), id)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGraph) to(wa string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, m := range g.sent {
		if m.To == wa {
			out = append(out, m.Body)
		}
	}
	return out
}

// models is shared by every fixture, as in the jobs tests: a template
// trains once per run.
var models = jobs.NewModels()

type fixture struct {
	t        *testing.T
	db       *pgtest.DB
	chat     *chat.Service
	cases    *cases.Service
	accounts *auth.Service
	graph    *fakeGraph
	spn      *tenant.Tenant
	logs     *logtest.Buffer
	seq      atomic.Int64
	now      time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	tdb := pgtest.New(t)
	ctx := context.Background()
	tenanttest.Seed(t, tdb)
	res := tenant.NewResolver("localhost", tdb.App)
	if err := res.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	logs := &logtest.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	authz := auth.NewBundledAuthorizer(tdb.App, log)
	keys, err := cases.ParseKeyRing(config.DevIdentityKey)
	if err != nil {
		t.Fatal(err)
	}
	cs := cases.New(tdb.App, authz, cases.Options{Keys: keys, Store: &evidence.LocalStore{Root: t.TempDir()}, Limits: evidence.DefaultLimits(), Log: log})
	cs.ReceiptFloor = 0
	accounts := auth.NewService(tdb.App, authz, log, time.Hour, time.Hour)
	g := newFakeGraph(t)
	ch := chat.New(tdb.App, chat.Options{Keys: keys, Cases: cs, Accounts: accounts, Authz: authz, Log: log,
		Tenant: func(id uuid.UUID) *tenant.Tenant {
			for _, tt := range res.All() {
				if tt.ID == id {
					return tt
				}
			}
			return nil
		},
		BaseURL: func(slug string) string { return "http://" + slug + ".localhost" }})
	reg := river.NewWorkers()
	river.AddWorker(reg, &jobs.ClassifyWorker{Cases: cs, Models: models, Log: log})
	jobs.AddChatWorkers(reg, ch)
	q, err := jobs.New(tdb.App, reg, jobs.Options{Workers: 4, Poll: 50 * time.Millisecond, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	cs.OnFiled = func(ctx context.Context, tx bun.Tx, c *cases.Case) error {
		return q.EnqueueClassifyTx(ctx, tx, c.TenantID, c.ID)
	}
	cs.OnEvent = ch.OnEvent
	ch.Jobs = q
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})
	spn := res.BySlug("spn")
	if err := ch.SeedChannel(ctx, spn.ID, chat.WhatsApp, chat.Config{VerifyToken: "vt", AppSecret: appSecret, AccessToken: token,
		PhoneNumberID: pnid, APIBase: g.srv.URL}); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, db: tdb, chat: ch, cases: cs, accounts: accounts, graph: g, spn: spn, logs: logs, now: time.Now()}
}

// msg builds one messages[] entry in Meta's format.
func (f *fixture) msg(from, typ string, content map[string]any) map[string]any {
	id := fmt.Sprintf("wamid.HBgN%sFQIAEhgg%04d", from, f.seq.Add(1))
	m := map[string]any{"from": from, "id": id, "timestamp": fmt.Sprint(f.now.Unix()), "type": typ}
	m[typ] = content
	return m
}

func text(s string) map[string]any { return map[string]any{"body": s} }

func button(id, title string) map[string]any {
	return map[string]any{"type": "button_reply", "button_reply": map[string]any{"id": id, "title": title}}
}

// payload wraps messages in the webhook envelope.
func payload(from string, msgs ...map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": "102290129340398", "changes": []any{map[string]any{
			"field": "messages",
			"value": map[string]any{
				"messaging_product": "whatsapp",
				"metadata":          map[string]any{"display_phone_number": "15550783881", "phone_number_id": pnid},
				"contacts":          []any{map[string]any{"profile": map[string]any{"name": "Sri Wahyuni"}, "wa_id": from}},
				"messages":          msgs,
			}}}}},
	})
	return b
}

func (f *fixture) post(t *testing.T, body []byte) int {
	t.Helper()
	n, err := f.chat.HandleWhatsApp(context.Background(), f.spn, chat.Sign(appSecret, body), body)
	if err != nil {
		t.Fatalf("webhook: %v", err)
	}
	return n
}

// say sends one message from a worker and waits until the fake Graph API
// has received want replies in all to that worker.
func (f *fixture) say(t *testing.T, from string, m map[string]any, want int) []string {
	t.Helper()
	f.post(t, payload(from, m))
	return f.waitReplies(t, from, want)
}

func (f *fixture) waitReplies(t *testing.T, from string, want int) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if got := f.graph.to(from); len(got) >= want {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("replies to %s: got %q, want %d", from, f.graph.to(from), want)
	return nil
}

func photoWithMark(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for x := 0; x < 32; x++ {
		for y := 0; y < 24; y++ {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	raw := b.Bytes()
	// A comment segment right after SOI: metadata the cleaner must drop.
	com := append([]byte{0xFF, 0xFE, 0, byte(len(gpsMark) + 2)}, gpsMark...)
	return append(append(append([]byte{}, raw[:2]...), com...), raw[2:]...)
}

type caseRow struct {
	ID                 uuid.UUID
	Reference          string
	SafetyMode         string
	IntakeChannel      string
	NeedsTranscription bool
	Description        string
	ReporterUserID     uuid.NullUUID
	HasLookup          bool
}

func (f *fixture) caseByRef(t *testing.T, ref string) caseRow {
	t.Helper()
	var c caseRow
	err := f.db.Super.QueryRowContext(context.Background(), `SELECT id, reference, safety_mode, intake_channel, needs_transcription, description,
		reporter_user_id, reporter_lookup IS NOT NULL FROM cases WHERE reference = ?`, ref).
		Scan(&c.ID, &c.Reference, &c.SafetyMode, &c.IntakeChannel, &c.NeedsTranscription, &c.Description, &c.ReporterUserID, &c.HasLookup)
	if err != nil {
		t.Fatalf("case %s: %v", ref, err)
	}
	return c
}

func (f *fixture) evidence(t *testing.T, caseID uuid.UUID) (kinds []string, stored [][]byte) {
	t.Helper()
	rows, err := f.db.Super.QueryContext(context.Background(), "SELECT kind, storage_key FROM evidence_files WHERE case_id = ? ORDER BY created_at", caseID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, key string
		if err := rows.Scan(&k, &key); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, k)
		stored = append(stored, []byte(key))
	}
	return kinds, stored
}

func refIn(t *testing.T, s string) string {
	t.Helper()
	i := strings.Index(s, "SPN-")
	if i < 0 {
		t.Fatalf("no reference in %q", s)
	}
	return strings.TrimRight(strings.Fields(s[i:])[0], ".,")
}

func (f *fixture) waitSuggestion(t *testing.T, caseID uuid.UUID) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		_ = f.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM case_suggestions WHERE case_id = ?", caseID).Scan(&n)
		if n > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("case %s was not classified", caseID)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// firstMessage digs the first message out of a payload built by payload.
func firstMessage(m map[string]any) map[string]any {
	e := m["entry"].([]any)[0].(map[string]any)
	c := e["changes"].([]any)[0].(map[string]any)
	v := c["value"].(map[string]any)
	return v["messages"].([]any)[0].(map[string]any)
}

// waitEvidence waits for n evidence files (attached right after filing).
func (f *fixture) waitEvidence(t *testing.T, caseID uuid.UUID, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		kinds, _ := f.evidence(t, caseID)
		if len(kinds) >= n || time.Now().After(deadline) {
			if len(kinds) < n {
				t.Logf("logs:\n%s", f.logs.String())
			}
			return kinds
		}
		time.Sleep(20 * time.Millisecond)
	}
}
