package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/metrics"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/workday"
)

// Authorizer decides whether a principal may act on an object in a branch
// (Casbin, see internal/auth).
type Authorizer interface {
	Check(ctx context.Context, p *auth.Principal, domain, obj, act string) error
	// Authorize is Check for any tenant.Caller (tenant.Allow's signature).
	tenant.Authorizer
}

// Service files cases and serves them to reporters and handlers. Every
// method runs its own tenant transaction.
type Service struct {
	db *bun.DB
	// dashRefreshing holds the dashboard snapshots being rebuilt in the
	// background (dashboard.go).
	dashRefreshing sync.Map
	authz          Authorizer
	keys           *KeyRing
	store          evidence.Store
	log            *slog.Logger
	// Cleaner receives evidence and strips its metadata; its Limits are
	// the per-kind size limits.
	Cleaner *evidence.Cleaner
	// MaxFiles is the most evidence files one case may hold.
	MaxFiles int
	// TmpDir is where uploads wait while they are cleaned ("" = the
	// Cleaner's own, or the system temp folder).
	TmpDir string
	// Calendar, when set, computes the SLA due dates at filing.
	Calendar *workday.Calendar
	// ReceiptFloor is the least time a receipt-code request takes, right
	// code or wrong, so response times do not tell them apart.
	ReceiptFloor time.Duration
	// OnFiled, when set, runs inside the filing transaction (to enqueue the
	// classification job atomically with the case), possibly before the
	// case row is written: rely on c's tenant and id only. An error aborts
	// filing.
	OnFiled func(ctx context.Context, tx bun.Tx, c *Case) error
	// OnEvent, when set, runs inside the transaction of every timeline
	// event, after the event is written (notifications go to the outbox
	// atomically with their cause). An error aborts the event.
	OnEvent func(ctx context.Context, tx bun.Tx, c *Case, kind, visibility string, payload []byte) error
	// ScheduleCheckin, when set, runs inside the closing transaction once
	// per post-closure check-in (n = 1, 2) to schedule the job that asks
	// the reporter at at. An error aborts the closing.
	ScheduleCheckin func(ctx context.Context, tx bun.Tx, tenantID, caseID uuid.UUID, n int, at time.Time) error
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// Metrics, when set, counts stored evidence files and bytes.
	Metrics *metrics.Metrics
}

// Options configure a Service.
type Options struct {
	Keys   *KeyRing
	Store  evidence.Store
	Limits evidence.Limits
	// Cleaner, when set, replaces the default one (Limits, ffmpeg from
	// PATH, a cleaning at a time per CPU).
	Cleaner  *evidence.Cleaner
	MaxFiles int
	Log      *slog.Logger
}

// New builds the service.
func New(bdb *bun.DB, authz Authorizer, o Options) *Service {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	maxFiles := o.MaxFiles
	if maxFiles <= 0 {
		maxFiles = 10
	}
	cl := o.Cleaner
	if cl == nil {
		cl = evidence.NewCleaner(evidence.CleanerOptions{Limits: o.Limits, FFmpeg: "ffmpeg"})
	}
	return &Service{db: bdb, authz: authz, keys: o.Keys, store: o.Store, log: log, Cleaner: cl,
		MaxFiles: maxFiles, ReceiptFloor: 250 * time.Millisecond, Now: time.Now}
}

// appendEvent writes the next timeline event, chained to prev (nil for the
// first). The caller holds the case row lock (lockCase) for every event but
// the first, which is written in the transaction that creates the case.
func appendEvent(ctx context.Context, tx bun.Tx, tenantID, caseID uuid.UUID, seq int64, prev []byte,
	kind, actor, visibility string, payload any, at time.Time) (*eventRow, error) {
	e, err := newEvent(tenantID, caseID, seq, prev, kind, actor, visibility, payload, at)
	if err != nil {
		return nil, err
	}
	if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
		return nil, fmt.Errorf("append %s event: %w", kind, err)
	}
	return e, nil
}

