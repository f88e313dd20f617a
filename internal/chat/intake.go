package chat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// HandleWhatsApp checks and handles one webhook POST: the signature over
// the raw body with the union's app secret, the age of what it carries,
// then every message exactly once. It returns how many messages were new.
func (s *Service) HandleWhatsApp(ctx context.Context, t *tenant.Tenant, signature string, body []byte) (int, error) {
	cfg, err := s.config(ctx, t.ID, WhatsApp)
	if err != nil {
		return 0, err
	}
	if err := checkSignature(cfg.AppSecret, signature, body); err != nil {
		s.log.Warn("chat webhook refused", "tenant", t.Slug, "channel", WhatsApp, "reason", "signature")
		return 0, err
	}
	msgs, oldest, err := parseWhatsApp(body)
	if err != nil {
		return 0, err
	}
	if oldest != 0 && s.Now().Sub(time.Unix(oldest, 0)) > s.MaxAge {
		s.log.Warn("chat webhook refused", "tenant", t.Slug, "channel", WhatsApp, "reason", "stale")
		return 0, ErrStale
	}
	n := 0
	for _, in := range msgs {
		isNew, err := s.receive(ctx, t, WhatsApp, in)
		if err != nil {
			return n, err
		}
		if isNew {
			n++
		}
	}
	return n, nil
}

// HandleSMS checks and handles one SMS webhook in the generic format.
func (s *Service) HandleSMS(ctx context.Context, t *tenant.Tenant, timestamp, signature string, body []byte) (bool, error) {
	cfg, err := s.config(ctx, t.ID, SMS)
	if err != nil {
		return false, err
	}
	in, err := parseSMS(cfg.AppSecret, timestamp, signature, body, s.Now())
	if err != nil {
		s.log.Warn("chat webhook refused", "tenant", t.Slug, "channel", SMS, "reason", err.Error())
		return false, err
	}
	in.Media = nil
	return s.receive(ctx, t, SMS, in)
}

// maxInboundRunes bounds one message's text.
const maxInboundRunes = 4000

// receive handles one message: records its id (a repeat does nothing),
// then advances the sender's conversation, or forwards the message to the
// thread of their open case when no conversation is running.
func (s *Service) receive(ctx context.Context, t *tenant.Tenant, channel string, in Inbound) (bool, error) {
	in.ID, in.From, in.Name, in.Text, in.Choice = strings.Clone(in.ID), strings.Clone(in.From), strings.Clone(in.Name),
		strings.Clone(in.Text), strings.Clone(in.Choice)
	if r := []rune(in.Text); len(r) > maxInboundRunes {
		in.Text = string(r[:maxInboundRunes])
	}
	key := s.keys.Lookups(purposeMessage, t.ID, channel+"|"+in.ID)[0]
	hashes := s.senderHashes(t.ID, channel, in.From)
	var isNew bool
	var fwd *forward
	// Two first messages from one sender race to create the session: the
	// loser retries once and finds it.
	for attempt := 0; attempt < 2; attempt++ {
		isNew, fwd = false, nil
		err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
			res, err := tx.ExecContext(ctx, `INSERT INTO chat_inbound (tenant_id, channel, message_key) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING`, t.ID, channel, key)
			if err != nil {
				return wrap("record message id", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // handled before: a provider retry
			}
			isNew = true
			fwd, err = s.advance(ctx, tx, t, channel, hashes, in)
			return err
		})
		if db.IsUniqueViolation(err, "chat_sessions_tenant_id_channel_sender_hash_key") && attempt == 0 {
			continue
		}
		if err != nil {
			return false, wrap("chat message", err)
		}
		break
	}
	if fwd != nil {
		s.forward(ctx, t, channel, in, fwd)
	}
	return isNew, nil
}

// sessionRow is a row of chat_sessions.
type sessionRow struct {
	bun.BaseModel `bun:"table:chat_sessions"`

	TenantID   uuid.UUID `bun:"tenant_id,pk,type:uuid"`
	ID         uuid.UUID `bun:"id,pk,type:uuid"`
	Channel    string    `bun:"channel"`
	SenderHash []byte    `bun:"sender_hash"`
	State      string    `bun:"state"`
	Seq        int       `bun:"seq"`
	KeyID      string    `bun:"key_id"`
	WrappedKey []byte    `bun:"wrapped_key"`
	Nonce      []byte    `bun:"nonce"`
	Ciphertext []byte    `bun:"ciphertext"`
	CreatedAt  time.Time `bun:"created_at"`
	UpdatedAt  time.Time `bun:"updated_at"`
}

func (r *sessionRow) sealed() cases.Sealed {
	return cases.Sealed{KeyID: r.KeyID, WrappedKey: r.WrappedKey, Nonce: r.Nonce, Ciphertext: r.Ciphertext}
}

