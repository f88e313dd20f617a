package cases

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/schema"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/rbac"
)

// RoleLister lists a principal's role assignments; the queue turns the ones
// that grant "case read" into the branch sub-trees it shows
// (auth.Authorizer implements it).
type RoleLister interface {
	Roles(ctx context.Context, p *auth.Principal) ([]rbac.Membership, error)
}

// QueueSort orders the staff queue.
type QueueSort string

const (
	SortNewest  QueueSort = "newest"
	SortOldest  QueueSort = "oldest"
	SortDue     QueueSort = "due"     // due soonest first; cases without a deadline last
	SortUrgency QueueSort = "urgency" // critical first, newest first within a level
)

// DefaultQueueSort is the queue's order when none is asked for: a critical
// case (a locked exit, an assault, a child at work) comes first wherever it
// was filed (issue 25), newest first within a level.
const DefaultQueueSort = SortUrgency

// QueueSorts lists the sorts in the order pages offer them, the default first.
func QueueSorts() []QueueSort { return []QueueSort{SortUrgency, SortNewest, SortOldest, SortDue} }

// Urgencies lists the urgency levels, most urgent first.
func Urgencies() []string { return []string{"critical", "high", "normal", "low"} }

// MaxQueryRunes bounds the queue's search text.
const MaxQueryRunes = 200

// QueueFilter selects and orders the staff queue. Zero values mean "any".
type QueueFilter struct {
	Query        string     // full text over title and description (indonesian), or an exact reference
	Statuses     []Status   // any of these
	Category     string     // slug; includes its sub-categories
	BranchID     *uuid.UUID // this branch and its sub-tree
	WorkplaceID  *uuid.UUID
	Urgencies    []string
	Overdue      bool
	AssignedToMe bool
	Unassigned   bool
	Escalated    bool // escalated to a branch the viewer covers
	LowRating    bool // rated 2 or less by the reporter
	SafetyMode   SafetyMode
	// NeedsTranscription: voice-only reports still without a transcript.
	NeedsTranscription bool
	// IntakeChannel: one of IntakeChannels ("" = any).
	IntakeChannel string
	From, To      time.Time // filing time: From inclusive, To exclusive; zero = open
	Sort          QueueSort
	Cursor        string
	Limit         int

	// VerifiedMember: named reports by workers a branch admin marked as
	// verified members (confidential and anonymous ones never match).
	VerifiedMember bool
}

// QueueParams is a queue filter as the strings of a query string or a GET
// form; Filter validates it.
type QueueParams struct {
	Q, Status, Category, Branch, Workplace, Urgency, Overdue, Assigned, Unassigned string
	Escalated, LowRating, SafetyMode, From, To, Sort, Cursor, Limit                string
	NeedsTranscription, IntakeChannel                                              string

	VerifiedMember string
}

// StatusOpen is a status filter value standing for every open status.
const StatusOpen = "open"

