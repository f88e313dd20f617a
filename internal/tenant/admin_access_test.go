package tenant_test

import (
	"reflect"
	"testing"

	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

// uncheckedAdmin lists the exported Admin methods that take no caller, and
// why they need none. A new method must take a tenant.Caller or be added
// here with its reason.
var uncheckedAdmin = map[string]string{
	"BranchDirectory":    "branch names for display; the paths are on every case a caller sees",
	"LiveLogo":           "the union's public logo, on every page",
	"WorkplaceDirectory": "the workplaces every worker chooses from when filing",
	"CategoryDirectory":  "the categories every worker chooses from when filing",
	"TagDirectory":       "the active tags officers choose from when they correct a suggestion",
}

// TestAdminMethodsRefuseUnauthorisedCallers walks every exported method of
// tenant.Admin: each that takes a caller refuses one the authorizer
// refuses, and one who is not staff, before it touches the database.
func TestAdminMethodsRefuseUnauthorisedCallers(t *testing.T) {
	tenanttest.CallerCheck{
		New:       func(authz tenant.Authorizer) any { return tenant.NewAdmin(nil, authz) },
		Unchecked: uncheckedAdmin,
		Refused: []tenanttest.Refused{
			{Name: "refused staff member", Caller: tenanttest.Caller{Staff: true}, Asks: true},
			{Name: "worker", Caller: tenanttest.Caller{}},
			{Name: "platform account", Caller: tenanttest.Caller{Platform: true}},
		},
		Min: 25,
	}.Run(t)
}

// platformRefused are the callers the platform console's services refuse:
// a platform account the authorizer refuses, a union's staff member and a
// worker.
var platformRefused = []tenanttest.Refused{
	{Name: "refused platform account", Caller: tenanttest.Caller{Platform: true}, Asks: true},
	{Name: "union staff member", Caller: tenanttest.Caller{Staff: true}},
	{Name: "worker", Caller: tenanttest.Caller{}},
}

// TestConsoleMethodsRefuseUnauthorisedCallers does the same walk over the
// platform console's union service.
func TestConsoleMethodsRefuseUnauthorisedCallers(t *testing.T) {
	tenanttest.CallerCheck{
		New: func(authz tenant.Authorizer) any { return tenant.NewConsole(nil, nil, authz, tenant.ConsoleIO{}) },
		Unchecked: map[string]string{
			"Bundle":    "the manifests bundle new unions start from: templates, no union's data",
			"CanExport": "whether exports are wired at all",
			"CanRemove": "whether removal is wired at all",
		},
		Refused: platformRefused,
		Min:     6,
	}.Run(t)
}

// TestTagMethodsAreWalked: the tag vocabulary's methods (issue 25) exist
// under these names and take a caller, so the walk above checks them.
func TestTagMethodsAreWalked(t *testing.T) {
	typ := reflect.TypeOf(tenant.NewAdmin(nil, nil))
	caller := reflect.TypeOf((*tenant.Caller)(nil)).Elem()
	for _, name := range []string{"Tags", "AddTag", "RetireTag"} {
		m, ok := typ.MethodByName(name)
		if !ok {
			t.Errorf("tenant.Admin has no %s", name)
			continue
		}
		takes := false
		for i := 1; i < m.Type.NumIn(); i++ {
			takes = takes || m.Type.In(i) == caller
		}
		if !takes {
			t.Errorf("tenant.Admin.%s takes no caller", name)
		}
	}
}