func (r *sessionRow) setSealed(sl cases.Sealed) {
	r.KeyID, r.WrappedKey, r.Nonce, r.Ciphertext = sl.KeyID, sl.WrappedKey, sl.Nonce, sl.Ciphertext
}

// forward is a message for the thread of an existing case.
type forward struct {
	caseID uuid.UUID
	link   linkData
}

// linkData is sealed in chat_links.
type linkData struct {
	To     string    `json:"to"`
	UserID uuid.UUID `json:"user_id"`
	Locale string    `json:"locale"`
	Ref    string    `json:"ref"`
}

func (s *Service) policy(t *tenant.Tenant, channel, from string) policy {
	_, phoneOK := auth.NormalisePhone(phoneOf(channel, from))
	return policy{union: t.Name, allowAnon: t.Settings.AnonymousFiling, canHaveName: phoneOK, minDescRunes: 10}
}

// phoneOf turns a provider address into a phone number: WhatsApp's wa_id
// has no "+".
func phoneOf(channel, from string) string {
	if channel == WhatsApp && !strings.HasPrefix(from, "+") {
		return "+" + from
	}
	return from
}

// advance runs one step of the sender's conversation inside tx.
func (s *Service) advance(ctx context.Context, tx bun.Tx, t *tenant.Tenant, channel string, hashes [][]byte, in Inbound) (*forward, error) {
	var row sessionRow
	err := tx.NewSelect().Model(&row).Where("channel = ? AND sender_hash IN (?)", channel, bun.List(hashes)).For("UPDATE").Limit(1).Scan(ctx)
	pol := s.policy(t, channel, in.From)
	now := s.now()
	var sess session
	var out outcome
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// No conversation: a message for an open case's thread, unless the
		// worker asks for a new report.
		if !is(in.Text, []string{"baru", "new", "lapor", "report"}) {
			if f, err := s.openLink(ctx, tx, t.ID, channel, hashes); err != nil || f != nil {
				return f, err
			}
		}
		row = sessionRow{TenantID: t.ID, ID: uuid.New(), Channel: channel, SenderHash: hashes[0], CreatedAt: now}
		sess = session{From: in.From, Name: in.Name, Locale: localeOf(t), Channel: channel}
		out = start(&sess, pol, in)
	case err != nil:
		return nil, wrap("load chat session", err)
	default:
		if err := s.open(purposeSession, t.ID, row.ID, row.sealed(), &sess); err != nil {
			return nil, wrap("open chat session", err)
		}
		out = step(row.State, &sess, pol, in)
	}
	// One message per step: separate sends could arrive out of order.
	if len(out.replies) > 0 {
		if err := s.queueReply(ctx, tx, t.ID, channel, "reply", sess.From, strings.Join(out.replies, "\n\n")); err != nil {
			return nil, err
		}
	}
	if out.cancel {
		if row.Seq > 0 || row.State != "" {
			_, err := tx.NewDelete().Model(&row).WherePK().Exec(ctx)
			return nil, wrap("delete chat session", err)
		}
		return nil, nil
	}
	row.State, row.UpdatedAt = out.state, now
	row.Seq++
	sl, err := s.seal(purposeSession, t.ID, row.ID, sess)
	if err != nil {
		return nil, err
	}
	row.setSealed(sl)
	if row.Seq == 1 {
		if _, err := tx.NewInsert().Model(&row).Exec(ctx); err != nil {
			return nil, err // a unique violation is retried by receive
		}
	} else if _, err := tx.NewUpdate().Model(&row).WherePK().Exec(ctx); err != nil {
		return nil, wrap("update chat session", err)
	}
	if s.Jobs != nil {
		if out.file {
			if err := s.Jobs.EnqueueChatFileTx(ctx, tx, t.ID, row.ID); err != nil {
				return nil, wrap("queue filing", err)
			}
		}
		if out.content || (out.state == stateDescribe && row.Seq == 1) {
			if err := s.Jobs.EnqueueChatQuietTx(ctx, tx, t.ID, row.ID, row.Seq, now.Add(s.QuietPeriod)); err != nil {
				return nil, wrap("queue quiet timer", err)
			}
		}
	}
	return nil, nil
}

func localeOf(t *tenant.Tenant) string {
	if t.DefaultLocale == "en" {
		return "en"
	}
	return "id"
}

// openLink finds the sender's most recent open case filed by chat.
func (s *Service) openLink(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, channel string, hashes [][]byte) (*forward, error) {
	var caseID uuid.UUID
	var sl cases.Sealed
	err := tx.QueryRowContext(ctx, `SELECT l.case_id, l.key_id, l.wrapped_key, l.nonce, l.ciphertext FROM chat_links l
		JOIN cases c ON c.tenant_id = l.tenant_id AND c.id = l.case_id
		WHERE l.channel = ? AND l.sender_hash IN (?) AND c.status NOT IN ('closed', 'rejected', 'duplicate', 'withdrawn')
		ORDER BY l.created_at DESC LIMIT 1`, channel, bun.List(hashes)).
		Scan(&caseID, &sl.KeyID, &sl.WrappedKey, &sl.Nonce, &sl.Ciphertext)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap("find chat link", err)
	}
	f := &forward{caseID: caseID}
	if err := s.open(purposeLink, tenantID, caseID, sl, &f.link); err != nil {
		return nil, wrap("open chat link", err)
	}
	return f, nil
}

