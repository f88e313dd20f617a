package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"
)

// DefaultSuspendedWait is how long a suspended union's job waits before it
// looks again whether the union was resumed.
const DefaultSuspendedWait = 5 * time.Minute

// suspendedGate holds back every job of a suspended union: a job whose
// arguments name a tenant_id (classification, notification delivery,
// check-ins, chat replies and filings) is snoozed, untouched, while its
// union is suspended, and runs as usual once it is resumed. Snoozing costs
// no attempt, so a long suspension never uses up a job's retries. Jobs
// without a tenant (the sweeps, the rollup, the reports) go through: the
// escalation sweep skips suspended unions itself, and the privacy sweep
// keeps honouring deletions (a reporter's right does not stop with the
// union's account).
type suspendedGate struct {
	river.MiddlewareDefaults
	db   *bun.DB
	wait time.Duration
}

func (g *suspendedGate) Work(ctx context.Context, job *rivertype.JobRow, doInner func(ctx context.Context) error) error {
	var args struct {
		TenantID *uuid.UUID `json:"tenant_id"`
	}
	// Bad arguments are the worker's to refuse.
	if json.Unmarshal(job.EncodedArgs, &args) != nil || args.TenantID == nil {
		return doInner(ctx)
	}
	suspended, err := tenantSuspended(ctx, g.db, *args.TenantID)
	if err != nil {
		return err
	}
	if suspended {
		return river.JobSnooze(g.wait)
	}
	return doInner(ctx)
}

// tenantSuspended reports whether the tenant is suspended now (read from
// the table, not a resolver's copy: a console in another process may have
// just resumed it). A tenant that no longer exists is not: its job fails
// on its own.
func tenantSuspended(ctx context.Context, bdb *bun.DB, id uuid.UUID) (bool, error) {
	var status string
	err := bdb.QueryRowContext(ctx, "SELECT status FROM tenants WHERE id = ?", id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("tenant status: %w", err)
	}
	return status == "suspended", nil
}
