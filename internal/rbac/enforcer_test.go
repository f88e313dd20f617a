package rbac

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
)

func TestNewRejectsBadConfig(t *testing.T) {
	model := readConfig(t, "rbac_model.conf")
	policy := readConfig(t, "rbac_policy.csv")
	src := &memSource{}
	noDomains := `
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`
	if _, err := New(noDomains, policy, src); err == nil {
		t.Error("New accepted a model without domains")
	}
	if _, err := New("not a model", policy, src); err == nil {
		t.Error("New accepted garbage as a model")
	}
	if _, err := New(model, "g, user:x, worker, spn/*\n", src); err == nil {
		t.Error("New accepted a policy holding assignments")
	}
	if _, err := New(model, policy, &memSource{err: errors.New("db down")}); err == nil {
		t.Error("New succeeded although memberships could not be loaded")
	}
}

func TestReloadPicksUpMembershipChanges(t *testing.T) {
	src := &memSource{}
	e := newTestEnforcer(t, src)
	u := uid(7)
	ctx := context.Background()

	if ok, err := e.Enforce(u, "spn/jabar/bekasi", "case", "assign"); err != nil || ok {
		t.Fatalf("before grant: Enforce = %v, %v; want false, nil", ok, err)
	}

	src.set([]Membership{{u, RoleBranchAdmin, "spn/jabar/*"}}, nil)
	// Not effective until reloaded: the enforcer holds a snapshot.
	if ok, _ := e.Enforce(u, "spn/jabar/bekasi", "case", "assign"); ok {
		t.Fatal("grant took effect before Reload")
	}
	if err := e.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := e.Enforce(u, "spn/jabar/bekasi", "case", "assign"); err != nil || !ok {
		t.Fatalf("after grant: Enforce = %v, %v; want true, nil", ok, err)
	}
	if got, want := e.Roles(u), []Membership{{u, RoleBranchAdmin, "spn/jabar/*"}}; !slices.Equal(got, want) {
		t.Errorf("Roles = %v, want %v", got, want)
	}

	// A failed reload keeps what was in force.
	src.set(nil, errors.New("db down"))
	if err := e.Reload(ctx); err == nil {
		t.Fatal("Reload hid a source error")
	}
	if ok, _ := e.Enforce(u, "spn/jabar/bekasi", "case", "assign"); !ok {
		t.Fatal("failed reload dropped the assignments in force")
	}

	// A cancelled context reaches the source.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	src.set(nil, nil)
	if err := e.Reload(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Reload(cancelled) = %v, want context.Canceled", err)
	}

	// Revocation.
	if err := e.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.Enforce(u, "spn/jabar/bekasi", "case", "assign"); ok {
		t.Fatal("revoked role still effective")
	}
	if got := e.Roles(u); len(got) != 0 {
		t.Errorf("Roles after revoke = %v, want none", got)
	}
}

func TestRolesSorted(t *testing.T) {
	u := uid(1)
	src := &memSource{ms: []Membership{
		{u, RoleCaseOfficer, "spn/jabar/bekasi/puk-maju-jaya/*"},
		{u, RoleWorker, "spn/*"},
		{u, RoleBranchAdmin, "garteks/jateng/*"},
		{uid(2), RoleFederationAdmin, "spn/*"},
	}}
	e := newTestEnforcer(t, src)
	want := []Membership{
		{u, RoleBranchAdmin, "garteks/jateng/*"},
		{u, RoleWorker, "spn/*"},
		{u, RoleCaseOfficer, "spn/jabar/bekasi/puk-maju-jaya/*"},
	}
	if got := e.Roles(u); !slices.Equal(got, want) {
		t.Errorf("Roles = %v\nwant %v", got, want)
	}
	if got := e.Roles(uid(3)); len(got) != 0 {
		t.Errorf("Roles of a user without roles = %v", got)
	}
}

