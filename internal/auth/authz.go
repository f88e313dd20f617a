package auth

import (
	"context"
	"errors"
	"fmt"
	suara "github.com/suara-id/suara"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/rbac"
	"github.com/suara-id/suara/internal/tenant"
)

// enforcerTTL bounds how long a replica may act on role assignments another
// replica changed; on the replica that made the change it is immediate.
const enforcerTTL = 30 * time.Second

// enforcerLoadTimeout bounds one load of a tenant's memberships.
const enforcerLoadTimeout = 10 * time.Second

// Authorizer answers "may this principal do act on obj in domain" with one
// Casbin enforcer per tenant, loaded from that tenant's memberships inside
// its RLS scope, and one for the platform.
type Authorizer struct {
	db           *bun.DB
	model, rules string
	log          *slog.Logger

	mu      sync.Mutex
	tenants map[uuid.UUID]*cachedEnforcer
}

// cachedEnforcer is one tenant's enforcer and the state of its loading,
// guarded by Authorizer.mu.
type cachedEnforcer struct {
	e      *rbac.Enforcer // nil until loaded, and after Invalidate
	loaded time.Time
	// loading is set while a load runs; done is closed when it ends and
	// err is its error.
	loading bool
	done    chan struct{}
	err     error
	// gen counts Invalidate calls: a load that began before one is thrown
	// away, not cached.
	gen uint64
}

// NewAuthorizer builds an authorizer from the Casbin model and policy texts.
func NewAuthorizer(bdb *bun.DB, modelText, policyCSV string, log *slog.Logger) *Authorizer {
	return &Authorizer{db: bdb, model: modelText, rules: policyCSV, log: log, tenants: map[uuid.UUID]*cachedEnforcer{}}
}

// NewBundledAuthorizer is NewAuthorizer over the Casbin model and the
// reviewed policy built into the binary from config/ (suara.ConfigFS). Both
// are embedded at build time, so their absence is a broken build: it panics.
func NewBundledAuthorizer(bdb *bun.DB, log *slog.Logger) *Authorizer {
	model, err := suara.ConfigFS.ReadFile("config/rbac_model.conf")
	if err != nil {
		panic(fmt.Sprintf("embedded casbin model: %v", err))
	}
	policy, err := suara.ConfigFS.ReadFile("config/rbac_policy.csv")
	if err != nil {
		panic(fmt.Sprintf("embedded casbin policy: %v", err))
	}
	return NewAuthorizer(bdb, string(model), string(policy), log)
}

// Check returns nil when p may do act on obj in domain (a branch path or
// "platform"), an error wrapping apperr.ErrForbidden when not.
func (a *Authorizer) Check(ctx context.Context, p *Principal, domain, obj, act string) error {
	if p == nil {
		return apperr.ErrUnauthorized
	}
	if p.Pending2FA {
		return fmt.Errorf("%w: two-factor enrolment pending", apperr.ErrForbidden)
	}
	e, err := a.enforcer(ctx, p.TenantID)
	if err != nil {
		return err
	}
	if err := e.Check(p.UserID.String(), domain, obj, act); err != nil {
		if errors.Is(err, rbac.ErrForbidden) {
			return fmt.Errorf("%w: %w", apperr.ErrForbidden, err)
		}
		return err
	}
	return nil
}

// Authorize is Check for services below auth (tenant.Authorizer): the
// caller must be a *Principal.
func (a *Authorizer) Authorize(ctx context.Context, caller tenant.Caller, domain, obj, act string) error {
	p, ok := caller.(*Principal)
	if !ok || p == nil {
		return apperr.ErrUnauthorized
	}
	return a.Check(ctx, p, domain, obj, act)
}

