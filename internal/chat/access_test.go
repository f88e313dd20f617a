package chat_test

import (
	"context"
	"testing"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/auth/authtest"
	"github.com/suara-id/suara/internal/chat"
)

// TestServiceMethodsRefuseUnauthorisedCallers walks every exported
// chat.Service method that takes a caller (the intake channels' settings)
// and calls each, with real arguments, as a worker, a case officer and a
// branch admin: a union's WhatsApp and SMS channels are its federation
// admin's (tenant_settings), so each must be refused. The webhooks take no
// caller: their signature is their check.
func TestServiceMethodsRefuseUnauthorisedCallers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	off := false
	roles := []string{"worker", "case_officer", "branch_admin"}
	table := map[string]authtest.Call{
		"Channel": {Refuse: roles, Do: func(p *auth.Principal) error {
			_, err := f.chat.Channel(ctx, f.spn, p, chat.WhatsApp)
			return err
		}},
		"SetChannel": {Refuse: roles, Do: func(p *auth.Principal) error {
			_, err := f.chat.SetChannel(ctx, f.spn, p, chat.WhatsApp, chat.ChannelInput{Enabled: &off})
			return err
		}},
	}
	callers := map[string]*auth.Principal{}
	for _, a := range []auth.NewAccount{
		{Name: "Pekerja", Phone: "081277770001", Role: "worker"},
		{Name: "Petugas", Email: "officer@spn.example", Role: "case_officer", BranchPath: "spn/jabar/bekasi/puk-maju-jaya"},
		{Name: "Admin Cabang", Email: "branch@spn.example", Role: "branch_admin", BranchPath: "spn/jabar"},
	} {
		a.Password, a.SkipStrengthCheck = "suara-demo", true
		u, _, err := f.accounts.CreateAccount(ctx, f.spn, a)
		if err != nil {
			t.Fatal(err)
		}
		callers[a.Role] = &auth.Principal{UserID: u.ID, TenantID: f.spn.ID, Kind: u.Kind, Name: u.Name}
	}
	authtest.Walk(t, f.chat, table, nil, callers, 2)
}
