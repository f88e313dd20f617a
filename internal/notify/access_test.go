package notify_test

import (
	"errors"
	"log/slog"
	"reflect"
	"testing"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
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
	table := map[string]func(p *auth.Principal) error{
		"Settings": func(p *auth.Principal) error {
			_, err := f.ns.Settings(f.ctx, f.tenantID, p, "spn")
			return err
		},
		"SaveSettings": func(p *auth.Principal) error {
			_, err := f.ns.SaveSettings(f.ctx, f.tenantID, p, "spn", notify.Settings{EmailEnabled: true, SenderName: "SPN", SenderEmail: "kabar@spn.example"})
			return err
		},
		"SendTest": func(p *auth.Principal) error {
			_, err := f.ns.SendTest(f.ctx, f.tenantID, p, "spn", notify.ChannelEmail, "admin@spn.example", "Suara", "id")
			return err
		},
		"Deliveries": func(p *auth.Principal) error {
			_, err := f.ns.Deliveries(f.ctx, f.tenantID, p, "spn", "", 10)
			return err
		},
	}
	principal := reflect.TypeOf((*auth.Principal)(nil))
	typ := reflect.TypeOf(f.ns)
	var takers []string
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		for j := 1; j < m.Type.NumIn(); j++ {
			if m.Type.In(j) == principal {
				takers = append(takers, m.Name)
				break
			}
		}
	}
	for _, name := range takers {
		_, listed := table[name]
		_, excused := own[name]
		if listed == excused {
			t.Errorf("%s takes a caller: list it once, in the table or with why it needs no check", name)
		}
	}
	if len(takers) != len(table)+len(own) {
		t.Errorf("methods taking a caller %v; listed %d", takers, len(table)+len(own))
	}
	for name, call := range table {
		for who, p := range map[string]*auth.Principal{"a worker": f.worker, "a case officer": f.officer, "a branch admin": f.branchAdmin} {
			err := call(p)
			if !errors.Is(err, apperr.ErrForbidden) && !errors.Is(err, apperr.ErrNotFound) && !errors.Is(err, apperr.ErrUnauthorized) {
				t.Errorf("%s by %s: %v, want refused", name, who, err)
			}
		}
	}
}
