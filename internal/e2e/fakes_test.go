package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeMail is the platform's mail relay in the suite: a minimal SMTP
// server on loopback that keeps every message (the workers' and staff's
// mailboxes, where invite links arrive).
type fakeMail struct {
	ln   net.Listener
	mu   sync.Mutex
	mail []mailMsg
}

type mailMsg struct{ To, Data string }

func startFakeMail() (*fakeMail, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fakeMail{ln: ln}
	atExit(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f, nil
}

func (f *fakeMail) port() int { return f.ln.Addr().(*net.TCPAddr).Port }

func (f *fakeMail) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(s string) { io.WriteString(c, s+"\r\n") }
	say("220 fake ESMTP")
	var to string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "RCPT TO"):
			to = strings.ToLower(strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<>"))
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			f.mu.Lock()
			f.mail = append(f.mail, mailMsg{To: to, Data: b.String()})
			f.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

var mailLinkRE = regexp.MustCompile(`https?://[^\s]+/invite/[A-Za-z0-9_-]+`)

// inviteLink waits for a mail to to and returns the invite link in it.
func (f *fakeMail) inviteLink(t *testing.T, to string) string {
	t.Helper()
	for i := 0; i < 100; i++ {
		f.mu.Lock()
		for j := len(f.mail) - 1; j >= 0; j-- {
			if f.mail[j].To == to {
				if m := mailLinkRE.FindString(f.mail[j].Data); m != "" {
					f.mu.Unlock()
					return m
				}
			}
		}
		f.mu.Unlock()
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
