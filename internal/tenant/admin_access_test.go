package tenant_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/tenant"
)

// caller is a staff member, or not.
type caller struct{ staff bool }

func (c caller) CallerID() uuid.UUID { return uuid.MustParse("00000000-0000-0000-0000-0000000000aa") }
func (c caller) IsStaff() bool       { return c.staff }

// denyAll refuses everything and notes what it was asked.
type denyAll struct{ asked []string }

func (d *denyAll) Authorize(_ context.Context, _ tenant.Caller, domain, obj, act string) error {
	d.asked = append(d.asked, domain+" "+obj+":"+act)
	return fmt.Errorf("%w: %s %s", apperr.ErrForbidden, obj, act)
}

// uncheckedAdmin lists the exported Admin methods that take no caller, and
// why they need none. A new method must take a tenant.Caller or be added
// here with its reason.
var uncheckedAdmin = map[string]string{
	"BranchDirectory":    "branch names for display; the paths are on every case a caller sees",
	"LiveLogo":           "the union's public logo, on every page",
	"WorkplaceDirectory": "the workplaces every worker chooses from when filing",
	"CategoryDirectory":  "the categories every worker chooses from when filing",
}

var callerType = reflect.TypeOf((*tenant.Caller)(nil)).Elem()

// TestAdminMethodsRefuseUnauthorisedCallers walks every exported method of
// tenant.Admin. Each that takes a caller is called with one the authorizer
// refuses, and with one who is not staff: both must get apperr.ErrForbidden
// before the method touches the database (the service here has none, so a
// method that skipped its check would panic or fail otherwise).
func TestAdminMethodsRefuseUnauthorisedCallers(t *testing.T) {
	ctx := context.Background()
	union := &tenant.Tenant{ID: uuid.New(), Slug: "spn"}
	typ := reflect.TypeOf(&tenant.Admin{})
	checked := 0
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		takesCaller := false
		for j := 1; j < m.Type.NumIn(); j++ {
			if m.Type.In(j) == callerType {
				takesCaller = true
			}
		}
		if !takesCaller {
			if _, ok := uncheckedAdmin[m.Name]; !ok {
				t.Errorf("Admin.%s takes no tenant.Caller: check the caller's permission in it (admin_access.go) or list it in uncheckedAdmin with why", m.Name)
			}
			continue
		}
		for _, who := range []struct {
			name  string
			staff bool
		}{{"refused staff", true}, {"worker", false}} {
			authz := &denyAll{}
			admin := tenant.NewAdmin(nil, authz)
			err := callWith(m, admin, ctx, union, caller{staff: who.staff})
			if !errors.Is(err, apperr.ErrForbidden) {
				t.Errorf("Admin.%s with a %s: %v, want ErrForbidden", m.Name, who.name, err)
			}
			if who.staff && len(authz.asked) != 1 {
				t.Errorf("Admin.%s asked the authorizer %v, want one question", m.Name, authz.asked)
			}
		}
		checked++
	}
	if checked < 25 {
		t.Fatalf("only %d methods take a caller: is the walk broken?", checked)
	}
}

// callWith calls m with ctx, t and who in their places and zero values
// elsewhere, and returns its error; a panic is returned as an error.
func callWith(m reflect.Method, admin *tenant.Admin, ctx context.Context, t *tenant.Tenant, who tenant.Caller) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	args := []reflect.Value{reflect.ValueOf(admin)}
	for j := 1; j < m.Type.NumIn(); j++ {
		in := m.Type.In(j)
		switch {
		case in == callerType:
			args = append(args, reflect.ValueOf(who))
		case in == reflect.TypeOf(t):
			args = append(args, reflect.ValueOf(t))
		case in.Implements(reflect.TypeOf((*context.Context)(nil)).Elem()):
			args = append(args, reflect.ValueOf(ctx))
		default:
			args = append(args, reflect.Zero(in))
		}
	}
	out := m.Func.Call(args)
	last := out[len(out)-1]
	if last.IsNil() {
		return nil
	}
	return last.Interface().(error)
}
