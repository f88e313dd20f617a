package classify

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeOllama speaks Ollama's wire format: one compact JSON line per reply,
// as the real server does with stream=false (the Go client reads lines).
type fakeOllama struct {
	mu       sync.Mutex
	lastChat map[string]any
	chat     func(w http.ResponseWriter, r *http.Request)
	models   []string
}

func (f *fakeOllama) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/api/chat":
		body, _ := io.ReadAll(r.Body)
		var req map[string]any
		_ = json.Unmarshal(body, &req)
		f.mu.Lock()
		f.lastChat = req
		f.mu.Unlock()
		f.chat(w, r)
	case "/api/tags":
		var ms []map[string]any
		for _, m := range f.models {
			ms = append(ms, map[string]any{"name": m, "model": m, "modified_at": "2025-01-01T00:00:00Z", "size": 1929912432, "digest": "abc"})
		}
		writeLine(w, http.StatusOK, map[string]any{"models": ms})
	default:
		http.NotFound(w, r)
	}
}

func writeLine(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// chatReply answers /api/chat with content as the assistant message.
func chatReply(content, doneReason string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		writeLine(w, http.StatusOK, map[string]any{
			"model":                "qwen2.5:3b",
			"created_at":           "2025-06-01T10:00:00.000000Z",
			"message":              map[string]any{"role": "assistant", "content": content},
			"done":                 true,
			"done_reason":          doneReason,
			"total_duration":       812345678,
			"load_duration":        1234567,
			"prompt_eval_count":    412,
			"prompt_eval_duration": 123456789,
			"eval_count":           64,
			"eval_duration":        456789012,
		})
	}
}

// stubClassifier is a fallback that records calls.
type stubClassifier struct {
	mu    sync.Mutex
	calls int
}

func (s *stubClassifier) Classify(_ context.Context, in Input) (Result, error) {
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	return Result{Category: in.Categories[0].Slug, Confidence: 0.5, Urgency: "normal", Type: "complaint", Model: BuiltinModelName}, nil
}

func testInput() Input {
	return Input{
		Text:       "gaji sy dipotong terus tanpa slip, mohon dibantu",
		Sector:     "garment",
		Locale:     "id",
		Categories: DefaultCategories()[:5],
		Tags:       []string{"pemotongan_upah", "slip_gaji", "lembur"},
	}
}

func newTestOllama(t *testing.T, f *fakeOllama, timeout time.Duration) (*Ollama, *stubClassifier, *bytes.Buffer) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	var logs bytes.Buffer
	fb := &stubClassifier{}
	o, err := NewOllama(OllamaConfig{Host: srv.URL, Model: "qwen2.5:3b", Timeout: timeout, Seed: 7, KeepAlive: time.Minute},
		fb, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return o, fb, &logs
}

func TestOllamaValidReply(t *testing.T) {
	content := `{"category":"upah","confidence":0.91,"tags":["pemotongan_upah","slip_gaji"],"urgency":"high","type":"complaint","language":"id","steps":["Kumpulkan slip","Bipartit"]}`
	f := &fakeOllama{chat: chatReply(content, "stop")}
	o, fb, logs := newTestOllama(t, f, 5*time.Second)
	res, err := o.Classify(context.Background(), testInput())
	if err != nil {
		t.Fatal(err)
	}
	if fb.calls != 0 || res.FallbackReason != "" {
		t.Fatalf("fallback used: %q", res.FallbackReason)
	}
	if res.Category != "upah" || res.Confidence != 0.91 || res.Urgency != "high" || len(res.Tags) != 2 || len(res.Steps) != 2 {
		t.Errorf("unexpected result %+v", res)
	}
	if res.Model != "qwen2.5:3b" || res.Latency <= 0 {
		t.Errorf("model %q latency %v", res.Model, res.Latency)
	}
	if logs.Len() != 0 {
		t.Errorf("unexpected log: %s", logs)
	}

	// The request carries the per-tenant schema and deterministic options.
	req := f.lastChat
	if req["stream"] != false {
		t.Errorf("stream = %v, want false", req["stream"])
	}
	opts, _ := req["options"].(map[string]any)
	if opts["temperature"] != float64(0) || opts["seed"] != float64(7) || opts["num_ctx"] == nil || opts["num_predict"] == nil {
		t.Errorf("options = %v", opts)
	}
	if req["keep_alive"] == nil {
		t.Error("keep_alive not sent")
	}
	props := req["format"].(map[string]any)["properties"].(map[string]any)
	enum := props["category"].(map[string]any)["enum"].([]any)
	if len(enum) != 5 || enum[0] != "upah" || enum[4] != "k3" {
		t.Errorf("category enum = %v, want the 5 input slugs", enum)
	}
	tagEnum := props["tags"].(map[string]any)["items"].(map[string]any)["enum"].([]any)
	if len(tagEnum) != 3 {
		t.Errorf("tag enum = %v", tagEnum)
	}
	msgs := req["messages"].([]any)
	user := msgs[1].(map[string]any)["content"].(string)
	if !strings.Contains(user, "gaji sy dipotong") || !strings.Contains(user, "garment") {
		t.Errorf("user message lacks text or sector: %q", user)
	}
}

