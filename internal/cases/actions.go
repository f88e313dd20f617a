package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// Follow-up action kinds, after the dispute steps of UU 2/2004 and the
// bodies a case may be referred to.
const (
	ActionBipartite            = "bipartite"
	ActionDisnakerRegistration = "disnaker_registration"
	ActionMediation            = "mediation"
	ActionIndustrialCourt      = "industrial_court"
	ActionReferral             = "referral"
	ActionEmployerResponse     = "employer_response"
	ActionAgreement            = "agreement"
)

// ActionKinds lists every follow-up action kind.
func ActionKinds() []string {
	return []string{ActionBipartite, ActionDisnakerRegistration, ActionMediation, ActionIndustrialCourt,
		ActionReferral, ActionEmployerResponse, ActionAgreement}
}

// Choices of action fields.
var (
	bipartiteOutcomes = []string{"scheduled", "continued", "agreed", "failed"}
	mediationMethods  = []string{"mediation", "conciliation", "arbitration"}
	mediationOutcomes = []string{"scheduled", "continued", "recommendation", "agreed", "failed"}
	referralTargets   = []string{"lapor_menaker", "satgas_ppks", "brand", "other"}
)

// Limits on action fields.
const (
	maxShortField   = 200
	maxLongField    = 5000
	maxParticipants = 50
)

// ActionInput is a follow-up action as staff record it. Which fields
// matter depends on Kind; the others must be empty.
type ActionInput struct {
	Kind       string `json:"kind" form:"kind"`
	Visibility string `json:"visibility" form:"visibility"`
	// Date is when it happened (or is planned): the meeting, the
	// registration, the hearing, the response, the agreement.
	Date         string   `json:"date" form:"date"`
	MeetingDate  string   `json:"meeting_date" form:"meeting_date"` // bipartite (alias of date)
	Participants []string `json:"participants" form:"participants"` // bipartite
	MinutesID    string   `json:"minutes_evidence_id" form:"minutes_evidence_id"`
	Outcome      string   `json:"outcome" form:"outcome"`             // bipartite, mediation, industrial_court
	Office       string   `json:"office" form:"office"`               // disnaker_registration
	Number       string   `json:"registration_number" form:"number"`  // disnaker_registration
	Method       string   `json:"method" form:"method"`               // mediation
	Mediator     string   `json:"mediator" form:"mediator"`           // mediation
	Court        string   `json:"court" form:"court"`                 // industrial_court
	CaseNumber   string   `json:"case_number" form:"case_number"`     // industrial_court
	Target       string   `json:"target" form:"target"`               // referral
	TargetDetail string   `json:"target_detail" form:"target_detail"` // referral
	Summary      string   `json:"summary" form:"summary"`             // employer_response
	Terms        string   `json:"terms" form:"terms"`                 // agreement
	Notes        string   `json:"notes" form:"notes"`                 // any kind
}

