package rbac

import (
	"regexp"
	"strings"
)

// PlatformDomain is the domain of the platform itself (tenants, analysts,
// cross-union aggregates). It is matched exactly: it has no sub-tree.
const PlatformDomain = "platform"

// subtreeSuffix marks a domain pattern that covers a branch and everything
// below it: "spn/jabar/*" covers "spn/jabar" and "spn/jabar/...".
const subtreeSuffix = "/*"

// branchPath is a tenant branch path: lowercase slug segments joined by "/",
// the first segment being the tenant slug.
var branchPath = regexp.MustCompile(`^[a-z0-9-]+(/[a-z0-9-]+)*$`)

// MatchDomain reports whether the request domain falls under the pattern of
// a role assignment. A pattern "X/*" covers X itself and every descendant
// "X/..."; any other pattern covers only the identical domain. The match is
// made on whole path segments, so "spn/jabar/*" covers neither "spn/jabarx"
// nor "spnx/jabar".
//
// It is registered as the domain matching function of the "g" role
// definition; Casbin calls it with (request domain, stored pattern).
func MatchDomain(domain, pattern string) bool {
	if domain == pattern {
		return true
	}
	// The platform is never reached through a pattern, even a malformed
	// "platform/*" that slipped past validation.
	if domain == PlatformDomain {
		return false
	}
	base, ok := strings.CutSuffix(pattern, subtreeSuffix)
	if !ok || base == "" {
		return false
	}
	if domain == base {
		return true
	}
	// The byte after the base must be a separator: this is what stops
	// "spn/jabar" from covering "spn/jabarx".
	return len(domain) > len(base) && domain[len(base)] == '/' && strings.HasPrefix(domain, base)
}

// ValidDomain reports whether d may be the domain of a request: the platform
// or a concrete branch path. Patterns ("/*") are not request domains, and no
// tenant may be called "platform".
func ValidDomain(d string) bool {
	return d == PlatformDomain || validBranchPath(d)
}

func validBranchPath(d string) bool {
	return branchPath.MatchString(d) && d != PlatformDomain && !strings.HasPrefix(d, PlatformDomain+"/")
}
