// Package chat takes reports by WhatsApp (the Business Cloud API) and SMS
// (a generic gateway format): signed webhooks, a short conversation kept
// per sender, and filing through the same case service as the web form.
//
// What it keeps, and for how long:
//   - chat_sessions: one row per conversation in progress, found by a keyed
//     hash of the sender's address; the address and what the worker wrote
//     so far are sealed under the identity keys. The row is deleted in the
//     transaction that files the case (or when the worker cancels).
//   - chat_inbound: keyed hashes of provider message ids (exactly-once).
//     WhatsApp message ids encode the sender's number, so never in clear.
//   - chat_links: for named and confidential cases only, where updates go
//     (the address sealed, bound to the case). An anonymous case gets none:
//     after filing nothing links it to a number.
//   - chat_outbox: replies waiting for the provider, address and text
//     sealed and wiped once delivered.
//
// Logs name the tenant, the channel and counts; never an address, a
// message id or message text. Job arguments carry row ids only.
package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/tenant"
)

// Channels.
const (
	WhatsApp = "whatsapp"
	SMS      = "sms"
)

// Config is one union's channel credentials, sealed in chat_channels.
// For SMS, AppSecret signs the provider's webhooks, APIBase is the reply
// gateway's URL and AccessToken its bearer token.
type Config struct {
	VerifyToken   string `json:"verify_token,omitempty"`
	AppSecret     string `json:"app_secret,omitempty"`
	AccessToken   string `json:"access_token,omitempty"`
	PhoneNumberID string `json:"phone_number_id,omitempty"`
	APIBase       string `json:"api_base,omitempty"`
}

// Authorizer checks admin access to channel settings.
type Authorizer interface {
	Check(ctx context.Context, p *auth.Principal, domain, obj, act string) error
}

// Enqueuer queues chat jobs inside a transaction (internal/jobs).
type Enqueuer interface {
	EnqueueChatSendTx(ctx context.Context, tx bun.Tx, tenantID, outboxID uuid.UUID) error
	EnqueueChatFileTx(ctx context.Context, tx bun.Tx, tenantID, sessionID uuid.UUID) error
	EnqueueChatQuietTx(ctx context.Context, tx bun.Tx, tenantID, sessionID uuid.UUID, seq int, at time.Time) error
}

// Options configure a Service.
type Options struct {
	Keys     *cases.KeyRing
	Cases    *cases.Service
	Accounts *auth.Service
	Authz    Authorizer
	// Tenant finds a tenant by id (jobs carry ids).
	Tenant func(id uuid.UUID) *tenant.Tenant
	// BaseURL is a tenant's public address (scheme://host[:port]).
	BaseURL func(slug string) string
	// HTTPClient calls the Graph API and SMS gateways (nil: 20s timeout).
	HTTPClient *http.Client
	Log        *slog.Logger
}

// Service runs chat intake.
type Service struct {
	db       *bun.DB
	keys     *cases.KeyRing
	cases    *cases.Service
	accounts *auth.Service
	authz    Authorizer
	tenant   func(uuid.UUID) *tenant.Tenant
	baseURL  func(string) string
	client   *http.Client
	log      *slog.Logger
	// Jobs runs replies, filing and quiet timers; set once the job runner
	// exists. Nil: sessions and replies are stored but nothing is queued.
	Jobs Enqueuer
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// MaxAge refuses a WhatsApp webhook carrying a message or status older
	// than this (a captured request replayed late).
	MaxAge time.Duration
	// Quiet is how long a worker may pause while describing before the
	// conversation moves on as if they had typed "selesai".
	QuietPeriod time.Duration
	// MaxMedia bounds one downloaded attachment.
	MaxMedia int64
}

// New builds the service.
func New(bdb *bun.DB, o Options) *Service {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	return &Service{db: bdb, keys: o.Keys, cases: o.Cases, accounts: o.Accounts, authz: o.Authz, tenant: o.Tenant,
		baseURL: o.BaseURL, client: hc, log: log, Now: time.Now, MaxAge: 24 * time.Hour, QuietPeriod: 10 * time.Minute,
		MaxMedia: 64 << 20}
}

// Seal purposes.
const (
	purposeChannel = "chat-channel"
	purposeSession = "chat-session"
	purposeLink    = "chat-link"
	purposeOutbox  = "chat-outbox"
	purposeSender  = "chat-sender"
	purposeMessage = "chat-message"
)

func (s *Service) seal(purpose string, tenantID uuid.UUID, row uuid.UUID, v any) (cases.Sealed, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return cases.Sealed{}, err
	}
	return s.keys.Seal(purpose, tenantID, row[:], b)
}

func (s *Service) open(purpose string, tenantID uuid.UUID, row uuid.UUID, sl cases.Sealed, v any) error {
	b, err := s.keys.Open(purpose, tenantID, row[:], sl)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// senderHashes are the keyed hashes of an address under every key.
func (s *Service) senderHashes(tenantID uuid.UUID, channel, from string) [][]byte {
	return s.keys.Lookups(purposeSender, tenantID, channel+"|"+from)
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// errorsAs is errors.As for a deliveryError.
func asDelivery(err error) (string, bool) {
	var de *deliveryError
	if errors.As(err, &de) {
		return de.msg, true
	}
	return "", false
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
