package tenant

import (
	"testing"

	"github.com/google/uuid"
)

func TestResolve(t *testing.T) {
	r := NewResolver("localhost", nil)
	spn := &Tenant{ID: uuid.New(), Slug: "spn", Domains: []string{"sopan-spn.example"}}
	garteks := &Tenant{ID: uuid.New(), Slug: "garteks"}
	r.Set([]*Tenant{spn, garteks})

	cases := []struct {
		host   string
		target Target
		want   *Tenant
	}{
		{"spn.localhost", TenantHost, spn},
		{"spn.localhost:8080", TenantHost, spn},
		{"SPN.LocalHost:8080", TenantHost, spn},
		{"spn.localhost.", TenantHost, spn},
		{"garteks.localhost:8080", TenantHost, garteks},
		{"localhost", Platform, nil},
		{"localhost:8080", Platform, nil},
		{"LOCALHOST:8080", Platform, nil},
		{"sopan-spn.example", TenantHost, spn},
		{"SOPAN-SPN.example:443", TenantHost, spn},
		{"nope.localhost:8080", Unknown, nil},
		{"a.spn.localhost", Unknown, nil},            // no nested subdomains
		{"spn.localhost.evil.example", Unknown, nil}, // suffix games
		{"evilspn.localhost", Unknown, nil},
		{"spnlocalhost", Unknown, nil},
		{"", Unknown, nil},
		{"spn.localhost/../garteks", Unknown, nil},
		{"127.0.0.1:8080", Unknown, nil},
		{"sopan-spn.example.localhost", Unknown, nil},
	}
	for _, c := range cases {
		target, got := r.Resolve(c.host)
		if target != c.target || got != c.want {
			t.Errorf("Resolve(%q) = %v, %v; want %v, %v", c.host, target, slugOf(got), c.target, slugOf(c.want))
		}
	}
}

func slugOf(t *Tenant) string {
	if t == nil {
		return "<nil>"
	}
	return t.Slug
}

func FuzzNormaliseHost(f *testing.F) {
	for _, s := range []string{"spn.localhost:8080", "[::1]:80", "A.B.", "", "x\x00y", "ü.localhost"} {
		f.Add(s)
	}
	r := NewResolver("localhost", nil)
	r.Set([]*Tenant{{ID: uuid.New(), Slug: "spn"}})
	f.Fuzz(func(t *testing.T, host string) {
		h := NormaliseHost(host)
		if len(h) > 253 {
			t.Fatalf("normalised host too long: %d", len(h))
		}
		target, tn := r.Resolve(host)
		if target == TenantHost && tn == nil {
			t.Fatal("tenant target without tenant")
		}
	})
}
