// Package notifytest holds fakes of the external services notify talks to,
// for tests in any package: an SMTP relay that keeps what it is sent.
package notifytest

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// SMTP is a minimal SMTP server on a loopback listener: it accepts every
// message and keeps its recipient and its whole DATA.
type SMTP struct {
	ln   net.Listener
	mu   sync.Mutex
	mail []Mail
}

// Mail is one message the relay accepted: the last RCPT TO address (as
// the client wrote it) and the DATA without its final dot.
type Mail struct{ To, Data string }

// NewSMTP starts a relay that stops when tb ends.
func NewSMTP(tb testing.TB) *SMTP {
	tb.Helper()
	f, err := StartSMTP()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	return f
}

// StartSMTP starts a relay for a caller with no testing.TB at hand (a
// suite's shared server); the caller closes it.
func StartSMTP() (*SMTP, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &SMTP{ln: ln}
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

// Port is the relay's port on 127.0.0.1.
func (f *SMTP) Port() int { return f.ln.Addr().(*net.TCPAddr).Port }

// Close stops accepting connections.
func (f *SMTP) Close() error { return f.ln.Close() }

// Sent returns a copy of every message accepted so far, oldest first.
func (f *SMTP) Sent() []Mail {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Mail(nil), f.mail...)
}

func (f *SMTP) serve(c net.Conn) {
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
			f.mail = append(f.mail, Mail{To: to, Data: b.String()})
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
