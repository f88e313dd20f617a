package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/chat"
)

// Chat intake jobs (internal/chat). Their arguments are row ids: never an
// address, a provider message id or message text.

// ChatSendArgs delivers one chat_outbox reply.
type ChatSendArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	OutboxID uuid.UUID `json:"outbox_id"`
}

// Kind names the job.
func (ChatSendArgs) Kind() string { return "chat_send" }

// InsertOpts retries like notifications.
func (ChatSendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: DeliverMaxAttempts, Queue: river.QueueDefault}
}

// ChatFileArgs files the case of a confirmed conversation.
type ChatFileArgs struct {
	TenantID  uuid.UUID `json:"tenant_id"`
	SessionID uuid.UUID `json:"session_id"`
}

// Kind names the job.
func (ChatFileArgs) Kind() string { return "chat_file" }

// InsertOpts retries a filing whose attachments could not be fetched yet.
func (ChatFileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, Queue: river.QueueDefault}
}

// ChatQuietArgs moves a conversation on after a quiet period.
type ChatQuietArgs struct {
	TenantID  uuid.UUID `json:"tenant_id"`
	SessionID uuid.UUID `json:"session_id"`
	Seq       int       `json:"seq"`
}

// Kind names the job.
func (ChatQuietArgs) Kind() string { return "chat_quiet" }

// InsertOpts: a timer that fails is not worth many tries.
func (ChatQuietArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, Queue: river.QueueDefault}
}

// EnqueueChatSendTx queues a reply's delivery inside tx.
func (q *Runner) EnqueueChatSendTx(ctx context.Context, tx bun.Tx, tenantID, outboxID uuid.UUID) error {
	if err := q.insertTx(ctx, tx, ChatSendArgs{TenantID: tenantID, OutboxID: outboxID}, nil); err != nil {
		return fmt.Errorf("enqueue chat send: %w", err)
	}
	return nil
}

// EnqueueChatFileTx queues a conversation's filing inside tx.
func (q *Runner) EnqueueChatFileTx(ctx context.Context, tx bun.Tx, tenantID, sessionID uuid.UUID) error {
	if err := q.insertTx(ctx, tx, ChatFileArgs{TenantID: tenantID, SessionID: sessionID}, nil); err != nil {
		return fmt.Errorf("enqueue chat filing: %w", err)
	}
	return nil
}

// EnqueueChatQuietTx schedules a quiet-period check at at.
func (q *Runner) EnqueueChatQuietTx(ctx context.Context, tx bun.Tx, tenantID, sessionID uuid.UUID, seq int, at time.Time) error {
	opts := &river.InsertOpts{ScheduledAt: at}
	if err := q.insertTx(ctx, tx, ChatQuietArgs{TenantID: tenantID, SessionID: sessionID, Seq: seq}, opts); err != nil {
		return fmt.Errorf("enqueue chat timer: %w", err)
	}
	return nil
}

// ChatSendWorker delivers chat replies.
type ChatSendWorker struct {
	river.WorkerDefaults[ChatSendArgs]
	Chat *chat.Service
	// Backoff is the wait before retry n; nil: 30s·n², capped at an hour.
	Backoff func(attempt int) time.Duration
}

// Work runs one job.
func (w *ChatSendWorker) Work(ctx context.Context, job *river.Job[ChatSendArgs]) error {
	return w.Chat.Deliver(ctx, job.Args.TenantID, job.Args.OutboxID, job.Attempt >= job.MaxAttempts)
}

// NextRetry spaces the attempts out.
func (w *ChatSendWorker) NextRetry(job *river.Job[ChatSendArgs]) time.Time {
	n := max(job.Attempt, 1)
	if w.Backoff != nil {
		return time.Now().Add(w.Backoff(n))
	}
	return time.Now().Add(min(time.Duration(n*n)*30*time.Second, time.Hour))
}

// Timeout bounds one attempt.
func (w *ChatSendWorker) Timeout(*river.Job[ChatSendArgs]) time.Duration { return 30 * time.Second }

// ChatFileWorker files confirmed conversations.
type ChatFileWorker struct {
	river.WorkerDefaults[ChatFileArgs]
	Chat *chat.Service
}

// Work runs one job.
func (w *ChatFileWorker) Work(ctx context.Context, job *river.Job[ChatFileArgs]) error {
	return w.Chat.FileSession(ctx, job.Args.TenantID, job.Args.SessionID)
}

// Timeout bounds a filing with its downloads.
func (w *ChatFileWorker) Timeout(*river.Job[ChatFileArgs]) time.Duration { return 5 * time.Minute }

// ChatQuietWorker runs quiet-period timers.
type ChatQuietWorker struct {
	river.WorkerDefaults[ChatQuietArgs]
	Chat *chat.Service
}

// Work runs one job.
func (w *ChatQuietWorker) Work(ctx context.Context, job *river.Job[ChatQuietArgs]) error {
	return w.Chat.Quiet(ctx, job.Args.TenantID, job.Args.SessionID, job.Args.Seq)
}

// ChatPurgeArgs deletes abandoned chat sessions and wipes undeliverable
// replies (chat.Purge).
type ChatPurgeArgs struct{}

// Kind names the job.
func (ChatPurgeArgs) Kind() string { return "chat_purge" }

// ChatPurgeWorker runs the purge.
type ChatPurgeWorker struct {
	river.WorkerDefaults[ChatPurgeArgs]
	Chat *chat.Service
}

// Work runs one purge.
func (w *ChatPurgeWorker) Work(ctx context.Context, _ *river.Job[ChatPurgeArgs]) error {
	_, err := w.Chat.Purge(ctx)
	return err
}

// ScheduleChatPurge runs the purge every hour (workers only).
func (q *Runner) ScheduleChatPurge() {
	q.client.PeriodicJobs().Add(river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return ChatPurgeArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true}))
}

// AddChatWorkers registers the chat workers.
func AddChatWorkers(reg *river.Workers, c *chat.Service) {
	river.AddWorker(reg, &ChatSendWorker{Chat: c})
	river.AddWorker(reg, &ChatFileWorker{Chat: c})
	river.AddWorker(reg, &ChatQuietWorker{Chat: c})
	river.AddWorker(reg, &ChatPurgeWorker{Chat: c})
}
