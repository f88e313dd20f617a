// Package rbac owns authorisation: the Casbin model (RBAC with domains), the
// domain matching that makes a role held at "spn/jabar/*" cover that branch
// and its sub-tree only, the read-only adapter that feeds role assignments
// from the memberships table into Casbin, and the Enforcer the rest of the
// application asks "may this user do this here?".
//
// Who may do what is reviewed in config/permissions.yaml and loaded from
// config/rbac_policy.csv; the tests check one file against the other.
package rbac

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

var (
	// ErrForbidden is wrapped by Check when the user may not act.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalidRequest is wrapped when a request names a malformed user id
	// or domain. Such a request is denied.
	ErrInvalidRequest = errors.New("invalid authorisation request")
	// ErrUnknownPermission is wrapped when an (object, action) pair appears
	// in no policy rule: almost surely a typo in the caller, so it is an
	// error rather than a quiet denial.
	ErrUnknownPermission = errors.New("unknown permission")
)

// Enforcer answers authorisation requests. It is safe for concurrent use;
// Reload swaps in the current memberships without a restart.
type Enforcer struct {
	se      *casbin.SyncedEnforcer
	adapter *Adapter
	perms   map[permission]bool
	log     *slog.Logger

	// reloadMu serialises Reload, which briefly swaps the adapter.
	reloadMu sync.Mutex

	// decisions caches Casbin's answers for the memberships loaded now:
	// matching the role manager's domain patterns costs far more than a
	// request's other work, and the same user asks the same question on
	// every request. Reload empties it (version counts the reloads, so a
	// decision computed across a reload is not stored).
	decMu     sync.RWMutex
	decisions map[request]bool
	roles     map[string][]Membership // Roles' answers, emptied with decisions
	version   uint64
}

// request is one authorisation question.
type request struct{ user, domain, obj, act string }

// maxDecisions bounds the decision cache; when full it starts over.
const maxDecisions = 1 << 16

type permission struct{ obj, act string }

// Option configures New.
type Option func(*Enforcer)

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(e *Enforcer) { e.log = l }
}

// New builds an enforcer from the Casbin model text (config/rbac_model.conf),
// the policy CSV text (config/rbac_policy.csv) and the membership source, and
// loads the memberships once.
func New(modelText, policyCSV string, src MembershipSource, opts ...Option) (*Enforcer, error) {
	e := &Enforcer{log: slog.Default()}
	for _, o := range opts {
		o(e)
	}
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("rbac: load model: %w", err)
	}
	if err := checkModel(m); err != nil {
		return nil, fmt.Errorf("rbac: load model: %w", err)
	}
	e.adapter, err = NewAdapter(policyCSV, src, e.log)
	if err != nil {
		return nil, fmt.Errorf("rbac: %w", err)
	}
	e.perms = make(map[permission]bool, len(e.adapter.policy))
	for _, r := range e.adapter.policy {
		e.perms[permission{r[1], r[2]}] = true
	}

	// Build without an adapter so the domain matching function is in
	// place before the first load, then load through Reload like any later
	// change.
	e.se, err = casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("rbac: new enforcer: %w", err)
	}
	// Casbin's default role manager does not scale to a platform's worth
	// of memberships with domain patterns; see roleManager.
	e.se.SetNamedRoleManager("g", newRoleManager())
	if !e.se.AddNamedDomainMatchingFunc("g", "MatchDomain", MatchDomain) {
		return nil, errors.New("rbac: model has no \"g\" role definition with domains")
	}
	e.se.SetAdapter(e.adapter)
	if err := e.Reload(context.Background()); err != nil {
		return nil, err
	}
	return e, nil
}

// checkModel guards against a model edited into something this package does
// not speak: Enforce passes four request values and the adapter writes
// three-field g rules and three-field p rules.
func checkModel(m model.Model) error {
	want := []struct {
		sec, key string
		n        int
	}{
		{"r", "r", 4}, {"p", "p", 3}, {"g", "g", 3},
	}
	for _, w := range want {
		ast, err := m.GetAssertion(w.sec, w.key)
		if err != nil {
			return fmt.Errorf("section %s: %w", w.sec, err)
		}
		if n := len(ast.Tokens); w.sec != "g" && n != w.n {
			return fmt.Errorf("%s has %d fields, want %d", w.key, n, w.n)
		}
		if n := strings.Count(ast.Value, "_"); w.sec == "g" && n != w.n {
			return fmt.Errorf("g has %d fields, want %d (user, role, domain)", n, w.n)
		}
	}
	return nil
}

