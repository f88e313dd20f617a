package tenant

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// A suspended union's host still resolves (its pages say it is
// suspended), it is not listed among the active unions, and the union
// removal rule needs an export made since the suspension.
func TestResolverKeepsSuspendedUnions(t *testing.T) {
	r := NewResolver("localhost", nil)
	spn := &Tenant{ID: uuid.New(), Slug: "spn", Status: StatusActive}
	sbsi := &Tenant{ID: uuid.New(), Slug: "sbsi", Status: StatusSuspended, Domains: []string{"lapor.sbsi.example"}}
	r.Set([]*Tenant{spn, sbsi})
	for _, h := range []string{"sbsi.localhost:8080", "lapor.sbsi.example"} {
		if tg, got := r.Resolve(h); tg != TenantHost || got != sbsi || !got.Suspended() {
			t.Errorf("%s: %v %v", h, tg, got)
		}
	}
	if all := r.All(); len(all) != 1 || all[0] != spn {
		t.Errorf("All = %v, want spn only", all)
	}
	if spn.Suspended() || (*Tenant)(nil).Suspended() {
		t.Error("active or nil tenant reported suspended")
	}
}

func TestUnionRemovable(t *testing.T) {
	day := func(d int) *time.Time { v := time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC); return &v }
	for _, c := range []struct {
		u    UnionRow
		want bool
	}{
		{UnionRow{Status: StatusActive, ExportedAt: day(2)}, false},
		{UnionRow{Status: StatusSuspended, SuspendedAt: day(2)}, false},
		{UnionRow{Status: StatusSuspended, SuspendedAt: day(2), ExportedAt: day(1)}, false},
		{UnionRow{Status: StatusSuspended, SuspendedAt: day(2), ExportedAt: day(2)}, true},
		{UnionRow{Status: StatusSuspended, SuspendedAt: day(2), ExportedAt: day(3)}, true},
	} {
		if got := c.u.Removable(); got != c.want {
			t.Errorf("%+v: Removable = %v", c.u, got)
		}
	}
}