// Filter validates the parameters; every bad one is a field error (422).
// Lists (status, urgency) are comma-separated; dates are YYYY-MM-DD in
// Jakarta time, to inclusive.
func (qp QueueParams) Filter() (QueueFilter, error) {
	v := &apperr.Validation{}
	var f QueueFilter
	q, ok := cleanText(strings.ReplaceAll(qp.Q, "\n", " "))
	switch {
	case !ok:
		v.Add("q", "error.invalid")
	case utf8.RuneCountInString(q) > MaxQueryRunes:
		v.Add("q", "error.too_long")
	}
	f.Query = q
	for _, s := range splitList(qp.Status) {
		switch {
		case s == StatusOpen:
			f.Statuses = append(f.Statuses, lifecycleOpen...)
		case Status(s).Valid():
			f.Statuses = append(f.Statuses, Status(s))
		default:
			v.Add("status", "error.invalid_choice")
		}
	}
	f.Category = strings.TrimSpace(qp.Category)
	if len(f.Category) > 64 {
		v.Add("category", "error.invalid_choice")
	}
	f.BranchID = parseOptionalUUID(v, "branch", qp.Branch)
	f.WorkplaceID = parseOptionalUUID(v, "workplace", qp.Workplace)
	for _, u := range splitList(qp.Urgency) {
		if !slices.Contains(Urgencies(), u) {
			v.Add("urgency", "error.invalid_choice")
			break
		}
		f.Urgencies = append(f.Urgencies, u)
	}
	f.Overdue = parseFlag(v, "overdue", qp.Overdue)
	f.Unassigned = parseFlag(v, "unassigned", qp.Unassigned)
	switch strings.TrimSpace(qp.Assigned) {
	case "":
	case "me":
		f.AssignedToMe = true
	case "none":
		f.Unassigned = true
	default:
		v.Add("assigned", "error.invalid_choice")
	}
	if f.AssignedToMe && f.Unassigned {
		v.Add("assigned", "error.invalid_choice")
	}
	f.Escalated = parseFlag(v, "escalated", qp.Escalated)
	f.LowRating = parseFlag(v, "low_rating", qp.LowRating)
	f.VerifiedMember = parseFlag(v, "verified_member", qp.VerifiedMember)
	f.NeedsTranscription = parseFlag(v, "needs_transcription", qp.NeedsTranscription)
	if ch := strings.TrimSpace(qp.IntakeChannel); ch != "" {
		if !slices.Contains(IntakeChannels, ch) {
			v.Add("intake_channel", "error.invalid_choice")
		}
		f.IntakeChannel = ch
	}
	switch m := SafetyMode(strings.TrimSpace(qp.SafetyMode)); m {
	case "", ModeNamed, ModeConfidential, ModeAnonymous:
		f.SafetyMode = m
	default:
		v.Add("safety_mode", "error.invalid_choice")
	}
	if d := strings.TrimSpace(qp.From); d != "" {
		day, err := time.ParseInLocation(time.DateOnly, d, jakarta)
		if err != nil {
			v.Add("from", "error.date_invalid")
		} else {
			f.From = day
		}
	}
	if d := strings.TrimSpace(qp.To); d != "" {
		day, err := time.ParseInLocation(time.DateOnly, d, jakarta)
		switch {
		case err != nil:
			v.Add("to", "error.date_invalid")
		case !f.From.IsZero() && day.Before(f.From):
			v.Add("to", "error.date_range")
		default:
			f.To = day.AddDate(0, 0, 1)
		}
	}
	f.Sort = QueueSort(strings.TrimSpace(qp.Sort))
	if f.Sort == "" {
		f.Sort = DefaultQueueSort
	} else if !slices.Contains(QueueSorts(), f.Sort) {
		v.Add("sort", "error.invalid_choice")
	}
	f.Cursor = strings.TrimSpace(qp.Cursor)
	if l := strings.TrimSpace(qp.Limit); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			v.Add("limit", "error.invalid")
		}
		f.Limit = min(n, MaxPageSize)
	}
	return f, v.Err()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func parseOptionalUUID(v *apperr.Validation, field, s string) *uuid.UUID {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		v.Add(field, "error.invalid_choice")
		return nil
	}
	return &id
}

func parseFlag(v *apperr.Validation, field, s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "false", "no", "off":
		return false
	case "1", "true", "yes", "on":
		return true
	}
	v.Add(field, "error.invalid")
	return false
}