// ctxAdapter binds a context to the adapter for one load: Casbin's
// SyncedEnforcer.LoadPolicy takes none.
type ctxAdapter struct {
	*Adapter
	ctx context.Context
}

func (a ctxAdapter) LoadPolicy(m model.Model) error { return a.LoadPolicyCtx(a.ctx, m) }

// Reload reads the memberships again and makes them effective. Call it after
// a membership change. On error the previous assignments stay in force.
func (e *Enforcer) Reload(ctx context.Context) error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	e.se.SetAdapter(ctxAdapter{Adapter: e.adapter, ctx: ctx})
	defer e.se.SetAdapter(e.adapter)
	err := e.se.LoadPolicy()
	e.decMu.Lock()
	e.decisions, e.roles, e.version = nil, nil, e.version+1
	e.decMu.Unlock()
	if err != nil {
		return fmt.Errorf("rbac: reload: %w", err)
	}
	return nil
}

// Enforce reports whether the user may perform act on obj in domain (a
// branch path such as "spn/jabar/bekasi", or "platform"). A malformed user id
// or domain is denied with an error wrapping ErrInvalidRequest; an (obj, act)
// pair no rule mentions, with one wrapping ErrUnknownPermission.
func (e *Enforcer) Enforce(userID, domain, obj, act string) (bool, error) {
	if !e.perms[permission{obj, act}] {
		return false, fmt.Errorf("rbac: enforce %s %s: %w", obj, act, ErrUnknownPermission)
	}
	if !ValidUserID(userID) {
		return false, fmt.Errorf("rbac: enforce: user id %q: %w", userID, ErrInvalidRequest)
	}
	if !ValidDomain(domain) {
		return false, fmt.Errorf("rbac: enforce: domain %q: %w", domain, ErrInvalidRequest)
	}
	q := request{userID, domain, obj, act}
	e.decMu.RLock()
	ok, hit := e.decisions[q]
	v := e.version
	e.decMu.RUnlock()
	if hit {
		return ok, nil
	}
	ok, err := e.se.Enforce(subject(userID), domain, obj, act)
	if err != nil {
		return false, fmt.Errorf("rbac: enforce: %w", err)
	}
	e.decMu.Lock()
	if e.version == v {
		if e.decisions == nil || len(e.decisions) >= maxDecisions {
			e.decisions = make(map[request]bool)
		}
		e.decisions[q] = ok
	}
	e.decMu.Unlock()
	return ok, nil
}

// Check is Enforce as an error: nil when allowed, an error wrapping
// ErrForbidden when denied (including a malformed user id or domain), and
// any other error (such as ErrUnknownPermission) when the question itself is
// wrong.
func (e *Enforcer) Check(userID, domain, obj, act string) error {
	ok, err := e.Enforce(userID, domain, obj, act)
	switch {
	case errors.Is(err, ErrInvalidRequest):
		return fmt.Errorf("%w: %w", ErrForbidden, err)
	case err != nil:
		return err
	case !ok:
		return fmt.Errorf("%w: %s %s in %s", ErrForbidden, act, obj, domain)
	}
	return nil
}

// Roles returns the role assignments of a user currently in force, sorted by
// domain then role (for display).
func (e *Enforcer) Roles(userID string) []Membership {
	e.decMu.RLock()
	ms, hit := e.roles[userID]
	v := e.version
	e.decMu.RUnlock()
	if hit {
		return slices.Clone(ms)
	}
	ms = e.roles1(userID)
	e.decMu.Lock()
	if e.version == v {
		if e.roles == nil || len(e.roles) >= maxDecisions {
			e.roles = make(map[string][]Membership)
		}
		e.roles[userID] = ms
	}
	e.decMu.Unlock()
	return slices.Clone(ms)
}

// roles1 is Roles without the cache: a scan of every assignment.
func (e *Enforcer) roles1(userID string) []Membership {
	rules, err := e.se.GetFilteredGroupingPolicy(0, subject(userID))
	if err != nil {
		e.log.Error("rbac: list roles", "user_id", userID, "err", err)
		return nil
	}
	out := make([]Membership, 0, len(rules))
	for _, r := range rules {
		if len(r) < 3 {
			continue
		}
		out = append(out, Membership{UserID: userID, Role: r[1], Domain: r[2]})
	}
	slices.SortFunc(out, func(a, b Membership) int {
		if c := strings.Compare(a.Domain, b.Domain); c != 0 {
			return c
		}
		return strings.Compare(a.Role, b.Role)
	})
	return out
}
