// Package authtest holds the caller walk the service tests share: every
// exported method of a service that takes a caller (*auth.Principal) is
// either called, with real arguments, by each caller it must refuse, or
// listed with why it refuses nobody.
package authtest

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
)

// Call is one method's row: who must be refused, and the call itself.
type Call struct {
	Refuse []string
	Do     func(p *auth.Principal) error
}

// Walk checks that table and unchecked together name exactly the exported
// methods of svc that take an *auth.Principal (at least min of them), then
// makes each call as each caller in its Refuse list (looked up in callers):
// each must answer forbidden, not found or unauthorised. A method whose
// check was removed then succeeds or fails otherwise, and the walk fails.
func Walk(t *testing.T, svc any, table map[string]Call, unchecked map[string]string, callers map[string]*auth.Principal, min int) {
	t.Helper()
	principal := reflect.TypeOf((*auth.Principal)(nil))
	var takers []string
	typ := reflect.TypeOf(svc)
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		for j := 1; j < m.Type.NumIn(); j++ {
			if m.Type.In(j) == principal {
				takers = append(takers, m.Name)
				break
			}
		}
	}
	for _, name := range takers {
		_, listed := table[name]
		_, excused := unchecked[name]
		if listed == excused {
			t.Errorf("%s takes a caller: list it once, in the table (who it refuses) or in unchecked (why nobody)", name)
		}
	}
	for name := range table {
		if !slices.Contains(takers, name) {
			t.Errorf("%s is in the table but takes no caller", name)
		}
	}
	if len(takers) < min {
		t.Fatalf("only %d methods of %T take a caller: the walk found too few", len(takers), svc)
	}
	names := make([]string, 0, len(table))
	for name := range table {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, who := range table[name].Refuse {
			p, ok := callers[who]
			if !ok {
				t.Fatalf("%s: no caller %q", name, who)
			}
			if err := table[name].Do(p); !Refused(err) {
				t.Errorf("%s by %s: %v, want refused (forbidden or not found)", name, who, err)
			}
		}
	}
}

// Refused reports whether err refuses the caller: forbidden, not found
// (what a caller may not see does not exist for them) or unauthorised.
func Refused(err error) bool {
	return errors.Is(err, apperr.ErrForbidden) || errors.Is(err, apperr.ErrNotFound) || errors.Is(err, apperr.ErrUnauthorized)
}
