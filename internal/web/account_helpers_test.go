package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// fakeGateway is a union's SMS/WhatsApp gateway as internal/notify speaks
// to it: POST of a JSON message {channel, to, body, template, locale, ...}
// with the union's bearer token; any 2xx is delivered.
type fakeGateway struct {
	mu   sync.Mutex
	msgs []gatewayMessage
	// settle waits for account messages the server sends after answering.
	settle func()
}

type gatewayMessage struct {
	Channel  string `json:"channel"`
	To       string `json:"to"`
	Body     string `json:"body"`
	Template string `json:"template"`
	Locale   string `json:"locale"`
	Auth     string `json:"-"`
}

// gatewayHub is one loopback server for the package's fake gateways, each
// at its own path; newEnv allow-lists its host:port (and only it), as an
// operator allow-lists an internal gateway, so the SSRF guard still refuses
// every other loopback address.
var gatewayHub struct {
	once sync.Once
	srv  *httptest.Server
	mu   sync.Mutex
	gws  map[string]*fakeGateway
}

func gatewayHubHost() string {
	gatewayHub.once.Do(func() {
		gatewayHub.gws = map[string]*fakeGateway{}
		gatewayHub.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gatewayHub.mu.Lock()
			g := gatewayHub.gws[r.URL.Path]
			gatewayHub.mu.Unlock()
			body, _ := io.ReadAll(r.Body)
			var m gatewayMessage
			if g == nil || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &m) != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			m.Auth = r.Header.Get("Authorization")
			g.mu.Lock()
			g.msgs = append(g.msgs, m)
			g.mu.Unlock()
			w.WriteHeader(http.StatusAccepted)
		}))
	})
	return strings.TrimPrefix(gatewayHub.srv.URL, "http://")
}

// gateway starts a fake gateway and switches it on as the SMS channel of
// the union slug (as its admin would in the notification settings).
func (e *env) gateway(slug string) *fakeGateway {
	e.t.Helper()
	g := &fakeGateway{settle: e.pf.Accounts.Wait}
	gatewayHubHost()
	gatewayHub.mu.Lock()
	path := fmt.Sprintf("/gw/%d", len(gatewayHub.gws)+1)
	gatewayHub.gws[path] = g
	gatewayHub.mu.Unlock()
	_, err := e.db.Super.ExecContext(context.Background(), `INSERT INTO notify_settings (tenant_id, sms_enabled, gateway_url, gateway_token, updated_at)
		SELECT id, true, ?, 'gw-secret', now() FROM tenants WHERE slug = ?
		ON CONFLICT (tenant_id) DO UPDATE SET sms_enabled = true, gateway_url = EXCLUDED.gateway_url, gateway_token = EXCLUDED.gateway_token`,
		gatewayHub.srv.URL+path, slug)
	if err != nil {
		e.t.Fatal(err)
	}
	return g
}

func (g *fakeGateway) sent() []gatewayMessage {
	g.settle()
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]gatewayMessage(nil), g.msgs...)
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// last returns the newest message to phone (+62… form) or fails.
func (g *fakeGateway) last(t *testing.T, phone string) gatewayMessage {
	t.Helper()
	msgs := g.sent()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == phone {
			return msgs[i]
		}
	}
	t.Fatalf("no message to %s among %d", phone, len(msgs))
	return gatewayMessage{}
}

// code is the one-time code in the newest message to phone.
func (g *fakeGateway) code(t *testing.T, phone string) string {
	t.Helper()
	m := g.last(t, phone)
	c := sixDigits.FindString(m.Body)
	if c == "" {
		t.Fatalf("no code in %q (%s)", m.Body, m.Template)
	}
	return c
}

// registerWorker signs a worker up on host through the API, with the code
// the union's gateway carried, and returns the reply of the verification
// (token and user).
func (e *env) registerWorker(g *fakeGateway, host string, fields map[string]any) map[string]any {
	e.t.Helper()
	resp, body := e.postJSON(host, "/api/v1/auth/register", fields)
	if resp.StatusCode != http.StatusAccepted {
		e.t.Fatalf("register: %d %v", resp.StatusCode, body)
	}
	phone := normalisedPhone(e.t, fields["phone"].(string))
	resp, body = e.postJSON(host, "/api/v1/auth/register/verify", map[string]string{"phone": phone, "code": g.code(e.t, phone)})
	if resp.StatusCode != http.StatusCreated {
		e.t.Fatalf("verify: %d %v", resp.StatusCode, body)
	}
	return body
}

func normalisedPhone(t *testing.T, raw string) string {
	t.Helper()
	digits := regexp.MustCompile(`[^0-9]`).ReplaceAllString(raw, "")
	switch {
	case len(digits) > 2 && digits[:2] == "62":
		return "+" + digits
	case len(digits) > 1 && digits[0] == '0':
		return "+62" + digits[1:]
	}
	t.Fatalf("phone %q", raw)
	return ""
}
