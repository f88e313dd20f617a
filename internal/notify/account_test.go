package notify_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/notify"
)

// Account messages go to the phone at once through the gateway (WhatsApp
// before SMS), never through the outbox (a code must not be stored in
// clear); without a phone channel, notices to an account fall back to its
// in-app inbox and codes are not sent at all.
func TestAccountMessages(t *testing.T) {
	f := setup(t)
	code := auth.AccountMessage{Kind: auth.MsgResetCode, Phone: f.workerPhone, UserID: &f.worker.UserID, Code: "482913", Locale: "en", Path: "/password/reset"}
	if err := f.ns.SendAccountMessage(f.ctx, f.tenantID, code); err != nil {
		t.Fatal(err)
	}
	sent := f.gw.sent()
	if len(sent) != 1 || sent[0].Channel != "whatsapp" || sent[0].To != f.workerPhone || !strings.Contains(sent[0].Body, "482913") ||
		sent[0].Template != "account_reset_code" {
		t.Fatalf("sent %+v", sent)
	}
	var n int
	f.super("SELECT count(*) FROM outbox WHERE reference LIKE '%482913%' OR link LIKE '%482913%'", &n)
	if n != 0 {
		t.Fatal("a code was written to the outbox")
	}
	// SMS when WhatsApp is off.
	f.exec("UPDATE notify_settings SET whatsapp_enabled = false")
	if err := f.ns.SendAccountMessage(f.ctx, f.tenantID, code); err != nil || f.gw.sent()[1].Channel != "sms" {
		t.Fatalf("sms: %v %+v", err, f.gw.sent())
	}
	// A gateway that fails: an error that names neither the code nor the phone.
	f.gw.mu.Lock()
	f.gw.failFirst = -1
	f.gw.mu.Unlock()
	err := f.ns.SendAccountMessage(f.ctx, f.tenantID, code)
	if err == nil || strings.Contains(err.Error(), "482913") || strings.Contains(err.Error(), f.workerPhone) {
		t.Fatalf("failing gateway: %v", err)
	}
	f.gw.mu.Lock()
	f.gw.failFirst = 0
	f.gw.mu.Unlock()
	// No phone channel: a notice lands in the account's inbox, a code is not sent.
	f.exec("UPDATE notify_settings SET sms_enabled = false")
	notice := auth.AccountMessage{Kind: auth.MsgRegisterTaken, Phone: f.workerPhone, UserID: &f.worker.UserID, Path: "/password/forgot"}
	if err := f.ns.SendAccountMessage(f.ctx, f.tenantID, notice); err != nil {
		t.Fatal(err)
	}
	items, err := f.ns.Inbox(f.ctx, f.tenantID, f.worker, "id", 10)
	if err != nil || len(items) == 0 || !strings.Contains(items[0].Text, "mencoba mendaftar") || !strings.HasSuffix(items[0].Link, "/password/forgot") {
		t.Fatalf("inbox: %v %+v", err, items)
	}
	if err := f.ns.SendAccountMessage(f.ctx, f.tenantID, code); !errors.Is(err, notify.ErrChannelOff) {
		t.Fatalf("code without a channel: %v", err)
	}
	if len(f.gw.sent()) != 2 {
		t.Fatalf("gateway called without a channel: %d", len(f.gw.sent()))
	}
}
