package analytics

import (
	"context"

	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/tenant"
)

// Caller is who asks through the platform console or API: a platform
// account (auth.Principal); its name goes into the query log.
type Caller interface {
	tenant.Caller
	CallerName() string
}

// Console is the platform console's and API's way into the analytics.
// Every method that reads takes the caller and checks it itself
// (tenant.AllowPlatform): analytics read for the figures and reports,
// analyst manage for the query log. The rollup and the monthly report job
// use the Store directly.
type Console struct {
	store *Store
	authz tenant.Authorizer
}

// NewConsole returns the console's service over store, asking authz
// before each call (nil refuses everyone).
func NewConsole(store *Store, authz tenant.Authorizer) *Console {
	return &Console{store: store, authz: authz}
}

// K is the disclosure threshold in force.
func (c *Console) K() int { return c.store.K() }

// May answers whether caller may do act on obj in the platform domain, nil
// when it may. Pages use it to refuse before showing a form and to choose
// their links; every method below checks for itself.
func (c *Console) May(ctx context.Context, caller Caller, obj, act string) error {
	return tenant.AllowPlatform(ctx, c.authz, caller, obj, act)
}

func (c *Console) read(ctx context.Context, caller Caller) error {
	return tenant.AllowPlatform(ctx, c.authz, caller, "analytics", "read")
}

// Explore answers caller's query and logs it (analytics read).
func (c *Console) Explore(ctx context.Context, caller Caller, surface string, q Query) (*Result, error) {
	if err := c.read(ctx, caller); err != nil {
		return nil, err
	}
	return c.store.Explore(ctx, Analyst{ID: caller.CallerID(), Name: caller.CallerName()}, surface, q)
}

// Overview lists each union's published counters (analytics read).
func (c *Console) Overview(ctx context.Context, caller Caller) ([]TenantOverview, error) {
	if err := c.read(ctx, caller); err != nil {
		return nil, err
	}
	return c.store.Overview(ctx)
}

// Reports lists the stored monthly reports (analytics read).
func (c *Console) Reports(ctx context.Context, caller Caller) ([]ReportInfo, error) {
	if err := c.read(ctx, caller); err != nil {
		return nil, err
	}
	return c.store.Reports(ctx)
}

// Report returns month m's stored report (analytics read).
func (c *Console) Report(ctx context.Context, caller Caller, m Month) (*Report, error) {
	if err := c.read(ctx, caller); err != nil {
		return nil, err
	}
	return c.store.Report(ctx, m)
}

// GenerateReport builds and stores month m's report (analytics read).
func (c *Console) GenerateReport(ctx context.Context, caller Caller, m Month) (*Report, error) {
	if err := c.read(ctx, caller); err != nil {
		return nil, err
	}
	return c.store.GenerateReport(ctx, m)
}

// QueryLog lists the analysts' logged queries (analyst manage).
func (c *Console) QueryLog(ctx context.Context, caller Caller, analyst uuid.UUID, before int64, limit int) ([]LoggedQuery, error) {
	if err := tenant.AllowPlatform(ctx, c.authz, caller, "analyst", "manage"); err != nil {
		return nil, err
	}
	return c.store.QueryLog(ctx, analyst, before, limit)
}
