package cases

// Filing: what a reporter sends, its checks, and the transaction that
// places a new case (branch, handler, deadlines), gives it a reference and
// writes its first timeline event.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/classify"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
	"github.com/suara-id/suara/internal/workday"
)

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
	// An anonymous filing keeps the hour only: the SLA clocks count
	// working days, and a time to the microsecond is what would join the
	// case to a proxy's log line of the same request.
	now := StoredTime(in.mode, s.Now())
	c := &Case{
		TenantID: t.ID, ID: uuid.New(), Type: in.typ, Title: in.title, Description: in.desc,
		Sector: in.sector, WorkplaceID: in.workplaceID, CategoryID: in.categoryID, IncidentDate: in.incident,
		Tags: []string{}, Urgency: "normal", Status: StatusSubmitted, SafetyMode: in.mode,
		AffectedCount: in.affected, Collective: in.collective, CreatedAt: now, UpdatedAt: now, Context: in.context,
	}
	ik.apply(c)
	// A life-and-limb signal (locked fire exit, assault, child labour…) makes
	// the case critical from the start, so that it sorts first and its
	// notifications ignore quiet hours; the classifier never lowers it. An
	// aspiration is raised too: a request to stop a danger reports it. A
	// signal whose floor is high (a pregnant worker made to lift, a worker
	// bound by a debt or penalty) must reach an officer today too, but does
	// not wake anyone.
	floor, _ := classify.UrgencyFloor(in.title + ". " + in.desc)
	if floor != "" {
		c.Urgency = floor
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
	// The payload names a floor a rule set, so that the branch hears of it.
	if floor != "" {
		payload["urgency"] = floor
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
	q := tx.NewInsert().With("n", counter).With("c", ins).Model(e).
		Returning("(SELECT reference FROM c), (SELECT branch_id FROM c)")
	text, err := q.AppendQuery(q.DB().QueryGen(), nil)
	if err != nil {
		return fmt.Errorf("insert case: %w", err)
	}
	// With its values as parameters the statement is prepared once per
	// connection instead of parsed and planned on every filing.
	query, args, ok := db.Parameterize(string(text))
	if !ok {
		query, args = string(text), nil
	}
	if err := tx.Tx.QueryRowContext(ctx, query, args...).Scan(&c.Reference, &c.BranchID); err != nil {
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
