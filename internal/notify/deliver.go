package notify

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
)

// DeferredError asks the job runner to try again at Until (quiet hours
// began after the row was queued). It is not a failure: no attempt counts.
type DeferredError struct{ Until time.Time }

func (e *DeferredError) Error() string { return "deferred until " + e.Until.Format(time.RFC3339) }

// maxErrorRunes bounds the last error kept on a row.
const maxErrorRunes = 500

// Deliver sends one outbox row. It loads what it needs in a short tenant
// transaction, sends with no transaction open, then records the outcome in
// another. A row already delivered, failed or skipped is left alone, so a
// job run twice sends once. final says this is the last attempt: a failure
// then marks the row failed for admins to see. The send error is returned
// so the job runner retries with backoff.
func (s *Service) Deliver(ctx context.Context, tenantID, id uuid.UUID, final bool) error {
	var (
		r       row
		st      *Settings
		m       Message
		skip    string
		deferTo time.Time
	)
	now := s.Now().UTC()
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
			return db.MapError(err)
		}
		if r.Status != StatusPending || r.Channel == ChannelInApp {
			return nil
		}
		var err error
		if st, err = loadSettings(ctx, tx, tenantID); err != nil {
			return err
		}
		if !r.Critical {
			if q := st.quietUntil(now); !q.IsZero() {
				deferTo = q
				return nil
			}
		}
		if now.Before(r.NotBefore) {
			deferTo = r.NotBefore
			return nil
		}
		if r.RecipientUserID == nil {
			skip = "no recipient account"
			return nil
		}
		rc, err := userRecipient(ctx, tx, r.RecipientRole, *r.RecipientUserID)
		if err != nil {
			return err
		}
		prefs, err := loadPreferences(ctx, tx, tenantID, *r.RecipientUserID)
		if err != nil {
			return err
		}
		switch {
		case rc == nil:
			skip = "recipient disabled"
		case !st.enabled(r.Channel):
			skip = "channel off for the tenant"
		case !prefs.allows(r.Channel):
			skip = "recipient opted out"
		case rc.address(r.Channel) == "":
			skip = "no address"
		}
		if skip != "" {
			return nil
		}
		var app string
		if err := tx.QueryRowContext(ctx, "SELECT app_name FROM tenants WHERE id = ?", tenantID).Scan(&app); err != nil {
			return fmt.Errorf("tenant name: %w", err)
		}
		m = Message{Channel: r.Channel, To: rc.address(r.Channel), Template: r.Template, Locale: r.Locale,
			Reference: r.Reference, Link: r.Link,
			Body: render(st.text(r.Locale, r.Template), r.Reference, r.Link, app)}
		if r.Channel == ChannelEmail {
			m.Subject = render(st.text(r.Locale, tmplSubject), r.Reference, r.Link, app)
		}
		return nil
	})
	if errors.Is(err, apperr.ErrNotFound) {
		return nil // the row is gone with its case or account: nothing to send
	}
	if err != nil {
		return fmt.Errorf("load notification: %w", err)
	}
	switch {
	case !deferTo.IsZero():
		return &DeferredError{Until: deferTo}
	case skip != "":
		return s.record(ctx, tenantID, id, StatusSkipped, skip, false)
	case m.Channel == "":
		return nil // not pending any more
	}
	sender := s.Senders[m.Channel]
	if sender == nil {
		return s.record(ctx, tenantID, id, StatusSkipped, "no sender for channel", false)
	}
	sendErr := sender.Send(ctx, st, m)
	if errors.Is(sendErr, ErrChannelOff) {
		return s.record(ctx, tenantID, id, StatusSkipped, sendErr.Error(), true)
	}
	s.Metrics.NotificationDelivered(string(m.Channel), sendErr == nil)
	if sendErr == nil {
		return s.record(ctx, tenantID, id, StatusDelivered, "", true)
	}
	status := StatusPending
	if final {
		status = StatusFailed
	}
	if err := s.record(ctx, tenantID, id, status, sendErr.Error(), true); err != nil {
		return err
	}
	// No row id: the row names its case, and the line's time is the
	// attempt's, for an anonymous filing's alarm the filing's minute.
	// Admins find failed rows, with their error, on the notifications page.
	s.log.Warn("notification delivery failed", "tenant", tenantID, "channel", m.Channel, "final", final, "err", sendErr)
	return fmt.Errorf("deliver %s: %w", m.Channel, sendErr)
}

// record stores the outcome of an attempt (attempted: it counts).
func (s *Service) record(ctx context.Context, tenantID, id uuid.UUID, status, lastErr string, attempted bool) error {
	if utf8.RuneCountInString(lastErr) > maxErrorRunes {
		lastErr = string([]rune(lastErr)[:maxErrorRunes])
	}
	inc := 0
	if attempted {
		inc = 1
	}
	now := s.Now()
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Table("outbox").Where("id = ? AND status = 'pending'", id).
			Set("status = ?", status).Set("attempts = attempts + ?", inc).Set("last_error = ?", lastErr)
		if status == StatusDelivered {
			q = q.Set("delivered_at = ?", storedAt(now))
		}
		_, err := q.Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("record delivery: %w", err)
	}
	return nil
}
