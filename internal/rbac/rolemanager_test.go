package rbac

import (
	"slices"
	"testing"
)

func TestRoleManager(t *testing.T) {
	rm := newRoleManager()
	rm.AddDomainMatchingFunc("MatchDomain", MatchDomain)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	has := func(user, role, domain string) bool {
		t.Helper()
		ok, err := rm.HasLink(user, role, domain)
		must(err)
		return ok
	}
	must(rm.AddLink("user:a", "branch_admin", "spn/jabar/*"))
	must(rm.AddLink("user:a", "branch_admin", "spn/jabar/*")) // idempotent
	must(rm.AddLink("user:a", "worker", "spn/*"))
	must(rm.AddLink("user:b", "branch_admin", "spn/jateng/*"))

	if !has("user:a", "branch_admin", "spn/jabar/bekasi") || has("user:a", "branch_admin", "spn/jateng") {
		t.Error("HasLink ignores the domain pattern")
	}
	if has("user:a", "federation_admin", "spn/jabar") {
		t.Error("HasLink granted a role never assigned")
	}
	if _, err := rm.HasLink("user:a", "worker"); err == nil {
		t.Error("HasLink without a domain succeeded")
	}
	if _, err := rm.HasLink("user:a", "worker", "spn", "x"); err == nil {
		t.Error("HasLink with two domains succeeded")
	}

	roles, _ := rm.GetRoles("user:a", "spn/jabar/bekasi")
	slices.Sort(roles)
	if want := []string{"branch_admin", "worker"}; !slices.Equal(roles, want) {
		t.Errorf("GetRoles = %v, want %v", roles, want)
	}
	if users, _ := rm.GetUsers("branch_admin", "spn/jateng/solo"); !slices.Equal(users, []string{"user:b"}) {
		t.Errorf("GetUsers = %v, want [user:b]", users)
	}
	if ds, _ := rm.GetAllDomains(); !slices.Equal(ds, []string{"spn/*", "spn/jabar/*", "spn/jateng/*"}) {
		t.Errorf("GetAllDomains = %v", ds)
	}

	must(rm.DeleteLink("user:a", "branch_admin", "spn/jabar/*"))
	if has("user:a", "branch_admin", "spn/jabar") || !has("user:a", "worker", "spn/jabar") {
		t.Error("DeleteLink removed the wrong link")
	}
	must(rm.DeleteDomain("spn/*"))
	if has("user:a", "worker", "spn") {
		t.Error("DeleteDomain kept a link at the pattern")
	}
	if ds, _ := rm.GetDomains("user:b"); !slices.Equal(ds, []string{"spn/jateng/*"}) {
		t.Errorf("GetDomains(user:b) = %v", ds)
	}
	must(rm.Clear())
	if has("user:b", "branch_admin", "spn/jateng") {
		t.Error("Clear kept a link")
	}

	// Without a matching function only identical domains match.
	plain := newRoleManager()
	must(plain.AddLink("user:a", "worker", "spn/*"))
	if ok, _ := plain.HasLink("user:a", "worker", "spn/jabar"); ok {
		t.Error("pattern matched without a matching function")
	}
}
