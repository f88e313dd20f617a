package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/suara-id/suara/internal/notify/notifytest"
)

// fakeMail is the platform's mail relay in the suite (notifytest.SMTP on
// loopback): it keeps every message, the workers' and staff's mailboxes,
// where invite links arrive.
type fakeMail struct{ *notifytest.SMTP }

func startFakeMail() (*fakeMail, error) {
	f, err := notifytest.StartSMTP()
	if err != nil {
		return nil, err
	}
	atExit(func() { f.Close() })
	return &fakeMail{f}, nil
}

var mailLinkRE = regexp.MustCompile(`https?://[^\s]+/invite/[A-Za-z0-9_-]+`)

// inviteLink waits for a mail to to and returns the invite link in it.
func (f *fakeMail) inviteLink(t *testing.T, to string) string {
	t.Helper()
	for i := 0; i < 100; i++ {
		mail := f.Sent()
		for j := len(mail) - 1; j >= 0; j-- {
			if strings.EqualFold(mail[j].To, to) {
				if m := mailLinkRE.FindString(mail[j].Data); m != "" {
					return m
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no invite mail to %s", to)
	return ""
}

// fakeGateway is a union's SMS/WhatsApp gateway: it accepts every message
// and keeps it. Its loopback address is allow-listed by the operator
// (notify.outbound_allow_hosts), as an internal gateway would be.
type fakeGateway struct {
	srv  *httptest.Server
	mu   sync.Mutex
	msgs []map[string]any
}

func startFakeGateway() *fakeGateway {
	g := &fakeGateway{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&m)
		g.mu.Lock()
		g.msgs = append(g.msgs, m)
		g.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	atExit(g.srv.Close)
	return g
}

func (g *fakeGateway) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.msgs)
}
