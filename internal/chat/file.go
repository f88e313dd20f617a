package chat

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db"
)

// download is an attachment fetched before filing.
type download struct {
	m    Media
	mime string
	data []byte
}

// FileSession files the case of a confirmed conversation (the chat_file
// job). Attachments are downloaded first, with no transaction open; the
// case is filed through the case service, and inside its transaction the
// session is deleted, the reply with the reference (or receipt code) is
// queued and, for a named or confidential case, the link for updates is
// stored. A job run again after success finds no session and does nothing.
func (s *Service) FileSession(ctx context.Context, tenantID, sessionID uuid.UUID) error {
	t := s.tenant(tenantID)
	if t == nil {
		return nil
	}
	var row sessionRow
	var sess session
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&row).Where("id = ?", sessionID).Scan(ctx); err != nil {
			return err
		}
		return s.open(purposeSession, tenantID, row.ID, row.sealed(), &sess)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return wrap("load chat session for filing", err)
	}
	if row.State != stateFiling {
		return nil
	}
	var files []download
	if row.Channel == WhatsApp {
		for _, m := range sess.Media {
			err := s.attach(ctx, t, func(_ string, mime string, data []byte) error {
				files = append(files, download{m: m, mime: mime, data: data})
				return nil
			}, m)
			if err != nil {
				// The provider keeps media for days: try the job again.
				return wrap("download attachment", err)
			}
		}
	}
	hasAudio := false
	for _, f := range files {
		if f.m.Kind == "audio" {
			hasAudio = true
		}
	}
	var p *auth.Principal
	if sess.Mode != string(cases.ModeAnonymous) {
		p, _, err = s.accounts.WorkerByPhone(ctx, t, phoneOf(row.Channel, sess.From), sess.Name, true)
		if err != nil {
			return s.refuse(ctx, tenantID, &row, &sess, err)
		}
	}
	filing := cases.Filing{Type: sess.Type, Description: sess.description(), SafetyMode: sess.Mode}
	channel := cases.ChannelWhatsApp
	if row.Channel == SMS {
		channel = cases.ChannelSMS
	}
	link := s.baseURL(t.Slug) + "/receipt"
	in := cases.Intake{Channel: channel, VoiceOnly: hasAudio && filing.Description == "",
		InTx: func(ctx context.Context, tx bun.Tx, c *cases.Case, out *cases.Filed) error {
			if _, err := tx.NewDelete().Model(&row).WherePK().Exec(ctx); err != nil {
				return wrap("delete chat session", err)
			}
			msg := say(sess.Locale, "filed", "ref", out.Reference)
			if out.ReceiptCode != "" {
				msg = say(sess.Locale, "filed_anon", "receipt", cases.FormatReceipt(out.ReceiptCode), "link", link)
			} else if err := s.storeLink(ctx, tx, c, row.Channel, sess, p, out.Reference); err != nil {
				return err
			}
			return s.queueReply(ctx, tx, tenantID, row.Channel, "reply", sess.From, msg)
		}}
	out, err := s.cases.FileVia(ctx, t, p, filing, in)
	if err != nil {
		return s.refuse(ctx, tenantID, &row, &sess, err)
	}
	// An anonymous case is reached, as its reporter would, through a receipt
	// session; and no log line names it (reporter safety: a case id beside a
	// filing time links the filing to whoever sent at that moment).
	anon := out.ReceiptCode != ""
	var rtok string
	if anon && len(files) > 0 {
		rs, err := s.cases.MintReceiptSession(tenantID, out.ID)
		if err != nil {
			return fmt.Errorf("chat intake: receipt session: %w", err)
		}
		rtok = rs.Token
	}
	logCase := func(args ...any) []any {
		if anon {
			return args
		}
		return append(args, "case", out.ID)
	}
	attached := 0
	for _, f := range files {
		r := bytes.NewReader(f.data)
		name := f.m.Filename
		if name == "" {
			name = f.m.Kind
		}
		var aerr error
		if anon {
			_, aerr = s.cases.AddEvidenceByReceipt(ctx, tenantID, rtok, name, f.mime, r)
		} else {
			_, aerr = s.cases.AddEvidence(ctx, tenantID, p, out.ID, name, f.mime, r)
		}
		if aerr != nil {
			s.log.Warn("chat attachment refused", logCase("tenant", t.Slug, "err", aerr)...)
			continue
		}
		attached++
	}
	s.log.Info("chat case filed", logCase("tenant", t.Slug, "channel", row.Channel, "attachments", attached)...)
	return nil
}

// refuse tells the worker why the case could not be filed and lets them
// fix it: the conversation goes back to describing. Only field errors are
// the worker's to fix; anything else is retried by the job.
func (s *Service) refuse(ctx context.Context, tenantID uuid.UUID, row *sessionRow, sess *session, err error) error {
	var v *apperr.Validation
	if !errors.As(err, &v) {
		return wrap("file chat case", err)
	}
	reasons := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		reasons = append(reasons, k)
	}
	slices.Sort(reasons)
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		row.State, row.UpdatedAt = stateDescribe, s.now()
		row.Seq++
		if _, err := tx.NewUpdate().Model(row).Column("state", "seq", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return s.queueReply(ctx, tx, tenantID, row.Channel, "reply", sess.From,
			say(sess.Locale, "file_failed", "reason", strings.Join(reasons, ", ")))
	})
}

