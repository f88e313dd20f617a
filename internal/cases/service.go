package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/classify"
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

// Filing is what a reporter sends. Ids and dates are strings so a bad one
// becomes a field error, not a decoding failure.
type Filing struct {
	Type          string `json:"type" form:"type"`
	Title         string `json:"title" form:"title"`
	Description   string `json:"description" form:"description"`
	Sector        string `json:"sector" form:"sector"`
	WorkplaceID   string `json:"workplace_id" form:"workplace_id"`
	CategoryID    string `json:"category_id" form:"category_id"`
	IncidentDate  string `json:"incident_date" form:"incident_date"`
	SafetyMode    string `json:"safety_mode" form:"safety_mode"`
	AffectedCount int    `json:"affected_count" form:"affected_count"`
	// Collective lets other workers find the case before they file and
	// add their voice to it; named cases only.
	Collective bool `json:"collective,omitempty" form:"collective"`
	// The reporter's and the workplace's context (context.go).
	ContextInput
}

// Limits on what a reporter writes.
const (
	maxTitleRunes       = 200
	maxDescriptionRunes = 20000
	minDescriptionRunes = 10
	maxMessageRunes     = 5000
	maxAffected         = 1000000
	derivedTitleRunes   = 80
)

// cleanText trims s and reports whether it is valid UTF-8 free of control
// characters other than newlines and tabs.
func cleanText(s string) (string, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if !utf8.ValidString(s) {
		return "", false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", false
		}
	}
	return s, true
}

