package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/suara-id/suara/internal/netguard"
)

// SMTPConfig is the platform's mail relay.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// From is the address used when the tenant set no sender email.
	From string
	// Timeout bounds one delivery (0: 20s).
	Timeout time.Duration
}

// SMTPSender sends email through an SMTP relay (net/smtp: STARTTLS when
// the server offers it, PLAIN auth when a username is set).
type SMTPSender struct {
	Config SMTPConfig
}

// ErrChannelOff means the channel is not configured; the row is skipped,
// not retried.
var ErrChannelOff = errors.New("channel not configured")

// Send delivers one email.
func (e *SMTPSender) Send(ctx context.Context, st *Settings, m Message) error {
	c := e.Config
	if c.Host == "" {
		return ErrChannelOff
	}
	from := st.SenderEmail
	if from == "" {
		from = c.From
	}
	if from == "" {
		return fmt.Errorf("email: %w: no sender address", ErrChannelOff)
	}
	if strings.ContainsAny(m.To, "\r\n") {
		return fmt.Errorf("email: bad recipient address")
	}
	hdrFrom := (&mail.Address{Name: st.SenderName, Address: from}).String()
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n",
		hdrFrom, m.To, mime.QEncoding.Encode("utf-8", m.Subject), time.Now().UTC().Format(time.RFC1123Z))
	msg.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	msg.WriteString(strings.ReplaceAll(m.Body, "\n", "\r\n"))
	msg.WriteString("\r\n")
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	return sendMail(ctx, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), c, from, m.To, msg.Bytes(), timeout)
}

// sendMail is smtp.SendMail with a dial timeout and a deadline, so a stuck
// relay fails the attempt instead of holding a worker.
func sendMail(ctx context.Context, addr string, c SMTPConfig, from, to string, msg []byte, timeout time.Duration) error {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp dial: %w", err)
	}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp greeting: %w", err)
	}
	defer cl.Close()
	if ok, _ := cl.Extension("STARTTLS"); ok {
		if err := cl.StartTLS(nil); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if c.Username != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.Username, c.Password, c.Host)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := cl.Mail(from); err != nil {
		return fmt.Errorf("smtp mail from: %w", err)
	}
	if err := cl.Rcpt(to); err != nil {
		return fmt.Errorf("smtp rcpt: %w", err)
	}
	w, err := cl.Data()
	if err != nil {
		return fmt.Errorf("smtp data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp end of data: %w", err)
	}
	return cl.Quit()
}

// Gateway sends SMS and WhatsApp messages through a tenant's generic JSON
// webhook: POST {channel, to, body, template, locale, reference, link} with
// the tenant's bearer token; any 2xx is delivered. Providers differ, so an
// adapter behind the URL speaks theirs; it gets the template name for
// providers that only send pre-approved WhatsApp templates.
type Gateway struct {
	Client *http.Client
	// Guard checks the URL and classifies failures (nil: no allow-list).
	Guard *netguard.Policy
	// Log keeps the detail of a failure for the operator; what the row
	// (and so the admin) sees is only its kind.
	Log *slog.Logger
}

// Send posts one message to the tenant's gateway.
func (g *Gateway) Send(ctx context.Context, st *Settings, m Message) error {
	if st.GatewayURL == "" {
		return ErrChannelOff
	}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, st.GatewayURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("gateway request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if st.GatewayToken != "" {
		req.Header.Set("Authorization", "Bearer "+st.GatewayToken)
	}
	resp, err := g.Guard.Do(g.Client, req)
	if err != nil {
		if g.Log != nil {
			g.Log.Warn("gateway call failed", "kind", netguard.Kind(err))
		}
		return &GatewayError{Kind: netguard.Kind(err), err: err}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &GatewayError{Kind: "rejected", Status: resp.StatusCode}
	}
	return nil
}

// GatewayError is a failed gateway call, by kind only ("refused_address",
// "unreachable", "redirect", "rejected" with the status): its text is what
// admins see on an outbox row, so it names no address and carries no
// network message.
type GatewayError struct {
	Kind   string
	Status int
	err    error
}

func (e *GatewayError) Error() string {
	if e.Kind == "rejected" {
		return fmt.Sprintf("gateway: status %d", e.Status)
	}
	return "gateway: " + e.Kind
}

func (e *GatewayError) Unwrap() error { return e.err }
