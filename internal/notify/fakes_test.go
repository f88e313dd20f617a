package notify_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeSMTP is a minimal SMTP server on a loopback listener: it accepts
// every message and keeps recipient and full DATA.
type fakeSMTP struct {
	ln   net.Listener
	mu   sync.Mutex
	mail []sentMail
}

type sentMail struct{ To, Data string }

func newFakeSMTP(t *testing.T) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeSMTP) port() int { return f.ln.Addr().(*net.TCPAddr).Port }

func (f *fakeSMTP) serve(c net.Conn) {
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
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 fake")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			to = strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<>")
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
			f.mail = append(f.mail, sentMail{To: to, Data: b.String()})
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

func (f *fakeSMTP) sent() []sentMail {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sentMail(nil), f.mail...)
}

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