// Roles lists the principal's role assignments in force.
func (a *Authorizer) Roles(ctx context.Context, p *Principal) ([]rbac.Membership, error) {
	e, err := a.enforcer(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	return e.Roles(p.UserID.String()), nil
}

// Invalidate drops a tenant's enforcer (uuid.Nil: the platform's) so the
// next check reloads its memberships.
func (a *Authorizer) Invalidate(tenantID uuid.UUID) {
	a.mu.Lock()
	if c := a.tenants[tenantID]; c != nil {
		c.e = nil
		c.gen++
	}
	a.mu.Unlock()
}

// enforcer returns the tenant's enforcer. An expired one still answers while
// one background load replaces it; only a tenant without one waits for its
// load. Callers may hold a pooled connection (a check inside a tenant
// transaction): were they all to wait for a load, the load could find no
// connection and the pool would deadlock.
func (a *Authorizer) enforcer(ctx context.Context, tenantID uuid.UUID) (*rbac.Enforcer, error) {
	for {
		a.mu.Lock()
		c := a.tenants[tenantID]
		if c == nil {
			c = &cachedEnforcer{}
			a.tenants[tenantID] = c
		}
		if c.e != nil {
			e := c.e
			if time.Since(c.loaded) >= enforcerTTL && !c.loading {
				a.startLoad(tenantID, c)
			}
			a.mu.Unlock()
			return e, nil
		}
		if !c.loading {
			a.startLoad(tenantID, c)
		}
		done := c.done
		a.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		a.mu.Lock()
		e, err := c.e, c.err
		a.mu.Unlock()
		if e != nil {
			return e, nil
		}
		if err != nil {
			return nil, err
		}
		// The load was invalidated while it ran: load again.
	}
}

// startLoad loads c's enforcer in the background; a.mu is held.
func (a *Authorizer) startLoad(tenantID uuid.UUID, c *cachedEnforcer) {
	c.loading, c.done, c.err = true, make(chan struct{}), nil
	gen := c.gen
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), enforcerLoadTimeout)
		defer cancel()
		var src rbac.MembershipSource = tenantMemberships{db: a.db, tenantID: tenantID, ctx: ctx}
		if tenantID == uuid.Nil {
			src = platformMemberships{db: a.db, ctx: ctx}
		}
		e, err := rbac.New(a.model, a.rules, src, rbac.WithLogger(a.log))
		if err != nil {
			err = fmt.Errorf("load permissions: %w", err)
			a.log.Warn("permissions not loaded", "tenant", tenantID, "err", err)
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		c.loading = false
		switch {
		case c.gen != gen: // invalidated meanwhile: the result may be stale
		case err != nil:
			c.err = err
		default:
			c.e, c.loaded = e, time.Now()
		}
		close(c.done)
	}()
}

// tenantMemberships reads one tenant's role assignments; each holds at its
// branch path and the sub-tree below.
type tenantMemberships struct {
	db       *bun.DB
	tenantID uuid.UUID
	ctx      context.Context // the load's (Casbin's adapter passes none)
}

func (s tenantMemberships) Memberships(context.Context) ([]rbac.Membership, error) {
	ctx := s.ctx
	var out []rbac.Membership
	err := db.InTenantTx(ctx, s.db, s.tenantID, func(ctx context.Context, tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT m.user_id, m.role, b.path FROM memberships m
			JOIN branches b ON b.tenant_id = m.tenant_id AND b.id = m.branch_id
			JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
			WHERE b.closed_at IS NULL AND u.disabled_at IS NULL`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m rbac.Membership
			var path string
			if err := rows.Scan(&m.UserID, &m.Role, &path); err != nil {
				return err
			}
			m.Domain = path + "/*"
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

type platformMemberships struct {
	db  *bun.DB
	ctx context.Context
}

func (s platformMemberships) Memberships(context.Context) ([]rbac.Membership, error) {
	ctx := s.ctx
	var out []rbac.Membership
	rows, err := s.db.QueryContext(ctx, "SELECT id, role FROM platform_users WHERE disabled_at IS NULL")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var m rbac.Membership
		if err := rows.Scan(&m.UserID, &m.Role); err != nil {
			return nil, err
		}
		m.Domain = rbac.PlatformDomain
		out = append(out, m)
	}
	return out, rows.Err()
}