// actionFields validates an action and returns its payload fields.
func actionFields(in ActionInput, now time.Time) (map[string]any, error) {
	v := &apperr.Validation{}
	out := map[string]any{}
	text := func(field, val string, max int, required bool) {
		if s := checkText(v, field, val, max, required); s != "" {
			out[field] = s
		}
	}
	choice := func(field, val string, choices []string, required bool) {
		val = strings.TrimSpace(val)
		switch {
		case val == "" && required:
			v.Add(field, "error.required")
		case val != "" && !slices.Contains(choices, val):
			v.Add(field, "error.invalid_choice")
		case val != "":
			out[field] = val
		}
	}
	date := func(field, val string, required bool) {
		val = strings.TrimSpace(val)
		if val == "" {
			if required {
				v.Add(field, "error.required")
			}
			return
		}
		d, err := time.Parse(time.DateOnly, val)
		// A year ahead allows a planned hearing; before 1990 is a typo.
		if err != nil || d.Year() < 1990 || d.After(now.AddDate(1, 0, 0)) {
			v.Add(field, "error.date_invalid")
			return
		}
		out[field] = d.Format(time.DateOnly)
	}
	switch in.Kind {
	case ActionBipartite:
		d := in.MeetingDate
		if d == "" {
			d = in.Date
		}
		date("meeting_date", d, true)
		var people []string
		for _, p := range in.Participants {
			for _, line := range strings.Split(p, "\n") {
				if s, ok := cleanText(line); ok && s != "" {
					if utf8.RuneCountInString(s) > maxShortField {
						v.Add("participants", "error.too_long")
					}
					people = append(people, s)
				}
			}
		}
		switch {
		case len(people) == 0:
			v.Add("participants", "error.required")
		case len(people) > maxParticipants:
			v.Add("participants", "error.too_many")
		default:
			out["participants"] = people
		}
		choice("outcome", in.Outcome, bipartiteOutcomes, true)
		if m := strings.TrimSpace(in.MinutesID); m != "" {
			if _, err := uuid.Parse(m); err != nil {
				v.Add("minutes_evidence_id", "error.invalid_choice")
			} else {
				out["minutes_evidence_id"] = m
			}
		}
	case ActionDisnakerRegistration:
		date("date", in.Date, true)
		text("office", in.Office, maxShortField, true)
		text("registration_number", in.Number, maxShortField, false)
	case ActionMediation:
		date("date", in.Date, true)
		choice("method", in.Method, mediationMethods, true)
		text("mediator", in.Mediator, maxShortField, false)
		choice("outcome", in.Outcome, mediationOutcomes, true)
	case ActionIndustrialCourt:
		date("date", in.Date, true)
		text("court", in.Court, maxShortField, true)
		text("case_number", in.CaseNumber, maxShortField, false)
		text("outcome", in.Outcome, maxShortField, false)
	case ActionReferral:
		date("date", in.Date, false)
		choice("target", in.Target, referralTargets, true)
		t := strings.TrimSpace(in.Target)
		text("target_detail", in.TargetDetail, maxShortField, t == "brand" || t == "other")
	case ActionEmployerResponse:
		date("date", in.Date, true)
		text("summary", in.Summary, maxLongField, true)
	case ActionAgreement:
		date("date", in.Date, true)
		text("terms", in.Terms, maxLongField, true)
	case "":
		v.Add("kind", "error.required")
	default:
		v.Add("kind", "error.invalid_choice")
	}
	text("notes", in.Notes, maxLongField, false)
	switch in.Visibility {
	case VisibilityReporter, VisibilityInternal:
	case "":
		v.Add("visibility", "error.required")
	default:
		v.Add("visibility", "error.invalid_choice")
	}
	return out, v.Err()
}

// checkText cleans a free-text field and returns it, or records in v why
// it is unusable (control characters, missing when required, longer than
// max runes) and returns "".
func checkText(v *apperr.Validation, field, val string, max int, required bool) string {
	s, ok := cleanText(val)
	switch n := utf8.RuneCountInString(s); {
	case !ok:
		v.Add(field, "error.invalid")
	case n == 0 && required:
		v.Add(field, "error.required")
	case n > max:
		v.Add(field, "error.too_long")
	default:
		return s
	}
	return ""
}

// staffCase loads and locks a case for a staff write that needs act at its
// branch: others get apperr.ErrNotFound (cannot read) or ErrForbidden.
func (s *Service) staffCase(ctx context.Context, tx bun.Tx, p *auth.Principal, id uuid.UUID, act string) (*Case, error) {
	c, err := s.caseFor(ctx, tx, p, id, roleStaff, lockedCase)
	if err != nil {
		return nil, err
	}
	if err := s.authz.Check(ctx, p, c.BranchPath, "case", act); err != nil {
		return nil, err
	}
	return c, nil
}

// RecordAction appends a follow-up action to the timeline, visible to the
// reporter or internal as chosen. It needs case act at the case's branch;
// a case in a final status other than referred takes no more actions.
func (s *Service) RecordAction(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, in ActionInput) (*Event, error) {
	in.Kind, in.Visibility = strings.TrimSpace(in.Kind), strings.TrimSpace(in.Visibility)
	fields, err := actionFields(in, s.Now())
	if err != nil {
		return nil, err
	}
	var out *Event
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffCase(ctx, tx, p, id, "act")
		if err != nil {
			return err
		}
		if IsFinal(c.Status) && c.Status != StatusReferred {
			return &apperr.FieldConflict{Field: "status", Key: "error.case_final"}
		}
		if m, ok := fields["minutes_evidence_id"].(string); ok {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM evidence_files WHERE id = ? AND case_id = ?", m, c.ID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return apperr.Invalid("minutes_evidence_id", "error.invalid_choice")
			}
		}
		fields["by"], fields["kind"] = "staff", in.Kind
		e, err := s.addEvent(ctx, tx, c, EventActionPrefix+in.Kind, p.UserID.String(), in.Visibility, fields)
		if err != nil {
			return err
		}
		ev := eventOf(e)
		out = &ev
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record action: %w", err)
	}
	return out, nil
}

