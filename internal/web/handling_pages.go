package web

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/tenant"
)

// staffCaseData is the staff case page.
type staffCaseData struct {
	Case        *cases.View
	Reporter    *cases.Identity
	Actor       cases.Actor
	Allowed     []cases.Transition
	Playbook    []string
	Suggestion  *cases.Suggestion
	Canned      []cases.CannedReply
	ActionKinds []string
	Officers    []auth.StaffMember
	Error       string
	Notice      string
	// For the forms: choices and the suggestion's figures, ready to print.
	Urgencies       []string
	ReferralTargets []string
	Outcomes        []string // of a bipartite meeting or a mediation
	Methods         []string
	Categories      []option // for correcting the suggestion
	ConfidencePct   int
	// Tags are the union's active tags, the only ones a correction may
	// choose, each ticked when the suggestion has it.
	Tags []checkOption
	// Intake: the channel, and a voice-only report's transcript (intake.go).
	Intake *cases.IntakeInfo
	// ReporterAccount: the viewer may help the reporter's account in
	// person (worker_account_pages.go).
	ReporterAccount bool
	// Similar resolved cases the viewer may read (recommend.go).
	Similar []cases.SimilarCase
}

// staffCasePage is /cases/:id for staff: everything the reporter sees plus
// the internal timeline, the playbook, the AI suggestion and every form.
func (s *Server) staffCasePage(c *fiber.Ctx, t *tenant.Tenant, p *auth.Principal, id uuid.UUID, errMsg string, status int) error {
	ctx := c.UserContext()
	v, err := s.cases.Get(ctx, t.ID, p, id)
	if err != nil {
		return err
	}
	d := staffCaseData{Case: v, Reporter: v.Reporter, Error: errMsg, ActionKinds: cases.ActionKinds()}
	if d.Actor, d.Allowed, err = s.cases.Allowed(ctx, t.ID, p, id); err != nil {
		return err
	}
	if d.Playbook, err = s.cases.Playbook(ctx, t.ID, p, id, reqCtx(c).Locale); err != nil {
		return err
	}
	if d.Intake, err = s.cases.Intake(ctx, t.ID, p, id); err != nil {
		return err
	}
	if d.ReporterAccount, err = s.mayHelpWorker(ctx, p, d.Reporter); err != nil {
		return err
	}
	d.Urgencies = []string{"critical", "high", "normal", "low"}
	d.ReferralTargets = []string{"lapor_menaker", "satgas_ppks", "brand", "other"}
	d.Outcomes = []string{"scheduled", "continued", "agreed", "failed", "recommendation"}
	d.Methods = []string{"mediation", "conciliation", "arbitration"}
	pg := s.page(c, "handling.page_title")
	cats, err := s.admin.CategoryDirectory(ctx, t.ID)
	if err != nil {
		return err
	}
	pg.CategoryNames = map[string]string{}
	for i := range cats {
		name := cats[i].Name(pg.Locale)
		pg.CategoryNames[cats[i].Slug] = name
		d.Categories = append(d.Categories, option{cats[i].Slug, name})
	}
	if sg, err := s.cases.LatestSuggestion(ctx, t.ID, p, id); err == nil {
		d.Suggestion = sg
		d.ConfidencePct = int(sg.Confidence*100 + 0.5)
		if sg.Status == "pending" {
			tags, err := s.admin.TagDirectory(ctx, t.ID)
			if err != nil {
				return err
			}
			for i := range tags {
				d.Tags = append(d.Tags, checkOption{Value: tags[i].Slug, Label: tags[i].Name(pg.Locale),
					Checked: slices.Contains(sg.Tags, tags[i].Slug)})
			}
		}
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	if rec, err := s.cases.Recommendations(ctx, t.ID, p, id, reqCtx(c).Locale); err == nil {
		d.Similar = rec.Similar
	} else {
		return err
	}
	if d.Canned, err = s.cases.CannedReplies(ctx, t.ID, p, reqCtx(c).Locale); err != nil {
		return err
	}
	// Only those who may assign get the officer list; officers see none.
	if d.Actor == cases.ActorBranchAdmin || d.Actor == cases.ActorFederationAdmin {
		if staff, err := s.auth.Staff(ctx, p); err == nil {
			d.Officers = staff
		}
	}
	pg.Data = d
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, status, "staff_case", pg)
}