// newEvent builds a timeline event chained to prev (nil for the first),
// with its hash.
func newEvent(tenantID, caseID uuid.UUID, seq int64, prev []byte,
	kind, actor, visibility string, payload any, at time.Time) (*eventRow, error) {
	body, err := CanonicalJSON(payload)
	if err != nil {
		return nil, err
	}
	e := &eventRow{TenantID: tenantID, CaseID: caseID, Seq: seq, Kind: kind, ActorID: actor,
		Visibility: visibility, Payload: string(body), PrevHash: prev, CreatedAt: at}
	if e.PrevHash == nil {
		e.PrevHash = []byte{}
	}
	e.Hash = EventHash(prev, e.chained().ChainedEvent)
	return e, nil
}

// addEvent appends an event after the case's last one. It locks the case
// row, which serialises appends (SELECT ... FOR UPDATE on case_events would
// need UPDATE rights the app does not have on its append-only log).
func (s *Service) addEvent(ctx context.Context, tx bun.Tx, c *Case, kind, actor, visibility string, payload any) (*eventRow, error) {
	if _, err := tx.ExecContext(ctx, "SELECT 1 FROM cases WHERE id = ? FOR UPDATE", c.ID); err != nil {
		return nil, fmt.Errorf("lock case: %w", err)
	}
	var last eventRow
	err := tx.NewSelect().Model(&last).Column("seq", "hash").Where("case_id = ?", c.ID).
		Order("seq DESC").Limit(1).Scan(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("last event: %w", err)
	}
	now := s.stampFor(c)
	e, err := appendEvent(ctx, tx, c.TenantID, c.ID, last.Seq+1, last.Hash, kind, actor, visibility, payload, now)
	if err != nil {
		return nil, err
	}
	if s.OnEvent != nil {
		if err := s.OnEvent(ctx, tx, c, kind, visibility, []byte(e.Payload)); err != nil {
			return nil, fmt.Errorf("on %s event: %w", kind, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE cases SET updated_at = ? WHERE id = ?", now, c.ID); err != nil {
		return nil, fmt.Errorf("touch case: %w", err)
	}
	return e, nil
}

// stampFor is the time stored for something happening to case c now. An
// anonymous case keeps the hour only, for its filing (AnonymousFiledAt) and
// for everything after it: its evidence, its suggestion, the reporter's
// answers and every timeline event, or any one of them would give the
// filing, or a later visit by the reporter, to the microsecond.
func (s *Service) stampFor(c *Case) time.Time { return StoredTime(c.SafetyMode, s.Now()) }

// StoredTime is the time to store for something happening at t to a case
// in the given safety mode, in any table that names the case: the hour for
// an anonymous case (see stampFor), t to the microsecond otherwise. Other
// packages writing rows about a case (notifications, analytics) use it too.
func StoredTime(mode SafetyMode, t time.Time) time.Time {
	if mode == ModeAnonymous {
		return AnonymousFiledAt(t)
	}
	return t.UTC().Truncate(time.Microsecond)
}

// stampAfter is at, or a microsecond after the latest created_at of the
// case's rows in table where at is not later: an anonymous case's times
// share their hour (stampFor), and its evidence and suggestions must still
// list in the order they came. The caller holds the case row lock.
func stampAfter(ctx context.Context, tx bun.Tx, table string, caseID uuid.UUID, at time.Time) (time.Time, error) {
	var last sql.NullTime
	err := tx.QueryRowContext(ctx, "SELECT max(created_at) FROM ? WHERE case_id = ?", bun.Ident(table), caseID).Scan(&last)
	if err != nil {
		return at, fmt.Errorf("latest in %s: %w", table, err)
	}
	if last.Valid && !at.After(last.Time) {
		return last.Time.Add(time.Microsecond), nil
	}
	return at, nil
}

// VerifyTimeline checks a case's hash chain (for audits and tests).
func (s *Service) VerifyTimeline(ctx context.Context, tenantID, caseID uuid.UUID) (int, error) {
	var rows []eventRow
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&rows).Where("case_id = ?", caseID).Order("seq").Scan(ctx)
	})
	if err != nil {
		return 0, fmt.Errorf("load timeline: %w", err)
	}
	chain := make([]ChainedEventWithHash, len(rows))
	for i := range rows {
		chain[i] = rows[i].chained()
		if len(chain[i].PrevHash) == 0 {
			chain[i].PrevHash = nil
		}
	}
	return VerifyChain(chain)
}