// storeLink keeps where a named or confidential case's updates go.
func (s *Service) storeLink(ctx context.Context, tx bun.Tx, c *cases.Case, channel string, sess session, p *auth.Principal, ref string) error {
	sl, err := s.seal(purposeLink, c.TenantID, c.ID, linkData{To: sess.From, UserID: p.UserID, Locale: sess.Locale, Ref: ref})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO chat_links (tenant_id, case_id, channel, sender_hash, key_id, wrapped_key, nonce, ciphertext)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.TenantID, c.ID, channel, s.senderHashes(c.TenantID, channel, sess.From)[0],
		sl.KeyID, sl.WrappedKey, sl.Nonce, sl.Ciphertext)
	return wrap("store chat link", err)
}

// Deliver sends one outbox reply (the chat_send job): the channel's
// credentials and the sealed address and text are read in a short
// transaction, sent with none open, and the outcome recorded. Once
// delivered, the address and text are wiped. final marks a failure as
// failed for good; until then the row stays pending with its last error,
// visible on the channel page.
func (s *Service) Deliver(ctx context.Context, tenantID, id uuid.UUID, final bool) error {
	var (
		channel string
		status  string
		keyID   sql.NullString
		sl      cases.Sealed
		cfg     Config
		cfgErr  error
	)
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT channel, status, key_id, wrapped_key, nonce, ciphertext FROM chat_outbox WHERE id = ?", id).
			Scan(&channel, &status, &keyID, &sl.WrappedKey, &sl.Nonce, &sl.Ciphertext)
		if err != nil {
			return err
		}
		sl.KeyID = keyID.String
		cfg, cfgErr = s.loadConfig(ctx, tx, tenantID, channel)
		return nil
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return wrap("load chat reply", err)
	}
	if status != "pending" || !keyID.Valid {
		return nil
	}
	var msg outboxBody
	if err := s.open(purposeOutbox, tenantID, id, sl, &msg); err != nil {
		return wrap("open chat reply", err)
	}
	sendErr := cfgErr
	if sendErr == nil {
		if channel == WhatsApp {
			sendErr = graph{client: s.client, cfg: cfg}.sendText(ctx, msg.To, msg.Body)
		} else {
			sendErr = sendSMS(ctx, s.client, cfg, msg.To, msg.Body)
		}
	}
	lastErr := ""
	if sendErr != nil {
		lastErr = "channel not configured"
		if m, ok := asDelivery(sendErr); ok {
			lastErr = m
		}
		if utf8.RuneCountInString(lastErr) > 300 {
			lastErr = string([]rune(lastErr)[:300])
		}
	}
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Table("chat_outbox").Where("id = ? AND status = 'pending'", id).Set("attempts = attempts + 1")
		switch {
		case sendErr == nil:
			q = q.Set("status = 'delivered'").Set("delivered_at = ?", s.now()).Set("last_error = ''").
				Set("key_id = NULL, wrapped_key = NULL, nonce = NULL, ciphertext = NULL")
		case final:
			q = q.Set("status = 'failed'").Set("last_error = ?", lastErr)
		default:
			q = q.Set("last_error = ?", lastErr)
		}
		_, err := q.Exec(ctx)
		return err
	})
	if err != nil {
		return wrap("record chat delivery", err)
	}
	if sendErr != nil {
		s.log.Warn("chat reply not delivered", "tenant", tenantID, "channel", channel, "final", final, "err", lastErr)
		return fmt.Errorf("deliver chat reply: %s", lastErr)
	}
	return nil
}

// OnEvent runs in a case event's transaction (chained after notify's): a
// status change or a staff message the reporter may see, on a case filed
// by chat as named or confidential, queues a lock-screen-safe update — the
// reference and a link, never case text.
func (s *Service) OnEvent(ctx context.Context, tx bun.Tx, c *cases.Case, kind, visibility string, payload []byte) error {
	if visibility != cases.VisibilityReporter {
		return nil
	}
	if kind != cases.EventStatusChanged && kind != cases.EventMessage && !strings.HasPrefix(kind, cases.EventActionPrefix) {
		return nil
	}
	if by := payloadBy(payload); by == "reporter" {
		return nil
	}
	var channel, slug string
	var sl cases.Sealed
	err := tx.QueryRowContext(ctx, `SELECT l.channel, l.key_id, l.wrapped_key, l.nonce, l.ciphertext, t.slug FROM chat_links l
		JOIN tenants t ON t.id = l.tenant_id WHERE l.case_id = ?`, c.ID).
		Scan(&channel, &sl.KeyID, &sl.WrappedKey, &sl.Nonce, &sl.Ciphertext, &slug)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return wrap("chat link", err)
	}
	var l linkData
	if err := s.open(purposeLink, c.TenantID, c.ID, sl, &l); err != nil {
		return wrap("open chat link", err)
	}
	body := say(l.Locale, "update", "ref", l.Ref, "link", s.baseURL(slug)+"/cases/"+c.ID.String())
	return s.queueReply(ctx, tx, c.TenantID, channel, "update", l.To, body)
}

func payloadBy(b []byte) string {
	// "by" is a top-level string in every timeline payload.
	i := bytes.Index(b, []byte(`"by":"`))
	if i < 0 {
		return ""
	}
	rest := b[i+6:]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

var _ = time.Now
