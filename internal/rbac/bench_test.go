package rbac

import (
	"fmt"
	"testing"
)

// benchMemberships builds a platform-sized set of assignments: tenants ×
// provinces × cities × workplace units, with admins, officers and workers.
func benchMemberships(tenants, workersPerTenant int) []Membership {
	var ms []Membership
	n := 0
	next := func() string { n++; return uid(n) }
	ms = append(ms, Membership{next(), RolePlatformAdmin, PlatformDomain}, Membership{next(), RoleILOAnalyst, PlatformDomain})
	for ti := range tenants {
		tenant := fmt.Sprintf("t%d", ti)
		ms = append(ms, Membership{next(), RoleFederationAdmin, tenant + "/*"})
		for p := range 10 {
			prov := fmt.Sprintf("%s/p%d", tenant, p)
			ms = append(ms, Membership{next(), RoleBranchAdmin, prov + "/*"})
			for c := range 5 {
				city := fmt.Sprintf("%s/c%d", prov, c)
				ms = append(ms, Membership{next(), RoleBranchAdmin, city + "/*"})
				for w := range 4 {
					unit := fmt.Sprintf("%s/puk-%d", city, w)
					ms = append(ms, Membership{next(), RoleCaseOfficer, unit + "/*"}, Membership{next(), RoleCaseOfficer, unit + "/*"})
				}
			}
		}
		for range workersPerTenant {
			ms = append(ms, Membership{next(), RoleWorker, tenant + "/*"})
		}
	}
	return ms
}

// BenchmarkEnforce measures one decision against a realistic membership set:
// go test -run '^$' -bench Enforce -benchmem ./internal/rbac/
func BenchmarkEnforce(b *testing.B) {
	for _, size := range []struct{ tenants, workers int }{{4, 1000}, {20, 5000}} {
		ms := benchMemberships(size.tenants, size.workers)
		e := newTestEnforcer(b, &memSource{ms: ms})
		// The first officer of t0/p3/c2/puk-1 and a worker of t0.
		var officer, worker string
		for _, m := range ms {
			if officer == "" && m.Role == RoleCaseOfficer && m.Domain == "t0/p3/c2/puk-1/*" {
				officer = m.UserID
			}
			if worker == "" && m.Role == RoleWorker && m.Domain == "t0/*" {
				worker = m.UserID
			}
		}
		cases := []struct {
			name, user, domain, obj, act string
			want                         bool
		}{
			{"officer-allow", officer, "t0/p3/c2/puk-1", "case", "note", true},
			{"officer-deny-sibling", officer, "t0/p3/c2/puk-2", "case", "note", false},
			{"worker-allow", worker, "t0/p3/c2/puk-1", "case", "create", true},
			{"worker-deny-other-tenant", worker, "t1/p3/c2/puk-1", "case", "create", false},
		}
		for _, c := range cases {
			b.Run(fmt.Sprintf("memberships=%d/%s", len(ms), c.name), func(b *testing.B) {
				for b.Loop() {
					ok, err := e.Enforce(c.user, c.domain, c.obj, c.act)
					if err != nil || ok != c.want {
						b.Fatalf("Enforce = %v, %v; want %v", ok, err, c.want)
					}
				}
			})
		}
	}
}