// The model's steps are the playbook tailored to the case: the prompt
// carries the playbook, the reply's steps are kept; with no usable steps the
// reviewed playbook stands.
func TestOllamaStepsTailorThePlaybook(t *testing.T) {
	for _, c := range []struct {
		steps string
		want  string
	}{{`["model step"]`, "model step"}, {`[]`, "langkah playbook"}, {`["  "]`, "langkah playbook"}} {
		content := `{"category":"upah","confidence":0.8,"tags":[],"urgency":"normal","type":"complaint","language":"id","steps":` + c.steps + `}`
		f := &fakeOllama{chat: chatReply(content, "stop")}
		o, _, _ := newTestOllama(t, f, 5*time.Second)
		in := testInput()
		in.Type = "aspiration"
		in.Playbook = map[string][]string{"upah": {"langkah playbook"}}
		res, err := o.Classify(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Steps) != 1 || res.Steps[0] != c.want {
			t.Errorf("steps %s: got %v, want [%s]", c.steps, res.Steps, c.want)
		}
		if res.Type != "aspiration" {
			t.Errorf("type = %q, want the reporter's aspiration", res.Type)
		}
		f.mu.Lock()
		sent, _ := json.Marshal(f.lastChat)
		f.mu.Unlock()
		if !strings.Contains(string(sent), "langkah playbook") {
			t.Errorf("the prompt does not carry the playbook")
		}
	}
}

func TestOllamaFallbacks(t *testing.T) {
	valid := func(cat, tags string) string {
		return `{"category":"` + cat + `","confidence":0.7,"tags":` + tags + `,"urgency":"normal","type":"complaint","language":"id","steps":[]}`
	}
	cases := []struct {
		name    string
		chat    func(http.ResponseWriter, *http.Request)
		timeout time.Duration
		reason  string
	}{
		{"off-enum category", chatReply(valid("lainnya", `[]`), "stop"), 0, ReasonInvalidReply},
		{"tag outside vocabulary", chatReply(valid("upah", `["thr"]`), "stop"), 0, ReasonInvalidReply},
		{"too many tags", chatReply(valid("upah", `["lembur","lembur","lembur","lembur","lembur","lembur"]`), "stop"), 0, ReasonInvalidReply},
		{"bad urgency", chatReply(`{"category":"upah","confidence":0.7,"tags":[],"urgency":"urgent","type":"complaint","language":"id","steps":[]}`, "stop"), 0, ReasonInvalidReply},
		{"wrong field type", chatReply(`{"category":"upah","confidence":"high","tags":[],"urgency":"normal","type":"complaint","language":"id","steps":[]}`, "stop"), 0, ReasonInvalidJSON},
		{"malformed JSON", chatReply(`{"category":"upah","confid`, "stop"), 0, ReasonInvalidJSON},
		{"cut off at num_predict", chatReply(valid("upah", `[]`), "length"), 0, ReasonTruncated},
		{"slow past timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
				return
			}
			chatReply(valid("upah", `[]`), "stop")(w, r)
		}, 100 * time.Millisecond, ReasonTimeout},
		{"HTTP 500", func(w http.ResponseWriter, _ *http.Request) {
			writeLine(w, http.StatusInternalServerError, map[string]any{"error": "llama runner process has terminated"})
		}, 0, "http_error_500"},
		{"model missing", func(w http.ResponseWriter, _ *http.Request) {
			writeLine(w, http.StatusNotFound, map[string]any{"error": `model "qwen2.5:3b" not found, try pulling it first`})
		}, 0, ReasonModelMissing},
		{"empty body", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }, 0, ReasonEmpty},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			o, fb, logs := newTestOllama(t, &fakeOllama{chat: tc.chat}, timeout)
			in := testInput()
			in.Text = "RAHASIA-teks-kasus"
			res, err := o.Classify(context.Background(), in)
			if err != nil {
				t.Fatalf("error %v, want a fallback result", err)
			}
			if res.FallbackReason != tc.reason {
				t.Errorf("reason = %q, want %q", res.FallbackReason, tc.reason)
			}
			if fb.calls != 1 || res.Model != BuiltinModelName {
				t.Errorf("fallback calls %d model %q", fb.calls, res.Model)
			}
			if n := strings.Count(logs.String(), "\n"); n != 1 {
				t.Errorf("%d log lines, want exactly one: %s", n, logs)
			}
			if !strings.Contains(logs.String(), tc.reason) || strings.Contains(logs.String(), "RAHASIA") {
				t.Errorf("log must name the reason and never the case text: %s", logs)
			}
		})
	}
}

func TestOllamaUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	host := srv.URL
	srv.Close() // nothing listens there any more
	fb := &stubClassifier{}
	o, err := NewOllama(OllamaConfig{Host: host, Model: "m", Timeout: time.Second}, fb, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.Classify(context.Background(), testInput())
	if err != nil || res.FallbackReason != ReasonUnreachable {
		t.Errorf("res %+v err %v, want unreachable fallback", res, err)
	}
	if ok, err := o.Available(context.Background()); ok || err == nil {
		t.Errorf("Available = %v, %v; want false with an error", ok, err)
	}
}

func TestOllamaAvailable(t *testing.T) {
	f := &fakeOllama{models: []string{"llama3.2:latest", "qwen2.5:3b"}}
	o, _, _ := newTestOllama(t, f, time.Second)
	if ok, err := o.Available(context.Background()); !ok || err != nil {
		t.Errorf("Available = %v, %v; want true", ok, err)
	}
	f.models = []string{"llama3.2:latest"}
	if ok, err := o.Available(context.Background()); ok || err != nil {
		t.Errorf("Available = %v, %v; want false, nil", ok, err)
	}
}

func TestNewOllamaValidates(t *testing.T) {
	if _, err := NewOllama(OllamaConfig{Model: "m"}, nil, nil); err == nil {
		t.Error("nil fallback accepted")
	}
	if _, err := NewOllama(OllamaConfig{}, &stubClassifier{}, nil); err == nil {
		t.Error("empty model accepted")
	}
	if _, err := NewOllama(OllamaConfig{Model: "m", Host: "::bad"}, &stubClassifier{}, nil); err == nil {
		t.Error("bad host accepted")
	}
}

// The built-in classifier is a working fallback end to end.
func TestOllamaWithBuiltinFallback(t *testing.T) {
	f := &fakeOllama{chat: chatReply(`not json at all`, "stop")}
	srv := httptest.NewServer(f)
	defer srv.Close()
	o, err := NewOllama(OllamaConfig{Host: srv.URL, Model: "m"}, defaultModel(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	in := testInput()
	in.Categories = DefaultCategories()
	res, err := o.Classify(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if res.FallbackReason != ReasonInvalidJSON || res.Category != "upah" || res.Model != BuiltinModelName {
		t.Errorf("got %+v", res)
	}
}

// The language model may not lower urgency below a life-and-limb rule, for
// a complaint or for a request (aspiration) that reports the danger.
func TestOllamaUrgencyKeepsRuleFloor(t *testing.T) {
	for typ, text := range map[string]string{
		"complaint":  "pintu darurat di gedung jahit dikunci dari luar setiap shift malam",
		"aspiration": "mohon pintu darurat jangan digembok lagi waktu shift malam",
	} {
		content := `{"category":"k3","confidence":0.8,"tags":[],"urgency":"low","type":"` + typ + `","language":"id","steps":[]}`
		f := &fakeOllama{chat: chatReply(content, "stop")}
		o, _, _ := newTestOllama(t, f, 5*time.Second)
		in := testInput()
		in.Text, in.Type = text, typ
		res, err := o.Classify(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if res.Urgency != "critical" || !contains(res.UrgencyRules, "fire_exit_locked") {
			t.Errorf("%s: urgency %q rules %v, want critical by fire_exit_locked", typ, res.Urgency, res.UrgencyRules)
		}
	}
}