// QueueItem is a case in the staff queue. It carries no reporter identity
// of any kind, whatever the safety mode: the queue is seen by everyone who
// may read a branch's cases, and only the case page decides who sees whom.
type QueueItem struct {
	ID          uuid.UUID  `json:"id"`
	Reference   string     `json:"reference"`
	Type        Type       `json:"type"`
	Title       string     `json:"title"`
	Status      Status     `json:"status"`
	Category    string     `json:"category,omitempty"` // slug
	Urgency     string     `json:"urgency"`
	SafetyMode  SafetyMode `json:"safety_mode"`
	BranchID    uuid.UUID  `json:"branch_id"`
	Branch      string     `json:"branch"` // path
	WorkplaceID *uuid.UUID `json:"workplace_id,omitempty"`
	AssignedTo  *uuid.UUID `json:"assigned_to,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	// Due is the deadline that matters now (first response while
	// submitted, resolution while open); nil when none runs.
	Due     *time.Time `json:"due,omitempty"`
	Overdue bool       `json:"overdue"`
	Paused  bool       `json:"paused"` // waiting for the reporter: the clock stands still
	// NeedsReview: the latest pending AI suggestion has low confidence.
	NeedsReview bool `json:"needs_review"`
	// EscalatedTo is the branch an overdue case was escalated to, at
	// EscalationLevel steps above its own.
	EscalatedTo     *uuid.UUID `json:"escalated_to,omitempty"`
	EscalationLevel int        `json:"escalation_level,omitempty"`
	// EscalationPrompt: bipartite negotiation has run past 30 working days
	// with no further step recorded; the union should consider Disnaker.
	EscalationPrompt bool `json:"escalation_prompt"`
	LowRating        bool `json:"low_rating"`
	AssignedToMe     bool `json:"assigned_to_me"`
	// Intake: how the case came in, and whether its voice note still
	// needs a transcript.
	IntakeChannel      string `json:"intake_channel"`
	NeedsTranscription bool   `json:"needs_transcription"`
}

// queueRow is what the queue's main query returns.
type queueRow struct {
	TenantID           uuid.UUID  `bun:"tenant_id"`
	ID                 uuid.UUID  `bun:"id"`
	Reference          string     `bun:"reference"`
	Type               Type       `bun:"type"`
	Title              string     `bun:"title"`
	Status             Status     `bun:"status"`
	Urgency            string     `bun:"urgency"`
	SafetyMode         SafetyMode `bun:"safety_mode"`
	BranchID           uuid.UUID  `bun:"branch_id"`
	WorkplaceID        *uuid.UUID `bun:"workplace_id"`
	CategoryID         *uuid.UUID `bun:"category_id"`
	AssignedTo         *uuid.UUID `bun:"assigned_to"`
	CreatedAt          time.Time  `bun:"created_at"`
	LowRating          bool       `bun:"low_rating"`
	IntakeChannel      string     `bun:"intake_channel"`
	NeedsTranscription bool       `bun:"needs_transcription"`
	Due                *time.Time `bun:"due"`
	UrgencyRank        int        `bun:"urgency_rank"`
	// Decorations, looked up for the page's rows only (queueDecorations).
	CategorySlug    *string    `bun:"category_slug"`
	NeedsReview     bool       `bun:"needs_review"`
	EscalationLevel *int       `bun:"escalation_level"`
	EscalatedTo     *uuid.UUID `bun:"escalated_to"`
	Prompt          bool       `bun:"prompt"`
}

// urgencyRankSQL must match cases_queue_urgency_idx (migration 0006).
const urgencyRankSQL = `(CASE c.urgency WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END)`

// referencePattern is a case reference: SPN-2026-000123.
var referencePattern = regexp.MustCompile(`^[A-Za-z0-9]+-[0-9]{4}-[0-9]{6}$`)

// queueScope is what a principal may see: every case (all), or the cases
// of branchIDs plus those assigned to them.
type queueScope struct {
	all       bool
	branchIDs []uuid.UUID
	userID    uuid.UUID
}

type branchInfo struct {
	ID       uuid.UUID  `bun:"id" json:"id"`
	ParentID *uuid.UUID `bun:"parent_id" json:"parent_id"`
	Path     string     `bun:"path" json:"path"`
}

// subtree returns the ids of the branches at base and below it.
func subtree(branches []branchInfo, base string) []uuid.UUID {
	var out []uuid.UUID
	for _, b := range branches {
		if b.Path == base || strings.HasPrefix(b.Path, base+"/") {
			out = append(out, b.ID)
		}
	}
	return out
}

// scopeOf turns p's role assignments that grant "case read" (asked of
// Casbin at the branch each role is held at, so the policy file stays the
// only place that says which roles read cases) into branch sub-trees.
func (s *Service) scopeOf(ctx context.Context, p *auth.Principal, tenantSlug string, branches []branchInfo) (queueScope, error) {
	return s.scopeFor(ctx, p, tenantSlug, branches, "case", "read")
}

// scopeFor is scopeOf for any permission (exports ask "report export").
func (s *Service) scopeFor(ctx context.Context, p *auth.Principal, tenantSlug string, branches []branchInfo, obj, act string) (queueScope, error) {
	sc := queueScope{userID: p.UserID}
	rl, ok := s.authz.(RoleLister)
	if !ok {
		return sc, errors.New("queue: the authorizer cannot list roles")
	}
	roles, err := rl.Roles(ctx, p)
	if err != nil {
		return sc, fmt.Errorf("list roles: %w", err)
	}
	seen := map[uuid.UUID]bool{}
	for _, m := range roles {
		base, ok := strings.CutSuffix(m.Domain, "/*")
		if !ok || (base != tenantSlug && !strings.HasPrefix(base, tenantSlug+"/")) {
			continue
		}
		if err := s.authz.Check(ctx, p, base, obj, act); err != nil {
			if errors.Is(err, apperr.ErrForbidden) {
				continue
			}
			return sc, err
		}
		if base == tenantSlug {
			sc.all = true
			return sc, nil
		}
		for _, id := range subtree(branches, base) {
			if !seen[id] {
				seen[id] = true
				sc.branchIDs = append(sc.branchIDs, id)
			}
		}
	}
	return sc, nil
}

// queueCursor is the last row of a page in the page's sort order.
type queueCursor struct {
	sort QueueSort
	a, b int64 // sort keys: microseconds or urgency rank
	id   uuid.UUID
}

// noDue stands for "no deadline" (infinity) in a due-sorted cursor.
const noDue = math.MaxInt64

func (c queueCursor) encode() string {
	b := []byte{byte(slices.Index(QueueSorts(), c.sort))}
	b = binary.BigEndian.AppendUint64(b, uint64(c.a))
	b = binary.BigEndian.AppendUint64(b, uint64(c.b))
	b = append(b, c.id[:]...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeQueueCursor(s string, sort QueueSort) (queueCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 33 || int(b[0]) >= len(QueueSorts()) || QueueSorts()[b[0]] != sort {
		return queueCursor{}, errors.New("bad cursor")
	}
	id, _ := uuid.FromBytes(b[17:])
	return queueCursor{sort: sort, a: int64(binary.BigEndian.Uint64(b[1:9])), b: int64(binary.BigEndian.Uint64(b[9:17])), id: id}, nil
}

func cursorOf(r queueRow, sort QueueSort) queueCursor {
	c := queueCursor{sort: sort, a: r.CreatedAt.UnixMicro(), id: r.ID}
	switch sort {
	case SortDue:
		c.a = noDue
		if r.Due != nil {
			c.a = r.Due.UnixMicro()
		}
	case SortUrgency:
		c.a, c.b = int64(r.UrgencyRank), r.CreatedAt.UnixMicro()
	}
	return c
}

// Queue returns a page of the staff queue: the cases in the branch
// sub-trees where p may read cases, plus the cases assigned to p, filtered
// and sorted by f, and the cursor of the next page ("" at the end). Only
// staff of the tenant get a queue (apperr.ErrForbidden otherwise).
func (s *Service) Queue(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, f QueueFilter) ([]QueueItem, string, error) {
	if !p.IsStaff() || p.TenantID != tenantID || p.Pending2FA {
		return nil, "", apperr.ErrForbidden
	}
	if f.Sort == "" {
		f.Sort = DefaultQueueSort
	}
	var items []QueueItem
	next := ""
	// One clock reading for the overdue filter and the items' flags, to
	// the second: the page's SQL text then repeats within a second, and
	// the driver's cached prepared statement (and its plan) is reused.
	now := s.Now().UTC().Truncate(time.Second)
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		q, limit, branches, err := s.queueQuery(ctx, tx, tenantID, p, f, now)
		if err != nil {
			return err
		}
		if q == "" {
			items = []QueueItem{}
			return nil
		}
		var rows []queueRow
		if err := tx.NewRaw(q).Scan(ctx, &rows); err != nil {
			return fmt.Errorf("queue: %w", err)
		}
		if len(rows) > limit {
			rows = rows[:limit]
			next = cursorOf(rows[limit-1], f.Sort).encode()
		}
		items = queueItems(p, rows, branches, now)
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("staff queue: %w", err)
	}
	return items, next, nil
}

// queueQuery builds the page query (limit+1 rows, to know whether another
// page follows) from its pieces: the page size and cursor, the request's
// context (one round trip), the principal's visibility, the filters, the
// search, and the order with the cursor's position.
func (s *Service) queueQuery(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, p *auth.Principal, f QueueFilter, now time.Time) (string, int, []branchInfo, error) {
	if f.Sort == "" {
		f.Sort = DefaultQueueSort
	}
	limit, after, err := queuePage(f)
	if err != nil {
		return "", 0, nil, err
	}
	search := ""
	if f.Query != "" && !isReference(f.Query) {
		search = f.Query
	}
	qc, err := loadQueueContext(ctx, tx, tenantID, p.UserID, f.Category, search)
	if err != nil {
		return "", 0, nil, err
	}
	sc, err := s.scopeOf(ctx, p, qc.slug, qc.branches)
	if err != nil {
		return "", 0, nil, err
	}
	b := &queueBuilder{fmtr: s.db.QueryGen()}
	b.visibility(tenantID, p, sc, qc.hidden)
	if err := b.filters(f, &qc, sc, p.UserID, now); err != nil {
		return "", 0, nil, err
	}
	b.search(f.Query, qc.terms, f.Sort)
	order := b.order(f.Sort, after)
	return b.page(order, f.Sort, limit), limit, qc.branches, nil
}

// queuePage reads the page size (bounded) and the cursor of f.
func queuePage(f QueueFilter) (int, *queueCursor, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	if f.Cursor == "" {
		return limit, nil, nil
	}
	c, err := decodeQueueCursor(f.Cursor, f.Sort)
	if err != nil {
		return 0, nil, apperr.Invalid("cursor", "error.invalid")
	}
	return limit, &c, nil
}

// isReference says whether a search is a case reference (looked up
// exactly) rather than words.
func isReference(q string) bool { return referencePattern.MatchString(strings.ToUpper(q)) }

// queueBuilder collects the conditions of a queue page, each formatted
// with its arguments as it is added.
type queueBuilder struct {
	fmtr  schema.QueryGen
	conds []string
	// drive is the search term whose case_terms entries (d) drive the
	// page, "" when the page walks the cases themselves.
	drive string
}

// from is the page's FROM clause: the cases, or one term's entries joined
// to their cases.
func (b *queueBuilder) from() string {
	if b.drive == "" {
		return "cases AS c"
	}
	return b.fmtr.FormatQuery(`case_terms AS d
JOIN cases AS c ON c.tenant_id = d.tenant_id AND c.id = d.case_id AND d.term = ?`, b.drive)
}

func (b *queueBuilder) where(cond string, args ...any) {
	b.conds = append(b.conds, b.fmtr.FormatQuery(cond, args...))
}

// visibility: the cases the principal may see — its branches' sub-trees
// and the cases assigned to it — less the restricted categories hidden
// from it (restricted.go), as on the case page. The hidden categories come
// as a list, so the rule is evaluated once per request and not three
// sub-plans per row.
func (b *queueBuilder) visibility(tenantID uuid.UUID, p *auth.Principal, sc queueScope, hidden []string) {
	// Explicit although RLS adds it: it lets every index that leads with
	// tenant_id be used as such.
	b.where("c.tenant_id = ?", tenantID)
	switch {
	case sc.all:
	case len(sc.branchIDs) > 0:
		b.where("(c.branch_id IN (?) OR c.assigned_to = ?)", bun.List(sc.branchIDs), p.UserID)
	default:
		b.where("c.assigned_to = ?", p.UserID)
	}
	b.where("NOT coalesce(c.category_id = ANY (?::uuid[]), false)", pgdialect.Array(hidden))
}

// filters: what the officer chose to narrow the list to. A branch or
// category the union does not have is a 422.
func (b *queueBuilder) filters(f QueueFilter, qc *queueContext, sc queueScope, me uuid.UUID, now time.Time) error {
	if f.BranchID != nil {
		var path string
		for _, br := range qc.branches {
			if br.ID == *f.BranchID {
				path = br.Path
			}
		}
		if path == "" {
			return apperr.Invalid("branch", "error.invalid_choice")
		}
		b.where("c.branch_id IN (?)", bun.List(subtree(qc.branches, path)))
	}
	if len(f.Statuses) > 0 {
		b.where("c.status IN (?)", bun.List(f.Statuses))
	}
	if f.Category != "" {
		if len(qc.categoryIDs) == 0 {
			return apperr.Invalid("category", "error.invalid_choice")
		}
		b.where("c.category_id IN (?)", bun.List(qc.categoryIDs))
	}
	if f.WorkplaceID != nil {
		b.where("c.workplace_id = ?", *f.WorkplaceID)
	}
	if len(f.Urgencies) > 0 {
		b.where("c.urgency IN (?)", bun.List(f.Urgencies))
	}
	if f.Overdue {
		b.where(dueKeySQL+" < ?", now)
	}
	switch {
	case f.AssignedToMe:
		b.where("c.assigned_to = ?", me)
	case f.Unassigned:
		b.where("c.assigned_to IS NULL")
	}
	if f.Escalated {
		target := "TRUE"
		if !sc.all {
			target = b.fmtr.FormatQuery("e.to_branch_id IN (?)", bun.List(append(sc.branchIDs, uuid.Nil)))
		}
		b.where("EXISTS (SELECT 1 FROM case_escalations e WHERE e.tenant_id = c.tenant_id AND e.case_id = c.id AND " + target + ")")
	}
	if f.LowRating {
		b.where("c.low_rating")
	}
	if f.VerifiedMember {
		b.where(`c.safety_mode = 'named' AND EXISTS (SELECT 1 FROM users vm WHERE vm.tenant_id = c.tenant_id
			AND vm.id = c.reporter_user_id AND vm.member_verified_at IS NOT NULL)`)
	}
	if f.NeedsTranscription {
		b.where("c.needs_transcription")
	}
	if f.IntakeChannel != "" {
		b.where("c.intake_channel = ?", f.IntakeChannel)
	}
	if f.SafetyMode != "" {
		b.where("c.safety_mode = ?", string(f.SafetyMode))
	}
	if !f.From.IsZero() {
		b.where("c.created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		b.where("c.created_at < ?", f.To.UTC())
	}
	return nil
}

// search: a reference is looked up exactly (the (tenant_id, reference)
// unique index); words must each be among the case's lexemes (case_terms,
// kept by a trigger from the same to_tsvector('indonesian', title || ' ' ||
// description) as cases_fts_idx; see migration 0006 for why the GIN index
// cannot serve here). Sorted by filing time, the page is driven by one
// term's entries in that order (case_terms_recent_idx), so only the cases
// with that term are walked and only the other terms are probed; the
// longest term drives, as the likeliest to be rare.
func (b *queueBuilder) search(query string, terms []string, sort QueueSort) {
	switch {
	case query == "":
	case isReference(query):
		b.where("c.reference = ?", strings.ToUpper(query))
	case len(terms) == 0:
		b.where("FALSE") // only stop words: nothing to look for
	default:
		probe := terms
		if sort == SortNewest || sort == SortOldest {
			i := 0
			for j, t := range terms {
				if len(t) > len(terms[i]) {
					i = j
				}
			}
			b.drive = terms[i]
			probe = slices.Delete(slices.Clone(terms), i, i+1)
		}
		for _, t := range probe {
			b.where("EXISTS (SELECT 1 FROM case_terms t WHERE t.tenant_id = c.tenant_id AND t.term = ? AND t.case_id = c.id)", t)
		}
	}
}

// order returns the page's ORDER BY for sort and, after a cursor, adds
// the condition that starts the page past it.
func (b *queueBuilder) order(sort QueueSort, after *queueCursor) string {
	// Driven by a term, the filing-time orders name the term's columns
	// (equal to the case's), so its index gives the order.
	created, id := "c.created_at", "c.id"
	if b.drive != "" {
		created, id = "d.created_at", "d.case_id"
	}
	switch sort {
	case SortOldest:
		if after != nil {
			b.where("("+created+", "+id+") > (?, ?)", time.UnixMicro(after.a).UTC(), after.id)
		}
		return created + " ASC, " + id + " ASC"
	case SortDue:
		if after != nil {
			var due any = "infinity"
			if after.a != noDue {
				due = time.UnixMicro(after.a).UTC()
			}
			b.where("("+dueKeySQL+", c.id) > (?::timestamptz, ?)", due, after.id)
		}
		return dueKeySQL + " ASC, c.id ASC"
	case SortUrgency:
		if after != nil {
			b.where(urgencyRankSQL+" >= ?", after.a)
			b.where("("+urgencyRankSQL+" > ? OR (c.created_at, c.id) < (?, ?))", after.a, time.UnixMicro(after.b).UTC(), after.id)
		}
		return urgencyRankSQL + " ASC, c.created_at DESC, c.id DESC"
	default:
		if after != nil {
			b.where("("+created+", "+id+") < (?, ?)", time.UnixMicro(after.a).UTC(), after.id)
		}
		return created + " DESC, " + id + " DESC"
	}
}

// page assembles the statement: the page's rows under the conditions,
// wrapped in what the list shows besides them (queueDecorations).
func (b *queueBuilder) page(order string, sort QueueSort, limit int) string {
	page := `SELECT c.tenant_id, c.id, c.reference, c.type, c.title, c.status, c.urgency, c.safety_mode, c.branch_id, c.workplace_id,
	c.category_id, c.assigned_to, c.created_at, c.low_rating, c.intake_channel, c.needs_transcription, NULLIF(` + dueKeySQL + `, 'infinity') AS due,
	` + urgencyRankSQL + ` AS urgency_rank
FROM ` + b.from() + `
WHERE ` + strings.Join(b.conds, "\n  AND ") + `
ORDER BY ` + order + `
LIMIT ` + strconv.Itoa(limit+1)
	return b.fmtr.FormatQuery(queueDecorations, EventEscalationPrompt, bun.List(beyondBipartite), bun.Safe(page), bun.Safe(outerOrder[sort]))
}

// outerOrder repeats each sort's order over the page's columns (the
// decorating joins do not keep the page's order).
var outerOrder = map[QueueSort]string{
	SortNewest:  "p.created_at DESC, p.id DESC",
	SortOldest:  "p.created_at ASC, p.id ASC",
	SortDue:     "coalesce(p.due, 'infinity') ASC, p.id ASC",
	SortUrgency: "p.urgency_rank ASC, p.created_at DESC, p.id DESC",
}

// queueDecorations wraps the page query (at most limit+1 rows) with what
// the list shows besides the case row: the category's slug, whether the
// latest pending AI suggestion needs review, the highest escalation, and
// whether an escalation prompt stands (no step beyond bipartite recorded
// after it). Looked up for the page's rows only, in the same statement,
// so a page is one round trip.
const queueDecorations = `SELECT p.*, k.slug AS category_slug,
	coalesce((SELECT s.needs_review FROM case_suggestions s WHERE s.tenant_id = p.tenant_id AND s.case_id = p.id
		AND s.status = 'pending' ORDER BY s.created_at DESC LIMIT 1), false) AS needs_review,
	esc.level AS escalation_level, esc.to_branch_id AS escalated_to,
	EXISTS (SELECT 1 FROM case_events pe WHERE pe.tenant_id = p.tenant_id AND pe.case_id = p.id AND pe.kind = ?
		AND NOT EXISTS (SELECT 1 FROM case_events b WHERE b.tenant_id = pe.tenant_id AND b.case_id = pe.case_id
			AND b.seq > pe.seq AND b.kind LIKE 'action%' AND b.payload::jsonb ->> 'kind' IN (?))) AS prompt
FROM (?) AS p
LEFT JOIN categories k ON k.tenant_id = p.tenant_id AND k.id = p.category_id
LEFT JOIN LATERAL (SELECT e.level, e.to_branch_id FROM case_escalations e WHERE e.tenant_id = p.tenant_id AND e.case_id = p.id
	ORDER BY e.level DESC LIMIT 1) esc ON true
ORDER BY ?`

// queueContext is what a queue request looks up before its page, in one
// round trip: the tenant's slug, its branch tree, the restricted
// categories hidden from the viewer, the ids of the filtered category and
// its sub-categories, and the search text's lexemes as the indonesian text
// search configuration makes them (stemmed, stop words dropped), as for
// the cases themselves (case_terms).
type queueContext struct {
	slug        string
	branches    []branchInfo
	hidden      []string // category ids
	categoryIDs []string
	terms       []string
}

func loadQueueContext(ctx context.Context, tx bun.Tx, tenantID, userID uuid.UUID, category, search string) (queueContext, error) {
	var qc queueContext
	var branchJSON []byte
	pred, predArgs := RestrictedVisible("x", userID)
	args := append(predArgs, category, category, category, search, tenantID)
	err := tx.QueryRowContext(ctx, `SELECT t.slug,
			(SELECT coalesce(json_agg(json_build_object('id', b.id, 'parent_id', b.parent_id, 'path', b.path) ORDER BY b.path), '[]')
				FROM branches b),
			(SELECT coalesce(array_agg(k.id::text), '{}') FROM categories k
				CROSS JOIN LATERAL (SELECT k.tenant_id AS tenant_id, k.id AS category_id) x
				WHERE k.restricted AND NOT `+pred+`),
			(SELECT coalesce(array_agg(k.id::text), '{}') FROM categories k
				WHERE ? <> '' AND (k.slug = ? OR k.parent_id IN (SELECT p.id FROM categories p WHERE p.slug = ?))),
			(SELECT coalesce(array_agg(l.lexeme ORDER BY l.lexeme), '{}') FROM unnest(to_tsvector('indonesian', ?)) AS l),
			-- A page is at most limit+1 rows: parallel workers only add
			-- their start-up (half a second on a busy machine, measured in
			-- BenchmarkStaffQueue), so the page query runs without them.
			set_config('max_parallel_workers_per_gather', '0', true)
		FROM tenants t WHERE t.id = ?`, args...).
		Scan(&qc.slug, &branchJSON, pgdialect.Array(&qc.hidden), pgdialect.Array(&qc.categoryIDs), pgdialect.Array(&qc.terms), new(string))
	if err != nil {
		return qc, fmt.Errorf("load queue context: %w", err)
	}
	if err := json.Unmarshal(branchJSON, &qc.branches); err != nil {
		return qc, fmt.Errorf("decode branches: %w", err)
	}
	if len(qc.terms) > maxSearchTerms {
		qc.terms = qc.terms[:maxSearchTerms]
	}
	return qc, nil
}

// maxSearchTerms bounds the words of one search.
const maxSearchTerms = 8

// queueItems turns a page of rows into the list's items.
func queueItems(p *auth.Principal, rows []queueRow, branches []branchInfo, now time.Time) []QueueItem {
	items := make([]QueueItem, len(rows))
	paths := make(map[uuid.UUID]string, len(branches))
	for _, b := range branches {
		paths[b.ID] = b.Path
	}
	for i, r := range rows {
		it := QueueItem{ID: r.ID, Reference: r.Reference, Type: r.Type, Title: r.Title, Status: r.Status,
			Urgency: r.Urgency, SafetyMode: r.SafetyMode, BranchID: r.BranchID, Branch: paths[r.BranchID],
			WorkplaceID: r.WorkplaceID, AssignedTo: r.AssignedTo, CreatedAt: r.CreatedAt, Due: r.Due,
			Paused: r.Status == StatusNeedsInfo, LowRating: r.LowRating, NeedsReview: r.NeedsReview,
			AssignedToMe:  r.AssignedTo != nil && *r.AssignedTo == p.UserID,
			IntakeChannel: r.IntakeChannel, NeedsTranscription: r.NeedsTranscription}
		if r.CategorySlug != nil {
			it.Category = *r.CategorySlug
		}
		it.Overdue = r.Due != nil && now.After(*r.Due)
		if r.EscalatedTo != nil && r.EscalationLevel != nil {
			it.EscalatedTo, it.EscalationLevel = r.EscalatedTo, *r.EscalationLevel
		}
		it.EscalationPrompt = IsOpen(r.Status) && r.Prompt
		items[i] = it
	}
	return items
}

// QueueBranch is a branch the viewer may narrow the queue to.
type QueueBranch struct {
	ID    uuid.UUID `json:"id"`
	Path  string    `json:"path"`
	Label string    `json:"label"` // the name, indented by depth below the viewer's top branch
}

// QueueBranches lists, in tree order, the branches whose cases p may read:
// the choices of the queue's branch filter.
func (s *Service) QueueBranches(ctx context.Context, tenantID uuid.UUID, p *auth.Principal) ([]QueueBranch, error) {
	if !p.IsStaff() || p.TenantID != tenantID || p.Pending2FA {
		return nil, apperr.ErrForbidden
	}
	var out []QueueBranch
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var rows []struct {
			branchInfo
			Name string `bun:"name"`
		}
		if err := tx.NewRaw("SELECT id, parent_id, path, name FROM branches WHERE closed_at IS NULL ORDER BY path").Scan(ctx, &rows); err != nil {
			return fmt.Errorf("load branches: %w", err)
		}
		infos := make([]branchInfo, len(rows))
		for i := range rows {
			infos[i] = rows[i].branchInfo
		}
		var slug string
		if err := tx.QueryRowContext(ctx, "SELECT slug FROM tenants WHERE id = ?", tenantID).Scan(&slug); err != nil {
			return fmt.Errorf("load tenant: %w", err)
		}
		sc, err := s.scopeOf(ctx, p, slug, infos)
		if err != nil {
			return err
		}
		top := -1
		for _, r := range rows {
			if sc.all || slices.Contains(sc.branchIDs, r.ID) {
				depth := strings.Count(r.Path, "/")
				if top < 0 || depth < top {
					top = depth
				}
			}
		}
		for _, r := range rows {
			if !sc.all && !slices.Contains(sc.branchIDs, r.ID) {
				continue
			}
			indent := strings.Repeat("— ", max(0, strings.Count(r.Path, "/")-top))
			out = append(out, QueueBranch{ID: r.ID, Path: r.Path, Label: indent + r.Name})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("queue branches: %w", err)
	}
	return out, nil
}
