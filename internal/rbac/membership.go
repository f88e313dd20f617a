package rbac

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Roles. Tenant roles are held at a branch sub-tree pattern ("spn/jabar/*");
// platform roles at PlatformDomain.
const (
	RolePlatformAdmin   = "platform_admin"
	RoleILOAnalyst      = "ilo_analyst"
	RoleFederationAdmin = "federation_admin"
	RoleBranchAdmin     = "branch_admin"
	RoleCaseOfficer     = "case_officer"
	RoleWorker          = "worker"
)

// roleIsPlatform tells, for every known role, whether it is a platform role.
// A role missing from here cannot be assigned, nor named in the policy.
var roleIsPlatform = map[string]bool{
	RolePlatformAdmin:   true,
	RoleILOAnalyst:      true,
	RoleFederationAdmin: false,
	RoleBranchAdmin:     false,
	RoleCaseOfficer:     false,
	RoleWorker:          false,
}

// KnownRole reports whether role is one of the roles above.
func KnownRole(role string) bool {
	_, ok := roleIsPlatform[role]
	return ok
}

// Membership grants Role to the user at Domain, a pattern: "spn/jabar/*" for
// a tenant role (the branch spn/jabar and its sub-tree) or "platform" for a
// platform role.
type Membership struct {
	UserID string
	Role   string
	Domain string
}

// MembershipSource lists every role assignment. The application implements
// it over the memberships table; the enforcer calls it on load and reload.
type MembershipSource interface {
	Memberships(ctx context.Context) ([]Membership, error)
}

// ErrInvalidMembership is wrapped by ValidateMembership's errors.
var ErrInvalidMembership = errors.New("invalid membership")

// uuidText is the canonical textual form of a UUID; user ids are UUIDs, and
// requiring the form keeps a subject from ever equalling a role name.
var uuidText = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidUserID reports whether id is a UUID in canonical text form.
func ValidUserID(id string) bool { return uuidText.MatchString(id) }

// ValidateMembership checks that the role is known and that its domain
// pattern fits it: platform roles at "platform", tenant roles at a branch
// sub-tree pattern of lowercase slug segments ending in "/*".
func ValidateMembership(m Membership) error {
	if !ValidUserID(m.UserID) {
		return fmt.Errorf("%w: user id %q is not a UUID", ErrInvalidMembership, m.UserID)
	}
	platform, ok := roleIsPlatform[m.Role]
	if !ok {
		return fmt.Errorf("%w: unknown role %q", ErrInvalidMembership, m.Role)
	}
	if platform {
		if m.Domain != PlatformDomain {
			return fmt.Errorf("%w: platform role %s must be held at %q, not %q", ErrInvalidMembership, m.Role, PlatformDomain, m.Domain)
		}
		return nil
	}
	base, ok := strings.CutSuffix(m.Domain, subtreeSuffix)
	if !ok || !validBranchPath(base) {
		return fmt.Errorf("%w: tenant role %s needs a branch pattern like \"spn/jabar/*\", not %q", ErrInvalidMembership, m.Role, m.Domain)
	}
	return nil
}
