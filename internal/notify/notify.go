// Package notify owns notifications: per-tenant channel settings, each
// account's preferences and consent, and the outbox. A case event writes its
// outbox rows (one per recipient and channel) in the event's own
// transaction; River jobs deliver them with retries, and each row records
// its attempts, last error and delivery time. Outgoing bodies are rendered
// from a template, the case reference and a link only — never from case
// text — so nothing sensitive shows on a lock screen.
package notify

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/metrics"
	"github.com/suara-id/suara/internal/netguard"
)

// Channel is a way a message reaches someone.
type Channel string

const (
	ChannelInApp    Channel = "in_app"
	ChannelEmail    Channel = "email"
	ChannelSMS      Channel = "sms"
	ChannelWhatsApp Channel = "whatsapp"
)

// Delivery statuses of an outbox row.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
	StatusSkipped   = "skipped"
)

// Enqueuer queues the delivery of one outbox row inside tx, no earlier than
// at (internal/jobs implements it with River's InsertTx).
type Enqueuer interface {
	EnqueueDeliveryTx(ctx context.Context, tx bun.Tx, tenantID, outboxID uuid.UUID, at time.Time) error
}

// Sender sends one rendered message on one outside channel.
type Sender interface {
	Send(ctx context.Context, st *Settings, m Message) error
}

// Message is what a Sender sends: an address, and a body (and a subject for
// email) rendered only from a template, a reference and a link.
type Message struct {
	Channel   Channel `json:"channel"`
	To        string  `json:"to"`
	Subject   string  `json:"subject,omitempty"`
	Body      string  `json:"body"`
	Template  string  `json:"template"`
	Locale    string  `json:"locale"`
	Reference string  `json:"reference,omitempty"`
	Link      string  `json:"link,omitempty"`
}

// Options configure a Service.
type Options struct {
	// BaseURL returns the tenant's public address (scheme://host[:port]),
	// the root of the links in messages.
	BaseURL func(slug string) string
	// SMTP is the mail relay for the email channel (Host "" disables it).
	SMTP SMTPConfig
	// HTTPClient calls the SMS/WhatsApp gateway (nil: a 10s-timeout client
	// dialling through Guard).
	HTTPClient *http.Client
	// Guard decides which gateway URLs admins may save and calls may reach
	// (nil: https to public addresses only, no allow-list).
	Guard *netguard.Policy
	// SenderDomains are the operator's "slug=domain" entries (see
	// config notify.sender_domains).
	SenderDomains []string
	Authz         Authorizer
	Log           *slog.Logger
}

// Service writes and delivers notifications.
type Service struct {
	db      *bun.DB
	log     *slog.Logger
	baseURL func(string) string
	// Jobs enqueues deliveries; it is set once the job runner exists (its
	// workers need this service first). Nil: rows are written but no job is
	// queued (tests drive Deliver directly).
	Jobs Enqueuer
	// Senders per outside channel; tests replace them.
	Senders map[Channel]Sender
	// Now is the clock; tests fix it.
	Now func() time.Time
	// Authz checks admin access to settings and delivery status.
	Authz Authorizer
	// Metrics, when set, counts outside-channel delivery attempts by
	// channel and result (in-app rows are written delivered: not counted).
	Metrics *metrics.Metrics
	// ReporterCases lists the cases an account reported (its confidential
	// ones among them, whose outbox rows carry no account id).
	ReporterCases func(ctx context.Context, tenantID uuid.UUID, p *auth.Principal) ([]uuid.UUID, error)
	// devLogCodes: see SetDevLogCodes (account.go).
	devLogCodes bool

	guard         *netguard.Policy
	senderDomains []string
}

// New builds the service with the SMTP and gateway senders.
func New(bdb *bun.DB, o Options) *Service {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base := o.BaseURL
	if base == nil {
		base = func(slug string) string { return "http://" + slug + ".localhost" }
	}
	guard := o.Guard
	if guard == nil {
		guard = &netguard.Policy{}
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = guard.Client(10 * time.Second)
	}
	gw := &Gateway{Client: hc, Guard: guard, Log: log}
	return &Service{db: bdb, log: log, baseURL: base, Now: time.Now, Authz: o.Authz, guard: guard, senderDomains: o.SenderDomains,
		Senders: map[Channel]Sender{ChannelEmail: &SMTPSender{Config: o.SMTP}, ChannelSMS: gw, ChannelWhatsApp: gw}}
}

// payloadMap decodes an event payload; a payload that is not an object is
// treated as empty (the rules then match on the kind alone).
func payloadMap(b []byte) map[string]any {
	m := map[string]any{}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &m); err != nil {
			return map[string]any{}
		}
	}
	return m
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func num(m map[string]any, k string) (float64, bool) {
	f, ok := m[k].(float64)
	return f, ok
}
