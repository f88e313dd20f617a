package notify_test

import (
	"log/slog"
	"testing"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/auth/authtest"
	"github.com/suara-id/suara/internal/notify"
)

// TestServiceMethodsRefuseUnauthorisedCallers walks every exported
// notify.Service method that takes a caller: the union's channel settings,
// test messages and delivery log refuse a worker, a case officer and a
// branch admin (tenant_settings is a federation admin's); the rest act on
// the caller's own inbox and preferences (listed with why). Reflection
// keeps the lists complete.
func TestServiceMethodsRefuseUnauthorisedCallers(t *testing.T) {
	f := setup(t)
	f.ns.Authz = auth.NewBundledAuthorizer(f.tdb.App, slog.New(slog.DiscardHandler))
	own := map[string]string{
		"Inbox":          "the caller's own notifications",
		"MarkRead":       "the caller's own notifications",
		"MarkInboxRead":  "the caller's own notifications",
		"Unread":         "the caller's own count",
		"Preferences":    "the caller's own channel choices",
		"SetPreferences": "the caller's own channel choices",
	}
	staff := []string{"a worker", "a case officer", "a branch admin"}
	table := map[string]authtest.Call{
		"Settings": {Refuse: staff, Do: func(p *auth.Principal) error {
			_, err := f.ns.Settings(f.ctx, f.tenantID, p, "spn")
			return err
		}},
		"SaveSettings": {Refuse: staff, Do: func(p *auth.Principal) error {
			_, err := f.ns.SaveSettings(f.ctx, f.tenantID, p, "spn", notify.Settings{EmailEnabled: true, SenderName: "SPN", SenderEmail: "kabar@spn.example"})
			return err
		}},
		"SendTest": {Refuse: staff, Do: func(p *auth.Principal) error {
			_, err := f.ns.SendTest(f.ctx, f.tenantID, p, "spn", notify.ChannelEmail, "admin@spn.example", "Suara", "id")
			return err
		}},
		"Deliveries": {Refuse: staff, Do: func(p *auth.Principal) error {
			_, err := f.ns.Deliveries(f.ctx, f.tenantID, p, "spn", "", 10)
			return err
		}},
	}
	authtest.Walk(t, f.ns, table, own, map[string]*auth.Principal{"a worker": f.worker, "a case officer": f.officer, "a branch admin": f.branchAdmin}, 10)
}
