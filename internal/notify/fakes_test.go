package notify_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// fakeGateway is the SMS/WhatsApp webhook: it fails the first failFirst
// requests (all when failFirst < 0) with 502 and records accepted ones.
type fakeGateway struct {
	srv       *httptest.Server
	mu        sync.Mutex
	failFirst int
	calls     int
	accepted  []gatewayMsg
	raw       []string
	auth      []string
}

type gatewayMsg struct {
	Channel   string `json:"channel"`
	To        string `json:"to"`
	Body      string `json:"body"`
	Template  string `json:"template"`
	Reference string `json:"reference"`
	Link      string `json:"link"`
}

func newFakeGateway(t *testing.T) *fakeGateway {
	g := &fakeGateway{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		g.mu.Lock()
		defer g.mu.Unlock()
		g.calls++
		g.raw = append(g.raw, string(body))
		if g.failFirst < 0 || g.calls <= g.failFirst {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		var m gatewayMsg
		if err := json.Unmarshal(body, &m); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		g.accepted = append(g.accepted, m)
		g.auth = append(g.auth, r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGateway) sent() []gatewayMsg {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]gatewayMsg(nil), g.accepted...)
}

func (g *fakeGateway) bodies() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.raw...)
}