// forward adds a later message to its case's thread as the reporter, with
// any attachment, and tells the worker. No transaction is open here: the
// media download is a network call.
func (s *Service) forward(ctx context.Context, t *tenant.Tenant, channel string, in Inbound, f *forward) {
	p, err := s.accounts.WorkerPrincipal(ctx, t.ID, f.link.UserID)
	ok := err == nil
	if ok && strings.TrimSpace(in.Text) != "" {
		_, err = s.cases.AddMessage(ctx, t.ID, p, f.caseID, in.Text)
		ok = err == nil
	}
	if ok && in.Media != nil && channel == WhatsApp {
		err = s.attach(ctx, t, func(name, mime string, data []byte) error {
			_, err := s.cases.AddEvidence(ctx, t.ID, p, f.caseID, name, mime, strings.NewReader(string(data)))
			return err
		}, *in.Media)
		ok = err == nil
	}
	key := "forwarded"
	if !ok {
		key = "forward_fail"
		s.log.Warn("chat message not forwarded", "tenant", t.Slug, "channel", channel, "err", err)
	}
	err = db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		return s.queueReply(ctx, tx, t.ID, channel, "reply", f.link.To, say(f.link.Locale, key, "ref", f.link.Ref))
	})
	if err != nil {
		s.log.Error("chat reply not queued", "tenant", t.Slug, "err", err)
	}
}

// outboxBody is sealed in chat_outbox.
type outboxBody struct {
	To   string `json:"to"`
	Body string `json:"body"`
}

// queueReply writes a reply to the outbox and queues its delivery.
func (s *Service) queueReply(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, channel, kind, to, body string) error {
	id := uuid.New()
	sl, err := s.seal(purposeOutbox, tenantID, id, outboxBody{To: to, Body: body})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO chat_outbox (tenant_id, id, channel, kind, key_id, wrapped_key, nonce, ciphertext, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, tenantID, id, channel, kind, sl.KeyID, sl.WrappedKey, sl.Nonce, sl.Ciphertext, s.now())
	if err != nil {
		return wrap("queue chat reply", err)
	}
	if s.Jobs != nil {
		return wrap("queue chat delivery", s.Jobs.EnqueueChatSendTx(ctx, tx, tenantID, id))
	}
	return nil
}

// Quiet is the quiet-period timer: when the worker has sent nothing since
// seq, the conversation moves on as if they had typed "selesai".
func (s *Service) Quiet(ctx context.Context, tenantID, sessionID uuid.UUID, seq int) error {
	t := s.tenant(tenantID)
	if t == nil {
		return nil
	}
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var row sessionRow
		err := tx.NewSelect().Model(&row).Where("id = ?", sessionID).For("UPDATE").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if row.Seq != seq || row.State != stateDescribe {
			return nil
		}
		var sess session
		if err := s.open(purposeSession, tenantID, row.ID, row.sealed(), &sess); err != nil {
			return err
		}
		if sess.description() == "" && len(sess.Media) == 0 {
			return nil // nothing said yet: keep waiting for the worker
		}
		out := finishDescribe(&sess, s.policy(t, row.Channel, sess.From))
		if len(out.replies) > 0 {
			if err := s.queueReply(ctx, tx, tenantID, row.Channel, "reply", sess.From, strings.Join(out.replies, "\n\n")); err != nil {
				return err
			}
		}
		row.Seq++
		row.State, row.UpdatedAt = out.state, s.now()
		_, err = tx.NewUpdate().Model(&row).Column("state", "seq", "updated_at").WherePK().Exec(ctx)
		return err
	})
}

// attach downloads one WhatsApp attachment and hands it to add.
func (s *Service) attach(ctx context.Context, t *tenant.Tenant, add func(name, mime string, data []byte) error, m Media) error {
	cfg, err := s.config(ctx, t.ID, WhatsApp)
	if err != nil {
		return err
	}
	data, mime, err := graph{client: s.client, cfg: cfg}.fetchMedia(ctx, m.ID, s.MaxMedia)
	if err != nil {
		return err
	}
	if m.MIME != "" {
		mime = m.MIME
	}
	name := m.Filename
	if name == "" {
		name = m.Kind
	}
	return add(name, mime, data)
}

// Sessions counts conversations in progress (for tests and the channel
// page).
func (s *Service) Sessions(ctx context.Context, tenantID uuid.UUID) (int, error) {
	var n int
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM chat_sessions").Scan(&n)
	})
	return n, err
}

var _ = fmt.Sprintf
