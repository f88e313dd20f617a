package rbac

import (
	"errors"
	"testing"
)

func TestValidateMembership(t *testing.T) {
	u := uid(1)
	tests := []struct {
		m  Membership
		ok bool
	}{
		{Membership{u, RoleFederationAdmin, "spn/*"}, true},
		{Membership{u, RoleBranchAdmin, "spn/jabar/*"}, true},
		{Membership{u, RoleCaseOfficer, "spn/jabar/bekasi/puk-maju-jaya/*"}, true},
		{Membership{u, RoleWorker, "spn/*"}, true},
		{Membership{u, RolePlatformAdmin, "platform"}, true},
		{Membership{u, RoleILOAnalyst, "platform"}, true},

		// Unknown roles.
		{Membership{u, "admin", "spn/*"}, false},
		{Membership{u, "", "spn/*"}, false},
		{Membership{u, "Federation_Admin", "spn/*"}, false},

		// Platform roles only at the platform, tenant roles never there.
		{Membership{u, RolePlatformAdmin, "spn/*"}, false},
		{Membership{u, RoleILOAnalyst, "platform/*"}, false},
		{Membership{u, RoleFederationAdmin, "platform"}, false},
		{Membership{u, RoleFederationAdmin, "platform/*"}, false},

		// Tenant patterns: slug segments ending in "/*".
		{Membership{u, RoleBranchAdmin, "spn/jabar"}, false},
		{Membership{u, RoleBranchAdmin, "*"}, false},
		{Membership{u, RoleBranchAdmin, "/*"}, false},
		{Membership{u, RoleBranchAdmin, "spn/jab*"}, false},
		{Membership{u, RoleBranchAdmin, "spn/*/bekasi/*"}, false},
		{Membership{u, RoleBranchAdmin, "spn/Jabar/*"}, false},
		{Membership{u, RoleBranchAdmin, "spn//*"}, false},
		{Membership{u, RoleBranchAdmin, ""}, false},

		// User ids are UUIDs, so a subject can never be a role name.
		{Membership{"", RoleWorker, "spn/*"}, false},
		{Membership{"federation_admin", RoleWorker, "spn/*"}, false},
		{Membership{"user:" + u, RoleWorker, "spn/*"}, false},
	}
	for _, tt := range tests {
		err := ValidateMembership(tt.m)
		if tt.ok && err != nil {
			t.Errorf("ValidateMembership(%+v) = %v, want nil", tt.m, err)
		}
		if !tt.ok && !errors.Is(err, ErrInvalidMembership) {
			t.Errorf("ValidateMembership(%+v) = %v, want ErrInvalidMembership", tt.m, err)
		}
	}
}