// DeriveTitle makes a title from the description when the reporter gave
// none: the first sentence or line, cut on a word boundary.
func DeriveTitle(desc string) string {
	s := desc
	if i := strings.IndexAny(s, "\n.!?"); i > 0 {
		s = s[:i]
	}
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= derivedTitleRunes {
		return s
	}
	runes := []rune(s)[:derivedTitleRunes]
	cut := string(runes)
	if i := strings.LastIndex(cut, " "); i > derivedTitleRunes/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// filingInput is a validated Filing.
type filingInput struct {
	typ         Type
	title, desc string
	sector      string
	workplaceID *uuid.UUID
	categoryID  *uuid.UUID
	incident    *time.Time
	mode        SafetyMode
	affected    int
	collective  bool
	context     Context
}

func (s *Service) validate(t *tenant.Tenant, p *auth.Principal, f Filing, voiceOnly bool) (filingInput, error) {
	v := &apperr.Validation{}
	in := filingInput{typ: Type(strings.TrimSpace(f.Type))}
	switch in.typ {
	case TypeComplaint, TypeAspiration, TypeInformation:
	case "":
		v.Add("type", "error.required")
	default:
		v.Add("type", "error.invalid_choice")
	}
	desc, ok := cleanText(f.Description)
	switch n := utf8.RuneCountInString(desc); {
	case !ok:
		v.Add("description", "error.invalid")
	case voiceOnly && n == 0:
		// a voice note stands for the description (intake.go)
	case n == 0:
		v.Add("description", "error.required")
	case n < minDescriptionRunes:
		v.Add("description", "error.description_short")
	case n > maxDescriptionRunes:
		v.Add("description", "error.too_long")
	}
	in.desc = desc
	title, ok := cleanText(strings.ReplaceAll(f.Title, "\n", " "))
	switch {
	case !ok:
		v.Add("title", "error.invalid")
	case utf8.RuneCountInString(title) > maxTitleRunes:
		v.Add("title", "error.too_long")
	case title == "" && desc != "":
		title = DeriveTitle(desc)
	case title == "" && voiceOnly:
		title = voiceTitle
	}
	in.title = title
	in.sector = strings.TrimSpace(f.Sector)
	if in.sector != "" && !slices.Contains(t.Sectors, in.sector) {
		v.Add("sector", "error.invalid_choice")
	}
	if w := strings.TrimSpace(f.WorkplaceID); w != "" {
		id, err := uuid.Parse(w)
		if err != nil {
			v.Add("workplace_id", "error.invalid_choice")
		} else {
			in.workplaceID = &id
		}
	}
	if c := strings.TrimSpace(f.CategoryID); c != "" {
		id, err := uuid.Parse(c)
		if err != nil {
			v.Add("category_id", "error.invalid_choice")
		} else {
			in.categoryID = &id
		}
	}
	if d := strings.TrimSpace(f.IncidentDate); d != "" {
		day, err := time.Parse(time.DateOnly, d)
		// A day ahead of UTC covers Indonesia's time zones.
		if err != nil || day.After(s.Now().UTC().Add(24*time.Hour)) || day.Year() < 1990 {
			v.Add("incident_date", "error.date_invalid")
		} else {
			in.incident = &day
		}
	}
	in.mode = SafetyMode(strings.TrimSpace(f.SafetyMode))
	switch in.mode {
	case "":
		in.mode = ModeNamed
		if p == nil {
			in.mode = ModeAnonymous
		}
	case ModeNamed, ModeConfidential:
		if p == nil {
			v.Add("safety_mode", "error.login_required")
		}
	case ModeAnonymous:
	default:
		v.Add("safety_mode", "error.invalid_choice")
	}
	if in.mode == ModeAnonymous && !t.Settings.AnonymousFiling {
		v.Add("safety_mode", "error.anonymous_disabled")
	}
	if f.Collective && in.mode != ModeNamed {
		v.Add("collective", "error.collective_named_only")
	}
	in.collective = f.Collective && in.mode == ModeNamed
	in.affected = f.AffectedCount
	switch {
	case in.affected == 0:
		in.affected = 1
	case in.affected < 1 || in.affected > maxAffected:
		v.Add("affected_count", "error.invalid")
	}
	in.context = f.ContextInput.validate(v)
	return in, v.Err()
}

// File records a new case and its first timeline event, and returns its id,
// reference and, for an anonymous case, the receipt code (shown once: only
// its keyed hash is kept). p is nil for a reporter without an account, whose
// case is then anonymous. An anonymous case stores no user, no address and
// no user agent: the caller has none to pass, by design.
func (s *Service) File(ctx context.Context, t *tenant.Tenant, p *auth.Principal, f Filing) (*Filed, error) {
	return s.FileVia(ctx, t, p, f, Intake{})
}

// FileVia is File with the intake's circumstances: the channel, a voice
// note standing for the description, an officer filing for the worker, and
// a hook inside the filing transaction (see intake.go).
func (s *Service) FileVia(ctx context.Context, t *tenant.Tenant, p *auth.Principal, f Filing, ik Intake) (*Filed, error) {
	if p != nil && (p.TenantID != t.ID || p.Pending2FA) {
		return nil, apperr.ErrForbidden
	}
	if err := ik.check(t); err != nil {
		return nil, err
	}
	in, err := s.validate(t, p, f, ik.VoiceOnly)
	if err != nil {
		return nil, err
	}
	if p != nil && in.mode != ModeAnonymous {
		if err := s.authz.Check(ctx, p, t.Slug, "case", "create"); err != nil {
			return nil, err
		}
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	if in.mode == ModeAnonymous {
		// An anonymous filing keeps the hour only: the SLA clocks count
		// working days, and a time to the microsecond is what would join
		// the case to a proxy's log line of the same request.
		now = AnonymousFiledAt(now)
	}
	c := &Case{
		TenantID: t.ID, ID: uuid.New(), Type: in.typ, Title: in.title, Description: in.desc,
		Sector: in.sector, WorkplaceID: in.workplaceID, CategoryID: in.categoryID, IncidentDate: in.incident,
		Tags: []string{}, Urgency: "normal", Status: StatusSubmitted, SafetyMode: in.mode,
		AffectedCount: in.affected, Collective: in.collective, CreatedAt: now, UpdatedAt: now, Context: in.context,
	}
	ik.apply(c)
	// A life-and-limb signal (locked fire exit, assault, child labour…) makes
	// the case critical from the start, so that it sorts first and its
	// notifications ignore quiet hours; the classifier never lowers it.
	if in.typ != TypeAspiration {
		if floor, _ := classify.UrgencyFloor(in.title + ". " + in.desc); floor != "" {
			c.Urgency = floor
		}
	}
	out := &Filed{ID: c.ID, Status: c.Status}
	switch in.mode {
	case ModeNamed:
		c.ReporterUserID = &p.UserID
	case ModeConfidential:
		c.ReporterLookup = s.keys.reporterLookups(t.ID, p.UserID)[0]
	case ModeAnonymous:
		code, err := newReceiptCode()
		if err != nil {
			return nil, fmt.Errorf("receipt code: %w", err)
		}
		out.ReceiptCode = code
		c.ReceiptHash = s.keys.receiptHashes(t.ID, code)[0]
	}
	payload := map[string]any{"type": c.Type, "safety_mode": c.SafetyMode, "by": "reporter"}
	ik.describe(c, payload)
	if c.Urgency == "critical" {
		payload["urgency"] = c.Urgency
	}
	e, err := newEvent(c.TenantID, c.ID, 1, nil, EventFiled, ik.actor(p, c), VisibilityReporter, payload, now)
	if err != nil {
		return nil, err
	}
	err = db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		if err := s.placeCase(ctx, tx, t, c); err != nil {
			return err
		}
		if err := s.checkAssist(ctx, tx, t, c, ik); err != nil {
			return err
		}
		// The job goes first (no foreign key ties it to the case): the
		// statement that takes the reference number should be the last
		// before COMMIT, see insertFiled.
		if s.OnFiled != nil {
			if err := s.OnFiled(ctx, tx, c); err != nil {
				return fmt.Errorf("on filed: %w", err)
			}
		}
		if err := insertFiled(ctx, tx, t, c, e); err != nil {
			return err
		}
		if in.mode == ModeConfidential {
			if err := s.storeIdentity(ctx, tx, c, p); err != nil {
				return err
			}
		}
		if s.OnEvent != nil {
			if err := s.OnEvent(ctx, tx, c, e.Kind, e.Visibility, []byte(e.Payload)); err != nil {
				return fmt.Errorf("on event: %w", err)
			}
		}
		if ik.InTx != nil {
			out.Reference = c.Reference
			if err := ik.InTx(ctx, tx, c, out); err != nil {
				return fmt.Errorf("intake hook: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("file case: %w", err)
	}
	out.Reference = c.Reference
	if c.SafetyMode == ModeAnonymous {
		// No id, no reference: with the log's own timestamp they would
		// tie the case to whatever else was logged at that moment.
		s.log.Info("case filed", "tenant", t.Slug, "mode", c.SafetyMode)
	} else {
		s.log.Info("case filed", "tenant", t.Slug, "case", c.ID, "mode", c.SafetyMode)
	}
	return out, nil
}

// AnonymousFiledAt is the filing time stored for an anonymous case: the
// start of its hour. SLA due dates computed from it are at most an hour
// early, never late.
func AnonymousFiledAt(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// reporterActor is the actor id recorded for the reporter's own events: the
// account for a named case, nobody otherwise — a confidential reporter's id
// in the timeline would undo the point of keeping it apart.
func reporterActor(p *auth.Principal, c *Case) string {
	if c.SafetyMode == ModeNamed && p != nil {
		return p.UserID.String()
	}
	return ""
}

// placeCase checks the workplace and category and derives the branch: the
// workplace's own unit when it has one, else the tenant root (left as
// uuid.Nil for insertFiled to look up). It also fills
// the sector from the workplace and the SLA due dates from the category.
func (s *Service) placeCase(ctx context.Context, tx bun.Tx, t *tenant.Tenant, c *Case) error {
	var branchID uuid.NullUUID
	if c.WorkplaceID != nil {
		var sector string
		err := tx.QueryRowContext(ctx, `SELECT w.sector, b.id FROM workplaces w
			LEFT JOIN branches b ON b.workplace_id = w.id AND b.closed_at IS NULL
			WHERE w.id = ? AND w.merged_into IS NULL ORDER BY b.path LIMIT 1`, *c.WorkplaceID).Scan(&sector, &branchID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Invalid("workplace_id", "error.invalid_choice")
		}
		if err != nil {
			return fmt.Errorf("look up workplace: %w", err)
		}
		if c.Sector == "" {
			c.Sector = sector
		}
	}
	// uuid.Nil: the tenant's root branch, which insertFiled looks up in
	// the statement that writes the case.
	c.BranchID = branchID.UUID
	first, resolution := 3, 30
	if c.CategoryID != nil {
		err := tx.QueryRowContext(ctx, "SELECT sla_first_response_days, sla_resolution_days FROM categories WHERE id = ? AND active",
			*c.CategoryID).Scan(&first, &resolution)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Invalid("category_id", "error.invalid_choice")
		}
		if err != nil {
			return fmt.Errorf("look up category: %w", err)
		}
	}
	if s.Calendar != nil {
		// Past the end of the holiday data the deadlines still come, counted
		// without the missing movable holidays, and flagged.
		fr, res := s.Calendar.Due(c.CreatedAt, first, nil), s.Calendar.Due(c.CreatedAt, resolution, nil)
		c.FirstResponseDue, c.ResolutionDue = &fr, &res
		c.DeadlinesProvisional = s.Calendar.Provisional(res)
	}
	return nil
}

// insertFiled writes a new case with its reference number and its first
// event e in one statement (a zero BranchID means the tenant's root branch):
//
//	WITH n AS (INSERT INTO case_counters … ON CONFLICT … DO UPDATE … RETURNING last),
//	     c AS (INSERT INTO cases … VALUES (…, '<PREFIX>-<year>-' || <last, 6 digits>, …) RETURNING …)
//	INSERT INTO case_events … RETURNING the case's reference and branch
//
// The counter row queues a tenant's filings: its lock lasts until COMMIT,
// so taking the number in the last statement before COMMIT keeps that queue
// as short as it can be; one statement instead of four also saves three
// round trips. scripts/pgbench/submit.sql issues the same SQL.
func insertFiled(ctx context.Context, tx bun.Tx, t *tenant.Tenant, c *Case, e *eventRow) error {
	year := c.CreatedAt.In(jakarta).Year()
	counter := tx.NewRaw(`INSERT INTO case_counters (tenant_id, year, last) VALUES (?, ?, 1)
		ON CONFLICT (tenant_id, year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, t.ID, year)
	// %06d: at least six digits, more when the year needs them.
	ins := tx.NewInsert().Model(c).Returning("reference, branch_id").
		Value("reference", "(SELECT ? || repeat('0', 6 - length(n.last::text)) || n.last::text FROM n)",
			fmt.Sprintf("%s-%d-", ReferencePrefix(t.Slug), year))
	if c.BranchID == uuid.Nil {
		ins = ins.Value("branch_id", "(SELECT id FROM branches WHERE path = ?)", t.Slug)
	}
	err := tx.NewInsert().With("n", counter).With("c", ins).Model(e).
		Returning("(SELECT reference FROM c), (SELECT branch_id FROM c)").
		Scan(ctx, &c.Reference, &c.BranchID)
	if err != nil {
		return fmt.Errorf("insert case: %w", db.MapError(err))
	}
	return nil
}

// nextReference takes the tenant's next number for the year (Jakarta time):
// SPN-2026-000123.
func nextReference(ctx context.Context, tx bun.Tx, t *tenant.Tenant, now time.Time) (string, error) {
	year := now.In(jakarta).Year()
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO case_counters (tenant_id, year, last) VALUES (?, ?, 1)
		ON CONFLICT (tenant_id, year) DO UPDATE SET last = case_counters.last + 1 RETURNING last`, t.ID, year).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("next reference: %w", err)
	}
	return fmt.Sprintf("%s-%d-%06d", ReferencePrefix(t.Slug), year, n), nil
}

// jakarta is the zone a reference number's year is taken in.
var jakarta = workday.Jakarta()

// ReferencePrefix is the start of a tenant's case references: the slug in
// capitals without punctuation ("spn" → "SPN-2026-000123"). The benchmark
// generator writes the same references.
func ReferencePrefix(slug string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(slug) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
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
	now := s.Now().UTC().Truncate(time.Microsecond)
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
