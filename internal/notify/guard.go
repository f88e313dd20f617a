package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/netguard"
)

// SenderDomains returns the domains the operator allows union slug to send
// email from (config notify.sender_domains: "slug=domain", "*=domain",
// "{slug}" standing for the slug).
func SenderDomains(entries []string, slug string) []string {
	var out []string
	for _, e := range entries {
		who, dom, ok := strings.Cut(strings.TrimSpace(e), "=")
		if !ok || (who != "*" && who != slug) {
			continue
		}
		dom = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(dom, "{slug}", slug)))
		if dom != "" {
			out = append(out, dom)
		}
	}
	return out
}

// senderAllowed reports whether email's domain is one the union may use.
func (s *Service) senderAllowed(slug, email string) bool {
	_, dom, ok := strings.Cut(email, "@")
	if !ok {
		return false
	}
	for _, d := range SenderDomains(s.senderDomains, slug) {
		if dom == d {
			return true
		}
	}
	return false
}

// checkOutbound refuses a sender address on a domain the operator did not
// allow for the union (the platform's relay would otherwise send mail as
// anyone), and a gateway URL that is not https to a public address (an
// internal port scanner). Messages are generic: no address, no network
// error.
func (s *Service) checkOutbound(ctx context.Context, slug string, in *Settings) error {
	v := &apperr.Validation{}
	if in.SenderEmail != "" && !s.senderAllowed(slug, in.SenderEmail) {
		v.Add("sender_email", "error.sender_domain")
	}
	if in.GatewayURL != "" {
		switch err := s.guard.CheckURL(ctx, in.GatewayURL); {
		case err == nil:
		case errors.Is(err, netguard.ErrInvalidURL):
			v.Add("gateway_url", "error.gateway_https")
		default:
			v.Add("gateway_url", "error.gateway_refused")
		}
	}
	return v.Err()
}

// TestResult is the outcome of a test message, in words an admin can act
// on: "sent", "not_configured", "refused_address", "unresolvable",
// "unreachable", "redirect", "rejected", "failed".
type TestResult struct {
	Result string `json:"result"`
	Status int    `json:"status,omitempty"`
}

// TestChannels are the channels an admin may send a test message on.
var TestChannels = []Channel{ChannelEmail, ChannelSMS, ChannelWhatsApp}

// SendTest sends one fixed test message on ch to the address an admin
// typed, with the union's stored settings, and says how it went. The
// message has no case content. Federation admins only (tenant_settings
// update); no transaction is open while it sends.
func (s *Service) SendTest(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string, ch Channel, to, appName, locale string) (*TestResult, error) {
	if err := s.checkAdmin(ctx, p, tenantID, slug, "update"); err != nil {
		return nil, err
	}
	to = strings.TrimSpace(to)
	v := &apperr.Validation{}
	switch ch {
	case ChannelEmail:
		if !strings.Contains(to, "@") || strings.ContainsAny(to, "\r\n <>") || len(to) > 254 {
			v.Add("to", "error.email_invalid")
		}
	case ChannelSMS, ChannelWhatsApp:
		phone, ok := auth.NormalisePhone(to)
		if !ok {
			v.Add("to", "error.phone_invalid")
		}
		to = phone
	default:
		v.Add("channel", "error.invalid_choice")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var st *Settings
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) (err error) {
		st, err = loadSettings(ctx, tx, tenantID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("test message: %w", err)
	}
	if locale != "en" {
		locale = "id"
	}
	body := "Pesan uji dari " + appName + ": saluran ini berfungsi."
	if locale == "en" {
		body = "Test message from " + appName + ": this channel works."
	}
	m := Message{Channel: ch, To: to, Subject: appName, Body: body, Template: "test", Locale: locale}
	return s.sendNow(ctx, st, m), nil
}

// sendNow sends m with the union's settings, now, and reduces the outcome
// to a TestResult.
func (s *Service) sendNow(ctx context.Context, st *Settings, m Message) *TestResult {
	snd := s.Senders[m.Channel]
	if snd == nil {
		return &TestResult{Result: "not_configured"}
	}
	err := snd.Send(ctx, st, m)
	var ge *GatewayError
	switch {
	case err == nil:
		return &TestResult{Result: "sent"}
	case errors.Is(err, ErrChannelOff):
		return &TestResult{Result: "not_configured"}
	case errors.As(err, &ge):
		return &TestResult{Result: ge.Kind, Status: ge.Status}
	}
	s.log.Warn("test message failed", "channel", m.Channel, "err", err)
	return &TestResult{Result: "failed"}
}

// SendDirect sends a message that belongs to no case (a staff invite) on
// ch with the union's settings, now, outside any transaction. It reports
// the outcome the way SendTest does.
func (s *Service) SendDirect(ctx context.Context, tenantID uuid.UUID, ch Channel, to, subject, body, locale string) (*TestResult, error) {
	var st *Settings
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) (err error) {
		st, err = loadSettings(ctx, tx, tenantID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("send message: %w", err)
	}
	if (ch == ChannelSMS || ch == ChannelWhatsApp) && !st.enabled(ch) {
		return &TestResult{Result: "not_configured"}, nil
	}
	return s.sendNow(ctx, st, Message{Channel: ch, To: to, Subject: subject, Body: body, Template: "invite", Locale: locale}), nil
}

// Link is the union's public address of path (the root of links in
// messages).
func (s *Service) Link(slug, path string) string { return s.baseURL(slug) + path }

// InviteMessage words a staff invite for its channel: who invites, to
// which app, and the link.
func InviteMessage(appName, link, locale string) (subject, body string) {
	if locale == "en" {
		return "Invitation to " + appName, "You are invited to join " + appName + " as union staff. Open this link to set your password (valid for 7 days):\n" + link
	}
	return "Undangan ke " + appName, "Anda diundang bergabung di " + appName + " sebagai pengurus serikat. Buka tautan ini untuk membuat kata sandi (berlaku 7 hari):\n" + link
}
