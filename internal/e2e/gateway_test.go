package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/db/pgtest"
)

// smsGateway is every union's SMS gateway in the browser suite, speaking
// internal/notify's wire format (POST JSON {channel, to, body, template,
// ...}): the codes that verify phones and reset passwords arrive here.
type smsGateway struct {
	srv  *httptest.Server
	mu   sync.Mutex
	sent []struct{ To, Body string }
}

func startGateway(ctx context.Context, tdb *pgtest.DB) (*smsGateway, error) {
	g := &smsGateway{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ To, Body string }
		b, _ := io.ReadAll(r.Body)
		if json.Unmarshal(b, &m) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.sent = append(g.sent, m)
		g.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	_, err := tdb.Super.ExecContext(ctx, `INSERT INTO notify_settings (tenant_id, sms_enabled, gateway_url, updated_at)
		SELECT id, true, ?, now() FROM tenants
		ON CONFLICT (tenant_id) DO UPDATE SET sms_enabled = true, gateway_url = EXCLUDED.gateway_url`, g.srv.URL)
	if err != nil {
		g.srv.Close()
		return nil, err
	}
	return g, nil
}

var codeRE = regexp.MustCompile(`\b[0-9]{6}\b`)

// code waits for the newest code sent to phone (+62… form).
func (g *smsGateway) code(t *testing.T, phone string) string {
	t.Helper()
	for i := 0; i < 100; i++ {
		g.mu.Lock()
		for j := len(g.sent) - 1; j >= 0; j-- {
			if g.sent[j].To == phone {
				if c := codeRE.FindString(g.sent[j].Body); c != "" {
					g.mu.Unlock()
					return c
				}
			}
		}
		g.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no code sent to %s", phone)
	return ""
}
