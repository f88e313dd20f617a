package rbac

import (
	"slices"
	"testing"

	"gopkg.in/yaml.v3"
)

// matrixFile is config/permissions.yaml, the reviewed statement of intent.
type matrixFile struct {
	Objects map[string]struct {
		Scope   string   `yaml:"scope"`
		Actions []string `yaml:"actions"`
	} `yaml:"objects"`
	Roles map[string]struct {
		Scope  string              `yaml:"scope"`
		Grants map[string][]string `yaml:"grants"`
	} `yaml:"roles"`
}

const (
	scopeTenant   = "tenant"
	scopePlatform = "platform"
)

func loadMatrix(t *testing.T) matrixFile {
	t.Helper()
	var mf matrixFile
	if err := yaml.Unmarshal([]byte(readConfig(t, "permissions.yaml")), &mf); err != nil {
		t.Fatalf("parse permissions.yaml: %v", err)
	}
	if len(mf.Objects) == 0 || len(mf.Roles) == 0 {
		t.Fatal("permissions.yaml has no objects or no roles")
	}
	// The file must be consistent with itself and with the roles this
	// package knows, or the matrix below would test the wrong thing.
	for role := range roleIsPlatform {
		if _, ok := mf.Roles[role]; !ok {
			t.Errorf("permissions.yaml: role %s missing", role)
		}
	}
	for name, o := range mf.Objects {
		if o.Scope != scopeTenant && o.Scope != scopePlatform {
			t.Errorf("permissions.yaml: object %s: scope %q", name, o.Scope)
		}
		if len(o.Actions) == 0 {
			t.Errorf("permissions.yaml: object %s has no actions", name)
		}
	}
	for name, r := range mf.Roles {
		platform, known := roleIsPlatform[name]
		if !known {
			t.Errorf("permissions.yaml: unknown role %s", name)
			continue
		}
		if want := map[bool]string{true: scopePlatform, false: scopeTenant}[platform]; r.Scope != want {
			t.Errorf("permissions.yaml: role %s scope %q, want %q", name, r.Scope, want)
		}
		for obj, acts := range r.Grants {
			o, ok := mf.Objects[obj]
			if !ok {
				t.Errorf("permissions.yaml: role %s grants unknown object %s", name, obj)
				continue
			}
			// Platform roles have no tenant rights and tenant roles no
			// platform rights.
			if o.Scope != r.Scope {
				t.Errorf("permissions.yaml: %s role %s grants %s object %s", r.Scope, name, o.Scope, obj)
			}
			for _, a := range acts {
				if !slices.Contains(o.Actions, a) {
					t.Errorf("permissions.yaml: role %s grants unknown action %s %s", name, obj, a)
				}
			}
		}
	}
	return mf
}

func (mf matrixFile) grants(role, obj, act string) bool {
	return slices.Contains(mf.Roles[role].Grants[obj], act)
}

// Relations between the branch a role is held at and the request's domain.
const (
	relOwn         = "own branch"
	relChild       = "child branch"
	relSibling     = "sibling branch"
	relParent      = "parent branch"
	relOtherTenant = "another tenant"
	relPlatform    = "platform"
)

var relations = []string{relOwn, relChild, relSibling, relParent, relOtherTenant, relPlatform}

// applies is the scope rule, stated independently of MatchDomain: a tenant
// role applies to its own branch and its sub-tree only; a platform role to
// the platform only.
func applies(roleScope, rel string) bool {
	if roleScope == scopePlatform {
		return rel == relPlatform
	}
	return rel == relOwn || rel == relChild
}

// holding is a role held at a realistic level, with request domains for each
// relation. Domains include prefix traps (spn/jabarx, spnx/...).
type holding struct {
	role, pattern string
	domains       map[string][]string
}

var rootRelations = map[string][]string{
	relOwn:   {"spn"},
	relChild: {"spn/jabar", "spn/jabar/bekasi", "spn/jabar/bekasi/puk-maju-jaya"},
	// A tenant root's siblings are the other tenants, including ones whose
	// slug begins with "spn".
	relSibling:     {"spnx", "spn-riau", "spnx/jabar"},
	relParent:      nil, // a tenant root has no parent
	relOtherTenant: {"garteks", "garteks/jabar/bekasi", "fsp-tsk/jabar/bekasi/puk-maju-jaya"},
	relPlatform:    {"platform"},
}

var platformRelations = map[string][]string{
	relOwn:         nil, // the platform is both own and "platform"; see relPlatform
	relChild:       nil,
	relSibling:     nil,
	relParent:      nil,
	relOtherTenant: {"spn", "spn/jabar", "garteks/jabar/bekasi/puk-maju-jaya", "platformx"},
	relPlatform:    {"platform"},
}