// formOutcome shows the case again after a form: a redirect on success, the
// page with the error's message on a refusal the user can fix, and the
// central error handler for anything else.
func (s *Server) formOutcome(c *fiber.Ctx, id uuid.UUID, err error, staff bool) error {
	if err == nil {
		to := "/cases/" + id.String()
		if d := doneAfter(c); d != "" && !staff {
			to += "?done=" + d // the reporter's thank-you (journey.go)
		}
		return c.Redirect(to, fiber.StatusSeeOther)
	}
	loc := reqCtx(c).loc
	var ve *apperr.Validation
	var fc *apperr.FieldConflict
	var te *cases.TransitionError
	msg, status := "", 0
	switch {
	case errors.As(err, &ve):
		var parts []string
		for f, key := range ve.Fields {
			parts = append(parts, f+": "+translate(loc, key))
		}
		msg, status = strings.Join(parts, "; "), fiber.StatusUnprocessableEntity
	case errors.As(err, &fc):
		msg, status = translate(loc, fc.Key), fiber.StatusConflict
	case errors.As(err, &te):
		msg, status = translate(loc, "error.conflict"), fiber.StatusConflict
	default:
		return err
	}
	if !staff {
		return s.reporterFormError(c, id, msg, status)
	}
	t := reqCtx(c).Tenant
	return s.staffCasePage(c, t, principal(c), id, msg, status)
}

func (s *Server) reporterFormError(c *fiber.Ctx, id uuid.UUID, msg string, status int) error {
	t := reqCtx(c).Tenant
	p := principal(c)
	v, err := s.cases.Get(c.UserContext(), t.ID, p, id)
	if err != nil {
		return err
	}
	return s.showCase(c, caseData{Case: v, Reporter: v.Reporter, Error: msg, Form: postedForm(c)}, status)
}

// pageCase reads the tenant, case id and signed-in principal of a page form.
func pageCase(c *fiber.Ctx) (*tenant.Tenant, *auth.Principal, uuid.UUID, error) {
	t, err := tenantOnly(c)
	if err != nil {
		return nil, nil, uuid.Nil, err
	}
	id, err := caseID(c, "id")
	if err != nil {
		return nil, nil, uuid.Nil, err
	}
	p, err := requireSignedIn(c)
	if err != nil {
		return nil, nil, uuid.Nil, err
	}
	return t, p, id, nil
}

func (s *Server) caseTransitionSubmit(c *fiber.Ctx) error {
	t, p, id, err := pageCase(c)
	if err != nil {
		return err
	}
	in := cases.TransitionInput{Transition: c.FormValue("transition"), Reason: c.FormValue("reason"), DuplicateOf: c.FormValue("duplicate_of")}
	_, err = s.cases.Transition(c.UserContext(), t.ID, p, id, in)
	return s.formOutcome(c, id, err, p.IsStaff())
}

func (s *Server) caseAssignSubmit(c *fiber.Ctx) error {
	t, p, id, err := pageCase(c)
	if err != nil {
		return err
	}
	_, err = s.cases.Assign(c.UserContext(), t.ID, p, id, cases.AssignInput{OfficerID: c.FormValue("officer_id"), BranchID: c.FormValue("branch_id"), Reason: c.FormValue("reason")})
	return s.formOutcome(c, id, err, true)
}

func (s *Server) caseActionSubmit(c *fiber.Ctx) error {
	t, p, id, err := pageCase(c)
	if err != nil {
		return err
	}
	var in cases.ActionInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	// One textarea, one participant per line.
	in.Participants = []string{c.FormValue("participants")}
	_, err = s.cases.RecordAction(c.UserContext(), t.ID, p, id, in)
	return s.formOutcome(c, id, err, true)
}

func (s *Server) caseNoteSubmit(c *fiber.Ctx) error {
	t, p, id, err := pageCase(c)
	if err != nil {
		return err
	}
	_, err = s.cases.AddNote(c.UserContext(), t.ID, p, id, c.FormValue("body"))
	return s.formOutcome(c, id, err, true)
}