func TestCheck(t *testing.T) {
	u := uid(1)
	e := newTestEnforcer(t, &memSource{ms: []Membership{{u, RoleCaseOfficer, "spn/jabar/bekasi/puk-maju-jaya/*"}}})

	if err := e.Check(u, "spn/jabar/bekasi/puk-maju-jaya", "case", "note"); err != nil {
		t.Errorf("allowed: Check = %v", err)
	}
	if err := e.Check(u, "spn/jabar/bekasi/puk-maju-jaya", "case", "assign"); !errors.Is(err, ErrForbidden) {
		t.Errorf("denied action: Check = %v, want ErrForbidden", err)
	}
	if err := e.Check(u, "spn/jabar/bekasi", "case", "note"); !errors.Is(err, ErrForbidden) {
		t.Errorf("parent branch: Check = %v, want ErrForbidden", err)
	}
	// Malformed input is denied, and says why.
	for _, c := range []struct{ user, domain string }{
		{"", "spn/jabar/bekasi/puk-maju-jaya"},
		{"not-a-uuid", "spn/jabar/bekasi/puk-maju-jaya"},
		{u, "spn/jabar/bekasi/puk-maju-jaya/*"},
		{u, ""},
		{u, "spn/jabar/bekasi/puk-maju-jaya/"},
	} {
		err := e.Check(c.user, c.domain, "case", "note")
		if !errors.Is(err, ErrForbidden) || !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("Check(%q, %q) = %v, want ErrForbidden and ErrInvalidRequest", c.user, c.domain, err)
		}
	}
	// A permission no rule mentions is the caller's bug, not a denial.
	for _, p := range [][2]string{{"cases", "note"}, {"case", "delete"}, {"", ""}} {
		err := e.Check(u, "spn/jabar/bekasi/puk-maju-jaya", p[0], p[1])
		if !errors.Is(err, ErrUnknownPermission) || errors.Is(err, ErrForbidden) {
			t.Errorf("Check(%s, %s) = %v, want ErrUnknownPermission only", p[0], p[1], err)
		}
	}
}

// A subject that is a role name would satisfy g(sub, role) trivially in
// Casbin; user ids are UUIDs and subjects are prefixed, so it cannot.
func TestRoleNameAsUserIsDenied(t *testing.T) {
	e := newTestEnforcer(t, &memSource{})
	for role := range roleIsPlatform {
		for _, d := range []string{"spn", "platform"} {
			if ok, _ := e.Enforce(role, d, "case", "read"); ok {
				t.Errorf("Enforce(%q, %q) allowed", role, d)
			}
			if ok, _ := e.Enforce(role, d, "analytics", "read"); ok {
				t.Errorf("Enforce(%q, %q) allowed", role, d)
			}
		}
	}
}

// Holding several roles grants their union, each in its own scope.
func TestSeveralRoles(t *testing.T) {
	u := uid(1)
	e := newTestEnforcer(t, &memSource{ms: []Membership{
		{u, RoleWorker, "spn/*"},
		{u, RoleCaseOfficer, "spn/jabar/bekasi/puk-maju-jaya/*"},
	}})
	cases := []struct {
		domain, obj, act string
		want             bool
	}{
		{"spn/jateng", "case", "create", true},                          // worker, tenant-wide
		{"spn/jabar/bekasi/puk-maju-jaya", "case", "note", true},        // officer, own unit
		{"spn/jateng", "case", "note", false},                           // officer right outside its unit
		{"garteks/jabar/bekasi/puk-maju-jaya", "case", "create", false}, // other tenant
	}
	for _, c := range cases {
		if ok, err := e.Enforce(u, c.domain, c.obj, c.act); err != nil || ok != c.want {
			t.Errorf("Enforce(%s, %s, %s) = %v, %v; want %v", c.domain, c.obj, c.act, ok, err, c.want)
		}
	}
}

// Enforce and Reload run concurrently in production; run with -race.
func TestConcurrentEnforceAndReload(t *testing.T) {
	u := uid(1)
	src := &memSource{ms: []Membership{{u, RoleFederationAdmin, "spn/*"}}}
	e := newTestEnforcer(t, src)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				ok, err := e.Enforce(u, "spn/jabar", "branch", "update")
				if err != nil || !ok {
					t.Errorf("goroutine %d: Enforce = %v, %v", i, ok, err)
					return
				}
			}
		}()
	}
	for range 20 {
		if err := e.Reload(ctx); err != nil {
			t.Error(err)
		}
	}
	wg.Wait()
}