var holdings = []holding{
	{RoleFederationAdmin, "spn/*", rootRelations},
	{RoleWorker, "spn/*", rootRelations},
	{RoleBranchAdmin, "spn/jabar/*", map[string][]string{
		relOwn:         {"spn/jabar"},
		relChild:       {"spn/jabar/bekasi", "spn/jabar/bekasi/puk-maju-jaya"},
		relSibling:     {"spn/jateng", "spn/jabarx", "spn/jabar-barat"},
		relParent:      {"spn"},
		relOtherTenant: {"garteks/jabar", "garteks/jabar/bekasi", "spnx/jabar"},
		relPlatform:    {"platform"},
	}},
	{RoleCaseOfficer, "spn/jabar/bekasi/puk-maju-jaya/*", map[string][]string{
		relOwn:         {"spn/jabar/bekasi/puk-maju-jaya"},
		relChild:       {"spn/jabar/bekasi/puk-maju-jaya/afdeling-1"},
		relSibling:     {"spn/jabar/bekasi/puk-sejahtera", "spn/jabar/bekasi/puk-maju-jaya-2"},
		relParent:      {"spn/jabar/bekasi", "spn/jabar", "spn"},
		relOtherTenant: {"garteks/jabar/bekasi/puk-maju-jaya", "spnx/jabar/bekasi/puk-maju-jaya"},
		relPlatform:    {"platform"},
	}},
	{RolePlatformAdmin, "platform", platformRelations},
	{RoleILOAnalyst, "platform", platformRelations},
}

// TestPermissionMatrix is the acceptance test: every role × object × action
// × relation, expected from permissions.yaml and the scope rule, answered by
// the enforcer from the model and rbac_policy.csv.
func TestPermissionMatrix(t *testing.T) {
	mf := loadMatrix(t)

	// Every role is covered, each by its own user, so that cells do not
	// leak into each other.
	var ms []Membership
	users := map[string]string{}
	for i, h := range holdings {
		u := uid(100 + i)
		users[h.role] = u
		ms = append(ms, Membership{u, h.role, h.pattern})
	}
	for role := range roleIsPlatform {
		if users[role] == "" {
			t.Fatalf("no holding for role %s", role)
		}
	}
	e := newTestEnforcer(t, &memSource{ms: ms})

	objects := make([]string, 0, len(mf.Objects))
	for o := range mf.Objects {
		objects = append(objects, o)
	}
	slices.Sort(objects)

	var cells, allowed int
	for _, h := range holdings {
		scope := mf.Roles[h.role].Scope
		for _, rel := range relations {
			for _, domain := range h.domains[rel] {
				for _, obj := range objects {
					for _, act := range mf.Objects[obj].Actions {
						want := mf.grants(h.role, obj, act) && applies(scope, rel)
						got, err := e.Enforce(users[h.role], domain, obj, act)
						if err != nil {
							t.Errorf("%s@%s, %s (%s): %s %s: %v", h.role, h.pattern, rel, domain, obj, act, err)
							continue
						}
						if got != want {
							t.Errorf("%s@%s, %s (%s): %s %s = %v, want %v", h.role, h.pattern, rel, domain, obj, act, got, want)
						}
						cells++
						if got {
							allowed++
						}
					}
				}
			}
		}
	}
	// Guard against a matrix that silently shrank (or allows nothing).
	if cells < 1000 || allowed == 0 || allowed == cells {
		t.Fatalf("matrix checked %d cells, %d allowed: too few to mean anything", cells, allowed)
	}
	t.Logf("checked %d cells, %d allowed", cells, allowed)
}

// TestPolicyOnlyGrantsWhatTheMatrixStates catches a CSV rule naming an
// object or action the matrix does not enumerate, which TestPermissionMatrix
// would never ask about.
func TestPolicyOnlyGrantsWhatTheMatrixStates(t *testing.T) {
	mf := loadMatrix(t)
	rules, err := parsePolicy(readConfig(t, "rbac_policy.csv"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rules {
		if !mf.grants(r[0], r[1], r[2]) {
			t.Errorf("rbac_policy.csv grants %s %s %s, which permissions.yaml does not", r[0], r[1], r[2])
		}
	}
	for _, r := range mf.Roles {
		for _, acts := range r.Grants {
			n += len(acts)
		}
	}
	if len(rules) != n {
		t.Errorf("rbac_policy.csv has %d rules, permissions.yaml grants %d", len(rules), n)
	}
}

// TestTagVocabularyIsTheFederationAdmins pins issue 25's cells apart from
// the derived matrix: only a federation admin, at its union, reads, adds
// and retires tags; a branch admin, an officer and a worker do none of it,
// and another union's admin gets nothing here.
func TestTagVocabularyIsTheFederationAdmins(t *testing.T) {
	mf := loadMatrix(t)
	if got := mf.Objects["tag"].Actions; !slices.Equal(got, []string{"read", "create", "update"}) {
		t.Fatalf("permissions.yaml: tag actions %v", got)
	}
	e := newTestEnforcer(t, &memSource{ms: []Membership{
		{uid(1), RoleFederationAdmin, "spn/*"}, {uid(2), RoleBranchAdmin, "spn/jabar/*"},
		{uid(3), RoleCaseOfficer, "spn/jabar/*"}, {uid(4), RoleWorker, "spn/*"}, {uid(5), RoleFederationAdmin, "garteks/*"},
	}})
	for _, act := range []string{"read", "create", "update"} {
		for _, c := range []struct {
			user, domain string
			want         bool
		}{
			{uid(1), "spn", true}, {uid(2), "spn", false}, {uid(2), "spn/jabar", false},
			{uid(3), "spn/jabar", false}, {uid(4), "spn", false}, {uid(5), "spn", false},
		} {
			got, err := e.Enforce(c.user, c.domain, "tag", act)
			if err != nil || got != c.want {
				t.Errorf("%s at %s: tag %s = %v (%v), want %v", c.user, c.domain, act, got, err, c.want)
			}
		}
	}
}