// AddNote appends an internal note: never shown to the reporter.
func (s *Service) AddNote(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, body string) (*Event, error) {
	body, err := checkMessage(body)
	if err != nil {
		return nil, err
	}
	var out *Event
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffCase(ctx, tx, p, id, "note")
		if err != nil {
			return err
		}
		e, err := s.addEvent(ctx, tx, c, EventNote, p.UserID.String(), VisibilityInternal, map[string]any{"by": "staff", "body": body})
		if err != nil {
			return err
		}
		ev := eventOf(e)
		out = &ev
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("add note: %w", err)
	}
	return out, nil
}

// CannedReply is a tenant's ready-made message for handlers.
type CannedReply struct {
	bun.BaseModel `bun:"table:canned_replies"`

	TenantID  uuid.UUID `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID        uuid.UUID `bun:"id,pk,type:uuid,default:gen_random_uuid()" json:"id"`
	Locale    string    `bun:"locale" json:"locale"`
	Title     string    `bun:"title" json:"title"`
	Body      string    `bun:"body" json:"body"`
	SortOrder int       `bun:"sort_order" json:"sort_order"`
}

// CannedReplies lists the tenant's canned replies for staff, those in
// locale first ("" = all).
func (s *Service) CannedReplies(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, locale string) ([]CannedReply, error) {
	if !p.IsStaff() || p.TenantID != tenantID {
		return nil, apperr.ErrForbidden
	}
	out := []CannedReply{}
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&out).Order("sort_order", "title")
		if locale != "" {
			q = q.Where("locale = ?", locale)
		}
		return q.Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("canned replies: %w", err)
	}
	return out, nil
}

// CannedReply returns one canned reply to staff of its tenant.
func (s *Service) CannedReply(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID) (*CannedReply, error) {
	if !p.IsStaff() || p.TenantID != tenantID {
		return nil, apperr.ErrForbidden
	}
	var r CannedReply
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx)
	})
	if err != nil {
		return nil, db.MapError(err)
	}
	return &r, nil
}

// Limits of the handling settings, as the schema holds them.
const (
	maxCannedTitleRunes = 100
	maxWordingRunes     = 100
)

// Admin audit kinds of the handling settings (tenant.LogAdminEvent).
const (
	AdminEventCannedReplyAdded   = "canned_reply.create"
	AdminEventCannedReplyDeleted = "canned_reply.delete"
	AdminEventStatusWordings     = "status_wording.update"
)

// AddCannedReply stores a canned reply; it needs tenant_settings update.
func (s *Service) AddCannedReply(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string, r CannedReply) (*CannedReply, error) {
	if err := s.authz.Check(ctx, p, slug, "tenant_settings", "update"); err != nil {
		return nil, err
	}
	v := &apperr.Validation{}
	if r.Locale != "id" && r.Locale != "en" {
		v.Add("locale", "error.invalid_choice")
	}
	r.Title = checkText(v, "title", r.Title, maxCannedTitleRunes, true)
	r.Body = checkText(v, "body", r.Body, maxMessageRunes, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	r.TenantID = tenantID
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&r).ExcludeColumn("id").Returning("id").Exec(ctx); err != nil {
			return db.MapError(err)
		}
		return tenant.LogAdminEvent(ctx, tx, tenantID, p.UserID, AdminEventCannedReplyAdded, r.Title,
			map[string]any{"id": r.ID, "locale": r.Locale})
	})
	if err != nil {
		return nil, fmt.Errorf("add canned reply: %w", err)
	}
	return &r, nil
}

// DeleteCannedReply removes a canned reply of the tenant; it needs
// tenant_settings update. An unknown id, or another tenant's (invisible
// under RLS), is apperr.ErrNotFound. Messages already sent keep their text.
func (s *Service) DeleteCannedReply(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string, id uuid.UUID) error {
	if err := s.authz.Check(ctx, p, slug, "tenant_settings", "update"); err != nil {
		return err
	}
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var title string
		if err := tx.QueryRowContext(ctx, "DELETE FROM canned_replies WHERE id = ? RETURNING title", id).Scan(&title); err != nil {
			return db.MapError(err)
		}
		return tenant.LogAdminEvent(ctx, tx, tenantID, p.UserID, AdminEventCannedReplyDeleted, title, map[string]any{"id": id})
	})
	if err != nil {
		return fmt.Errorf("delete canned reply: %w", err)
	}
	return nil
}

// StatusWording is a tenant's reporter-facing label of a status, per
// language; an empty label means the default wording.
type StatusWording struct {
	Status Status `json:"status"`
	ID     string `json:"id"`
	EN     string `json:"en"`
}

// StatusWordings returns the tenant's own labels by status (only the ones
// it set). Reporters' pages and the API fall back to the default wording.
func (s *Service) StatusWordings(ctx context.Context, tenantID uuid.UUID) (map[Status]StatusWording, error) {
	out := map[Status]StatusWording{}
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT status, label_id, label_en FROM status_wordings")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var w StatusWording
			if err := rows.Scan(&w.Status, &w.ID, &w.EN); err != nil {
				return err
			}
			out[w.Status] = w
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("status wordings: %w", err)
	}
	return out, nil
}

// SetStatusWording sets the tenant's labels for a status; it needs
// tenant_settings update. Field errors name "status", "id" and "en".
func (s *Service) SetStatusWording(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string, w StatusWording) error {
	return s.setStatusWordings(ctx, tenantID, p, slug, []StatusWording{w}, func(_ Status, lang string) string { return lang })
}

// SetStatusWordings sets the labels of several statuses at once (the
// settings page's one form): all are saved or, on any bad label, none.
// Field errors name "<status>.id" and "<status>.en".
func (s *Service) SetStatusWordings(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string, ws []StatusWording) error {
	return s.setStatusWordings(ctx, tenantID, p, slug, ws, WordingField)
}

// WordingField is the field that names a status's label in lang ("id" or
// "en") for SetStatusWordings: "resolved.en".
func WordingField(st Status, lang string) string { return string(st) + "." + lang }

// setStatusWordings checks every label, then stores them in one
// transaction with one audit entry. A status whose labels are both empty
// goes back to the default wording: its row is removed.
func (s *Service) setStatusWordings(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, slug string, ws []StatusWording,
	field func(st Status, lang string) string) error {
	if err := s.authz.Check(ctx, p, slug, "tenant_settings", "update"); err != nil {
		return err
	}
	ws = slices.Clone(ws) // cleaned below; the caller keeps what was typed
	v := &apperr.Validation{}
	label := func(st Status, lang, val string) string {
		f := field(st, lang)
		out := checkText(v, f, val, maxWordingRunes, false)
		if strings.Contains(out, "\n") {
			v.Add(f, "error.invalid") // a label is one line
		}
		return out
	}
	for i := range ws {
		w := &ws[i]
		if !w.Status.Valid() {
			v.Add("status", "error.invalid_choice")
		}
		w.ID, w.EN = label(w.Status, "id", w.ID), label(w.Status, "en", w.EN)
	}
	if err := v.Err(); err != nil {
		return err
	}
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		statuses := make([]string, 0, len(ws))
		for _, w := range ws {
			var err error
			if w.ID == "" && w.EN == "" {
				_, err = tx.ExecContext(ctx, "DELETE FROM status_wordings WHERE status = ?", string(w.Status))
			} else {
				_, err = tx.ExecContext(ctx, `INSERT INTO status_wordings (tenant_id, status, label_id, label_en) VALUES (?, ?, ?, ?)
					ON CONFLICT (tenant_id, status) DO UPDATE SET label_id = EXCLUDED.label_id, label_en = EXCLUDED.label_en, updated_at = now()`,
					tenantID, string(w.Status), w.ID, w.EN)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", w.Status, db.MapError(err))
			}
			statuses = append(statuses, string(w.Status))
		}
		return tenant.LogAdminEvent(ctx, tx, tenantID, p.UserID, AdminEventStatusWordings, strings.Join(statuses, ","), map[string]any{"wordings": ws})
	})
	if err != nil {
		return fmt.Errorf("set status wordings: %w", err)
	}
	return nil
}

// Playbook returns the recommended next steps of the case's category in
// locale (Indonesian when the English list is empty), for staff who may
// read the case. A case without a category has none.
func (s *Service) Playbook(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, locale string) ([]string, error) {
	var steps []string
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffRead(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if c.CategoryID == nil {
			return nil
		}
		var idSteps, enSteps []string
		err = tx.NewSelect().Table("categories").Column("playbook_id", "playbook_en").Where("id = ?", *c.CategoryID).
			Scan(ctx, pgdialect.Array(&idSteps), pgdialect.Array(&enSteps))
		if err != nil {
			return err
		}
		steps = idSteps
		if locale == "en" && len(enSteps) > 0 {
			steps = enSteps
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("playbook: %w", err)
	}
	return steps, nil
}
