package auth_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/auth/authtest"
	"github.com/suara-id/suara/internal/tenant"
)

// Who a staff-management method must refuse.
const (
	aWorker      = "a worker of the union"
	anOfficer    = "a case officer (no staff rights)"
	branchAdmin  = "a branch admin of another branch"
	otherUnion   = "another union's federation admin"
	unionAdmin   = "the union's federation admin (not a platform account)"
	platformRole = "an ILO analyst (platform, no account rights)"
)

// accessUnchecked are the methods that take a principal but act only on
// the caller's own account, each with why.
var accessUnchecked = map[string]string{
	"Logout":      "ends the caller's own session",
	"StartTOTP":   "enrols the caller's own second factor",
	"ConfirmTOTP": "confirms the caller's own second factor",
}

// TestServiceMethodsRefuseUnauthorisedCallers walks every exported
// auth.Service method that takes a caller (*auth.Principal) and calls each
// with real arguments — a real worker, officer, invite and membership of
// the union — by every caller it must refuse: each must answer forbidden,
// not found or unauthorised. Reflection keeps the table complete.
func TestServiceMethodsRefuseUnauthorisedCallers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	garteks := f.res.BySlug("garteks")
	account := func(u *tenant.Tenant, a auth.NewAccount) *auth.Principal {
		a.Password, a.SkipStrengthCheck = "suara-demo", true
		acct, _, err := f.svc.CreateAccount(ctx, u, a)
		if err != nil {
			t.Fatal(err)
		}
		return &auth.Principal{UserID: acct.ID, TenantID: u.ID, Kind: acct.Kind, Name: acct.Name}
	}
	worker := account(f.tenant, auth.NewAccount{Name: "Siti", Phone: "081200000001", Role: "worker"})
	officer := account(f.tenant, auth.NewAccount{Name: "Petugas", Email: "officer@spn.example", Role: "case_officer", BranchPath: "spn/jabar/bekasi/puk-maju-jaya"})
	fed := account(f.tenant, auth.NewAccount{Name: "Admin", Email: "admin@spn.example", Role: "federation_admin"})
	callers := map[string]*auth.Principal{
		aWorker:     account(f.tenant, auth.NewAccount{Name: "Budi", Phone: "081200000002", Role: "worker"}),
		anOfficer:   account(f.tenant, auth.NewAccount{Name: "Petugas Lain", Email: "officer2@spn.example", Role: "case_officer", BranchPath: "spn/jabar/bekasi/puk-maju-jaya"}),
		branchAdmin: account(f.tenant, auth.NewAccount{Name: "Admin Banten", Email: "banten@spn.example", Role: "branch_admin", BranchPath: "spn/banten"}),
		otherUnion:  account(garteks, auth.NewAccount{Name: "Admin Garteks", Email: "admin@garteks.example", Role: "federation_admin"}),
		unionAdmin:  fed,
	}
	pu, _, err := f.svc.CreatePlatformAccount(ctx, auth.NewAccount{Name: "Analis", Email: "analis@ilo.example", Password: "suara-demo-panjang", Role: "ilo_analyst", SkipStrengthCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	callers[platformRole] = &auth.Principal{UserID: pu.ID, Kind: "platform", Role: "ilo_analyst", Name: pu.Name}

	var jabar string
	if err := f.db.Super.QueryRowContext(ctx, "SELECT id::text FROM branches WHERE path = 'spn/jabar'").Scan(&jabar); err != nil {
		t.Fatal(err)
	}
	inv, _, err := f.svc.InviteStaff(ctx, fed, auth.StaffInvite{Email: "calon@spn.example", Role: "case_officer", BranchID: jabar})
	if err != nil {
		t.Fatal(err)
	}
	var membership uuid.UUID
	if err := f.db.Super.QueryRowContext(ctx, "SELECT id FROM memberships WHERE user_id = ?", officer.UserID).Scan(&membership); err != nil {
		t.Fatal(err)
	}

	// Another union's admin acts in their own union (the principal's):
	// this union's invites, memberships and accounts are invisible to them,
	// so those calls are refused as not found; with a branch of this union
	// named, invites and role grants fail on the branch (tested in web).
	staffWide := []string{aWorker, anOfficer, branchAdmin, otherUnion}
	grants := []string{aWorker, anOfficer, branchAdmin}
	overWorker := []string{aWorker, anOfficer, otherUnion}
	platform := []string{aWorker, unionAdmin, platformRole}
	table := map[string]authtest.Call{
		"StaffResetCode": {Refuse: overWorker, Do: func(p *auth.Principal) error {
			_, _, err := f.svc.StaffResetCode(ctx, p, worker.UserID)
			return err
		}},
		"VerifyMember": {Refuse: overWorker, Do: func(p *auth.Principal) error {
			_, err := f.svc.VerifyMember(ctx, p, worker.UserID, auth.MemberCheck{MemberNumber: "SPN-0001"})
			return err
		}},
		"WorkerRights": {Refuse: overWorker, Do: func(p *auth.Principal) error {
			reset, verify, err := f.svc.WorkerRights(ctx, p, worker.UserID)
			if err == nil && !reset && !verify {
				return apperr.ErrForbidden // neither right: what the pages show as no actions
			}
			return err
		}},
		"WorkerAccount": {Refuse: overWorker, Do: func(p *auth.Principal) error {
			_, err := f.svc.WorkerAccount(ctx, p, worker.UserID)
			return err
		}},
		"InviteStaff": {Refuse: grants, Do: func(p *auth.Principal) error {
			_, _, err := f.svc.InviteStaff(ctx, p, auth.StaffInvite{Email: "baru@spn.example", Role: "case_officer", BranchID: jabar})
			return err
		}},
		"Invite": {Refuse: grants, Do: func(p *auth.Principal) error {
			_, _, err := f.svc.Invite(ctx, p, auth.InviteRequest{Email: "baru2@spn.example", Role: "case_officer", BranchID: jabar})
			return err
		}},
		"PendingInvites": {Refuse: []string{aWorker, anOfficer}, Do: func(p *auth.Principal) error {
			_, err := f.svc.PendingInvites(ctx, p)
			return err
		}},
		"RevokeInvite": {Refuse: staffWide, Do: func(p *auth.Principal) error { return f.svc.RevokeInvite(ctx, p, inv.ID) }},
		"ResendInvite": {Refuse: staffWide, Do: func(p *auth.Principal) error {
			_, _, err := f.svc.ResendInvite(ctx, p, inv.ID)
			return err
		}},
		"AssignRole": {Refuse: grants, Do: func(p *auth.Principal) error {
			_, err := f.svc.AssignRole(ctx, p, auth.RoleRequest{UserID: officer.UserID.String(), Role: "branch_admin", BranchID: jabar})
			return err
		}},
		"RevokeRole": {Refuse: staffWide, Do: func(p *auth.Principal) error { return f.svc.RevokeRole(ctx, p, membership) }},
		"Staff": {Refuse: []string{aWorker, anOfficer}, Do: func(p *auth.Principal) error {
			_, err := f.svc.Staff(ctx, p)
			return err
		}},
		"RevokeUserTokens": {Refuse: staffWide, Do: func(p *auth.Principal) error { return f.svc.RevokeUserTokens(ctx, p, officer.UserID) }},
		"ResetTOTP":        {Refuse: staffWide, Do: func(p *auth.Principal) error { return f.svc.ResetTOTP(ctx, p, officer.UserID) }},
		"Staff2FASetting": {Refuse: []string{aWorker, anOfficer, otherUnion}, Do: func(p *auth.Principal) error {
			_, err := f.svc.Staff2FASetting(ctx, p, f.tenant)
			return err
		}},
		"SetStaff2FA": {Refuse: staffWide, Do: func(p *auth.Principal) error { return f.svc.SetStaff2FA(ctx, p, f.tenant, true) }},
		"PlatformAccounts": {Refuse: platform, Do: func(p *auth.Principal) error {
			_, err := f.svc.PlatformAccounts(ctx, p)
			return err
		}},
		"CreatePlatformAccountAs": {Refuse: platform, Do: func(p *auth.Principal) error {
			_, err := f.svc.CreatePlatformAccountAs(ctx, p, auth.NewAccount{Name: "Admin Baru", Email: "baru@ilo.example", Password: "suara-demo-panjang", Role: "platform_admin"})
			return err
		}},
		"SetPlatformAccountDisabled": {Refuse: platform, Do: func(p *auth.Principal) error { return f.svc.SetPlatformAccountDisabled(ctx, p, pu.ID, true) }},
	}

	authtest.Walk(t, f.svc, table, accessUnchecked, callers, 20)
}
