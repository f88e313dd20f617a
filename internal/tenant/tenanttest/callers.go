package tenanttest

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

// Caller is who calls a service in a test: a union's staff member, a
// platform account, or neither (a worker).
type Caller struct {
	ID              uuid.UUID
	Staff, Platform bool
	Name            string
}

func (c Caller) CallerID() uuid.UUID { return c.ID }
func (c Caller) IsStaff() bool       { return c.Staff }
func (c Caller) IsPlatform() bool    { return c.Platform }
func (c Caller) CallerName() string  { return c.Name }

// Authz answers every question with Err (nil allows) and notes each.
type Authz struct {
	Err   error
	Asked []string
}

func (a *Authz) Authorize(_ context.Context, _ tenant.Caller, domain, obj, act string) error {
	a.Asked = append(a.Asked, domain+" "+obj+":"+act)
	if a.Err != nil {
		return fmt.Errorf("%w: %s %s", a.Err, obj, act)
	}
	return nil
}

// Refused is a caller a service must refuse: Asks says whether it gets as
// far as one question to the authorizer (a staff member the authorizer
// refuses) or is refused before (a worker at a union's service).
type Refused struct {
	Name   string
	Caller tenant.Caller
	Asks   bool
}

// CallerCheck walks every exported method of a service. Each that takes
// a caller (tenant.Caller, or an interface that embeds it) is called, with
// zero values but for the context, a union and the caller, by each of
// Refused under an authorizer that refuses everything: each call must end
// in apperr.ErrForbidden before the method touches the database (the
// service has none, so a method that skipped its check would panic or
// fail otherwise). A method that takes no caller must be listed in
// Unchecked with why it needs no check.
type CallerCheck struct {
	// New builds the service over no database, asking authz.
	New       func(authz tenant.Authorizer) any
	Unchecked map[string]string
	Refused   []Refused
	// Min is how many methods at least take a caller (a guard on the walk).
	Min int
}

var callerType = reflect.TypeOf((*tenant.Caller)(nil)).Elem()

// Run runs the check.
func (cc CallerCheck) Run(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	union := &tenant.Tenant{ID: uuid.New(), Slug: "spn"}
	typ := reflect.TypeOf(cc.New(nil))
	name := typ.Elem().String()
	checked := 0
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		takesCaller := false
		for j := 1; j < m.Type.NumIn(); j++ {
			if in := m.Type.In(j); in.Kind() == reflect.Interface && in.Implements(callerType) {
				takesCaller = true
			}
		}
		if !takesCaller {
			if _, ok := cc.Unchecked[m.Name]; !ok {
				t.Errorf("%s.%s takes no caller: check the caller's permission in it or list it as unchecked with why", name, m.Name)
			}
			continue
		}
		for _, who := range cc.Refused {
			authz := &Authz{Err: apperr.ErrForbidden}
			err := callWith(m, cc.New(authz), ctx, union, who.Caller)
			if !errors.Is(err, apperr.ErrForbidden) {
				t.Errorf("%s.%s with a %s: %v, want ErrForbidden", name, m.Name, who.Name, err)
			}
			if who.Asks && len(authz.Asked) != 1 {
				t.Errorf("%s.%s asked the authorizer %v, want one question", name, m.Name, authz.Asked)
			}
		}
		checked++
	}
	if checked < cc.Min {
		t.Fatalf("only %d methods of %s take a caller: is the walk broken?", checked, name)
	}
}

// callWith calls m on svc with ctx, t and who in their places and zero
// values elsewhere, and returns its error; a panic is returned as an error.
func callWith(m reflect.Method, svc any, ctx context.Context, t *tenant.Tenant, who tenant.Caller) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	args := []reflect.Value{reflect.ValueOf(svc)}
	for j := 1; j < m.Type.NumIn(); j++ {
		in := m.Type.In(j)
		switch {
		case in.Kind() == reflect.Interface && in.Implements(callerType):
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
	if last.Type() != reflect.TypeOf((*error)(nil)).Elem() {
		return fmt.Errorf("%s returns no error last", m.Name)
	}
	if last.IsNil() {
		return nil
	}
	return last.Interface().(error)
}
