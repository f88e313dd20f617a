package analytics_test

import (
	"testing"

	"github.com/suara-id/suara/internal/analytics"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/tenant/tenanttest"
)

// TestConsoleMethodsRefuseUnauthorisedCallers walks every exported method
// of analytics.Console: each that takes a caller refuses a platform account
// the authorizer refuses, a union's staff member and a worker before it
// reads anything.
func TestConsoleMethodsRefuseUnauthorisedCallers(t *testing.T) {
	tenanttest.CallerCheck{
		New: func(authz tenant.Authorizer) any { return analytics.NewConsole(nil, authz) },
		Unchecked: map[string]string{
			"K": "the disclosure threshold, printed on every console page",
		},
		Refused: []tenanttest.Refused{
			{Name: "refused platform account", Caller: tenanttest.Caller{Platform: true}, Asks: true},
			{Name: "union staff member", Caller: tenanttest.Caller{Staff: true}},
			{Name: "worker", Caller: tenanttest.Caller{}},
		},
		Min: 7,
	}.Run(t)
}