// caseStaffMessageSubmit sends a message to the reporter; an empty body with
// a canned reply chosen sends the canned reply (no script needed).
func (s *Server) caseStaffMessageSubmit(c *fiber.Ctx) error {
	t, p, id, err := pageCase(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	body := c.FormValue("body")
	if strings.TrimSpace(body) == "" {
		if cid, perr := uuid.Parse(c.FormValue("canned_id")); perr == nil {
			r, err := s.cases.CannedReply(ctx, t.ID, p, cid)
			if err != nil {
				return err
			}
			body = r.Body
		}
	}
	_, err = s.cases.AddMessage(ctx, t.ID, p, id, body)
	return s.formOutcome(c, id, err, true)
}

func (s *Server) caseSuggestionSubmit(c *fiber.Ctx) error {
	t, p, id, err := pageCase(c)
	if err != nil {
		return err
	}
	d := cases.Decision{Accept: c.FormValue("decision") == "accept", Category: c.FormValue("category"), Urgency: c.FormValue("urgency")}
	// The correction form's tag picker sends one "tags" value per ticked
	// box (a hand-made form may put them comma-separated in one): what is
	// ticked is the case's tag set, none ticked is none.
	if !d.Accept {
		d.Tags = []string{}
	}
	for _, v := range c.Request().PostArgs().PeekMulti("tags") {
		for _, tag := range strings.Split(string(v), ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				d.Tags = append(d.Tags, tag)
			}
		}
	}
	_, err = s.cases.DecideSuggestion(c.UserContext(), t.ID, p, id, d)
	return s.formOutcome(c, id, err, true)
}

// rateData is the reporter's rating and check-in page.
type rateData struct {
	Case     *cases.View
	Error    string
	Scores   []int // 1..5
	Checkins []int // 1, 2
}

func (s *Server) caseRatePage(c *fiber.Ctx) error {
	t, p, id, err := pageCase(c)
	if err != nil {
		return err
	}
	v, err := s.cases.Get(c.UserContext(), t.ID, p, id)
	if err != nil {
		return err
	}
	if !v.AsReporter {
		return apperr.ErrNotFound
	}
	pg := s.page(c, "handling.rate_title")
	pg.Data = rateData{Case: v, Scores: []int{1, 2, 3, 4, 5}, Checkins: openCheckins(v.Events)}
	return s.render(c, fiber.StatusOK, "case_rate", pg)
}

func (s *Server) caseRateSubmit(c *fiber.Ctx) error {
	t, p, id, err := pageCase(c)
	if err != nil {
		return err
	}
	_, err = s.cases.Rate(c.UserContext(), t.ID, p, id, ratingForm(c))
	if err == nil {
		// Back to the case, with a thank-you there.
		return c.Redirect("/cases/"+id.String()+"?rated=1", fiber.StatusSeeOther)
	}
	return s.formOutcome(c, id, err, false)
}

func ratingForm(c *fiber.Ctx) cases.RatingInput {
	h, _ := strconv.Atoi(c.FormValue("handling"))
	o, _ := strconv.Atoi(c.FormValue("outcome"))
	return cases.RatingInput{Handling: h, Outcome: o, Comment: c.FormValue("comment")}
}

func (s *Server) caseCheckinSubmit(c *fiber.Ctx) error {
	t, p, id, err := pageCase(c)
	if err != nil {
		return err
	}
	n, err := checkinNumber(c)
	if err != nil {
		return err
	}
	yes := func(name string) *bool {
		switch c.FormValue(name) {
		case "yes":
			b := true
			return &b
		case "no":
			b := false
			return &b
		}
		return nil
	}
	_, err = s.cases.AnswerCheckin(c.UserContext(), t.ID, p, id, n,
		cases.CheckinAnswer{RemedyHeld: yes("remedy_held"), Retaliation: yes("retaliation"), Comment: c.FormValue("comment")})
	return s.formOutcome(c, id, err, false)
}

// openCheckins are the check-ins the reporter was asked and has not
// answered: the weeks-later questions appear only once they are asked.
func openCheckins(events []cases.Event) []int {
	asked := map[int]bool{}
	var order []int
	for _, e := range events {
		var p struct {
			N int `json:"n"`
		}
		if e.Kind != cases.EventCheckinAsked && e.Kind != cases.EventCheckinAnswer {
			continue
		}
		if json.Unmarshal([]byte(e.Payload), &p) != nil || p.N == 0 {
			continue
		}
		if e.Kind == cases.EventCheckinAsked {
			if _, seen := asked[p.N]; !seen {
				order = append(order, p.N)
			}
			asked[p.N] = true
		} else {
			asked[p.N] = false
		}
	}
	var out []int
	for _, n := range order {
		if asked[n] {
			out = append(out, n)
		}
	}
	return out
}

// caseOutcomeSubmit records a resolved case's outcome from the staff page.
func (s *Server) caseOutcomeSubmit(c *fiber.Ctx) error {
	t, p, id, err := pageCase(c)
	if err != nil {
		return err
	}
	var in cases.OutcomeInput
	if err := c.BodyParser(&in); err != nil {
		return fiber.ErrBadRequest
	}
	_, err = s.cases.RecordOutcome(c.UserContext(), t.ID, p, id, in)
	return s.formOutcome(c, id, err, true)
}
