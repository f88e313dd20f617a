package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
)

// Account messages (auth.Messenger): one-time codes and notices about an
// account, sent at once to a phone through the union's WhatsApp or SMS
// gateway (WhatsApp first). They never pass through the outbox: a code
// must not be stored in clear anywhere an admin can read, and a person
// waiting on the sign-up page cannot wait for a queue. Notices to an
// existing account fall back to its in-app inbox when no phone channel is
// on; codes have no fallback (in development they are written to the log,
// as a console mail backend would).

// accountTexts word the messages; {code}, {app} and {link} are filled in.
var accountTexts = map[string]map[string]string{
	"id": {
		auth.MsgRegisterCode:  "Kode verifikasi {app}: {code}. Berlaku 10 menit. Jangan berikan kode ini kepada siapa pun, termasuk petugas serikat.",
		auth.MsgResetCode:     "Kode untuk mengatur ulang kata sandi {app}: {code}. Berlaku 10 menit. Jangan berikan kepada siapa pun. Abaikan bila Anda tidak memintanya.",
		auth.MsgRegisterTaken: "Seseorang mencoba mendaftar di {app} dengan nomor ini, yang sudah punya akun. Bila itu Anda dan lupa kata sandi, buka {link}. Bila bukan, abaikan pesan ini.",
		auth.MsgResetUnknown:  "Ada permintaan atur ulang kata sandi {app} untuk nomor ini, tetapi nomor ini belum punya akun. Untuk mendaftar, buka {link}.",
		auth.MsgStaffReset:    "Petugas serikat memulai pengaturan ulang kata sandi {app} Anda. Bila bukan atas permintaan Anda, hubungi serikat Anda.",
		auth.MsgPasswordReset: "Kata sandi {app} Anda baru saja diganti. Bila bukan Anda, hubungi serikat Anda segera.",
	},
	"en": {
		auth.MsgRegisterCode:  "{app} verification code: {code}. Valid for 10 minutes. Do not give this code to anyone, union officers included.",
		auth.MsgResetCode:     "{app} password reset code: {code}. Valid for 10 minutes. Do not give it to anyone. Ignore this if you did not ask for it.",
		auth.MsgRegisterTaken: "Someone tried to sign up to {app} with this number, which already has an account. If it was you and you forgot your password, open {link}. If not, ignore this message.",
		auth.MsgResetUnknown:  "Someone asked to reset a {app} password for this number, but it has no account. To sign up, open {link}.",
		auth.MsgStaffReset:    "A union officer started a reset of your {app} password. If you did not ask for it, contact your union.",
		auth.MsgPasswordReset: "Your {app} password was just changed. If it was not you, contact your union at once.",
	},
}

// accountTemplate is the in-app template name of an account notice.
func accountTemplate(kind string) string { return "account_" + kind }

// DevLogCodes, when set (development only), writes codes that no phone
// channel can carry to the log.
func (s *Service) SetDevLogCodes(on bool) { s.devLogCodes = on }

// SendAccountMessage sends m to its phone (auth.Messenger).
func (s *Service) SendAccountMessage(ctx context.Context, tenantID uuid.UUID, m auth.AccountMessage) error {
	var st *Settings
	var app, slug, locale string
	var prefs *Preferences
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if st, err = loadSettings(ctx, tx, tenantID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT app_name, slug, default_locale FROM tenants WHERE id = ?", tenantID).Scan(&app, &slug, &locale); err != nil {
			return fmt.Errorf("tenant: %w", err)
		}
		if m.UserID != nil {
			prefs, err = loadPreferences(ctx, tx, tenantID, *m.UserID)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("account message: %w", err)
	}
	if m.Locale == "id" || m.Locale == "en" {
		locale = m.Locale
	}
	if locale != "en" {
		locale = "id"
	}
	link := s.baseURL(slug) + m.Path
	ch := Channel("")
	switch {
	case st.enabled(ChannelWhatsApp):
		ch = ChannelWhatsApp
	case st.enabled(ChannelSMS):
		ch = ChannelSMS
	}
	// An account that said STOP gets its notices in the app only; codes it
	// asked for itself still go to the phone.
	if m.Code == "" && prefs != nil && prefs.StoppedAt != nil {
		ch = ""
	}
	if ch == "" {
		switch {
		case m.Code == "" && m.UserID != nil:
			return s.accountInApp(ctx, tenantID, *m.UserID, m.Kind, link, locale)
		case m.Code != "" && s.devLogCodes:
			s.log.Warn("development: no WhatsApp/SMS channel on, code written here instead of sent",
				"tenant", slug, "phone", m.Phone, "kind", m.Kind, "code", m.Code)
			return nil
		}
		return fmt.Errorf("%s: %w", m.Kind, ErrChannelOff)
	}
	body := strings.NewReplacer("{code}", m.Code, "{app}", app, "{link}", link).Replace(accountTexts[locale][m.Kind])
	msg := Message{Channel: ch, To: m.Phone, Body: body, Template: accountTemplate(m.Kind), Locale: locale}
	sender := s.Senders[ch]
	if sender == nil {
		return fmt.Errorf("%s: no sender for %s", m.Kind, ch)
	}
	sendCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	err = sender.Send(sendCtx, st, msg)
	s.Metrics.NotificationDelivered(string(ch), err == nil)
	if err != nil && !errors.Is(err, ErrChannelOff) {
		// The error may carry the gateway's words, never the code.
		return fmt.Errorf("%s via %s: gateway refused or unreachable", m.Kind, ch)
	}
	return err
}

// accountInApp leaves a notice in the account's in-app inbox.
func (s *Service) accountInApp(ctx context.Context, tenantID, userID uuid.UUID, kind, link, locale string) error {
	now := s.Now().UTC().Truncate(time.Microsecond)
	uid := userID
	r := row{TenantID: tenantID, ID: uuid.New(), Trigger: "account." + kind, Template: accountTemplate(kind),
		RecipientRole: "reporter", RecipientUserID: &uid, Channel: ChannelInApp, Link: link, Locale: locale,
		Status: StatusDelivered, DeliveredAt: &now, CreatedAt: now, NotBefore: now}
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&r).Exec(ctx); err != nil {
			return fmt.Errorf("in-app account notice: %w", err)
		}
		return nil
	})
}
