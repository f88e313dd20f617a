package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/notify"
)

// DeliverArgs asks for one outbox row to be delivered.
type DeliverArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	OutboxID uuid.UUID `json:"outbox_id"`
}

// Kind names the job in River's table.
func (DeliverArgs) Kind() string { return "notify_deliver" }

// DeliverMaxAttempts is how often a message is tried before it is marked
// failed for admins.
const DeliverMaxAttempts = 8

// InsertOpts retries deliveries; the worker's NextRetry sets the backoff.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: DeliverMaxAttempts, Queue: river.QueueDefault}
}

// EnqueueDeliveryTx queues a delivery inside tx, the transaction of the
// event that caused it, to run no earlier than at (quiet hours, digests).
func (q *Runner) EnqueueDeliveryTx(ctx context.Context, tx bun.Tx, tenantID, outboxID uuid.UUID, at time.Time) error {
	var opts *river.InsertOpts
	if at.After(time.Now()) {
		opts = &river.InsertOpts{ScheduledAt: at}
	}
	if err := q.insertTx(ctx, tx, DeliverArgs{TenantID: tenantID, OutboxID: outboxID}, opts); err != nil {
		return fmt.Errorf("enqueue delivery: %w", err)
	}
	return nil
}

// NotifyWorker delivers one outbox row. A failed send returns its error so
// River retries with backoff; the last attempt marks the row failed. The
// event that caused the message is long committed: nothing here can block
// or undo it.
type NotifyWorker struct {
	river.WorkerDefaults[DeliverArgs]

	Notify *notify.Service
	// Backoff is the wait before retry n (1-based); nil: 30s·n², capped at
	// an hour.
	Backoff func(attempt int) time.Duration
}

// Work runs one job.
func (w *NotifyWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	final := job.Attempt >= job.MaxAttempts
	err := w.Notify.Deliver(ctx, job.Args.TenantID, job.Args.OutboxID, final)
	var d *notify.DeferredError
	if errors.As(err, &d) {
		return river.JobSnooze(max(time.Until(d.Until), 0) + time.Second)
	}
	return err
}

// NextRetry spaces the attempts out.
func (w *NotifyWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	n := max(job.Attempt, 1)
	if w.Backoff != nil {
		return time.Now().Add(w.Backoff(n))
	}
	return time.Now().Add(min(time.Duration(n*n)*30*time.Second, time.Hour))
}

// Timeout bounds one delivery attempt.
func (w *NotifyWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return 30 * time.Second }
