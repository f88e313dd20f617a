package tenant

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// Resolver maps a request's host to a tenant from an in-memory copy of the
// tenants table, so that a flood of unknown hosts never reaches the
// database. Refresh reloads it; Run keeps it fresh.
type Resolver struct {
	base string
	db   bun.IDB

	mu       sync.RWMutex
	bySlug   map[string]*Tenant
	byDomain map[string]*Tenant
}

// NewResolver serves tenants on <slug>.<baseDomain> and their custom domains.
func NewResolver(baseDomain string, db bun.IDB) *Resolver {
	return &Resolver{base: strings.ToLower(baseDomain), db: db}
}

// Refresh reloads all active and suspended tenants: a suspended union's
// host still resolves, so that its pages can say it is suspended (the web
// layer stops logins and filings there). The platform console refreshes
// after it suspends or resumes a union; other processes catch up at the
// next Run tick.
func (r *Resolver) Refresh(ctx context.Context) error {
	var rows []*Tenant
	if err := r.db.NewSelect().Model(&rows).Where("status IN ('active', 'suspended')").Scan(ctx); err != nil {
		return fmt.Errorf("load tenants: %w", err)
	}
	r.Set(rows)
	return nil
}

// Set replaces the known tenants (tests use it directly).
func (r *Resolver) Set(rows []*Tenant) {
	bySlug := make(map[string]*Tenant, len(rows))
	byDomain := map[string]*Tenant{}
	for _, t := range rows {
		bySlug[t.Slug] = t
		for _, d := range t.Domains {
			byDomain[strings.ToLower(d)] = t
		}
	}
	r.mu.Lock()
	r.bySlug, r.byDomain = bySlug, byDomain
	r.mu.Unlock()
}

// Run refreshes every interval until ctx ends.
func (r *Resolver) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := r.Refresh(ctx); err != nil && ctx.Err() == nil {
				log.Warn("refresh tenants", "err", err)
			}
		}
	}
}

// Target is what a host resolves to.
type Target int

const (
	Unknown Target = iota
	Platform
	TenantHost
)

// Resolve maps host (as sent, maybe with a port, any case) to the platform,
// a tenant, or nothing.
func (r *Resolver) Resolve(host string) (Target, *Tenant) {
	h := NormaliseHost(host)
	if h == "" {
		return Unknown, nil
	}
	if h == r.base {
		return Platform, nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if label, ok := strings.CutSuffix(h, "."+r.base); ok {
		if t := r.bySlug[label]; t != nil && !strings.Contains(label, ".") {
			return TenantHost, t
		}
		return Unknown, nil
	}
	if t := r.byDomain[h]; t != nil {
		return TenantHost, t
	}
	return Unknown, nil
}

// BySlug returns the tenant with slug, if active or suspended (check
// Suspended).
func (r *Resolver) BySlug(slug string) *Tenant {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.bySlug[slug]
}

// All returns the active tenants (suspended ones are not listed).
func (r *Resolver) All() []*Tenant {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*Tenant, 0, len(r.bySlug))
	for _, t := range r.bySlug {
		if !t.Suspended() {
			out = append(out, t)
		}
	}
	return out
}

// NormaliseHost lower-cases host and strips a port and a trailing dot; it
// returns "" for anything that is not a plausible host name.
func NormaliseHost(host string) string {
	h := strings.TrimSpace(host)
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if h == "" || len(h) > 253 {
		return ""
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == ':' || c == '[' || c == ']') {
			return ""
		}
	}
	return h
}
